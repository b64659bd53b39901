"""Who may do what before onboarding is finished.

A person the bot does not know (never met, or erased with /delete) and a person who has not
finished onboarding can only start afresh: nothing they press may save a career, arm nudges or
leave any other trace. Old buttons stay on their screen after /delete, so this is the common
case, not an attack.
"""

from __future__ import annotations

from journey.privacy import DELETE_NO, DELETE_YES, RESUME
from journey.profile_view import PRIORITIES_DONE, SWITCH_LANGUAGE, TOGGLE_PRIORITY
from kernel.turn import Turn
from messages import Outcome, render

# Kinds of update that may create a user on first contact: something the person wrote. A button
# press or an edit refers to an older message, so it comes from someone who had a conversation
# before — and when the bot no longer knows them, they erased it.
_FIRST_CONTACT_KINDS = frozenset({"command", "text", "media"})

# The buttons that belong to onboarding itself (or erase everything, change the language or
# undo /stop): the only ones honoured before onboarding is finished.
OPEN_BEFORE_ONBOARDING = frozenset(
    {TOGGLE_PRIORITY, PRIORITIES_DONE, SWITCH_LANGUAGE, DELETE_YES, DELETE_NO, RESUME}
)


def may_create_user(kind: str) -> bool:
    """Whether an update of this kind from an unknown person starts a fresh profile."""
    return kind in _FIRST_CONTACT_KINDS


def start_again(lang: str) -> Outcome:
    """The short answer to a button from before /delete (or from someone never met)."""
    return Outcome(notice=render("common.start_again", lang))


def refuse_before_onboarding(turn: Turn, action: str) -> Outcome | None:
    """None when the button may run; else the "start again with /start" answer.

    Only onboarding's own buttons (and /delete's confirmation) work before onboarding is done,
    so a stale ⭐, survey, nudge or coach button never saves, arms nudges or refers anybody.
    """
    if turn.user.onboarded or action in OPEN_BEFORE_ONBOARDING:
        return None
    return start_again(turn.lang)
