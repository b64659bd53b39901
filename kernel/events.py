"""Evaluation events: the one way to record what users do, with their partner attribution
(`record` also keeps the dashboard's tallies, `kernel.tallies`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, User

# The kinds the evaluation dashboard reads (the reference service's evaluation).
ONBOARDED = "onboarded"
SECTION_SHOWN = "section_shown"
CAREER_OPENED = "career_opened"
TRAINING_OPENED = "training_opened"
CAREER_SAVED = "career_saved"
CAREER_REMOVED = "career_removed"
SURVEY_ANSWERED = "survey_answered"
SEARCHED = "searched"
COACH_REQUESTED = "coach_requested"
# The hand-over to a partner programme (coaching.handover_flows): no programme fits, consent
# refused or given, referral made, relayed messages, no answer in time, closed, rated, withdrawn.
HANDOVER_NO_MATCH = "handover_no_match"
HANDOVER_DECLINED = "handover_declined"
HANDOVER_CONSENTED = "handover_consented"
HANDOVER_REFERRED = "handover_referred"
HANDOVER_MESSAGE = "handover_message"
HANDOVER_RELAY_ENDED = "handover_relay_ended"
HANDOVER_TIMED_OUT = "handover_timed_out"
HANDOVER_CLOSED = "handover_closed"
HANDOVER_RATED = "handover_rated"
HANDOVER_WITHDRAWN = "handover_withdrawn"
NUDGES_STOPPED = "nudges_stopped"
NUDGES_RESUMED = "nudges_resumed"
# The coaching nudges (coaching.nudges): planned (with the hold-out/variant assignment), sent,
# a button pressed on one, a plan time chosen, and what went wrong while sending.
NUDGES_PLANNED = "nudges_planned"
NUDGE_SENT = "nudge_sent"
NUDGE_CLICKED = "nudge_clicked"
NUDGE_PLAN_CHOSEN = "nudge_plan_chosen"
NUDGE_FAILED = "nudge_failed"
NUDGE_UNCERTAIN = "nudge_uncertain"
NUDGE_TEMPLATE_FAULT = "nudge_template_fault"
USER_UNREACHABLE = "user_unreachable"


async def record(
    session: AsyncSession,
    user: User,
    kind: str,
    *,
    rome: str | None = None,
    at: datetime | None = None,
    **data: Any,
) -> None:
    """Record one event for a user (now, or `at`), stamped with their partner attribution, and
    add it to the dashboard's tallies in the same transaction."""
    # Imported here: the tallies read this module's kinds.
    from kernel.tallies import record_event

    event = Event(user_id=user.id, kind=kind, partner_code=user.partner_code, rome=rome, data=data)
    if at is not None:  # a past moment (imports, tests); now otherwise
        event.at = at
    session.add(event)
    await session.flush()
    await record_event(session, event)


async def record_for(
    session: AsyncSession, user_id: int, kind: str, *, rome: str | None = None, **data: Any
) -> None:
    """Record one event for the user with this id, if they still exist (a background job may
    meet someone who erased their data meanwhile: then there is nothing to attribute)."""
    user = await session.get(User, user_id)
    if user is not None:
        await record(session, user, kind, rome=rome, **data)
