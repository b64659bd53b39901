"""Rows of careers to explore, built from one ranking of a user's département.

Every section holds ranked good careers (see :mod:`scoring.ranking`), best first for its
own angle, up to ``limit`` of them so that the bot can page through them; a section with
fewer than two careers is dropped. Keys are stable, for callbacks:

``top``, ``hiring``, ``competition``, ``salary``, ``no_diploma``, ``low_qualification``,
``future``, ``sector``, ``serendipity`` and ``riasec_<letter>`` (one per interest).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable

from scoring.bands import automation_band
from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from scoring.models import RIASEC_LETTERS, Priority, RankedCareer, Section
from scoring.ranking import rank

SECTION_LIMIT = 30
MIN_SECTION_SIZE = 2
TOP_CAREERS_FOR_INTERESTS = 5
MAX_INTEREST_SECTIONS = 2


def _take(careers: Iterable[RankedCareer], limit: int) -> tuple[RankedCareer, ...]:
    result = []
    for ranked in careers:
        result.append(ranked)
        if len(result) == limit:
            break
    return tuple(result)


def _by(key: Callable[[RankedCareer], float], ranked: list[RankedCareer]) -> list[RankedCareer]:
    # Stable sort on the score order: equal keys keep the user's ranking order.
    return sorted(ranked, key=key, reverse=True)


def _salary(item: RankedCareer) -> float:
    entry = item.market.salary_entry or item.career.salary_entry
    experienced = item.market.salary_experienced or item.career.salary_experienced
    return (entry + experienced) / 2


def _interest_letters(ranked: list[RankedCareer], riasec: str | None) -> list[str]:
    if riasec:
        wanted = [letter for letter in riasec.upper() if letter in RIASEC_LETTERS]
        return list(dict.fromkeys(wanted))
    letters: list[str] = []
    for item in ranked[:TOP_CAREERS_FOR_INTERESTS]:
        letter = item.career.riasec[:1]
        if letter and letter not in letters:
            letters.append(letter)
    return letters[:MAX_INTEREST_SECTIONS]


def build_sections(
    catalogue: Catalogue,
    dep_code: str,
    priorities: Collection[Priority | str] = (),
    lang: str = "fr",
    seed: int = 0,
    riasec: str | None = None,
    limit: int = SECTION_LIMIT,
) -> list[Section]:
    """The sections to explore for a user in a département, in display order.

    ``seed`` drives the serendipity row (same seed, same order, so "more" pages are
    stable); ``riasec`` (e.g. "SA") asks for interest rows for those letters instead of
    the letters of the user's top careers. ``lang`` is accepted for symmetry with the bot;
    the titles are templates of `messages` (``sections.title``), worded by the journey.
    """
    if get_departement(dep_code) is None:
        raise KeyError(dep_code)
    ranked = rank(catalogue, dep_code, priorities)
    by_salary = _by(_salary, ranked)
    rows: list[tuple[str, Iterable[RankedCareer]]] = [
        ("top", ranked),
        ("hiring", _by(lambda r: r.market.annual_offers, ranked)),
        ("competition", _by(lambda r: r.market.competition, ranked)),
        ("salary", by_salary),
        ("no_diploma", (r for r in by_salary if r.career.qualification == "none")),
        (
            "low_qualification",
            (r for r in by_salary if r.career.qualification in ("none", "cap")),
        ),
        (
            "future",
            (r for r in ranked if automation_band(r.career.automation_risk) == "low"),
        ),
    ]
    sections = [Section(key, _take(careers, limit), kind=key) for key, careers in rows]
    if ranked:
        sector = ranked[0].career.sector
        sections.append(
            Section(
                "sector",
                _take((r for r in ranked if r.career.sector == sector), limit),
                kind="sector",
                topic=sector,
            )
        )
    shuffled = sorted(ranked, key=lambda r: r.career.rome)
    random.Random(seed).shuffle(shuffled)
    sections.append(Section("serendipity", _take(shuffled, limit), kind="serendipity"))
    for letter in _interest_letters(ranked, riasec):
        sections.append(
            Section(
                f"riasec_{letter}",
                _take((r for r in ranked if letter in r.career.riasec), limit),
                kind="riasec",
                topic=letter,
            )
        )
    return [section for section in sections if len(section.careers) >= MIN_SECTION_SIZE]
