"""The evaluation figures of the reference service, computed from the events table (and the
anonymous copies of erased people's events, so that /delete and the retention purge leave the
figures as they were).

These scans are the reference: the dashboard reads the same figures from the tallies
(`journey.evaluation`, `kernel.tallies`), which the tests compare with these, and the
benchmark times them side by side. They take any instants as bounds, where the tallies take
whole days. Every function takes the same filters: a
partner programme (`partner`: a code, `NO_PARTNER` for users who came without one, None for
everyone) and a time window on the events (`since` inclusive, `until` exclusive). The
partner is the one stamped on each event when it was recorded.

Definitions:

- *users*: distinct users with at least one event in the window (every onboarded user has
  the `onboarded` event, so over all time these are the onboarded users);
- *explored*: users who opened at least one career card;
- *trained after exploring*: explorers who opened training options at or after their first
  career card (share of explorers, as in the reference evaluation);
- *saved*: users with at least one saved career; *careers saved*: save events (a career saved
  again after removal counts again);
- *time spent exploring*: exploration events (see `EXPLORATION_KINDS`) of a user are cut into
  sessions wherever two events are more than `SESSION_GAP` apart; a session lasts from its
  first to its last event (one lone event lasts 0 s);
- *survey*: each user's latest answer per saved career and question.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from kernel import events, tallies
from storage.models import AnonymousEvent, Event

NO_PARTNER = ""
# The rules shared with the tallies (`kernel.tallies`, which the dashboard reads).
SESSION_GAP = tallies.SESSION_GAP
EXPLORATION_KINDS: tuple[str, ...] = tuple(sorted(tallies.EXPLORATION_KINDS))
ANSWERS = tallies.ANSWERS
session_durations = tallies.session_durations


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Funnel:
    """How far users went: explored, opened training after exploring, saved."""

    users: int
    explored: int
    trained_after_exploring: int
    saved: int
    careers_saved: int
    coach_requested: int

    @property
    def explored_share(self) -> float | None:
        """Share (0–1) of users who opened at least one career."""
        return _share(self.explored, self.users)

    @property
    def trained_share(self) -> float | None:
        """Share (0–1) of explorers who opened training options after exploring."""
        return _share(self.trained_after_exploring, self.explored)

    @property
    def saved_share(self) -> float | None:
        """Share (0–1) of users who saved at least one career."""
        return _share(self.saved, self.users)

    @property
    def coach_share(self) -> float | None:
        """Share (0–1) of users who asked for a coach."""
        return _share(self.coach_requested, self.users)


@dataclass(frozen=True)
class ExplorationTime:
    """Time spent exploring, per session (seconds)."""

    sessions: int
    users: int
    total_seconds: float
    median_seconds: float | None
    mean_seconds: float | None


@dataclass(frozen=True)
class SurveyDistribution:
    """Counts of the latest answers: 0 not really / no, 1 a little / maybe, 2 a lot / yes."""

    interest: dict[int, int] = field(default_factory=dict)
    readiness: dict[int, int] = field(default_factory=dict)

    @property
    def interest_answers(self) -> int:
        """How many careers have an interest answer."""
        return sum(self.interest.values())

    @property
    def readiness_answers(self) -> int:
        """How many careers have a readiness answer."""
        return sum(self.readiness.values())

    @property
    def interested_share(self) -> float | None:
        """Share (0–1) of interest answers that are "a little" or "a lot"."""
        return _share(self.interest.get(1, 0) + self.interest.get(2, 0), self.interest_answers)

    @property
    def ready_or_maybe_share(self) -> float | None:
        """Share (0–1) of readiness answers that are "maybe" or "yes"."""
        return _share(self.readiness.get(1, 0) + self.readiness.get(2, 0), self.readiness_answers)


@dataclass(frozen=True)
class Evaluation:
    """Every figure of the dashboard for one filter."""

    funnel: Funnel
    time: ExplorationTime
    survey: SurveyDistribution


def _events() -> Any:
    """The events of people still here and, under their random subject numbers, those of people
    who were erased (`anonymous_events`): the dashboard counts both alike."""
    live = select(
        Event.id.label("id"),
        Event.user_id.label("user_id"),
        Event.at.label("at"),
        Event.kind.label("kind"),
        Event.partner_code.label("partner_code"),
        Event.rome.label("rome"),
        Event.data.label("data"),
    )
    gone = select(
        (-AnonymousEvent.id).label("id"),
        AnonymousEvent.subject.label("user_id"),
        AnonymousEvent.at.label("at"),
        AnonymousEvent.kind.label("kind"),
        AnonymousEvent.partner_code.label("partner_code"),
        AnonymousEvent.rome.label("rome"),
        AnonymousEvent.data.label("data"),
    )
    return union_all(live, gone).subquery("all_events")


def _filters(
    ev: Any, partner: str | None, since: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if partner == NO_PARTNER:
        conditions.append(ev.c.partner_code.is_(None))
    elif partner is not None:
        conditions.append(ev.c.partner_code == partner)
    if since is not None:
        conditions.append(ev.c.at >= since)
    if until is not None:
        conditions.append(ev.c.at < until)
    return conditions


async def _count_users(
    session: AsyncSession, ev: Any, conditions: list[ColumnElement[bool]], *kinds: str
) -> int:
    query: Select[Any] = select(func.count(func.distinct(ev.c.user_id))).where(*conditions)
    if kinds:
        query = query.where(ev.c.kind.in_(kinds))
    return int(await session.scalar(query) or 0)


async def funnel(
    session: AsyncSession,
    *,
    partner: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Funnel:
    """The users, explorers, trainers-after-exploring and savers for a filter."""
    ev = _events()
    conditions = _filters(ev, partner, since, until)
    opened = _events()
    first_open = (
        select(opened.c.user_id, func.min(opened.c.at).label("first_at"))
        .where(opened.c.kind == events.CAREER_OPENED, *_filters(opened, partner, since, until))
        .group_by(opened.c.user_id)
        .subquery()
    )
    trained = int(
        await session.scalar(
            select(func.count(func.distinct(ev.c.user_id)))
            .select_from(ev)
            .join(
                first_open,
                and_(first_open.c.user_id == ev.c.user_id, ev.c.at >= first_open.c.first_at),
            )
            .where(ev.c.kind == events.TRAINING_OPENED, *conditions)
        )
        or 0
    )
    careers_saved = int(
        await session.scalar(
            select(func.count(ev.c.id)).where(ev.c.kind == events.CAREER_SAVED, *conditions)
        )
        or 0
    )
    return Funnel(
        users=await _count_users(session, ev, conditions),
        explored=await _count_users(session, ev, conditions, events.CAREER_OPENED),
        trained_after_exploring=trained,
        saved=await _count_users(session, ev, conditions, events.CAREER_SAVED),
        careers_saved=careers_saved,
        coach_requested=await _count_users(session, ev, conditions, events.COACH_REQUESTED),
    )


async def exploration_time(
    session: AsyncSession,
    *,
    partner: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    gap: timedelta = SESSION_GAP,
) -> ExplorationTime:
    """Time spent exploring per session, from the exploration events."""
    ev = _events()
    rows = await session.stream(
        select(ev.c.user_id, ev.c.at)
        .where(ev.c.kind.in_(EXPLORATION_KINDS), *_filters(ev, partner, since, until))
        .order_by(ev.c.user_id, ev.c.at, ev.c.id)
        .execution_options(yield_per=5000)
    )
    pairs = [(int(user_id), at) async for user_id, at in rows]
    durations = session_durations(pairs, gap)
    return ExplorationTime(
        sessions=len(durations),
        users=len({user_id for user_id, _ in pairs}),
        total_seconds=sum(durations),
        median_seconds=statistics.median(durations) if durations else None,
        mean_seconds=statistics.fmean(durations) if durations else None,
    )


async def survey_distribution(
    session: AsyncSession,
    *,
    partner: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> SurveyDistribution:
    """The distribution of each user's latest survey answer per career and question."""
    ev = _events()
    rows = await session.execute(
        select(ev.c.user_id, ev.c.rome, ev.c.data)
        .where(ev.c.kind == events.SURVEY_ANSWERED, *_filters(ev, partner, since, until))
        .order_by(ev.c.at, ev.c.id)
    )
    latest: dict[tuple[int, str | None, str], int] = {}
    for user_id, rome, data in rows:
        question, answer = (data or {}).get("question"), (data or {}).get("answer")
        if question in ("interest", "readiness") and answer in ANSWERS:
            latest[(user_id, rome, question)] = answer  # later rows overwrite earlier ones
    interest = Counter(a for (_, _, q), a in latest.items() if q == "interest")
    readiness = Counter(a for (_, _, q), a in latest.items() if q == "readiness")
    return SurveyDistribution(
        interest={a: interest.get(a, 0) for a in ANSWERS},
        readiness={a: readiness.get(a, 0) for a in ANSWERS},
    )


