"""Property-based robustness (issue 14): at least 10,000 varied updates per run through the real
application and database — any unicode and length, every kind of message, junk commands,
random, stale and forged button data, unknown users mid-flow, the same update twice — and after
every batch: no unhandled exception, and the database's invariants hold.
"""

from __future__ import annotations

import asyncio
import os
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.handlers import all_actions, all_commands
from tests.fuzz.harness import Harness, invariants, open_chats, start

# 200 batches of 50 updates: 10,000 updates. TREMPLIN_FUZZ_EXAMPLES scales it (e.g. a soak run).
EXAMPLES = int(os.environ.get("TREMPLIN_FUZZ_EXAMPLES", "200"))
PER_EXAMPLE = 50
KNOWN_USERS = list(range(610_001, 610_013))
COMMANDS = sorted(all_commands())
ACTIONS = sorted(all_actions())
ROMES = ["J1501", "M1805", "G1602", "K2204", "H2913", "A1203", "Z9999", "j1501", "X" * 32]
DEPARTEMENTS = ["69", "2A", "971", "75", "13", "00", "999", "Rhône", "lyon"]
SAFE = string.ascii_letters + string.digits + "_.:+-"

# Mostly short, sometimes up to Telegram's 4,096 characters (a long search is costly: rarer).
any_text = st.one_of(
    st.text(max_size=60),
    st.text(max_size=60),
    st.text(max_size=60),
    st.text(max_size=400),
    st.text(min_size=3500, max_size=4096),
)
names = st.text(max_size=80)
languages = st.sampled_from(["fr", "en", "de", "ar", None, "zz-ZZ"])


def _user(user_id: int, name: str, lang: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name or "?"}
    if lang is not None:
        user["language_code"] = lang
    return user


def _private(user_id: int, name: str) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": name or "?"}


