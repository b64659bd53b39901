"""The "why for you" line of a card: scoring's reasons worded by the templates, in French and
English."""

from __future__ import annotations

from dataclasses import replace

import pytest

from journey.explain import why_line
from messages.render import plain_text
from scoring import (
    ContractMix,
    Criterion,
    MarketFigures,
    Priority,
    RankedCareer,
    get_departement,
    rank,
)
from scoring.catalogue import Catalogue, build_catalogue, load_careers
from scoring.explain import reasons
from tests.scoring.conftest import FIXTURES


@pytest.fixture(scope="module")
def small_catalogue() -> Catalogue:
    """The scoring tests' 18 hand-written careers."""
    careers, _ = load_careers(FIXTURES / "careers")
    return build_catalogue(careers)


def explanation(ranked: RankedCareer, departement: object, lang: str) -> str:
    """The line as the user reads it."""
    return plain_text(why_line(ranked, departement, lang))  # type: ignore[arg-type]

RHONE = get_departement("69")
REUNION = get_departement("974")


def _ranked(catalogue: Catalogue, reasons: tuple[Criterion, ...], **market: object) -> RankedCareer:
    career = replace(catalogue.careers["D1102"], contracts=ContractMix(70, 15, 10, 5))
    figures = MarketFigures(
        rome="D1102",
        departement="69",
        annual_offers=1240,
        competition=9.0,
        seasonal=False,
        is_estimate=True,
    )
    return RankedCareer(career, 0.8, replace(figures, **market), reasons)  # type: ignore[arg-type]


def test_explanation_in_french_and_english(small_catalogue: Catalogue) -> None:
    assert RHONE is not None
    ranked = _ranked(
        small_catalogue, (Criterion.COMPETITION, Criterion.OFFERS, Criterion.CONTRACTS)
    )
    assert explanation(ranked, RHONE, "fr") == (
        "1\u202f240 offres par an dans le Rhône (estimation), peu de concurrence, surtout des CDI"
    )
    assert explanation(ranked, RHONE, "en") == (
        "1,240 offers a year in Rhône (estimate), little competition, mostly permanent contracts"
    )


def test_imported_figures_are_not_called_estimates(small_catalogue: Catalogue) -> None:
    assert REUNION is not None
    ranked = _ranked(small_catalogue, (Criterion.OFFERS,), is_estimate=False, annual_offers=36)
    assert explanation(ranked, REUNION, "fr") == "36 offres par an à La Réunion"
    assert explanation(ranked, REUNION, "en") == "36 offers a year in La Réunion"


def test_other_criteria_have_phrases(small_catalogue: Catalogue) -> None:
    assert RHONE is not None
    ranked = _ranked(small_catalogue, (Criterion.SALARY, Criterion.TRAINING, Criterion.AUTOMATION))
    assert explanation(ranked, RHONE, "fr") == (
        "De 1\u202f800 à 2\u202f300\u00a0€ brut par mois, peu menacé par l'automatisation, "
        "formation en 12 mois"
    )
    assert explanation(ranked, RHONE, "en") == (
        "From €1,800 to €2,300 gross a month, little risk of automation, 12-month training"
    )


def test_every_ranked_career_gets_a_one_line_explanation(small_catalogue: Catalogue) -> None:
    assert RHONE is not None
    for lang in ("fr", "en"):
        for ranked in rank(small_catalogue, "69", {Priority.SALARY}):
            text = explanation(ranked, RHONE, lang)
            assert text and "\n" not in text
            assert text[0].isupper() or text[0].isdigit()
            assert text.count(", ") <= 2


def test_scoring_gives_facts_not_sentences(small_catalogue: Catalogue) -> None:
    ranked = _ranked(small_catalogue, (Criterion.SALARY, Criterion.COMPETITION, Criterion.OFFERS))
    assert [(r.criterion, dict(r.facts)) for r in reasons(ranked)] == [
        (Criterion.OFFERS, {"count": 1240, "estimate": True}),
        (Criterion.COMPETITION, {"band": "low"}),
        (Criterion.SALARY, {"entry": 1800, "experienced": 2300}),
    ]
