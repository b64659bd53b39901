"""Benchmark of the evaluation dashboard's queries (`journey.stats`) on many events.

Run from the repository root: ``python bench/bench_dashboard.py --database-url postgresql://…``
(``--quick`` for 20,000 users and 400,000 events instead of 1,000,000 users and 20,000,000
events; without ``--database-url`` a temporary SQLite file is used).

Fills `users` and `events` with a synthetic population (each user: onboarded, sections shown,
careers opened, some training opened, saves with survey answers, nudges planned, sent and
pressed, some hand-overs), 2 % of it as anonymous events of erased people, then times every
query the dashboard page runs (`evaluation`, `nudges`, `programmes`) for 20 filters (all
programmes or one, whole period or one month) and prints p50 and p95 of the page's total
(goal: p95 < 500 ms). Peer: the same page over the whole period with no filter, the heaviest.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from journey import stats  # noqa: E402
from migrations.apply import upgrade_async  # noqa: E402
from storage.engine import Database  # noqa: E402
from storage.models import AnonymousEvent, Event, User  # noqa: E402
from storage.scratch import create_database, drop_database  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
PARTNERS = [None, None, None, "cap_jeunes", "metiers_4mois"]
CHUNK = 50_000


def _user_events(rng: random.Random, user: int, per_user: int) -> list[dict[str, Any]]:
    partner = rng.choice(PARTNERS)
    at = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 330))
    rows: list[dict[str, Any]] = []

    def add(kind: str, rome: str | None = None, **data: Any) -> None:
        nonlocal at
        at = at + timedelta(seconds=rng.randrange(5, 600))
        rows.append({"user_id": user, "at": at, "kind": kind, "partner_code": partner,
                     "rome": rome, "data": data})

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


async def fill(db: Database, users: int, events: int) -> None:
    """Insert the synthetic population in chunks."""
    rng = random.Random(20)
    per_user = max(8, events // users)
    batch_users: list[dict[str, Any]] = []
    batch_events: list[dict[str, Any]] = []
    anonymous: list[dict[str, Any]] = []
    started = time.perf_counter()

    async def flush() -> None:
        async with db.transaction() as session:
            if batch_users:
                await session.execute(insert(User), batch_users)
            if batch_events:
                await session.execute(insert(Event), batch_events)
            if anonymous:
                await session.execute(insert(AnonymousEvent), anonymous)
        batch_users.clear(), batch_events.clear(), anonymous.clear()

    for n in range(users):
        rows = _user_events(rng, n + 1, per_user)
        if n % 50 == 0:  # erased: kept anonymously under a negative subject
            anonymous.extend({**{k: v for k, v in r.items() if k != "user_id"},
                              "subject": -(n + 1)} for r in rows)
        else:
            batch_users.append({"id": n + 1, "chat_id": n + 1, "onboarded": True})
            batch_events.extend(rows)
        if len(batch_events) >= CHUNK:
            await flush()
    await flush()
    print(f"filled {users:,} users, ~{users * per_user:,} events in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


async def page(db: Database, **window: Any) -> float:
    """The dashboard page's queries for one filter; seconds."""
    started = time.perf_counter()
    async with db.transaction() as session:
        await stats.evaluation(session, **window)
        await stats.nudges(session, **window)
        await stats.programmes(session, **window)
    return time.perf_counter() - started


async def main() -> None:
    """Fill, then time the dashboard."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    users, events = (20_000, 400_000) if args.quick else (1_000_000, 20_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        # On a PostgreSQL server: a database of its own, dropped at the end (the run writes
        # millions of rows, never into a database someone uses).
        server = args.database_url
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        if server:
            url = await create_database(server, "tremplin_bench")
        await upgrade_async(url)
        db = Database(url)
        try:
            await fill(db, users, events)
            if url.startswith("postgresql"):
                async with db.transaction() as session:
                    await session.execute(text("ANALYZE"))
            filters: list[dict[str, Any]] = []
            for partner in (None, "cap_jeunes"):
                filters.append({"partner": partner})
                for month in range(1, 10):
                    since = datetime(2026, month, 1, tzinfo=UTC)
                    filters.append({"partner": partner, "since": since,
                                    "until": since + timedelta(days=30)})
            timings = [await page(db, **f) for f in filters]
            heaviest = await page(db)
            p50 = statistics.median(timings) * 1000
            p95 = statistics.quantiles(timings, n=20)[-1] * 1000
            print(f"dashboard page ({len(filters)} filters): p50 {p50:.0f} ms, "
                  f"p95 {p95:.0f} ms (goal p95 < 500 ms)")
            print(f"peer, whole period and every programme: {heaviest * 1000:.0f} ms")
        finally:
            await db.dispose()
            if server:
                await drop_database(server, url)


if __name__ == "__main__":
    asyncio.run(main())
