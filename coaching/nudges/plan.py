"""Starting a sequence of nudges: its steps and due times, the template variants, the hold-out.

A user's group is a stable function of their id (a hash), so a user stays in the same hold-out
group and sees the same variant of a step in every sequence, and the assignment stored on each row
lets the dashboard compare groups.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coaching.nudges import outbox, timing
from journey import saved_careers
from kernel import events
from kernel.turn import Environment
from messages.render import Catalog, default_catalog
from storage.models import Nudge, SavedCareer, User

MAX_STEPS = 3  # the templates tell three stories: why it fits, how to train, meet a coach
HOLDOUT = "holdout"
TEMPLATE_AREA = "nudges"
_VARIANT_KEY = re.compile(r"^nudges\.step(\d)_([a-z])$")


def _fraction(*parts: object) -> float:
    """A stable number in [0, 1) derived from the parts (the same on every process and run)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_holdout(user_id: int, share: float) -> bool:
    """Whether a user belongs to the hold-out group that gets no nudges."""
    return share > 0 and _fraction("nudge-holdout", user_id) < share


def variants(step: int, catalog: Catalog | None = None) -> list[str]:
    """The template variants of a step ("a", "b"…), from the catalogue's `nudges.stepN_x` keys."""
    keys = (catalog or default_catalog()).keys()
    found = sorted(
        match.group(2)
        for key in keys
        if (match := _VARIANT_KEY.match(key)) and int(match.group(1)) == step
    )
    return found or ["a"]


def variant_for(user_id: int, step: int, catalog: Catalog | None = None) -> str:
    """The variant of a step a user gets (even split between the variants)."""
    choices = variants(step, catalog)
    return choices[int(_fraction("nudge-variant", user_id, step) * len(choices))]


def template_key(kind: str, step: int, variant: str) -> str:
    """The template of a row: `nudges.step2_b`, or `nudges.reminder` for a plan reminder."""
    if kind == outbox.REMINDER:
        return f"{TEMPLATE_AREA}.reminder"
    return f"{TEMPLATE_AREA}.step{step}_{variant}"


async def career_to_speak_of(session: AsyncSession, user_id: int) -> SavedCareer | None:
    """The saved career a nudge talks about: the one saved most recently and still kept.

    The sequence is started by the first save, but by the time a later step goes out the person
    may have saved (and be more interested in) another career, or removed the first.
    """
    return await saved_careers.latest(session, user_id)


async def resume_sequence(
    session: AsyncSession, user: User, env: Environment, now: datetime, reason: str
) -> int:
    """Plan again the steps of the person's sequence that were cancelled for `reason` (/stop,
    or the last saved career removed); returns how many.

    The first of them is due after the first delay from now, the others keep their spacing.
    """
    if user.nudges_stopped or user.unreachable or not env.nudge_delays:
        return 0
    rows = list(
        await session.scalars(
            select(Nudge)
            .where(
                Nudge.user_id == user.id,
                Nudge.kind == outbox.STEP,
                Nudge.state == outbox.CANCELLED,
                Nudge.note == reason,
            )
            .order_by(Nudge.step)
        )
    )
    if not rows:
        return 0
    zone = timing.zone_for(user.departement)
    first_due = rows[0].due_at
    start = now + next(iter(env.nudge_delays))
    for row in rows:
        row.due_at = timing.allowed_at(start + (row.due_at - first_due), zone, env.quiet_hours)
        row.state = outbox.PENDING
        row.note = f"resumed after {reason}"[:255]
    await session.flush()
    return len(rows)


async def start_sequence(
    session: AsyncSession, user: User, env: Environment, now: datetime
) -> int | None:
    """Plan the person's sequence when they save their first career; returns its number.

    A person gets one sequence of three nudges, ever: saving more careers changes what the
    nudges speak of (`career_to_speak_of`), not how many come. Nothing is planned when a
    sequence was already planned, when the user stopped the nudges, cannot be reached or never
    finished onboarding, or when no delays are configured. Hold-out users get the same rows in
    the `held` state, which are never sent.
    """
    if user.nudges_stopped or user.unreachable or not user.onboarded:
        return None
    delays: tuple[timedelta, ...] = tuple(env.nudge_delays)[:MAX_STEPS]
    if not delays or await outbox.last_sequence(session, user.id) > 0:
        return None
    sequence = 1
    holdout = in_holdout(user.id, env.nudge_holdout)
    zone = timing.zone_for(user.departement)
    chosen: list[str] = []
    for step, delay in enumerate(delays, start=1):
        variant = HOLDOUT if holdout else variant_for(user.id, step)
        chosen.append(variant)
        session.add(
            Nudge(
                user_id=user.id,
                sequence=sequence,
                kind=outbox.STEP,
                step=step,
                variant=variant,
                due_at=timing.allowed_at(now + delay, zone, env.quiet_hours),
                state=outbox.HELD if holdout else outbox.PENDING,
                attempts=0,
                created_at=now,
            )
        )
    await session.flush()
    await events.record(
        session,
        user,
        events.NUDGES_PLANNED,
        sequence=sequence,
        holdout=holdout,
        variants=chosen,
    )
    return sequence


async def plan_reminder(
    session: AsyncSession, user: User, env: Environment, prompt: Nudge, choice: str, now: datetime
) -> Nudge:
    """Plan (or move) the reminder a user asked for by answering the plan prompt of `prompt`."""
    due_at = timing.plan_time(choice, now, timing.zone_for(user.departement), env.quiet_hours)
    existing = await session.scalar(
        select(Nudge).where(
            Nudge.user_id == user.id,
            Nudge.sequence == prompt.sequence,
            Nudge.kind == outbox.REMINDER,
            Nudge.step == prompt.step,
        )
    )
    if existing is not None and existing.state == outbox.PENDING:
        existing.due_at = due_at
        existing.rome = prompt.rome
        await session.flush()
        return existing
    if existing is not None and existing.state == outbox.SENDING:
        return existing  # going out right now: that is the reminder they asked for
    if existing is not None:
        # Already sent (or cancelled): a second plan asks for a second reminder; the unique
        # (user, sequence, kind, step) row is reused with its history in the note.
        existing.state = outbox.PENDING
        existing.due_at = due_at
        existing.rome = prompt.rome
        existing.message_id = None
        existing.claimed_at = existing.claimed_by = existing.sent_at = None
        existing.note = "planned again"
        await session.flush()
        return existing
    reminder = Nudge(
        user_id=user.id,
        sequence=prompt.sequence,
        kind=outbox.REMINDER,
        step=prompt.step,
        variant=prompt.variant,
        rome=prompt.rome,
        due_at=due_at,
        state=outbox.PENDING,
        attempts=0,
        created_at=now,
    )
    session.add(reminder)
    await session.flush()
    return reminder
