"""SQLite through aiosqlite with one trip to its thread per statement (`storage.sqlite_driver`):
what SQLAlchemy reads from a cursor is all there, and a transaction makes few trips."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite.core
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.engine import Database


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The calls queued to aiosqlite's thread."""
    calls: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: object, *args: object) -> object:
        calls.append(getattr(fn, "__name__", "?"))
        return await original(self, fn, *args)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    yield calls


async def test_rows_counts_ids_and_returning(sqlite: Database) -> None:
    async with sqlite.transaction() as session:
        inserted = await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert inserted.lastrowid == 1  # type: ignore[attr-defined]
        await session.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
        returned = await session.execute(text("INSERT INTO t (v) VALUES ('d') RETURNING id, v"))
        assert returned.all() == [(4, "d")]
        updated = await session.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
        assert updated.rowcount == 3  # type: ignore[attr-defined]
        rows = await session.execute(text("SELECT id, v FROM t ORDER BY id"))
        assert rows.keys() == ["id", "v"]
        assert rows.all() == [(1, "a"), (2, "b!"), (3, "c!"), (4, "d!")]
        assert (await session.execute(text("SELECT v FROM t WHERE id = 99"))).first() is None
    with pytest.raises(IntegrityError):
        async with sqlite.transaction() as session:
            await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
    async with sqlite.transaction() as session:  # the failed one was rolled back, nothing kept
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar() == 4


async def test_a_statement_is_one_trip_to_the_thread(sqlite: Database, trips: list[str]) -> None:
    async with sqlite.transaction() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('x')"))
        await session.execute(text("SELECT id, v FROM t"))
        await session.execute(text("UPDATE t SET v = 'y'"))
    # BEGIN IMMEDIATE, three statements, COMMIT; no rollback of the committed connection when
    # the pool takes it back (aiosqlite's own cursors took 3–4 trips each: 15 in all).
    assert len(trips) == 5, trips
