"""Referrals: a user handed over to a partner programme, from the request to its closing.

States: `requested` (sent, no coach yet) → `accepted` (a coach took it) → `in_progress` (they are
talking) → `closed` with an outcome. The console will move referrals through these states with
`accept`, `mark_in_progress` and `close`; the bot does it when the user withdraws consent or
switches to another programme.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coaching import consent as consents
from coaching import webhooks
from coaching.nudges.outbox import cancel_pending
from journey.conversation import forget_words, keep_words
from kernel import events
from kernel.partners import Partner, get_partner
from kernel.validate import row_id
from kernel.white_label import use_texts_of
from scoring.catalogue import Catalogue
from storage.dialect import locked
from storage.models import (
    CoachConsent,
    CoachProfile,
    Referral,
    ReferralMessage,
    ReferralNote,
    User,
    WebhookDelivery,
)

REQUESTED = "requested"
ACCEPTED = "accepted"
IN_PROGRESS = "in_progress"
CLOSED = "closed"
ACTIVE = (REQUESTED, ACCEPTED, IN_PROGRESS)

OUTCOMES = ("started_training", "found_job", "no_answer", "not_interested", "other")

# Why a referral was closed.
BY_COACH = "coach"
CONSENT_WITHDRAWN = "consent_withdrawn"
SWITCHED = "switched"


class ReferralError(ValueError):
    """A referral cannot make this move (unknown, already closed, unknown outcome)."""


async def active_referral(session: AsyncSession, user_id: int) -> Referral | None:
    """The user's open referral, if any (there is at most one)."""
    row: Referral | None = await session.scalar(
        select(Referral)
        .where(Referral.user_id == user_id, Referral.state.in_(ACTIVE))
        .order_by(Referral.id.desc())
        .limit(1)
    )
    return row


async def referrals_of(session: AsyncSession, user_id: int) -> list[Referral]:
    """Every referral of a user, oldest first."""
    rows = await session.scalars(
        select(Referral).where(Referral.user_id == user_id).order_by(Referral.id)
    )
    return list(rows)


def _referral_data(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.id,
        "state": referral.state,
        "created_at": referral.created_at.isoformat(),
        "answer_expected_by": referral.promised_by.isoformat(),
    }


async def record_event(
    session: AsyncSession, user: User, referral: Referral, kind: str, **facts: Any
) -> None:
    """An analytics event about a referral: it always names the programme and the referral."""
    await events.record(
        session, user, kind, programme=referral.partner_code, referral=referral.id, **facts
    )


async def notify_programme(
    session: AsyncSession,
    partner: Partner | None,
    referral: Referral,
    event: str,
    data: dict[str, Any],
    *,
    user_id: int | None,
    now: datetime,
) -> None:
    """Queue a notification about `referral` to its programme's webhook (nothing when the
    programme is gone or has no webhook). `user_id` None for one that must outlive the user."""
    if partner is not None:
        await webhooks.enqueue(
            session, partner, event, data, user_id=user_id, referral_id=referral.id, now=now
        )


async def create(
    session: AsyncSession,
    user: User,
    partner: Partner,
    consent: CoachConsent,
    *,
    rome: str | None,
    catalogue: Catalogue | None,
    now: datetime,
) -> Referral:
    """Hand the user over: the referral, the partner's notification (consented data only), and
    the end of pending nudges — a person now takes over from automated messages."""
    referral = Referral(
        user_id=user.id,
        partner_code=partner.code,
        consent_id=consent.id,
        rome=rome,
        state=REQUESTED,
        relay_on=True,
        created_at=now,
        promised_by=now + partner.answers_within,
    )
    session.add(referral)
    await session.flush()
    if consent.share_conversation:
        await keep_words(session, user.id)  # the programme's coaches may search it from now on
    shared = await consents.shared_data(session, user, consent, rome=rome, catalogue=catalogue)
    await notify_programme(
        session,
        partner,
        referral,
        webhooks.REFERRAL_CREATED,
        {
            "referral": _referral_data(referral),
            "consent": {
                "given_at": consent.given_at.isoformat(),
                "items": list(consent.items),
            },
            "user": shared,
        },
        user_id=user.id,
        now=now,
    )
    await cancel_pending(session, user.id, "handover")
    await use_texts_of(session, user)  # from now on, in the programme's own words
    await record_event(
        session,
        user,
        referral,
        events.HANDOVER_REFERRED,
        rome=rome,
        conversation_shared=consent.share_conversation,
    )
    return referral


async def _get_open(session: AsyncSession, referral_id: int) -> Referral:
    referral = await session.get(Referral, referral_id)
    if referral is None:
        raise ReferralError(f"no referral {referral_id}")
    if referral.state == CLOSED:
        raise ReferralError(f"referral {referral_id} is closed")
    return referral


async def accept(
    session: AsyncSession, referral_id: int, coach_name: str, *, now: datetime
) -> Referral:
    """A coach takes the referral (from the console)."""
    referral = await _get_open(session, referral_id)
    if referral.state == REQUESTED:
        referral.state = ACCEPTED
        referral.accepted_at = now
    referral.coach_name = coach_name.strip()[:100] or referral.coach_name
    return referral


