"""Shared fixtures: databases (SQLite always, PostgreSQL when TREMPLIN_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from migrations.apply import upgrade_async
from storage.engine import Database
from tremplin.settings import normalise_database_url

POSTGRES_URL = os.environ.get("TREMPLIN_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's .env or real token."""
    for name in list(os.environ):
        if name.startswith("TREMPLIN_") and name != "TREMPLIN_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    yield


async def _fresh_postgres_database() -> str:
    """A new, empty database on the test server, so tests never see each other's rows."""
    import asyncpg

    base = normalise_database_url(POSTGRES_URL)
    admin_dsn = base.replace("postgresql+asyncpg://", "postgresql://")
    name = f"tremplin_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    root, _, _ = base.rpartition("/")
    return f"{root}/{name}"


async def _drop_postgres_database(url: str) -> None:
    import asyncpg

    name = url.rpartition("/")[2]
    admin_dsn = normalise_database_url(POSTGRES_URL).replace(
        "postgresql+asyncpg://", "postgresql://"
    )
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database URL on each backend under test."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tremplin.db'}"
        await upgrade_async(url)
        yield url
        return
    url = await _fresh_postgres_database()
    await upgrade_async(url)
    try:
        yield url
    finally:
        await _drop_postgres_database(url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A Database on a migrated, empty schema."""
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()
