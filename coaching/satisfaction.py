"""One satisfaction question after a programme closes a referral: a score from 1 to 5, then an
optional comment. Both are stored on the referral (the dashboard reads them), recorded as an event,
and sent to the programme while the user's consent stands."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coaching import referrals, webhooks
from journey.conversation import COMMENT, relabel_last_incoming
from journey.profiles import mark_unreachable
from kernel import events
from kernel.partners import Partner, get_partner
from kernel.turn import Turn
from kernel.validate import row_id, small_number
from messages import Action, Button, Outcome, Reply, render, render_label
from messages.messenger import Messenger, SendError, Unreachable
from messages.render import programme_texts
from storage.engine import Database
from storage.models import CoachConsent, ConversationEntry, Referral, User, utcnow

RATE = "cv"  # (referral id, score)
NO_COMMENT = "cc"  # (referral id,)
COMMENT_STEP = "coach:comment:"  # + referral id + ":" + last log id: the next text is the comment
SCORES = range(1, 6)
COMMENT_MAX = 2000
# A text long after the score is not a comment (the user moved on without pressing "No thanks").
COMMENT_WINDOW = timedelta(hours=1)


def question(referral: Referral, partner: Partner | None, lang: str) -> Reply:
    """The question, with one button per score."""
    text = render(
        "coach.satisfaction_question",
        lang,
        programme=partner.name if partner else referral.partner_code,
    )
    row = tuple(
        Button(
            render_label("coach.score_button", lang, score=score),
            Action(RATE, (str(referral.id), str(score))),
        )
        for score in SCORES
    )
    return Reply(text, "coach.satisfaction_question", buttons=(row,))


async def close_and_ask(
    db: Database,
    messenger: Messenger,
    referral_id: int,
    outcome: str,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> bool:
    """The programme closes a referral with its outcome (the console calls this); the user is
    then asked the satisfaction question. Returns whether the question reached them."""
    now = now or utcnow()
    async with db.transaction() as session:
        referral = await session.get(Referral, referral_id)
        if referral is None:
            raise referrals.ReferralError(f"no referral {referral_id}")
        await referrals.close(
            session, referral, outcome=outcome, reason=referrals.BY_COACH, now=now, note=note
        )
        user = await session.get(User, referral.user_id)
        if user is None:
            return False
        referral.satisfaction_asked_at = now
        partner = await get_partner(session, referral.partner_code)
        with programme_texts(referral.partner_code):  # asked in the programme's own words
            reply = question(referral, partner, user.language)
        chat_id, user_id = user.chat_id, user.id
    try:
        await messenger.send(chat_id, reply)
    except Unreachable:
        async with db.transaction() as session:
            await mark_unreachable(session, user_id)
        return False
    except SendError:
        return False
    return True


async def _own_asked_referral(turn: Turn, raw_id: str) -> Referral | None:
    referral = await referrals.own_referral(turn.session, turn.user.id, raw_id)
    return referral if referral is not None and referral.satisfaction_asked_at else None


async def _rated(turn: Turn, referral: Referral, **facts: Any) -> None:
    """The user's score (or comment) is in: the analytics record it, the programme is told."""
    await referrals.record_event(
        turn.session,
        turn.user,
        referral,
        events.HANDOVER_RATED,
        rome=referral.rome,
        score=referral.satisfaction_score,
        **facts,
    )
    await _tell_programme(turn.session, turn.user, referral, turn.now)


async def _tell_programme(
    session: AsyncSession, user: User, referral: Referral, now: datetime
) -> None:
    consent = await session.get(CoachConsent, referral.consent_id)
    if consent is None or consent.withdrawn_at is not None:
        return  # the user took their consent back: nothing more goes to the programme
    await referrals.notify_programme(
        session,
        await get_partner(session, referral.partner_code),
        referral,
        webhooks.SATISFACTION_ANSWERED,
        {
            "referral": {"id": referral.id, "outcome": referral.outcome},
            "score": referral.satisfaction_score,
            "comment": referral.satisfaction_comment,
        },
        user_id=user.id,
        now=now,
    )


