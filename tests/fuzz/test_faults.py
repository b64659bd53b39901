"""Fault injection through the fake Bot API, and a locked database (issue 14): the bot keeps
serving, loses no stored data, never sends a nudge twice, and logs each fault once with its
cause."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from coaching.nudges.dispatcher import DispatchConfig, Dispatcher
from storage.models import ConversationEntry, Nudge, SavedCareer, User
from tests.fuzz.harness import Harness, invariants, open_chats, start
from tremplin.logs import QUIET_LOGGERS

USERS = [720_001, 720_002, 720_003, 720_004, 720_005, 720_006, 720_007]
METHODS = ["sendMessage", "editMessageText", "answerCallbackQuery", "sendDocument"]
FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("429", {"code": 429, "retry_after": 1}),
    ("403", {"code": 403}),
    ("400", {"code": 400}),
    ("500", {"code": 500}),
    ("502", {"code": 502}),
    ("cut", {}),
    ("timeout", {}),
]
# What names each fault's cause in the line the bot logs about it.
CAUSES = {
    "429": "429",
    "403": "Forbidden",
    "400": "Bad Request",
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "cut": "connection cut",
    "timeout": "Timed out",
}


def _message(user_id: int, text: str, message_id: int = 1) -> dict[str, Any]:
    chat = {"id": user_id, "type": "private", "first_name": "Zoé"}
    user = {"id": user_id, "is_bot": False, "first_name": "Zoé", "language_code": "fr"}
    body: dict[str, Any] = {"message_id": message_id, "date": 0, "chat": chat, "from": user,
                            "text": text}
    if text.startswith("/"):
        length = len(text.split()[0])
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": body}


def _press(h: Harness, user_id: int, data: str) -> dict[str, Any]:
    last = h.api.bot_messages(user_id)[-1]
    chat = {"id": user_id, "type": "private", "first_name": "Zoé"}
    query_id = f"q{h.processed + 1}"
    h.api._pending_callbacks.add(query_id)  # a live press, that Telegram lets the bot answer
    return {
        "callback_query": {
            "id": query_id,
            "from": {"id": user_id, "is_bot": False, "first_name": "Zoé"},
            "chat_instance": "ci",
            "data": data,
            "message": {"message_id": last.message_id, "date": 0, "chat": chat,
                        "from": {"id": h.api.bot_id, "is_bot": True, "first_name": "T"},
                        "text": last.text or "…"},
        }
    }


async def _onboard(h: Harness, user_id: int) -> None:
    await h.feed(_message(user_id, "/start"))
    await h.feed(_message(user_id, "69"))
    buttons = [b for b in h.api.bot_messages(user_id)[-1].buttons if "callback_data" in b]
    await h.feed(_press(h, user_id, str(buttons[-1]["callback_data"])))


async def _stored(h: Harness) -> tuple[int, int, int]:
    async with h.db.transaction() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(User)) or 0),
            int(await session.scalar(select(func.count()).select_from(SavedCareer)) or 0),
            int(await session.scalar(select(func.count()).select_from(ConversationEntry)) or 0),
        )


def _fail(h: Harness, method: str, kind: str, spec: dict[str, Any]) -> None:
    if kind == "cut":
        h.api.cut(method)
    elif kind == "timeout":
        h.api.time_out(method)
    else:
        h.api.fail(method, spec["code"], retry_after=spec.get("retry_after"))


def _logged(caplog: pytest.LogCaptureFixture, start: int) -> list[str]:
    """What the bot logged since record `start`, as production logs it (httpx's request lines
    are quiet there), without the routine line of every update."""
    return [
        r.getMessage() + (f" ({r.exc_info[1]!r})" if r.exc_info else "")
        for r in caplog.records[start:]
        if (r.levelno >= logging.WARNING or not r.name.startswith(QUIET_LOGGERS))
        and r.getMessage() != "update handled"
    ]


async def test_every_fault_on_every_method_is_survived_logged_once_and_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    h = await start(f"sqlite+aiosqlite:///{tmp_path / 'faults.db'}")
    try:
        open_chats(h.api, USERS)
        for user_id in USERS:
            await _onboard(h, user_id)
        user_id = USERS[0]
        for method in METHODS:
            for kind, spec in FAULTS:
                before = await _stored(h)
                logged = len(caplog.records)
                _fail(h, method, kind, spec)
                # Something that calls the method: an edit and a button answer (a press), a
                # message (a command), a document (/export).
                if method == "sendDocument":
                    await h.feed(_message(user_id, "/export"))
                elif method == "sendMessage":
                    await h.feed(_message(user_id, "/help"))
                else:
                    await h.feed(_message(user_id, "/explore"))
                    buttons = [
                        b for b in h.api.bot_messages(user_id)[-1].buttons
                        if str(b.get("callback_data", "")).startswith("1|es|")
                    ]
                    await h.feed(_press(h, user_id, str(buttons[0]["callback_data"])))
                assert h.api.faults[(method, kind)] >= 1, (method, kind)
                after = await _stored(h)
                # Nothing stored is lost: users and careers stay, the log only grows.
                assert after[0] == before[0] and after[1] == before[1] and after[2] >= before[2]
                # Each fault is logged once, with its cause named, and nothing else is.
                new = _logged(caplog, logged)
                assert len(new) == 1 and CAUSES[kind] in new[0], (method, kind, new)
                assert h.log.unhandled() == [], [r.getMessage() for r in h.log.unhandled()]
                # The bot keeps serving: the next /help of another user is answered.
                other = USERS[1]
                count = len(h.api.bot_messages(other))
                await h.feed(_message(other, "/help"))
                assert len(h.api.bot_messages(other)) == count + 1, (method, kind)
        await invariants(h.db, h.services.env.catalogue)
        injected = Counter({f"{m}/{k}": n for (m, k), n in h.api.faults.items()})
        print(f"\nfaults injected: {dict(injected)}")
        assert len(injected) == len(METHODS) * len(FAULTS)
    finally:
        await h.close()


async def test_nudges_under_faults_are_never_sent_twice(tmp_path: Path) -> None:
    h = await start(f"sqlite+aiosqlite:///{tmp_path / 'nudges.db'}")
    try:
        open_chats(h.api, USERS)
        env = h.services.env
        h.services.env.nudge_delays = (timedelta(0),)  # type: ignore[misc]
        for user_id in USERS:
            await _onboard(h, user_id)
            await h.feed(_press(h, user_id, "1|sv|J1501|n"))
        # One fault per person's nudge: 403, 400, 500, 502, a cut connection, a time-out.
        for user_id, (kind, spec) in zip(USERS, FAULTS[1:], strict=False):
            if kind == "cut":
                h.api.cut("sendMessage", chat_id=user_id)
            elif kind == "timeout":
                h.api.time_out("sendMessage", chat_id=user_id)
            else:
                h.api.fail("sendMessage", spec["code"], chat_id=user_id)
        dispatcher = Dispatcher(
            h.db, h.services.messenger, env,
            DispatchConfig(rate=200, horizon=0.1, chat_gap=0.01, backoff=0.05, max_attempts=3),
        )
        for _ in range(20):
            await dispatcher.run()
            await asyncio.sleep(0.05)
        async with h.db.transaction() as session:
            rows = list(await session.scalars(select(Nudge)))
        sent_per_user = Counter(
            m.chat_id for u in USERS for m in h.api.bot_messages(u)
            if any(str(b.get("callback_data", "")).startswith("1|ns|") for b in m.buttons)
        )
        # Each nudge reached its chat at most once, whatever happened to the request.
        assert all(n <= 1 for n in sent_per_user.values()), sent_per_user
        assert {k for (m, k) in h.api.faults if m == "sendMessage"} == {k for k, _ in FAULTS[1:]}
        # A 5xx, a cut or a time-out may have delivered the nudge (the last two did): its first
        # step is marked uncertain and never sent again.
        for user_id, (kind, _) in zip(USERS, FAULTS[1:], strict=False):
            if kind in ("500", "502", "cut", "timeout"):
                first = min((r for r in rows if r.user_id == user_id), key=lambda r: r.step)
                assert first.state == "uncertain", (kind, first.state)
                reached = 1 if kind in ("cut", "timeout") else 0
                assert sent_per_user[user_id] == reached, (kind, sent_per_user)
        assert all(r.state != "pending" or r.message_id is None for r in rows)
        await invariants(h.db, h.services.env.catalogue)
    finally:
        await h.close()


async def test_a_locked_sqlite_file_delays_updates_but_loses_none(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    h = await start(f"sqlite+aiosqlite:///{path}")
    try:
        open_chats(h.api, USERS)
        await _onboard(h, USERS[0])
        before = await _stored(h)
        # Another program holds the write lock for a second.
        other = sqlite3.connect(path, timeout=1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        feeding = asyncio.create_task(h.feed(_message(USERS[0], "/help")))
        await asyncio.sleep(1.0)
        assert not feeding.done()  # waiting for the lock, not failing
        other.execute("ROLLBACK")
        other.close()
        await asyncio.wait_for(feeding, 30)
        after = await _stored(h)
        assert after[0] == before[0] and after[2] > before[2]  # the /help and its answer logged
        assert "/explore" in h.api.bot_messages(USERS[0])[-1].text
        assert h.log.unhandled() == []
    finally:
        await h.close()
