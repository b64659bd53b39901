"""The evaluation figures computed from the events table, on each database backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from journey import stats
from kernel import events
from storage.engine import Database
from storage.models import Event
from tests.support import make_user

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def event(
    user_id: int,
    kind: str,
    minutes: float,
    partner: str | None = None,
    rome: str | None = None,
    **data: Any,
) -> Event:
    return Event(
        user_id=user_id, kind=kind, at=at(minutes), partner_code=partner, rome=rome, data=data
    )


async def populate(session: AsyncSession) -> None:
    """Five users:

    1 (partner a): explores, then opens training, saves, answers the survey (and changes the
      interest answer); two sessions 2 hours apart.
    2 (partner a): opens training before any card, then explores: not "after exploring".
    3 (partner b): only looks at a section; asks for a coach.
    4 (no partner): explores and saves two careers, removes one.
    5 (no partner): onboarded only.
    """
    for user_id, partner in [(1, "a"), (2, "a"), (3, "b"), (4, None), (5, None)]:
        await make_user(session, user_id, partner_code=partner)
    session.add_all(
        [
            event(1, events.ONBOARDED, 0, "a"),
            event(1, events.SECTION_SHOWN, 1, "a", section="top", page=0),
            event(1, events.CAREER_OPENED, 2, "a", "J1501"),
            event(1, events.TRAINING_OPENED, 4, "a", "J1501"),
            event(1, events.CAREER_SAVED, 5, "a", "J1501"),
            event(1, events.SURVEY_ANSWERED, 6, "a", "J1501", question="interest", answer=0),
            event(1, events.SURVEY_ANSWERED, 7, "a", "J1501", question="interest", answer=2),
            event(1, events.SURVEY_ANSWERED, 8, "a", "J1501", question="readiness", answer=1),
            event(1, events.SEARCHED, 128, "a", query="boulanger", results=2),
            event(1, events.CAREER_OPENED, 131, "a", "D1102"),
            event(2, events.ONBOARDED, 0, "a"),
            event(2, events.TRAINING_OPENED, 1, "a", "N4101"),
            event(2, events.CAREER_OPENED, 3, "a", "N4101"),
            event(3, events.ONBOARDED, 0, "b"),
            event(3, events.SECTION_SHOWN, 10, "b", section="top", page=0),
            event(3, events.COACH_REQUESTED, 11, "b"),
            event(4, events.ONBOARDED, 0),
            event(4, events.CAREER_OPENED, 20, None, "D1102"),
            event(4, events.CAREER_SAVED, 21, None, "D1102"),
            event(4, events.CAREER_SAVED, 22, None, "J1501"),
            event(4, events.CAREER_REMOVED, 23, None, "J1501"),
            event(4, events.SURVEY_ANSWERED, 24, None, "D1102", question="interest", answer=1),
            event(4, events.SURVEY_ANSWERED, 25, None, "D1102", question="readiness", answer=0),
            event(5, events.ONBOARDED, 0),
        ]
    )
    await session.flush()


@pytest.fixture
async def session(db: Database) -> Any:
    async with db.sessions() as session, session.begin():
        await populate(session)
        yield session


async def test_funnel_for_everyone(session: AsyncSession) -> None:
    funnel = await stats.funnel(session)
    assert funnel == stats.Funnel(
        users=5,
        explored=3,
        trained_after_exploring=1,  # user 2 opened training only before exploring
        saved=2,
        careers_saved=3,
        coach_requested=1,
    )
    assert funnel.explored_share == pytest.approx(0.6)
    assert funnel.trained_share == pytest.approx(1 / 3)
    assert funnel.saved_share == pytest.approx(0.4)
    assert funnel.coach_share == pytest.approx(0.2)


async def test_funnel_by_partner_and_without_partner(session: AsyncSession) -> None:
    partner_a = await stats.funnel(session, partner="a")
    assert (partner_a.users, partner_a.explored, partner_a.trained_after_exploring) == (2, 2, 1)
    partner_b = await stats.funnel(session, partner="b")
    assert (partner_b.users, partner_b.explored, partner_b.explored_share) == (1, 0, 0.0)
    assert partner_b.trained_share is None  # no explorer: no share rather than 0 %
    direct = await stats.funnel(session, partner=stats.NO_PARTNER)
    assert (direct.users, direct.explored, direct.saved, direct.careers_saved) == (2, 1, 1, 2)
    assert await stats.funnel(session, partner="nobody") == stats.Funnel(0, 0, 0, 0, 0, 0)


async def test_funnel_in_a_time_window(session: AsyncSession) -> None:
    late = await stats.funnel(session, since=at(100))
    assert (late.users, late.explored) == (1, 1)
    early = await stats.funnel(session, until=at(3))
    assert (early.users, early.explored, early.trained_after_exploring) == (5, 1, 0)


async def test_time_spent_exploring_per_session(session: AsyncSession) -> None:
    time = await stats.exploration_time(session)
    # User 1: 1→8 min (7 min) and, after a 2-hour gap, 128→131 (3 min); user 2: 1→3 (2 min);
    # user 3: one event (0 s); user 4: 20→25 (5 min).
    assert time.sessions == 5 and time.users == 4
    assert time.total_seconds == pytest.approx(17 * 60)
    assert time.median_seconds == pytest.approx(3 * 60)
    assert time.mean_seconds == pytest.approx(17 * 60 / 5)
    only_a = await stats.exploration_time(session, partner="a")
    assert (only_a.sessions, only_a.total_seconds) == (3, 12 * 60)
    one_long_session = await stats.exploration_time(session, gap=timedelta(hours=3))
    assert one_long_session.sessions == 4


async def test_no_events_gives_no_figures(db: Database) -> None:
    async with db.transaction() as session:
        time = await stats.exploration_time(session)
        survey = await stats.survey_distribution(session)
    assert time == stats.ExplorationTime(0, 0, 0, None, None)
    assert survey.interested_share is None and survey.interest == {0: 0, 1: 0, 2: 0}


async def test_survey_distribution_keeps_each_latest_answer(session: AsyncSession) -> None:
    survey = await stats.survey_distribution(session)
    assert survey.interest == {0: 0, 1: 1, 2: 1}  # user 1 changed "not really" to "a lot"
    assert survey.readiness == {0: 1, 1: 1, 2: 0}
    assert survey.interested_share == 1.0
    assert survey.ready_or_maybe_share == 0.5
    direct = await stats.survey_distribution(session, partner=stats.NO_PARTNER)
    assert (direct.interest_answers, direct.readiness_answers) == (1, 1)


async def test_evaluation_bundles_every_figure(session: AsyncSession) -> None:
    evaluation = await stats.evaluation(session, partner="a")
    assert evaluation.funnel == await stats.funnel(session, partner="a")
    assert evaluation.time == await stats.exploration_time(session, partner="a")
    assert evaluation.survey == await stats.survey_distribution(session, partner="a")


def test_session_durations_split_on_gaps_and_users() -> None:
    pairs = [(1, at(0)), (1, at(10)), (1, at(45)), (2, at(46)), (2, at(50))]
    assert stats.session_durations(pairs) == [600.0, 0.0, 240.0]
    assert stats.session_durations([]) == []
