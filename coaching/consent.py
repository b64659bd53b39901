"""Consent to share data with a partner programme: what exactly is shared, recording the yes with
its time, and assembling the shared data (and only it) when a referral is made.

Nothing about a user leaves Tremplin before a `CoachConsent` row exists for that programme; a
withdrawn consent (`withdrawn_at`) stops any further sharing (see `referrals.withdraw_consent`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journey import saved_careers as saved_store
from journey.conversation import COACH, COMMENT, RELAYED, LogLine, transcript
from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from storage.models import CoachConsent, CoachProfile, User

# What a programme may receive, in the order the user reads it.
FIRST_NAME = "first_name"
DEPARTEMENT = "departement"
SITUATION = "situation"
CAREER = "career"
SAVED_CAREERS = "saved_careers"
SURVEY = "survey"
CONVERSATION = "conversation"

INTEREST = {0: "not_really", 1: "a_little", 2: "a_lot"}
READINESS = {0: "no", 1: "maybe", 2: "yes"}
CONVERSATION_MAX_LINES = 500
# Buttons that belong to an exchange with a programme (relay, waiting, switching, rating it).
_PROGRAMME_ACTIONS = frozenset({"ce", "cr", "ck", "cx", "cv", "cc"})


def with_the_bot(line: LogLine) -> bool:
    """Whether a log line is part of the user's conversation with the bot itself — not a message
    to or from a programme's coach, a comment for a programme, or the bot's notes about those."""
    if line.kind in (RELAYED, COMMENT, COACH):
        return False
    if line.direction == "out":
        return not (line.template_key or "").startswith("coach.")
    action = (line.callback_data or "").split("|")
    return not (len(action) > 1 and action[1] in _PROGRAMME_ACTIONS)


def items_for(*, rome: str | None, share_conversation: bool) -> list[str]:
    """The items a programme receives for this hand-over."""
    items = [FIRST_NAME, DEPARTEMENT, SITUATION]
    if rome:
        items.append(CAREER)
    items += [SAVED_CAREERS, SURVEY]
    if share_conversation:
        items.append(CONVERSATION)
    return items


async def give(
    session: AsyncSession,
    user: User,
    partner_code: str,
    items: list[str],
    *,
    now: datetime,
) -> CoachConsent:
    """Record the user's yes, with its time and the exact items it covers."""
    consent = CoachConsent(
        user_id=user.id,
        partner_code=partner_code,
        items=list(items),
        share_conversation=CONVERSATION in items,
        given_at=now,
    )
    session.add(consent)
    await session.flush()
    return consent


async def consents_of(session: AsyncSession, user_id: int) -> list[CoachConsent]:
    """Every consent a user gave, oldest first (withdrawn ones included)."""
    rows = await session.scalars(
        select(CoachConsent)
        .where(CoachConsent.user_id == user_id)
        .order_by(CoachConsent.given_at, CoachConsent.id)
    )
    return list(rows)


async def active_consents(session: AsyncSession, user_id: int) -> list[CoachConsent]:
    """The consents a user has not withdrawn."""
    return [c for c in await consents_of(session, user_id) if c.withdrawn_at is None]


@dataclass(frozen=True)
class SavedCareerView:
    """A saved career with its survey answers, as shown to the user and sent to a programme."""

    rome: str
    title: str
    interest: int | None
    readiness: int | None


def career_title(catalogue: Catalogue | None, rome: str, lang: str) -> str:
    """A career's title, or its ROME code when the catalogue does not know it."""
    career = catalogue.get(rome) if catalogue is not None else None
    return str(career.title(lang)) if career is not None else rome


async def saved_careers(
    session: AsyncSession, user_id: int, catalogue: Catalogue | None, lang: str
) -> list[SavedCareerView]:
    """The user's saved careers, oldest first."""
    rows = await saved_store.of_user(session, user_id)
    return [
        SavedCareerView(r.rome, career_title(catalogue, r.rome, lang), r.interest, r.readiness)
        for r in rows
    ]


async def shared_data(
    session: AsyncSession,
    user: User,
    consent: CoachConsent,
    *,
    rome: str | None,
    catalogue: Catalogue | None,
) -> dict[str, Any]:
    """Exactly the consented items about a user, for the programme (never their Telegram id)."""
    items = set(consent.items)
    data: dict[str, Any] = {"language": user.language}
    if FIRST_NAME in items:
        data["first_name"] = user.first_name
    if DEPARTEMENT in items and user.departement:
        departement = get_departement(user.departement)
        data["departement"] = {
            "code": user.departement,
            "name": departement.name if departement else None,
            "region": departement.region_name if departement else None,
        }
    if SITUATION in items:
        profile = await session.get(CoachProfile, user.id)
        data["situation"] = profile.situation if profile else None
        data["age_band"] = profile.age_band if profile else None
    if CAREER in items and rome:
        data["career"] = {"rome": rome, "title": career_title(catalogue, rome, "fr")}
    careers = await saved_careers(session, user.id, catalogue, "fr")
    if SAVED_CAREERS in items:
        data["saved_careers"] = [{"rome": c.rome, "title": c.title} for c in careers]
    if SURVEY in items:
        data["survey"] = [
            {
                "rome": c.rome,
                "interest": INTEREST.get(c.interest) if c.interest is not None else None,
                "ready_to_train": READINESS.get(c.readiness) if c.readiness is not None else None,
            }
            for c in careers
            if c.interest is not None or c.readiness is not None
        ]
    if CONVERSATION in items:
        # Only what the user and the bot said to each other: another programme's exchange with
        # the user is not this programme's to read.
        lines = [
            line
            for line in await transcript(session, user.id, limit=100_000)
            if with_the_bot(line)
        ]
        data["conversation"] = [
            {
                "at": line.at.isoformat(),
                "from": "user" if line.direction == "in" else "bot",
                "text": line.text,
            }
            for line in lines[-CONVERSATION_MAX_LINES:]
        ]
    return data
