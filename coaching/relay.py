"""The live relay between a user and their programme's coach, through the bot.

- `coach_reply` delivers a coach's message to the user, labelled with the coach's first name and
  programme (the console calls it; tests call it directly). It is stored on the referral and
  written to the conversation log with kind "coach".
- `relay_text` takes the user's free text while a referral is open and the relay is on: it is
  stored on the referral, POSTed to the programme's webhook, and acknowledged — not searched.
- `check_timeouts` tells users whose programme has not answered within its promised time, and
  lets them wait or choose another programme.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coaching import referrals, webhooks
from coaching.partners import answer_delay
from journey.conversation import RELAYED, LoggingMessenger, log_outgoing, relabel_last_incoming
from journey.profiles import mark_unreachable
from kernel import events
from kernel.logs import pseudonym
from kernel.partners import Partner, get_partner
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, render, render_label
from messages.messenger import Messenger, Rejected, RetryLater, SendError, Unreachable
from messages.render import programme_texts
from storage.engine import Database
from storage.models import Referral, ReferralMessage, User, utcnow

log = logging.getLogger(__name__)

END_RELAY = "ce"  # ()
RESUME_RELAY = "cr"  # (referral id,)
KEEP_WAITING = "ck"  # (referral id,)
SWITCH = "cx"  # (referral id,)

COACH_TEXT_MAX = 3500
_RETRY_NOW_MAX = 5.0


@dataclass(frozen=True)
class RelayResult:
    """What became of a coach's reply: delivered (with the Telegram message id) or why not
    (`closed`, `unknown`, `unreachable`, `retry_later`, `failed`)."""

    delivered: bool
    reason: str | None = None
    message_id: int | None = None
    referral_message_id: int | None = None


def coach_first_name(coach_name: str | None) -> str:
    """The first name shown to the user ("Julie" for "Julie Martin")."""
    parts = (coach_name or "").split()
    return parts[0] if parts else ""


def _recipient(referral: Referral, partner: Partner | None) -> str:
    name = coach_first_name(referral.coach_name)
    programme = partner.name if partner else referral.partner_code
    return f"{name} ({programme})" if name else programme


def _coach_reply_buttons(
    referral: Referral, lang: str, coach: str
) -> tuple[tuple[Button, ...], ...]:
    if referral.relay_on:
        return ((Button(render_label("coach.end_button", lang), Action(END_RELAY)),),)
    label = render_label("coach.reply_button", lang, coach=coach)
    return ((Button(label, Action(RESUME_RELAY, (str(referral.id),))),),)


async def coach_reply(
    db: Database,
    messenger: Messenger,
    referral_id: int,
    coach_name: str,
    text: str,
    *,
    now: datetime | None = None,
) -> RelayResult:
    """Deliver a coach's reply to the user of an open referral, labelled with the coach's first
    name and programme; store it on the referral and in the conversation log."""
    now = now or utcnow()
    text = text.strip()[:COACH_TEXT_MAX]
    async with db.transaction() as session:
        stored = await _store_coach_reply(session, referral_id, coach_name, text, now)
    if isinstance(stored, RelayResult):
        return stored
    return await _deliver_coach_reply(db, messenger, stored)


@dataclass(frozen=True)
class _StoredReply:
    """A coach's reply kept on the referral, waiting to be sent."""

    referral_id: int
    referral_message_id: int
    user_id: int
    chat_id: int
    reply: Reply


