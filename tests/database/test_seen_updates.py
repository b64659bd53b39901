"""Claiming updates (`storage.updates`): a number handled once is refused the second time, a
claim rolled back does not count, and an old number (Telegram numbers afresh after a quiet week)
is a new update again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage import updates
from storage.engine import Database
from storage.models import SeenUpdate, utcnow


class _Rollback(Exception):
    pass


async def test_an_update_is_claimed_once_unless_the_claim_was_rolled_back_or_is_old(
    db: Database,
) -> None:
    now = utcnow()
    async with db.transaction() as session:
        assert await updates.claim(session, 5, now)
    async with db.transaction() as session:
        assert not await updates.claim(session, 5, now + timedelta(minutes=5))
    # A transaction that failed after its claim leaves the update to be handled again.
    try:
        async with db.transaction() as session:
            assert await updates.claim(session, 6, now)
            raise _Rollback
    except _Rollback:
        pass
    async with db.transaction() as session:
        assert await updates.claim(session, 6, now)
    # A day later the number 5 may be a new update: it is taken over, then refused again.
    later = now + updates.WINDOW + timedelta(seconds=1)
    async with db.transaction() as session:
        assert await updates.claim(session, 5, later)
    async with db.transaction() as session:
        assert not await updates.claim(session, 5, later)
        assert await updates.forget_before(session, later - updates.WINDOW) == 1  # 6 is old
        assert await session.scalar(select(func.count()).select_from(SeenUpdate)) == 1
