"""The conversation log: every message in and out, and every button press, for coaches to read;
and the searchable words of it (`ConversationWords`) for people a programme may search."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from messages.messenger import Messenger
from messages.outgoing import Reply
from scoring.text import normalise
from storage.models import ConversationEntry, ConversationWords, User, utcnow

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
    if kind not in NOT_WITH_THE_BOT:
        await _add_words(session, user_id, text[:TEXT_MAX])


async def log_outgoing(
    session: AsyncSession, user_id: int, reply: Reply, message_id: int | None, *, kind: str = "text"
) -> None:
    """Record what the bot (or a coach through it) sent, with the template that produced it."""
    if await session.get(User, user_id) is None:
        return  # the user erased their data in the meantime: nothing may be kept
    line = ConversationEntry(
        user_id=user_id,
        direction="out",
        kind="edit" if reply.edit else kind,
        text=reply.text[:TEXT_MAX],
        template_key=reply.key,
        message_id=message_id,
    )
    session.add(line)
    await session.flush()
    if line.kind not in NOT_WITH_THE_BOT:
        await _add_words(session, user_id, line.text)


# Kinds of incoming lines that were not said to the bot: a message relayed to a programme's coach,
# and a comment meant for a programme. Outgoing coach messages have the kind "coach".
RELAYED = "relay"
COMMENT = "comment"
COACH = "coach"
NOT_WITH_THE_BOT = (RELAYED, COMMENT, COACH)
"""Kinds of lines that are not part of the user's conversation with the bot."""


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
        if kind in NOT_WITH_THE_BOT:
            # Its words were searchable as said to the bot; they may be in no other line.
            await rebuild_words(session, [user_id], only_kept=True)


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


_REBUILD_BATCH = 500

# ----- the searchable words ---------------------------------------------------------------------
#
# Coaches search their referrals' conversations for a word. Scanning every line of every candidate
# is too slow once there are millions of lines, so the distinct words of each searchable person's
# conversation with the bot are kept in one row, normalised (case, accents and punctuation
# ignored), as " word word … ". A word of a query is found in it with LIKE '%word%' (on
# PostgreSQL through a trigram index), which finds every line the substring search used to find.
# Rows exist only for people whose conversation a programme may read (`keep_words`): the log of
# everyone else costs one primary-key look-up per line.


def words_of(text: str) -> list[str]:
    """The normalised words of a text, in order, each once (also the words of a search)."""
    return list(dict.fromkeys(normalise(text).split()))


def _joined(words: list[str]) -> str:
    return "".join(f" {word} " for word in words)


def words_condition(query: str) -> Select[int] | None:
    """The people whose conversation with the bot contains every word of `query` (anywhere in a
    word, as a substring search would); None when the query has no word at all."""
    words = words_of(query)
    if not words:
        return None
    # Normalised words are letters and digits only: nothing for LIKE to take as a wildcard.
    return select(ConversationWords.user_id).where(
        and_(*(ConversationWords.words.like(f"%{word}%") for word in words))
    )


async def _add_words(session: AsyncSession, user_id: int, text: str) -> None:
    """A new line's words, for a person whose words are kept (a no-op for everyone else)."""
    known = await session.scalar(
        select(ConversationWords.words).where(ConversationWords.user_id == user_id)
    )
    if known is None:
        return
    new = [word for word in words_of(text) if f" {word} " not in known]
    if new:
        # Appended in the database, not written back: a line logged at the same moment by
        # another process adds its own words (at worst a word twice), never erases these.
        await session.execute(
            update(ConversationWords)
            .where(ConversationWords.user_id == user_id)
            .values(words=ConversationWords.words + _joined(new), updated_at=utcnow())
        )


async def rebuild_words(
    session: AsyncSession, user_ids: list[int], *, only_kept: bool = False
) -> None:
    """Build the words of these people's conversations with the bot from their lines.
    `only_kept`: only for those whose words are already kept (after lines changed or left)."""
    if only_kept and user_ids:
        kept = await session.scalars(
            select(ConversationWords.user_id).where(ConversationWords.user_id.in_(user_ids))
        )
        user_ids = list(kept)
    for start in range(0, len(user_ids), _REBUILD_BATCH):
        batch = user_ids[start : start + _REBUILD_BATCH]
        words: dict[int, dict[str, None]] = {user_id: {} for user_id in batch}
        lines = await session.execute(
            select(ConversationEntry.user_id, ConversationEntry.text).where(
                ConversationEntry.user_id.in_(batch),
                ConversationEntry.kind.not_in(NOT_WITH_THE_BOT),
            )
        )
        for user_id, text in lines:
            words[int(user_id)].update(dict.fromkeys(normalise(text).split()))
        rows = await session.scalars(
            select(ConversationWords).where(ConversationWords.user_id.in_(batch))
        )
        known = {row.user_id: row for row in rows}
        for user_id, found in words.items():
            joined = _joined(list(found))
            if user_id in known:
                known[user_id].words = joined
            else:
                session.add(ConversationWords(user_id=user_id, words=joined))
        await session.flush()


async def keep_words(session: AsyncSession, user_id: int) -> None:
    """Keep this person's words searchable from now on (built from the lines so far)."""
    await rebuild_words(session, [user_id])


async def forget_words(session: AsyncSession, user_id: int) -> None:
    """No programme may search this person's conversation any more: its words go."""
    await session.execute(delete(ConversationWords).where(ConversationWords.user_id == user_id))


async def kept_with_lines_before(session: AsyncSession, before: datetime) -> list[int]:
    """People whose words are kept and who have lines older than `before` (the retention purge
    rebuilds their words once those lines are gone)."""
    rows = await session.scalars(
        select(ConversationWords.user_id).where(
            exists().where(
                ConversationEntry.user_id == ConversationWords.user_id,
                ConversationEntry.at < before,
            )
        )
    )
    return list(rows)
