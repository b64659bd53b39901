"""Property-based robustness (issue 14): at least 10,000 varied updates per run through the real
application and database — any unicode and length, every kind of message, junk commands,
random, stale and forged button data, unknown users mid-flow, the same update twice — and after
every batch: no unhandled exception, and the database's invariants hold.

Each batch's updates run concurrently, one chain per person, through the application's update
processor (as its update loop runs them); the Bot API is the emulator, answered in-process
(see tests/fuzz/harness.py). The run prints its count, rate and the machine's load.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import string
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.handlers import all_actions, all_commands
from tests.fuzz.harness import Harness, invariants, open_chats, start

# 100 batches of 100 updates: at least 10,000 updates per run, asserted. TREMPLIN_FUZZ_UPDATES
# scales the run (a soak run with more); a busy machine takes longer rather than fuzzing less.
UPDATES = int(os.environ.get("TREMPLIN_FUZZ_UPDATES", "10000"))
PER_BATCH = 100
BATCHES = -(-UPDATES // PER_BATCH)
KNOWN_USERS = list(range(610_001, 610_041))
COMMANDS = sorted(all_commands())
ACTIONS = sorted(all_actions())
ROMES = ["J1501", "M1805", "G1602", "K2204", "H2913", "A1203", "Z9999", "j1501", "X" * 32]
ARGUMENTS = [*ROMES, "1", "0", "999999999999", "-1", "cap_jeunes"]
DEPARTEMENTS = ["69", "2A", "971", "75", "13", "00", "999", "Rhône", "lyon"]
LANGUAGES = ["fr", "en", "de", "ar", None, "zz-ZZ"]
SAFE = string.ascii_letters + string.digits + "_.:+-"

# Any unicode, any length up to Telegram's 4,096 characters: mostly short, sometimes long. Long
# texts repeat a drawn piece (drawing 4,000 characters one by one is what would be slow).
_long = st.builds(
    lambda piece, length: (piece * (length // len(piece) + 1))[:length],
    st.text(min_size=1, max_size=40),
    st.integers(400, 4096),
)
any_text = st.one_of(st.text(max_size=60), st.text(max_size=60), st.text(max_size=200), _long)


@dataclass(frozen=True)
class Batch:
    """What hypothesis draws for one batch: texts of its choosing (any unicode, any length, its
    usual edge cases) and a seed for the rest. Drawing each of 10,000 updates' twenty fields
    through hypothesis would cost more than handling them; a seeded generator picks the
    kinds, users and button data, and mixes the drawn texts with random code points."""

    seed: int
    texts: list[str]


batches = st.builds(Batch, st.integers(0, 2**64), st.lists(any_text, min_size=12, max_size=12))


class Texts:
    """Texts for one batch: hypothesis's own, pieces and blends of them, random code points."""

    def __init__(self, rng: random.Random, drawn: list[str]) -> None:
        self.rng = rng
        self.drawn = drawn

    def _code_points(self, size: int) -> str:
        points = []
        for _ in range(size):
            point = self.rng.choice((self.rng.randrange(32, 0x250), self.rng.randrange(0x110000)))
            points.append(chr(point) if not 0xD800 <= point < 0xE000 else "\ufffd")
        return "".join(points)

    def any(self, limit: int = 4096) -> str:
        """Any text of at most `limit` characters."""
        way = self.rng.randrange(4)
        if way == 0:
            text = self.rng.choice(self.drawn)
        elif way == 1:
            first, second = self.rng.choice(self.drawn), self.rng.choice(self.drawn)
            text = first[: self.rng.randrange(len(first) + 1)] + second
        elif way == 2:
            text = self._code_points(self.rng.randrange(1, 60))
        else:
            text = self.rng.choice(self.drawn)[:8] + self._code_points(self.rng.randrange(1, 8))
        return text[:limit]

    def safe(self, low: int, high: int) -> str:
        """A string of command-like characters."""
        return "".join(self.rng.choice(SAFE) for _ in range(self.rng.randrange(low, high + 1)))


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


KINDS = (
    ["text"] * 4
    + ["command"] * 4
    + ["press"] * 6
    + ["forged"] * 2
    + ["departement", "media", "edit", "group", "channel", "inline", "again", "bot"]
)


