"""Laying out inline buttons so that every label can be read whole on a phone.

Telegram gives the buttons of one row equal widths, and cuts a label that does not fit with
"…" wherever it falls, mid-word included. So the rule here is visual, not Telegram's 64 bytes
of callback data:

- a row holds `ROW_WIDTH` columns (about what a full-width button shows on a small phone);
  a row of n buttons fits when n × its widest label ≤ `ROW_WIDTH` (a pair takes labels of up
  to 20 columns each, three up to 13);
- a label alone on its row is at most `ROW_WIDTH` columns: a longer one is shortened at a
  word boundary, never mid-word, and never ends on "de", "d'", "et" or a comma;
- emoji and other wide characters count two columns.

`arrange` lays independent buttons out (short ones paired, long ones alone); `reflow` splits
rows that do not fit, and is applied to every keyboard before it is sent.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from messages.outgoing import Button

ROW_WIDTH = 40
MAX_PER_ROW = 3
ELLIPSIS = "…"
# Words a shortened label must not end on: it would read as cut ("Installation et…").
_DANGLING = frozenset((
    "à", "au", "aux", "de", "des", "du", "d'", "en", "et", "l'", "la", "le", "les", "ou", "par",
    "pour", "sur", "sous", "avec", "dans", "un", "une", "a", "an", "and", "at", "by", "for",
    "from", "in", "of", "on", "or", "the", "to", "with", "-", "/", ",", ":", "(", "–",
))  # fmt: skip


def width(text: str) -> int:
    """Columns a label takes: wide characters (emoji, CJK) count two, combining marks none."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or char in "\ufe0f\u200d":
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def _clean_end(words: list[str]) -> list[str]:
    while words:
        last = words[-1].lower()
        stripped = last.rstrip(",;:(–-/")
        if last in _DANGLING or not stripped:
            words.pop()
            continue
        if stripped.endswith("'") or stripped.endswith("’"):
            words.pop()  # "d'air" cannot be split, "d'" alone dangles
            continue
        if stripped != last:
            words[-1] = words[-1][: len(stripped)]
        break
    return words


def shorten(text: str, limit: int = ROW_WIDTH) -> str:
    """The label itself when it fits in `limit` columns, else its first whole words and "…".

    Words are cut at spaces only ("Installation et maintenance…", never "conditionnement d'…");
    a single word longer than the limit is the only case cut inside a word.
    """
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    words: list[str] = []
    for word in text.split(" "):
        if width(" ".join([*words, word])) + width(ELLIPSIS) > limit:
            break
        words.append(word)
    words = _clean_end(words)
    if not words:  # one very long first word: the only cut inside a word
        kept = ""
        for char in text:
            if width(kept + char) + width(ELLIPSIS) > limit:
                break
            kept += char
        return kept.rstrip() + ELLIPSIS
    return " ".join(words) + ELLIPSIS


def fits(row: Sequence[Button]) -> bool:
    """Whether a row of buttons shows every label whole (equal widths, see the module doc)."""
    return not row or len(row) * max(width(b.text) for b in row) <= ROW_WIDTH


def arrange(buttons: Iterable[Button]) -> tuple[tuple[Button, ...], ...]:
    """Independent buttons in order, short ones sharing a row, long ones alone."""
    rows: list[list[Button]] = []
    for button in buttons:
        if rows and len(rows[-1]) < MAX_PER_ROW and fits([*rows[-1], button]):
            rows[-1].append(button)
        else:
            rows.append([button])
    return tuple(tuple(row) for row in rows)


def reflow(rows: Iterable[Sequence[Button]]) -> tuple[tuple[Button, ...], ...]:
    """Every row split, in order, into rows that fit; labels too long for a row shortened.

    Buttons the domain put together stay together when they fit (a career and its 🗑); a row
    that does not fit is split, its buttons regrouped only among themselves.
    """
    result: list[tuple[Button, ...]] = []
    for row in rows:
        fitted = [_fit_label(b) for b in row]
        if fits(fitted):
            if fitted:
                result.append(tuple(fitted))
            continue
        result.extend(arrange(fitted))
    return tuple(result)


def _fit_label(button: Button) -> Button:
    if width(button.text) <= ROW_WIDTH:
        return button
    return Button(shorten(button.text), button.action, button.url)
