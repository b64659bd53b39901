"""Which partner programmes fit whom, which questions are asked, and the programmes file."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from coaching import matching
from coaching.matching import Seeker
from coaching.partners import (
    Partner,
    PartnerFileError,
    answer_delay,
    load_partners,
    read_definitions,
)
from kernel.partners import resolve_secret

SHIPPED = load_partners()
TRANSITIONS = SHIPPED["transitions_ara"]  # employed, région Auvergne-Rhône-Alpes
JEUNES = SHIPPED["cap_jeunes"]  # 18-30, not employed, nationwide
NUMERIQUE = SHIPPED["metiers_4mois"]  # digital careers only, jobseekers and others, nationwide


def seeker(**fields: object) -> Seeker:
    base: dict[str, object] = {"departement": "69", "region": "84"}
    base.update(fields)
    return Seeker(**base)  # type: ignore[arg-type]


def codes(partners: list[Partner]) -> list[str]:
    return [p.code for p in partners]


def test_region_situation_and_age_filter_the_examples() -> None:
    everyone = list(SHIPPED.values())
    employed_lyon = seeker(situation="employed", age_band="31_44")
    assert codes(matching.rank(everyone, employed_lyon)) == ["transitions_ara"]
    employed_lille = seeker(departement="59", region="32", situation="employed", age_band="31_44")
    assert codes(matching.rank(everyone, employed_lille)) == []
    young_jobseeker = seeker(situation="jobseeker", age_band="18_25")
    assert codes(matching.rank(everyone, young_jobseeker)) == ["cap_jeunes"]
    assert codes(matching.rank(everyone, seeker(situation="jobseeker", age_band="31_44"))) == []
    assert codes(matching.rank(everyone, seeker(situation="jobseeker", age_band="u18"))) == []


def test_career_programme_fits_only_its_careers_or_sectors() -> None:
    everyone = list(SHIPPED.values())
    developer = seeker(situation="jobseeker", age_band="26_30", careers=("M1805",))
    # Made for the user's career, so it comes before the general programme.
    assert codes(matching.rank(everyone, developer)) == ["metiers_4mois", "cap_jeunes"]
    cook = seeker(situation="jobseeker", age_band="26_30", careers=("G1602",))
    assert codes(matching.rank(everyone, cook)) == ["cap_jeunes"]
    by_sector = replace(NUMERIQUE, careers=(), sectors=("it",))
    assert matching.eligible(by_sector, replace(cook, sectors=("it",)))
    assert not matching.eligible(by_sector, replace(cook, sectors=("hospitality",)))


def test_closed_programmes_are_never_offered() -> None:
    closed = replace(JEUNES, is_open=False)
    assert matching.rank([closed], seeker(situation="student", age_band="18_25")) == []


def test_attributed_partner_first_then_local_then_fastest() -> None:
    fast = replace(JEUNES, code="fast", name="Fast", answers_within=timedelta(hours=4))
    slow = replace(JEUNES, code="slow", name="Slow", answers_within=timedelta(days=5))
    local = replace(slow, code="local", name="Local", departements=("69",))
    user = seeker(situation="student", age_band="18_25")
    assert codes(matching.rank([slow, fast, local], user)) == ["local", "fast", "slow"]
    assert codes(matching.rank([slow, fast, local], user, attributed="slow")) == [
        "slow",
        "local",
        "fast",
    ]


def test_only_questions_that_matter_are_asked() -> None:
    everyone = list(SHIPPED.values())
    assert matching.questions_to_ask(everyone, seeker()) == [matching.SITUATION, matching.AGE]
    assert matching.questions_to_ask(everyone, seeker(situation="other")) == [matching.AGE]
    answered = seeker(situation="other", age_band="45p")
    assert matching.questions_to_ask(everyone, answered) == []
    # A programme open to everyone needs no question at all.
    open_to_all = Partner(code="all", name="Pour tous")
    assert matching.questions_to_ask([open_to_all], seeker()) == []
    assert codes(matching.rank([open_to_all], seeker())) == ["all"]


def test_age_bands_overlap_the_programme_ages() -> None:
    from_16 = replace(JEUNES, age_min=16, age_max=25)
    assert matching.age_fits(from_16, "u18")
    assert matching.age_fits(from_16, "18_25")
    assert not matching.age_fits(from_16, "26_30")


def test_white_label_fields_and_training_link() -> None:
    assert TRANSITIONS.highlight_careers == ("J1501", "F1602", "N4101")
    assert TRANSITIONS.highlight_title("en") == "Careers Transitions Pro often funds"
    link = TRANSITIONS.training_link("J1501", "2A")
    assert link == ("https://transitions-pro-ara.example.org/formations?rome=J1501&departement=2A")
    assert Partner(code="x", name="X").training_link("J1501", "69") is None
    assert answer_delay(TRANSITIONS, "fr") == "sous 3 jours"
    assert answer_delay(JEUNES, "en") == "within 1 day"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- {code: Bad Code, name: X}", "lower-case"),
        ("- {code: a, name: A}\n- {code: a, name: B}", "defined twice"),
        ("- {code: a, name: A, eligibility: {departements: ['999']}}", "unknown 999"),
        ("- {code: a, name: A, eligibility: {situations: [retired]}}", "unknown retired"),
        ("- {code: a, name: A, webhook: {url: 'https://x.example'}}", "needs a secret"),
        ("- {code: a, name: A, answers_within: soon}", "not a duration"),
        (
            "- {code: a, name: A, white_label: {training_link: 'https://x/{city}'}}",
            "only {rome} and {departement}",
        ),
    ],
)
def test_programmes_file_errors_name_the_problem(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "partners.yaml"
    path.write_text("programmes:\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(PartnerFileError, match=message):
        read_definitions(path)


def test_webhook_secret_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAP_SECRET", "s3cret")
    path = tmp_path / "partners.yaml"
    path.write_text(
        "programmes:\n- {code: a, name: A, webhook: {url: 'https://x.example/h', "
        "secret: 'env:CAP_SECRET'}}\n",
        encoding="utf-8",
    )
    partner = load_partners(path)["a"]
    # Kept as a reference (never the value, which would end up in the database), resolved when
    # a notification is signed.
    assert partner.has_webhook and partner.webhook_secret == "env:CAP_SECRET"
    assert resolve_secret(partner.webhook_secret) == "s3cret"
