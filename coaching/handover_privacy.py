"""The hand-over's part of the user's privacy rights: in /privacy the consents in force, each
with a withdraw button; withdrawing; and what /delete does to hand-overs (wired by the
composition root)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from coaching import consent as consents
from coaching import referrals
from kernel.partners import get_partner, list_partners
from kernel.turn import Turn
from kernel.validate import row_id
from messages import Action, Button, Outcome, Reply, render, render_label
from messages.formats import long_date
from storage.models import User, utcnow

WITHDRAW = "cw"  # (consent id,)


async def withdraw(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """/privacy's withdraw button: stop sharing and tell the programme."""
    consent = None
    ident = row_id(args[0]) if args else None
    if ident is not None:
        consent = await referrals.withdraw_consent(turn.session, turn.user, ident, now=turn.now)
    if consent is None:
        return Outcome(notice=render("common.stale_button", turn.lang))
    partner = await get_partner(turn.session, consent.partner_code)
    text = render(
        "coach.withdrawn",
        turn.lang,
        programme=partner.name if partner else consent.partner_code,
    )
    return Outcome().add(Reply(text, "coach.withdrawn"))


async def privacy_replies(turn: Turn) -> list[Reply]:
    """In /privacy: the consents in force, each with a withdraw button."""
    given = await consents.consents_of(turn.session, turn.user.id)
    if not given:
        return []
    lang = turn.lang
    names = {p.code: p.name for p in await list_partners(turn.session)}
    active = [c for c in given if c.withdrawn_at is None]
    text = render(
        "coach.privacy_consents",
        lang,
        consents=[
            {
                "programme": names.get(c.partner_code, c.partner_code),
                "date": long_date(c.given_at, lang),
                "conversation": c.share_conversation,
            }
            for c in active
        ],
    )
    rows = tuple(
        (
            Button(
                render_label(
                    "coach.withdraw_button",
                    lang,
                    programme=names.get(c.partner_code, c.partner_code),
                ),
                Action(WITHDRAW, (str(c.id),)),
            ),
        )
        for c in active
    )
    return [Reply(text, "coach.privacy_consents", rows)]


async def on_delete(session: AsyncSession, user: User, reason: str) -> None:
    """/delete: forget the user's hand-overs (and tell the programmes); /stop leaves them."""
    # /stop is about automated follow-ups and leaves a human coach in place; /delete erases.
    if reason == "deleted":
        await referrals.forget_user(session, user, now=utcnow())
