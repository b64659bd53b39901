"""The saved-careers service: the only module that queries `SavedCareer`.

One row per (user, career). The exploration flows, /saved, the nudges, the hand-over's consent
text and /export all read and write saved careers through these functions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates
from storage.models import SavedCareer


async def add(session: AsyncSession, user_id: int, rome: str, at: datetime) -> bool:
    """Save a career unless it is saved already; True when this call created the row.

    Neither a double tap nor two processes racing can make a second row or fail.
    """
    statement = insert_ignoring_duplicates(
        session, SavedCareer, ["user_id", "rome"], user_id=user_id, rome=rome, saved_at=at
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0) == 1)


async def remove(session: AsyncSession, user_id: int, rome: str) -> bool:
    """Remove a saved career; True when there was one to remove."""
    result = await session.execute(
        delete(SavedCareer).where(SavedCareer.user_id == user_id, SavedCareer.rome == rome)
    )
    return bool(getattr(result, "rowcount", 0))


async def get(session: AsyncSession, user_id: int, rome: str) -> SavedCareer | None:
    """The user's saved row for a career, if any."""
    row: SavedCareer | None = await session.scalar(
        select(SavedCareer).where(SavedCareer.user_id == user_id, SavedCareer.rome == rome)
    )
    return row


async def of_user(session: AsyncSession, user_id: int) -> list[SavedCareer]:
    """The user's saved careers, oldest first."""
    rows = await session.scalars(
        select(SavedCareer)
        .where(SavedCareer.user_id == user_id)
        .order_by(SavedCareer.saved_at, SavedCareer.id)
    )
    return list(rows)


async def romes(session: AsyncSession, user_id: int) -> list[str]:
    """The careers a user saved, oldest first."""
    rows = await session.scalars(
        select(SavedCareer.rome)
        .where(SavedCareer.user_id == user_id)
        .order_by(SavedCareer.saved_at, SavedCareer.id)
    )
    return list(rows)


async def has_any(session: AsyncSession, user_id: int) -> bool:
    """Whether the user has at least one saved career."""
    found = await session.scalar(
        select(SavedCareer.id).where(SavedCareer.user_id == user_id).limit(1)
    )
    return found is not None


async def latest(session: AsyncSession, user_id: int) -> SavedCareer | None:
    """The career the user saved most recently (among those still saved)."""
    row: SavedCareer | None = await session.scalar(
        select(SavedCareer)
        .where(SavedCareer.user_id == user_id)
        .order_by(SavedCareer.saved_at.desc(), SavedCareer.id.desc())
        .limit(1)
    )
    return row
