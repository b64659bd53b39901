"""Update throughput of the whole bot, beside a bare python-telegram-bot echo bot.

Run from the repository root: ``python bench/bench_throughput.py`` (``--quick`` for shorter
windows; ``--postgres-url postgresql://…`` adds the PostgreSQL run, taken by default from
TREMPLIN_TEST_POSTGRES_URL; ``--profile pyinstrument|cprofile`` profiles the bot process).

This process serves the fake Bot API (the project's emulator) on loopback and plays simulated
users; each bot runs in its own process, exactly as `tremplin run` starts it, long polling that
server. Users are a closed loop: each sends its next update when the answer to the previous one
has arrived (the expected messages, or the answer to a button press).

- *Peer*: a bare python-telegram-bot echo bot (`bench/echo_bot.py`), measured on the same
  server in the same run (before and after Tremplin, to see the machine's drift); its users
  send text and wait for the echo.
- *Tremplin*: each simulated user onboards (/start, a département, a priority, done), then runs
  cycles of: a plain-text career search, opening a result's card, saving it, /explore, the next
  page, opening a card, its training options; after two cycles it leaves and a new user starts.
  Measured on a temporary SQLite file and, when a server is given, on a fresh PostgreSQL database.

Printed for each: updates answered per second at full load (closed loop), reply latency p50 and
p95 at full load and at half of Tremplin's own full-load rate (paced), and the resident memory
of the bot process (now and peak). Goals (issue 15): rate ≥ 70 % of the echo bot's, p95 < 100 ms
at half load, RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.scratch import create_database, drop_database  # noqa: E402
from tremplin.playground.emulator import BotApiEmulator, ChatMessage, FakeUser  # noqa: E402
from tremplin.serving import serve  # noqa: E402

TOKEN = "123456:BENCH-throughput"
SEARCHES = [
    "boulanger",
    "plombier",
    "cuisinier",
    "infirmier",
    "électricien",
    "comptable",
    "vendeur",
    "maçon",
    "aide-soignant",
    "chauffeur",
    "coiffeur",
    "jardinier",
]
STEP_TIMEOUT = 15.0


class BenchApi(BotApiEmulator):
    """The emulator, telling each waiting simulated user when its answer arrived.

    Waiters are per chat (and per button press), so a message wakes only the user it is for.
    """

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.replies: Counter[int] = Counter()
        self._waiting: dict[int, tuple[int, asyncio.Future[None]]] = {}
        self._answers: dict[str, asyncio.Future[None]] = {}
        self.polled = asyncio.Event()

    def _bump(self, chat_id: int) -> None:
        self.replies[chat_id] += 1
        waiting = self._waiting.get(chat_id)
        if waiting is not None and self.replies[chat_id] >= waiting[0]:
            del self._waiting[chat_id]
            if not waiting[1].done():
                waiting[1].set_result(None)

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polled.set()
        # Short long-polls, so that the server is not left holding a stopped bot's request.
        params = {**params, "timeout": min(float(params.get("timeout") or 0), 1.0)}
        return await super()._api_getupdates(params)

    async def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._api_sendmessage(params)
        self._bump(int(result["chat"]["id"]))
        return result

    async def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._api_editmessagetext(params)
        self._bump(int(result["chat"]["id"]))
        return result

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        answered = await super()._api_answercallbackquery(params)
        future = self._answers.pop(str(params.get("callback_query_id") or ""), None)
        if future is not None and not future.done():
            future.set_result(None)
        return answered

    async def say(self, user: FakeUser, text: str, expect: int) -> list[ChatMessage]:
        """Send text; return once `expect` bot messages (or edits) arrived in the chat."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        before = len(self.bot_messages(user.id))
        self._waiting[user.id] = (self.replies[user.id] + expect, future)
        await self.user_says(user, text)
        await asyncio.wait_for(future, STEP_TIMEOUT)
        return self.bot_messages(user.id)[before:]

    async def press(self, user: FakeUser, message: ChatMessage, data: str) -> list[ChatMessage]:
        """Press a button; return once the press is answered (the bot answers last)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        before = len(self.bot_messages(user.id))
        query_id = str(next(self._callback_ids))
        self._answers[query_id] = future
        self._pending_callbacks.add(query_id)
        await self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.as_dict(),
                "chat_instance": f"ci{user.id}",
                "message": self._message_dict(message, user),
                "data": data,
            },
        )
        await asyncio.wait_for(future, STEP_TIMEOUT)
        return self.bot_messages(user.id)[before:]

    def trim(self) -> None:
        """Forget old requests and messages, so the harness's memory stays flat."""
        self.calls.clear()
        for chat in self.chats.values():
            del chat.messages[:-20]


