"""The scoring model: rank the good careers of a département for a user's priorities.

Six criteria are computed for each career in the département, each normalised to 0–1 over
the good careers of that département (1 is best):

- ``offers``: yearly job offers, on a log scale (``log(1 + offers)``), min–max normalised;
- ``competition``: offers per 10 candidates (more offers per candidate is less competition),
  capped at 20, min–max normalised;
- ``contracts``: stability of hires, ``(CDI % + 0.5 × long CDD %) / 100``;
- ``salary``: mean of the entry and experienced gross monthly salary, min–max normalised;
- ``automation``: ``1 − automation risk / 100``;
- ``training``: length of the shortest usual training (capped at 60 months), min–max
  normalised and reversed so that the shortest is 1.

Local figures (imported market, contracts, salaries) replace national ones when known.
The score is the weighted mean of the six criteria. Every criterion weighs 1, and the
criteria behind a priority the user chose weigh 3 (``hiring`` → offers and competition,
``security`` → contracts, ``salary`` → salary, ``future`` → automation, ``short_training``
→ training). With no priority all criteria weigh the same. Ties are broken by ROME code,
so the order is deterministic.

Only "good jobs" are ranked: automation risk below 85 and at most 55 % of hires on short
contracts (CDD of 3 months or less plus interim).

The normalised criteria of a département are computed once per catalogue and kept on it;
a call then only weighs, sorts and wraps.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from scoring.models import Career, Criterion, MarketFigures, Priority, RankedCareer

MAX_AUTOMATION_RISK = 85
MAX_SHORT_CONTRACTS = 55
CHOSEN_WEIGHT = 3.0
STRENGTH_THRESHOLD = 0.5
_COMPETITION_CAP = 20.0
_TRAINING_CAP = 60

CRITERIA: tuple[Criterion, ...] = (
    Criterion.OFFERS,
    Criterion.COMPETITION,
    Criterion.CONTRACTS,
    Criterion.SALARY,
    Criterion.AUTOMATION,
    Criterion.TRAINING,
)

PRIORITY_CRITERIA: dict[Priority, tuple[Criterion, ...]] = {
    Priority.HIRING: (Criterion.OFFERS, Criterion.COMPETITION),
    Priority.SECURITY: (Criterion.CONTRACTS,),
    Priority.SALARY: (Criterion.SALARY,),
    Priority.FUTURE: (Criterion.AUTOMATION,),
    Priority.SHORT_TRAINING: (Criterion.TRAINING,),
}


def safe_from_automation(career: Career) -> bool:
    """Whether the career is not likely to be automated (a good job's first test)."""
    return career.automation_risk < MAX_AUTOMATION_RISK


def mostly_lasting_contracts(career: Career) -> bool:
    """Whether short contracts are not most of the hires (a good job's second test)."""
    return career.contracts.short_share <= MAX_SHORT_CONTRACTS


def is_good_job(career: Career) -> bool:
    """Whether a career is worth proposing: not likely automated, not mostly short contracts."""
    return safe_from_automation(career) and mostly_lasting_contracts(career)


def weights_for(priorities: Collection[Priority | str]) -> tuple[float, ...]:
    """The weight of each criterion (in ``CRITERIA`` order) for a set of priorities."""
    chosen: set[Criterion] = set()
    for priority in priorities:
        chosen.update(PRIORITY_CRITERIA[Priority(priority)])
    return tuple(CHOSEN_WEIGHT if c in chosen else 1.0 for c in CRITERIA)


@dataclass(slots=True)
class DepartementCriteria:
    """The good careers of a département with their normalised criteria (CRITERIA order)."""

    careers: list[Career]
    markets: list[MarketFigures]
    values: list[tuple[float, float, float, float, float, float]]
    reasons: dict[tuple[float, ...], list[tuple[Criterion, ...]]] = field(default_factory=dict)


def _min_max(raw: Sequence[float]) -> list[float]:
    low, high = min(raw, default=0.0), max(raw, default=0.0)
    if high <= low:
        return [0.5] * len(raw)
    span = high - low
    return [(x - low) / span for x in raw]


def compute_criteria(catalogue: Catalogue, dep_code: str) -> DepartementCriteria:
    """Normalise the six criteria over the good careers of a département (no caching)."""
    careers = [c for c in catalogue.careers.values() if is_good_job(c)]
    markets = [catalogue.market(c.rome, dep_code) for c in careers]
    offers_raw: list[float] = []
    competition_raw: list[float] = []
    contracts: list[float] = []
    salary_raw: list[float] = []
    automation: list[float] = []
    training_raw: list[float] = []
    for career, market in zip(careers, markets, strict=True):
        mix = market.contracts or career.contracts
        entry = market.salary_entry or career.salary_entry
        experienced = market.salary_experienced or career.salary_experienced
        offers_raw.append(math.log1p(market.annual_offers))
        competition_raw.append(min(market.competition, _COMPETITION_CAP))
        contracts.append((mix.cdi + 0.5 * mix.cdd_long) / 100)
        salary_raw.append((entry + max(entry, experienced)) / 2)
        automation.append(1 - career.automation_risk / 100)
        training_raw.append(-min(career.training_months, _TRAINING_CAP))
    values = list(
        zip(
            _min_max(offers_raw),
            _min_max(competition_raw),
            contracts,
            _min_max(salary_raw),
            automation,
            _min_max(training_raw),
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
    for row in values:
        strong = sorted(
            (i for i in range(len(CRITERIA)) if row[i] >= STRENGTH_THRESHOLD),
            key=lambda i: (-row[i] * weights[i], i),
        )
        if not strong:
            strong = [max(range(len(CRITERIA)), key=lambda i: (row[i] * weights[i], -i))]
        result.append(tuple(CRITERIA[i] for i in strong))
    return result


def score_all(criteria: DepartementCriteria, weights: tuple[float, ...]) -> list[RankedCareer]:
    """Weigh, sort and wrap the careers of a département (best first)."""
    w0, w1, w2, w3, w4, w5 = weights
    total = w0 + w1 + w2 + w3 + w4 + w5
    scores = [
        (w0 * a + w1 * b + w2 * c + w3 * d + w4 * e + w5 * f) / total
        for a, b, c, d, e, f in criteria.values
    ]
    reasons = criteria.reasons.get(weights)
    if reasons is None:
        reasons = _reasons(criteria.values, weights)
        criteria.reasons[weights] = reasons
    careers, markets = criteria.careers, criteria.markets
    # Careers are held in ROME order, so a stable sort on the score alone breaks ties by code.
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    return [RankedCareer(careers[i], scores[i], markets[i], reasons[i]) for i in order]


def rank(
    catalogue: Catalogue, dep_code: str, priorities: Collection[Priority | str] = ()
) -> list[RankedCareer]:
    """Rank the good careers of a département for a user's priorities, best first.

    Raises KeyError for an unknown département code.
    """
    return score_all(departement_criteria(catalogue, dep_code), weights_for(priorities))
