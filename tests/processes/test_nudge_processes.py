"""Dispatchers as separate processes: kill -9 mid-send then restart, and two at once.

Each worker is `tests/processes/nudge_worker.py` in its own Python process, sending through
python-telegram-bot to the fake Bot API served by this test process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from coaching.nudges.plan import template_key
from kernel import texts
from storage.engine import Database
from storage.models import Nudge, SavedCareer, utcnow
from tests.support import make_user
from tremplin.playground.emulator import BotApiEmulator, FakeUser
from tremplin.serving import serve

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token_for-workers"


class GatedApi:
    """The fake Bot API, where sends to one chat hang (a request in flight) until released."""

    def __init__(self, api: BotApiEmulator) -> None:
        self.api = api
        self.hold_chat: int | None = None
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        self._inner = api.routes()[0].endpoint

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            if request.path_params["method"].lower() == "sendmessage":
                body = parse_qs((await request.body()).decode())
                if body.get("chat_id") == [str(self.hold_chat)]:
                    self.arrived.set()
                    await self.release.wait()
            response: Response = await self._inner(request)
            return response

        return Starlette(routes=[Route("/bot{token}/{method}", endpoint, methods=["GET", "POST"])])


@asynccontextmanager
async def worker(
    database_url: str, root: str, *options: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A dispatcher process; stopped with SIGTERM at the end unless the test killed it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.processes.nudge_worker",
        database_url,
        root,
        TOKEN,
        *options,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
    assert line.strip() == b"ready", line
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def due_nudges(db: Database, api: BotApiEmulator, user_ids: range, due_in: float = 0) -> None:
    """One due step-1 nudge for each user, who saved a career and opened a chat."""
    now = utcnow()
    async with db.transaction() as session:
        for user_id in user_ids:
            await make_user(session, user_id)
            session.add(SavedCareer(user_id=user_id, rome="J1501", saved_at=now))
            session.add(
                Nudge(
                    user_id=user_id,
                    sequence=1,
                    kind="step",
                    step=1,
                    variant="a",
                    due_at=now + timedelta(seconds=due_in),
                    state="pending",
                    attempts=0,
                    created_at=now,
                )
            )
            api.ensure_chat(FakeUser(user_id))


async def states(db: Database) -> dict[int, str]:
    async with db.transaction() as session:
        rows = await session.execute(select(Nudge.user_id, Nudge.state))
        return {user_id: state for user_id, state in rows.all()}


async def wait_states(db: Database, done: set[str], timeout: float = 30) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        found = await states(db)
        if set(found.values()) <= done:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(found)
        await asyncio.sleep(0.1)


async def test_kill_9_mid_send_then_restart_never_sends_twice(database_url: str) -> None:
    api = BotApiEmulator(TOKEN)
    gated = GatedApi(api)
    gated.hold_chat = 3003
    db = Database(database_url)
    try:
        await due_nudges(db, api, range(3001, 3007))  # sent in user order, 3003 hangs
        await due_nudges(db, api, range(3007, 3010), due_in=4)  # still waiting at the kill
        async with serve(gated.app()) as root:
            async with worker(database_url, root, "--rate", "4", "--lease", "1") as first:
                await asyncio.wait_for(gated.arrived.wait(), timeout=30)
                first.send_signal(signal.SIGKILL)
                await first.wait()
            at_kill = await states(db)
            in_flight = {uid for uid, state in at_kill.items() if state == "sending"}
            assert 3003 in in_flight
            waiting = {uid for uid, state in at_kill.items() if state == "pending"}
            assert {3007, 3008, 3009} <= waiting
            delivered_before = {uid for uid in at_kill if api.bot_messages(uid)}
            async with worker(database_url, root, "--rate", "4", "--lease", "1"):
                final = await wait_states(db, {"sent", "uncertain"})
            gated.release.set()
        assert {uid for uid, state in final.items() if state == "uncertain"} == in_flight
        assert {uid for uid, state in final.items() if state == "sent"} == set(at_kill) - in_flight
        for uid in final:  # never twice; nothing in flight at the kill was sent again
            assert len(api.bot_messages(uid)) <= 1, uid
        for uid in waiting:
            assert len(api.bot_messages(uid)) == 1, uid
        # A row the process sent but had not yet recorded when killed (a loaded machine) is
        # `sending` too: uncertain, and never sent again. The others were not sent at all.
        for uid in in_flight - {3003} - delivered_before:
            assert api.bot_messages(uid) == [], uid  # claimed, not yet sent: uncertain, not sent
        assert delivered_before.isdisjoint(waiting)
    finally:
        gated.release.set()
        await db.dispose()


async def test_two_processes_share_the_budget_and_never_send_the_same_nudge(
    database_url: str,
) -> None:
    api = BotApiEmulator(TOKEN)
    api.limit_rate(per_second=30, chat_gap=1.0)
    db = Database(database_url)
    users = range(4001, 4101)
    pace = ("--rate", "25", "--horizon", "0.2")
    try:
        async with (
            serve(api.app()) as root,
            # Short claims (5 slots each), so that the two processes take turns many times.
            worker(database_url, root, *pace, "--worker", "one"),
            worker(database_url, root, *pace, "--worker", "two"),
        ):
            started = time.monotonic()
            await due_nudges(db, api, users)
            final = await wait_states(db, {"sent"}, timeout=60)
            elapsed = time.monotonic() - started
        assert set(final) == set(users)
        assert all(len(api.bot_messages(uid)) == 1 for uid in users)
        assert api.rate_limited == 0  # 25/s for both together, not each
        assert elapsed >= 99 / 25 * 0.9
        async with db.transaction() as session:
            workers = set(await session.scalars(select(Nudge.claimed_by)))
        assert workers == {"one", "two"}
    finally:
        await db.dispose()


async def test_a_text_published_while_a_worker_runs_is_used_by_its_next_nudge(
    database_url: str,
) -> None:
    """A process that only sends nudges (no bot receiving updates) keeps the operators' texts
    in force as the bot does: a version published while it runs is in its next nudge."""
    api = BotApiEmulator(TOKEN)
    db = Database(database_url)
    published = "Nouvelle version de l'opératrice : pensez à votre métier cette semaine."
    try:
        async with serve(api.app()) as root, worker(database_url, root, "--texts-seconds", "0.2"):
            await due_nudges(db, api, range(5001, 5002))
            await wait_states(db, {"sent"})
            assert api.bot_messages(5001)[0].text.startswith("Bonjour")  # the shipped text
            async with db.transaction() as session:
                await texts.publish(
                    session, template_key("step", 1, "a"), "fr", published, who="op@example.org"
                )
            # Due a few of the worker's checks of the table later.
            await due_nudges(db, api, range(5002, 5003), due_in=2)
            await wait_states(db, {"sent"})
        assert [m.text for m in api.bot_messages(5002)] == [published]
    finally:
        await db.dispose()
