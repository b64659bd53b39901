"""/settings: change département, priorities, diploma, language, and redo or clear the
interests quiz."""

from __future__ import annotations

from journey import interests
from journey.profile_view import (
    CHANGE_DEPARTEMENT,
    CHANGE_PRIORITIES,
    CHANGE_QUALIFICATION,
    SETTINGS_DEPARTEMENT,
    SETTINGS_PRIORITIES,
    SWITCH_LANGUAGE,
    priorities_question,
    qualification_buttons,
    summary,
)
from kernel.turn import Turn
from messages import Outcome, Reply, render

__all__ = [
    "CHANGE_DEPARTEMENT",
    "CHANGE_PRIORITIES",
    "CHANGE_QUALIFICATION",
    "SWITCH_LANGUAGE",
    "change_departement",
    "change_priorities",
    "change_qualification",
    "show",
    "summary",
    "switch_language",
]


async def show(turn: Turn) -> Outcome:
    """/settings."""
    if turn.user.step in (SETTINGS_DEPARTEMENT, SETTINGS_PRIORITIES):
        turn.user.step = None  # a fresh /settings abandons a half-made change
    interests.leave_quiz(turn)
    return Outcome().add(summary(turn))


async def change_departement(turn: Turn) -> Outcome:
    """Ask for the new département; the next text answers it."""
    turn.user.step = SETTINGS_DEPARTEMENT
    return Outcome().add(
        Reply(render("settings.ask_departement", turn.lang), "settings.ask_departement")
    )


async def change_priorities(turn: Turn) -> Outcome:
    """Show the priorities question again, pre-ticked with the current choice."""
    turn.user.step = SETTINGS_PRIORITIES
    return Outcome().add(priorities_question(turn))


async def change_qualification(turn: Turn) -> Outcome:
    """Ask the highest diploma again (optional: "skip" keeps the current answer)."""
    lang = turn.lang
    return Outcome().add(
        Reply(
            render("onboarding.ask_qualification", lang),
            "onboarding.ask_qualification",
            buttons=tuple(qualification_buttons(lang, "s")),
        )
    )


async def switch_language(turn: Turn) -> Outcome:
    """Switch between French and English and redraw the settings in the new language."""
    turn.user.language = "en" if turn.user.language == "fr" else "fr"
    return Outcome(notice=render("settings.language_set", turn.lang)).add(summary(turn, edit=True))
