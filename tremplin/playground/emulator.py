"""An in-process emulator of the Telegram Bot API, served over HTTP on loopback.

The real bot (python-telegram-bot and its HTTP client) talks to it exactly as to Telegram:
`{root}/bot{token}/{method}`. People talk to it through the playground's chat page, and tests
through the user-side methods (`user_says`, `user_presses`, `push_update`, `wait_for`). It checks
requests the way Telegram does (HTML entities, 4,096 characters, 64-byte callback data, "message is
not modified"), and can be told to fail (`fail`) to test 429, 403 and 5xx handling, to cut the
connection after doing what was asked (`cut`), to answer too late (`stall`) or not at all
(`time_out`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tremplin.playground.telegram_html import EntityError, parse

MESSAGE_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_MAX = 64
LONG_POLL_MAX = 10.0
# Methods that post a message, which Telegram's flood control counts (see `limit_rate`).
_SENDING_METHODS = frozenset({"sendmessage", "senddocument"})


# An in-process client (tests) cannot wait out a read time-out in real time: it puts an event here
# for the call it makes, and a call that will never be answered (`time_out`) sets it at once.
NO_ANSWER: ContextVar[asyncio.Event | None] = ContextVar("no_answer", default=None)


class ApiError(Exception):
    """A Bot API error answer: {"ok": false, "error_code": …, "description": …}."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class FakeUser:
    """A Telegram account on the user side of the emulator."""

    id: int
    first_name: str = "Camille"
    language_code: str | None = "fr"

    def as_dict(self) -> dict[str, Any]:
        """The `User` object of the Bot API."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class ChatMessage:
    """A message in a chat, as the emulator keeps it."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str
    web_html: str
    date: int
    reply_markup: dict[str, Any] | None = None
    parse_mode: str | None = None
    edits: int = 0
    document: dict[str, Any] | None = None
    raw_text: str = ""

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every inline button, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, text_part: str) -> dict[str, Any]:
        """The first button whose text contains `text_part` (raises if none)."""
        for button in self.buttons:
            if text_part.lower() in str(button.get("text", "")).lower():
                return button
        raise LookupError(f"no button containing {text_part!r} in {self.buttons!r}")


@dataclass
class Failure:
    """An injected error for the next `times` calls of `method` (optionally in one chat)."""

    method: str
    code: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None
    # "answer": an error answer instead of the call; "cut": the call is done, then the connection
    # drops before the answer; "stall": the call is done, and the answer waits `delay` seconds;
    # "timeout": the call is done and no answer comes.
    mode: str = "answer"
    delay: float = 0.0


class _CutResponse(Response):
    """Starts an answer, then drops the connection: the request was accepted, the client never
    learns it (what a connection reset after acceptance looks like to the bot)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1000")],
            }
        )
        raise ConnectionResetError("fault injected: connection cut after acceptance")


@dataclass
class CallbackAnswer:
    """What the bot answered to a button press."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    # Who pressed: the page shows a notice only to that person.
    user_id: int = 0


@dataclass
class _Chat:
    user: FakeUser
    messages: list[ChatMessage] = field(default_factory=list)
    next_message_id: int = 1

    def post(self, *, from_bot: bool, text: str, web_html: str, **extra: Any) -> ChatMessage:
        """Append a new message, numbered as Telegram numbers a private chat's messages."""
        message = ChatMessage(
            message_id=self.next_message_id,
            chat_id=self.user.id,
            from_bot=from_bot,
            text=text,
            web_html=web_html,
            date=int(time.time()),
            **extra,
        )
        self.next_message_id += 1
        self.messages.append(message)
        return message