def button(messages: list[ChatMessage], action: str, index: int = 0) -> tuple[ChatMessage, str]:
    """The `index`-th button (among those of `action`) in these messages, newest first."""
    for message in reversed(messages):
        found = [
            str(b["callback_data"])
            for b in message.buttons
            if str(b.get("callback_data", "")).split("|")[1:2] == [action]
        ]
        if found:
            return message, found[min(index, len(found) - 1)]
    raise LookupError(action)


# ----- what the simulated users do -----------------------------------------------------------


@dataclass
class Load:
    """Figures of one load phase, collected by every simulated user."""

    started: float = 0.0
    window: tuple[float, float] = (0.0, 0.0)
    latencies: list[float] = field(default_factory=list)
    done: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    total: int = 0  # steps answered, warm-up included
    harness_cpu: float = 0.0  # share of a core this process (fake API and users) used

    def record(self, kind: str, began: float, ended: float) -> None:
        self.total += 1
        if self.window[0] <= began and ended <= self.window[1]:
            self.latencies.append(ended - began)
            self.done += 1
            self.kinds[kind] += 1

    def rate(self) -> float:
        return self.done / (self.window[1] - self.window[0])

    def percentile(self, share: float) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[
            round(share * 100) - 1
        ]


Step = Callable[[], Awaitable[None]]


class Pacer:
    """Runs one user's steps, timing each; paced to `interval` seconds apart when given."""

    def __init__(self, load: Load, stop_at: float, interval: float | None) -> None:
        self.load = load
        self.stop_at = stop_at
        self.interval = interval
        self.next_at = time.monotonic() + (random.random() * interval if interval else 0.0)

    def running(self) -> bool:
        return time.monotonic() < self.stop_at

    async def step(self, kind: str, action: Step) -> bool:
        """Run one step; False when the phase is over or the step failed."""
        if self.interval is not None:
            delay = self.next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            # Exponential gaps: arrivals as independent people make them, not in lock-step.
            self.next_at = max(self.next_at, time.monotonic()) + random.expovariate(
                1 / self.interval
            )
        if not self.running():
            return False
        began = time.monotonic()
        try:
            await action()
        except (TimeoutError, LookupError) as exc:
            self.load.errors[f"{kind}: {type(exc).__name__}"] += 1
            return False
        self.load.record(kind, began, time.monotonic())
        return True


async def echo_user(api: BenchApi, uid: int, pacer: Pacer) -> None:
    """The peer's user: writes a line, waits for the echo."""
    user = FakeUser(uid, f"U{uid}")
    api.ensure_chat(user)
    n = 0
    while pacer.running():
        n += 1
        text = f"bonjour {n}"
        await pacer.step("text", lambda text=text: api.say(user, text, 1))  # type: ignore[misc]


async def tremplin_user(api: BenchApi, first_uid: int, stride: int, pacer: Pacer) -> None:
    """A stream of people: each onboards, runs two exploration cycles, and leaves."""
    uid = first_uid
    rng = random.Random(first_uid)
    while pacer.running():
        user = FakeUser(uid, f"Camille{uid}")
        api.ensure_chat(user)
        if not await tremplin_session(api, user, pacer, rng):
            # A failed step leaves the chat in an unknown state: start with a new person.
            pass
        uid += stride


async def tremplin_session(api: BenchApi, user: FakeUser, pacer: Pacer, rng: random.Random) -> bool:
    """One person's visit; False as soon as a step fails or the phase ends."""
    seen: list[ChatMessage] = []

    def keep(messages: list[ChatMessage]) -> None:
        seen[:] = messages or seen

    async def say(text: str, expect: int) -> None:
        keep(await api.say(user, text, expect))

    async def tap(action: str, index: int = 0) -> None:
        message, data = button(seen, action, index)
        fresh = await api.press(user, message, data)
        keep(fresh or [message])

    steps: list[tuple[str, Step]] = [
        ("onboarding", lambda: say("/start", 2)),
        ("onboarding", lambda: say("69", 2)),
        ("onboarding", lambda: tap("pr", rng.randrange(4))),
        ("onboarding", lambda: tap("pd")),
    ]
    for _ in range(2):
        steps += [
            ("search", lambda: say(rng.choice(SEARCHES), 1)),
            ("card", lambda: tap("ec")),
            ("save", lambda: tap("sv")),
            ("explore", lambda: say("/explore", 1)),
            ("explore", lambda: tap("es", 99)),  # the last section button: the next page
            ("card", lambda: tap("ec", rng.randrange(5))),
            ("training", lambda: tap("tr")),
        ]
    for kind, action in steps:
        if not await pacer.step(kind, action):
            return False
    return True


