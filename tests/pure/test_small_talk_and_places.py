"""Recognising small talk and towns (issue 9, item 10), on the pure functions."""

from __future__ import annotations

import pytest

from journey.small_talk import AGREE, BYE, GREETING, HOW, THANKS, recognise
from scoring.places import resolve_place


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("bonjour", GREETING),
        ("Salut, ça va ?", GREETING),
        ("merci beaucoup 🙏", THANKS),
        ("bonjour et merci", THANKS),
        ("Au revoir !", BYE),
        ("comment ça marche ?", HOW),
        ("Qui es-tu ?", HOW),
        ("how does it work?", HOW),
        ("ok", AGREE),
    ],
)
def test_small_talk_is_recognised(text: str, kind: str) -> None:
    assert recognise(text) == kind


@pytest.mark.parametrize(
    "text", ["cuisinier", "aide-soignant", "bonjour je cherche boulanger", "chauffeur merci", ""]
)
def test_searches_are_not_small_talk(text: str) -> None:
    assert recognise(text) is None


@pytest.mark.parametrize(
    ("text", "code", "city"),
    [
        ("Lyon", "69", "Lyon"),
        ("marseille", "13", "Marseille"),
        ("Seine St Denis", "93", None),
        ("St-Étienne", "42", "Saint-Étienne"),
        ("je suis sur Nantes", "44", "Nantes"),
        ("près de Lille", "59", "Lille"),
        ("Fort-de-France", "972", "Fort-de-France"),
        ("Vienne", "86", None),  # the département's name wins over the town in Isère
        ("69003", "69", None),
    ],
)
def test_towns_and_departements_are_places(text: str, code: str, city: str | None) -> None:
    place = resolve_place(text)
    assert place is not None and (place.departement.code, place.city) == (code, city)


def test_ambiguous_or_unknown_names_are_not_guessed() -> None:
    assert resolve_place("Saint-Denis") is None  # 93 or 974: the user is asked
    assert resolve_place("somewhere nice") is None
