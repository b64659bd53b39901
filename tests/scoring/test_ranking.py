"""The scoring model: good jobs only, deterministic, and moved by the user's priorities."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scoring import ContractMix, Priority, RankedCareer, is_good_job, rank
from scoring.catalogue import Catalogue
from scoring.ranking import compute_criteria, score_all, weights_for


def _position(ranked: list[RankedCareer], rome: str) -> int:
    return [r.career.rome for r in ranked].index(rome)


def test_rank_returns_only_good_jobs_best_first(small_catalogue: Catalogue) -> None:
    ranked = rank(small_catalogue, "69", ())
    romes = {r.career.rome for r in ranked}
    # Checkout staff (automation 92), order picking (60 % short contracts), restaurant crew
    # (60 %) and road building (60 %) are not good jobs.
    assert romes.isdisjoint({"D1505", "N1103", "G1603", "F1702"})
    assert "N1101" in romes  # exactly 55 % short contracts is still fine
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert all(r.market.departement == "69" for r in ranked)


def test_good_job_thresholds(small_catalogue: Catalogue) -> None:
    career = small_catalogue.careers["K2204"]
    assert is_good_job(career)
    assert is_good_job(replace(career, automation_risk=84))
    assert not is_good_job(replace(career, automation_risk=85))
    assert is_good_job(replace(career, contracts=ContractMix(45, 0, 25, 30)))
    assert not is_good_job(replace(career, contracts=ContractMix(44, 0, 26, 30)))


def test_ranking_is_deterministic(small_catalogue: Catalogue) -> None:
    first = rank(small_catalogue, "33", [Priority.SALARY, Priority.HIRING])
    again = rank(small_catalogue, "33", {Priority.HIRING, Priority.SALARY})
    assert first == again


@pytest.mark.parametrize(
    ("priority", "rome"),
    [
        (Priority.SALARY, "M1805"),  # best salaries
        (Priority.SHORT_TRAINING, "N4105"),  # a driving licence is enough
        (Priority.HIRING, "K2204"),  # the most offers
        (Priority.FUTURE, "J1506"),  # hardest to automate
        (Priority.SECURITY, "M1805"),  # 85 % permanent contracts
    ],
)
def test_a_priority_raises_the_careers_that_fit_it(
    small_catalogue: Catalogue, priority: Priority, rome: str
) -> None:
    neutral = rank(small_catalogue, "69", ())
    chosen = rank(small_catalogue, "69", {priority})
    assert _position(chosen, rome) <= _position(neutral, rome)
    neutral_score = next(r.score for r in neutral if r.career.rome == rome)
    chosen_score = next(r.score for r in chosen if r.career.rome == rome)
    assert chosen_score > neutral_score


def test_salary_priority_puts_the_best_paid_first(small_catalogue: Catalogue) -> None:
    assert rank(small_catalogue, "69", {Priority.SALARY})[0].career.rome in {"M1805", "J1506"}
    neutral = rank(small_catalogue, "69", ())
    assert _position(neutral, "M1805") > 0


def test_short_training_priority_lowers_long_studies(small_catalogue: Catalogue) -> None:
    neutral = rank(small_catalogue, "69", ())
    short = rank(small_catalogue, "69", {Priority.SHORT_TRAINING})
    assert _position(short, "J1506") > _position(neutral, "J1506")


def test_weights_are_equal_without_priorities_and_triple_when_chosen() -> None:
    assert set(weights_for(())) == {1.0}
    weights = weights_for({"salary"})
    assert sorted(weights) == [1.0] * 5 + [3.0]


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
