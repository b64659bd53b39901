"""The evaluation dashboard's figures for whole days, read from the tallies (`kernel.tallies`):
one query sums the rows whose rectangle holds the period, and each median reads the exact
values of the one histogram bucket that holds it. Same figures and dataclasses as
`journey.stats`, which computes them from the events (the reference)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from journey.stats import (
    ANSWERS,
    NO_PARTNER,
    Evaluation,
    ExplorationTime,
    Funnel,
    NudgeGroup,
    Nudges,
    NudgeStep,
    Programme,
    SurveyDistribution,
)
from kernel import tallies
from storage.models import DashboardTally, DashboardValue


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the dashboard page for one period and programme."""

    evaluation: Evaluation
    nudges: Nudges
    programmes: list[Programme]


@dataclass(frozen=True)
class _Window:
    scope: str
    a: int
    b: int

    def holds(self, table: Any) -> list[Any]:
        """The conditions "this row's rectangle holds the period"."""
        return [
            table.scope == self.scope,
            table.a_lo <= self.a,
            table.a_hi >= self.a,
            table.b_lo <= self.b,
            table.b_hi >= self.b,
        ]


def _scope(partner: str | None) -> str:
    if partner is None:
        return tallies.ALL
    return "" if partner == NO_PARTNER else partner


async def _sums(session: AsyncSession, window: _Window) -> Counter[tuple[str, float]]:
    rows = await session.execute(
        select(DashboardTally.figure, DashboardTally.value, func.sum(DashboardTally.n))
        .where(*window.holds(DashboardTally))
        .group_by(DashboardTally.figure, DashboardTally.value)
    )
    return Counter({(name, float(value)): int(n) for name, value, n in rows if n})


def _pick(counts: list[tuple[float, int]], ranks: list[int]) -> dict[int, tuple[float, int]]:
    """For each rank (0-based, in the values sorted), the value or bucket (from `counts`, sorted
    by value) that holds it and the rank within that bucket."""
    found: dict[int, tuple[float, int]] = {}
    below = 0
    for value, n in counts:
        for rank in ranks:
            if below <= rank < below + n:
                found[rank] = (value, rank - below)
        below += n
    return found


async def _values(
    session: AsyncSession, window: _Window, name: str, lower: float, width: float
) -> list[tuple[float, int]]:
    rows = await session.execute(
        select(DashboardValue.value, func.sum(DashboardValue.n))
        .where(
            *window.holds(DashboardValue),
            DashboardValue.figure == name,
            DashboardValue.value >= lower,
            DashboardValue.value < lower + width,
        )
        .group_by(DashboardValue.value)
        .order_by(DashboardValue.value)
    )
    return [(float(value), int(n)) for value, n in rows if n]


