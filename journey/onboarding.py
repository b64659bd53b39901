"""Onboarding: greet, ask where the user lives, then what matters to them.

The question being asked is stored on the user (`User.step`), so any bot process can take the
answer, and a restart loses nothing.
"""

from __future__ import annotations

from journey import privacy, small_talk
from journey.actions import EXPLORE
from journey.profile_view import (
    ASK_DEPARTEMENT,
    ASK_PRIORITIES,
    PRIORITIES_DONE,
    QUALIFICATION_CHOICES,
    SET_QUALIFICATION,
    SETTINGS_DEPARTEMENT,
    SETTINGS_PRIORITIES,
    SKIP,
    TOGGLE_PRIORITY,
    departement_label,
    priorities_answered,
    priorities_label,
    priorities_question,
    qualification_buttons,
    qualification_label,
    summary,
)
from kernel import events
from kernel.partners import Partner, get_partner
from kernel.turn import Turn
from kernel.white_label import use_texts_of
from messages import Action, Button, Outcome, Reply, render, render_label
from scoring.models import Priority
from scoring.places import resolve_place

__all__ = [
    "ASK_DEPARTEMENT",
    "ASK_PRIORITIES",
    "EXPLORE",
    "PRIORITIES_DONE",
    "SETTINGS_DEPARTEMENT",
    "SETTINGS_PRIORITIES",
    "SET_QUALIFICATION",
    "TOGGLE_PRIORITY",
    "answer_departement",
    "departement_label",
    "pending_question",
    "priorities_done",
    "priorities_question",
    "set_qualification",
    "start",
    "toggle_priority",
]

_ECHO_MAX = 40


def partner_welcome(partner: Partner, lang: str) -> str:
    """The line `/start <code>` adds to the greeting: the programme's own welcome text (its white
    label), or else a plain mention of the programme."""
    welcome = partner.welcome(lang)
    if welcome:
        return render("coach.white_label_welcome", lang, welcome=welcome, partner=partner.name)
    return render("onboarding.partner_welcome", lang, partner=partner.name)


async def start(turn: Turn, payload: str) -> Outcome:
    """/start [partner]: greet, attribute a partner, and (re)start onboarding where needed."""
    user = turn.user
    outcome = Outcome()
    partner = await get_partner(turn.session, payload)
    # /start again turns follow-ups back on after /stop, and says so.
    resumed = await privacy.resume_follow_ups(turn, via="start")
    resumed_reply = Reply(render("privacy.resumed", turn.lang), "privacy.resumed")
    if partner is not None and user.partner_code != partner.code:
        user.partner_code = partner.code
        await use_texts_of(turn.session, user)  # the greeting already in its own words
    if user.onboarded and user.departement:
        text = render(
            "onboarding.welcome_back",
            turn.lang,
            first_name=user.first_name,
            departement=departement_label(user.departement, turn.lang),
        )
        if partner is not None:
            text += "\n" + partner_welcome(partner, turn.lang)
        if resumed:
            outcome.add(resumed_reply)
        outcome.add(Reply(text, "onboarding.welcome_back", buttons=_explore_button(turn.lang)))
        return outcome
    text = render("onboarding.welcome", turn.lang, first_name=user.first_name)
    if partner is not None:
        text += "\n" + partner_welcome(partner, turn.lang)
    outcome.add(Reply(text, "onboarding.welcome"))
    if resumed:
        outcome.add(resumed_reply)
    user.step = ASK_DEPARTEMENT
    outcome.add(
        Reply(render("onboarding.ask_departement", turn.lang), "onboarding.ask_departement")
    )
    return outcome


