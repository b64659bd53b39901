"""Saving careers, the two survey questions asked after a save, and /saved.

A saved career is one row per (user, career), inserted so that a double tap or two processes
saving at once still make one row. What reacts to a save or a removal (the
nudge sequence) is wired in `turn.env.reactions`.
"""

from __future__ import annotations

from typing import Any

from journey import actions, buttons, context, saved_careers
from journey.actions import SAVED_REMOVE, SURVEY, TRAINING
from journey.buttons import label, short
from journey.cards import career_gone, redraw_card
from journey.context import catalogue_of
from journey.origins import FROM_SAVED
from kernel import events
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, render

INTEREST = "i"
READINESS = "r"
ANSWERS = ("0", "1", "2")
LIST_MAX = 30


async def save(turn: Turn, rome: str, origin: str) -> Outcome:
    """⭐ on a card: save, redraw the card, confirm and ask the first survey question."""
    career = catalogue_of(turn).get(rome)
    if career is None:
        return career_gone(turn)
    missing = context.profile_missing(turn)
    if missing is not None or not turn.user.onboarded:
        # Saving starts the nudges: only for someone who finished onboarding.
        return missing or Outcome(notice=render("common.start_again", turn.lang))
    lang = turn.lang
    created = await saved_careers.add(turn.session, turn.user.id, rome, turn.now)
    outcome = Outcome()
    card = await redraw_card(turn, career, origin)
    if card is not None:
        outcome.add(card)
    if not created:
        outcome.notice = render("explore.already_saved", lang)
        return outcome
    await events.record(turn.session, turn.user, events.CAREER_SAVED, rome=rome)
    for hook in turn.env.reactions.career_saved:
        await hook(turn, rome)
    outcome.notice = render("explore.saved_notice", lang)
    text = render("explore.saved_confirm", lang, title=career.title(lang))
    return outcome.add(
        Reply(text, "explore.saved_confirm", buttons=_survey_buttons(lang, rome, INTEREST))
    )


def _survey_buttons(lang: str, rome: str, question: str) -> tuple[tuple[Button, ...], ...]:
    name = "interest" if question == INTEREST else "readiness"
    return (
        tuple(
            Button(
                label(f"explore.survey_{name}_{answer}", lang),
                Action(SURVEY, (rome, question, answer)),
            )
            for answer in ANSWERS
        ),
    )


async def answer_survey(turn: Turn, rome: str, question: str, answer: str) -> Outcome:
    """A one-tap survey answer: store it on the saved career, then ask the next question."""
    lang = turn.lang
    if question not in (INTEREST, READINESS) or answer not in ANSWERS:
        return Outcome(notice=render("common.stale_button", lang))
    row = await saved_careers.get(turn.session, turn.user.id, rome)
    if row is None:
        return Outcome(notice=render("explore.survey_gone", lang))
    value = int(answer)
    column = "interest" if question == INTEREST else "readiness"
    if getattr(row, column) != value:  # a double tap records one answer
        setattr(row, column, value)
        await events.record(
            turn.session,
            turn.user,
            events.SURVEY_ANSWERED,
            rome=rome,
            question=column,
            answer=value,
        )
    career = catalogue_of(turn).get(rome)
    title = career.title(lang) if career is not None else rome
    if question == INTEREST:
        text = render("explore.survey_readiness", lang, title=title)
        buttons = _survey_buttons(lang, rome, READINESS)
        return Outcome().add(Reply(text, "explore.survey_readiness", buttons=buttons, edit=True))
    text = render("explore.survey_thanks", lang, title=title, readiness=value)
    rows: list[tuple[Button, ...]] = []
    if career is not None:
        rows.append((Button(label("explore.training_button", lang), Action(TRAINING, (rome,))),))
        rows.append((Button(label("explore.coach_button", lang), Action(actions.COACH, (rome,))),))
    return Outcome().add(Reply(text, "explore.survey_thanks", buttons=tuple(rows), edit=True))


async def _remove_row(turn: Turn, rome: str) -> bool:
    removed = await saved_careers.remove(turn.session, turn.user.id, rome)
    if removed:
        await events.record(turn.session, turn.user, events.CAREER_REMOVED, rome=rome)
        for hook in turn.env.reactions.career_removed:
            await hook(turn, rome)
    return removed


async def remove(turn: Turn, rome: str, origin: str) -> Outcome:
    """✖ on a card: remove the career from the saved ones and redraw the card."""
    removed = await _remove_row(turn, rome)
    key = "explore.removed_notice" if removed else "explore.not_saved"
    outcome = Outcome(notice=render(key, turn.lang))
    career = catalogue_of(turn).get(rome)
    if career is not None:
        card = await redraw_card(turn, career, origin)
        if card is not None:
            outcome.add(card)
    return outcome


async def remove_from_list(turn: Turn, rome: str) -> Outcome:
    """🗑 in /saved: remove the career and redraw the list in place."""
    removed = await _remove_row(turn, rome)
    listing = await show_list(turn, edit=True)
    listing.notice = render("explore.removed_notice" if removed else "explore.not_saved", turn.lang)
    return listing


async def show_list(turn: Turn, *, edit: bool = False) -> Outcome:
    """/saved: the saved careers, each with an open and a remove button."""
    lang = turn.lang
    if not edit:
        context.leave_settings_question(turn)
    romes = await saved_careers.romes(turn.session, turn.user.id)
    if not romes:
        return Outcome().add(
            Reply(
                render("explore.saved_empty", lang),
                "explore.saved_empty",
                buttons=(buttons.explore_button(lang),),
                edit=edit,
            )
        )
    catalogue = catalogue_of(turn)
    items: list[dict[str, Any]] = []
    rows: list[tuple[Button, ...]] = []
    for number, rome in enumerate(romes[:LIST_MAX], start=1):
        career = catalogue.get(rome)
        remove_button = Button(
            label("explore.remove_short_button", lang, number=number),
            Action(SAVED_REMOVE, (rome,)),
        )
        if career is None:  # saved before a re-import dropped it: it can still be removed
            title = render("explore.saved_unavailable", lang, rome=rome)
            rows.append((remove_button,))
        else:
            title = career.title(lang)
            open_button = Button(
                short(f"{number}. {title}"), Action(actions.OPEN_CARD, (rome, FROM_SAVED))
            )
            rows.append((open_button, remove_button))
        items.append({"number": number, "title": title})
    text = render(
        "explore.saved_list",
        lang,
        count=len(romes),
        items=items,
        hidden=max(0, len(romes) - LIST_MAX),
    )
    return Outcome().add(Reply(text, "explore.saved_list", buttons=tuple(rows), edit=edit))
