"""The scoring model: good jobs only, deterministic, local, and fitted to the person."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scoring import Person, Priority, RankedCareer, is_good_job, rank
from scoring.catalogue import Catalogue
from scoring.ranking import CRITERIA, compute_criteria, fit_factor, score_all, weights_for


def _position(ranked: list[RankedCareer], rome: str) -> int:
    return [r.career.rome for r in ranked].index(rome)


def test_rank_returns_only_good_jobs_best_first(small_catalogue: Catalogue) -> None:
    ranked = rank(small_catalogue, "69", ())
    romes = {r.career.rome for r in ranked}
    assert "D1505" not in romes  # checkout staff: automation risk 92
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.1 for s in scores)
    assert all(r.market.departement == "69" for r in ranked)
    assert all(len(r.values) == len(CRITERIA) for r in ranked)


def test_good_job_thresholds(small_catalogue: Catalogue) -> None:
    career = small_catalogue.careers["K2204"]
    assert career.national is not None
    assert is_good_job(career)
    assert is_good_job(replace(career, automation_risk=84))
    assert not is_good_job(replace(career, automation_risk=85))
    temporary = replace(career.national, cdd=40.0, interim=10.0)
    assert is_good_job(replace(career, national=temporary))
    too_temporary = replace(career.national, cdd=40.0, interim=10.1)
    assert not is_good_job(replace(career, national=too_temporary))


def test_ranking_is_deterministic(small_catalogue: Catalogue) -> None:
    first = rank(small_catalogue, "33", [Priority.SALARY, Priority.HIRING])
    again = rank(small_catalogue, "33", {Priority.HIRING, Priority.SALARY})
    assert first == again


@pytest.mark.parametrize(
    ("priority", "rome"),
    [
        (Priority.SALARY, "J1506"),  # the second best DARES median salary
        (Priority.SHORT_TRAINING, "N1103"),  # no training needed
        (Priority.FUTURE, "J1506"),  # hardest to automate
        (Priority.SECURITY, "D1102"),  # 6 % fixed-term or temporary contracts
    ],
)
def test_a_priority_raises_the_careers_that_fit_it(
    small_catalogue: Catalogue, priority: Priority, rome: str
) -> None:
    neutral = rank(small_catalogue, "69", ())
    chosen = rank(small_catalogue, "69", {priority})
    assert _position(chosen, rome) <= _position(neutral, rome)


def test_hiring_follows_the_local_market(small_catalogue: Catalogue) -> None:
    # The same careers, ranked for hiring, come in a different order in two départements:
    # the figures are each département's own, not one national list scaled.
    paris = [r.career.rome for r in rank(small_catalogue, "75", {Priority.HIRING})]
    reunion = [r.career.rome for r in rank(small_catalogue, "974", {Priority.HIRING})]
    assert paris != reunion


def test_too_much_schooling_drops_unless_a_short_route_exists(
    small_catalogue: Catalogue,
) -> None:
    neutral = rank(small_catalogue, "69", ())
    no_diploma = rank(small_catalogue, "69", (), Person("none"))
    # Developer (bac+2, three levels above) falls from the top to the bottom half.
    assert _position(neutral, "M1805") == 0
    assert _position(no_diploma, "M1805") > len(no_diploma) // 2
    developer = next(r for r in no_diploma if r.career.rome == "M1805")
    assert developer.fit == "far"
    # Two levels above but a 12-month route: not penalised.
    bakery = small_catalogue.careers["D1102"]
    assert fit_factor(bakery, Person("none")) == (1.0, "short_route")
    graduate = rank(small_catalogue, "69", (), Person("bac+5"))
    assert _position(graduate, "M1805") == 0


def test_interests_lift_matching_careers(small_catalogue: Catalogue) -> None:
    neutral = rank(small_catalogue, "69", ())
    social = rank(small_catalogue, "69", (), Person(None, "S"))
    assert _position(social, "J1506") < _position(neutral, "J1506")


def test_weights_are_equal_without_priorities_and_triple_when_chosen() -> None:
    assert set(weights_for(())) == {1.0}
    weights = weights_for({"salary"})
    assert sorted(weights) == [1.0] * (len(CRITERIA) - 1) + [3.0]
    assert sorted(weights_for({"hiring"})) == [1.0] * (len(CRITERIA) - 2) + [3.0, 3.0]


def test_reasons_name_the_strongest_criteria(small_catalogue: Catalogue) -> None:
    for ranked in rank(small_catalogue, "69", {Priority.SALARY}):
        assert ranked.reasons
        assert len(set(ranked.reasons)) == len(ranked.reasons)
    developer = next(
        r for r in rank(small_catalogue, "69", {Priority.SALARY}) if r.career.rome == "M1805"
    )
    assert developer.reasons[0] == "salary"


def test_cached_criteria_give_the_same_ranking_as_fresh_ones(small_catalogue: Catalogue) -> None:
    weights = weights_for({Priority.FUTURE})
    fresh = score_all(compute_criteria(small_catalogue, "13"), weights)
    assert fresh == rank(small_catalogue, "13", {Priority.FUTURE})


def test_unknown_departement_is_refused(small_catalogue: Catalogue) -> None:
    with pytest.raises(KeyError):
        rank(small_catalogue, "99", ())


def test_shipped_catalogue_ranks_in_every_departement(shipped_catalogue: Catalogue) -> None:
    from scoring import all_departements

    for dep in all_departements():
        ranked = rank(shipped_catalogue, dep.code, {Priority.HIRING})
        assert ranked and all(is_good_job(r.career) for r in ranked)
