"""The user's side of the nudges: what starts and cancels them, and their buttons.

The reactions to the journey (a career saved or removed, /stop, /delete, /export) are wired by
the composition root, `tremplin.app.build_reactions`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coaching import handover_flows
from coaching.nudges import outbox, plan, timing
from coaching.nudges.content import PLAN_STEP
from journey import privacy, saved_careers, training
from kernel import events
from kernel.turn import Turn
from kernel.validate import career_code, row_id
from messages import Outcome, Reply, render
from messages.formats import clock
from storage.models import Nudge, User


async def on_career_saved(turn: Turn, rome: str) -> None:
    """A career was saved: the first one starts the person's one sequence; a career saved after
    the last one was removed brings back what that removal cancelled."""
    if turn.user.unreachable:
        # Saving a career means they are talking to the bot again: they unblocked it.
        turn.user.unreachable = False
    started = await plan.start_sequence(turn.session, turn.user, turn.env, turn.now)
    if started is None:
        await plan.resume_sequence(turn.session, turn.user, turn.env, turn.now, NO_CAREER)


async def on_resumed(turn: Turn) -> None:
    """Follow-ups are back on after /stop: the steps /stop cancelled are planned again."""
    await plan.resume_sequence(turn.session, turn.user, turn.env, turn.now, STOPPED)


async def on_career_removed(turn: Turn, rome: str) -> None:
    """A career was removed: with none left, nothing remains to talk about."""
    if not await saved_careers.has_any(turn.session, turn.user.id):
        await outbox.cancel_pending(turn.session, turn.user.id, NO_CAREER)


async def on_stop(session: AsyncSession, user: User, reason: str) -> None:
    """/stop ("stopped") or /delete ("deleted"): cancel what has not gone out."""
    await outbox.cancel_pending(session, user.id, reason)


STOPPED = "stopped"  # the reason privacy.stop_hooks give for /stop
NO_CAREER = "no_career"


async def export_part(session: AsyncSession, user: User) -> dict[str, Any]:
    """The user's nudges, for /export."""
    return {
        "follow_up_messages": [
            {
                "sequence": row.sequence,
                "nudge_kind": row.kind,
                "step": row.step,
                "variant": row.variant,
                "career": row.rome,
                "due_at": row.due_at.isoformat(),
                "state": row.state,
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "attempts": row.attempts,
                "note": row.note,
                "created_at": row.created_at.isoformat(),
            }
            for row in await outbox.user_nudges(session, user.id)
        ]
    }


async def _own_nudge(turn: Turn, ident: str) -> Nudge | None:
    number = row_id(ident)
    if number is None:
        return None
    row = await turn.session.get(Nudge, number)
    return row if row is not None and row.user_id == turn.user.id else None


async def stop_button(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """🔕 on a nudge: the same as /stop, confirmed at once."""
    row = await _own_nudge(turn, args[0]) if args else None
    await privacy.stop_follow_ups(
        turn, via="button", rome=row.rome if row else None, **outbox.event_facts(row)
    )
    return Outcome().add(
        Reply(
            render("nudges.stopped", turn.lang),
            "nudges.stopped",
            buttons=privacy.resume_buttons(turn.lang),
        )
    )


async def record_press(turn: Turn, args: tuple[str, ...], button: str) -> None:
    """Record a press on a nudge's 🎓 or 💬 button (args: rome, nudge id)."""
    row = await _own_nudge(turn, args[1]) if len(args) > 1 else None
    await events.record(
        turn.session,
        turn.user,
        events.NUDGE_CLICKED,
        rome=career_code(turn.env.catalogue, args[0] if args else None),
        button=button,
        **outbox.event_facts(row),
    )


async def training_button(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """🎓 on a nudge (args: rome, nudge id): the press recorded, then the career card's
    training options."""
    await record_press(turn, args, "training")
    if not args:
        return Outcome(notice=render("common.stale_button", turn.lang))
    return await training.training_options(turn, args[0])


async def coach_button(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """💬 on a nudge (args: rome, nudge id): the press recorded, then the hand-over to a coach,
    as from the career card's button."""
    await record_press(turn, args, "coach")
    if not args:
        return Outcome(notice=render("common.stale_button", turn.lang))
    return await handover_flows.start(turn, args[0] or None, via="button")


async def plan_answer(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """An answer to "when could you spend 20 minutes on this?": plan the reminder."""
    stale = Outcome(notice=render("nudges.plan_stale", turn.lang))
    if len(args) != 2 or args[1] not in timing.PLAN_CHOICES or turn.user.nudges_stopped:
        return stale
    prompt = await _own_nudge(turn, args[0])
    if prompt is None or prompt.kind != outbox.STEP or prompt.step != PLAN_STEP:
        return stale
    reminder = await plan.plan_reminder(
        turn.session, turn.user, turn.env, prompt, args[1], turn.now
    )
    await events.record(
        turn.session,
        turn.user,
        events.NUDGE_PLAN_CHOSEN,
        rome=prompt.rome,
        choice=args[1],
        remind_at=reminder.due_at.isoformat(),
        **outbox.event_facts(prompt),
    )
    zone = timing.zone_for(turn.user.departement)
    local = reminder.due_at.astimezone(zone)
    today = turn.now.astimezone(zone).date()
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = "later"
    text = render(
        "nudges.plan_set",
        turn.lang,
        day=day,
        weekday=local.weekday(),
        hour=clock(local, turn.lang),
    )
    return Outcome().add(Reply(text, "nudges.plan_set"))
