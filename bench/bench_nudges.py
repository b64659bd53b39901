"""Benchmarks of the nudges' outbox and dispatcher (`coaching/nudges/`).

Run from the repository root: ``python bench/bench_nudges.py`` (``--quick`` for smaller sizes,
``--database-url postgresql://…`` to use PostgreSQL instead of a temporary SQLite file).

1. *Throughput*: 10,000 nudges due at once, sent by the real dispatcher through
   python-telegram-bot to the fake Bot API in flood-control mode (30 messages a second, one a
   second per chat, 429 with retry_after beyond). Prints the achieved rate as a share of the
   budget (25/s; goal ≥ 95 %), duplicates, lost nudges and 429s (goals 0). Peer: the same fake
   API with 1,000 messages sent by a naive loop (20 concurrent sends, no pacing), which is what
   a dispatcher without a budget does.
   With ``--database-url postgresql://…`` the same run follows with two dispatcher processes
   sharing the database (and the budget), as two bot workers do.
2. *Scale*: 1,000,000 pending nudges in the database. Prints the time from process start to the
   end of the scheduler's first pass (recovery and claim included) and the peak memory of that
   process (goals < 2 s, < 300 MB). Peer: the naive design, one APScheduler job per nudge in
   the memory job store, which must load every pending nudge into jobs at start.
Each scale measurement runs in a fresh process, so its memory is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from telegram import Bot  # noqa: E402

from bot.messenger import TelegramMessenger  # noqa: E402
from coaching.nudges.dispatcher import DispatchConfig, Dispatcher  # noqa: E402
from coaching.nudges.scheduler import NudgeScheduler  # noqa: E402
from journey.conversation import LoggingMessenger  # noqa: E402
from kernel.turn import Environment  # noqa: E402
from messages.outgoing import Reply  # noqa: E402
from migrations.apply import upgrade_async  # noqa: E402
from scoring.catalogue import load_catalogue  # noqa: E402
from storage import scratch  # noqa: E402
from storage.engine import Database  # noqa: E402
from storage.models import Nudge, SavedCareer, User, utcnow  # noqa: E402
from tremplin.playground.emulator import BotApiEmulator, FakeUser  # noqa: E402
from tremplin.serving import serve  # noqa: E402

TOKEN = "123456:BENCH-token"
RATE = 25.0
CHUNK = 20_000


def peak_mb() -> float:
    """This process's peak resident memory since it started (exec), in MB.

    VmHWM rather than ru_maxrss: on Linux ru_maxrss survives execve, so a child started by a
    big parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def fresh_database(url: str | None, directory: Path, name: str) -> str:
    """A migrated, empty database: a SQLite file, or a new database on the given server."""
    if url is None:
        target = f"sqlite+aiosqlite:///{directory / (name + '.db')}"
    else:
        target = await scratch.create_database(url, name)
    await upgrade_async(target)
    return target


async def drop_database(url: str | None, database_url: str) -> None:
    """Drop a benchmark database made on a PostgreSQL server (SQLite files go with the folder)."""
    if url is not None:
        await scratch.drop_database(url, database_url)


def flood_controlled_api(count: int) -> tuple[BotApiEmulator, list[float]]:
    """The fake Bot API with Telegram's flood limits (30 messages a second, one a second per
    chat, 429 beyond) and `count` users' chats open; with the list each sendMessage's time is
    appended to."""
    api = BotApiEmulator(TOKEN)
    api.limit_rate(per_second=30, chat_gap=1.0)
    for uid in range(1, count + 1):
        api.ensure_chat(FakeUser(uid))
    sent_at: list[float] = []
    api.on_call = lambda method, params: (
        sent_at.append(time.monotonic()) if method.lower() == "sendmessage" else None
    )
    return api, sent_at


def delivery(api: BotApiEmulator, count: int, sent_at: list[float]) -> tuple[int, int, float]:
    """Duplicated and lost nudges over the `count` chats, and the achieved messages a second."""
    per_chat = Counter({uid: len(api.bot_messages(uid)) for uid in range(1, count + 1)})
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    lost = sum(1 for n in per_chat.values() if n == 0)
    span = sent_at[-1] - sent_at[0] if len(sent_at) > 1 else 0.0
    rate = (len(sent_at) - 1) / span if span else 0.0
    return duplicates, lost, rate


