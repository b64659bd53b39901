"""Two real bot processes in webhook mode on one PostgreSQL, behind a "load balancer" that sends
each update to either: no step lost or done twice, every nudge sent once, one job pass at a time.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from storage.engine import Database
from storage.models import ConversationEntry, Nudge, SavedCareer, User
from tests.processes.bot_processes import TOKEN, BotProcess, Updates, bot_process, button_data
from tremplin.playground.emulator import BotApiEmulator, ChatMessage, FakeUser
from tremplin.serving import serve

pytestmark = pytest.mark.skipif(
    not os.environ.get("TREMPLIN_TEST_POSTGRES_URL"), reason="needs TREMPLIN_TEST_POSTGRES_URL"
)
USERS = range(9001, 9007)
SETTINGS = {
    "TREMPLIN_NUDGE_DELAYS": "1s,2s,3s",
    "TREMPLIN_QUIET_HOURS": "off",
    "TREMPLIN_NUDGE_DAILY_CAP": "off",
    "TREMPLIN_NUDGE_POLL_SECONDS": "0.3",
    "TREMPLIN_HANDOVER_POLL_SECONDS": "0.3",
    "TREMPLIN_LOG_LEVEL": "DEBUG",  # the job passes' start and end lines
}


async def _conversation(
    api: BotApiEmulator, updates: Updates, bots: tuple[BotProcess, BotProcess], uid: int
) -> int:
    """One person's conversation, each update to the other process than the one before; the
    save button is pressed twice at once, once on each. Returns the updates posted."""
    person = FakeUser(uid, f"P{uid}")
    posted = 0
    turn = uid % 2  # people start on different processes

    async with httpx.AsyncClient() as client:

        async def post(update: dict[str, Any]) -> None:
            nonlocal posted, turn
            assert await bots[turn].post(client, update) == 200  # answered once handled
            posted += 1
            turn = 1 - turn

        def last() -> ChatMessage:
            return api.bot_messages(uid)[-1]

        await post(updates.text(person, "/start"))
        await post(updates.text(person, "69"))
        await post(updates.press(person, last(), button_data(last(), "pr")))
        await post(updates.press(person, last(), button_data(last(), "pd")))
        await post(updates.text(person, "boulanger"))
        results = last()
        await post(updates.press(person, results, button_data(results, "ec")))
        card = api.bot_messages(uid)[-1]
        save = button_data(card, "sv")
        statuses = await asyncio.gather(
            bots[0].post(client, updates.press(person, card, save)),
            bots[1].post(client, updates.press(person, card, save)),
        )
        assert statuses == [200, 200]
        posted += 2
    return posted


def _passes(bot: BotProcess) -> list[tuple[str, str, datetime]]:
    """(job, "started" or "ended", when) from a process's JSON log."""
    found = []
    for line in bot.log.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("message") in ("job pass started", "job pass ended"):
            when = datetime.fromisoformat(record["time"])
            found.append((record["job"], record["message"].split()[-1], when))
    return found


async def test_two_processes_share_people_and_jobs_without_losing_or_repeating_anything(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two processes behind a load balancer share PostgreSQL")
    api = BotApiEmulator(TOKEN)
    updates = Updates(api)
    db = Database(database_url)
    try:
        async with (
            serve(api.app()) as root,
            bot_process(root, database_url, tmp_path, "one", **SETTINGS) as one,
            bot_process(root, database_url, tmp_path, "two", **SETTINGS) as two,
        ):
            posted = await asyncio.gather(
                *(_conversation(api, updates, (one, two), uid) for uid in USERS)
            )
            # The three nudges of everyone fall due over the next seconds.
            for _ in range(300):
                async with db.transaction() as session:
                    states = list(await session.scalars(select(Nudge.state)))
                if len(states) == 3 * len(USERS) and set(states) == {"sent"}:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)  # nothing more goes out
        async with db.transaction() as session:
            for uid, count in zip(USERS, posted, strict=True):
                user = await session.get(User, uid)
                assert user is not None and user.onboarded and user.departement == "69"
                saved = await session.scalar(
                    select(func.count()).where(SavedCareer.user_id == uid)
                )
                assert saved == 1, uid  # two presses on two processes: saved once
                incoming = await session.scalar(
                    select(func.count()).where(
                        ConversationEntry.user_id == uid, ConversationEntry.direction == "in"
                    )
                )
                assert incoming == count, uid  # every step logged once: none lost or doubled
                nudges = list(await session.scalars(select(Nudge).where(Nudge.user_id == uid)))
                assert sorted(n.step for n in nudges) == [1, 2, 3], uid
                assert {n.state for n in nudges} == {"sent"}, uid
                sent_ids = {n.message_id for n in nudges}
                messages = {m.message_id: m for m in api.bot_messages(uid)}
                assert sent_ids <= set(messages), uid
                surveys = [m for m in messages.values() if any(
                    str(b.get("callback_data", "")).split("|")[1:2] == ["sq"] for b in m.buttons
                )]  # fmt: skip
                assert len(surveys) == 1, uid  # one survey question, not one per press
                nudge_texts = [m.text for m in messages.values() if m.message_id in sent_ids]
                assert len(nudge_texts) == 3 == len(set(nudge_texts)), uid  # each step once
        # One pass of each kind of job at a time, across both processes.
        for job in ("nudges", "handover"):
            events = sorted(
                (when, kind, name)
                for name, bot in (("one", one), ("two", two))
                for j, kind, when in _passes(bot)
                if j == job
            )
            assert events, job
            running: set[str] = set()
            for _, kind, name in events:
                if kind == "started":
                    assert not running, (job, events)
                    running.add(name)
                else:
                    running.discard(name)
    finally:
        await db.dispose()