async def run_load(
    api: BenchApi,
    user: Callable[[BenchApi, int, int, Pacer], Awaitable[None]] | None,
    users: int,
    warmup: float,
    seconds: float,
    *,
    rate: float | None = None,
    first_uid: int = 1,
) -> Load:
    """`users` simulated users for warm-up + `seconds`; paced to `rate` updates/s when given."""
    load = Load()
    now = load.started = time.monotonic()
    load.window = (now + warmup, now + warmup + seconds)
    interval = users / rate if rate else None
    tasks = []
    for i in range(users):
        pacer = Pacer(load, load.window[1], interval)
        if user is None:
            tasks.append(echo_user(api, first_uid + i, pacer))
        else:
            tasks.append(user(api, first_uid + i, users, pacer))
    await asyncio.gather(*tasks)
    api.trim()
    return load


# ----- the bot processes -----------------------------------------------------------------------


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM) of a process, in MB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def bot_process(api: BenchApi, command: list[str], env: dict[str, str], cwd: Path) -> Any:
    """Start a bot process, wait for its first getUpdates, stop it with SIGTERM at the end."""
    api.polled.clear()
    log = (cwd / "bot.log").open("ab")
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=log,
        stderr=log,
    )
    try:
        await asyncio.wait_for(api.polled.wait(), 60)
        await asyncio.sleep(0.5)
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


@dataclass
class Result:
    """What one bot did under full load (and half load for Tremplin)."""

    name: str
    full: Load
    half: Load | None
    rss: tuple[float, float]
    cpu: float = 0.0  # the bot process's CPU seconds during the full-load phase


async def measured(pid: int, phase: Awaitable[Load]) -> tuple[Load, float]:
    """Run a load phase; also return the bot's CPU time per update answered (ms)."""
    before, mine, started = cpu_seconds(pid), cpu_seconds(os.getpid()), time.monotonic()
    load = await phase
    spent = cpu_seconds(pid) - before
    load.harness_cpu = (cpu_seconds(os.getpid()) - mine) / (time.monotonic() - started)
    return load, 1000 * spent / max(load.total, 1)


def describe(result: Result, peer_rate: float | None) -> str:
    full = result.full
    share = f" = {full.rate() / peer_rate:.0%} of the echo bot" if peer_rate else ""
    lines = [
        f"  {result.name}: {full.rate():.1f} updates/s{share}; "
        f"full load p50 {full.percentile(0.5) * 1000:.0f} ms, "
        f"p95 {full.percentile(0.95) * 1000:.0f} ms; "
        f"RSS {result.rss[0]:.0f} MB (peak {result.rss[1]:.0f} MB); "
        f"bot CPU {result.cpu:.1f} ms per update (fake API and users: "
        f"{full.harness_cpu:.0%} of a core)"
    ]
    if result.half is not None:
        half = result.half
        lines.append(
            f"    half load ({half.rate():.1f} updates/s achieved): "
            f"p50 {half.percentile(0.5) * 1000:.0f} ms, p95 {half.percentile(0.95) * 1000:.0f} ms"
        )
    errors = full.errors + (result.half.errors if result.half else Counter())
    if errors:
        lines.append(f"    failed steps: {dict(errors)}")
    if result.name != "echo bot":
        lines.append(f"    mix: {dict(full.kinds)}")
    return "\n".join(lines)


async def measure_echo(api: BenchApi, options: argparse.Namespace, work: Path) -> Result:
    command = [sys.executable, str(ROOT / "bench" / "echo_bot.py"), TOKEN, options.root]
    async with bot_process(api, command, {}, work) as process:
        full, cpu = await measured(
            process.pid, run_load(api, None, options.users, options.warmup, options.seconds)
        )
        rss = memory_mb(process.pid)
    return Result("echo bot", full, None, rss, cpu)


async def measure_tremplin(
    api: BenchApi, options: argparse.Namespace, work: Path, name: str, database_url: str
) -> Result:
    command = [sys.executable, "-m", "tremplin.cli", "run"]
    if options.profile == "pyinstrument":
        # Wall-clock: where an update's time goes, waits included.
        profile = work / f"profile-{name.split()[-1]}.txt"
        command = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(profile),
                   "-m", "tremplin.cli", "run"]  # fmt: skip
    elif options.profile == "cprofile":
        # Deterministic, and a suspended coroutine is not running: close to CPU time per call.
        profile = work / f"profile-{name.split()[-1]}.pstats"
        command = [sys.executable, "-m", "cProfile", "-o", str(profile),
                   "-m", "tremplin.cli", "run"]  # fmt: skip
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TREMPLIN_BOT_API_URL": options.root,
        "TREMPLIN_DATABASE_URL": database_url,
        "TREMPLIN_LOG_LEVEL": "WARNING",
        "TREMPLIN_NUDGE_POLL_SECONDS": "15",
    }
    base = options.first_uid
    options.first_uid += 10_000_000
    async with bot_process(api, command, env, work) as process:
        if options.fixed:
            await fixed_mix(api, process.pid, options.fixed, base + 9_000_000)
        full, cpu = await measured(
            process.pid,
            run_load(
                api, tremplin_user, options.users, options.warmup, options.seconds, first_uid=base
            ),
        )
        rss = memory_mb(process.pid)
        half = await run_load(
            api,
            tremplin_user,
            options.users,
            options.warmup,
            options.seconds,
            rate=full.rate() / 2,
            first_uid=base + 5_000_000,
        )
        rss = max(rss, memory_mb(process.pid))
    if options.profile:
        print(f"    profile written to {profile}")
    return Result(name, full, half, rss, cpu)


