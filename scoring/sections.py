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
from scoring.models import RIASEC_LETTERS, Person, Priority, RankedCareer, Section
from scoring.ranking import rank

SECTION_LIMIT = 30
MIN_SECTION_SIZE = 2
TOP_CAREERS_FOR_INTERESTS = 5
MAX_INTEREST_SECTIONS = 2
DIVERSE_HEAD = 10
MAX_SAME_FAMILIES = 2


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
    return float(item.career.salary_net or 0)


def _hiring(item: RankedCareer) -> float:
    # The two local criteria of the "hiring" priority: tension and employment (normalised).
    return item.values[0] + item.values[1] if item.values else 0.0


def _tension(item: RankedCareer) -> float:
    return item.market.tension.score if item.market.tension is not None else -99.0


def _diverse(ranked: Iterable[RankedCareer]) -> list[RankedCareer]:
    """The same careers, with at most ``MAX_SAME_FAMILIES`` sharing a DARES family group (FAP
    87) among the first ``DIVERSE_HEAD``; the others move just after that head, in their order.

    Careers of the same families have (nearly) the same local figures (DARES publishes them per
    family, not per ROME code), so without this a list could open on four versions of one
    statistic.
    """
    head: list[RankedCareer] = []
    deferred: list[RankedCareer] = []
    tail: list[RankedCareer] = []
    counts: dict[str, int] = {}
    for item in ranked:
        if len(head) >= DIVERSE_HEAD:
            tail.append(item)
            continue
        groups = {f[:3] for f in item.career.national.families} if item.career.national else set()
        if any(counts.get(group, 0) >= MAX_SAME_FAMILIES for group in groups):
            deferred.append(item)
            continue
        for group in groups:
            counts[group] = counts.get(group, 0) + 1
        head.append(item)
    return head + deferred + tail


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
    person: Person | None = None,
) -> list[Section]:
    """The sections to explore for a user in a département, in display order.

    ``seed`` drives the serendipity row (same seed, same order, so "more" pages are
    stable); ``riasec`` (e.g. "SA") asks for interest rows for those letters instead of
    the letters of the user's top careers (the quiz's letters in ``person.interests`` when
    ``riasec`` is not given); ``person`` fits the ranking to the user's qualification: careers
    far above it stay at the bottom of the top picks and leave the other rows. ``lang`` is
    accepted for symmetry with the bot;
    the titles are templates of `messages` (``sections.title``), worded by the journey.
    """
    if get_departement(dep_code) is None:
        raise KeyError(dep_code)
    top = rank(catalogue, dep_code, priorities, person)
    if riasec is None and person is not None and person.interests:
        riasec = person.interests
    ranked = [r for r in top if r.fit != "far"]
    sections = [
        Section(key, _take(careers, limit), kind=key) for key, careers in _angles(top, ranked)
    ]
    sector = _sector_section(ranked, limit)
    if sector is not None:
        sections.append(sector)
    sections.append(_serendipity(ranked, seed, limit))
    sections += _interest_sections(ranked, riasec, limit)
    return [section for section in sections if len(section.careers) >= MIN_SECTION_SIZE]


def _angles(
    top: list[RankedCareer], ranked: list[RankedCareer]
) -> list[tuple[str, Iterable[RankedCareer]]]:
    """The rows that look at every career from one angle, in display order: the top picks
    (`top`, far-fetched ones included at their place), then, among the careers within reach
    (`ranked`), hiring, competition, salary, no diploma, low qualification and future."""
    by_salary = _by(_salary, ranked)
    return [
        ("top", _diverse(top)),
        ("hiring", _diverse(_by(_hiring, ranked))),
        ("competition", _by(_tension, ranked)),
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


def _sector_section(ranked: list[RankedCareer], limit: int) -> Section | None:
    """The sector of the best career that has company in it (a row needs two careers)."""
    sizes: dict[str, int] = {}
    for item in ranked:
        sizes[item.career.sector] = sizes.get(item.career.sector, 0) + 1
    sector = next((r.career.sector for r in ranked if sizes[r.career.sector] >= 2), None)
    if sector is None:
        return None
    return Section(
        "sector",
        _take((r for r in ranked if r.career.sector == sector), limit),
        kind="sector",
        topic=sector,
    )


def _serendipity(ranked: list[RankedCareer], seed: int, limit: int) -> Section:
    """Careers in an order drawn from `seed` (the same seed, the same order: pages are stable)."""
    shuffled = sorted(ranked, key=lambda r: r.career.rome)
    random.Random(seed).shuffle(shuffled)
    return Section("serendipity", _take(shuffled, limit), kind="serendipity")


def _interest_sections(
    ranked: list[RankedCareer], riasec: str | None, limit: int
) -> list[Section]:
    """One row per interest letter (the user's, else those of their top careers)."""
    return [
        Section(
            f"riasec_{letter}",
            _take((r for r in ranked if letter in r.career.riasec), limit),
            kind="riasec",
            topic=letter,
        )
        for letter in _interest_letters(ranked, riasec)
    ]
