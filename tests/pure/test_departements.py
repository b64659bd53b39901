"""Départements: the 101 of them, and resolving what a user types."""

from __future__ import annotations

import unicodedata

import pytest

from scoring import Departement, all_departements, get_departement, resolve_departement
from scoring.departements import departement_from_postcode

DEPARTEMENTS = all_departements()


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _postcode(code: str) -> str:
    if code == "2A":
        return "20090"
    if code == "2B":
        return "20200"
    return code + "00" if len(code) == 3 else code + "100"


def test_there_are_101_departements_with_corsica_and_overseas() -> None:
    codes = [d.code for d in DEPARTEMENTS]
    assert len(codes) == 101 == len(set(codes))
    assert "20" not in codes
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert codes[0] == "01" and codes[-1] == "976"


@pytest.mark.parametrize("dep", DEPARTEMENTS, ids=lambda d: d.code)
def test_every_departement_resolves_from_code_name_and_postcode(dep: Departement) -> None:
    assert resolve_departement(dep.code) == dep
    assert resolve_departement(dep.code.lower()) == dep
    assert resolve_departement(dep.name) == dep
    assert resolve_departement(_strip_accents(dep.name).lower()) == dep
    assert resolve_departement(dep.name.upper().replace("-", " ")) == dep
    assert resolve_departement(dep.prefix) == dep
    assert resolve_departement(_postcode(dep.code)) == dep


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("69", "69"),
        ("2a", "2A"),
        ("2B", "2B"),
        ("974", "974"),
        ("1", "01"),
        (" 9 ", "09"),
        ("Rhône", "69"),
        ("rhone", "69"),
        ("le Rhône", "69"),
        ("cote d'or", "21"),
        ("Côte-d'Or", "21"),
        ("COTE D OR", "21"),
        ("Réunion", "974"),
        ("la reunion", "974"),
        ("corse du sud", "2A"),
        ("haute corse", "2B"),
        ("Territoire de Belfort", "90"),
        ("belfort", "90"),
        ("val d'oise", "95"),
        ("paris", "75"),
        ("69003", "69"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20190", "2A"),
        ("20200", "2B"),
        ("20620", "2B"),
        ("97110", "971"),
        ("97300", "973"),
        ("97600", "976"),
    ],
)
def test_resolves_what_users_type(text: str, code: str) -> None:
    found = resolve_departement(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize(
    "text",
    ["", "20", "00", "96", "975", "977", "98000", "97500", "20700", "99999", "atlantis", "123456"],
)
def test_unknown_input_resolves_to_nothing(text: str) -> None:
    assert resolve_departement(text) is None


def test_time_zones_follow_the_departement() -> None:
    zones = {d.code: d.timezone for d in DEPARTEMENTS}
    assert zones["971"] == "America/Guadeloupe"
    assert zones["972"] == "America/Martinique"
    assert zones["973"] == "America/Cayenne"
    assert zones["974"] == "Indian/Reunion"
    assert zones["976"] == "Indian/Mayotte"
    assert {zones[code] for code in zones if len(code) == 2} == {"Europe/Paris"}


def test_prefixes_read_as_french_phrases() -> None:
    prefix = {d.code: d.prefix for d in DEPARTEMENTS}
    assert prefix["01"] == "dans l'Ain"
    assert prefix["19"] == "en Corrèze"
    assert prefix["974"] == "à La Réunion"
    assert prefix["69"] == "dans le Rhône"
    assert all(d.prefix.endswith(d.name) for d in DEPARTEMENTS)


def test_regions_and_populations_are_filled_in() -> None:
    assert get_departement("69") is not None
    assert get_departement("69").region_name == "Auvergne-Rhône-Alpes"  # type: ignore[union-attr]
    assert all(d.region_code and d.region_name and d.population > 50_000 for d in DEPARTEMENTS)
    assert 60_000_000 < sum(d.population for d in DEPARTEMENTS) < 75_000_000


def test_postcode_helper_refuses_non_postcodes() -> None:
    assert departement_from_postcode("6900") is None
    assert departement_from_postcode("69OO3") is None
