"""The bands figures are told in, and the good-job tests: each rule has one home, which the
card, the one-line explanation and the nudges all follow."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scoring import (
    ContractMix,
    Criterion,
    MarketFigures,
    RankedCareer,
    reasons,
)
from scoring.bands import automation_band, competition_band
from scoring.catalogue import Catalogue
from scoring.ranking import is_good_job, mostly_lasting_contracts, safe_from_automation


@pytest.mark.parametrize(
    ("offers_per_10", "band"),
    [(12.0, "low"), (8.0, "low"), (7.99, "medium"), (4.0, "medium"), (3.99, "high"), (0, "high")],
)
def test_competition_bands(offers_per_10: float, band: str) -> None:
    assert competition_band(offers_per_10) == band


@pytest.mark.parametrize(
    ("risk", "band"), [(0, "low"), (24, "low"), (25, "medium"), (59, "medium"), (60, "high")]
)
def test_automation_bands(risk: int, band: str) -> None:
    assert automation_band(risk) == band


@pytest.mark.parametrize(("competition", "band"), [(8.0, "low"), (7.9, "medium"), (3.9, "high")])
def test_the_reasons_follow_the_bands(
    small_catalogue: Catalogue, competition: float, band: str
) -> None:
    career = small_catalogue.careers["D1102"]
    market = MarketFigures(
        rome="D1102", departement="69", annual_offers=100, competition=competition,
        seasonal=False, is_estimate=False,
    )
    ranked = RankedCareer(career, 0.5, market, (Criterion.COMPETITION,))
    assert [dict(r.facts) for r in reasons(ranked)] == [{"band": band}]


def test_a_good_job_is_safe_from_automation_and_mostly_lasting(small_catalogue: Catalogue) -> None:
    career = replace(
        small_catalogue.careers["D1102"], automation_risk=84, contracts=ContractMix(45, 0, 55, 0)
    )
    assert safe_from_automation(career) and mostly_lasting_contracts(career)
    assert is_good_job(career)
    automated = replace(career, automation_risk=85)
    assert not safe_from_automation(automated) and not is_good_job(automated)
    short = replace(career, contracts=ContractMix(44, 0, 56, 0))
    assert not mostly_lasting_contracts(short) and not is_good_job(short)
