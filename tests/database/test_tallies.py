"""The dashboard's tallies (`kernel.tallies`), kept up to date as events are recorded, give the
same figures as the reference scan of the events (`journey.stats`) for every period and
programme, and equal a from-scratch rebuild, after random activity with people who /delete
their data, a retention purge, and events recorded out of order; the migration backfills them."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, select

from journey import privacy, stats
from journey.evaluation import Dashboard, dashboard
from journey.retention import RetentionJob
from kernel import events, tallies
from migrations.apply import alembic_config, upgrade_async
from storage.engine import Database
from storage.models import AnonymousEvent, DashboardTally, DashboardValue, Event, User
from tests.support import make_user
from tremplin.app import build_reactions

REACTIONS = build_reactions()
PARIS = tallies.ZONE
START = datetime(2026, 10, 20, tzinfo=UTC)
PARTNERS = [None, None, "cap_jeunes", "metiers"]


def _random_event(rng: random.Random, referral: int) -> tuple[str, str | None, dict[str, Any]]:
    """A kind, a career and facts such as the bot records them."""
    rome = rng.choice(["J1501", "N1101", None])
    pick = rng.random()
    if pick < 0.25:
        return rng.choice([events.SECTION_SHOWN, events.SEARCHED, events.CAREER_REMOVED]), rome, {}
    if pick < 0.45:
        return events.CAREER_OPENED, rome, {"origin": "section"}
    if pick < 0.55:
        return events.TRAINING_OPENED, rome, {}
    if pick < 0.62:
        return events.CAREER_SAVED, rome, {}
    if pick < 0.72:
        question = rng.choice(["interest", "readiness"])
        return events.SURVEY_ANSWERED, rome, {"question": question, "answer": rng.randrange(3)}
    if pick < 0.76:
        return events.NUDGES_PLANNED, None, {"sequence": 1, "holdout": rng.random() < 0.3}
    step, variant = rng.choice([1, 2]), rng.choice("ab")
    if pick < 0.82:
        return events.NUDGE_SENT, rome, {"step": step, "variant": variant}
    if pick < 0.86:
        button = rng.choice(["coach", "training"])
        return events.NUDGE_CLICKED, rome, {"step": step, "variant": variant, "button": button}
    if pick < 0.88:
        return events.NUDGES_STOPPED, rome, {"via": "button", "step": step, "variant": variant}
    if pick < 0.91:
        return events.COACH_REQUESTED, rome, {"via": "button"}
    facts: dict[str, Any] = {"programme": rng.choice(["cap_jeunes", "metiers"]),
                             "referral": referral}
    kind = rng.choice([events.HANDOVER_REFERRED, events.HANDOVER_MESSAGE,
                       events.HANDOVER_TIMED_OUT, events.HANDOVER_WITHDRAWN,
                       events.HANDOVER_CLOSED, events.HANDOVER_RATED])
    if kind == events.HANDOVER_MESSAGE:
        facts["direction"] = rng.choice(["coach", "user"])
    elif kind == events.HANDOVER_CLOSED:
        facts["outcome"] = rng.choice(["found_job", "training", ""])
    elif kind == events.HANDOVER_RATED:
        facts["score"] = rng.randrange(1, 6)
    return kind, None, facts


async def _activity(db: Database, rng: random.Random, people: int) -> list[int]:
    """People doing random things over a few weeks (some events recorded late, out of order,
    and some around Paris midnight); returns their ids."""
    ids = [7_000_000 + n for n in range(people)]
    async with db.transaction() as session:
        for user_id in ids:
            await make_user(session, user_id, partner_code=rng.choice(PARTNERS))
    moments: list[tuple[datetime, int]] = []
    for user_id in ids:
        at = START + timedelta(days=rng.randrange(0, 20), hours=rng.choice([9, 21, 22, 23]))
        for _ in range(rng.randrange(1, 25)):
            at += timedelta(minutes=rng.choice([1, 3, 20, 45, 200, 60 * 26]),
                            seconds=rng.randrange(60), microseconds=rng.randrange(10**6))
            moments.append((at, user_id))
    rng.shuffle(moments)  # recorded in any order: late events must fix the tallies up
    for at, user_id in moments:
        async with db.transaction() as session:
            user = await session.get(User, user_id)
            assert user is not None
            if rng.random() < 0.05:  # moved to another programme since
                user.partner_code = rng.choice(PARTNERS)
            kind, rome, facts = _random_event(rng, referral=user_id * 10 + rng.randrange(2))
            await events.record(session, user, kind, rome=rome, at=at, **facts)
            user.last_seen_at = max(user.last_seen_at or at, at)
    return ids


async def _snapshot(db: Database) -> dict[str, Counter[tuple[Any, ...]]]:
    found: dict[str, Counter[tuple[Any, ...]]] = {}
    async with db.transaction() as session:
        for model in (DashboardTally, DashboardValue):
            rows = await session.execute(select(model.__table__))
            found[model.__tablename__] = Counter(
                {tuple(row[:-1]): row[-1] for row in rows if row[-1]}
            )
    return found


def _instant(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=PARIS)


async def _reference(db: Database, partner: str | None, first: date | None,
                     last: date | None) -> Dashboard:
    window: dict[str, Any] = {
        "partner": partner,
        "since": _instant(first),
        "until": _instant(None if last is None else last + timedelta(days=1)),
    }
    async with db.transaction() as session:
        return Dashboard(
            evaluation=await stats.evaluation(session, **window),
            nudges=await stats.nudges(session, **window),
            programmes=await stats.programmes(session, **window),
        )


async def _tallied(db: Database, partner: str | None, first: date | None,
                   last: date | None) -> Dashboard:
    async with db.transaction() as session:
        return await dashboard(session, partner=partner, first_day=first, last_day=last)


def _same(found: Dashboard, expected: Dashboard) -> None:
    """Equal figures; totals and means of durations to the microsecond (summed differently)."""
    got, want = found.evaluation.time, expected.evaluation.time
    assert got.total_seconds == pytest.approx(want.total_seconds, abs=1e-5)
    assert (got.mean_seconds is None) == (want.mean_seconds is None)
    if got.mean_seconds is not None:
        assert got.mean_seconds == pytest.approx(want.mean_seconds, abs=1e-5)
    assert got.median_seconds == want.median_seconds
    assert (got.sessions, got.users) == (want.sessions, want.users)
    assert found.evaluation.funnel == expected.evaluation.funnel
    assert found.evaluation.survey == expected.evaluation.survey
    assert found.nudges == expected.nudges
    assert found.programmes == expected.programmes


def _periods(rng: random.Random) -> list[tuple[date | None, date | None]]:
    periods: list[tuple[date | None, date | None]] = [(None, None), (date(2026, 11, 1), None),
                                                      (None, date(2026, 10, 31))]
    for _ in range(6):
        first = date(2026, 10, 18) + timedelta(days=rng.randrange(0, 30))
        periods.append((first, first + timedelta(days=rng.randrange(0, 12))))
    return periods


async def _check_every_period(db: Database, rng: random.Random) -> None:
    for partner in (None, stats.NO_PARTNER, "cap_jeunes", "metiers", "nobody"):
        for first, last in _periods(rng):
            expected = await _reference(db, partner, first, last)
            _same(await _tallied(db, partner, first, last), expected)


def _rebuild(connection: Connection) -> int:
    return tallies.rebuild(connection)


async def test_tallies_equal_the_reference_through_deletions_and_purges(db: Database) -> None:
    rng = random.Random(7)
    ids = await _activity(db, rng, people=30)
    await _check_every_period(db, rng)
    kept = await _snapshot(db)
    assert sum(kept["dashboard_tallies"].values()) > 0

    # Some people /delete their data; a retention pass erases the long inactive ones.
    async with db.transaction() as session:
        for user_id in ids[:5]:
            user = await session.get(User, user_id)
            assert user is not None
            await privacy.erase(session, user, REACTIONS)
        for user_id in ids[5:9]:
            user = await session.get(User, user_id)
            assert user is not None
            user.last_seen_at = START - timedelta(days=900)
    job = RetentionJob(db, REACTIONS, logs_after=timedelta(days=365),
                       profiles_after=timedelta(days=730))
    purged = await job.run_once(START + timedelta(days=40))
    assert purged is not None and purged.profiles == 4
    # The tallies did not move, the reference scan of the anonymous copies agrees with them...
    assert await _snapshot(db) == kept
    await _check_every_period(db, rng)
    # ...and so does a rebuild from scratch (what the migration's backfill runs).
    async with db.transaction() as session:
        people = await session.run_sync(lambda s: _rebuild(s.connection()))
    assert people == 30
    assert await _snapshot(db) == kept

    # Activity goes on after the erasures.
    async with db.transaction() as session:
        user = await session.get(User, ids[-1])
        assert user is not None
        await events.record(session, user, events.CAREER_OPENED, rome="J1501",
                            at=START + timedelta(days=31))
    await _check_every_period(db, rng)


async def test_periods_are_whole_days_in_paris(db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session, 7_100_001)
        # 23:30 UTC on 31 October is 00:30 on 1 November in Paris.
        await events.record(session, user, events.CAREER_OPENED,
                            at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
        late = await make_user(session, 7_100_002)
        await events.record(session, late, events.CAREER_OPENED,
                            at=datetime(2026, 10, 31, 22, 30, tzinfo=UTC))
    november = await _tallied(db, None, date(2026, 11, 1), date(2026, 11, 30))
    october = await _tallied(db, None, date(2026, 10, 1), date(2026, 10, 31))
    assert november.evaluation.funnel.users == 1
    assert october.evaluation.funnel.users == 1
    nothing = await _tallied(db, None, date(2026, 11, 2), date(2026, 11, 1))
    assert nothing.evaluation.funnel.users == 0


async def test_the_migration_backfills_the_tallies_from_existing_events(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0013")
    database = Database(database_url)
    try:
        async with database.transaction() as session:  # rows of the version before
            session.add(User(id=5, chat_id=5, onboarded=True))
            await session.flush()
            for minutes, kind in ((0, "onboarded"), (1, "career_opened"), (2, "training_opened"),
                                  (3, "career_saved")):
                session.add(Event(user_id=5, at=START + timedelta(minutes=minutes), kind=kind))
            session.add(AnonymousEvent(subject=-9, at=START, kind="career_opened", data={}))
        await upgrade_async(database_url, "head")
        found = await _tallied(database, None, None, None)
        assert found.evaluation.funnel == stats.Funnel(
            users=2, explored=2, trained_after_exploring=1, saved=1, careers_saved=1,
            coach_requested=0,
        )
        assert found.evaluation.time.median_seconds == 60.0  # sessions of 120 s and 0 s
    finally:
        await database.dispose()
