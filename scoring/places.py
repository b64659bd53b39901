"""Where a user lives, from what they type: a département (number, name, postcode, see
`scoring.departements`) or a town ("Lyon", "Marseille", "St Etienne", "j'habite à Nantes").

Towns come from the package's own ``data/cities.json`` (every préfecture and the main other
towns, with its source named in the file). "St"/"Ste" are read as "Saint"/"Sainte", so
"Seine St Denis" is Seine-Saint-Denis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from scoring.departements import get_departement, resolve_departement
from scoring.models import Departement
from scoring.text import normalise

_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
# What people write before a place: "j'habite à Lyon", "je suis sur Marseille", "près de Nantes".
_LEADING = (
    ("j", "habite"),
    ("je", "vis"),
    ("je", "suis"),
    ("j", "suis"),
    ("i", "live", "in"),
    ("i", "m", "in"),
    ("habite",),
    ("pres", "de"),
    ("a", "cote", "de"),
    ("vers",),
    ("sur",),
    ("dans",),
    ("a",),
    ("au",),
    ("en",),
    ("in",),
    ("near",),
)


@dataclass(frozen=True)
class Place:
    """A département, and the town the user named when they gave one."""

    departement: Departement
    city: str | None = None


def _words(text: str) -> list[str]:
    return [_ABBREVIATIONS.get(word, word) for word in normalise(text).split()]


def _strip_leading(words: list[str]) -> list[str]:
    stripped = True
    while stripped and len(words) > 1:
        stripped = False
        for lead in _LEADING:
            if tuple(words[: len(lead)]) == lead and len(words) > len(lead):
                words = words[len(lead) :]
                stripped = True
                break
    return words


@cache
def _towns() -> dict[str, tuple[str, str]]:
    """Normalised town name -> (name as written, département code)."""
    raw = resources.files("scoring").joinpath("data/cities.json").read_text("utf-8")
    data = json.loads(raw)
    towns: dict[str, tuple[str, str]] = {}
    for record in (*data["cities"], *data["aliases"]):
        name, code = str(record["name"]), str(record["departement"])
        towns[" ".join(_words(name))] = (name, code)
    return towns


def resolve_place(text: str) -> Place | None:
    """The département a user means, by its number, name or postcode, or by a town in it."""
    departement = resolve_departement(text)
    if departement is not None:
        return Place(departement)
    words = _strip_leading(_words(text))
    if not words:
        return None
    spelled = " ".join(words)
    departement = resolve_departement(spelled)
    if departement is not None:
        return Place(departement)
    found = _towns().get(spelled)
    if found is None:
        return None
    name, code = found
    departement = get_departement(code)
    return Place(departement, name) if departement is not None else None
