"""The conversation log: every message in and out, and every button press, for coaches to read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from messages.messenger import Messenger
from messages.outgoing import Reply
from storage.models import ConversationEntry, User

TEXT_MAX = 8000

# The messages sent while handling one update, logged together when it ends (see `together`).
_batch: ContextVar[list[tuple[int, Reply, int]] | None] = ContextVar("log_batch", default=None)


async def log_incoming(
    session: AsyncSession,
    user_id: int,
    kind: str,
    text: str = "",
    *,
    callback_data: str | None = None,
    message_id: int | None = None,
) -> None:
    """Record what the user sent: text, a command, a button press or other content."""
    session.add(
        ConversationEntry(
            user_id=user_id,
            direction="in",
            kind=kind,
            text=text[:TEXT_MAX],
            callback_data=(callback_data or None) and callback_data[:128],
            message_id=message_id,
        )
    )
    await session.flush()


async def log_outgoing(
    session: AsyncSession, user_id: int, reply: Reply, message_id: int | None, *, kind: str = "text"
) -> None:
    """Record what the bot (or a coach through it) sent, with the template that produced it."""
    if await session.get(User, user_id) is None:
        return  # the user erased their data in the meantime: nothing may be kept
    session.add(
        ConversationEntry(
            user_id=user_id,
            direction="out",
            kind="edit" if reply.edit else kind,
            text=reply.text[:TEXT_MAX],
            template_key=reply.key,
            message_id=message_id,
        )
    )
    await session.flush()


# Kinds of incoming lines that were not said to the bot: a message relayed to a programme's coach,
# and a comment meant for a programme. Outgoing coach messages have the kind "coach".
RELAYED = "relay"
COMMENT = "comment"
COACH = "coach"


async def relabel_last_incoming(session: AsyncSession, user_id: int, kind: str) -> None:
    """Mark the user's latest incoming text (the one being handled) as `kind`.

    The runtime logs what came in before the flow decides what it is; a flow that takes the text
    for someone else than the bot (the coach relay, a comment for a programme) says so here.
    """
    latest = await session.scalar(
        select(ConversationEntry.id)
        .where(
            ConversationEntry.user_id == user_id,
            ConversationEntry.direction == "in",
            ConversationEntry.kind == "text",
        )
        .order_by(ConversationEntry.id.desc())
        .limit(1)
    )
    if latest is not None:
        await session.execute(
            update(ConversationEntry).where(ConversationEntry.id == latest).values(kind=kind)
        )


@dataclass(frozen=True)
class LogLine:
    """One line of a transcript as a coach or the user's export sees it."""

    at: datetime
    direction: str
    kind: str
    text: str
    template_key: str | None
    callback_data: str | None


async def transcript(session: AsyncSession, user_id: int, limit: int = 1000) -> list[LogLine]:
    """A user's conversation, oldest first."""
    rows = await session.scalars(
        select(ConversationEntry)
        .where(ConversationEntry.user_id == user_id)
        .order_by(ConversationEntry.at, ConversationEntry.id)
        .limit(limit)
    )
    return [
        LogLine(r.at, r.direction, r.kind, r.text, r.template_key, r.callback_data) for r in rows
    ]


class LoggingMessenger:
    """A Messenger that writes every message it sends to the conversation log.

    Private chats have the user's id as chat id, which is how the log finds the user.
    """

    def __init__(self, inner: Messenger, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.inner = inner
        self.sessions = sessions

    async def send(self, chat_id: int, reply: Reply, *, html: bool = True) -> int:
        """Send through the wrapped messenger, then log."""
        message_id = await self.inner.send(chat_id, reply, html=html)
        await self._log(chat_id, reply, message_id)
        return message_id

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Edit through the wrapped messenger, then log."""
        await self.inner.edit(chat_id, message_id, reply)
        await self._log(chat_id, reply, message_id)

    @asynccontextmanager
    async def together(self) -> AsyncIterator[None]:
        """Log the messages sent inside the block in one transaction when it ends.

        An update's answer is often two or three messages; one write for all of them, rather
        than one each, is what lets many updates run at once on SQLite's single writer. A
        message is logged even when a later one of the block fails.
        """
        token = _batch.set([])
        try:
            yield
        finally:
            entries = _batch.get() or []
            _batch.reset(token)
            if entries:
                async with self.sessions() as session, session.begin():
                    for chat_id, reply, message_id in entries:
                        await log_outgoing(session, chat_id, reply, message_id)

    async def _log(self, chat_id: int, reply: Reply, message_id: int) -> None:
        batch = _batch.get()
        if batch is not None:
            batch.append((chat_id, reply, message_id))
            return
        async with self.sessions() as session, session.begin():
            await log_outgoing(session, chat_id, reply, message_id)