async def evaluation(
    session: AsyncSession,
    *,
    partner: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Evaluation:
    """All the dashboard's figures for one filter."""
    window: dict[str, Any] = {"partner": partner, "since": since, "until": until}
    return Evaluation(
        funnel=await funnel(session, **window),
        time=await exploration_time(session, **window),
        survey=await survey_distribution(session, **window),
    )


# ----- nudges and hand-over ------------------------------------------------------------------

NUDGE_KINDS: tuple[str, ...] = tuple(sorted(tallies.NUDGE_KINDS))
HANDOVER_KINDS: tuple[str, ...] = tuple(sorted(tallies.HANDOVER_KINDS))


@dataclass(frozen=True)
class NudgeStep:
    """One step and A/B variant of the nudges: distinct users sent it, who pressed one of its
    buttons, who asked for a coach from it, who stopped the nudges from it."""

    step: int
    variant: str
    sent: int
    clicked: int
    coach: int
    stopped: int


@dataclass(frozen=True)
class NudgeGroup:
    """Users planned into nudges (treated) or kept out (hold-out), and what they did anyway."""

    users: int
    coach_requested: int
    stopped: int

    @property
    def coach_share(self) -> float | None:
        """Share (0–1) who asked for a coach."""
        return _share(self.coach_requested, self.users)


@dataclass(frozen=True)
class Nudges:
    """The nudge funnel per step and variant, with the treated and hold-out groups."""

    steps: list[NudgeStep]
    treated: NudgeGroup
    holdout: NudgeGroup
    coach_via_nudge_users: int = 0
    sent_users: int = 0

    @property
    def coach_via_nudge_share(self) -> float | None:
        """Share (0–1) of users sent a nudge who asked for a coach from a nudge's button."""
        return _share(self.coach_via_nudge_users, self.sent_users)


@dataclass(frozen=True)
class Programme:
    """The hand-over to one programme: referrals by what became of them, outcomes, answer time
    and satisfaction."""

    code: str
    referred: int
    answered: int
    timed_out: int
    withdrawn: int
    closed: int
    outcomes: dict[str, int]
    median_first_answer_seconds: float | None
    satisfaction_mean: float | None
    satisfaction_answers: int


async def _rows(
    session: AsyncSession, kinds: tuple[str, ...], partner: str | None,
    since: datetime | None, until: datetime | None,
) -> list[tuple[int, datetime, str, dict[str, Any]]]:
    ev = _events()
    result = await session.execute(
        select(ev.c.user_id, ev.c.at, ev.c.kind, ev.c.data)
        .where(ev.c.kind.in_(kinds), *_filters(ev, partner, since, until))
        .order_by(ev.c.at, ev.c.id)
    )
    return [(int(u), at, kind, dict(data or {})) for u, at, kind, data in result]


async def nudges(
    session: AsyncSession,
    *,
    partner: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Nudges:
    """The nudge funnel (distinct users per step and variant) and the hold-out comparison."""
    rows = await _rows(session, NUDGE_KINDS, partner, since, until)
    coach_rows = await _rows(session, (events.COACH_REQUESTED,), partner, since, until)
    sets: dict[tuple[int, str], dict[str, set[int]]] = {}
    planned: dict[int, bool] = {}
    stopped_users: set[int] = set()
    coach_via_nudge: set[int] = set()
    sent_users: set[int] = set()
    for user, _, kind, data in rows:
        if kind == events.NUDGES_PLANNED:
            planned[user] = bool(data.get("holdout"))
            continue
        if kind == events.NUDGES_STOPPED:
            stopped_users.add(user)
        step = data.get("step")
        if not isinstance(step, int):
            continue
        slot = sets.setdefault(
            (step, str(data.get("variant") or "")),
            {"sent": set(), "clicked": set(), "coach": set(), "stopped": set()},
        )
        if kind == events.NUDGE_SENT:
            slot["sent"].add(user)
            sent_users.add(user)
        elif kind == events.NUDGE_CLICKED:
            slot["clicked"].add(user)
            if data.get("button") == "coach":
                slot["coach"].add(user)
                coach_via_nudge.add(user)
        elif kind == events.NUDGES_STOPPED:
            slot["stopped"].add(user)
    asked = {user for user, *_ in coach_rows}

    def group(holdout: bool) -> NudgeGroup:
        users = {u for u, h in planned.items() if h is holdout}
        return NudgeGroup(len(users), len(users & asked), len(users & stopped_users))

    return Nudges(
        steps=[
            NudgeStep(step, variant, len(s["sent"]), len(s["clicked"]), len(s["coach"]),
                      len(s["stopped"]))
            for (step, variant), s in sorted(sets.items())
        ],
        treated=group(False),
        holdout=group(True),
        coach_via_nudge_users=len(coach_via_nudge),
        sent_users=len(sent_users),
    )


async def programmes(
    session: AsyncSession,
    *,
    partner: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Programme]:
    """The hand-over per programme, from the hand-over events of the window."""
    rows = await _rows(session, HANDOVER_KINDS, partner, since, until)
    referred_at: dict[int, datetime] = {}
    first_answer: dict[int, datetime] = {}
    per: dict[str, dict[str, Any]] = {}
    score: dict[int, tuple[str, int]] = {}
    for _, at, kind, data in rows:
        code, referral = str(data.get("programme") or ""), data.get("referral")
        if not isinstance(referral, int):
            continue
        slot = per.setdefault(code, {"referred": set(), "answered": set(), "timed_out": set(),
                                     "withdrawn": set(), "closed": {}})
        if kind == events.HANDOVER_REFERRED:
            slot["referred"].add(referral)
            referred_at[referral] = at
        elif kind == events.HANDOVER_MESSAGE and data.get("direction") == "coach":
            slot["answered"].add(referral)
            first_answer.setdefault(referral, at)
        elif kind == events.HANDOVER_TIMED_OUT:
            slot["timed_out"].add(referral)
        elif kind == events.HANDOVER_WITHDRAWN:
            slot["withdrawn"].add(referral)
        elif kind == events.HANDOVER_CLOSED:
            slot["closed"][referral] = str(data.get("outcome") or "")
        elif kind == events.HANDOVER_RATED and isinstance(data.get("score"), int):
            score[referral] = (code, int(data["score"]))  # the latest rating counts
    result = []
    for code, slot in sorted(per.items()):
        waits = [
            (first_answer[r] - referred_at[r]).total_seconds()
            for r in slot["referred"]
            if r in first_answer and r in referred_at
        ]
        scores = [s for c, s in score.values() if c == code]
        result.append(
            Programme(
                code=code,
                referred=len(slot["referred"]),
                answered=len(slot["answered"]),
                timed_out=len(slot["timed_out"]),
                withdrawn=len(slot["withdrawn"]),
                closed=len(slot["closed"]),
                outcomes=dict(sorted(Counter(slot["closed"].values()).items())),
                median_first_answer_seconds=statistics.median(waits) if waits else None,
                satisfaction_mean=statistics.fmean(scores) if scores else None,
                satisfaction_answers=len(scores),
            )
        )
    return result
