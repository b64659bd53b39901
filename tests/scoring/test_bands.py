"""The bands figures are told in, and the good-job tests: each rule has one home, which the
card, the one-line explanation and the nudges all follow."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scoring import Criterion, rank
from scoring.bands import automation_band, competition_band
from scoring.catalogue import Catalogue
from scoring.explain import reasons
from scoring.ranking import is_good_job, mostly_lasting_contracts, safe_from_automation


@pytest.mark.parametrize(
    ("category", "band"),
    [(5, "low"), (4, "low"), (3, "medium"), (2, "high"), (1, "high")],
)
def test_competition_bands(category: int, band: str) -> None:
    assert competition_band(category) == band


@pytest.mark.parametrize(
    ("risk", "band"), [(0, "low"), (24, "low"), (25, "medium"), (59, "medium"), (60, "high")]
)
def test_automation_bands(risk: int, band: str) -> None:
    assert automation_band(risk) == band


@pytest.mark.parametrize(("risk", "band"), [(24, "low"), (25, "medium"), (60, "high")])
def test_the_reasons_follow_the_bands(small_catalogue: Catalogue, risk: int, band: str) -> None:
    ranked = rank(small_catalogue, "69", ())[0]
    automated = replace(
        ranked, career=replace(ranked.career, automation_risk=risk), reasons=(Criterion.AUTOMATION,)
    )
    assert [dict(r.facts) for r in reasons(automated)] == [{"band": band}]


def test_a_good_job_is_safe_from_automation_and_mostly_lasting(small_catalogue: Catalogue) -> None:
    bakery = small_catalogue.careers["D1102"]
    assert bakery.national is not None
    career = replace(
        bakery, automation_risk=84, national=replace(bakery.national, cdd=45.0, interim=5.0)
    )
    assert safe_from_automation(career) and mostly_lasting_contracts(career)
    assert is_good_job(career)
    automated = replace(career, automation_risk=85)
    assert not safe_from_automation(automated) and not is_good_job(automated)
    short = replace(career, national=replace(bakery.national, cdd=45.0, interim=5.1))
    assert not mostly_lasting_contracts(short) and not is_good_job(short)
