"""Shared fixtures: databases (SQLite always, PostgreSQL when TREMPLIN_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from migrations.apply import upgrade_async
from storage.engine import Database
from storage.scratch import create_database, drop_database

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


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database URL on each backend under test."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tremplin.db'}"
        await upgrade_async(url)
        yield url
        return
    # A database of its own on the test server, so tests never see each other's rows.
    url = await create_database(POSTGRES_URL, "tremplin_test")
    await upgrade_async(url)
    try:
        yield url
    finally:
        await drop_database(POSTGRES_URL, url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A Database on a migrated, empty schema."""
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()
