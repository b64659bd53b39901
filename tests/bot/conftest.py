"""The real bot (python-telegram-bot and its HTTP client) against the fake Bot API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tremplin.app import Tremplin
from tremplin.playground.emulator import BotApiEmulator, ChatMessage, FakeUser
from tremplin.serving import serve
from tremplin.settings import load_settings

TOKEN = "123456:TEST-token_for-e2e"


@dataclass
class Chat:
    """One user's chat with the running bot, with helpers that read like the conversation."""

    api: BotApiEmulator
    user: FakeUser

    async def say(self, text: str, expect: int = 1, timeout: float = 10) -> list[ChatMessage]:
        """Send text and wait for `expect` new bot messages."""
        after = self.api.last_message_id(self.user.id)
        await self.api.user_says(self.user, text)
        if expect == 0:
            return []
        return await self.api.wait_for_bot_messages(
            self.user.id, expect, after=after, timeout=timeout
        )

    async def tap(
        self, message: ChatMessage, label: str, expect: int = 0, timeout: float = 10
    ) -> list[ChatMessage]:
        """Press the button whose label contains `label`; wait for an answer and `expect`
        new messages."""
        return await self.press(
            message, str(message.button(label)["callback_data"]), expect, timeout
        )

    async def press(
        self, message: ChatMessage, data: str, expect: int = 0, timeout: float = 10
    ) -> list[ChatMessage]:
        """Press a button with raw callback data (forged data included)."""
        after = self.api.last_message_id(self.user.id)
        answered = len(self.api.callback_answers)
        await self.api.user_presses(self.user, message, data)
        await self.api.wait_for(lambda: len(self.api.callback_answers) > answered, timeout)
        if expect == 0:
            return []
        return await self.api.wait_for_bot_messages(
            self.user.id, expect, after=after, timeout=timeout
        )

    def last(self) -> ChatMessage:
        """The bot's latest message."""
        return self.api.bot_messages(self.user.id)[-1]

    def last_notice(self) -> str | None:
        """The toast of the latest answered button press."""
        return self.api.callback_answers[-1].text if self.api.callback_answers else None


@dataclass
class RunningBot:
    """The emulator, the running bot process and its database."""

    api: BotApiEmulator
    process: Tremplin
    database_url: str

    def chat(
        self, user_id: int = 4242, first_name: str = "Camille", language: str | None = "fr"
    ) -> Chat:
        """A chat with a new fake user."""
        return Chat(self.api, FakeUser(user_id, first_name, language))


@pytest.fixture
async def bot_factory(database_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    """Start a bot with optional settings overrides; everything is stopped at the end."""
    started: list[tuple[Tremplin, Any]] = []

    async def start(**overrides: Any) -> RunningBot:
        api = BotApiEmulator(TOKEN)
        server = serve(api.app())
        root = await server.__aenter__()
        settings = load_settings(
            env_file=None,
            database_url=database_url,
            data_dir=str(tmp_path / "no-imports"),
            nudge_daily_cap="off",
            **overrides,
        )
        process = Tremplin(settings, TOKEN, root)
        await process.start(polling_timeout=1)
        started.append((process, server))
        return RunningBot(api, process, database_url)

    yield start
    for process, server in reversed(started):
        await process.stop()
        await server.__aexit__(None, None, None)


@pytest.fixture
async def running(bot_factory: Any) -> RunningBot:
    """A bot with default settings."""
    bot: RunningBot = await bot_factory()
    return bot
