"""Webhook mode: Telegram's secret-token header is required, and updates are handled as usual."""

from __future__ import annotations

import socket
from typing import Any

import httpx

from tests.bot.conftest import RunningBot


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_webhook_requires_the_secret_and_serves_updates(bot_factory: Any) -> None:
    port = _free_port()
    bot: RunningBot = await bot_factory(
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret-token",
    )
    assert bot.api.webhook_url == f"http://127.0.0.1:{port}/telegram"
    webhook_calls = [params for method, params in bot.api.calls if method == "setWebhook"]
    assert webhook_calls[-1]["secret_token"] == "s3cret-token"

    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/start",
            "chat": {"id": 77, "type": "private", "first_name": "Léa"},
            "from": {"id": 77, "is_bot": False, "first_name": "Léa", "language_code": "fr"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    bot.api.ensure_chat(bot.chat(user_id=77, first_name="Léa").user)
    url = f"http://127.0.0.1:{port}/telegram"
    async with httpx.AsyncClient() as client:
        forged = await client.post(url, json=update)
        assert forged.status_code == 403
        wrong = await client.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
        )
        assert wrong.status_code == 403
        assert bot.api.bot_messages(77) == []
        ok = await client.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        )
        assert ok.status_code == 200
    welcome, _ = await bot.api.wait_for_bot_messages(77, 2)
    assert "Léa" in welcome.text


async def test_webhook_refuses_oversized_and_malformed_bodies_and_keeps_serving(
    bot_factory: Any,
) -> None:
    port = _free_port()
    bot: RunningBot = await bot_factory(
        webhook_url=f"http://127.0.0.1:{port}", webhook_port=port, webhook_secret="s3cret-token"
    )
    url = f"http://127.0.0.1:{port}/telegram"
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    async with httpx.AsyncClient() as client:
        too_big = await client.post(url, content=b"{" + b" " * 2_000_000 + b"}", headers=secret)
        assert too_big.status_code == 413
        for junk in (b"{not json", b"[]", b'{"hello": 1}'):
            assert (await client.post(url, content=junk, headers=secret)).status_code == 400
        update = {
            "update_id": 5,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "/start",
                "chat": {"id": 78, "type": "private", "first_name": "Noé"},
                "from": {"id": 78, "is_bot": False, "first_name": "Noé", "language_code": "fr"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        bot.api.ensure_chat(bot.chat(user_id=78, first_name="Noé").user)
        assert (await client.post(url, json=update, headers=secret)).status_code == 200
    welcome, _ = await bot.api.wait_for_bot_messages(78, 2)
    assert "Noé" in welcome.text


async def test_an_update_telegram_delivers_twice_is_answered_once(bot_factory: Any) -> None:
    port = _free_port()
    bot: RunningBot = await bot_factory(
        webhook_url=f"http://127.0.0.1:{port}", webhook_port=port, webhook_secret="s3cret-token"
    )
    bot.api.ensure_chat(bot.chat(user_id=79, first_name="Ilan").user)
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    chat = {"id": 79, "type": "private", "first_name": "Ilan"}
    sender = {"id": 79, "is_bot": False, "first_name": "Ilan", "language_code": "fr"}
    start = {
        "update_id": 700,
        "message": {"message_id": 1, "date": 0, "text": "/start", "chat": chat, "from": sender,
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}]},
    }
    departement = {
        "update_id": 701,
        "message": {"message_id": 2, "date": 0, "text": "69", "chat": chat, "from": sender},
    }
    url = f"http://127.0.0.1:{port}/telegram"
    counts = []
    async with httpx.AsyncClient() as client:
        # Telegram retries when our 200 was late: the same update_id comes back.
        for update in (start, start, departement, departement, start):
            assert (await client.post(url, json=update, headers=secret)).status_code == 200
            counts.append(len(bot.api.bot_messages(79)))
    first, after_69 = counts[0], counts[2]
    assert first >= 1 and after_69 > first
    assert counts == [first, first, after_69, after_69, after_69]  # nothing answered twice
    assert sum("Ilan" in m.text for m in bot.api.bot_messages(79)) == 1  # one welcome
