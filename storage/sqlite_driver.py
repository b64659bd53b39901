"""aiosqlite with one trip to its thread per SQL statement instead of three or four.

aiosqlite runs each call on the connection's own thread: SQLAlchemy's adapter makes a cursor
(one trip), executes (one), fetches the rows (one) and closes the cursor (one). Each trip puts
the call on a queue, wakes the thread and wakes the event loop again; on a busy machine every
wake-up waits for the scheduler and the GIL, and the profile of the bot under load showed these
hand-overs as its largest single cost (`SimpleQueue.put_nowait`, ~0.7 ms each). Here a cursor
does all four in one call on the thread and keeps the rows, the description, the row count and
the last row id for SQLAlchemy to read afterwards. Server-side cursors (streamed results) keep
aiosqlite's own cursor.

Built on aiosqlite's `Connection._execute` and SQLAlchemy's aiosqlite adapter classes, both
pinned in `requirements.lock`; `tests/database/test_sqlite_driver.py` checks the behaviour
SQLAlchemy relies on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)


class _OneTripCursor:
    """Stands for an aiosqlite cursor: `execute` runs, fetches and closes in one trip."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1
        self._rows: list[Any] = []

    async def __aenter__(self) -> _OneTripCursor:
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> _OneTripCursor:
        def run(conn: sqlite3.Connection) -> tuple[Any, int, int | None, list[Any]]:
            cursor = conn.cursor()
            try:
                cursor.execute(sql, () if parameters is None else parameters)
                rows = cursor.fetchall() if cursor.description else []
                return cursor.description, cursor.rowcount, cursor.lastrowid, rows
            finally:
                cursor.close()

        outcome = await self._connection._execute(run, self._connection._conn)  # type: ignore[no-untyped-call]
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def executemany(
        self, sql: str, seq_of_parameters: Iterable[Sequence[Any]]
    ) -> _OneTripCursor:
        def run(conn: sqlite3.Connection) -> tuple[int, int | None]:
            cursor = conn.cursor()
            try:
                cursor.executemany(sql, seq_of_parameters)
                return cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        self.description, self._rows = None, []
        trip = self._connection._execute(run, self._connection._conn)  # type: ignore[no-untyped-call]
        self.rowcount, self.lastrowid = await trip
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def _make_new_cursor(self, connection: Any) -> Any:
        return _OneTripCursor(connection)

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor  # nothing to open: no trip


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor

    def rollback(self) -> None:
        """Roll back, skipping the trip when no transaction is open: the pool rolls back every
        connection it gets back, most of them just committed."""
        connection = self._connection._connection
        if connection is not None and not connection.in_transaction:
            return
        super().rollback()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (`create_engine(module=…)`)."""

    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        """Connect as aiosqlite does, with cursors that make one trip per statement."""
        adapted = super().connect(*arg, **kw)
        return _Connection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """A fresh module object for one engine."""
    return OneTripDbapi(aiosqlite, sqlite3)
