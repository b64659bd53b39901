"""The bands figures are told in, and the good-job tests: each rule has one home, which the
card, the one-line explanation and the nudges all follow."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scoring import Criterion, Priority, rank
from scoring.bands import automation_band, competition_band, training_band
from scoring.catalogue import Catalogue
from scoring.explain import reasons
from scoring.fit import unmet_priorities
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


@pytest.mark.parametrize(("risk", "told"), [(24, True), (25, False), (60, False)])
def test_the_reasons_follow_the_bands(small_catalogue: Catalogue, risk: int, told: bool) -> None:
    ranked = rank(small_catalogue, "69", ())[0]
    automated = replace(
        ranked, career=replace(ranked.career, automation_risk=risk), reasons=(Criterion.AUTOMATION,)
    )
    # Only a low risk is told as a reason: a medium one is "moyenne" on the card's body.
    keys = [r.key for r in reasons(automated)]
    assert ("automation" in keys) is told
    if told:
        assert [dict(r.facts) for r in reasons(automated)] == [{"band": "low"}]


@pytest.mark.parametrize(
    ("qualification", "months", "band"),
    [
        ("cap", 0, "none"),
        ("cap", 12, "short"),
        ("bac+2", 23, "short"),
        ("bac+2", 24, "long"),
        ("bac+3", 12, "long"),  # a licence pro takes a year after a bac+2
        ("bac+5", 12, "long"),
    ],
)
def test_training_bands(
    small_catalogue: Catalogue, qualification: str, months: int, band: str
) -> None:
    base = small_catalogue.careers["D1102"]
    route = replace(base.training[0], months=months)
    career = replace(base, qualification=qualification, training=(route,))
    assert training_band(career) == band


def test_a_career_is_realistic_only_when_it_meets_every_priority(
    small_catalogue: Catalogue,
) -> None:
    base = small_catalogue.careers["D1102"]
    route = replace(base.training[0], months=12)
    long_study = replace(base, qualification="bac+5", automation_risk=10, training=(route,))
    assert unmet_priorities(long_study, None, ["short_training", "future", "salary"]) == [
        Priority.SHORT_TRAINING
    ]
    assert unmet_priorities(replace(long_study, automation_risk=40), None, ["future"]) == [
        Priority.FUTURE
    ]


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