async def fixed_mix(api: BenchApi, pid: int, sessions: int, first_uid: int) -> None:
    """The bot's CPU time per update for a fixed piece of work, whatever the machine's load:
    `sessions` people (10 at a time) each do one whole visit (18 updates: onboarding, then twice
    search, card, save, /explore, next page, card, training), after 5 visits to warm up."""
    for count, label in ((5, None), (sessions, "measured")):
        load = Load(window=(0.0, float("inf")))
        before = cpu_seconds(pid)
        queue = list(range(first_uid, first_uid + count))
        first_uid += count

        async def visitor(queue: list[int] = queue, load: Load = load) -> None:
            rng = random.Random(len(queue))
            while queue:
                user = FakeUser(queue.pop(), "Camille")
                api.ensure_chat(user)
                await tremplin_session(api, user, Pacer(load, float("inf"), None), rng)

        await asyncio.gather(*(visitor() for _ in range(10)))
        if label:
            spent = cpu_seconds(pid) - before
            print(
                f"    fixed mix: {sessions} visits, {load.done} updates answered "
                f"(failed steps: {dict(load.errors) or 'none'}): bot CPU "
                f"{1000 * spent / max(load.done, 1):.1f} ms per update",
                flush=True,
            )


async def main_async(options: argparse.Namespace) -> None:
    api = BenchApi(TOKEN)
    options.first_uid = 1_000_000
    with tempfile.TemporaryDirectory() as directory:
        work = options.profile_path if options.profile else Path(directory)
        async with serve(api.app()) as root:
            options.root = root
            print(
                f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {options.users} users "
                f"in a closed loop, {options.warmup:.0f} s warm-up + {options.seconds:.0f} s "
                "measured per phase",
                flush=True,
            )
            echo = [await measure_echo(api, options, work)]
            print(describe(echo[0], None), flush=True)
            results: list[Result] = []
            if not options.no_sqlite:
                url = f"sqlite+aiosqlite:///{work / f'bench-{uuid.uuid4().hex[:6]}.db'}"
                results.append(await measure_tremplin(api, options, work, "Tremplin, SQLite", url))
                print(describe(results[-1], echo[0].full.rate()), flush=True)
            if options.postgres_url:
                url = await create_database(options.postgres_url, "tremplin_bench")
                try:
                    results.append(
                        await measure_tremplin(api, options, work, "Tremplin, PostgreSQL", url)
                    )
                finally:
                    await drop_database(options.postgres_url, url)
                print(describe(results[-1], echo[0].full.rate()), flush=True)
            echo.append(await measure_echo(api, options, work))
            print(describe(echo[1], None) + "  (again, after Tremplin)", flush=True)
    peer = statistics.mean(e.full.rate() for e in echo)
    print(f"== against the echo bot's mean of both runs ({peer:.1f} updates/s):")
    for result in results:
        half = result.half
        print(
            f"  {result.name}: {result.full.rate() / peer:.0%} of the echo bot (goal ≥ 70 %), "
            f"half-load p95 {half.percentile(0.95) * 1000 if half else float('nan'):.0f} ms "
            f"(goal < 100 ms), peak RSS {result.rss[1]:.0f} MB (goal < 150 MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--quick", action="store_true", help="8 s measured per phase")
    parser.add_argument("--postgres-url", default=os.environ.get("TREMPLIN_TEST_POSTGRES_URL", ""))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--profile",
        choices=["pyinstrument", "cprofile"],
        default=None,
        help="profile the bot process (pyinstrument: wall clock; cprofile: time on the CPU)",
    )
    parser.add_argument("--profile-dir", default="bench-profiles")
    parser.add_argument(
        "--fixed",
        type=int,
        default=0,
        metavar="VISITS",
        help="first measure the bot's CPU per update over this many whole visits (fixed work)",
    )
    options = parser.parse_args()
    if options.quick:
        options.seconds, options.warmup = 8.0, 2.0
    options.profile_path = Path(options.profile_dir).resolve()
    if options.profile:
        options.profile_path.mkdir(parents=True, exist_ok=True)
    asyncio.run(main_async(options))


if __name__ == "__main__":
    main()
