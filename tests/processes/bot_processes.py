"""Real `tremplin run` processes in webhook mode, for the shutdown and two-worker tests.

Each process talks to the fake Bot API served by the test; the test posts Telegram's updates to
the process's webhook itself, as Telegram (or a load balancer in front of several processes)
would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tremplin.playground.emulator import BotApiEmulator, ChatMessage, FakeUser

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token_for-processes"
SECRET = "s3cret-webhook-token"


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class BotProcess:
    """One running `tremplin run` and the address of its webhook server."""

    process: asyncio.subprocess.Process
    root: str
    log: Path
    updates: int = field(default=0)

    async def post(self, client: httpx.AsyncClient, update: dict[str, Any]) -> int:
        """Post one update to the webhook; the HTTP status."""
        response = await client.post(
            f"{self.root}/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            timeout=30,
        )
        return response.status_code

    def terminate(self) -> None:
        """SIGTERM, as an orchestrator stops a process."""
        self.process.send_signal(signal.SIGTERM)


@asynccontextmanager
async def bot_process(
    api_root: str, database_url: str, work: Path, name: str, **settings: str
) -> AsyncIterator[BotProcess]:
    """Start `tremplin run` in webhook mode; wait until /readyz; SIGTERM (then kill) at the end."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TREMPLIN_BOT_API_URL": api_root,
        "TREMPLIN_DATABASE_URL": database_url,
        "TREMPLIN_WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "TREMPLIN_WEBHOOK_LISTEN": "127.0.0.1",
        "TREMPLIN_WEBHOOK_PORT": str(port),
        "TREMPLIN_WEBHOOK_SECRET": SECRET,
        "TREMPLIN_DATA_DIR": str(work / "no-imports"),
        "TREMPLIN_LOG_FORMAT": "json",
        **settings,
    }
    log = work / f"{name}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tremplin.cli", "run",
            cwd=work, env=env, stdout=output, stderr=output,
        )  # fmt: skip
    bot = BotProcess(process, f"http://127.0.0.1:{port}", log)
    try:
        await _wait_ready(bot)
        yield bot
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_ready(bot: BotProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            if bot.process.returncode is not None:
                raise RuntimeError(f"the bot exited: {bot.log.read_text()[-2000:]}")
            try:
                if (await client.get(f"{bot.root}/readyz", timeout=5)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(bot.log.read_text()[-2000:])
            await asyncio.sleep(0.2)


class Updates:
    """Telegram's updates for the fake API's users, numbered once for every process."""

    def __init__(self, api: BotApiEmulator) -> None:
        self.api = api
        self.next_id = 1
        self.next_query = 1

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def text(self, user: FakeUser, text: str) -> dict[str, Any]:
        """The user writes `text` (a command when it starts with /)."""
        chat = self.api.ensure_chat(user)
        message = chat.post(from_bot=False, text=text, web_html=text, raw_text=text)
        payload = self.api._message_dict(message, user)
        if text.startswith("/"):
            length = len(text.split()[0])
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": self._id(), "message": payload}

    def press(self, user: FakeUser, message: ChatMessage, data: str) -> dict[str, Any]:
        """The user presses a button of a bot message."""
        query_id = f"q{self.next_query}"
        self.next_query += 1
        self.api._pending_callbacks.add(query_id)
        return {
            "update_id": self._id(),
            "callback_query": {
                "id": query_id,
                "from": user.as_dict(),
                "chat_instance": f"ci{user.id}",
                "message": self.api._message_dict(message, user),
                "data": data,
            },
        }


def button_data(message: ChatMessage, action: str) -> str:
    """The callback data of the first button of `message` whose action is `action`."""
    for button in message.buttons:
        data = str(button.get("callback_data", ""))
        if data.split("|")[1:2] == [action]:
            return data
    raise LookupError(f"no {action!r} button in {message.buttons!r}")
