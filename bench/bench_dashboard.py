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
calendar month) with p50 and p95 (goal: p95 < 500 ms). The peer runs the same filters (at
full size only January, `--peer-filters`: one scan of the whole period takes a quarter of an
hour there) and the figures of both are compared.
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

    handover = rng.random() < 0.05
    tail = 6 if handover else 2  # the nudge (and hand-over) events that end the list
    add("onboarded")
    while len(rows) < per_user - tail:
        add("section_shown", section="top", page=0)
        add("career_opened", "J1501", origin="section")
        if rng.random() < 0.4:
            add("training_opened", "J1501")
        if rng.random() < 0.2:
            add("career_saved", "J1501")
            add("survey_answered", "J1501", question="interest", answer=rng.randrange(3))
    del rows[per_user - tail:]  # exactly `per_user` events each
    add("nudges_planned", sequence=1, holdout=rng.random() < 0.1, variants={})
    add("nudge_sent", "J1501", step=1, variant=rng.choice("ab"))
    if handover:
        add("nudge_clicked", "J1501", step=1, variant="a", button="coach")
        add("coach_requested", "J1501", via="button")
        add("handover_referred", programme="cap_jeunes", referral=user)
        add("handover_message", programme="cap_jeunes", referral=user, direction="coach")
    return rows


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


# The same population drawn on the server (PostgreSQL): one row per person with their draws,
# then `per_user` events each, generated by `generate_series` (no row crosses the network).
PEOPLE_SQL = """
CREATE TEMP TABLE people AS
SELECT u,
       timestamptz '2026-01-01 00:00+00' + floor(random() * 330 * 1440) * interval '1 minute'
           AS start,
       (ARRAY[NULL, NULL, NULL, 'cap_jeunes', 'metiers_4mois'])[1 + floor(random() * 5)::int]
           AS partner,
       random() < 0.05 AS handover,
       random() < 0.1 AS holdout,
       (ARRAY['a', 'b'])[1 + floor(random() * 2)::int] AS variant
FROM generate_series(1, :users) AS u
"""
USERS_SQL = """
INSERT INTO users (id, chat_id, first_name, language, priorities, onboarded, nudges_stopped,
                   unreachable, created_at, updated_at, partner_code)
SELECT u, u, '', 'fr', '[]', true, false, false, start, start, partner
FROM people WHERE u % 50 <> 0
"""
EVENTS_SQL = """
WITH drawn AS (
  SELECT p.*, k, :per_user - CASE WHEN handover THEN 6 ELSE 2 END AS body,
         p.start + k * interval '300 seconds' + random() * interval '295 seconds' AS at,
         random() AS r
  FROM people p CROSS JOIN generate_series(1, :per_user) AS k
  WHERE (u % 50 = 0) = :erased
), kinds AS (
  SELECT *, CASE
    WHEN k = 1 THEN 'onboarded'
    WHEN k <= body THEN CASE (k - 2) % 5
        WHEN 0 THEN 'section_shown'
        WHEN 1 THEN 'career_opened'
        WHEN 2 THEN CASE WHEN r < 0.4 THEN 'training_opened' ELSE 'section_shown' END
        WHEN 3 THEN CASE WHEN r < 0.2 THEN 'career_saved' ELSE 'career_opened' END
        ELSE CASE WHEN r < 0.2 THEN 'survey_answered' ELSE 'section_shown' END END
    WHEN k = body + 1 THEN 'nudges_planned'
    WHEN k = body + 2 THEN 'nudge_sent'
    WHEN k = body + 3 THEN 'nudge_clicked'
    WHEN k = body + 4 THEN 'coach_requested'
    WHEN k = body + 5 THEN 'handover_referred'
    ELSE 'handover_message' END AS kind
  FROM drawn
)
INSERT INTO {table} ({who}, at, kind, partner_code, rome, data)
SELECT {who_value}, at, kind, partner,
       CASE WHEN kind IN ('career_opened', 'training_opened', 'career_saved', 'survey_answered',
                          'nudge_sent', 'nudge_clicked', 'coach_requested')
            THEN 'J1501' END,
       CASE kind
         WHEN 'section_shown' THEN json_build_object('section', 'top', 'page', 0)
         WHEN 'career_opened' THEN json_build_object('origin', 'section')
         WHEN 'survey_answered' THEN json_build_object('question', 'interest',
                                                       'answer', floor(r * 15)::int % 3)
         WHEN 'nudges_planned' THEN json_build_object('sequence', 1, 'holdout', holdout,
                                                      'variants', json_build_object())
         WHEN 'nudge_sent' THEN json_build_object('step', 1, 'variant', variant)
         WHEN 'nudge_clicked' THEN json_build_object('step', 1, 'variant', 'a',
                                                     'button', 'coach')
         WHEN 'coach_requested' THEN json_build_object('via', 'button')
         WHEN 'handover_referred' THEN json_build_object('programme', 'cap_jeunes',
                                                         'referral', u)
         WHEN 'handover_message' THEN json_build_object('programme', 'cap_jeunes',
                                                        'referral', u, 'direction', 'coach')
         ELSE json_build_object() END
FROM kinds
"""


