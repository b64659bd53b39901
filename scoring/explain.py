"""One-line explanations of why a career ranks well, from its strongest criteria."""

from __future__ import annotations

from collections.abc import Callable

from scoring.bands import automation_band, competition_band
from scoring.models import Criterion, Departement, RankedCareer

MAX_PARTS = 3


def format_number(value: int, lang: str) -> str:
    """Group thousands the French way ("1 240") or the English way ("1,240").

    French groups with a narrow no-break space, so a figure never breaks across two lines.
    """
    grouped = f"{value:,}"
    return grouped.replace(",", "\u202f") if lang != "en" else grouped


def _offers(ranked: RankedCareer, dep: Departement, lang: str) -> str:
    market = ranked.market
    count = format_number(market.annual_offers, lang)
    if lang == "en":
        text = f"{count} offer{'s' if market.annual_offers != 1 else ''} a year in {dep.name}"
        return text + (" (estimate)" if market.is_estimate else "")
    text = f"{count} offre{'s' if market.annual_offers > 1 else ''} par an {dep.prefix}"
    return text + (" (estimation)" if market.is_estimate else "")


def _competition(ranked: RankedCareer, dep: Departement, lang: str) -> str:
    band = competition_band(ranked.market.competition)
    if band == "low":
        return "little competition" if lang == "en" else "peu de concurrence"
    if band == "medium":
        return "moderate competition" if lang == "en" else "une concurrence modérée"
    return "strong competition" if lang == "en" else "beaucoup de concurrence"


def _contracts(ranked: RankedCareer, dep: Departement, lang: str) -> str:
    mix = ranked.market.contracts or ranked.career.contracts
    if mix.cdi >= 50:
        return "mostly permanent contracts" if lang == "en" else "surtout des CDI"
    if mix.cdi + mix.cdd_long >= 50:
        return "mostly long contracts" if lang == "en" else "surtout des contrats longs"
    return "some stable contracts" if lang == "en" else "des contrats stables possibles"


def _salary(ranked: RankedCareer, dep: Departement, lang: str) -> str:
    entry = ranked.market.salary_entry or ranked.career.salary_entry
    experienced = ranked.market.salary_experienced or ranked.career.salary_experienced
    if lang == "en":
        return (
            f"from €{format_number(entry, lang)} to €{format_number(experienced, lang)}"
            " gross a month"
        )
    return (
        f"de {format_number(entry, lang)} à {format_number(experienced, lang)}\u00a0€ brut par mois"
    )


def _automation(ranked: RankedCareer, dep: Departement, lang: str) -> str:
    if automation_band(ranked.career.automation_risk) == "low":
        return "hard to automate" if lang == "en" else "difficile à automatiser"
    return "little risk of automation" if lang == "en" else "peu menacé par l'automatisation"


def _training(ranked: RankedCareer, dep: Departement, lang: str) -> str:
    months = ranked.career.training_months
    if months == 0:
        return "no training needed" if lang == "en" else "accessible sans formation"
    if lang == "en":
        return f"{months}-month training" if months < 24 else f"{months // 12}-year training"
    if months < 24:
        return f"formation en {months} mois"
    return f"formation en {months // 12} ans"


_PHRASES: dict[Criterion, Callable[[RankedCareer, Departement, str], str]] = {
    Criterion.OFFERS: _offers,
    Criterion.COMPETITION: _competition,
    Criterion.CONTRACTS: _contracts,
    Criterion.SALARY: _salary,
    Criterion.AUTOMATION: _automation,
    Criterion.TRAINING: _training,
}


def explanation(ranked: RankedCareer, departement: Departement, lang: str) -> str:
    """Why this career ranks well here, in one line of the user's language ("fr" or "en").

    E.g. "1 240 offres par an dans le Rhône (estimation), peu de concurrence, surtout des
    CDI" / "1,240 offers a year in Rhône (estimate), little competition, mostly permanent
    contracts". Built from the career's three strongest criteria (``ranked.reasons``).
    """
    strongest = set(ranked.reasons[:MAX_PARTS] or (Criterion.OFFERS,))
    # The strongest criteria, told in a fixed order that reads naturally: where, how, what.
    parts = [_PHRASES[c](ranked, departement, lang) for c in _PHRASES if c in strongest]
    sentence = ", ".join(parts)
    return sentence[:1].upper() + sentence[1:]