async def fill(db: Database, users: int, steps: int, due_now: bool) -> None:
    """`users` users who saved a career, with `steps` pending nudges each (bulk inserts)."""
    now = utcnow()
    user_rows = [
        {
            "id": uid,
            "chat_id": uid,
            "first_name": f"U{uid}",
            "language": "fr",
            "departement": "69",
            "priorities": [],
            "onboarded": True,
            "nudges_stopped": False,
            "unreachable": False,
            "created_at": now,
            "updated_at": now,
        }
        for uid in range(1, users + 1)
    ]
    for start in range(0, len(user_rows), CHUNK):
        async with db.transaction() as session:
            await session.execute(insert(User), user_rows[start : start + CHUNK])
            await session.execute(
                insert(SavedCareer),
                [
                    {"user_id": row["id"], "rome": "J1501", "saved_at": now}
                    for row in user_rows[start : start + CHUNK]
                ],
            )
    batch: list[dict[str, Any]] = []
    for uid in range(1, users + 1):
        for step in range(1, steps + 1):
            due = now if due_now else now + timedelta(days=step * 2, seconds=uid % 86_400)
            batch.append(
                {
                    "user_id": uid,
                    "sequence": 1,
                    "kind": "step",
                    "step": step,
                    "variant": "a",
                    "due_at": due,
                    "state": "pending",
                    "attempts": 0,
                    "created_at": now,
                }
            )
            if len(batch) >= CHUNK:
                async with db.transaction() as session:
                    await session.execute(insert(Nudge), batch)
                batch = []
    if batch:
        async with db.transaction() as session:
            await session.execute(insert(Nudge), batch)


# ----- 1. throughput ---------------------------------------------------------------------


async def bench_throughput(url: str | None, directory: Path, count: int) -> None:
    database_url = await fresh_database(url, directory, "bench_nudges_rate")
    db = Database(database_url)
    await fill(db, count, 1, due_now=True)
    api, sent_at = flood_controlled_api(count)
    async with serve(api.app()) as root:
        bot = Bot(TOKEN, base_url=f"{root}/bot")
        async with bot:
            messenger = LoggingMessenger(TelegramMessenger(bot), db.sessions)
            env = Environment(catalogue=load_catalogue(), quiet_hours=None, nudge_daily_cap=None)
            dispatcher = Dispatcher(db, messenger, env, DispatchConfig(rate=RATE))
            started = time.monotonic()
            await dispatcher.run()
            elapsed = time.monotonic() - started
        async with db.transaction() as session:
            grouped = await session.execute(select(Nudge.state, func.count()).group_by(Nudge.state))
            states = {state: number for state, number in grouped.all()}
    duplicates, lost, rate = delivery(api, count, sent_at)
    print(
        f"  dispatcher: {count:,} nudges due at once, budget {RATE:.0f}/s, fake API 30/s\n"
        f"    achieved {rate:.2f} messages/s = {rate / RATE:.1%} of the budget "
        f"({count:,} in {elapsed:.1f} s from the first claim)\n"
        f"    duplicates {duplicates}, lost {lost}, 429s {api.rate_limited}, "
        f"rows {dict(sorted(states.items()))}"
    )
    await db.dispose()
    await drop_database(url, database_url)
    await bench_naive_peer(min(count, 1000))


async def bench_naive_peer(count: int) -> None:
    """Peer: sends as fast as 20 concurrent requests go, no budget, 429s simply counted."""
    api, _ = flood_controlled_api(count)
    async with serve(api.app()) as root:
        bot = Bot(TOKEN, base_url=f"{root}/bot")
        async with bot:
            messenger = TelegramMessenger(bot)
            gate = asyncio.Semaphore(20)
            refused = 0

            async def send(uid: int) -> None:
                nonlocal refused
                async with gate:
                    try:
                        await messenger.send(uid, Reply("Bonjour", "bench"))
                    except Exception:
                        refused += 1

            started = time.monotonic()
            await asyncio.gather(*(send(uid) for uid in range(1, count + 1)))
            elapsed = time.monotonic() - started
    delivered = count - refused
    print(
        f"  peer, naive loop (20 concurrent, no budget): {count:,} sends in {elapsed:.1f} s, "
        f"{delivered:,} delivered, {api.rate_limited:,} answered 429 "
        f"({api.rate_limited / count:.0%}), all of which a real sender must retry"
    )