class BotApiEmulator:
    """The Bot API of one bot, with its chats, in memory."""

    def __init__(self, token: str, *, bot_id: int = 7000000001, username: str = "tremplin_bot"):
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.updates: list[dict[str, Any]] = []
        # Numbered from the clock, as Telegram numbers afresh after a quiet spell: a new emulator
        # on the same database never repeats the numbers of the last one (the bot would take
        # them for deliveries it already handled).
        self._update_ids = itertools.count(int(time.time() * 1000))
        self._callback_ids = itertools.count(1)
        self.chats: dict[int, _Chat] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self._pending_callbacks: set[str] = set()
        self._callback_users: dict[str, int] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: list[Failure] = []
        # Injected faults that fired, by (method, kind): kind is the HTTP code, "cut" or "stall".
        self.faults: Counter[tuple[str, str]] = Counter()
        self.webhook_url = ""
        self._changed = asyncio.Condition()
        self.on_call: Callable[[str, dict[str, Any]], None] | None = None
        # Optional flood control (off by default; see `limit_rate`).
        self.rate_per_second: int | None = None
        self.chat_gap = 1.0
        self.rate_limited = 0
        self._sent_at: deque[float] = deque()
        self._chat_sent_at: dict[int, float] = {}

    # ----- the HTTP side (what the bot calls) -------------------------------------------------

    def routes(self) -> list[Route]:
        """Starlette routes serving the Bot API."""
        return [Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]

    def app(self) -> Starlette:
        """A Starlette application serving only the Bot API."""
        return Starlette(routes=self.routes())

    async def _endpoint(self, request: Request) -> Response:
        params = await _read_params(request)
        fault, status, body = await self.answer(
            request.path_params["token"], request.path_params["method"], params
        )
        if fault is not None and fault.mode == "cut":
            return _CutResponse()
        if fault is not None and fault.mode == "timeout":
            # The server tells the app the client left as the next thing it receives.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(request.receive(), fault.delay)
            return Response(status_code=504)  # nobody is there to read it
        return JSONResponse(body, status_code=status)

    async def answer(
        self, token: str, method: str, params: dict[str, Any]
    ) -> tuple[Failure | None, int, dict[str, Any]]:
        """Do one Bot API call: the injected fault that acts after it (a cut connection, to be
        carried out by whoever answers), the HTTP status and the JSON body to answer.

        The HTTP endpoint serves it; tests that need thousands of calls a minute call it
        in-process (tests/fuzz/harness.py).
        """
        self.calls.append((method, params))
        if self.on_call is not None:
            self.on_call(method, params)
        after: Failure | None = None
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            after = self._maybe_fail(method, params)
            self._check_rate(method, params)
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
            if after is not None and after.mode == "stall":
                await asyncio.sleep(after.delay)
            if after is not None and after.mode == "timeout":
                # Done, and never answered: an in-process client is told at once, without waiting
                # for its clock; over HTTP the endpoint holds the answer until the client leaves.
                signal = NO_ANSWER.get()
                if signal is not None:
                    signal.set()
                    await asyncio.sleep(after.delay)
        except ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return after, exc.code, body
        return after, 200, {"ok": True, "result": result}

    def fail(
        self,
        method: str,
        code: int,
        description: str = "",
        *,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail with this error."""
        defaults = {
            400: "Bad Request",
            403: "Forbidden: bot was blocked by the user",
            429: "Too Many Requests: retry after",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        self.failures.append(
            Failure(
                method,
                code,
                description or defaults.get(code, "Error"),
                retry_after,
                times,
                chat_id,
            )
        )

    def cut(self, method: str, *, times: int = 1, chat_id: int | None = None) -> None:
        """Do the next `times` calls of `method`, then drop the connection before answering."""
        self.failures.append(Failure(method, 0, "cut", times=times, chat_id=chat_id, mode="cut"))

    def stall(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None
    ) -> None:
        """Do the next `times` calls of `method`, but answer only after `seconds` (a time-out
        for a client that waits less)."""
        self.failures.append(
            Failure(
                method, 0, "stall", times=times, chat_id=chat_id, mode="stall", delay=seconds
            )
        )

    def time_out(self, method: str, *, times: int = 1, chat_id: int | None = None) -> None:
        """Do the next `times` calls of `method` and never answer them: the client's read
        time-out expires after Telegram acted (see `NO_ANSWER` for in-process clients)."""
        self.failures.append(
            Failure(
                method, 0, "timeout", times=times, chat_id=chat_id, mode="timeout", delay=600.0
            )
        )

    def limit_rate(self, per_second: int = 30, chat_gap: float = 1.0) -> None:
        """Enforce Telegram's flood limits on sent messages, answering 429 with retry_after.

        At most `per_second` messages in any one-second window, and `chat_gap` seconds between
        two messages in one chat. Refusals are counted in `rate_limited`.
        """
        self.rate_per_second = per_second
        self.chat_gap = chat_gap

    def _check_rate(self, method: str, params: dict[str, Any]) -> None:
        if self.rate_per_second is None or method.lower() not in _SENDING_METHODS:
            return
        now = time.monotonic()
        while self._sent_at and self._sent_at[0] <= now - 1.0:
            self._sent_at.popleft()
        chat_id = _int(params.get("chat_id")) or 0
        last = self._chat_sent_at.get(chat_id)
        wait = 0.0
        if len(self._sent_at) >= self.rate_per_second:
            wait = self._sent_at[0] + 1.0 - now
        if last is not None and now - last < self.chat_gap:
            wait = max(wait, last + self.chat_gap - now)
        if wait > 0:
            self.rate_limited += 1
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
        self._sent_at.append(now)
        self._chat_sent_at[chat_id] = now

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> Failure | None:
        """Raise the next injected error answer; return a fault that acts after the call."""
        for failure in self.failures:
            if failure.method.lower() != method.lower() or failure.times <= 0:
                continue
            if failure.chat_id is not None and _int(params.get("chat_id")) != failure.chat_id:
                continue
            failure.times -= 1
            if failure.mode != "answer":
                self.faults[(method, failure.mode)] += 1
                return failure
            self.faults[(method, str(failure.code))] += 1
            description = failure.description
            if failure.code == 429 and failure.retry_after is not None:
                description = f"Too Many Requests: retry after {failure.retry_after}"
            raise ApiError(failure.code, description, failure.retry_after)
        return None

    async def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Tremplin",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(params.get("offset")) or 0
        limit = max(1, min(100, _int(params.get("limit")) or 100))
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_MAX)
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    return self.updates[:limit]
                remaining = deadline - time.monotonic()
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout=remaining)
                except TimeoutError:
                    return []

    async def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        return True

    async def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        return True

    async def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = _json(params.get("commands")) or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name = str(command.get("command", ""))
            if (
                not name
                or len(name) > 32
                or not name.replace("_", "").isalnum()
                or (name.lower() != name)
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[str(params.get("language_code") or "")] = commands
        return True

    async def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(str(params.get("language_code") or ""), [])

    async def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(str(params.get("language_code") or ""), None)
        return True

    async def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    async def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text = str(params.get("text") or "")
        parse_mode = params.get("parse_mode")
        plain, web = self._check_text(text, parse_mode, MESSAGE_MAX)
        markup = self._check_markup(params.get("reply_markup"))
        message = chat.post(
            from_bot=True,
            text=plain,
            web_html=web,
            reply_markup=markup,
            parse_mode=parse_mode,
            raw_text=text,
        )
        await self._notify()
        return self._message_dict(message, chat.user)

    async def _api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        document = params.get("document")
        if not isinstance(document, dict):
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = str(params.get("caption") or "")
        plain, web = self._check_text(caption, params.get("parse_mode"), CAPTION_MAX, empty=True)
        message = chat.post(
            from_bot=True, text=plain, web_html=web, document=document, raw_text=caption
        )
        await self._notify()
        result = self._message_dict(message, chat.user)
        result["document"] = {
            "file_id": f"doc{message.message_id}",
            "file_unique_id": f"u{message.message_id}",
            "file_name": document.get("filename", "file"),
        }
        return result

    async def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        message = self._find(chat, params)
        text = str(params.get("text") or "")
        plain, web = self._check_text(text, params.get("parse_mode"), MESSAGE_MAX)
        markup = self._check_markup(params.get("reply_markup"))
        if plain == message.text and markup == message.reply_markup and web == message.web_html:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.text, message.web_html, message.reply_markup = plain, web, markup
        message.raw_text = text
        message.edits += 1
        await self._notify()
        return self._message_dict(message, chat.user)

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        message = self._find(chat, params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        message.reply_markup = markup
        message.edits += 1
        await self._notify()
        return self._message_dict(message, chat.user)

    async def _api_deletemessage(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        message = self._find(chat, params)
        chat.messages.remove(message)
        await self._notify()
        return True

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._pending_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._pending_callbacks.discard(query_id)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(
            CallbackAnswer(
                query_id,
                str(text) if text else None,
                str(params.get("show_alert")).lower() == "true",
                self._callback_users.pop(query_id, 0),
            )
        )
        await self._notify()
        return True

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_logout(self, params: dict[str, Any]) -> bool:
        return True

    # ----- checks Telegram makes ---------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> _Chat:
        chat_id = _int(params.get("chat_id"))
        if chat_id is None or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _find(self, chat: _Chat, params: dict[str, Any]) -> ChatMessage:
        message_id = _int(params.get("message_id"))
        for message in chat.messages:
            if message.message_id == message_id and message.from_bot:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    @staticmethod
    def _check_text(
        text: str, parse_mode: Any, limit: int, *, empty: bool = False
    ) -> tuple[str, str]:
        try:
            plain, web = parse(text, str(parse_mode) if parse_mode else None)
        except EntityError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not plain.strip() and not empty:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain) > limit:
            raise ApiError(400, "Bad Request: message is too long")
        return plain, web

    @staticmethod
    def _check_markup(raw: Any) -> dict[str, Any] | None:
        markup = _json(raw)
        if markup is None:
            return None
        if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
            raise ApiError(400, "Bad Request: unsupported reply markup")
        for row in markup["inline_keyboard"]:
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                data, url = button.get("callback_data"), button.get("url")
                if (data is None) == (url is None):
                    raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
                if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_MAX:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup

    def _message_dict(self, message: ChatMessage, user: FakeUser) -> dict[str, Any]:
        sender = (
            {"id": self.bot_id, "is_bot": True, "first_name": "Tremplin", "username": self.username}
            if message.from_bot
            else user.as_dict()
        )
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": sender,
        }
        if message.document is None:
            data["text"] = message.text
        elif message.text:
            data["caption"] = message.text
        if message.edits:
            data["edit_date"] = int(time.time())
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ----- the user side (people on the page, and tests) ---------------------------------------

    def ensure_chat(self, user: FakeUser) -> _Chat:
        """The user's chat, opened if new (as when they first open the bot)."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.chats[user.id] = _Chat(user)
        else:
            chat.user = user
        return chat

    async def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (`kind` such as "message" or "edited_message") for the bot."""
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        await self._notify()
        return update

    async def user_sends(self, user: FakeUser, **content: Any) -> ChatMessage:
        """The user sends any message content (text, sticker, photo, location…)."""
        chat = self.ensure_chat(user)
        text = str(content.get("text", ""))
        message = chat.post(
            from_bot=False,
            text=text,
            web_html=parse(text, None)[1] if text else _describe(content),
            raw_text=text,
        )
        payload = self._message_dict(message, user)
        payload.pop("text", None)
        payload.update(content)
        if text.startswith("/"):
            command = text.split()[0]
            payload["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        await self.push_update("message", payload)
        return message

    async def user_says(self, user: FakeUser, text: str) -> ChatMessage:
        """The user types a text message (a command when it starts with /)."""
        return await self.user_sends(user, text=text)

    async def user_edits(self, user: FakeUser, message: ChatMessage, text: str) -> None:
        """The user edits one of their own messages."""
        message.text = text
        message.web_html = parse(text, None)[1]
        payload = self._message_dict(message, user)
        payload["edit_date"] = int(time.time())
        await self.push_update("edited_message", payload)

    async def user_presses(self, user: FakeUser, message: ChatMessage, callback_data: str) -> str:
        """The user presses a button of a bot message (any data: tests may forge it)."""
        self.ensure_chat(user)
        query_id = str(next(self._callback_ids))
        self._pending_callbacks.add(query_id)
        self._callback_users[query_id] = user.id
        await self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.as_dict(),
                "chat_instance": f"ci{message.chat_id}",
                "message": self._message_dict(message, self.chats[message.chat_id].user),
                "data": callback_data,
            },
        )
        return query_id

    async def user_taps(self, user: FakeUser, message: ChatMessage, text_part: str) -> str:
        """The user presses the button whose label contains `text_part`."""
        return await self.user_presses(
            user, message, str(message.button(text_part)["callback_data"])
        )

    def messages(self, chat_id: int) -> list[ChatMessage]:
        """Every message in a chat, both sides, oldest first."""
        chat = self.chats.get(chat_id)
        return list(chat.messages) if chat else []

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        """The bot's messages in a chat, oldest first."""
        return [m for m in self.messages(chat_id) if m.from_bot]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until `predicate()` returns something truthy, and return it."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the emulator did not reach the expected state in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout=remaining)
                except TimeoutError:
                    continue

    async def wait_for_bot_messages(
        self, chat_id: int, count: int, *, after: int = 0, timeout: float = 10.0
    ) -> list[ChatMessage]:
        """Wait until the bot has sent `count` messages in a chat after message id `after`."""

        def ready() -> list[ChatMessage] | None:
            fresh = [m for m in self.bot_messages(chat_id) if m.message_id > after]
            return fresh if len(fresh) >= count else None

        result: list[ChatMessage] = await self.wait_for(ready, timeout)
        return result

    def notices(self, user_id: int, after: int = 0) -> list[tuple[int, str]]:
        """The button-press answers with a text shown to one person, as (number, text).

        Numbers count every answer from 1, so a client that remembers the last one it showed
        asks only for newer ones, and two identical texts in a row are still two notices.
        """
        return [
            (number, answer.text)
            for number, answer in enumerate(self.callback_answers, start=1)
            if number > after and answer.user_id == user_id and answer.text
        ]

    def last_notice_number(self) -> int:
        """The number of the latest button-press answer, anyone's (0 when none)."""
        return len(self.callback_answers)

    def document(self, chat_id: int, message_id: int) -> tuple[str, bytes] | None:
        """The file name and bytes of a document the bot sent in a chat, if that message has one."""
        for message in self.messages(chat_id):
            if message.message_id == message_id and message.document is not None:
                content = message.document.get("content", b"")
                name = str(message.document.get("filename") or "file")
                return name, content if isinstance(content, bytes) else str(content).encode()
        return None

    def last_message_id(self, chat_id: int) -> int:
        """The id of the newest message in a chat (0 when empty)."""
        messages = self.messages(chat_id)
        return messages[-1].message_id if messages else 0


def _describe(content: dict[str, Any]) -> str:
    kind = next(iter(content), "message")
    return f"<i>[{kind}]</i>"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _json(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
    return value


async def _read_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif "form" in content_type:
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                params[key] = {"filename": value.filename, "content": await value.read()}
            else:
                params[key] = value
    return params
