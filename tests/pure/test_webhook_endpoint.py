"""The webhook endpoint refuses cheaply: secret first, body capped, malformed bodies are 400s."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler

import bot.webhook
from bot.webhook import MAX_BODY, webhook_app

SECRET = "s3cret-token"
UPDATE = {
    "update_id": 9,
    "message": {
        "message_id": 1,
        "date": 0,
        "text": "bonjour",
        "chat": {"id": 77, "type": "private", "first_name": "Léa"},
        "from": {"id": 77, "is_bot": False, "first_name": "Léa"},
    },
}


def _application() -> Any:
    return ApplicationBuilder().token("1:webhook-test").updater(None).build()


async def _call(
    app: Any, body: bytes, headers: dict[str, str], *, chunk: int = 65_536
) -> tuple[int, int]:
    """POST `body` in chunks straight to the ASGI app; returns (status, chunks it read)."""
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    read = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        if read > len(pieces):
            await asyncio.sleep(3600)  # a client still sending: the app must not wait for it
        return {
            "type": "http.request",
            "body": pieces[read - 1],
            "more_body": read < len(pieces),
        }

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/telegram",
        "raw_path": b"/telegram",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8443),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    return status, read


async def test_without_the_secret_nothing_of_the_body_is_read() -> None:
    app = webhook_app(_application(), SECRET)
    huge = b"x" * (20 * MAX_BODY)
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "s3cret-tokem"}):
        status, read = await _call(app, huge, {"content-length": str(len(huge)), **headers})
        assert (status, read) == (403, 0)


async def test_the_secret_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = bot.webhook.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(bot.webhook.hmac, "compare_digest", spy)
    app = webhook_app(_application(), SECRET)
    status, _ = await _call(app, b"{}", {"X-Telegram-Bot-Api-Secret-Token": "guess"})
    assert status == 403
    assert compared == [(b"guess", SECRET.encode())]


async def test_a_body_over_one_megabyte_is_refused_without_reading_it_all() -> None:
    app = webhook_app(_application(), SECRET)
    huge = b"x" * (20 * MAX_BODY)
    declared = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-length": str(len(huge))}
    assert await _call(app, huge, declared) == (413, 0)
    # Without a Content-Length (chunked), reading stops just past the cap.
    status, read = await _call(app, huge, {"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert status == 413
    assert read * 65_536 <= MAX_BODY + 2 * 65_536


async def test_malformed_bodies_get_400_and_a_real_update_is_processed() -> None:
    application = _application()
    handled: list[Update] = []

    async def record(update: Update, context: Any) -> None:
        handled.append(update)

    application.add_handler(TypeHandler(Update, record))
    application._check_initialized = lambda: None  # no getMe: nothing listens in this test
    app = webhook_app(application, SECRET)
    secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for junk in (b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"{}", b'{"update_id": "x"}'):
        status, _ = await _call(app, junk, secret)
        assert status == 400, junk
    assert handled == []
    status, _ = await _call(app, json.dumps(UPDATE).encode(), secret)
    assert status == 200
    (update,) = handled  # handled before the answer, not queued for later
    assert update.update_id == 9 and update.message is not None
    assert update.message.text == "bonjour"


async def test_only_post_is_accepted() -> None:
    app = webhook_app(_application(), SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://w") as c:
        got = await c.get("/telegram", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert got.status_code == 405
