"""Throw-away PostgreSQL databases, for the tests and the benchmarks: a run gets an empty
database of its own on a server (so it never sees another run's rows, nor leaves its own in a
database someone uses), and drops it at the end.
"""

from __future__ import annotations

import uuid
from typing import Any

from storage.engine import normalise_database_url


def _admin_dsn(server_url: str) -> str:
    """asyncpg's own spelling of the server's address (it refuses SQLAlchemy's driver suffix)."""
    return normalise_database_url(server_url).replace("postgresql+asyncpg://", "postgresql://")


async def _execute(server_url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    connection: Any = await asyncpg.connect(_admin_dsn(server_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_database(server_url: str, prefix: str = "tremplin_scratch") -> str:
    """A new, empty database on the server `server_url` reaches (any database of it: the new
    one is made beside it); returns the new database's SQLAlchemy URL (asyncpg)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _execute(server_url, f'CREATE DATABASE "{name}"')
    root = normalise_database_url(server_url).rpartition("/")[0]
    return f"{root}/{name}"


async def drop_database(server_url: str, database_url: str) -> None:
    """Drop a database made by `create_database`, even with connections still open to it."""
    name = database_url.rpartition("/")[2]
    await _execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