async def fill_on_server(db: Database, users: int, events: int) -> None:
    """Draw the population on the PostgreSQL server itself (`generate_series`)."""
    started = time.perf_counter()
    per_user = max(8, events // users)
    async with db.transaction() as session:
        await session.execute(text("SELECT setseed(0.2)"))
        await session.execute(text(PEOPLE_SQL), {"users": users})
        await session.execute(text(USERS_SQL))
        for erased, table, who, value in ((False, "events", "user_id", "u"),
                                          (True, "anonymous_events", "subject", "-u")):
            await session.execute(
                text(EVENTS_SQL.format(table=table, who=who, who_value=value)),
                {"per_user": per_user, "erased": erased},
            )
        count = await session.scalar(select(func.count()).select_from(Event))
        count = int(count or 0) + int(
            await session.scalar(select(func.count()).select_from(AnonymousEvent)) or 0)
    print(f"filled {users:,} users, {count:,} events on the server in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


async def fill(db: Database, users: int, events: int) -> None:
    """Insert the synthetic population from Python: users in batches, their events by COPY on
    PostgreSQL, batched inserts on SQLite."""
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
    parser.add_argument("--peer-filters", default="",
                        help="which filters the peer runs, as indices 0-19 (default: all at "
                             "--quick; at full size 1, January for every programme: one scan "
                             "of the whole period takes a quarter of an hour there)")
    parser.add_argument("--python-fill", action="store_true",
                        help="draw the population in Python on PostgreSQL too (COPY)")
    parser.add_argument("--users", type=int, default=0, help="another size (with --events)")
    parser.add_argument("--events", type=int, default=0)
    args = parser.parse_args()
    users, events = (20_000, 400_000) if args.quick else (1_000_000, 20_000_000)
    if args.users and args.events:
        users, events = args.users, args.events
    chosen = [int(i) for i in args.peer_filters.split(",") if i.strip()] or (
        list(range(20)) if args.quick else [1])
    with tempfile.TemporaryDirectory() as tmp:
        server = args.database_url
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        if server:
            url = await create_database(server, "tremplin_bench")
        await upgrade_async(url)
        db = Database(url)
        try:
            if url.startswith("postgresql") and not args.python_fill:
                await fill_on_server(db, users, events)
            else:
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
            peers = {i: await peer_page(db, filters[i]) for i in chosen}
            same = all(_agree(results[i][1], peer) for i, (_, peer) in peers.items())
            whole = f"{peers[0][0] * 1000:.0f} ms" if 0 in peers else "not run"
            print(f"peer, the scan of every event (filters {chosen}): "
                  f"{_ms([t for t, _ in peers.values()])}; whole period, every programme: "
                  f"{whole}; the same filters from the tallies: "
                  f"{_ms([results[i][0] for i in chosen])}; figures identical: {same}")
        finally:
            await db.dispose()
            if server:
                await drop_database(server, url)


if __name__ == "__main__":
    asyncio.run(main())
