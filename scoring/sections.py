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

from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from scoring.models import RIASEC_LETTERS, Priority, RankedCareer, Section
from scoring.ranking import rank

SECTION_LIMIT = 30
MIN_SECTION_SIZE = 2
FUTURE_PROOF_RISK = 25
TOP_CAREERS_FOR_INTERESTS = 5
MAX_INTEREST_SECTIONS = 2

SECTOR_NAMES: dict[str, tuple[str, str]] = {
    "health": ("la santé", "health"),
    "construction": ("le bâtiment et les travaux publics", "construction"),
    "retail": ("le commerce", "retail"),
    "hospitality": ("l'hôtellerie et la restauration", "hospitality"),
    "logistics": ("la logistique", "logistics"),
    "industry": ("l'industrie", "industry"),
    "agriculture": ("l'agriculture", "agriculture"),
    "services": ("les services", "services"),
    "it": ("le numérique", "IT and digital"),
    "admin": ("l'administration et la gestion", "administration"),
    "transport": ("le transport", "transport"),
    "care": ("l'aide à la personne", "care"),
    "education": ("l'éducation et la formation", "education"),
    "arts": ("les arts et le spectacle", "arts and entertainment"),
    "security": ("la sécurité", "security"),
    "finance": ("la banque et l'assurance", "finance"),
    "energy": ("l'énergie", "energy"),
}

INTERESTS: dict[str, tuple[str, str]] = {
    "R": ("Concret et manuel", "Hands-on"),
    "I": ("Curieux et méthodique", "Curious and analytical"),
    "A": ("Créatif", "Creative"),
    "S": ("Au service des autres", "Helping people"),
    "E": ("Entreprendre et convaincre", "Leading and persuading"),
    "C": ("Organisé et rigoureux", "Organised and precise"),
}


def sector_name(sector: str, lang: str) -> str:
    """A readable name for a sector slug ("health" → "la santé" / "health")."""
    french, english = SECTOR_NAMES.get(sector, (sector.replace("_", " "),) * 2)
    return english if lang == "en" else french


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
    sections carry both titles (``Section.title(lang)``).
    """
    departement = get_departement(dep_code)
    if departement is None:
        raise KeyError(dep_code)
    ranked = rank(catalogue, dep_code, priorities)
    where = departement.prefix
    sections: list[Section] = [
        Section(
            "top", "Nos meilleures pistes pour vous", "Top picks for you", _take(ranked, limit)
        ),
        Section(
            "hiring",
            f"Ça recrute {where}",
            f"Hiring well in {departement.name}",
            _take(_by(lambda r: r.market.annual_offers, ranked), limit),
        ),
        Section(
            "competition",
            "Peu de concurrence",
            "Little competition",
            _take(_by(lambda r: r.market.competition, ranked), limit),
        ),
        Section(
            "salary",
            "Les meilleurs salaires",
            "Best salaries",
            _take(_by(_salary, ranked), limit),
        ),
        Section(
            "no_diploma",
            "Bien payés, sans diplôme",
            "Good pay without a diploma",
            _take((r for r in _by(_salary, ranked) if r.career.qualification == "none"), limit),
        ),
        Section(
            "low_qualification",
            "Bien payés avec un CAP ou moins",
            "Good pay with little qualification",
            _take(
                (r for r in _by(_salary, ranked) if r.career.qualification in ("none", "cap")),
                limit,
            ),
        ),
        Section(
            "future",
            "Des métiers d'avenir",
            "Future-proof careers",
            _take((r for r in ranked if r.career.automation_risk < FUTURE_PROOF_RISK), limit),
        ),
    ]
    if ranked:
        sector = ranked[0].career.sector
        sections.append(
            Section(
                "sector",
                f"Dans {sector_name(sector, 'fr')}",
                f"More in {sector_name(sector, 'en')}",
                _take((r for r in ranked if r.career.sector == sector), limit),
            )
        )
    shuffled = sorted(ranked, key=lambda r: r.career.rome)
    random.Random(seed).shuffle(shuffled)
    sections.append(
        Section(
            "serendipity",
            "Pour sortir des sentiers battus",
            "Something different",
            _take(shuffled, limit),
        )
    )
    for letter in _interest_letters(ranked, riasec):
        french, english = INTERESTS[letter]
        sections.append(
            Section(
                f"riasec_{letter}",
                french,
                english,
                _take((r for r in ranked if letter in r.career.riasec), limit),
            )
        )
    return [section for section in sections if len(section.careers) >= MIN_SECTION_SIZE]
