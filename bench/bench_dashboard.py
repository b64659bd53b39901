"""Benchmark of the evaluation dashboard: the page read from the tallies (`journey.evaluation`)
beside its peer, the old scan of every event (`journey.stats`), on the same data.

Run from the repository root: ``python bench/bench_dashboard.py --database-url postgresql://…``
(``--quick`` for 20,000 users and 400,000 events instead of 1,000,000 users and 20,000,000
events; without ``--database-url`` a temporary SQLite file is used; a PostgreSQL run gets a
database of its own, dropped at the end).

Fills `users` and `events` with a synthetic population (each user: onboarded, sections shown,
careers opened, some training opened, saves with survey answers, nudges planned, sent and
pressed, some hand-overs), 2 % of it as anonymous events of erased people: the events are
generated in Python and loaded with COPY on PostgreSQL (batched inserts on SQLite). Then builds
the tallies from them with `kernel.tallies.rebuild` (what the migration's backfill runs; timed),
and times the dashboard page for 20 filters (every programme or one; the whole period or one
calendar month) with p50 and p95 (goal: p95 < 500 ms). The peer runs the same filters (or the
first `--peer-filters` of them: at full size one scan takes minutes) and the figures of both
are compared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from journey import evaluation, stats  # noqa: E402
from kernel import tallies  # noqa: E402
from migrations.apply import upgrade_async  # noqa: E402
from storage.engine import Database  # noqa: E402
from storage.models import AnonymousEvent, DashboardTally, DashboardValue, Event, User  # noqa: E402
from storage.scratch import create_database, drop_database  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
PARTNERS = [None, None, None, "cap_jeunes", "metiers_4mois"]
CHUNK = 100_000
EVENT_COLUMNS = ("user_id", "at", "kind", "partner_code", "rome", "data")


def _user_events(rng: random.Random, user: int, per_user: int) -> list[tuple[Any, ...]]:
    """One synthetic person's events as (user, at, kind, partner, rome, data as JSON)."""
    partner = rng.choice(PARTNERS)
    at = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 330))
    rows: list[tuple[Any, ...]] = []

    def add(kind: str, rome: str | None = None, **data: Any) -> None:
        nonlocal at
        at = at + timedelta(seconds=rng.randrange(5, 600), microseconds=rng.randrange(10**6))
        rows.append((user, at, kind, partner, rome, json.dumps(data)))

    add("onboarded")
    while len(rows) < per_user - 6:
        add("section_shown", section="top", page=0)
        add("career_opened", "J1501", origin="section")
        if rng.random() < 0.4:
            add("training_opened", "J1501")
        if rng.random() < 0.2:
            add("career_saved", "J1501")
            add("survey_answered", "J1501", question="interest", answer=rng.randrange(3))
    add("nudges_planned", sequence=1, holdout=rng.random() < 0.1, variants={})
    add("nudge_sent", "J1501", step=1, variant=rng.choice("ab"))
    if rng.random() < 0.05:
        add("nudge_clicked", "J1501", step=1, variant="a", button="coach")
        add("coach_requested", "J1501", via="button")
        add("handover_referred", programme="cap_jeunes", referral=user)
        add("handover_message", programme="cap_jeunes", referral=user, direction="coach")
    return rows[:per_user]