def _command(name: str, rest: str) -> dict[str, Any]:
    text = f"/{name}{(' ' + rest) if rest else ''}"
    length = len(f"/{name}".encode("utf-16-le")) // 2
    return {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": length}]}


FILE = {"file_id": "AgAD", "file_unique_id": "u1"}
MEDIA: list[dict[str, Any]] = [
    {"photo": [{**FILE, "width": 90, "height": 90}]},
    {"sticker": {**FILE, "width": 512, "height": 512, "is_animated": False, "is_video": False,
                 "type": "regular"}},
    {"location": {"latitude": 45.76, "longitude": 4.83}},
    {"contact": {"phone_number": "+33600000000", "first_name": "Jean"}},
    {"voice": {**FILE, "duration": 3}},
    {"document": {**FILE, "file_name": "cv.pdf"}},
    {"video_note": {**FILE, "length": 240, "duration": 2}},
    {"dice": {"emoji": "🎲", "value": 4}},
]


async def _one_update(h: Harness, data: st.DataObject, sent: list[dict[str, Any]]) -> None:
    """Draw one update (knowing the chats so far, so that real buttons can be pressed)."""
    known = data.draw(st.booleans().map(lambda b: b or False), label="known")
    user_id = (
        data.draw(st.sampled_from(KNOWN_USERS), label="user")
        if known
        else data.draw(st.integers(1, 2**52), label="stranger")
    )
    name = data.draw(names, label="name")
    user = _user(user_id, name, data.draw(languages, label="lang"))
    chat = _private(user_id, name)
    message_id = data.draw(st.integers(1, 10**6), label="message_id")
    base = {"message_id": message_id, "date": 0, "chat": chat, "from": user}
    kind = data.draw(
        st.sampled_from(
            ["text"] * 4
            + ["command"] * 4
            + ["press"] * 6
            + ["forged"] * 2
            + ["departement", "media", "edit", "group", "channel", "inline", "again", "bot"]
        ),
        label="kind",
    )
    raw: dict[str, Any]
    if kind == "text":
        raw = {"message": {**base, "text": data.draw(any_text, label="text") or "…"}}
    elif kind == "departement":
        raw = {"message": {**base, "text": data.draw(st.sampled_from(DEPARTEMENTS))}}
    elif kind == "command":
        command = data.draw(
            st.sampled_from(COMMANDS) | st.text(SAFE, min_size=1, max_size=40), label="command"
        )
        rest = data.draw(st.sampled_from(["", "cuisinier", *ROMES]) | any_text, label="rest")
        raw = {"message": {**base, **_command(command, rest)}}
    elif kind in ("press", "forged"):
        bot_messages = h.api.bot_messages(user_id) if user_id in h.api.chats else []
        buttons = [
            (m, b) for m in bot_messages[-6:] for b in m.buttons if "callback_data" in b
        ]
        # Indices, not choices among the chat's buttons: the shape of what is drawn must not
        # depend on the state the previous updates left.
        pick = data.draw(st.integers(0, 10_000), label="button")
        if kind == "press" and buttons:
            message, button = buttons[pick % len(buttons)]
            callback = str(button["callback_data"])
            shown = {"message_id": message.message_id, "date": 0, "chat": chat,
                     "from": {"id": h.api.bot_id, "is_bot": True, "first_name": "Tremplin"},
                     "text": message.text or "…"}
        else:
            args = data.draw(
                st.lists(
                    st.sampled_from([*ROMES, "1", "0", "999999999999", "-1", "cap_jeunes"])
                    | st.text(SAFE, min_size=1, max_size=12),
                    max_size=3,
                ),
                label="args",
            )
            name_ = data.draw(st.sampled_from(ACTIONS) | st.text(SAFE, max_size=4))
            callback = data.draw(
                st.just("|".join(["1", name_, *args])[:64])
                | st.text(max_size=64)
                | st.just("0|" + name_),
                label="callback",
            )
            shown = {"message_id": message_id, "date": 0, "chat": chat,
                     "from": {"id": h.api.bot_id, "is_bot": True, "first_name": "Tremplin"},
                     "text": "…"}
        raw = {
            "callback_query": {
                "id": str(data.draw(st.integers(1, 10**9))),
                "from": user,
                "chat_instance": "ci",
                "data": callback,
                "message": shown,
            }
        }
    elif kind == "media":
        content = data.draw(st.sampled_from(MEDIA), label="media")
        caption = data.draw(st.none() | any_text, label="caption")
        raw = {"message": {**base, **content, **({"caption": caption} if caption else {})}}
    elif kind == "edit":
        raw = {"edited_message": {**base, "text": data.draw(any_text) or "…", "edit_date": 1}}
    elif kind == "group":
        group = {"id": -1_000_000_000_123, "type": "supergroup", "title": "Groupe"}
        raw = {"message": {**base, "chat": group, **_command("start", "")}}
    elif kind == "channel":
        channel = {"id": -1_000_000_000_456, "type": "channel", "title": "Canal"}
        raw = {"channel_post": {"message_id": message_id, "date": 0, "chat": channel,
                                "text": data.draw(any_text) or "…"}}
    elif kind == "inline":
        raw = {"inline_query": {"id": "9", "from": user, "query": data.draw(any_text),
                                "offset": ""}}
    elif kind == "bot":
        other_bot = {**user, "is_bot": True}
        raw = {"message": {**base, "from": other_bot, "text": "/start"}}
    else:  # the same update delivered twice
        pick = data.draw(st.integers(0, 10_000), label="again")
        raw = dict(sent[-1 - pick % min(len(sent), 200)]) if sent else {
            "message": {**base, "text": "/start"}
        }
    sent.append(raw)
    await h.feed(raw)


class _Run:
    """The harness, started once per test run on its own event loop."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        url = f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}"
        self.h: Harness = self.loop.run_until_complete(start(url))
        open_chats(self.h.api, KNOWN_USERS)
        self.batches = 0

    def close(self) -> None:
        self.loop.run_until_complete(self.h.close())
        self.loop.close()


def test_ten_thousand_varied_updates_leave_the_bot_serving_and_the_database_valid(
    tmp_path: Path,
) -> None:
    run = _Run(tmp_path)
    sent: list[dict[str, Any]] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        # The bot's state carries over from batch to batch (as in production), so a batch cannot
        # be replayed or shrunk alone: generate only, and report the failing update as is.
        phases=[Phase.generate],
    )
    @given(st.data())
    def batch(data: st.DataObject) -> None:
        async def body() -> None:
            for _ in range(PER_EXAMPLE):
                await _one_update(run.h, data, sent)
            assert run.h.log.unhandled() == [], [r.getMessage() for r in run.h.log.unhandled()]
            if run.batches % 5 == 0:
                await invariants(run.h.db, run.h.services.env.catalogue)

        run.loop.run_until_complete(body())
        run.batches += 1

    try:
        batch()
        # The bot still serves: a known user's /help gets its answer.
        before = len(run.h.api.bot_messages(KNOWN_USERS[0]))
        run.loop.run_until_complete(
            run.h.feed({"message": {"message_id": 1, "date": 0,
                                    "chat": _private(KNOWN_USERS[0], "A"),
                                    "from": _user(KNOWN_USERS[0], "A", "fr"),
                                    **_command("help", "")}})
        )
        assert len(run.h.api.bot_messages(KNOWN_USERS[0])) > before
        counts = run.loop.run_until_complete(
            invariants(run.h.db, run.h.services.env.catalogue)
        )
        print(f"\nfuzzed {run.h.processed} updates in {run.batches} batches; rows: {counts}")
        assert run.h.processed >= EXAMPLES * PER_EXAMPLE + 1
    finally:
        run.close()
