"""The one place that asks "PostgreSQL or SQLite?": row locks, table locks and inserts that
ignore a duplicate, each written once so domain code states what it needs, not how.

PostgreSQL serialises concurrent processes with row locks (`FOR UPDATE`, `SKIP LOCKED` for
queues) and table locks; SQLite has neither, and does not need them: `BEGIN IMMEDIATE` (see
`storage.engine`) already lets one writer at a time in.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

_Row = TypeVar("_Row", bound=Any)


def has_row_locks(session: AsyncSession) -> bool:
    """Whether this database locks rows (PostgreSQL) rather than the whole database (SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def locked(
    session: AsyncSession, query: Select[_Row], *, skip_locked: bool = False
) -> Select[_Row]:
    """`query` with its rows locked until the transaction ends, where the database can;
    `skip_locked` for work queues, so two processes take different rows."""
    if not has_row_locks(session):
        return query
    return query.with_for_update(skip_locked=skip_locked)


async def lock_table(session: AsyncSession, table: str) -> None:
    """Take `table` for this transaction alone (on SQLite the write transaction already is)."""
    if has_row_locks(session):
        await session.execute(text(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE'))


def insert_ignoring_duplicates(
    session: AsyncSession, model: Any, unique: list[str], **values: Any
) -> Insert:
    """`INSERT … ON CONFLICT (unique) DO NOTHING`: neither a double tap nor two processes racing
    make a second row or fail. Executed, its rowcount says whether the row was created."""
    statement: Insert = (
        upsert(session, model).values(**values).on_conflict_do_nothing(index_elements=unique)
    )
    return statement


def upsert(session: AsyncSession, model: Any) -> Any:
    """The database's own `INSERT` for `model`, which has `on_conflict_do_nothing` and
    `on_conflict_do_update` (the same on both databases, spelled by two dialects)."""
    dialect = postgresql if has_row_locks(session) else sqlite
    return dialect.insert(model)