def _population(users: int, events: int) -> Iterator[tuple[bool, list[tuple[Any, ...]]]]:
    """(erased?, events) per person; one in fifty was erased (kept under a negative subject)."""
    rng = random.Random(20)
    per_user = max(8, events // users)
    for n in range(users):
        erased = n % 50 == 0
        user = -(n + 1) if erased else n + 1
        yield erased, _user_events(rng, user, per_user)


async def _load(session: AsyncSession, live: list[tuple[Any, ...]],
                gone: list[tuple[Any, ...]]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        raw: Any = (await (await session.connection()).get_raw_connection()).driver_connection
        await raw.copy_records_to_table("events", records=live, columns=EVENT_COLUMNS)
        await raw.copy_records_to_table("anonymous_events", records=gone,
                                        columns=("subject", *EVENT_COLUMNS[1:]))
        return
    rows = [dict(zip(EVENT_COLUMNS, r, strict=True)) for r in live]
    for r in rows:
        r["data"] = json.loads(r["data"])
    if rows:
        await session.execute(insert(Event), rows)
    anonymous = [dict(zip(("subject", *EVENT_COLUMNS[1:]), r, strict=True)) for r in gone]
    for r in anonymous:
        r["data"] = json.loads(r["data"])
    if anonymous:
        await session.execute(insert(AnonymousEvent), anonymous)


async def fill(db: Database, users: int, events: int) -> None:
    """Insert the synthetic population: users in batches, their events by COPY."""
    started = time.perf_counter()
    people: list[dict[str, Any]] = []
    live: list[tuple[Any, ...]] = []
    gone: list[tuple[Any, ...]] = []
    count = 0

    async def flush() -> None:
        async with db.transaction() as session:
            if people:
                await session.execute(insert(User), people)
            await _load(session, live, gone)
        people.clear(), live.clear(), gone.clear()

    for erased, rows in _population(users, events):
        count += len(rows)
        if erased:
            gone.extend(rows)
        else:
            people.append({"id": rows[0][0], "chat_id": rows[0][0], "onboarded": True})
            live.extend(rows)
        if len(live) >= CHUNK:
            await flush()
    await flush()
    print(f"filled {users:,} users, {count:,} events in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


async def build_tallies(db: Database) -> None:
    """The migration's backfill over the whole population, timed."""
    started = time.perf_counter()
    async with db.transaction() as session:
        people = await session.run_sync(lambda s: tallies.rebuild(s.connection()))
        sizes = [await session.scalar(select(func.count()).select_from(model))
                 for model in (DashboardTally, DashboardValue)]
    print(f"tallies rebuilt from the events of {people:,} people in "
          f"{time.perf_counter() - started:.0f} s: {sizes[0]:,} tally rows, "
          f"{sizes[1]:,} exact duration rows", flush=True)


def _paris(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=tallies.ZONE)


async def page(db: Database, window: dict[str, Any]) -> tuple[float, evaluation.Dashboard]:
    """The dashboard page from the tallies for one filter; seconds and figures."""
    started = time.perf_counter()
    async with db.transaction() as session:
        found = await evaluation.dashboard(session, **window)
    return time.perf_counter() - started, found


async def peer_page(db: Database, window: dict[str, Any]) -> tuple[float, evaluation.Dashboard]:
    """The same page from the scan of every event (the dashboard before the tallies)."""
    last = window["last_day"]
    bounds: dict[str, Any] = {
        "partner": window["partner"],
        "since": _paris(window["first_day"]),
        "until": _paris(None if last is None else last + timedelta(days=1)),
    }
    started = time.perf_counter()
    async with db.transaction() as session:
        found = evaluation.Dashboard(
            evaluation=await stats.evaluation(session, **bounds),
            nudges=await stats.nudges(session, **bounds),
            programmes=await stats.programmes(session, **bounds),
        )
    return time.perf_counter() - started, found


def _filters() -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    for partner in (None, "cap_jeunes"):
        filters.append({"partner": partner, "first_day": None, "last_day": None})
        for month in range(1, 10):
            first = date(2026, month, 1)
            last = date(2026, month + 1, 1) - timedelta(days=1)
            filters.append({"partner": partner, "first_day": first, "last_day": last})
    return filters


def _agree(a: evaluation.Dashboard, b: evaluation.Dashboard) -> bool:
    """The same figures (durations' totals and means to the microsecond: summed differently)."""
    ta, tb = a.evaluation.time, b.evaluation.time
    return (
        a.evaluation.funnel == b.evaluation.funnel
        and a.evaluation.survey == b.evaluation.survey
        and (ta.sessions, ta.users, ta.median_seconds) == (tb.sessions, tb.users,
                                                           tb.median_seconds)
        and abs(ta.total_seconds - tb.total_seconds) < 1e-3
        and a.nudges == b.nudges
        and a.programmes == b.programmes
    )


def _ms(timings: list[float]) -> str:
    p50 = statistics.median(timings) * 1000
    p95 = (statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]) * 1000
    return f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"


async def main() -> None:
    """Fill, build the tallies, then time the dashboard and its peer."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--peer-filters", type=int, default=None,
                        help="how many filters the peer runs (all at --quick, 2 at full size)")
    args = parser.parse_args()
    users, events = (20_000, 400_000) if args.quick else (1_000_000, 20_000_000)
    peer_count = args.peer_filters if args.peer_filters is not None else (
        20 if args.quick else 2)
    with tempfile.TemporaryDirectory() as tmp:
        server = args.database_url
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        if server:
            url = await create_database(server, "tremplin_bench")
        await upgrade_async(url)
        db = Database(url)
        try:
            await fill(db, users, events)
            await build_tallies(db)
            if url.startswith("postgresql"):
                async with db.transaction() as session:
                    await session.execute(text("ANALYZE"))
            filters = _filters()
            await page(db, filters[0])  # warm the connection pool and caches alike
            results = [await page(db, f) for f in filters]
            timings = [t for t, _ in results]
            print(f"dashboard page from the tallies ({len(filters)} filters): {_ms(timings)} "
                  f"(goal p95 < 500 ms); whole period, every programme: "
                  f"{timings[0] * 1000:.0f} ms", flush=True)
            peers = [await peer_page(db, f) for f in filters[:peer_count]]
            same = all(_agree(found, peer) for (_, found), (_, peer)
                       in zip(results, peers, strict=False))
            print(f"peer, the scan of every event ({len(peers)} of the filters): "
                  f"{_ms([t for t, _ in peers])}; whole period, every programme: "
                  f"{peers[0][0] * 1000:.0f} ms; figures identical: {same}")
        finally:
            await db.dispose()
            if server:
                await drop_database(server, url)


if __name__ == "__main__":
    asyncio.run(main())
