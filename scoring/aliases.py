"""Abbreviations and short words jobseekers type for a job ("kiné", "ASH", "BTP"), from the
project's list ``data/aliases.json``: each means one or more ROME job groups, the most likely
first. The search puts them first when the whole query is one of them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from scoring.catalogue import ROME_CODE, CatalogueError
from scoring.text import normalise


def parse_aliases(document: Any) -> dict[str, tuple[tuple[str, ...], str]]:
    """Normalised alias → (ROME codes, the alias as written) from the file's document.

    Raises CatalogueError when an entry is malformed, so a mistake in the list stops the
    process at start rather than sending users to the wrong career.
    """
    entries = document.get("aliases") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise CatalogueError("aliases.json: no list of aliases")
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for entry in entries:
        alias = entry.get("alias") if isinstance(entry, dict) else None
        romes = entry.get("romes") if isinstance(entry, dict) else None
        key = normalise(alias) if isinstance(alias, str) else ""
        if (
            not key
            or not isinstance(romes, list)
            or not romes
            or not all(isinstance(r, str) and ROME_CODE.match(r) for r in romes)
        ):
            raise CatalogueError(f"aliases.json: malformed entry {entry!r}")
        if key in found:
            raise CatalogueError(f"aliases.json: {alias!r} is listed twice")
        found[key] = (tuple(romes), str(alias))
    return found


@cache
def shipped_aliases() -> dict[str, tuple[tuple[str, ...], str]]:
    """The aliases shipped with the package (``data/aliases.json``), by normalised alias."""
    raw = resources.files("scoring").joinpath("data/aliases.json").read_text("utf-8")
    return parse_aliases(json.loads(raw))
