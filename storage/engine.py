"""The async engine and the unit of work every service call runs in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_driver import one_trip_dbapi


def is_sqlite(url: str) -> bool:
    """Whether a database URL points at SQLite."""
    return url.startswith("sqlite")


def normalise_database_url(value: str) -> str:
    """Accept the usual spellings and return an async SQLAlchemy URL (aiosqlite or asyncpg)."""
    value = value.strip()
    if value.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + value.split("://", 1)[1]
    if value.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + value[len("sqlite:///") :]
    if value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return value
    raise ValueError("expected a sqlite:/// or postgresql:// address")


# SQLite waits this long for another process's write to end before "database is locked". In one
# process writers rarely wait (each update's transaction is a few milliseconds); the margin is for
# a migration, a data import or a second process sharing the file.
SQLITE_BUSY_SECONDS = 30


def make_engine(url: str, *, pool_size: int | None = None, **kwargs: Any) -> AsyncEngine:
    """Create the engine; on SQLite, turn on foreign keys, WAL and a busy timeout.

    WAL plus `BEGIN IMMEDIATE` make SQLite a single-writer database that several processes can
    share without "database is locked" errors on short transactions. On PostgreSQL `pool_size`
    connections are kept open, and as many again may be opened for bursts; each is checked
    before use, so that a server restart costs no update.
    """
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS})
        if ":memory:" not in url and "mode=memory" not in url:
            # SQLite has one writer, and every transaction here begins IMMEDIATE (a write). With
            # several pooled connections, concurrent updates would wait for one another inside
            # SQLite's busy handler, which sleeps (1, 2, 5 … 100 ms) and polls. One connection
            # makes them queue in the event loop instead, first come first served, and wake the
            # moment the previous transaction commits.
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
        # One trip to aiosqlite's thread per statement instead of three or four (see the module).
        kwargs.setdefault("module", one_trip_dbapi())
    else:
        if pool_size is not None:
            kwargs.setdefault("pool_size", pool_size)
            kwargs.setdefault("max_overflow", pool_size)
        # After a server restart (or a failover, or an idle connection cut by a firewall) the
        # pooled connections are dead, and the next update on each would fail and get an
        # apology. A ping on checkout (one round trip) replaces a dead connection first.
        kwargs.setdefault("pool_pre_ping", True)
    # SQL parameters hold names and messages: never in an error text, a traceback or a log.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # Why each setting:
            # - foreign_keys: SQLite ignores the schema's ON DELETE rules without it (/delete
            #   relies on them).
            # - journal_mode=WAL: readers never wait for the writer nor the writer for readers,
            #   and a commit is one append to the log instead of rewriting pages in place.
            # - synchronous=NORMAL: in WAL mode a commit no longer waits for fsync (only
            #   checkpoints do). A crash of the process loses nothing; a power cut may lose the
            #   last commits but never corrupts the file. FULL costs one fsync per update.
            # - busy_timeout: see SQLITE_BUSY_SECONDS (set by the driver's `timeout` too; said
            #   again here so the choice is visible in one place).
            # - temp_store=MEMORY: sorts and temporary indexes of the search and ranking queries
            #   stay off the disk.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


class Database:
    """The engine and its session factory, passed to every service that needs storage."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = make_session_factory(self.engine)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit when the block ends normally, roll back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query (for readiness probes)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def pool_use(self) -> dict[str, int]:
        """Connections of the pool in use, idle, and its configured size."""
        pool = self.engine.pool
        read = {
            "in_use": getattr(pool, "checkedout", None),
            "idle": getattr(pool, "checkedin", None),
            "size": getattr(pool, "size", None),
        }
        return {name: int(get()) for name, get in read.items() if callable(get)}

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
