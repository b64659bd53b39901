"""Telegram delivers an update again when its webhook answer was late (issue 14): with two
processes behind a load balancer the two deliveries may reach both at once. Each update is
handled once: one reply, one line in the conversation log, one change."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from storage.engine import Database
from storage.models import ConversationEntry, SavedCareer
from tests.processes.bot_processes import TOKEN, Updates, bot_process, button_data
from tremplin.playground.emulator import BotApiEmulator, FakeUser
from tremplin.serving import serve

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TREMPLIN_TEST_POSTGRES_URL"), reason="needs TREMPLIN_TEST_POSTGRES_URL"
    ),
]


async def test_an_update_delivered_to_two_processes_at_once_is_handled_once(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes behind a load balancer share PostgreSQL")
    api = BotApiEmulator(TOKEN)
    updates = Updates(api)
    person = FakeUser(9301, "Aya")
    db = Database(database_url)
    try:
        async with (
            serve(api.app()) as root,
            bot_process(root, database_url, tmp_path, "one") as one,
            bot_process(root, database_url, tmp_path, "two") as two,
            httpx.AsyncClient() as client,
        ):

            async def twice(update: dict[str, object]) -> None:
                # Both processes get the same delivery at the same moment; both answer 200.
                assert await asyncio.gather(one.post(client, update), two.post(client, update)) == [
                    200,
                    200,
                ]

            await twice(updates.text(person, "/start"))
            await twice(updates.text(person, "69"))
            priorities = api.bot_messages(person.id)[-1]
            await twice(updates.press(person, priorities, button_data(priorities, "pd")))
            await twice(updates.text(person, "boulanger"))
            results = api.bot_messages(person.id)[-1]
            await twice(updates.press(person, results, button_data(results, "ec")))
            card = api.bot_messages(person.id)[-1]
            before = len(api.bot_messages(person.id))
            save = updates.press(person, card, button_data(card, "sv"))
            await twice(save)
            # Telegram's retry later, to the first process again: still nothing new.
            assert await one.post(client, save) == 200
            answers = [c for c in api.callback_answers if c.user_id == person.id]
        async with db.transaction() as session:
            incoming = await session.scalar(
                select(func.count()).where(
                    ConversationEntry.user_id == person.id, ConversationEntry.direction == "in"
                )
            )
            saved = await session.scalar(
                select(func.count()).where(SavedCareer.user_id == person.id)
            )
        assert incoming == 6  # six updates, each logged once
        assert saved == 1
        # One welcome (two messages), not two; the save answered once, no message added twice.
        assert sum(m.text.startswith("Bonjour Aya") for m in api.bot_messages(person.id)) == 1
        assert len(api.bot_messages(person.id)) <= before + 1
        assert len(answers) <= 2  # one answer per distinct press
    finally:
        await db.dispose()
