"""What an operator and a load balancer see: health, readiness, metrics, and the log lines."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Any

import httpx
import pytest

from tests.bot.conftest import RunningBot
from tremplin.console_process import ConsoleProcess
from tremplin.logs import JsonFormatter, configure_logging
from tremplin.settings import SettingsError, load_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _webhook_bot(bot_factory: Any) -> tuple[RunningBot, str]:
    port = _free_port()
    bot: RunningBot = await bot_factory(
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret-token",
    )
    return bot, f"http://127.0.0.1:{port}"


async def test_health_readiness_and_metrics_beside_the_webhook(bot_factory: Any) -> None:
    bot, root = await _webhook_bot(bot_factory)
    chat = bot.chat(user_id=701)
    bot.api.ensure_chat(chat.user)
    async with httpx.AsyncClient() as client:
        health = await client.get(f"{root}/healthz")
        assert health.status_code == 200
        ready = await client.get(f"{root}/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "bot_api": "ok"}

        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "/start",
                "chat": {"id": 701, "type": "private", "first_name": "Camille"},
                "from": {"id": 701, "is_bot": False, "first_name": "Camille"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        await client.post(f"{root}/telegram", json=update, headers=headers)
        await bot.api.wait_for_bot_messages(701, 2)
        text = (await client.get(f"{root}/metrics")).text
    assert 'tremplin_updates_total{kind="command"}' in text
    assert "tremplin_reply_seconds_bucket" in text
    assert 'tremplin_sends_total{outcome="ok"}' in text
    assert 'tremplin_telegram_webhook_requests_total{outcome="ok"}' in text
    assert 'tremplin_db_pool_connections{state="size"}' in text
    assert "tremplin_update_wait_seconds_count" in text


async def test_not_ready_when_the_bot_api_does_not_answer(bot_factory: Any) -> None:
    bot, root = await _webhook_bot(bot_factory)
    bot.process.bot._api_ok_at = -1e9  # forget the start's successful getMe
    bot.api.fail("getMe", 502, times=5)
    async with httpx.AsyncClient() as client:
        ready = await client.get(f"{root}/readyz")
        assert (await client.get(f"{root}/healthz")).status_code == 200  # up, not ready
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"] == "ok" and checks["bot_api"] != "ok"


async def test_health_readiness_and_metrics_with_long_polling(bot_factory: Any) -> None:
    port = _free_port()
    bot: RunningBot = await bot_factory(health_port=str(port))
    assert not bot.process.settings.webhook_url  # long polling
    chat = bot.chat(user_id=705)
    await chat.say("/start", expect=2)
    root = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{root}/healthz")).status_code == 200
        ready = await client.get(f"{root}/readyz")
        text = (await client.get(f"{root}/metrics")).text
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "bot_api": "ok"}
    assert 'tremplin_updates_total{kind="command"}' in text


def test_the_health_port_must_be_a_port() -> None:
    with pytest.raises(SettingsError, match="TREMPLIN_HEALTH_PORT"):
        load_settings(env_file=None, health_port="eighty")
    assert load_settings(env_file=None, health_port="8444").health_port == 8444


async def test_json_log_lines_carry_the_update_not_what_the_person_wrote(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = running.chat(user_id=711, first_name="Zéphyrine")
    with caplog.at_level(logging.INFO):
        await chat.say("/start", expect=2)
        await chat.say("my secret words", expect=1)
        for _ in range(100):  # the line is written once the reply's log is committed
            if sum(r.getMessage() == "update handled" for r in caplog.records) >= 2:
                break
            await asyncio.sleep(0.02)
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records]
    handled = [line for line in lines if line["message"] == "update handled"]
    assert [line["flow"] for line in handled] == ["command", "text"]
    assert all(isinstance(line["update_id"], int) and "duration_ms" in line for line in handled)
    everything = "\n".join(formatter.format(r) for r in caplog.records)
    assert "secret words" not in everything and "Zéphyrine" not in everything


def test_apscheduler_runs_are_not_logged_at_info() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO", "json")
        assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
        assert not logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
        assert logging.getLogger("bot.runtime").isEnabledFor(logging.INFO)
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name in ("apscheduler.executors", "apscheduler.scheduler", "httpx"):
            logging.getLogger(name).setLevel(logging.NOTSET)


async def test_the_console_serves_the_same_health_routes(database_url: str, tmp_path: Any) -> None:
    settings = load_settings(
        env_file=None, database_url=database_url, data_dir=str(tmp_path / "no-imports")
    )
    console = ConsoleProcess(settings)
    root = await console.start(host="127.0.0.1", port=0)
    try:
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{root}/healthz")).status_code == 200
            ready = await client.get(f"{root}/readyz")
            metrics = await client.get(f"{root}/metrics")
    finally:
        await console.stop()
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok"}
    assert "tremplin_db_pool_connections" in metrics.text
