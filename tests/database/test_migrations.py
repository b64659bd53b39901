"""Migrations build exactly the schema the models describe, on every backend, and go down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from migrations.apply import include_object, upgrade_async
from storage.engine import Database
from storage.models import Base


async def test_models_match_migrations(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    await upgrade_async(database_url, "head")
    import asyncio

    from alembic import command

    from migrations.apply import alembic_config

    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "base")
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert set(tables) <= {"alembic_version"}
    finally:
        await database.dispose()
    await upgrade_async(database_url, "head")