async def _median(
    session: AsyncSession, window: _Window, name: str, histogram: dict[float, int]
) -> float | None:
    """The exact median of a figure's values (as `statistics.median`): the coarse histogram
    says which bucket holds the middle rank(s), that bucket's finer histogram which finer
    bucket, and so on down to the exact values of one finest bucket."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})  # ranks of the middle value(s)
    read: dict[tuple[str, float], list[tuple[float, int]]] = {}  # both ranks often share

    async def counts(figure: str, lower: float, width: float) -> list[tuple[float, int]]:
        if (figure, lower) not in read:
            read[(figure, lower)] = await _values(session, window, figure, lower, width)
        return read[(figure, lower)]

    middle: list[float] = []
    for rank in wanted:
        lower, rest = _pick(sorted(histogram.items()), [rank])[rank]
        for width, finer in zip(tallies.WIDTHS, tallies.WIDTHS[1:], strict=False):
            finer_counts = await counts(tallies.finer(name, finer), lower, width)
            lower, rest = _pick(finer_counts, [rest])[rest]
        exact = await counts(name, lower, tallies.WIDTHS[-1])
        middle.append(_pick(exact, [rest])[rest][0])
    return middle[0] if len(middle) == 1 else (middle[0] + middle[1]) / 2


def _counter(sums: Counter[tuple[str, float]]) -> Callable[..., int]:
    """`one(name, value=0.0)`: the sum of one figure."""

    def one(name: str, value: float = 0.0) -> int:
        return sums.get((name, value), 0)

    return one


def _histogram(sums: Counter[tuple[str, float]], name: str) -> dict[float, int]:
    return {value: n for (fig, value), n in sums.items() if fig == name}


def _parts(sums: Counter[tuple[str, float]], head: str) -> list[tuple[list[Any], float, int]]:
    """The figures named `tallies.figure(head, …)`: their parts after the head, value, count."""
    found = []
    for (name, value), n in sums.items():
        if name.startswith("["):
            parts = json.loads(name)
            if parts[0] == head:
                found.append((parts[1:], value, n))
    return found


async def _evaluation(
    session: AsyncSession, window: _Window, sums: Counter[tuple[str, float]]
) -> Evaluation:
    one = _counter(sums)
    sessions = _histogram(sums, tallies.SESSION)
    count = sum(sessions.values())
    total = one(tallies.TOTAL_US) / 1_000_000
    return Evaluation(
        funnel=Funnel(
            users=one("users"),
            explored=one("explored"),
            trained_after_exploring=one("trained"),
            saved=one("saved"),
            careers_saved=one("careers_saved"),
            coach_requested=one("coach"),
        ),
        time=ExplorationTime(
            sessions=count,
            users=one("explorers"),
            total_seconds=total,
            median_seconds=await _median(session, window, tallies.SESSION, sessions),
            mean_seconds=total / count if count else None,
        ),
        survey=SurveyDistribution(
            interest={a: one("interest", float(a)) for a in ANSWERS},
            readiness={a: one("readiness", float(a)) for a in ANSWERS},
        ),
    )


def _nudges(sums: Counter[tuple[str, float]]) -> Nudges:
    one = _counter(sums)
    steps: dict[tuple[int, str], dict[str, int]] = {}
    for (step, variant, what), _, n in _parts(sums, "step"):
        steps.setdefault((step, variant), {})[what] = n
    return Nudges(
        steps=[
            NudgeStep(step, variant, did.get("sent", 0), did.get("clicked", 0),
                      did.get("coach", 0), did.get("stopped", 0))
            for (step, variant), did in sorted(steps.items())
        ],
        treated=NudgeGroup(one("planned", 0.0), one("planned_coach", 0.0),
                           one("planned_stopped", 0.0)),
        holdout=NudgeGroup(one("planned", 1.0), one("planned_coach", 1.0),
                           one("planned_stopped", 1.0)),
        coach_via_nudge_users=one("coach_via_nudge"),
        sent_users=one("sent_users"),
    )


async def _programmes(
    session: AsyncSession, window: _Window, sums: Counter[tuple[str, float]]
) -> list[Programme]:
    per: dict[str, dict[str, int]] = {}
    for (code, what), _, n in _parts(sums, "programme"):
        per.setdefault(code, {})[what] = n
    outcomes: dict[str, dict[str, int]] = {}
    for (code, outcome), _, n in _parts(sums, "closed"):
        outcomes.setdefault(code, {})[outcome] = n
    ratings: dict[str, dict[float, int]] = {}
    for (code,), score, n in _parts(sums, "rating"):
        ratings.setdefault(code, {})[score] = n
    result = []
    for code, did in sorted(per.items()):
        scores = ratings.get(code, {})
        answers = sum(scores.values())
        wait = tallies.figure("wait", code)
        result.append(
            Programme(
                code=code,
                referred=did.get("referred", 0),
                answered=did.get("answered", 0),
                timed_out=did.get("timed_out", 0),
                withdrawn=did.get("withdrawn", 0),
                closed=sum(outcomes.get(code, {}).values()),
                outcomes=dict(sorted(outcomes.get(code, {}).items())),
                median_first_answer_seconds=await _median(
                    session, window, wait, _histogram(sums, wait)
                ),
                satisfaction_mean=(
                    sum(s * n for s, n in scores.items()) / answers if answers else None
                ),
                satisfaction_answers=answers,
            )
        )
    return result


async def dashboard(
    session: AsyncSession,
    *,
    partner: str | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> Dashboard:
    """Every figure of the dashboard for the days `first_day`…`last_day` (both included, days in
    `kernel.tallies.ZONE`; open when None) and a programme (`partner` as in `journey.stats`)."""
    window = _Window(
        _scope(partner),
        tallies.FIRST if first_day is None else tallies.day_of(first_day),
        tallies.LAST if last_day is None else tallies.day_of(last_day),
    )
    sums = await _sums(session, window) if window.a <= window.b else Counter()
    return Dashboard(
        evaluation=await _evaluation(session, window, sums),
        nudges=_nudges(sums),
        programmes=await _programmes(session, window, sums),
    )
