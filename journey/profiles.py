"""Finding and creating users from the Telegram account that writes to the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.render import supported_language
from storage.dialect import has_row_locks
from storage.models import User, utcnow

FIRST_NAME_MAX = 128
LAST_SEEN_STEP = timedelta(hours=1)


@dataclass(frozen=True)
class Sender:
    """Who sent an update, as Telegram describes them."""

    user_id: int
    chat_id: int
    first_name: str
    language_code: str | None


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    """The user with this Telegram id, if the bot knows them."""
    return await session.get(User, user_id)


async def mark_unreachable(session: AsyncSession, user_id: int) -> None:
    """Telegram says the user blocked the bot: remember it (nothing more is sent to them)."""
    user = await session.get(User, user_id)
    if user is not None:
        user.unreachable = True


async def find_user(session: AsyncSession, sender: Sender) -> User | None:
    """The user behind an update, refreshed from Telegram's profile; None when unknown.

    Locks the row like `get_or_create_user` does, and creates nothing.
    """
    user = await session.get(User, sender.user_id, with_for_update=has_row_locks(session))
    if user is not None:
        if sender.first_name and user.first_name != sender.first_name[:FIRST_NAME_MAX]:
            user.first_name = sender.first_name[:FIRST_NAME_MAX]
        user.chat_id = sender.chat_id
        now = utcnow()
        # The last contact, to the hour (one write an hour at most): the retention purge's clock.
        if user.last_seen_at is None or now - user.last_seen_at > LAST_SEEN_STEP:
            user.last_seen_at = now
    return user


async def get_or_create_user(session: AsyncSession, sender: Sender) -> tuple[User, bool]:
    """Load the user, creating them on first contact; returns (user, created).

    The language comes from Telegram's language_code only on creation: afterwards it is the
    user's own choice in /settings.
    """
    user = await find_user(session, sender)
    if user is not None:
        return user, False
    user = User(
        id=sender.user_id,
        chat_id=sender.chat_id,
        first_name=sender.first_name[:FIRST_NAME_MAX],
        language=supported_language(sender.language_code),
        priorities=[],
        onboarded=False,
        nudges_stopped=False,
        unreachable=False,
    )
    session.add(user)
    await session.flush()
    return user, True


async def all_user_ids(session: AsyncSession) -> list[int]:
    """Every known user id (for operators' tools and tests)."""
    return list((await session.scalars(select(User.id))).all())
