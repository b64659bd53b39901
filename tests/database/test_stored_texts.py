"""Operators' texts are rows every process reads: a new version is in force after the next
refresh (a cheap check), and a broken one falls back to the shipped text with a log line."""

from __future__ import annotations

import logging

import pytest

from kernel.texts import StoredTexts, save_text
from messages.render import Catalog
from storage.engine import Database

SHIPPED_HELP = Catalog().render("common.help", "en")


async def test_two_processes_show_the_same_new_text(db: Database) -> None:
    first, second = StoredTexts(Catalog()), StoredTexts(Catalog())  # two processes
    async with db.transaction() as session:
        assert await first.refresh(session) and await second.refresh(session)
        assert not await first.refresh(session)  # nothing changed: nothing read again
        await save_text(session, "common.help", "en", "Ask me anything, {{ lang }}", who="ops")
    async with db.transaction() as session:
        assert await first.refresh(session) and await second.refresh(session)
    for stored in (first, second):
        assert stored.catalog.render("common.help", "en") == "Ask me anything, en"
        assert stored.catalog.render("common.help", "fr") != "Ask me anything, fr"
    async with db.transaction() as session:
        row = await save_text(session, "common.help", "en", "Version two", who="ops")
        assert row.version == 2
        await first.refresh(session)
    assert first.catalog.render("common.help", "en") == "Version two"


@pytest.mark.parametrize(
    "body", ["{% if %}never closed", "Hello {{ no_such_thing.name }}"], ids=["syntax", "render"]
)
async def test_a_broken_stored_text_falls_back_to_the_shipped_one(
    db: Database, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    stored = StoredTexts(Catalog())
    async with db.transaction() as session:
        await save_text(session, "common.help", "en", body, who="ops")
        await stored.refresh(session)
    with caplog.at_level(logging.ERROR, logger="messages.render"):
        assert stored.catalog.render("common.help", "en") == SHIPPED_HELP
    assert any("common.help" in r.getMessage() for r in caplog.records)
