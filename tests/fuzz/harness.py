"""The real application (python-telegram-bot's Application with Tremplin's handlers, the real
database) fed updates in-process, its Bot API calls answered by the fake Bot API without sockets.

Two ways to reach the fake Bot API:
- `http` (fault injection): python-telegram-bot's own HTTP client (httpx) over an in-memory ASGI
  transport, so that every injected fault reaches the bot as the exception httpx would raise;
- `in-process` (the fuzz, thousands of updates a minute): python-telegram-bot's request layer
  answered by the emulator's `answer` directly; the bot still serialises every call as for HTTP
  and parses the answers and error codes itself, only the HTTP client and server are skipped.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import httpx
from sqlalchemy import func, select
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.app import SERVICES, build_application
from bot.messenger import TelegramMessenger
from bot.runtime import BotServices, make_messenger
from coaching import referrals
from coaching.partners import SHIPPED, import_partners
from journey import interests
from journey.profile_view import (
    ASK_DEPARTEMENT,
    ASK_PRIORITIES,
    SETTINGS_DEPARTEMENT,
    SETTINGS_PRIORITIES,
)
from messages.render import LANGUAGES
from migrations.apply import upgrade_async
from scoring.departements import get_departement
from storage.engine import Database
from storage.models import (
    Base,
    Nudge,
    Referral,
    SavedCareer,
    User,
)
from tremplin.playground.emulator import NO_ANSWER, BotApiEmulator, FakeUser
from tremplin.settings import load_settings

TOKEN = "424242:FUZZ-token"
ROOT = "http://fake-bot-api"
KNOWN_STEPS = {ASK_DEPARTEMENT, ASK_PRIORITIES, SETTINGS_DEPARTEMENT, SETTINGS_PRIORITIES}
COMMENT_STEP_PREFIX = "coach:comment:"
T = TypeVar("T")


class _NoAnswer(Exception):
    """The emulator acted on the call and will never answer it."""


async def _until_no_answer(call: Coroutine[Any, Any, T]) -> T:
    """Run one call to the emulator; raise `_NoAnswer` as soon as it says it will not answer
    (instead of waiting out a read time-out in real time)."""
    signal = asyncio.Event()
    context = contextvars.copy_context()
    context.run(NO_ANSWER.set, signal)
    task = asyncio.create_task(call, context=context)
    waiting = asyncio.create_task(signal.wait())
    try:
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
    if task.done():
        return task.result()
    task.cancel()
    raise _NoAnswer


class ClientClock(httpx.AsyncBaseTransport):
    """An ASGI transport whose read time-out expires the moment the emulator decides never to
    answer: httpx raises `ReadTimeout`, exactly as after waiting on a real socket."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward the request; a call left unanswered is a read time-out."""
        try:
            return await _until_no_answer(self.inner.handle_async_request(request))
        except _NoAnswer:
            raise httpx.ReadTimeout("fault injected: no answer in time", request=request) from None

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()


class InProcessRequest(BaseRequest):
    """python-telegram-bot's request layer answered by the emulator in the same process."""

    def __init__(self, api: BotApiEmulator) -> None:
        self.api = api

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float:
        """The default read time-out python-telegram-bot adds to long polls."""
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The parameters as HTTP would carry them (form fields, files), the emulator's answer
        as status and JSON bytes; a cut or unanswered call raises what httpx would."""
        bot_token, api_method = url.rsplit("/", 2)[-2:]
        params: dict[str, Any] = {}
        if request_data is not None:
            params.update(request_data.json_parameters)
            for name, part in request_data.multipart_data.items():
                content = part[1]
                params[name] = {
                    "filename": part[0],
                    "content": content if isinstance(content, bytes) else content.read(),
                }
        try:
            fault, status, body = await _until_no_answer(
                self.api.answer(bot_token.removeprefix("bot"), api_method, params)
            )
        except _NoAnswer:
            raise TimedOut from httpx.ReadTimeout("fault injected: no answer in time")
        if fault is not None and fault.mode == "cut":
            cause = httpx.RemoteProtocolError("fault injected: connection cut after acceptance")
            raise NetworkError(f"httpx.RemoteProtocolError: {cause}") from cause
        return status, json.dumps(body).encode()


def _quiz_step(step: str) -> bool:
    """The interests quiz half answered: its prefix and one valid answer per question."""
    answers = step.removeprefix(interests.STEP_PREFIX)
    return (
        step.startswith(interests.STEP_PREFIX)
        and len(answers) < len(interests.LETTERS)
        and set(answers) <= set(interests.ANSWERS)
    )


class Collect(logging.Handler):
    """Keeps Tremplin's records at INFO and above, to check what was logged and why."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING or not record.name.startswith(("httpx", "httpcore")):
            self.records.append(record)

    def unhandled(self) -> list[logging.LogRecord]:
        """Records that mean an exception nobody handled: a flow that crashed, or one that
        escaped to python-telegram-bot's error handler."""
        return [
            r
            for r in self.records
            if r.getMessage().startswith(("flow failed", "error while handling an update"))
            or (r.name.startswith("telegram") and r.levelno >= logging.ERROR)
        ]