async def bench_two_workers(url: str, directory: Path, count: int) -> None:
    """The throughput run with two dispatcher processes sharing one PostgreSQL database."""
    database_url = await fresh_database(url, directory, "bench_nudges_two")
    db = Database(database_url)
    await fill(db, count, 1, due_now=True)
    api, sent_at = flood_controlled_api(count)
    async with serve(api.app()) as root:
        started = time.monotonic()
        workers = []
        for name in ("one", "two"):
            child = ["--child", "worker", "--database-url", database_url, "--api-root", root]
            workers.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, __file__, *child, "--worker-name", name
                )
            )
        await asyncio.gather(*(worker.wait() for worker in workers))
        elapsed = time.monotonic() - started
    async with db.transaction() as session:
        grouped = await session.execute(select(Nudge.state, func.count()).group_by(Nudge.state))
        states = {state: number for state, number in grouped.all()}
        by_worker = await session.execute(
            select(Nudge.claimed_by, func.count()).group_by(Nudge.claimed_by)
        )
        shares = {str(worker): number for worker, number in by_worker.all()}
    duplicates, lost, rate = delivery(api, count, sent_at)
    print(
        f"  two dispatcher processes on PostgreSQL: {count:,} nudges due at once, budget "
        f"{RATE:.0f}/s for both together, fake API 30/s\n"
        f"    achieved {rate:.2f} messages/s = {rate / RATE:.1%} of the budget "
        f"({count:,} in {elapsed:.1f} s, process start included)\n"
        f"    duplicates {duplicates}, lost {lost}, 429s {api.rate_limited}, "
        f"rows {dict(sorted(states.items()))}, claimed by {dict(sorted(shares.items()))}"
    )
    await db.dispose()
    await drop_database(url, database_url)


async def child_worker(database_url: str, api_root: str, name: str) -> None:
    """In a fresh process: one dispatcher, as a bot process runs it, until nothing is left."""
    db = Database(database_url)
    bot = Bot(TOKEN, base_url=f"{api_root}/bot")
    async with bot:
        messenger = LoggingMessenger(TelegramMessenger(bot), db.sessions)
        env = Environment(catalogue=load_catalogue(), quiet_hours=None, nudge_daily_cap=None)
        dispatcher = Dispatcher(db, messenger, env, DispatchConfig(rate=RATE), worker=name)
        scheduler = NudgeScheduler(dispatcher, poll_seconds=0.2)
        await scheduler.start()
        while True:
            await asyncio.sleep(0.5)
            async with db.transaction() as session:
                left = await session.scalar(
                    select(func.count()).where(Nudge.state.in_(("pending", "sending")))
                )
            if not left:
                break
        await scheduler.stop()
    await db.dispose()


# ----- 2. scale: start time and memory with many pending nudges -----------------------------


async def child_dispatcher(database_url: str, spawned: float) -> None:
    """In a fresh process: start the scheduler and time its first pass over the outbox."""
    started = time.monotonic()

    class NoSend:
        async def send(self, chat_id: int, reply: Reply, *, html: bool = True) -> int:
            raise AssertionError("nothing is due")

        async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
            raise AssertionError("never")

    db = Database(database_url)
    env = Environment(catalogue=load_catalogue(), quiet_hours=None, nudge_daily_cap=None)
    dispatcher = Dispatcher(db, NoSend(), env, DispatchConfig(rate=RATE))
    scheduler = NudgeScheduler(dispatcher, poll_seconds=15)
    await scheduler.start()
    await scheduler.first_pass.wait()
    ready = time.monotonic() - started
    since_spawn = time.time() - spawned
    jobs = len(scheduler.scheduler.get_jobs())
    await scheduler.stop()
    await db.dispose()
    peak = peak_mb()
    print(f"{ready:.3f} {since_spawn:.3f} {peak:.1f} {jobs}")


