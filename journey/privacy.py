"""The user's rights over their data: /privacy, /export, /delete, and /stop for follow-ups."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from journey import navigation, saved_careers
from journey.conversation import transcript
from kernel import events
from kernel.logs import RETENTION_DAYS as LOG_RETENTION_DAYS
from kernel.reactions import Reactions
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, render, render_label
from messages.outgoing import Document
from storage.models import AnonymousEvent, ConversationWords, Event, User

DELETE_YES = "dy"
DELETE_NO = "dn"
RESUME = "fu"  # (): follow-up messages back on after /stop

# What other packages keep about a user (referrals, consents, nudges), what they cancel on /stop
# and /delete, and what /privacy adds, comes from `turn.env.reactions` (see tremplin.app).


async def show(turn: Turn) -> Outcome:
    """/privacy: what is kept, why, and the commands to export or erase it."""
    env = turn.env
    summary = render(
        "privacy.summary",
        turn.lang,
        logs_months=round(env.retention_logs.days / 30),
        profiles_months=round(env.retention_profiles.days / 30),
        log_days=LOG_RETENTION_DAYS,
        controller=env.privacy_controller,
        contact=env.privacy_contact,
    )
    outcome = Outcome().add(Reply(summary, "privacy.summary"))
    for part in turn.env.reactions.privacy:
        outcome.replies.extend(await part(turn))
    return outcome


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export_data(session: AsyncSession, user: User, reactions: Reactions) -> dict[str, Any]:
    """Everything stored about a user, as JSON-ready data."""
    saved = await saved_careers.of_user(session, user.id)
    logged = await session.scalars(
        select(Event).where(Event.user_id == user.id).order_by(Event.at, Event.id)
    )
    data: dict[str, Any] = {
        "profile": {
            "telegram_id": user.id,
            "first_name": user.first_name,
            "language": user.language,
            "departement": user.departement,
            "priorities": list(user.priorities),
            "highest_diploma": user.qualification,
            "interests_quiz": user.interests,
            "partner": user.partner_code,
            "question_waiting_for_an_answer": user.step,
            "onboarded": user.onboarded,
            "follow_up_messages_stopped": user.nudges_stopped,
            "unreachable": user.unreachable,
            "created_at": _iso(user.created_at),
            "updated_at": _iso(user.updated_at),
            "last_seen_at": _iso(user.last_seen_at),
        },
        "saved_careers": [
            {
                "rome": s.rome,
                "saved_at": _iso(s.saved_at),
                "interest": s.interest,
                "readiness": s.readiness,
            }
            for s in saved
        ],
        "events": [
            {
                "at": _iso(e.at),
                "kind": e.kind,
                "programme": e.partner_code,
                "rome": e.rome,
                "data": e.data,
            }
            for e in logged
        ],
        "conversation": [
            {
                "at": _iso(line.at),
                "direction": line.direction,
                "kind": line.kind,
                "text": line.text,
                "button": line.callback_data,
                "template": line.template_key,
            }
            for line in await transcript(session, user.id, limit=100_000)
        ],
        "navigation": await navigation.export(session, user.id),
    }
    words = await session.get(ConversationWords, user.id)
    if words is not None:
        # The words of the conversation a programme's coaches may search for.
        data["conversation_searchable_words"] = {
            "words": words.words,
            "updated_at": _iso(words.updated_at),
        }
    for part in reactions.export:
        data.update(await part(session, user))
    return data


async def export(turn: Turn) -> Outcome:
    """/export: send the user a JSON file with all their data."""
    data = await export_data(turn.session, turn.user, turn.env.reactions)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    document = Document(filename=f"tremplin-{turn.user.id}.json", content=content)
    return Outcome().add(
        Reply(
            render("privacy.export_caption", turn.lang), "privacy.export_caption", document=document
        )
    )


async def ask_delete(turn: Turn) -> Outcome:
    """/delete: ask for confirmation before erasing anything."""
    buttons = (
        (
            Button(render_label("privacy.delete_yes_button", turn.lang), Action(DELETE_YES)),
            Button(render_label("privacy.delete_no_button", turn.lang), Action(DELETE_NO)),
        ),
    )
    return Outcome().add(
        Reply(
            render("privacy.delete_confirm", turn.lang), "privacy.delete_confirm", buttons=buttons
        )
    )


# Event fields that may hold what the person typed or something that points back at them; an
# erased person's events are kept for the dashboard without them.
_PERSONAL_FIELDS = frozenset(
    {"query", "text", "comment", "error", "reason", "consent", "message", "to"}
)
_KEPT_STRING_MAX = 64


def _anonymous_data(data: dict[str, Any], referrals: dict[Any, int]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if key in _PERSONAL_FIELDS:
            continue
        if key == "referral":
            # The referral's number was sent to the partner with the person's details: it is
            # replaced by a random one, the same for all of this person's events about that
            # referral, so the hand-over figures still tie its events together.
            kept[key] = referrals.setdefault(value, -(secrets.randbits(62) + 1))
            continue
        if isinstance(value, str) and len(value) > _KEPT_STRING_MAX:
            continue
        if isinstance(value, dict):
            continue
        kept[key] = value
    return kept


async def keep_anonymous_events(session: AsyncSession, user_id: int) -> int:
    """Copy a person's evaluation events under a random subject number, without free text, so
    that the dashboard's counts survive their erasure; returns how many."""
    # Negative and random: never a Telegram id, and nothing links it to the person.
    subject = -(secrets.randbits(62) + 1)
    rows = await session.scalars(
        select(Event).where(Event.user_id == user_id).order_by(Event.at, Event.id)
    )
    referrals: dict[Any, int] = {}
    count = 0
    for row in rows:
        session.add(
            AnonymousEvent(
                subject=subject,
                at=row.at,
                kind=row.kind,
                partner_code=row.partner_code,
                rome=row.rome,
                data=_anonymous_data(row.data, referrals),
            )
        )
        count += 1
    await session.flush()
    return count


