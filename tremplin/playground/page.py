"""The playground's chat page: a browser window onto the emulator, like a Telegram chat.

Each browser gets its own fake Telegram account (an id kept in localStorage), so several people
can try the bot at once.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from tremplin.playground.emulator import BotApiEmulator, ChatMessage, FakeUser

_PAGE = Path(__file__).parent / "static" / "chat.html"
_TEXT_MAX = 10_000
# Documents are always downloaded, never shown in the page's origin: their bytes include what
# people typed. Only these types keep their own name; anything else is served as bytes.
_DOCUMENT_TYPES = frozenset({"application/json", "application/pdf", "text/csv", "text/plain"})


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


def _message_json(message: ChatMessage, user: FakeUser) -> dict[str, Any]:
    document = None
    if message.document is not None:
        document = {
            "name": str(message.document.get("filename") or "file"),
            "url": f"/api/document/{message.message_id}?user_id={user.id}",
        }
    return {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "html": message.web_html,
        "edits": message.edits,
        # Seconds since the epoch: the page shows them in the browser's own time zone.
        "date": message.date,
        "document": document,
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
        # A page that just opened asks for no notices: it starts after the latest one, so a
        # reload never replays an old notice. Then it asks for those after the last it saw.
        after = _int(request.query_params.get("notices_after"))
        latest = emulator.last_notice_number()
        notices = [] if after is None else emulator.notices(user.id, after)
        return JSONResponse(
            {
                "messages": [_message_json(m, user) for m in emulator.messages(user.id)],
                "notices": [{"id": number, "text": text} for number, text in notices],
                "notices_seen": latest,
            }
        )

    async def document(request: Request) -> Response:
        user = _user(dict(request.query_params))
        message_id = _int(request.path_params.get("message_id"))
        found = emulator.document(user.id, message_id) if user and message_id else None
        if found is None:
            return JSONResponse({"error": "no such document"}, status_code=404)
        name, content = found
        media_type = mimetypes.guess_type(name)[0] or ""
        if media_type not in _DOCUMENT_TYPES:
            media_type = "application/octet-stream"
        ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
        return Response(
            content,
            media_type=media_type,
            headers={
                "Content-Disposition": (
                    f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
                ),
                "X-Content-Type-Options": "nosniff",
            },
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
        Route("/api/document/{message_id}", document),
    ]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
