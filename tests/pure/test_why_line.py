"""The "why for you" line of a card: scoring's reasons (facts about the person and the local
market) worded by the templates, in French and English."""

from __future__ import annotations

from dataclasses import replace

from journey.explain import why_line
from messages.render import plain_text
from scoring import Criterion, Person, Priority, RankedCareer, get_departement, rank
from scoring.catalogue import Catalogue
from scoring.explain import Reason, reasons

RHONE = get_departement("69")


def explanation(ranked: RankedCareer, lang: str, person: Person | None = None) -> str:
    """The line as the user reads it."""
    assert RHONE is not None
    return plain_text(why_line(ranked, RHONE, lang, person))


def _care(catalogue: Catalogue, person: Person) -> RankedCareer:
    ranked = rank(catalogue, "69", {Priority.HIRING}, person)
    return next(r for r in ranked if r.career.rome == "J1501")


def test_the_persons_own_reasons_come_first(small_catalogue: Catalogue) -> None:
    person = Person("cap", "RS")
    care = replace(_care(small_catalogue, person), reasons=(Criterion.TENSION,))
    assert care.market.tension is not None and care.market.tension.category == 5
    assert reasons(care, person) == [
        Reason("fit", {"level": "cap"}),
        Reason("interest", {"letter": "R"}),
        Reason("tension", {"category": 5, "level": "dep"}),
    ]
    assert explanation(care, "fr", person) == (
        "Accessible avec votre niveau d'études, colle à votre goût pour le concret et le manuel"
        " (votre quiz), les employeurs ont beaucoup de mal à recruter dans le Rhône"
    )
    assert explanation(care, "en", person) == (
        "Within reach of your schooling, fits your liking for hands-on, practical work (your"
        " quiz), employers find it very hard to hire in Rhône"
    )


def test_local_and_national_figures_are_told_as_such(small_catalogue: Catalogue) -> None:
    care = replace(
        _care(small_catalogue, Person()),
        reasons=(Criterion.EMPLOYMENT, Criterion.SALARY, Criterion.CONTRACTS),
    )
    assert explanation(care, "fr") == (
        "Beaucoup d'emplois dans le Rhône (19\u202f200 personnes), un salaire médian de"
        " 1\u202f549\u00a0€ net, surtout des emplois stables (78\u202f% hors CDD et intérim)"
    )
    assert explanation(care, "en") == (
        "Many jobs in Rhône (19,200 people), a median pay of €1,549 net, mostly stable jobs"
        " (78% not fixed-term or temp)"
    )


def test_a_slack_market_is_not_sold_as_good_news(small_catalogue: Catalogue) -> None:
    care = _care(small_catalogue, Person())
    assert care.market.tension is not None
    slack = replace(
        care,
        market=replace(care.market, tension=replace(care.market.tension, category=2)),
        reasons=(Criterion.TENSION,),
    )
    assert [r.key for r in reasons(slack)] == ["automation"]


def test_every_ranked_career_gets_a_one_line_explanation(small_catalogue: Catalogue) -> None:
    for lang in ("fr", "en"):
        for person in (Person(), Person("none", "S")):
            for ranked in rank(small_catalogue, "69", {Priority.SALARY}, person):
                text = explanation(ranked, lang, person)
                assert text and "\n" not in text
                assert text[0].isupper() or text[0].isdigit()
                assert text.count(", ") <= 2


def test_the_headline_never_contradicts_the_card_body(small_catalogue: Catalogue) -> None:
    care = _care(small_catalogue, Person())
    told = (Criterion.AUTOMATION, Criterion.TRAINING, Criterion.SALARY)
    medium_risk = replace(care.career, automation_risk=40)  # the card says "moyenne"
    route = replace(care.career.training[0], months=12)
    bac5 = replace(medium_risk, qualification="bac+5", training=(route,))  # after a degree
    text = explanation(replace(care, career=bac5, reasons=told), "fr")
    assert "machines" not in text and "automatisation" not in text
    assert "formation" not in text
    assert text.startswith("Un salaire médian de")
    low_risk = replace(care.career, automation_risk=10, qualification="cap", training=(route,))
    text = explanation(replace(care, career=low_risk, reasons=told), "fr")
    assert "difficile à remplacer par des machines" in text.lower() and "formation en 12" in text


def test_a_short_route_is_not_told_twice(small_catalogue: Catalogue) -> None:
    """The card said "a short course (about 6 months) is enough to start, …, 6-month course":
    the training figure is already in the short-route reason, so it is not added again."""
    care = _care(small_catalogue, Person())
    bridged = replace(care, fit="short_route", reasons=(Criterion.TRAINING, Criterion.SALARY))
    months = care.career.training_months
    assert [r.key for r in reasons(bridged, Person("none"))] == ["short_route", "salary"]
    assert explanation(bridged, "fr", Person("none")).count(f"{months}\u00a0mois") == 1