async def erase(session: AsyncSession, user: User, reactions: Reactions) -> None:
    """Erase a user and everything attached to them (rows cascade from the user); their
    evaluation events stay, anonymous, for the dashboard."""
    for hook in reactions.stopped:
        await hook(session, user, "deleted")
    await keep_anonymous_events(session, user.id)
    await session.execute(delete(User).where(User.id == user.id))
    session.expunge(user)


async def confirm_delete(turn: Turn) -> Outcome:
    """The user confirmed: erase everything, then say so (the goodbye is not logged)."""
    lang = turn.lang
    await erase(turn.session, turn.user, turn.env.reactions)
    return Outcome().add(Reply(render("privacy.deleted", lang), "privacy.deleted", edit=True))


async def cancel_delete(turn: Turn) -> Outcome:
    """The user kept their data."""
    return Outcome().add(
        Reply(render("privacy.delete_cancelled", turn.lang), "privacy.delete_cancelled", edit=True)
    )


async def stop_follow_ups(turn: Turn, *, via: str, rome: str | None = None, **facts: Any) -> None:
    """The one rule of /stop (the command or a nudge's 🔕): no more automated follow-ups, what
    is pending is cancelled at once, and the choice is recorded with where it was made."""
    turn.user.nudges_stopped = True
    for hook in turn.env.reactions.stopped:
        await hook(turn.session, turn.user, "stopped")
    await events.record(turn.session, turn.user, events.NUDGES_STOPPED, rome=rome, via=via, **facts)


async def stop(turn: Turn) -> Outcome:
    """/stop: no more follow-up messages; pending ones are cancelled at once."""
    await stop_follow_ups(turn, via="command")
    return Outcome().add(
        Reply(
            render("privacy.stopped", turn.lang),
            "privacy.stopped",
            buttons=resume_buttons(turn.lang),
        )
    )


def resume_buttons(lang: str) -> tuple[tuple[Button, ...], ...]:
    """The one-tap undo under every "no more follow-ups" confirmation."""
    return ((Button(render_label("privacy.resume_button", lang), Action(RESUME)),),)


async def resume_follow_ups(turn: Turn, *, via: str) -> bool:
    """Undo /stop: follow-ups are back on and what /stop cancelled is planned again.

    Returns False when they were not stopped (nothing to undo).
    """
    if not turn.user.nudges_stopped:
        return False
    turn.user.nudges_stopped = False
    for hook in turn.env.reactions.resumed:
        await hook(turn)
    await events.record(turn.session, turn.user, events.NUDGES_RESUMED, via=via)
    return True


async def resume(turn: Turn) -> Outcome:
    """The undo button under /stop's confirmation: confirm in place of it."""
    await resume_follow_ups(turn, via="button")
    return Outcome().add(Reply(render("privacy.resumed", turn.lang), "privacy.resumed", edit=True))
