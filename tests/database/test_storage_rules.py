"""Rules with one home in storage and the journey: the database dialect, and saved careers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from journey import saved_careers
from storage import dialect
from storage.engine import Database
from storage.models import SavedCareer, utcnow
from tests.support import make_user


async def test_dialect_helpers_lock_on_postgresql_and_insert_once(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 31)
        query = dialect.locked(session, select(SavedCareer), skip_locked=True)
        compiled = str(query.compile(dialect=session.get_bind().dialect))
        postgres = db.dialect == "postgresql"
        assert dialect.has_row_locks(session) is postgres
        assert ("FOR UPDATE SKIP LOCKED" in compiled) is postgres
        await dialect.lock_table(session, "saved_careers")  # a no-op on SQLite, no error
        now = utcnow()
        for expected in (1, 0):  # the second insert of the same pair is ignored, not an error
            statement = dialect.insert_ignoring_duplicates(
                session, SavedCareer, ["user_id", "rome"], user_id=31, rome="J1501", saved_at=now
            )
            result = await session.execute(statement)
            assert getattr(result, "rowcount", None) == expected


async def test_saved_careers_service(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as session:
        await make_user(session, 32)
        assert not await saved_careers.has_any(session, 32)
        assert await saved_careers.add(session, 32, "J1501", now - timedelta(hours=2))
        assert not await saved_careers.add(session, 32, "J1501", now)  # a double tap
        assert await saved_careers.add(session, 32, "D1102", now - timedelta(hours=1))
        assert await saved_careers.romes(session, 32) == ["J1501", "D1102"]  # oldest first
        assert await saved_careers.has_any(session, 32)
        latest = await saved_careers.latest(session, 32)
        assert latest is not None and latest.rome == "D1102"
        rated = await saved_careers.get(session, 32, "J1501")
        assert rated is not None
        rated.interest = 2
        still = await saved_careers.latest(session, 32)
        assert still is not None and still.rome == "D1102"  # a rating does not change it
        assert [s.rome for s in await saved_careers.of_user(session, 32)] == ["J1501", "D1102"]
        assert await saved_careers.remove(session, 32, "J1501")
        assert not await saved_careers.remove(session, 32, "J1501")
        assert await saved_careers.get(session, 32, "J1501") is None
