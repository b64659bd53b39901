"""The 101 French départements, and resolving what a user types (code, name or postcode).

The data is the package's own ``data/departements.json``: INSEE code and name, the French
phrase with its preposition, the région, the time zone (overseas départements are not in
Paris time) and the legal population, used as a proxy for the département's share of
employment when local market figures are estimated.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from scoring.models import Departement
from scoring.text import normalise

_POSTCODE = re.compile(r"^\d{5}$")
_CODE = re.compile(r"^(\d{1,3}|2[ab])$")
# Words a user may put before a name: articles and the prepositions of Departement.prefix.
_LEADING_WORDS = frozenset({"le", "la", "les", "l", "dans", "en", "a", "au", "aux", "de", "du"})


@cache
def _load() -> tuple[Departement, ...]:
    raw = resources.files("scoring").joinpath("data/departements.json").read_text("utf-8")
    records = json.loads(raw)["departements"]
    return tuple(
        Departement(
            code=str(r["code"]),
            name=str(r["name"]),
            prefix=str(r["prefix"]),
            region_code=str(r["region_code"]),
            region_name=str(r["region_name"]),
            timezone=str(r["timezone"]),
            population=int(r["population"]),
        )
        for r in records
    )


@cache
def _by_code() -> dict[str, Departement]:
    return {dep.code: dep for dep in _load()}


def _name_key(text: str) -> str:
    words = normalise(text).split()
    while len(words) > 1 and words[0] in _LEADING_WORDS:
        words = words[1:]
    return " ".join(words)


@cache
def _by_name() -> dict[str, Departement]:
    index: dict[str, Departement] = {}
    for dep in _load():
        index[_name_key(dep.name)] = dep
        index[_name_key(dep.prefix)] = dep
    # Common short forms people type.
    index["belfort"] = _by_code()["90"]
    index["corse du sud"] = _by_code()["2A"]
    index["reunion"] = _by_code()["974"]
    return index


def all_departements() -> list[Departement]:
    """All 101 départements, in INSEE code order (01…19, 2A, 2B, 21…95, 971…976)."""
    return list(_load())


def get_departement(code: str) -> Departement | None:
    """The département with this exact INSEE code ("01", "2A", "974"), or None."""
    return _by_code().get(code)


def total_population() -> int:
    """Population of all the départements together."""
    return sum(dep.population for dep in _load())


def departement_from_postcode(postcode: str) -> Departement | None:
    """The département of a 5-digit French postcode, or None when it is not one of ours."""
    if not _POSTCODE.match(postcode):
        return None
    if postcode.startswith("20"):
        number = int(postcode)
        if 20000 <= number <= 20190:
            return _by_code()["2A"]
        if 20200 <= number <= 20620:
            return _by_code()["2B"]
        return None
    if postcode.startswith("97"):
        return _by_code().get(postcode[:3])
    return _by_code().get(postcode[:2])


def resolve_departement(text: str) -> Departement | None:
    """Find the département a user means.

    Accepts an INSEE code ("69", "2a", "974", "1" for "01"), a name whatever its accents,
    case, hyphens or leading article ("Rhône", "rhone", "cote d'or", "la reunion"), or a
    5-digit postcode ("69003", "20090" for Corse-du-Sud, "97411" for La Réunion).
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    compact = cleaned.replace(" ", "")
    if _POSTCODE.match(compact):
        return departement_from_postcode(compact)
    lowered = compact.lower()
    if _CODE.match(lowered):
        code = lowered.upper()
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        return _by_code().get(code)
    return _by_name().get(_name_key(cleaned))
