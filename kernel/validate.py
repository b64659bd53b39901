"""Checking what a button or a command hands to a flow before it gets near the database.

Button data comes back from the user's Telegram client and may be forged; a flow takes from it only
what these functions accept.
"""

from __future__ import annotations

import re

from scoring.catalogue import Catalogue

_ROW_ID = re.compile(r"^[1-9][0-9]{0,17}$")  # ASCII digits only, well inside a signed 64-bit int
_ROME = re.compile(r"^[A-Z][0-9]{4}$")


def row_id(raw: str | None) -> int | None:
    """A database row id written in a button, or None when it cannot be one."""
    if raw is None or not _ROW_ID.match(raw):
        return None
    return int(raw)


def small_number(raw: str | None, allowed: range) -> int | None:
    """A small number among `allowed` (a score, a page), or None."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    value = int(raw)
    return value if value in allowed else None


def career_code(catalogue: Catalogue | None, raw: str | None) -> str | None:
    """A ROME code the catalogue knows, or None (forged, mistyped or withdrawn careers)."""
    if raw is None or not _ROME.match(raw):
        return None
    if catalogue is not None and catalogue.get(raw) is None:
        return None
    return raw