def update_specs(batch: Batch, count: int) -> list[dict[str, Any]]:
    """Everything `count` updates need, drawn up front from the batch: what is drawn never depends
    on the bot's state (which carries over between batches), only how it is used does."""
    rng = random.Random(batch.seed)
    texts = Texts(rng, batch.texts)
    specs = []
    for _ in range(count):
        specs.append({
            "known": rng.random() < 0.6,
            "user": rng.choice(KNOWN_USERS),
            "stranger": rng.randrange(1, 2**52),
            "name": texts.any(80),
            "lang": rng.choice(LANGUAGES),
            "message_id": rng.randrange(1, 10**6),
            "kind": rng.choice(KINDS),
            "text": texts.any(),
            "departement": rng.choice(DEPARTEMENTS),
            "command": rng.choice(COMMANDS) if rng.random() < 0.7 else texts.safe(1, 40),
            "rest": rng.choice(["", "", "cuisinier", *ROMES, texts.any()]),
            "pick": rng.randrange(10_001),
            "args": [
                rng.choice(ARGUMENTS) if rng.random() < 0.6 else texts.safe(1, 12)
                for _ in range(rng.randrange(4))
            ],
            "action": rng.choice(ACTIONS) if rng.random() < 0.8 else texts.safe(0, 4),
            "callback_form": rng.choice(["ours", "junk", "old"]),
            "junk": texts.any(64),
            "media": rng.randrange(len(MEDIA)),
            "caption": None if rng.random() < 0.5 else texts.any(),
            "query_id": rng.randrange(1, 10**9),
        })  # fmt: skip
    return specs


