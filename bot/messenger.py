"""The Messenger protocol over python-telegram-bot, mapping Telegram errors to the domain's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.keyboards import keyboard
from kernel.metrics import SENDS
from messages.messenger import (
    MaybeDelivered,
    NotModified,
    Rejected,
    RetryLater,
    SendError,
    TransientError,
    Unreachable,
)
from messages.outgoing import Reply
from messages.render import plain_text

MESSAGE_MAX = 4096
CAPTION_MAX = 1024


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Failures that happen before a single byte of the request reached Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def certainly_not_sent(exc: BaseException) -> bool:
    """Whether a network error proves the request never reached Telegram (refused or failed
    connection, no free connection in the pool), so that sending again cannot duplicate it."""
    cause = exc.__cause__
    return isinstance(cause, _NOT_SENT)


def retry_seconds(exc: RetryAfter) -> float:
    """The seconds a 429 asks to wait (python-telegram-bot gives an int, or a timedelta with
    PTB_TIMEDELTA set)."""
    retry = exc.retry_after
    return retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)


def translate(exc: TelegramError) -> SendError:
    """The domain's view of a Telegram error (BadRequest is a NetworkError: test it first)."""
    if isinstance(exc, RetryAfter):
        return RetryLater(retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return Unreachable(exc.message)
    if isinstance(exc, BadRequest):
        if "not modified" in exc.message.lower():
            return NotModified(exc.message)
        return Rejected(exc.message)
    if isinstance(exc, NetworkError) and certainly_not_sent(exc):
        return TransientError(exc.message)
    if isinstance(exc, NetworkError):
        # A 5xx answer, a connection cut after the request left, a read time-out, a protocol
        # error: Telegram may have accepted the message, so sending it again could send it twice.
        return MaybeDelivered(exc.message)
    return Rejected(exc.message)


def outcome_of(exc: TelegramError) -> str:
    """The `outcome` label of a failed send for the metrics (see kernel.metrics.SENDS)."""
    if isinstance(exc, RetryAfter):
        return "429"
    if isinstance(exc, Forbidden):
        return "403"
    if isinstance(exc, BadRequest):
        return "400"
    if isinstance(exc, TimedOut):
        return "timeout"
    if isinstance(exc, NetworkError) and not isinstance(exc.__cause__, httpx.TransportError):
        return "5xx"  # python-telegram-bot raises NetworkError for the server's 5xx answers
    return "network"


@contextmanager
def _counted() -> Iterator[None]:
    """One call to Telegram: counted in the metrics by how it ended, and its error turned into
    the messenger's own (messages.messenger)."""
    try:
        yield
    except TelegramError as exc:
        SENDS.labels(outcome_of(exc)).inc()
        raise translate(exc) from exc
    SENDS.labels("ok").inc()


class TelegramMessenger:
    """Sends replies through a python-telegram-bot `Bot`."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, reply: Reply, *, html: bool = True) -> int:
        """Send a reply (a document when it carries one) and return the message id."""
        text = reply.text if html else plain_text(reply.text)
        mode = ParseMode.HTML if html else None
        with _counted():
            if reply.document is not None:
                message = await self.bot.send_document(
                    chat_id,
                    document=reply.document.content,
                    filename=reply.document.filename,
                    caption=_fit(text, CAPTION_MAX),
                    parse_mode=mode,
                )
            else:
                message = await self.bot.send_message(
                    chat_id,
                    _fit(text, MESSAGE_MAX),
                    parse_mode=mode,
                    reply_markup=keyboard(reply),
                    disable_web_page_preview=True,
                )
        return message.message_id

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Replace a message's text and buttons."""
        with _counted():
            await self.bot.edit_message_text(
                _fit(reply.text, MESSAGE_MAX),
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply),
                disable_web_page_preview=True,
            )


@asynccontextmanager
async def bot_messenger(token: str, api_root: str) -> AsyncIterator[TelegramMessenger]:
    """A messenger of its own for a process that sends but does not receive (the web console):
    a python-telegram-bot `Bot` on the same Bot API root, closed when the block ends."""
    bot = Bot(token, base_url=f"{api_root}/bot", base_file_url=f"{api_root}/file/bot")
    async with bot:
        yield TelegramMessenger(bot)
