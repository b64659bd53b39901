"""The playground's chat page: a browser window onto the emulator, like a Telegram chat.

Each browser gets its own fake Telegram account (an id kept in localStorage), so several people
can try the bot at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from tremplin.playground.emulator import BotApiEmulator, ChatMessage, FakeUser

_PAGE = Path(__file__).parent / "static" / "chat.html"
_TEXT_MAX = 10_000


def _user(data: dict[str, Any]) -> FakeUser | None:
    try:
        user_id = int(data.get("user_id", 0))
    except (TypeError, ValueError):
        return None
    if not 1 <= user_id < 2**40:
        return None
    name = str(data.get("first_name") or "Camille")[:64]
    lang = str(data.get("language") or "fr")[:8]
    return FakeUser(user_id, name, lang)


def _message_json(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "html": message.web_html,
        "edits": message.edits,
        "document": (message.document or {}).get("filename"),
        "buttons": [
            [
                {"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")}
                for b in row
            ]
            for row in (message.reply_markup or {}).get("inline_keyboard", [])
        ],
    }


def page_routes(emulator: BotApiEmulator) -> list[Route]:
    """The chat page and its small JSON API."""

    async def index(request: Request) -> Response:
        return FileResponse(_PAGE, media_type="text/html")

    async def messages(request: Request) -> Response:
        user = _user(dict(request.query_params))
        if user is None:
            return JSONResponse({"error": "bad user"}, status_code=400)
        answers = [a.text for a in emulator.callback_answers if a.text]
        return JSONResponse(
            {
                "messages": [_message_json(m) for m in emulator.messages(user.id)],
                "notices": answers[-1:],
            }
        )

    async def say(request: Request) -> Response:
        data = await _json_body(request)
        user = _user(data)
        text = str(data.get("text", ""))[:_TEXT_MAX]
        if user is None or not text.strip():
            return JSONResponse({"error": "empty message"}, status_code=400)
        await emulator.user_says(user, text)
        return JSONResponse({"ok": True})

    async def press(request: Request) -> Response:
        data = await _json_body(request)
        user = _user(data)
        if user is None:
            return JSONResponse({"error": "bad user"}, status_code=400)
        target = next(
            (m for m in emulator.bot_messages(user.id) if m.message_id == data.get("message_id")),
            None,
        )
        if target is None:
            return JSONResponse({"error": "no such message"}, status_code=404)
        await emulator.user_presses(user, target, str(data.get("data", ""))[:256])
        return JSONResponse({"ok": True})

    return [
        Route("/", index),
        Route("/api/messages", messages),
        Route("/api/say", say, methods=["POST"]),
        Route("/api/press", press, methods=["POST"]),
    ]


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
