"""Why a career ranks well: its strongest criteria, as facts for the templates to word.

Scoring decides *what* to say (which criteria, in which order, which band or kind); the
sentences themselves are templates in `messages` (`reasons.*`), worded by `journey.explain`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scoring.bands import automation_band, competition_band
from scoring.models import Criterion, RankedCareer

MAX_PARTS = 3
# Percent of hires on permanent (or permanent and long) contracts above which they are "mostly".
MOSTLY = 50


@dataclass(frozen=True)
class Reason:
    """One reason a career ranks well: the criterion and the facts its phrase needs."""

    criterion: Criterion
    facts: Mapping[str, Any]


def _offers(ranked: RankedCareer) -> dict[str, Any]:
    return {"count": ranked.market.annual_offers, "estimate": ranked.market.is_estimate}


def _competition(ranked: RankedCareer) -> dict[str, Any]:
    return {"band": competition_band(ranked.market.competition)}


def _contracts(ranked: RankedCareer) -> dict[str, Any]:
    mix = ranked.market.contracts or ranked.career.contracts
    if mix.cdi >= MOSTLY:
        return {"kind": "permanent"}
    if mix.cdi + mix.cdd_long >= MOSTLY:
        return {"kind": "long"}
    return {"kind": "some"}


def _salary(ranked: RankedCareer) -> dict[str, Any]:
    return {
        "entry": ranked.market.salary_entry or ranked.career.salary_entry,
        "experienced": ranked.market.salary_experienced or ranked.career.salary_experienced,
    }


def _automation(ranked: RankedCareer) -> dict[str, Any]:
    return {"band": automation_band(ranked.career.automation_risk)}


def _training(ranked: RankedCareer) -> dict[str, Any]:
    return {"months": ranked.career.training_months}


_FACTS: dict[Criterion, Callable[[RankedCareer], dict[str, Any]]] = {
    Criterion.OFFERS: _offers,
    Criterion.COMPETITION: _competition,
    Criterion.CONTRACTS: _contracts,
    Criterion.SALARY: _salary,
    Criterion.AUTOMATION: _automation,
    Criterion.TRAINING: _training,
}


def reasons(ranked: RankedCareer) -> list[Reason]:
    """Why this career ranks well: its three strongest criteria (``ranked.reasons``), or the
    offers when none stands out, in a fixed order that reads naturally (where, how, what)."""
    strongest = set(ranked.reasons[:MAX_PARTS] or (Criterion.OFFERS,))
    return [Reason(c, facts(ranked)) for c, facts in _FACTS.items() if c in strongest]
