"""What a flow reads about the user and the process before showing careers: the catalogue, the
user's département, priorities and what the ranking may know of them, and whether their profile
is complete enough to explore."""

from __future__ import annotations

from journey import interests, onboarding
from kernel.turn import Turn
from messages import Outcome, Reply, render
from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from scoring.models import (
    Departement,
    Person,
    Priority,
)


def catalogue_of(turn: Turn) -> Catalogue:
    """The careers catalogue of the process."""
    return turn.env.catalogue


def user_departement(turn: Turn) -> Departement | None:
    """The user's département, or None when it is unknown (onboarding not finished)."""
    code = turn.user.departement
    return get_departement(code) if code else None


def profile_missing(turn: Turn) -> Outcome | None:
    """None when the user can explore; else "let's finish your profile" and the question."""
    departement = user_departement(turn)
    pending = onboarding.pending_question(turn)
    if pending is None and departement is not None:
        return None
    if pending is None:  # a département code the data no longer knows: ask again
        turn.user.departement = None
        pending = onboarding.pending_question(turn)
    outcome = Outcome().add(
        Reply(render("onboarding.finish_first", turn.lang), "onboarding.finish_first")
    )
    if pending is not None:
        outcome.add(pending)
    return outcome


def leave_settings_question(turn: Turn) -> None:
    """A command abandons a half-made "which département?" change in /settings or a quiz half
    answered, so the next text is read as a search and not as an answer."""
    if turn.user.step == onboarding.SETTINGS_DEPARTEMENT:
        turn.user.step = None
    interests.leave_quiz(turn)


def priorities_of(turn: Turn) -> list[Priority]:
    """The user's priorities, ignoring any value the scoring no longer knows."""
    known = {p.value for p in Priority}
    return [Priority(p) for p in turn.user.priorities if p in known]


def person_of(turn: Turn) -> Person:
    """What the ranking may know of the user besides place and priorities: the highest diploma
    and the interests quiz's letters, when told."""
    return Person(turn.user.qualification, turn.user.interests or "")
