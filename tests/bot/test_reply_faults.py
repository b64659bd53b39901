"""Replies the user waits for survive flood control, and webhook updates are processed before
they are acknowledged (issue 14 #9)."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import httpx

from tests.bot.conftest import RunningBot


async def test_a_reply_that_gets_a_429_is_sent_after_retry_after(running: RunningBot) -> None:
    chat = running.chat(user_id=9101)
    await chat.say("/start", expect=2)
    running.api.fail("sendMessage", 429, retry_after=1, chat_id=9101)
    started = time.monotonic()
    (answer,) = await chat.say("/help", expect=1)
    assert time.monotonic() - started >= 1.0 - 0.05
    assert "/explore" in answer.text
    assert running.api.faults[("sendMessage", "429")] == 1


async def test_an_edit_and_a_button_answer_that_get_a_429_are_retried(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=9102)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    running.api.fail("editMessageText", 429, retry_after=1, chat_id=9102)
    running.api.fail("answerCallbackQuery", 429, retry_after=1)
    answered = len(running.api.callback_answers)
    button = priorities.buttons[0]
    await chat.press(priorities, str(button["callback_data"]), timeout=10)
    assert len(running.api.callback_answers) == answered + 1  # answered after the wait
    edits = [m for m, _ in running.api.calls if m == "editMessageText"]
    assert len(edits) == 2  # refused with 429, then done after the wait
    assert running.api.faults[("editMessageText", "429")] == 1
    assert running.api.faults[("answerCallbackQuery", "429")] == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_a_webhook_update_is_processed_before_it_is_acknowledged(bot_factory: Any) -> None:
    port = _free_port()
    bot: RunningBot = await bot_factory(
        webhook_url=f"http://127.0.0.1:{port}", webhook_port=port, webhook_secret="s3cret-token"
    )
    bot.api.ensure_chat(bot.chat(user_id=9103, first_name="Inès").user)
    update = {
        "update_id": 42,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/start",
            "chat": {"id": 9103, "type": "private", "first_name": "Inès"},
            "from": {"id": 9103, "is_bot": False, "first_name": "Inès", "language_code": "fr"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"http://127.0.0.1:{port}/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
        )
    assert answer.status_code == 200
    # No waiting: by the time Telegram has its 200, the update was handled and committed.
    assert len(bot.api.bot_messages(9103)) == 2
    assert "Inès" in bot.api.bot_messages(9103)[0].text


async def test_get_updates_faults_are_survived_and_no_update_is_lost(
    running: RunningBot,
) -> None:
    """Faults on getUpdates (429, 502, a cut connection): polling carries on, and the
    message sent meanwhile is answered once."""
    chat = running.chat(user_id=9104)
    await chat.say("/start", expect=2)
    for code in (429, 502):
        running.api.fail("getUpdates", code, retry_after=1 if code == 429 else None)
    running.api.cut("getUpdates")

    def faults() -> set[str]:
        return {kind for (method, kind) in running.api.faults if method == "getUpdates"}

    await running.api.wait_for(lambda: faults() == {"429", "502", "cut"}, timeout=40)
    (answer,) = await chat.say("/help", expect=1, timeout=30)
    assert "/explore" in answer.text
    await asyncio.sleep(1.0)
    helps = [m for m in running.api.bot_messages(9104) if "/explore" in (m.text or "")]
    assert len(helps) == 1
