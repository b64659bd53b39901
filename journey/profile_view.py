"""How the user's profile is shown and asked for: labels, the priorities question and the
settings summary, shared by onboarding and /settings (each of which only changes the profile)."""

from __future__ import annotations

from journey.actions import QUIZ_CLEAR, QUIZ_START
from kernel.turn import Turn
from messages import Action, Button, Reply, render, render_label
from scoring.departements import get_departement
from scoring.models import Priority

ASK_DEPARTEMENT = "onboarding:departement"
ASK_PRIORITIES = "onboarding:priorities"
SETTINGS_DEPARTEMENT = "settings:departement"
SETTINGS_PRIORITIES = "settings:priorities"

TOGGLE_PRIORITY = "pr"
PRIORITIES_DONE = "pd"
CHANGE_DEPARTEMENT = "sd"
CHANGE_PRIORITIES = "sp"
SWITCH_LANGUAGE = "sl"
SET_QUALIFICATION = "ql"  # (level or "skip", "o" onboarding | "s" settings)
CHANGE_QUALIFICATION = "sg"  # ()
QUALIFICATION_CHOICES = ("none", "cap", "bac", "bac+2", "bac+3")
SKIP = "skip"


def departement_label(code: str | None, lang: str) -> str:
    """A département as users read it: "Rhône (69)"; "—" when unknown."""
    departement = get_departement(code) if code else None
    return f"{departement.name} ({departement.code})" if departement else "—"


def priorities_label(priorities: list[str], lang: str) -> str:
    """The user's priorities in words, in the fixed order of the question."""
    chosen = [p for p in Priority if p.value in priorities]
    if not chosen:
        return render("onboarding.priorities_none", lang)
    return ", ".join(
        render(f"onboarding.priority_{p.value}", lang).split(" ", 1)[-1].lower() for p in chosen
    )


def qualification_label(level: str | None, lang: str) -> str:
    """The user's highest diploma in words; "not told" when skipped."""
    if level not in QUALIFICATION_CHOICES:
        return render("onboarding.qualification_unknown", lang)
    return render_label(f"onboarding.qualification_{level}", lang)


def interests_label(letters: str | None, lang: str) -> str:
    """The interests quiz's result in words: its domains, "none stood out" or "not taken"."""
    if letters is None:
        return render("interests.not_taken", lang)
    if not letters:
        return render("interests.none_liked", lang)
    return ", ".join(render("interests.domain", lang, letter=letter) for letter in letters)


def quiz_button(turn: Turn) -> Button:
    """The button that opens the interests quiz: "take" it, or "redo" it once taken."""
    key = "interests.start_button" if turn.user.interests is None else "interests.redo_button"
    return Button(render_label(key, turn.lang), Action(QUIZ_START))


def qualification_buttons(lang: str, origin: str) -> list[tuple[Button, ...]]:
    """One button per diploma level, then "skip": the optional question's answers."""
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                render_label(f"onboarding.qualification_{level}", lang),
                Action(SET_QUALIFICATION, (level, origin)),
            ),
        )
        for level in QUALIFICATION_CHOICES
    ]
    rows.append(
        (
            Button(
                render_label("onboarding.qualification_skip", lang),
                Action(SET_QUALIFICATION, (SKIP, origin)),
            ),
        )
    )
    return rows


def priorities_question(turn: Turn, *, edit: bool = False) -> Reply:
    """The multi-select question; chosen answers carry a tick."""
    rows: list[tuple[Button, ...]] = []
    for priority in Priority:
        label = render_label(f"onboarding.priority_{priority.value}", turn.lang)
        if priority.value in turn.user.priorities:
            label = "✅ " + label
        rows.append((Button(label, Action(TOGGLE_PRIORITY, (priority.value,))),))
    rows.append(
        (
            Button(
                render_label("onboarding.priorities_done_button", turn.lang),
                Action(PRIORITIES_DONE),
            ),
        )
    )
    return Reply(
        render("onboarding.ask_priorities", turn.lang),
        "onboarding.ask_priorities",
        buttons=tuple(rows),
        edit=edit,
    )


def priorities_answered(turn: Turn) -> Reply:
    """The priorities question once answered: the choice in words, and no buttons left to
    press (it replaces the question in place)."""
    lang = turn.lang
    text = render(
        "onboarding.priorities_answered",
        lang,
        priorities=priorities_label(turn.user.priorities, lang),
    )
    return Reply(text, "onboarding.priorities_answered", edit=True)


def summary(turn: Turn, *, edit: bool = False) -> Reply:
    """The user's settings with buttons to change each."""
    lang = turn.lang
    text = render(
        "settings.summary",
        lang,
        departement=departement_label(turn.user.departement, lang),
        priorities=priorities_label(turn.user.priorities, lang),
        qualification=qualification_label(turn.user.qualification, lang),
        interests=interests_label(turn.user.interests, lang),
    )
    quiz: tuple[Button, ...] = (quiz_button(turn),)
    if turn.user.interests is not None:
        quiz += (Button(render_label("interests.clear_button", lang), Action(QUIZ_CLEAR)),)
    buttons = (
        (
            Button(
                render_label("settings.change_departement_button", lang), Action(CHANGE_DEPARTEMENT)
            ),
        ),
        (
            Button(
                render_label("settings.change_priorities_button", lang), Action(CHANGE_PRIORITIES)
            ),
        ),
        (
            Button(
                render_label("settings.change_qualification_button", lang),
                Action(CHANGE_QUALIFICATION),
            ),
        ),
        quiz,
        (Button(render_label("settings.language_button", lang), Action(SWITCH_LANGUAGE)),),
    )
    return Reply(text, "settings.summary", buttons=buttons, edit=edit)