async def mark_in_progress(
    session: AsyncSession, referral: Referral, coach_name: str | None, *, now: datetime
) -> None:
    """The coach and the user are talking: the first reply moves the referral on."""
    if referral.accepted_at is None:
        referral.accepted_at = now
    if referral.first_reply_at is None:
        referral.first_reply_at = now
    referral.state = IN_PROGRESS
    if coach_name:
        referral.coach_name = coach_name.strip()[:100]


async def close(
    session: AsyncSession,
    referral: Referral,
    *,
    outcome: str,
    reason: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Close a referral with an outcome; the relay stops."""
    if outcome not in OUTCOMES:
        raise ReferralError(f"unknown outcome {outcome!r}; expected one of {OUTCOMES}")
    if referral.state == CLOSED:
        raise ReferralError(f"referral {referral.id} is already closed")
    referral.state = CLOSED
    referral.outcome = outcome
    referral.closed_reason = reason
    referral.closed_at = now
    referral.relay_on = False
    if note:
        referral.note = note
    await events.record_for(
        session,
        referral.user_id,
        events.HANDOVER_CLOSED,
        rome=referral.rome,
        programme=referral.partner_code,
        referral=referral.id,
        outcome=outcome,
        reason=reason,
    )


async def switch_away(
    session: AsyncSession, user: User, referral: Referral, *, now: datetime
) -> None:
    """The user gave up waiting and chose another programme: close, and tell the programme."""
    await close(session, referral, outcome="no_answer", reason=SWITCHED, now=now)
    await notify_programme(
        session,
        await get_partner(session, referral.partner_code),
        referral,
        webhooks.REFERRAL_CLOSED,
        {"referral": _referral_data(referral), "reason": "user_chose_another_programme"},
        user_id=user.id,
        now=now,
    )


async def withdraw_consent(
    session: AsyncSession, user: User, consent_id: int, *, now: datetime
) -> CoachConsent | None:
    """Withdraw a consent: nothing more is shared (what has not left yet is cancelled), its open
    referral closes, and the programme is told. None when it is not the user's or already
    withdrawn."""
    consent = await session.get(CoachConsent, consent_id)
    if consent is None or consent.user_id != user.id or consent.withdrawn_at is not None:
        return None
    consent.withdrawn_at = now
    partner = await get_partner(session, consent.partner_code)
    rows = await session.scalars(select(Referral).where(Referral.consent_id == consent.id))
    for referral in rows:
        await webhooks.cancel_for_referral(session, referral.id, "consent withdrawn")
        if referral.state != CLOSED:
            await close(session, referral, outcome="other", reason=CONSENT_WITHDRAWN, now=now)
        await notify_programme(
            session,
            partner,
            referral,
            webhooks.CONSENT_WITHDRAWN,
            {
                "referral": _referral_data(referral),
                "withdrawn_at": now.isoformat(),
                "request": "stop contacting the user through Tremplin and erase the data "
                "received about them",
            },
            user_id=user.id,
            now=now,
        )
    if not await _conversation_still_shared(session, user.id):
        await forget_words(session, user.id)
    await events.record(
        session, user, events.HANDOVER_WITHDRAWN, programme=consent.partner_code, consent=consent.id
    )
    return consent


async def _conversation_still_shared(session: AsyncSession, user_id: int) -> bool:
    """Whether a programme may still read (and search) this user's conversation."""
    found = await session.scalar(
        select(Referral.id)
        .join(CoachConsent, CoachConsent.id == Referral.consent_id)
        .where(
            Referral.user_id == user_id,
            CoachConsent.share_conversation.is_(True),
            CoachConsent.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


async def forget_user(session: AsyncSession, user: User, *, now: datetime) -> None:
    """Before a user's rows are erased: erase our copies of the notifications about them, and ask
    every programme that may have received their data to erase it too."""
    rows = list(await referrals_of(session, user.id))
    await webhooks.forget_user(session, user.id)
    for referral in rows:
        await notify_programme(
            session,
            await get_partner(session, referral.partner_code),
            referral,
            webhooks.USER_DELETED,
            {
                "referral": {"id": referral.id},
                "deleted_at": now.isoformat(),
                "request": "the user erased their data from Tremplin: erase what you received",
            },
            user_id=None,  # must outlive the user's rows
            now=now,
        )


async def add_message(
    session: AsyncSession,
    referral: Referral,
    *,
    sender: str,
    text: str,
    now: datetime,
    author: str | None = None,
    delivered: bool = False,
) -> ReferralMessage:
    """Store one relay message on the referral."""
    message = ReferralMessage(
        referral_id=referral.id,
        at=now,
        sender=sender,
        author=author,
        text=text,
        delivered=delivered,
    )
    session.add(message)
    # The marks keep the order messages arrived in: a user's message timed by Telegram (whole
    # seconds) can carry an earlier time than the coach's reply it answers.
    if sender == "user":
        last_coach = referral.last_coach_message_at
        referral.last_user_message_at = (
            max(now, last_coach + timedelta(microseconds=1)) if last_coach else now
        )
    else:
        last_user = referral.last_user_message_at
        referral.last_coach_message_at = (
            max(now, last_user + timedelta(microseconds=1)) if last_user else now
        )
    await session.flush()
    return message


async def overdue(
    session: AsyncSession, now: datetime, *, limit: int = 100
) -> list[Referral]:
    """Open referrals no coach has answered within the promised time, whose user is not told yet.

    Rows another process is handling are skipped (locked until this transaction ends).
    """
    query = (
        select(Referral)
        .where(
            Referral.state.in_((REQUESTED, ACCEPTED)),
            Referral.first_reply_at.is_(None),
            Referral.timeout_notified_at.is_(None),
            Referral.promised_by <= now,
        )
        .order_by(Referral.promised_by, Referral.id)
        .limit(limit)
    )
    return list(await session.scalars(locked(session, query, skip_locked=True)))


async def export_part(session: AsyncSession, user: User) -> dict[str, Any]:
    """The user's hand-over data for /export: answers, consents, referrals and relay messages."""
    profile = await session.get(CoachProfile, user.id)
    referrals = await referrals_of(session, user.id)
    messages: dict[int, list[ReferralMessage]] = {r.id: [] for r in referrals}
    if referrals:
        rows = await session.scalars(
            select(ReferralMessage)
            .where(ReferralMessage.referral_id.in_(list(messages)))
            .order_by(ReferralMessage.at, ReferralMessage.id)
        )
        for row in rows:
            messages[row.referral_id].append(row)

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    notes: dict[int, list[ReferralNote]] = {r.id: [] for r in referrals}
    if referrals:
        for note in await session.scalars(
            select(ReferralNote)
            .where(ReferralNote.referral_id.in_(list(notes)))
            .order_by(ReferralNote.at, ReferralNote.id)
        ):
            notes[note.referral_id].append(note)
    deliveries = await session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.user_id == user.id)
        .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
    )

    def body(raw: str) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    return {
        "coaching": {
            "answers": {
                "situation": profile.situation if profile else None,
                "age_band": profile.age_band if profile else None,
                "updated_at": iso(profile.updated_at) if profile else None,
            },
            "consents": [
                {
                    "programme": c.partner_code,
                    "shared": list(c.items),
                    "given_at": iso(c.given_at),
                    "withdrawn_at": iso(c.withdrawn_at),
                }
                for c in await consents.consents_of(session, user.id)
            ],
            "referrals": [
                {
                    "id": r.id,
                    "programme": r.partner_code,
                    "career": r.rome,
                    "state": r.state,
                    "outcome": r.outcome,
                    "created_at": iso(r.created_at),
                    "accepted_at": iso(r.accepted_at),
                    "first_reply_at": iso(r.first_reply_at),
                    "answer_promised_by": iso(r.promised_by),
                    "told_no_answer_at": iso(r.timeout_notified_at),
                    "closed_at": iso(r.closed_at),
                    "closed_reason": r.closed_reason,
                    "coach": r.coach_name,
                    "coach_note": r.note,
                    "coach_notes": [
                        {"at": iso(n.at), "author": n.author, "text": n.text} for n in notes[r.id]
                    ],
                    "messages_go_to_the_coach": r.relay_on,
                    "satisfaction_asked_at": iso(r.satisfaction_asked_at),
                    "satisfaction": r.satisfaction_score,
                    "satisfaction_comment": r.satisfaction_comment,
                    "satisfaction_at": iso(r.satisfaction_at),
                    "your_last_message_at": iso(r.last_user_message_at),
                    "coach_last_message_at": iso(r.last_coach_message_at),
                    "coach_last_read_at": iso(r.coach_seen_at),
                    "messages": [
                        {
                            "at": iso(m.at),
                            "from": m.sender,
                            "author": m.author,
                            "text": m.text,
                            "delivered": m.delivered,
                        }
                        for m in messages[r.id]
                    ],
                }
                for r in referrals
            ],
            # What was sent (or is waiting to be sent) to which programme, and when.
            "sent_to_programmes": [
                {
                    "programme": d.partner_code,
                    "event": d.event,
                    "referral": d.referral_id,
                    "created_at": iso(d.created_at),
                    "state": d.state,
                    "attempts": d.attempts,
                    "next_attempt_at": iso(d.next_attempt_at),
                    "delivered_at": iso(d.delivered_at),
                    "last_error": d.last_error,
                    "idempotency_key": d.idempotency_key,
                    "content": body(d.body),
                }
                for d in deliveries
            ],
        }
    }


async def own_referral(session: AsyncSession, user_id: int, raw_id: str | None) -> Referral | None:
    """The referral a button names (its id, as written in the button), when it is the user's:
    forged, foreign or vanished ids give None."""
    ident = row_id(raw_id)
    if ident is None:
        return None
    referral = await session.get(Referral, ident)
    return referral if referral is not None and referral.user_id == user_id else None
