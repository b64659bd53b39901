"""Every text the bot sends, as the operators' console lists it: key, flow, purpose, variables.

The flow is the catalogue file a key lives in; the purpose is the comment written above the key
in the French file (else the file's opening comment)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from messages.render import LANGUAGES, load_shipped
from messages.validate import declared_variables, limit_for, samples

_CATALOG_DIR = Path(__file__).parent / "catalog"
FLOWS = {
    "onboarding": "onboarding",
    "explore": "exploration",
    "reasons": "exploration",
    "sections": "exploration",
    "interests": "exploration",
    "funding": "exploration",
    "nudges": "nudges",
    "coach": "hand-over",
    "privacy": "privacy",
    "settings": "settings",
    "common": "common",
    "small_talk": "small talk",
}
_KEY_LINE = re.compile(r"^([A-Za-z0-9_]+):")


@dataclass(frozen=True)
class TextInfo:
    """One text: its key, flow, purpose, variables with sample values and Telegram's limit."""

    key: str
    flow: str
    purpose: str
    variables: tuple[tuple[str, str], ...]
    limit: int  # Telegram's limit, in `unit`s ("characters" or "bytes"), worded by the console
    unit: str
    shipped: tuple[tuple[str, str], ...]  # (lang, source)

    def shipped_in(self, lang: str) -> str:
        """The shipped source in a language ("" when missing)."""
        return dict(self.shipped).get(lang, "")


def _purposes(area: str) -> dict[str, str]:
    path = _CATALOG_DIR / "fr" / f"{area}.yaml"
    header: list[str] = []
    comments: list[str] = []
    found: dict[str, str] = {}
    started = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comments.append(line.lstrip("# ").strip(" -"))
            continue
        match = _KEY_LINE.match(line)
        if match:
            if not started:
                header, started = [c for c in comments if c], True
            text = " ".join(c for c in comments if c) or " ".join(header)
            found[match.group(1)] = text
            comments = []
    return found


@lru_cache(maxsize=1)
def all_texts() -> tuple[TextInfo, ...]:
    """Every shipped text, by flow then key."""
    shipped = load_shipped()
    keys = sorted({key for lang in LANGUAGES for key in shipped.get(lang, {})})
    purposes: dict[str, dict[str, str]] = {}
    infos = []
    for key in keys:
        area, _, name = key.partition(".")
        if area not in purposes:
            purposes[area] = _purposes(area)
        limit, unit = limit_for(key)
        variables = tuple(
            (var, repr(samples().get(var, "")))
            for var in sorted(declared_variables(key) - {"lang"})
        )
        infos.append(
            TextInfo(
                key=key,
                flow=FLOWS.get(area, area),
                purpose=purposes[area].get(name, ""),
                variables=variables,
                limit=limit,
                unit=unit,
                shipped=tuple(
                    (lang, shipped[lang][key]) for lang in LANGUAGES if key in shipped.get(lang, {})
                ),
            )
        )
    return tuple(sorted(infos, key=lambda info: (info.flow, info.key)))


def search(query: str) -> list[TextInfo]:
    """Texts whose key, purpose or shipped wording contains every word of the query."""
    words = query.lower().split()
    return [
        info
        for info in all_texts()
        if all(
            word in " ".join([info.key, info.purpose, *dict(info.shipped).values()]).lower()
            for word in words
        )
    ]
