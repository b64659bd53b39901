"""Claiming a Telegram update, so that one delivered twice is handled once (`seen_updates`).

The claim is one statement in the transaction that handles the update: it inserts the update's
number, or, when the number is already there, takes it over only if its row is older than the
window (Telegram numbers updates afresh after a week without any, so an old number may come
back as a new update). Two deliveries racing in two processes: on PostgreSQL the second insert
waits for the first transaction and then finds the row; on SQLite the single writer orders them.
A transaction that rolls back takes its claim with it, so a failed update can be delivered again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import upsert
from storage.models import SeenUpdate

# Telegram gives up re-delivering a webhook update within hours; a day covers it.
WINDOW = timedelta(days=1)


async def claim(
    session: AsyncSession, update_id: int, now: datetime, window: timedelta = WINDOW
) -> bool:
    """Mark update `update_id` handled in this transaction; False if it already was (within
    `window`), in which case the caller must do nothing with it."""
    statement = (
        upsert(session, SeenUpdate)
        .values(update_id=update_id, seen_at=now)
        .on_conflict_do_update(
            index_elements=["update_id"],
            set_={"seen_at": now},
            where=SeenUpdate.seen_at < now - window,
        )
        .returning(SeenUpdate.update_id)
    )
    return (await session.execute(statement)).first() is not None


async def forget_before(session: AsyncSession, before: datetime) -> int:
    """Delete the claims older than `before` (they no longer count); returns how many."""
    result = await session.execute(delete(SeenUpdate).where(SeenUpdate.seen_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
