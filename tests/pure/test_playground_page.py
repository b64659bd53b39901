"""The playground page's small API refuses what it cannot use and passes the rest to the bot."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tremplin.playground.emulator import BotApiEmulator, FakeUser
from tremplin.playground.page import page_routes


def _client(emulator: BotApiEmulator) -> httpx.AsyncClient:
    app = Starlette(routes=page_routes(emulator))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://page")


async def test_bad_requests_are_refused_and_nothing_reaches_the_bot() -> None:
    emulator = BotApiEmulator("1:t")
    async with _client(emulator) as client:
        assert (await client.post("/api/say", json={"user_id": 5, "text": "  "})).status_code == 400
        assert (
            await client.post("/api/say", json={"user_id": "x", "text": "hi"})
        ).status_code == 400
        assert (await client.post("/api/say", content=b"not json")).status_code == 400
        assert (await client.get("/api/messages", params={"user_id": -3})).status_code == 400
        press = await client.post(
            "/api/press", json={"user_id": 5, "message_id": 99, "data": "1|x"}
        )
        assert press.status_code == 404
    assert emulator.updates == []


async def test_a_message_typed_on_the_page_becomes_an_update_for_the_bot() -> None:
    emulator = BotApiEmulator("1:t")
    async with _client(emulator) as client:
        said = await client.post(
            "/api/say", json={"user_id": 5, "first_name": "Léa", "language": "en", "text": "/start"}
        )
        assert said.status_code == 200
        shown = (await client.get("/api/messages", params={"user_id": 5})).json()
    (update,) = emulator.updates
    assert update["message"]["text"] == "/start"
    assert update["message"]["from"]["language_code"] == "en"
    assert update["message"]["entities"][0]["type"] == "bot_command"
    assert shown["messages"][0]["html"] == "/start" and not shown["messages"][0]["from_bot"]


async def test_a_document_downloads_only_from_its_own_chat_and_never_renders_in_the_page() -> None:
    emulator = BotApiEmulator("1:t")
    emulator.ensure_chat(FakeUser(5))
    emulator.ensure_chat(FakeUser(6))
    bot_api = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app()), base_url="http://api"
    )
    async with bot_api, _client(emulator) as client:
        sent = await bot_api.post(
            "/bot1:t/sendDocument",
            data={"chat_id": "5"},
            files={"document": ("données.html", b"<script>alert(1)</script>", "text/html")},
        )
        message_id = sent.json()["result"]["message_id"]
        shown = (await client.get("/api/messages", params={"user_id": 5})).json()
        (message,) = shown["messages"]
        assert message["document"]["name"] == "données.html"
        got = await client.get(message["document"]["url"])
        assert got.content == b"<script>alert(1)</script>"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["content-type"] == "application/octet-stream"
        assert got.headers["x-content-type-options"] == "nosniff"
        other = await client.get(f"/api/document/{message_id}", params={"user_id": 6})
        assert other.status_code == 404
