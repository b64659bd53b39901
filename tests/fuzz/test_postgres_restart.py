"""A PostgreSQL restart while the bot runs (issue 14): the bot recovers without a restart of its
own, and no update is half-applied.

The machine's shared PostgreSQL is left alone: the test starts a throw-away server of its own
(initdb and pg_ctl from /usr/lib/postgresql/*/bin, in a temporary folder, on a free port) and
restarts that one while people are writing to the bot. It is skipped where the server's programs
are not installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from messages.render import render
from storage.models import ConversationEntry, SeenUpdate, User
from tests.fuzz.harness import Harness, invariants, open_chats, start

pytestmark = pytest.mark.postgres

_BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
BIN = Path(_BINARIES[-1]) if _BINARIES else None
BEFORE = list(range(830_001, 830_013))  # writing before and during the restart
AFTER = list(range(830_101, 830_113))  # writing once the server is back


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivateServer:
    """A PostgreSQL server of the test's own, run as the `postgres` account when we are root
    (the server refuses to run as root)."""

    def __init__(self, folder: Path, binaries: Path) -> None:
        self.folder = folder
        self.bin = binaries
        self.data = folder / "data"
        self.port = _free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Into a file, not a pipe: the server started inherits it and would hold a pipe open.
        with (self.folder / "commands.log").open("ab") as output:
            subprocess.run(command, check=True, stdout=output, stderr=output, timeout=120)

    def init(self) -> None:
        """A new cluster: trust on loopback, no fsync (a throw-away database)."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")  # fmt: skip

    def start(self) -> None:
        """Start on our port, the socket in our folder; return once it accepts connections."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "start")  # fmt: skip

    def restart(self) -> None:
        """Stop (fast: open transactions are rolled back, connections closed), then start."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-m", "fast", "-w", "restart")  # fmt: skip

    def stop(self) -> None:
        """Stop at once."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


@pytest.fixture
def server() -> Iterator[PrivateServer]:
    if BIN is None or not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        pytest.skip("PostgreSQL's server programs are not installed")
    folder = Path(tempfile.mkdtemp(prefix="tremplin-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    private = PrivateServer(folder, BIN)
    try:
        private.init()
        private.start()
        yield private
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            private.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _text(user_id: int, text: str, number: int) -> dict[str, Any]:
    """A message whose message id is its update id, so the log can be matched to the update."""
    chat = {"id": user_id, "type": "private", "first_name": "Zoé"}
    body: dict[str, Any] = {
        "message_id": number, "date": 0, "chat": chat, "text": text,
        "from": {"id": user_id, "is_bot": False, "first_name": "Zoé", "language_code": "fr"},
    }  # fmt: skip
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": number, "message": body}


async def _onboarding(h: Harness, users: list[int], first: int) -> dict[int, tuple[int, int]]:
    """Each person's /start then "69" (their département), everyone at once; the update ids."""
    numbers: dict[int, tuple[int, int]] = {}

    async def one(index: int, user_id: int) -> None:
        started, departement = first + 2 * index, first + 2 * index + 1
        numbers[user_id] = (started, departement)
        await h.feed(_text(user_id, "/start", started))
        await asyncio.sleep(0.05)  # people take a moment to answer
        await h.feed(_text(user_id, "69", departement))

    await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
    return numbers


async def test_a_postgresql_restart_while_people_write_leaves_no_update_half_applied(
    server: PrivateServer,
) -> None:
    h = await start(server.url)
    try:
        open_chats(h.api, BEFORE + AFTER)
        apology = render("common.error", "fr")
        # People write while the server restarts under them.
        writing = asyncio.create_task(_onboarding(h, BEFORE, 1_000))
        await asyncio.sleep(0.1)
        await asyncio.to_thread(server.restart)
        before = await writing
        # The server is back: the same application, the same pool, nobody restarted the bot.
        after = await _onboarding(h, AFTER[:6], 2_000)
        # A restart while nobody writes leaves the pool's connections dead: the next updates
        # must not pay for it.
        await asyncio.to_thread(server.restart)
        after |= await _onboarding(h, AFTER[6:], 3_000)

        async with h.db.transaction() as session:
            claimed = set(await session.scalars(select(SeenUpdate.update_id)))
            logged = {
                e.message_id: e
                for e in await session.scalars(
                    select(ConversationEntry).where(ConversationEntry.direction == "in")
                )
            }
            users = {u.id: u for u in await session.scalars(select(User))}
        # An update is claimed exactly when what came in was logged: both or neither.
        assert claimed == set(logged), (claimed ^ set(logged))
        for user_id, (started, departement) in before.items():
            user = users.get(user_id)
            # What a flow changed was kept only with the update's log line, and an update whose
            # flow did not run got the apology instead of silence.
            if user is not None and user.departement == "69":
                assert departement in claimed
            if user is None:
                assert started not in claimed
            texts = [m.text for m in h.api.bot_messages(user_id)]
            done = user is not None and user.departement == "69"
            assert done or apology in texts, (user_id, texts)
        # Once the server is back every update is handled: no apology, every step kept.
        for user_id, (started, departement) in after.items():
            user = users[user_id]
            assert user.departement == "69", user_id
            assert {started, departement} <= claimed
            assert apology not in [m.text for m in h.api.bot_messages(user_id)], user_id
        await invariants(h.db, h.services.env.catalogue)
        failed = [u for u in before if not (users.get(u) and users[u].departement == "69")]
        print(f"\n{len(failed)} of {len(before)} people's updates met the restart; "
              f"{len(after)} after it all handled")
    finally:
        await h.close()
