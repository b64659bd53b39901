"""How figures, dates and French words are written (issue 9, items 6 and 8), checked on the
formatting functions and on the shipped templates themselves."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest

from messages.formats import clock, elides, euros, ligatures, long_date, number, of_quoted, percent
from messages.render import Catalog

CATALOG = Catalog()
NBSP = "\u00a0"
THIN = "\u202f"


def test_amounts_never_break_in_french_and_read_naturally_in_english() -> None:
    assert euros(5000, "fr") == f"5{THIN}000{NBSP}€"
    assert euros(800, "fr") == f"800{NBSP}€"
    assert euros(5000, "en") == "€5,000"
    assert number(1240, "fr") == f"1{THIN}240" and number(1240, "en") == "1,240"
    assert " " not in euros(12345678, "fr")  # no breakable space anywhere


def test_percentages_have_a_no_break_space_in_french_and_none_in_english() -> None:
    assert percent(80, "fr") == f"80{THIN}%"
    assert percent(80, "en") == "80%"


def test_dates_are_written_in_words_in_each_language() -> None:
    assert long_date(date(2026, 12, 2), "en") == "2 December 2026"
    assert long_date(datetime(2026, 12, 2, 23, 0), "fr") == f"2{NBSP}décembre 2026"
    assert long_date(date(2026, 1, 1), "fr") == f"1er{NBSP}janvier 2026"


def test_times_read_19_h_in_french_and_7_pm_in_english() -> None:
    assert clock(time(19, 0), "fr") == f"19{NBSP}h"
    assert clock(time(9, 30), "fr") == f"9{NBSP}h{NBSP}30"
    assert clock(time(19, 0), "en") == f"7{NBSP}pm"
    assert clock(time(0, 15), "en") == f"12:15{NBSP}am"


def test_de_elides_before_a_vowel_or_mute_h_only() -> None:
    assert of_quoted("Expertise technique") == f"d'«{NBSP}Expertise technique{NBSP}»"
    assert of_quoted("Hôtellerie") == f"d'«{NBSP}Hôtellerie{NBSP}»"
    assert of_quoted("Soudage manuel") == f"de «{NBSP}Soudage manuel{NBSP}»"
    assert not elides("Hall d'accueil") and not elides("Hauteur")


def test_french_words_get_their_oe_ligature_back() -> None:
    assert ligatures("Manoeuvre bâtiment") == "Manœuvre bâtiment"
    assert ligatures("Préparation du gros oeuvre") == "Préparation du gros œuvre"
    assert ligatures("coefficient, poele, Boeing, Noel") == "coefficient, poele, Boeing, Noel"


def test_french_output_has_the_ligature_even_when_the_data_lacks_it() -> None:
    text = CATALOG.render("explore.close_list", "fr", title="Préparation du gros oeuvre")
    assert "gros œuvre" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_template_writes_an_amount_or_percentage_that_can_break(lang: str) -> None:
    # Amounts and percentages go through the euros/percent filters; a literal "5 000 €",
    # "}} €", "500 €" or "80 %" with a plain space would break across lines on a phone.
    breakable = re.compile(r"(\d|\}\}) (€|%(?!\})|\d{3}\b)")
    for key in CATALOG.keys(lang):
        source = CATALOG.source(key, lang) or ""
        assert not breakable.search(source), f"{lang}:{key}: {breakable.search(source)}"


def test_english_texts_use_english_figures_and_labels() -> None:
    from scoring.labour import MarketFigures, NationalFigures, Tension

    market = MarketFigures(
        "F1602",
        "21",
        1200,
        "dep",
        Tension(5, 0.9, 4, 4, 3, 2, 4, 3, "reg", "dep"),
    )
    national = NationalFigures(("B5Z40",), 90000, 1950, 15.0, 5.0, 3.0, None, "cap")
    text = CATALOG.render(
        "explore.card",
        "en",
        title="Welder",
        official_title="Soudage",
        rome="F1602",
        why="Hiring",
        description="You weld.",
        departement={"name": "Côte-d'Or", "prefix": "en Côte-d'Or", "region_name": "Bourgogne"},
        market=market,
        tension=market.tension,
        national=national,
        automation="low",
        qualification="CAP",
        months=7,
        route="State vocational title",
        close=["Boilermaker"],
    )
    assert "20% of the people in this job" in text and "€1,950 net a month" in text
    assert "about 1,200 people" in text
    assert "Similar jobs:" in text and "Close jobs" not in text
    assert "en Côte" not in text


def test_french_texts_do_not_assume_a_gender_or_the_users_job() -> None:
    everything = " ".join(CATALOG.source(k, "fr") or "" for k in CATALOG.keys("fr"))
    assert "prêt à vous former" not in everything
    assert "prêt·e" not in everything and "arrivé ici" not in everything
    assert "Avec ce que vous savez déjà faire" not in everything
    saved = CATALOG.render("explore.saved_confirm", "fr", title="Administration de systèmes")
    assert saved.startswith("⭐ Métier enregistré : <b>Administration de systèmes</b>.")
    assert "est enregistré" not in saved
    assert CATALOG.render("explore.automation_medium", "fr").startswith("moyenne")
    assert CATALOG.render("explore.automation_high", "fr").startswith("élevée")


def test_no_french_template_writes_de_before_a_quoted_title_by_hand() -> None:
    # "de « {{ title }} »" reads "de « Expertise… »": the `de` filter elides ("d'« Expertise »").
    for key in CATALOG.keys("fr"):
        source = CATALOG.source(key, "fr") or ""
        assert not re.search(r"\bde « \{\{", source), key
    text = CATALOG.render("explore.close_list", "fr", title="Expertise technique")
    assert f"d'«{NBSP}Expertise technique{NBSP}»" in text


def test_a_one_month_course_is_one_month_not_one_months() -> None:
    """The card of the refrigeration technician said "about 1 months" (a 1-month certificate)."""
    career = {
        "career": "Plumber",
        "first_name": "Sam",
        "place": "",
        "departement": None,
        "employment": None,
        "local": False,
        "competition": "",
        "salary": None,
        "interest": "",
        "readiness": "",
        "cpf_rule": "",
        "realistic": False,
        "unmet": [],
    }
    route = {"name": "Refrigerant handling certificate", "months": 1}
    texts = [
        CATALOG.render("reasons.short_route", "en", months=1),
        CATALOG.render("nudges.step1_a", "en", **career, training_band="short", months=1),
        CATALOG.render("nudges.step2_a", "en", **career, trainings=[route], months=1),
    ]
    assert "a short course (about 1 month) is enough" in texts[0]
    assert "a course of about 1 month to get there" in texts[1]
    assert "Refrigerant handling certificate (1 month)" in texts[2]
    assert "(about 6 months)" in CATALOG.render("reasons.short_route", "en", months=6)
    for text in texts:
        assert " 1 months" not in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_programmes_name_and_description_are_on_two_lines(lang: str) -> None:
    """The French list read "Cap Jeunes 18-30Une plateforme pour les 18-30 ans…": the line
    break after the name was eaten by the ``{% endif %}`` closing "(le programme d'où vous
    venez)"."""
    programme = {"name": "Cap Jeunes", "yours": False, "description": "Une plateforme."}
    programme |= {"coach": "Un conseiller.", "delay": "sous 1 jour"}
    text = CATALOG.render("coach.programmes", lang, programmes=[programme])
    assert "<b>Cap Jeunes</b>\nUne plateforme." in text
    yours = CATALOG.render("coach.programmes", lang, programmes=[programme | {"yours": True}])
    assert re.search(r"<b>Cap Jeunes</b> \([^)]+\)\nUne plateforme\.", yours)
