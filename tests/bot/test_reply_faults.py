"""Replies the user waits for survive flood control, and webhook updates are processed before
they are acknowledged (issue 14 #9)."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import httpx
import pytest

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


async def test_get_updates_faults_are_survived_logged_once_and_no_update_is_lost(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Faults on getUpdates (429, 502, a cut connection, a time-out): polling carries on, each
    fault is logged once with its cause, and the message sent meanwhile is answered once."""
    # python-telegram-bot logs what its polling loop retries by itself (429, time-outs) at DEBUG.
    caplog.set_level(logging.DEBUG, logger="telegram.ext")
    chat = running.chat(user_id=9104)
    await chat.say("/start", expect=2)
    start = len(caplog.records)
    for code in (429, 502):
        running.api.fail("getUpdates", code, retry_after=1 if code == 429 else None)
    running.api.cut("getUpdates")
    running.api.time_out("getUpdates")

    def faults() -> set[str]:
        return {kind for (method, kind) in running.api.faults if method == "getUpdates"}

    # Faults change nothing the emulator announces: look again every so often.
    for _ in range(600):
        if faults() == {"429", "502", "cut", "timeout"}:
            break
        await asyncio.sleep(0.1)
    assert faults() == {"429", "502", "cut", "timeout"}
    (answer,) = await chat.say("/help", expect=1, timeout=30)
    assert "/explore" in answer.text
    await asyncio.sleep(1.0)
    helps = [m for m in running.api.bot_messages(9104) if "/explore" in (m.text or "")]
    assert len(helps) == 1
    lines = [
        r.getMessage() + (f" {r.exc_info[1]!r}" if r.exc_info else "")
        for r in caplog.records[start:]
        if r.name.startswith("telegram")
    ]
    for cause in ("Flood control", "Bad Gateway", "RemoteProtocolError", "Timed out"):
        assert sum(cause in line for line in lines) == 1, (cause, lines)
