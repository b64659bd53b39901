"""SIGTERM: stop taking updates, finish those in flight, hand back claimed nudges, exit in 10 s."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from storage.engine import Database
from tests.processes.bot_processes import TOKEN, Updates, bot_process
from tests.processes.test_nudge_processes import GatedApi, due_nudges, states
from tremplin.playground.emulator import BotApiEmulator, FakeUser
from tremplin.serving import serve


async def test_sigterm_finishes_the_update_in_flight_and_exits_within_10_s(
    database_url: str, tmp_path: Path
) -> None:
    api = BotApiEmulator(TOKEN)
    gated = GatedApi(api)
    gated.hold_chat = 801
    updates = Updates(api)
    db = Database(database_url)
    nudged = range(8001, 8021)
    try:
        async with (
            serve(gated.app()) as root,
            bot_process(
                root,
                database_url,
                tmp_path,
                "bot",
                TREMPLIN_NUDGE_RATE="2",  # slow, so nudges are still queued at the signal
                TREMPLIN_NUDGE_POLL_SECONDS="0.2",
                TREMPLIN_QUIET_HOURS="off",
                TREMPLIN_NUDGE_DAILY_CAP="off",
            ) as bot,
            httpx.AsyncClient() as client,
        ):
            await due_nudges(db, api, nudged)
            await api.wait_for(lambda: any(api.bot_messages(uid) for uid in nudged), 20)
            person = FakeUser(801, "Camille")
            in_flight = asyncio.create_task(bot.post(client, updates.text(person, "/start")))
            await asyncio.wait_for(gated.arrived.wait(), 20)  # its welcome is on the wire

            signalled = time.monotonic()
            bot.terminate()
            refused = False
            for n in range(50):  # new updates are refused once the signal is taken
                try:
                    late = updates.text(FakeUser(900 + n), "/start")
                    await bot.post(client, late)
                except httpx.TransportError:
                    refused = True
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1)
            gated.release.set()
            code = await asyncio.wait_for(bot.process.wait(), 15)
            stopped_in = time.monotonic() - signalled

            assert refused
            assert code == 0, bot.log.read_text()[-2000:]
            assert stopped_in < 10
            assert await in_flight == 200  # the update in flight was answered, then acknowledged
            welcome, question = api.bot_messages(801)
            assert "Camille" in welcome.text and "département" in question.text
        final = await states(db)
        assert "sending" not in final.values()  # every claim was settled or handed back
        assert "pending" in final.values()  # some were still queued: handed back, not sent
        for uid, state in final.items():
            assert len(api.bot_messages(uid)) == (1 if state == "sent" else 0), (uid, state)
    finally:
        gated.release.set()
        await db.dispose()