async def rate(turn: Turn, raw_id: str, raw_score: str) -> Outcome:
    """A score button: store it and offer to add a comment."""
    referral = await _own_asked_referral(turn, raw_id)
    score = small_number(raw_score, SCORES)
    if referral is None or score is None:
        return Outcome(notice=render("common.stale_button", turn.lang))
    referral.satisfaction_score = score
    referral.satisfaction_at = turn.now
    # The comment is only the very next thing the user sends: remember where the log stood.
    last_in = await _last_incoming_id(turn.session, turn.user.id)
    turn.user.step = f"{COMMENT_STEP}{referral.id}:{last_in}"
    await _rated(turn, referral)
    buttons = (
        (
            Button(
                render_label("coach.no_comment_button", turn.lang),
                Action(NO_COMMENT, (str(referral.id),)),
            ),
        ),
    )
    partner = await get_partner(turn.session, referral.partner_code)
    text = render(
        "coach.satisfaction_ask_comment",
        turn.lang,
        score=score,
        programme=partner.name if partner else referral.partner_code,
    )
    return Outcome().add(Reply(text, "coach.satisfaction_ask_comment", buttons=buttons, edit=True))


async def _last_incoming_id(session: AsyncSession, user_id: int) -> int:
    last = await session.scalar(
        select(func.max(ConversationEntry.id)).where(
            ConversationEntry.user_id == user_id, ConversationEntry.direction == "in"
        )
    )
    return int(last or 0)


async def _answers_the_question(session: AsyncSession, user_id: int, since: int) -> bool:
    """Whether the text being handled is the first thing the user sent after the question (the
    runtime logs it before the flow runs): anything in between means they moved on."""
    sent_since = await session.scalar(
        select(func.count())
        .select_from(ConversationEntry)
        .where(
            ConversationEntry.user_id == user_id,
            ConversationEntry.direction == "in",
            ConversationEntry.id > since,
        )
    )
    return int(sent_since or 0) <= 1


async def comment_text(turn: Turn, text: str) -> Outcome | None:
    """The reply to "add a comment?" is the optional comment (a text route); any other message
    in between, or a text long after, ends the question: it is then handled as usual."""
    step = turn.user.step or ""
    if not step.startswith(COMMENT_STEP):
        return None
    turn.user.step = None
    raw_id, _, raw_since = step.removeprefix(COMMENT_STEP).partition(":")
    referral = await _own_asked_referral(turn, raw_id)
    rated_at = referral.satisfaction_at if referral is not None else None
    if referral is None or rated_at is None or turn.now - rated_at > COMMENT_WINDOW:
        return None  # the comment was not written then: this text is something else
    since = row_id(raw_since) or 0
    if not await _answers_the_question(turn.session, turn.user.id, since):
        return None
    await relabel_last_incoming(turn.session, turn.user.id, COMMENT)
    referral.satisfaction_comment = text.strip()[:COMMENT_MAX]
    await _rated(turn, referral, commented=True)
    partner = await get_partner(turn.session, referral.partner_code)
    return Outcome().add(_thanks(referral, partner, turn.lang))


async def no_comment(turn: Turn, raw_id: str) -> Outcome:
    """ "No thanks": the score alone is kept."""
    referral = await _own_asked_referral(turn, raw_id)
    if referral is None:
        return Outcome(notice=render("common.stale_button", turn.lang))
    if (turn.user.step or "").startswith(COMMENT_STEP):
        turn.user.step = None
    partner = await get_partner(turn.session, referral.partner_code)
    reply = _thanks(referral, partner, turn.lang)
    return Outcome().add(Reply(reply.text, reply.key, edit=True))


def _thanks(referral: Referral, partner: Partner | None, lang: str) -> Reply:
    text = render(
        "coach.satisfaction_thanks",
        lang,
        programme=partner.name if partner else referral.partner_code,
    )
    return Reply(text, "coach.satisfaction_thanks")
