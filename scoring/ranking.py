"""The scoring model: rank the good careers of a département for one person.

Seven criteria are computed for each career in the département, each in 0–1 (1 is best),
from the DARES figures of :mod:`scoring.labour` and the project's career data:

- ``tension``: the local tension score (a tight market is good news for an applicant),
  clipped to ±1.5 and scaled; careers without a published tension get ``UNKNOWN_TENSION``;
- ``employment``: the local employment of the career's job families, ``log(1 + n)``,
  min–max normalised over the careers of the département (0 when not published);
- ``contracts``: durability, 1 − the national share of fixed-term and temporary-agency
  contracts, min–max normalised (0.5 when not published);
- ``salary``: the national net median salary, min–max normalised (0.5 when not published);
- ``automation``: ``1 − automation risk / 100`` (the project's estimate);
- ``conditions``: ``(5 − hard working conditions) / 4`` from DARES's local indicator (0.5
  when not published);
- ``training``: length of the shortest usual training (capped at 60 months), min–max
  normalised and reversed so that the shortest is 1.

The score is the weighted mean of the criteria: each weighs 1, and the criteria behind a
priority the user chose weigh 3 (``hiring`` → tension and employment, ``security`` →
contracts, ``salary`` → salary, ``future`` → automation, ``short_training`` → training).

Then the person: a career whose usual diploma is two levels above the person's highest
qualification, with no training route of ``SHORT_ROUTE_MONTHS`` or less, is multiplied by
``FAR_FACTOR`` (it drops down the list); one level above, by ``STRETCH_FACTOR``. A short
route bridges at most ``MAX_BRIDGED_GAP`` levels: three or more (no diploma → bac+2) is far
whatever the route (a ten-month bac+2 course still expects the bac). When the
qualification is not known, careers asking for bac+2 or more
without a short route get ``UNKNOWN_FACTOR`` (most of our users have little schooling).
Interests (RIASEC letters from the quiz) add ``INTEREST_BONUS`` when the career's main
letter is among them. Ties are broken by ROME code, so the order is deterministic.

Only "good jobs" are ranked: automation risk below 85 and at most 50 % of the people in the
job on fixed-term or temporary contracts.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from scoring.models import (
    QUALIFICATIONS,
    Career,
    Criterion,
    MarketFigures,
    Person,
    Priority,
    RankedCareer,
)

MAX_AUTOMATION_RISK = 85
MAX_TEMPORARY_SHARE = 50.0
CHOSEN_WEIGHT = 3.0
STRENGTH_THRESHOLD = 0.6
UNKNOWN_TENSION = 0.3
SHORT_ROUTE_MONTHS = 12
MAX_BRIDGED_GAP = 2
FAR_FACTOR = 0.45
STRETCH_FACTOR = 0.85
UNKNOWN_FACTOR = 0.8
INTEREST_BONUS = 0.06
_TENSION_CLIP = 1.5
_TRAINING_CAP = 60

CRITERIA: tuple[Criterion, ...] = (
    Criterion.TENSION,
    Criterion.EMPLOYMENT,
    Criterion.CONTRACTS,
    Criterion.SALARY,
    Criterion.AUTOMATION,
    Criterion.CONDITIONS,
    Criterion.TRAINING,
)

PRIORITY_CRITERIA: dict[Priority, tuple[Criterion, ...]] = {
    Priority.HIRING: (Criterion.TENSION, Criterion.EMPLOYMENT),
    Priority.SECURITY: (Criterion.CONTRACTS,),
    Priority.SALARY: (Criterion.SALARY,),
    Priority.FUTURE: (Criterion.AUTOMATION,),
    Priority.SHORT_TRAINING: (Criterion.TRAINING,),
}


def safe_from_automation(career: Career) -> bool:
    """Whether the career is not likely to be automated (a good job's first test)."""
    return career.automation_risk < MAX_AUTOMATION_RISK


def mostly_lasting_contracts(career: Career) -> bool:
    """Whether fixed-term and temporary-agency contracts are not most of the jobs (DARES
    shares of the people in the job; a good job's second test). Unknown shares pass."""
    temporary = career.temporary_share
    return temporary is None or temporary <= MAX_TEMPORARY_SHARE


def is_good_job(career: Career) -> bool:
    """Whether a career is worth proposing: not likely automated, not mostly temporary work."""
    return safe_from_automation(career) and mostly_lasting_contracts(career)


def weights_for(priorities: Collection[Priority | str]) -> tuple[float, ...]:
    """The weight of each criterion (in ``CRITERIA`` order) for a set of priorities."""
    chosen: set[Criterion] = set()
    for priority in priorities:
        chosen.update(PRIORITY_CRITERIA[Priority(priority)])
    return tuple(CHOSEN_WEIGHT if c in chosen else 1.0 for c in CRITERIA)


def qualification_gap(career: Career, qualification: str | None) -> int | None:
    """How many diploma levels the career usually asks above the person's (None: unknown).

    bac+5 counts as bac+3: DARES and most entry routes do not tell them apart.
    """
    if qualification not in QUALIFICATIONS:
        return None
    ceiling = QUALIFICATIONS.index("bac+3")
    wanted = min(QUALIFICATIONS.index(career.qualification), ceiling)
    held = min(QUALIFICATIONS.index(qualification), ceiling)
    return wanted - held


def has_short_route(career: Career) -> bool:
    """Whether a usual training route of a year or less leads to the career."""
    return any(route.months <= SHORT_ROUTE_MONTHS for route in career.training)


def fit_factor(career: Career, person: Person) -> tuple[float, str]:
    """The multiplier of a career's score for this person, and the fit in one word.

    The fit is "ok", "short_route" (more schooling, but a short route exists), "stretch"
    (one level more), "far" (two or more) or "unknown".
    """
    gap = qualification_gap(career, person.qualification)
    if gap is None:
        high = QUALIFICATIONS.index(career.qualification) >= QUALIFICATIONS.index("bac+2")
        if high and not has_short_route(career):
            return UNKNOWN_FACTOR, "unknown"
        return 1.0, "unknown"
    if gap <= 0:
        return 1.0, "ok"
    if gap <= MAX_BRIDGED_GAP and has_short_route(career):
        return 1.0, "short_route"
    if gap == 1:
        return STRETCH_FACTOR, "stretch"
    return FAR_FACTOR, "far"


@dataclass(slots=True)
class DepartementCriteria:
    """The good careers of a département with their normalised criteria (CRITERIA order)."""

    careers: list[Career]
    markets: list[MarketFigures]
    values: list[tuple[float, ...]]
    reasons: dict[tuple[float, ...], list[tuple[Criterion, ...]]] = field(default_factory=dict)
    bases: dict[tuple[float, ...], list[float]] = field(default_factory=dict)
    fits: dict[str | None, list[tuple[float, str]]] = field(default_factory=dict)


def _min_max(raw: Sequence[float | None], missing: float) -> list[float]:
    known = [x for x in raw if x is not None]
    low, high = min(known, default=0.0), max(known, default=0.0)
    span = high - low
    return [missing if x is None else (0.5 if span <= 0 else (x - low) / span) for x in raw]


def compute_criteria(catalogue: Catalogue, dep_code: str) -> DepartementCriteria:
    """Normalise the criteria over the good careers of a département (no caching)."""
    careers = [c for c in catalogue.careers.values() if is_good_job(c)]
    markets = [catalogue.market(c.rome, dep_code) for c in careers]
    tension: list[float] = []
    employment: list[float | None] = []
    durability: list[float | None] = []
    salary: list[float | None] = []
    automation: list[float] = []
    conditions: list[float] = []
    training: list[float | None] = []
    for career, market in zip(careers, markets, strict=True):
        local = market.tension
        if local is None:
            tension.append(UNKNOWN_TENSION)
            conditions.append(0.5)
        else:
            clipped = max(-_TENSION_CLIP, min(_TENSION_CLIP, local.score))
            tension.append((clipped + _TENSION_CLIP) / (2 * _TENSION_CLIP))
            hard = local.hard_conditions
            conditions.append(0.5 if hard is None else (5 - hard) / 4)
        employment.append(None if market.employment is None else math.log1p(market.employment))
        temporary = career.temporary_share
        durability.append(None if temporary is None else 100 - temporary)
        salary.append(None if career.salary_net is None else float(career.salary_net))
        automation.append(1 - career.automation_risk / 100)
        training.append(-float(min(career.training_months, _TRAINING_CAP)))
    values = list(
        zip(
            tension,
            _min_max(employment, 0.0),
            _min_max(durability, 0.5),
            _min_max(salary, 0.5),
            automation,
            conditions,
            _min_max(training, 0.5),
            strict=True,
        )
    )
    return DepartementCriteria(careers, markets, values)


def departement_criteria(catalogue: Catalogue, dep_code: str) -> DepartementCriteria:
    """The normalised criteria of a département, computed once per catalogue."""
    key = ("criteria", dep_code)
    cached = catalogue.derived.get(key)
    if cached is None:
        if get_departement(dep_code) is None:
            raise KeyError(dep_code)
        cached = compute_criteria(catalogue, dep_code)
        catalogue.derived[key] = cached
    assert isinstance(cached, DepartementCriteria)
    return cached


def _reasons(
    values: Sequence[tuple[float, ...]], weights: tuple[float, ...]
) -> list[tuple[Criterion, ...]]:
    result = []
    indexes = range(len(CRITERIA))
    for row in values:
        strong = sorted(
            (i for i in indexes if row[i] >= STRENGTH_THRESHOLD),
            key=lambda i: (-row[i] * weights[i], i),
        )
        if not strong:
            strong = [max(indexes, key=lambda i: (row[i] * weights[i], -i))]
        result.append(tuple(CRITERIA[i] for i in strong))
    return result


def score_all(
    criteria: DepartementCriteria, weights: tuple[float, ...], person: Person | None = None
) -> list[RankedCareer]:
    """Weigh, adjust for the person, sort and wrap the careers of a département (best first)."""
    person = person or Person()
    # The weighted means and the diploma fits are kept per weights and per qualification:
    # a call then only multiplies, sorts and wraps.
    base = criteria.bases.get(weights)
    if base is None:
        total = sum(weights)
        base = [
            sum(w * v for w, v in zip(weights, row, strict=True)) / total for row in criteria.values
        ]
        criteria.bases[weights] = base
    fitted = criteria.fits.get(person.qualification)
    if fitted is None:
        fitted = [fit_factor(career, person) for career in criteria.careers]
        criteria.fits[person.qualification] = fitted
    scores = [score * factor for score, (factor, _) in zip(base, fitted, strict=True)]
    if person.interests:
        letters = set(person.interests)
        for i, career in enumerate(criteria.careers):
            if career.riasec[:1] in letters:
                scores[i] += INTEREST_BONUS
    fits = [fit for _, fit in fitted]
    reasons = criteria.reasons.get(weights)
    if reasons is None:
        reasons = _reasons(criteria.values, weights)
        criteria.reasons[weights] = reasons
    careers, markets = criteria.careers, criteria.markets
    # Careers are held in ROME order, so a stable sort on the score alone breaks ties by code.
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    return [
        RankedCareer(careers[i], scores[i], markets[i], reasons[i], criteria.values[i], fits[i])
        for i in order
    ]


def rank(
    catalogue: Catalogue,
    dep_code: str,
    priorities: Collection[Priority | str] = (),
    person: Person | None = None,
) -> list[RankedCareer]:
    """Rank the good careers of a département for a person's priorities, best first.

    Raises KeyError for an unknown département code.
    """
    return score_all(departement_criteria(catalogue, dep_code), weights_for(priorities), person)
