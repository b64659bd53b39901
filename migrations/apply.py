"""Run the Alembic migrations shipped in the `migrations` package."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text

import migrations
from storage.engine import Database

SEARCH_INDEXES = frozenset(
    {
        "ix_conversation_log_text_trgm",
        "ix_referral_messages_text_trgm",
        "ix_conversation_words_words_trgm",
    }
)
"""Trigram indexes made by migrations 0007 and 0010 only where PostgreSQL has pg_trgm; not in the
models."""


def trigram_available(bind: Any) -> bool:
    """Whether this database is PostgreSQL with the pg_trgm extension at hand (the search
    indexes' migrations make them only there)."""
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    return found is not None


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Autogenerate filter: leave the optional search indexes alone."""
    return not (type_ == "index" and name in SEARCH_INDEXES)


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration pointing at the packaged migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (blocking; creates a SQLite file if needed)."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """`upgrade` from async code: Alembic's async env runs its own event loop in a thread."""
    await asyncio.to_thread(upgrade, database_url, revision)


def head_revision() -> str:
    """The newest revision shipped with this code."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


async def check_current(db: Database) -> None:
    """Raise unless the database's schema is at the shipped head (for readiness probes)."""
    async with db.engine.connect() as connection:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        found = ",".join(sorted(str(row[0]) for row in rows))
    expected = head_revision()
    if found != expected:
        raise RuntimeError(f"schema at {found or 'nothing'}, code expects {expected}")