async def _store_coach_reply(
    session: AsyncSession, referral_id: int, coach_name: str, text: str, now: datetime
) -> _StoredReply | RelayResult:
    """Keep the reply on the referral (it is in progress from now on) and word it for the user;
    a RelayResult when there is no one to send it to."""
    referral = await session.get(Referral, referral_id)
    if referral is None:
        return RelayResult(False, "unknown")
    if referral.state == referrals.CLOSED:
        return RelayResult(False, "closed")
    user = await session.get(User, referral.user_id)
    if user is None:
        return RelayResult(False, "unknown")
    partner = await get_partner(session, referral.partner_code)
    await referrals.mark_in_progress(session, referral, coach_name, now=now)
    stored = await referrals.add_message(
        session, referral, sender="coach", author=coach_name.strip()[:100], text=text, now=now
    )
    await referrals.record_event(
        session, user, referral, events.HANDOVER_MESSAGE, direction="coach"
    )
    reply = _coach_message(referral, partner, user.language, coach_name, text)
    return _StoredReply(referral.id, stored.id, user.id, user.chat_id, reply)


def _coach_message(
    referral: Referral, partner: Partner | None, lang: str, coach_name: str, text: str
) -> Reply:
    """The coach's text as the user sees it: who wrote it, for which programme, and how to
    answer (or stop answering)."""
    first = coach_first_name(coach_name) or (partner.name if partner else "")
    with programme_texts(referral.partner_code):  # the coach's programme's own words
        return Reply(
            render(
                "coach.coach_message",
                lang,
                coach=first,
                programme=partner.name if partner else referral.partner_code,
                text=text,
            ),
            "coach.coach_message",
            buttons=_coach_reply_buttons(referral, lang, first),
        )


async def _deliver_coach_reply(
    db: Database, messenger: Messenger, stored: _StoredReply
) -> RelayResult:
    """Send a stored reply; log it and mark it delivered, or say why it did not reach the user."""
    inner = messenger.inner if isinstance(messenger, LoggingMessenger) else messenger
    kept = stored.referral_message_id
    try:
        message_id = await _send(inner, stored.chat_id, stored.reply)
    except Unreachable:
        async with db.transaction() as session:
            await mark_unreachable(session, stored.user_id)
        return RelayResult(False, "unreachable", referral_message_id=kept)
    except RetryLater:
        return RelayResult(False, "retry_later", referral_message_id=kept)
    except SendError as exc:
        log.warning("could not relay a coach's reply on referral %s: %r", stored.referral_id, exc)
        return RelayResult(False, "failed", referral_message_id=kept)
    async with db.transaction() as session:
        await log_outgoing(session, stored.user_id, stored.reply, message_id, kind="coach")
        row = await session.get(ReferralMessage, kept)
        if row is not None:
            row.delivered = True
    return RelayResult(True, None, message_id, kept)


async def _send(messenger: Messenger, chat_id: int, reply: Reply) -> int:
    try:
        return await messenger.send(chat_id, reply)
    except RetryLater as exc:
        if exc.seconds > _RETRY_NOW_MAX:
            raise
        await asyncio.sleep(exc.seconds)  # a short 429: the coach is waiting, try once more
        return await messenger.send(chat_id, reply)
    except Rejected:
        # A coach's text that Telegram refuses as HTML still reaches the user as plain text.
        return await messenger.send(chat_id, reply, html=False)


async def relay_text(turn: Turn, text: str) -> Outcome | None:
    """The user's free text during an open referral with the relay on: to the coach."""
    session, user = turn.session, turn.user
    referral = await referrals.active_referral(session, user.id)
    if referral is None or not referral.relay_on:
        return None
    partner = await get_partner(session, referral.partner_code)
    stored = await referrals.add_message(session, referral, sender="user", text=text, now=turn.now)
    # Said to the coach, not to the bot: never part of "our conversation" shared with a programme.
    await relabel_last_incoming(session, user.id, RELAYED)
    await _relay_news(
        turn,
        referral,
        partner,
        webhooks.MESSAGE_CREATED,
        {"message": {"id": stored.id, "at": turn.now.isoformat(), "text": text}},
        events.HANDOVER_MESSAGE,
        direction="user",
    )
    reply = render("coach.relayed", turn.lang, to=_recipient(referral, partner))
    return Outcome().add(Reply(reply, "coach.relayed"))


