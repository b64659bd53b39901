"""Helpers for the journey's buttons and the pieces of text placed inside other texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from journey.actions import (
    EXPLORE,
    OPEN_CARD,
)
from messages import Action, Button, layout, render
from messages.formats import ligatures
from messages.render import render_label
from scoring.models import (
    Career,
)

BUTTON_TEXT_MAX = layout.ROW_WIDTH


def short(text: str, limit: int = BUTTON_TEXT_MAX) -> str:
    """A label that fits on a button: shortened at a word boundary, never mid-word, with the
    French "œ" the data may lack (see `messages.layout`)."""
    return layout.shorten(ligatures(text), limit)


def fragment(key: str, lang: str, **context: Any) -> Markup:
    """A rendered template to place inside another one: already HTML, so not escaped again."""
    return Markup(render(key, lang, **context))


def label(key: str, lang: str, **context: Any) -> str:
    """A button's text from its template: buttons show plain text, not HTML."""
    return short(render_label(key, lang, **context))


def explore_button(lang: str) -> tuple[Button, ...]:
    """A row with the "discover careers" button, for the end of other messages."""
    return (Button(label("explore.explore_button", lang), Action(EXPLORE)),)


def career_buttons(
    careers: Sequence[Career], origin: str, lang: str, *, numbered: bool = True
) -> list[tuple[Button, ...]]:
    """One button per career, opening its card in place (lists of search results, /saved)."""
    return [
        (
            Button(
                short(f"{i}. {c.title(lang)}" if numbered else c.title(lang)),
                Action(OPEN_CARD, (c.rome, origin)),
            ),
        )
        for i, c in enumerate(careers, start=1)
    ]