async def answer_departement(turn: Turn, text: str) -> Outcome:
    """The user answered "where do you live" (during onboarding or from /settings)."""
    user = turn.user
    place = resolve_place(text)
    if place is None:
        kind = small_talk.recognise(text)
        if kind is not None:  # "bonjour", "merci": a word back, then the question again
            question = Reply(
                render("onboarding.ask_departement", turn.lang), "onboarding.ask_departement"
            )
            return Outcome().add(small_talk.during_question(turn, kind)).add(question)
        shown = text.strip()[:_ECHO_MAX] + ("…" if len(text.strip()) > _ECHO_MAX else "")
        return Outcome().add(
            Reply(
                render("onboarding.departement_unknown", turn.lang, text=shown),
                "onboarding.departement_unknown",
            )
        )
    departement = place.departement
    user.departement = departement.code
    if user.step == SETTINGS_DEPARTEMENT:
        user.step = None
        outcome = Outcome().add(Reply(render("settings.saved", turn.lang), "settings.saved"))
        return outcome.add(summary(turn))
    user.step = ASK_PRIORITIES
    outcome = Outcome()
    outcome.add(
        Reply(
            render(
                "onboarding.departement_set", turn.lang, departement=departement, city=place.city
            ),
            "onboarding.departement_set",
        )
    )
    outcome.add(priorities_question(turn))
    return outcome


def _asking_priorities(turn: Turn) -> bool:
    return turn.user.step in (ASK_PRIORITIES, SETTINGS_PRIORITIES)


async def toggle_priority(turn: Turn, value: str) -> Outcome:
    """A tap on one priority: add or remove it, and redraw the question in place."""
    if not _asking_priorities(turn) or value not in {p.value for p in Priority}:
        return Outcome(notice=render("common.stale_button", turn.lang))
    chosen = list(turn.user.priorities)
    if value in chosen:
        chosen.remove(value)
    else:
        chosen.append(value)
    turn.user.priorities = [p.value for p in Priority if p.value in chosen]
    return Outcome().add(priorities_question(turn, edit=True))


async def priorities_done(turn: Turn) -> Outcome:
    """The user confirmed their priorities: finish onboarding (or the settings change)."""
    user = turn.user
    if not _asking_priorities(turn):
        return Outcome(notice=render("common.stale_button", turn.lang))
    from_settings = user.step == SETTINGS_PRIORITIES
    user.step = None
    answered = Outcome().add(priorities_answered(turn))
    if from_settings:
        return answered.add(Reply(render("settings.saved", turn.lang), "settings.saved")).add(
            summary(turn)
        )
    first_time = not user.onboarded
    user.onboarded = True
    if first_time:
        await events.record(
            turn.session,
            user,
            events.ONBOARDED,
            departement=user.departement,
            priorities=list(user.priorities),
        )
    text = render(
        "onboarding.done",
        turn.lang,
        first_name=user.first_name,
        departement=departement_label(user.departement, turn.lang),
        priorities=priorities_label(user.priorities, turn.lang),
    )
    # The optional last question rides on the "profile ready" message: a tap on a level (or
    # "skip") answers it, and "discover" works without answering.
    question = render("onboarding.ask_qualification", turn.lang)
    buttons = (*qualification_buttons(turn.lang, "o"), *_explore_button(turn.lang))
    return answered.add(Reply(f"{text}\n\n{question}", "onboarding.done", buttons=buttons))


async def set_qualification(turn: Turn, level: str, origin: str) -> Outcome:
    """The highest-diploma question answered (or skipped), from onboarding or /settings."""
    if level not in (*QUALIFICATION_CHOICES, SKIP):
        return Outcome(notice=render("common.stale_button", turn.lang))
    if level != SKIP:
        turn.user.qualification = level
    lang = turn.lang
    text = render(
        "onboarding.qualification_saved",
        lang,
        skipped=level == SKIP,
        qualification=qualification_label(turn.user.qualification, lang),
    )
    if origin == "s":
        return (
            Outcome()
            .add(Reply(text, "onboarding.qualification_saved", edit=True))
            .add(summary(turn))
        )
    return Outcome().add(
        Reply(text, "onboarding.qualification_saved", buttons=_explore_button(lang), edit=True)
    )


def _explore_button(lang: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(render_label("onboarding.explore_button", lang), Action(EXPLORE)),),)


def pending_question(turn: Turn) -> Reply | None:
    """While onboarding is unfinished, the question to ask again (None once it is done)."""
    if turn.user.step == ASK_DEPARTEMENT or (not turn.user.departement and not turn.user.step):
        turn.user.step = ASK_DEPARTEMENT
        return Reply(render("onboarding.ask_departement", turn.lang), "onboarding.ask_departement")
    if turn.user.step == ASK_PRIORITIES:
        return priorities_question(turn)
    return None