async def _relay_news(
    turn: Turn,
    referral: Referral,
    partner: Partner | None,
    webhook_event: str,
    data: dict[str, Any],
    event: str,
    **facts: Any,
) -> None:
    """Something the user did on the relay: the programme is told (its webhook, about this
    referral) and the analytics record it."""
    await referrals.notify_programme(
        turn.session,
        partner,
        referral,
        webhook_event,
        {"referral": {"id": referral.id}, **data},
        user_id=turn.user.id,
        now=turn.now,
    )
    await referrals.record_event(turn.session, turn.user, referral, event, **facts)


async def end_relay(turn: Turn) -> Outcome:
    """/endcoach or its button: the user's messages are the bot's again (the referral stays)."""
    session, user = turn.session, turn.user
    referral = await referrals.active_referral(session, user.id)
    if referral is None or not referral.relay_on:
        return Outcome().add(Reply(render("coach.no_relay", turn.lang), "coach.no_relay"))
    referral.relay_on = False
    partner = await get_partner(session, referral.partner_code)
    await _relay_news(
        turn,
        referral,
        partner,
        webhooks.RELAY_ENDED,
        {"at": turn.now.isoformat()},
        events.HANDOVER_RELAY_ENDED,
    )
    text = render("coach.relay_ended", turn.lang, to=_recipient(referral, partner))
    return Outcome().add(Reply(text, "coach.relay_ended"))


async def _own_open_referral(turn: Turn, raw_id: str) -> Referral | None:
    referral = await referrals.own_referral(turn.session, turn.user.id, raw_id)
    return referral if referral is not None and referral.state in referrals.ACTIVE else None


async def resume_relay(turn: Turn, raw_id: str) -> Outcome:
    """ "Reply to the coach": the user's messages go to the coach again."""
    referral = await _own_open_referral(turn, raw_id)
    if referral is None:
        return Outcome(notice=render("common.stale_button", turn.lang))
    referral.relay_on = True
    partner = await get_partner(turn.session, referral.partner_code)
    text = render("coach.relay_resumed", turn.lang, to=_recipient(referral, partner))
    return Outcome().add(Reply(text, "coach.relay_resumed"))


def timeout_reply(referral: Referral, partner: Partner | None, lang: str) -> Reply:
    """The honest update when no coach answered in time, with the choice to wait or switch."""
    text = render(
        "coach.timeout",
        lang,
        programme=partner.name if partner else referral.partner_code,
        delay=answer_delay(partner, lang) if partner else "",
    )
    buttons = (
        (
            Button(
                render_label("coach.wait_button", lang), Action(KEEP_WAITING, (str(referral.id),))
            ),
        ),
        (Button(render_label("coach.switch_button", lang), Action(SWITCH, (str(referral.id),))),),
    )
    return Reply(text, "coach.timeout", buttons=buttons)


async def _claim_overdue(session: AsyncSession, now: datetime) -> list[tuple[int, int, Reply]]:
    claimed: list[tuple[int, int, Reply]] = []
    for referral in await referrals.overdue(session, now):
        user = await session.get(User, referral.user_id)
        if user is None:
            continue
        # Marked before sending, in its own transaction: the update goes out at most once.
        referral.timeout_notified_at = now
        partner = await get_partner(session, referral.partner_code)
        await referrals.record_event(session, user, referral, events.HANDOVER_TIMED_OUT)
        claimed.append((user.id, user.chat_id, timeout_reply(referral, partner, user.language)))
    return claimed


async def check_timeouts(db: Database, messenger: Messenger, now: datetime | None = None) -> int:
    """Tell every user whose programme missed its promised answer time; returns how many."""
    now = now or utcnow()
    async with db.transaction() as session:
        claimed = await _claim_overdue(session, now)
    for user_id, chat_id, reply in claimed:
        try:
            await messenger.send(chat_id, reply)
        except Unreachable:
            async with db.transaction() as session:
                await mark_unreachable(session, user_id)
        except SendError as exc:
            log.warning("could not send the no-answer update to %s: %r", pseudonym(user_id), exc)
    return len(claimed)
