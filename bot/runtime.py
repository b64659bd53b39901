"""Carrying one update through the domain: find the user, log, run the flow, deliver the outcome.

Every update runs in its own database transactions, so the process keeps no user state and any
process can take the next update of the same user.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Update
from telegram.error import RetryAfter, TelegramError

from bot.messenger import retry_seconds
from journey import access
from journey.conversation import LoggingMessenger, log_incoming
from journey.profiles import Sender, find_user, get_or_create_user
from kernel.logs import pseudonym
from kernel.metrics import REPLY_SECONDS, UPDATES
from kernel.turn import Environment, Turn
from kernel.white_label import use_texts_of
from messages.messenger import (
    Messenger,
    NotModified,
    Rejected,
    RetryLater,
    SendError,
    TransientError,
)
from messages.outgoing import Outcome, Reply
from messages.render import programme_texts, render, supported_language
from storage import updates
from storage.engine import Database
from storage.models import User, utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

Flow = Callable[[Turn], Awaitable[Outcome]]


@dataclass(frozen=True)
class BotServices:
    """What the handlers need, stored in `application.bot_data["services"]`: built complete
    by `bot.app.TelegramBot` once the messenger exists."""

    db: Database
    env: Environment
    messenger: Messenger


def sender_of(update: Update) -> Sender | None:
    """Who wrote, for private chats with people; None for channels, groups and other bots."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot or chat.type != "private":
        return None
    # In a private chat the chat id is the user's id. Taking it from the user, not from the
    # message a button belongs to, keeps a press on someone else's message from re-pointing
    # this user's chat.
    return Sender(
        user_id=user.id,
        chat_id=user.id,
        first_name=user.first_name or "",
        language_code=user.language_code,
    )


async def process(
    update: Update,
    services: BotServices,
    flow: Flow,
    *,
    kind: str,
    text: str,
    callback_data: str | None = None,
) -> None:
    """Log what came in, run the flow, and deliver its outcome: one transaction, then the sends.

    An update already handled (Telegram delivered it twice, perhaps to another process) is
    claimed in that same transaction (`storage.updates`) and is left alone the second time.

    A failing flow's changes are rolled back (the user's state is left as it was, what came in
    is still logged) and the user gets an apology instead of silence.
    """
    sender = sender_of(update)
    if sender is None:
        return
    started = time.perf_counter()
    UPDATES.labels(kind).inc()
    message = update.effective_message
    message_id = message.message_id if message is not None else None
    # One transaction per update: the user's row is locked first (FOR UPDATE on PostgreSQL,
    # BEGIN IMMEDIATE on SQLite), so two updates of one person never interleave, even in two
    # processes; what came in is logged in the same transaction as what the flow changed.
    may_create = access.may_create_user(kind)
    lang = supported_language(sender.language_code)
    try:
        async with services.db.transaction() as session:
            if not await updates.claim(session, update.update_id, utcnow()):
                log.info("update %s delivered again: already handled", update.update_id)
                return
            user = await _user(session, sender, may_create)
            if user is None:
                # A stale button from before /delete (or an edit): answer, and keep nothing.
                outcome = access.start_again(lang)
            else:
                lang = user.language
                await log_incoming(
                    session,
                    user.id,
                    kind,
                    text,
                    callback_data=callback_data,
                    message_id=message_id,
                )
                # In the texts of the partner programme the user is with, if any.
                with programme_texts():
                    await use_texts_of(session, user)
                    outcome = await flow(Turn(session, user, services.env, services.env.clock()))
    except Exception:
        # The flow's changes are rolled back (the user's state is left as it was); what came in
        # is still logged, in a transaction of its own, and the user gets an apology.
        log.exception("flow failed for update %s", update.update_id)
        outcome = Outcome().add(Reply(render("common.error", lang), "common.error"))
        try:
            async with services.db.transaction() as session:
                if not await updates.claim(session, update.update_id, utcnow()):
                    # Another process handled this very update meanwhile: it answered.
                    return
                known = await _user(session, sender, may_create)
                if known is not None:
                    await log_incoming(
                        session,
                        known.id,
                        kind,
                        text,
                        callback_data=callback_data,
                        message_id=message_id,
                    )
        except Exception:
            log.exception("could not log update %s", update.update_id)
    await deliver(update, services, sender, outcome, lang)
    duration = time.perf_counter() - started
    REPLY_SECONDS.labels(kind).observe(duration)
    log.info(
        "update handled",
        extra={"update_id": update.update_id, "flow": kind, "duration_ms": round(duration * 1000)},
    )


