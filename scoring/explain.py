"""Why a career is proposed to this person: the facts, for the templates to word.

Scoring decides *what* to say (which reasons, in which order, with which figure); the sentences
are templates in `messages` (``reasons.<key>``), worded by `journey.explain`. The keys:

- ``fit`` (``level``: the person's qualification): the person has the usual diploma;
- ``short_route`` (``months``): more schooling is usual, but a short training route exists;
- ``interest`` (``letter``): the career matches the interests quiz (RIASEC);
- ``tension`` (``category`` 1–5 from DARES, ``level`` dep/reg/nat): employers struggle to hire;
- ``employment`` (``count`` of people in the job, ``level``): a big local job market;
- ``contracts`` (``lasting``: percent of people not on fixed-term or temporary contracts);
- ``salary`` (``net``: DARES's national net median, euros a month);
- ``automation`` (``band``: the project's estimated risk, low/medium/high);
- ``conditions`` (``hard``: DARES's hard-working-conditions indicator, 1–5);
- ``training`` (``months`` of the shortest usual route).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring.bands import MOSTLY, automation_band, training_band
from scoring.models import Criterion, Person, RankedCareer

MAX_PARTS = 3
# DARES tension categories from which a tight market is told as good news for an applicant.
TIGHT = 4


@dataclass(frozen=True)
class Reason:
    """One reason to propose a career: what (``key``, a template name) and its figures."""

    key: str
    facts: Mapping[str, Any] = field(default_factory=dict)


def _criterion_reason(ranked: RankedCareer, criterion: Criterion) -> Reason | None:
    career, market = ranked.career, ranked.market
    if criterion is Criterion.TENSION and market.tension is not None:
        if market.tension.category < TIGHT:
            return None  # not a tension the applicant would call good news
        return Reason(
            "tension", {"category": market.tension.category, "level": market.tension.level}
        )
    if criterion is Criterion.EMPLOYMENT and market.employment:
        return Reason("employment", {"count": market.employment, "level": market.employment_level})
    if criterion is Criterion.CONTRACTS and career.temporary_share is not None:
        lasting = round(100 - career.temporary_share)
        # "Mostly stable jobs" only when they are, as the card's figure shows.
        return Reason("contracts", {"lasting": lasting}) if lasting >= MOSTLY else None
    if criterion is Criterion.SALARY and career.salary_net is not None:
        return Reason("salary", {"net": career.salary_net})
    if criterion is Criterion.AUTOMATION:
        band = automation_band(career.automation_risk)
        # The card's body says "moyen" for a medium risk: the headline then says nothing of it
        # rather than "little risk of automation".
        return Reason("automation", {"band": band}) if band == "low" else None
    if criterion is Criterion.CONDITIONS and market.tension is not None:
        hard = market.tension.hard_conditions
        return None if hard is None else Reason("conditions", {"hard": hard})
    if criterion is Criterion.TRAINING:
        # A short route to a level above bac+2 builds on an earlier degree: not told as short.
        if training_band(career) == "long":
            return None
        return Reason("training", {"months": career.training_months})
    return None


def reasons(ranked: RankedCareer, person: Person | None = None) -> list[Reason]:
    """Why this career is a good pick for this person: at most ``MAX_PARTS`` reasons.

    The person's own reasons come first (the diploma fits, or a short route bridges the gap;
    the interests match), then the career's strongest criteria here (``ranked.reasons``).
    """
    person = person or Person()
    found: list[Reason] = []
    if ranked.fit == "ok" and person.qualification:
        found.append(Reason("fit", {"level": person.qualification}))
    elif ranked.fit == "short_route":
        found.append(Reason("short_route", {"months": ranked.career.training_months}))
    letter = ranked.career.riasec[:1]
    if letter and letter in person.interests:
        found.append(Reason("interest", {"letter": letter}))
    for criterion in ranked.reasons:
        if len(found) >= MAX_PARTS:
            break
        reason = _criterion_reason(ranked, criterion)
        if reason is not None and all(
            r.key != reason.key and r.key != _TOLD_BY.get(reason.key) for r in found
        ):
            found.append(reason)
    for criterion in _FALLBACK:  # facts that are true of any career, told as they are
        if found:
            break
        reason = _criterion_reason(ranked, criterion)
        if reason is not None:
            found.append(reason)
    return found[:MAX_PARTS]


# A reason already told by another one: the short route gives the training's months, so
# "6-month course" after "a short course (about 6 months) is enough to start" says it twice.
_TOLD_BY = {"training": "short_route"}

# When no strong criterion is good news: a low automation risk, else the salary.
_FALLBACK = (Criterion.AUTOMATION, Criterion.SALARY)