def chains(specs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The batch as one chain of updates per person (and per group or channel): the chains run
    concurrently, as many people write at once; one person's updates follow each other."""
    by_chat: dict[Any, list[dict[str, Any]]] = {}
    for spec in specs:
        key = spec["kind"] if spec["kind"] in ("group", "channel") else (
            spec["user"] if spec["known"] else spec["stranger"]
        )
        by_chat.setdefault(key, []).append(spec)
    return list(by_chat.values())


async def _one_update(h: Harness, spec: dict[str, Any], sent: list[dict[str, Any]]) -> None:
    """Build one update from its spec and the chats so far (to press real buttons), feed it."""
    user_id = spec["user"] if spec["known"] else spec["stranger"]
    name = spec["name"]
    user = _user(user_id, name, spec["lang"])
    chat = _private(user_id, name)
    message_id = spec["message_id"]
    base = {"message_id": message_id, "date": 0, "chat": chat, "from": user}
    kind = spec["kind"]
    text = spec["text"] or "…"
    bot_user = {"id": h.api.bot_id, "is_bot": True, "first_name": "Tremplin"}
    raw: dict[str, Any]
    if kind == "text":
        raw = {"message": {**base, "text": text}}
    elif kind == "departement":
        raw = {"message": {**base, "text": spec["departement"]}}
    elif kind == "command":
        raw = {"message": {**base, **_command(spec["command"], spec["rest"])}}
    elif kind in ("press", "forged"):
        bot_messages = h.api.bot_messages(user_id) if user_id in h.api.chats else []
        buttons = [
            (m, b) for m in bot_messages[-6:] for b in m.buttons if "callback_data" in b
        ]
        if kind == "press" and buttons:
            message, button = buttons[spec["pick"] % len(buttons)]
            callback = str(button["callback_data"])
            shown = {"message_id": message.message_id, "date": 0, "chat": chat,
                     "from": bot_user, "text": message.text or "…"}
        else:
            callback = {
                "ours": "|".join(["1", spec["action"], *spec["args"]])[:64],
                "junk": spec["junk"],
                "old": "0|" + spec["action"],
            }[spec["callback_form"]]
            shown = {"message_id": message_id, "date": 0, "chat": chat, "from": bot_user,
                     "text": "…"}
        raw = {
            "callback_query": {
                "id": str(spec["query_id"]),
                "from": user,
                "chat_instance": "ci",
                "data": callback,
                "message": shown,
            }
        }
    elif kind == "media":
        caption = spec["caption"]
        raw = {"message": {**base, **MEDIA[spec["media"]],
                           **({"caption": caption} if caption else {})}}
    elif kind == "edit":
        raw = {"edited_message": {**base, "text": text, "edit_date": 1}}
    elif kind == "group":
        group = {"id": -1_000_000_000_123, "type": "supergroup", "title": "Groupe"}
        raw = {"message": {**base, "chat": group, **_command("start", "")}}
    elif kind == "channel":
        channel = {"id": -1_000_000_000_456, "type": "channel", "title": "Canal"}
        raw = {"channel_post": {"message_id": message_id, "date": 0, "chat": channel,
                                "text": text}}
    elif kind == "inline":
        raw = {"inline_query": {"id": "9", "from": user, "query": spec["text"][:256],
                                "offset": ""}}
    elif kind == "bot":
        raw = {"message": {**base, "from": {**user, "is_bot": True}, "text": "/start"}}
    else:  # the same update delivered twice (Telegram's retry), or sent twice (a new update)
        raw = (
            dict(sent[-1 - spec["pick"] % min(len(sent), 200)])
            if sent
            else {"message": {**base, "text": "/start"}}
        )
        if spec["pick"] % 2:
            raw.pop("update_id", None)
    sent.append(raw)
    await h.feed(raw)


async def _onboard(h: Harness, user_id: int) -> None:
    base = {"message_id": 1, "date": 0, "chat": _private(user_id, "Zoé"),
            "from": _user(user_id, "Zoé", "fr")}
    await h.feed({"message": {**base, **_command("start", "")}})
    await h.feed({"message": {**base, "text": "69"}})
    last = h.api.bot_messages(user_id)[-1]
    data = [b["callback_data"] for b in last.buttons if "callback_data" in b]
    if data:
        await h.feed({"callback_query": {
            "id": str(user_id), "from": base["from"], "chat_instance": "ci", "data": data[-1],
            "message": {"message_id": last.message_id, "date": 0, "chat": base["chat"],
                        "from": {"id": h.api.bot_id, "is_bot": True, "first_name": "T"},
                        "text": last.text or "…"},
        }})


def _fuzz_database(tmp: Path) -> str:
    """The run's SQLite file, in memory-backed /dev/shm where there is one: the same database
    and driver as on disk, without the disk."""
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp
    return f"sqlite+aiosqlite:///{folder / 'fuzz.db'}"


class _Run:
    """The harness, started once per test run on its own event loop."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.url = _fuzz_database(tmp)
        self.h: Harness = self.loop.run_until_complete(start(self.url, bot_api="in-process"))
        open_chats(self.h.api, KNOWN_USERS)
        self.batches = 0

    def close(self) -> None:
        self.loop.run_until_complete(self.h.close())
        self.loop.close()
        if self.url.startswith("sqlite+aiosqlite:////dev/shm/"):
            shutil.rmtree(Path(self.url.removeprefix("sqlite+aiosqlite:///")).parent)


@pytest.mark.timeout(1800)  # a busy machine takes longer; the count is not cut short
def test_ten_thousand_varied_updates_leave_the_bot_serving_and_the_database_valid(
    tmp_path: Path,
) -> None:
    run = _Run(tmp_path)
    sent: list[dict[str, Any]] = []
    drawn_kinds: Counter[str] = Counter()

    @settings(
        max_examples=BATCHES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        # The bot's state carries over from batch to batch (as in production), so a batch cannot
        # be replayed or shrunk alone: generate only, and report the failing update as is.
        phases=[Phase.generate],
    )
    @given(batches)
    def batch(drawn: Batch) -> None:
        if run.batches >= BATCHES:
            return  # hypothesis may try more examples than asked; the count is exact

        async def chain(specs: list[dict[str, Any]]) -> None:
            for spec in specs:
                drawn_kinds[spec["kind"]] += 1
                await _one_update(run.h, spec, sent)

        async def body() -> None:
            specs = update_specs(drawn, PER_BATCH)
            await asyncio.gather(*(chain(c) for c in chains(specs)))
            assert run.h.log.unhandled() == [], [r.getMessage() for r in run.h.log.unhandled()]
            if run.batches % 10 == 0:
                await invariants(run.h.db, run.h.services.env.catalogue)

        run.loop.run_until_complete(body())
        run.batches += 1

    try:
        # Known users start onboarded, so that the fuzz reaches the deeper flows too.
        for user_id in KNOWN_USERS:
            run.loop.run_until_complete(_onboard(run.h, user_id))
        onboarding = run.h.processed
        started, cpu = time.monotonic(), time.process_time()
        batch()
        fuzzed = run.h.processed - onboarding
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
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
        kinds = Counter(raw_kind(raw) for raw in sent)
        print(
            f"\nfuzzed {fuzzed} updates in {run.batches} batches, {seconds:.0f} s "
            f"({fuzzed / seconds:.0f}/s, {cpu / fuzzed * 1000:.1f} ms of CPU each, load "
            f"{os.getloadavg()[0]:.1f}); drawn: "
            f"{dict(drawn_kinds)}; as sent: {dict(kinds)}; rows: {counts}"
        )
        assert fuzzed >= UPDATES
        assert set(drawn_kinds) == set(KINDS), drawn_kinds  # every kind of update was tried
    finally:
        run.close()


def raw_kind(raw: dict[str, Any]) -> str:
    """What an update is, for the count printed at the end."""
    kind = next(key for key in raw if key != "update_id")
    message = raw[kind]
    if kind == "message":
        chat_type = message["chat"]["type"]
        if chat_type != "private":
            return chat_type
        for media in ("photo", "sticker", "location", "contact", "voice", "document",
                      "video_note", "dice"):
            if media in message:
                return media
        if message.get("entities"):
            return "command"
    return str(kind)