async def _user(session: AsyncSession, sender: Sender, may_create: bool) -> User | None:
    if may_create:
        user, _ = await get_or_create_user(session, sender)
        return user
    return await find_user(session, sender)


async def deliver(
    update: Update, services: BotServices, sender: Sender, outcome: Outcome, lang: str
) -> None:
    """Send or edit each reply, then answer the button press (always, so the spinner stops).

    Answering last means that once the client's spinner stops, the chat already shows the result.
    """
    query = update.callback_query
    messenger = services.messenger
    together = getattr(messenger, "together", None)
    batch = together() if together is not None else contextlib.nullcontext()
    # The messages are logged together once the press is answered, so the log's write does not
    # delay the spinner.
    async with batch:
        try:
            for reply in outcome.replies:
                try:
                    await _deliver_one(messenger, sender.chat_id, query, reply)
                except SendError as exc:
                    log.warning(
                        "could not deliver %s to %s: %r",
                        reply.key,
                        pseudonym(sender.user_id),
                        exc,
                    )
        finally:
            if query is not None:
                await _answer(query, outcome.notice)


# A reply the user is waiting for is sent again after a 429 (after the wait Telegram asks for) or
# after a failure to connect (nothing left), never after an uncertain failure (it may have arrived).
REPLY_TRIES = 4
REPLY_WAIT_MAX = 60.0  # seconds, all waits of one reply together
CONNECT_RETRY_WAIT = 0.5
# Telegram lets a button press be answered for about 15 seconds.
ANSWER_WAIT_MAX = 10.0


async def _patiently(call: Callable[[], Awaitable[T]], what: str) -> T:
    waited = 0.0
    for attempt in range(1, REPLY_TRIES + 1):
        try:
            return await call()
        except RetryLater as exc:
            if attempt == REPLY_TRIES or waited + exc.seconds > REPLY_WAIT_MAX:
                raise
            log.warning("429 on %s: waiting %.1f s as Telegram asks, then again", what, exc.seconds)
            wait = max(exc.seconds, 0.0)
        except TransientError as exc:
            if attempt == REPLY_TRIES:
                raise
            log.warning("could not reach Telegram for %s (%s): trying again", what, exc)
            wait = CONNECT_RETRY_WAIT * attempt
        waited += wait
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")


async def _answer(query: CallbackQuery, notice: str | None) -> None:
    text = notice[:200] if notice else None
    for _ in range(2):
        try:
            await query.answer(text)
            return
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            if seconds > ANSWER_WAIT_MAX:
                break
            log.warning("429 on answering a button press: waiting %.1f s", seconds)
            await asyncio.sleep(seconds)
        except TelegramError as exc:  # the query is too old to answer: nothing to do
            log.info("could not answer callback query: %s", exc)
            return
    log.info("could not answer callback query in time (flood control)")


async def _deliver_one(
    messenger: Messenger, chat_id: int, query: CallbackQuery | None, reply: Reply
) -> None:
    message = query.message if query is not None else None
    if reply.edit and message is not None and message.chat.id == chat_id and reply.document is None:
        try:
            await _patiently(
                lambda: messenger.edit(chat_id, message.message_id, reply), reply.key or "edit"
            )
            return
        except NotModified:
            return  # a double tap: the message already shows this
        except Rejected as exc:
            # Too old to edit, or deleted: send it as a new message instead.
            log.info("edit refused (%s); sending a new message", exc)
    what = reply.key or "reply"
    try:
        await _patiently(lambda: messenger.send(chat_id, reply), what)
    except NotModified:
        return
    except Rejected as exc:
        log.error("Telegram refused the HTML of %s (%s); sending plain text", reply.key, exc)
        await _patiently(lambda: messenger.send(chat_id, reply, html=False), what)


def make_messenger(inner: Messenger, db: Database) -> Messenger:
    """The messenger every part of the bot sends through: it logs what it sends."""
    return LoggingMessenger(inner, db.sessions)


__all__ = [
    "BotServices",
    "Flow",
    "deliver",
    "make_messenger",
    "process",
    "sender_of",
    "supported_language",
]