@dataclass
class Harness:
    """One application, one database, one fake Bot API."""

    db: Database
    api: BotApiEmulator
    application: Any
    services: BotServices
    log: Collect
    update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    processed: int = 0

    async def feed(self, raw: dict[str, Any]) -> None:
        """Process one raw update dict (its `update_id` is set here unless given), as the
        application's update loop does: through its update processor, which runs updates of
        different chats concurrently and keeps each chat's in order."""
        raw.setdefault("update_id", next(self.update_ids))
        update = Update.de_json(raw, self.application.bot)
        await self.application.update_processor.process_update(
            update, self.application.process_update(update)
        )
        self.processed += 1

    async def close(self) -> None:
        """Shut the application and the database down."""
        await self.application.shutdown()
        await self.db.dispose()
        logging.getLogger().removeHandler(self.log)


async def start(
    database_url: str, *, bot_api: Literal["http", "in-process"] = "http"
) -> Harness:
    """Migrate, import the partners, build the application against the emulator, initialize."""
    await upgrade_async(database_url)
    db = Database(database_url)
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
    api = BotApiEmulator(TOKEN)
    request: BaseRequest
    if bot_api == "http":
        transport = ClientClock(httpx.ASGITransport(app=api.app()))
        request = HTTPXRequest(httpx_kwargs={"transport": transport}, connection_pool_size=64)
    else:
        request = InProcessRequest(api)
    application = build_application(TOKEN, ROOT, request=request)
    from tremplin.app import build_environment

    settings = load_settings(env_file=None, database_url=database_url, data_dir="no-imports")
    env = build_environment(settings)
    services = BotServices(
        db=db, env=env, messenger=make_messenger(TelegramMessenger(application.bot), db)
    )
    application.bot_data[SERVICES] = services
    await application.initialize()
    collect = Collect()
    logging.getLogger().addHandler(collect)
    for name in ("bot", "coaching", "journey"):
        logging.getLogger(name).setLevel(logging.INFO)
    return Harness(db, api, application, services, collect)


def open_chats(api: BotApiEmulator, user_ids: list[int]) -> None:
    """Open the chats of the known users, as when they first open the bot."""
    for user_id in user_ids:
        api.ensure_chat(FakeUser(user_id, f"U{user_id}", "fr"))


async def invariants(db: Database, catalogue: Any) -> dict[str, int]:
    """Check the database's invariants; returns row counts per table."""
    counts: dict[str, int] = {}
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = int(
                await session.scalar(select(func.count()).select_from(table)) or 0
            )
        # No orphan rows: every user_id column points at a user (webhook notices and the audit
        # log excepted: they outlive erased users on purpose).
        user_ids = set(await session.scalars(select(User.id)))
        for table in Base.metadata.sorted_tables:
            if "user_id" in table.c and table.c.user_id.foreign_keys:
                orphans = set(await session.scalars(select(table.c.user_id))) - user_ids
                assert not orphans, (table.name, orphans)
        referral_ids = set(await session.scalars(select(Referral.id)))
        for table in Base.metadata.sorted_tables:
            if "referral_id" in table.c and table.c.referral_id.foreign_keys:
                orphans = set(await session.scalars(select(table.c.referral_id))) - referral_ids
                assert not orphans, (table.name, orphans)
        # No saved career outside the catalogue.
        for rome in await session.scalars(select(SavedCareer.rome)):
            assert catalogue.get(rome) is not None, rome
        # At most one open referral per user.
        open_counts = await session.execute(
            select(Referral.user_id, func.count())
            .where(Referral.state.in_(referrals.ACTIVE))
            .group_by(Referral.user_id)
        )
        assert all(n <= 1 for _, n in open_counts), "two open referrals for one user"
        # No nudge both sent and pending: a sent row has its message, a pending one has none,
        # and no step of a sequence is pending again once it was sent.
        for row in await session.scalars(select(Nudge)):
            if row.state == "sent":
                assert row.message_id is not None and row.sent_at is not None, row.id
            if row.state == "pending":
                assert row.message_id is None and row.sent_at is None, row.id
        # Every user's state is one the bot knows.
        for user in await session.scalars(select(User)):
            assert user.language in LANGUAGES, user.language
            assert user.departement is None or get_departement(user.departement) is not None
            assert (
                user.step is None
                or user.step in KNOWN_STEPS
                or user.step.startswith(COMMENT_STEP_PREFIX)
                or _quiz_step(user.step)
            ), user.step
            assert user.interests is None or set(user.interests) <= set(interests.LETTERS)
    return counts