async def child_baseline(database_url: str, spawned: float) -> None:
    """In a fresh process: the naive design, one APScheduler date job per pending nudge."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    started = time.monotonic()

    async def send_nudge(nudge_id: int) -> None:  # never runs: every job is in the future
        raise AssertionError(nudge_id)

    db = Database(database_url)
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    async with db.sessions() as session:
        result = await session.stream(
            select(Nudge.id, Nudge.due_at).where(Nudge.state == "pending")
        )
        async for nudge_id, due_at in result:
            scheduler.add_job(
                send_nudge, "date", run_date=due_at, args=(nudge_id,), id=str(nudge_id)
            )
    ready = time.monotonic() - started
    since_spawn = time.time() - spawned
    jobs = len(scheduler.get_jobs())
    scheduler.shutdown(wait=False)
    await db.dispose()
    peak = peak_mb()
    print(f"{ready:.3f} {since_spawn:.3f} {peak:.1f} {jobs}")


def measure(kind: str, database_url: str) -> tuple[float, float, float, int]:
    """One scale measurement in a fresh interpreter: (seconds from scheduler start, seconds
    from process spawn, peak MB, scheduled jobs)."""
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--database-url",
            database_url,
            "--spawned",
            repr(time.time()),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(output[-4]), float(output[-3]), float(output[-2]), int(output[-1])


async def bench_scale(url: str | None, directory: Path, pending: int) -> None:
    database_url = await fresh_database(url, directory, "bench_nudges_scale")
    db = Database(database_url)
    started = time.monotonic()
    await fill(db, pending // 3, 3, due_now=False)
    async with db.transaction() as session:
        total = await session.scalar(select(func.count(Nudge.id)))
    await db.dispose()
    print(f"  {total:,} pending nudges written in {time.monotonic() - started:.0f} s")
    seconds, spawn, peak, jobs = await asyncio.to_thread(measure, "dispatcher", database_url)
    print(
        f"    outbox dispatcher: first pass done {seconds:.2f} s after the scheduler started "
        f"({spawn:.2f} s after process spawn, imports included), peak memory {peak:.0f} MB, "
        f"{jobs} scheduler job(s)"
    )
    seconds, spawn, peak, jobs = await asyncio.to_thread(measure, "baseline", database_url)
    print(
        f"    peer, one APScheduler job per nudge (memory store): ready {seconds:.2f} s after "
        f"the scheduler started ({spawn:.2f} s after process spawn), peak memory {peak:.0f} MB, "
        f"{jobs:,} scheduler jobs"
    )
    await drop_database(url, database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 sends and 100,000 pending")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", choices=["dispatcher", "baseline", "worker"], default=None)
    parser.add_argument("--api-root", default="")
    parser.add_argument("--worker-name", default="")
    parser.add_argument("--spawned", type=float, default=0.0)
    parser.add_argument("--part", choices=["all", "rate", "scale"], default="all")
    options = parser.parse_args()
    if options.child == "dispatcher":
        asyncio.run(child_dispatcher(options.database_url, options.spawned))
        return
    if options.child == "baseline":
        asyncio.run(child_baseline(options.database_url, options.spawned))
        return
    if options.child == "worker":
        asyncio.run(child_worker(options.database_url, options.api_root, options.worker_name))
        return
    sends, pending = (1_000, 100_000) if options.quick else (10_000, 1_000_000)
    backend = "PostgreSQL" if options.database_url else "SQLite (temporary file)"
    print(f"Python {sys.version.split()[0]}, {backend}")
    with tempfile.TemporaryDirectory() as directory:
        if options.part in ("all", "rate"):
            print("== 1. Throughput under Telegram's flood limits")
            asyncio.run(bench_throughput(options.database_url, Path(directory), sends))
            if options.database_url:
                asyncio.run(bench_two_workers(options.database_url, Path(directory), sends))
        if options.part in ("all", "scale"):
            print("== 2. Start with many pending nudges")
            asyncio.run(bench_scale(options.database_url, Path(directory), pending))


if __name__ == "__main__":
    main()
