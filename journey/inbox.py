"""Routing what the user writes: an answer to the pending question, or else a career search."""

from __future__ import annotations

from journey import interests, onboarding
from kernel.turn import Turn
from messages import Outcome, Reply, render

TEXT_MAX = 4000


async def help_text(turn: Turn) -> Outcome:
    """/help."""
    return Outcome().add(Reply(render("common.help", turn.lang), "common.help"))


async def handle_text(turn: Turn, text: str) -> Outcome:
    """Any plain text: answer the question in progress, else the free-text routes the
    composition root wired (`turn.env.reactions.free_text`), in order; the first answer wins."""
    text = text[:TEXT_MAX]
    step = turn.user.step
    if step in (onboarding.ASK_DEPARTEMENT, onboarding.SETTINGS_DEPARTEMENT):
        return await onboarding.answer_departement(turn, text)
    if interests.in_quiz(turn):
        return await interests.remind(turn)
    pending = onboarding.pending_question(turn)
    if pending is not None:
        first = Reply(render("onboarding.finish_first", turn.lang), "onboarding.finish_first")
        return Outcome().add(first).add(pending)
    for route in turn.env.reactions.free_text:
        outcome = await route(turn, text)
        if outcome is not None:
            return outcome
    return Outcome().add(Reply(render("common.not_understood", turn.lang), "common.not_understood"))


async def not_text(turn: Turn) -> Outcome:
    """Stickers, photos, voice, locations: say what the bot can read."""
    return Outcome().add(Reply(render("common.not_text", turn.lang), "common.not_text"))


async def unknown_command(turn: Turn) -> Outcome:
    """A command the bot does not have."""
    return Outcome().add(
        Reply(render("common.unknown_command", turn.lang), "common.unknown_command")
    )
