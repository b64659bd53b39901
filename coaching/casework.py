"""A coach's work on their programme's referrals, as the web console asks for it: the inbox, a
referral's page (shared facts, the consented conversation, notes), replies, state, outcome,
closing and the CSV export.

Every function takes the signed-in account and checks its scope itself: a coach sees and acts only
on referrals to their own programme whose user consented and has not withdrawn. Anything else —
another programme's referral, a withdrawn consent, an unknown id, an admin or operator asking —
raises `NotFound`, which the console answers 404, so a route cannot forget the check.
Transcript views and every change are written to the audit log in the same transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, Text, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import audit
from accounts.scope import NotFound
from accounts.service import AccountView
from coaching import consent as consents
from coaching import referrals, relay, satisfaction
from journey.conversation import NOT_WITH_THE_BOT, words_condition
from kernel.partners import Partner, get_partner
from messages.messenger import Messenger
from scoring.departements import get_departement
from storage.engine import Database
from storage.models import (
    CannedReply,
    CoachConsent,
    CoachProfile,
    ConversationEntry,
    PartnerProgramme,
    Referral,
    ReferralMessage,
    ReferralNote,
    SavedCareer,
    User,
    utcnow,
)

# What the inbox shows a referral as (from its stored state and its messages).
NEW = "new"
WAITING = "waiting"
TALKING = "talking"
CLOSED = "closed"
VIEW_STATES = (NEW, WAITING, TALKING, CLOSED)

PAGE_SIZE = 50
TRANSCRIPT_MAX = 500
NOTE_MAX = 5000
REPLY_MAX = relay.COACH_TEXT_MAX
SEARCH_MAX = 100


class CaseworkError(ValueError):
    """A coach's request that cannot be carried out as asked (empty reply, closed referral…);
    `code` names the reason for the console's message, nothing was changed."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


def _coach_programme(account: AccountView) -> str:
    if not account.is_coach or not account.programme_code or not account.active:
        raise NotFound("referrals")
    return account.programme_code


def _scoped(account: AccountView) -> Select[Referral, User, CoachConsent]:
    """Referrals the account may see, with their user and consent."""
    programme = _coach_programme(account)
    return (
        select(Referral, User, CoachConsent)
        .join(User, User.id == Referral.user_id)
        .join(CoachConsent, CoachConsent.id == Referral.consent_id)
        .where(Referral.partner_code == programme, CoachConsent.withdrawn_at.is_(None))
    )


async def _load(
    session: AsyncSession, account: AccountView, referral_id: int, *, lock: bool = False
) -> tuple[Referral, User, CoachConsent]:
    query = _scoped(account).where(Referral.id == referral_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Referral)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"referral {referral_id}")
    return row[0], row[1], row[2]


def _waiting_expr() -> Any:
    return and_(
        Referral.state.in_((referrals.ACCEPTED, referrals.IN_PROGRESS)),
        Referral.last_user_message_at.is_not(None),
        or_(
            Referral.last_coach_message_at.is_(None),
            Referral.last_user_message_at > Referral.last_coach_message_at,
        ),
    )


def _view_state_condition(state: str) -> Any:
    if state == NEW:
        return Referral.state == referrals.REQUESTED
    if state == CLOSED:
        return Referral.state == referrals.CLOSED
    if state == WAITING:
        return _waiting_expr()
    return and_(Referral.state.in_((referrals.ACCEPTED, referrals.IN_PROGRESS)), ~_waiting_expr())


def view_state(referral: Referral) -> str:
    """The inbox's name for where a referral stands."""
    if referral.state == referrals.CLOSED:
        return CLOSED
    if referral.state == referrals.REQUESTED:
        return NEW
    last_user, last_coach = referral.last_user_message_at, referral.last_coach_message_at
    if last_user is not None and (last_coach is None or last_user > last_coach):
        return WAITING
    return TALKING


@dataclass(frozen=True)
class InboxFilter:
    """What the coach narrows the inbox to; every field is optional."""

    state: str | None = None
    departement: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str = ""
    page: int = 1


@dataclass(frozen=True)
class InboxRow:
    """One referral in the inbox."""

    id: int
    first_name: str
    departement: str | None
    state: str
    outcome: str | None
    created_at: datetime
    waiting_since: datetime | None
    unread: bool
    overdue: bool
    career_titles: tuple[str, ...]


@dataclass(frozen=True)
class Inbox:
    """A page of the inbox, with the counts per state over the whole programme."""

    programme: str
    programme_name: str
    rows: list[InboxRow]
    counts: dict[str, int]
    unread: int
    overdue: int
    total: int
    page: int
    pages: int


def _career_codes_matching(catalogue: Any, words: str) -> list[str]:
    """ROME codes whose title (fr or en) contains the words, for searching saved careers."""
    if catalogue is None:
        return []
    needle = words.casefold()
    found = [
        rome
        for rome, career in catalogue.careers.items()
        if needle in career.title("fr").casefold() or needle in career.title("en").casefold()
    ]
    return found[:200]


def _search_condition(words: str, catalogue: Any) -> Any:
    """What the coach may search: first names and saved careers (by title or code) where the
    consent lists them, the conversation with the bot where it was shared (through its kept
    words, `journey.conversation.words_condition`), and the messages relayed on the referral.

    A first name is read per candidate (the programme's referrals, a few thousand at most) by
    primary key; the saved careers, words and relayed messages are each one
    uncorrelated `IN (subquery)` through their own index (careers by code; words and messages
    by trigram on PostgreSQL), run once and probed per candidate.
    """
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    codes = _career_codes_matching(catalogue, words)
    # Read per candidate by primary key (a join would read the whole users table).
    first_name = select(User.first_name).where(User.id == Referral.user_id).scalar_subquery()
    saved = select(SavedCareer.user_id).where(
        or_(SavedCareer.rome.in_(codes), SavedCareer.rome == words.upper())
    )
    relayed = select(ReferralMessage.referral_id).where(
        ReferralMessage.text.ilike(pattern, escape="\\")
    )
    sources = [
        and_(_consents_to(consents.FIRST_NAME), first_name.ilike(pattern, escape="\\")),
        and_(_consents_to(consents.SAVED_CAREERS), Referral.user_id.in_(saved)),
        Referral.id.in_(relayed),
    ]
    said_to_bot = words_condition(words)
    if said_to_bot is not None:
        sources.append(
            and_(CoachConsent.share_conversation.is_(True), Referral.user_id.in_(said_to_bot))
        )
    return or_(*sources)


def _consents_to(item: str) -> Any:
    """Whether the referral's consent lists `item` (its JSON list, read as text on both
    databases: item codes are quoted words, none inside another)."""
    return cast(CoachConsent.items, Text).like(f'%"{item}"%')


def _overdue(
    referral: Referral, waiting_since: datetime | None, partner: Partner | None, now: datetime
) -> bool:
    if referral.state == referrals.CLOSED:
        return False
    if referral.state == referrals.REQUESTED:
        return now > referral.promised_by
    if waiting_since is None or partner is None:
        return False
    return now - waiting_since > partner.answers_within


async def _waiting_since(session: AsyncSession, rows: list[Referral]) -> dict[int, datetime]:
    """For referrals waiting for the coach: the first user message after the coach's last."""
    waiting = {r.id: r for r in rows if view_state(r) == WAITING}
    result: dict[int, datetime] = {}
    if not waiting:
        return result
    found = await session.execute(
        select(ReferralMessage.referral_id, ReferralMessage.at).where(
            ReferralMessage.referral_id.in_(list(waiting)), ReferralMessage.sender == "user"
        )
    )
    for referral_id, at in found:
        last_coach = waiting[int(referral_id)].last_coach_message_at
        if last_coach is not None and at < last_coach:
            continue
        known = result.get(int(referral_id))
        result[int(referral_id)] = at if known is None else min(known, at)
    return result


async def inbox(
    session: AsyncSession,
    account: AccountView,
    filters: InboxFilter,
    *,
    catalogue: Any = None,
    now: datetime | None = None,
) -> Inbox:
    """The programme's consented referrals, filtered and paged, open ones and recent first."""
    now = now or utcnow()
    programme = _coach_programme(account)
    partner = await get_partner(session, programme)
    delay = partner.answers_within if partner else timedelta(days=2)
    base = _scoped(account)
    count_rows = await session.execute(
        select(
            func.count().filter(_view_state_condition(NEW)),
            func.count().filter(_view_state_condition(WAITING)),
            func.count().filter(_view_state_condition(TALKING)),
            func.count().filter(_view_state_condition(CLOSED)),
            func.count().filter(
                Referral.state != referrals.CLOSED,
                Referral.last_user_message_at.is_not(None),
                or_(
                    Referral.coach_seen_at.is_(None),
                    Referral.last_user_message_at > Referral.coach_seen_at,
                ),
            ),
            # Overdue: new referrals past their promised time, and waiting ones past the
            # programme's delay (measured from the last user message: a cheap lower bound that
            # needs no message scan). Counted in the same pass as the states.
            func.count().filter(Referral.state == referrals.REQUESTED, Referral.promised_by < now),
            func.count().filter(_waiting_expr(), Referral.last_user_message_at < now - delay),
        )
        .select_from(Referral)
        .join(CoachConsent, CoachConsent.id == Referral.consent_id)
        .where(Referral.partner_code == programme, CoachConsent.withdrawn_at.is_(None))
    )
    new, waiting, talking, closed, unread_messages, overdue_new, overdue_waiting = (
        count_rows.one()
    )
    counts = {NEW: new, WAITING: waiting, TALKING: talking, CLOSED: closed}
    # First the page's ids (referrals and consents only; users joined only when a filter needs
    # them), then the 50 rows in full: the whole programme is never joined to the users table.
    query = (
        select(Referral.id)
        .join(CoachConsent, CoachConsent.id == Referral.consent_id)
        .where(Referral.partner_code == programme, CoachConsent.withdrawn_at.is_(None))
    )
    words = filters.search.strip()[:SEARCH_MAX]
    if filters.departement:
        query = query.join(User, User.id == Referral.user_id)
    if filters.state in VIEW_STATES:
        query = query.where(_view_state_condition(filters.state))
    if filters.departement:
        query = query.where(User.departement == filters.departement)
    if filters.since is not None:
        query = query.where(Referral.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(Referral.created_at < filters.until)
    if words:
        query = query.where(_search_condition(words, catalogue))
    activity = func.coalesce(Referral.last_user_message_at, Referral.created_at)
    ordered = query.add_columns(func.count().over().label("total")).order_by(
        (Referral.state == referrals.CLOSED).asc(), activity.desc(), Referral.id.desc()
    )

    async def fetch(page: int) -> list[Any]:
        # The total comes with the page (one pass of a search, not two).
        result = await session.execute(ordered.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
        return list(result.all())

    page = max(1, filters.page)
    found_ids = await fetch(page)
    if not found_ids and page > 1:
        total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        page = max(1, -(-total // PAGE_SIZE))
        found_ids = await fetch(page)
    total = int(found_ids[0][1]) if found_ids else 0
    pages = max(1, -(-total // PAGE_SIZE))
    order = {int(row[0]): n for n, row in enumerate(found_ids)}
    loaded = (
        (await session.execute(base.where(Referral.id.in_(list(order))))).all() if order else []
    )
    rows = sorted(((row[0], row[1], row[2]) for row in loaded), key=lambda row: order[row[0].id])
    found = [row[0] for row in rows]
    since = await _waiting_since(session, found)
    careers = await _saved_codes(session, [row[1].id for row in rows])
    result: list[InboxRow] = []
    for referral, user, consent in rows:
        state = view_state(referral)
        waited = (
            referral.created_at
            if state == NEW
            else since.get(referral.id, referral.last_user_message_at)
        )
        items = set(consent.items)
        unread = (
            referral.last_user_message_at is not None
            and (
                referral.coach_seen_at is None
                or referral.last_user_message_at > referral.coach_seen_at
            )
        ) or (state == NEW and referral.coach_seen_at is None)
        result.append(
            InboxRow(
                id=referral.id,
                first_name=user.first_name if consents.FIRST_NAME in items else "",
                departement=user.departement if consents.DEPARTEMENT in items else None,
                state=state,
                outcome=referral.outcome,
                created_at=referral.created_at,
                waiting_since=waited if state in (NEW, WAITING) else None,
                unread=unread and state != CLOSED,
                overdue=_overdue(referral, waited, partner, now),
                career_titles=tuple(
                    consents.career_title(catalogue, rome, account.language)
                    for rome in careers.get(user.id, [])[:3]
                )
                if consents.SAVED_CAREERS in items
                else (),
            )
        )
    return Inbox(
        programme=programme,
        programme_name=partner.name if partner else programme,
        rows=result,
        counts=counts,
        unread=int(unread_messages or 0),
        overdue=int(overdue_new or 0) + int(overdue_waiting or 0),
        total=total,
        page=page,
        pages=pages,
    )


async def _saved_codes(session: AsyncSession, user_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    if not user_ids:
        return result
    rows = await session.execute(
        select(SavedCareer.user_id, SavedCareer.rome)
        .where(SavedCareer.user_id.in_(user_ids))
        .order_by(SavedCareer.saved_at.desc(), SavedCareer.id.desc())
    )
    for user_id, rome in rows:
        result.setdefault(int(user_id), []).append(rome)
    return result


# ----- one referral ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedCareer:
    """A saved career with the survey answers, as consented."""

    rome: str
    title: str
    interest: str | None
    ready_to_train: str | None


@dataclass(frozen=True)
class TranscriptLine:
    """One line of the consented conversation. `source` is `bot` (the conversation with the bot)
    or `relay` (between the user and this programme's coach); `kind` is `text`, `command`,
    `button` (a button press), `coach`, `user`, or what the log recorded."""

    source: str
    id: int
    at: datetime
    direction: str  # "in" (from the user) or "out" (to the user)
    kind: str
    text: str
    author: str | None = None
    delivered: bool = True


@dataclass(frozen=True)
class Note:
    """A private note."""

    id: int
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class Canned:
    """A canned reply of the programme."""

    id: int
    title: str
    text: str


@dataclass(frozen=True)
class ReferralPage:
    """Everything the referral page shows."""

    id: int
    programme: str
    programme_name: str
    state: str
    stored_state: str
    outcome: str | None
    closed_reason: str | None
    created_at: datetime
    promised_by: datetime
    closed_at: datetime | None
    coach_name: str | None
    relay_on: bool
    items: tuple[str, ...]
    first_name: str | None
    departement: str | None
    departement_name: str | None
    situation: str | None
    age_band: str | None
    career: str | None
    saved_careers: tuple[SharedCareer, ...]
    conversation_shared: bool
    transcript: list[TranscriptLine]
    notes: list[Note]
    canned: list[Canned]
    satisfaction_asked_at: datetime | None
    satisfaction_score: int | None
    satisfaction_comment: str | None
    unreachable: bool
    cursor: dict[str, int] = field(default_factory=dict)


def _cursor(lines: list[TranscriptLine], after: dict[str, int] | None = None) -> dict[str, int]:
    cursor = dict(after or {"bot": 0, "relay": 0})
    for line in lines:
        cursor[line.source] = max(cursor.get(line.source, 0), line.id)
    return cursor


async def _transcript(
    session: AsyncSession,
    referral: Referral,
    consent: CoachConsent,
    *,
    after: dict[str, int] | None = None,
    limit: int = TRANSCRIPT_MAX,
) -> list[TranscriptLine]:
    """The consented conversation with the bot (when shared) and this referral's relay messages,
    by time; the newest `limit` lines, or only those after the cursor."""
    lines: list[TranscriptLine] = []
    if consent.share_conversation:
        query = select(ConversationEntry).where(
            ConversationEntry.user_id == referral.user_id,
            ConversationEntry.kind.not_in(NOT_WITH_THE_BOT),
        )
        if after is not None:
            query = query.where(ConversationEntry.id > after.get("bot", 0))
        rows = await session.scalars(
            query.order_by(ConversationEntry.at.desc(), ConversationEntry.id.desc()).limit(limit)
        )
        lines += [TranscriptLine("bot", r.id, r.at, r.direction, r.kind, r.text) for r in rows]
    query_m = select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
    if after is not None:
        query_m = query_m.where(ReferralMessage.id > after.get("relay", 0))
    messages = await session.scalars(
        query_m.order_by(ReferralMessage.at.desc(), ReferralMessage.id.desc()).limit(limit)
    )
    lines += [
        TranscriptLine(
            "relay",
            m.id,
            m.at,
            "in" if m.sender == "user" else "out",
            "user" if m.sender == "user" else "coach",
            m.text,
            m.author,
            m.delivered or m.sender == "user",
        )
        for m in messages
    ]
    lines.sort(key=lambda line: (line.at, line.source == "relay", line.id))
    return lines[-limit:]


def _answer(mapping: dict[int, str], value: int | None) -> str | None:
    return mapping.get(value) if value is not None else None


async def _shared_careers(
    session: AsyncSession, user: User, items: set[str], catalogue: Any, lang: str
) -> tuple[SharedCareer, ...]:
    if consents.SAVED_CAREERS not in items:
        return ()
    careers = await consents.saved_careers(session, user.id, catalogue, lang)
    survey = consents.SURVEY in items
    return tuple(
        SharedCareer(
            c.rome,
            c.title,
            _answer(consents.INTEREST, c.interest) if survey else None,
            _answer(consents.READINESS, c.readiness) if survey else None,
        )
        for c in careers
    )


async def _notes(session: AsyncSession, referral_id: int) -> list[Note]:
    rows = await session.scalars(
        select(ReferralNote)
        .where(ReferralNote.referral_id == referral_id)
        .order_by(ReferralNote.at, ReferralNote.id)
    )
    return [Note(r.id, r.at, r.author, r.text) for r in rows]


async def file_canned_replies(session: AsyncSession, programme: str) -> list[Canned]:
    """The canned replies of the programme's definition (the operators' file, key
    `canned_replies: [{title, text}]`); not editable in the console (negative ids)."""
    found: list[Canned] = []
    row = await session.get(PartnerProgramme, programme)
    listed = (row.definition or {}).get("canned_replies") if row is not None else None
    for n, entry in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(entry, dict) and entry.get("title") and entry.get("text"):
            found.append(Canned(-1 - n, str(entry["title"])[:100], str(entry["text"])[:REPLY_MAX]))
    return found


async def canned_replies(session: AsyncSession, account: AccountView) -> list[Canned]:
    """The programme's canned replies, as the reply box offers them: those of its definition
    file, then those its coaches keep in the console, in their order."""
    programme = _coach_programme(account)
    rows = await session.scalars(
        select(CannedReply)
        .where(CannedReply.programme_code == programme)
        .order_by(CannedReply.position, CannedReply.id)
    )
    return await file_canned_replies(session, programme) + [
        Canned(r.id, r.title, r.text) for r in rows
    ]


async def open_referral(
    session: AsyncSession,
    account: AccountView,
    referral_id: int,
    *,
    catalogue: Any = None,
    now: datetime | None = None,
) -> ReferralPage:
    """A referral's page: what the user agreed to share, the consented conversation, notes and
    canned replies. Marks it read and writes the view to the audit log."""
    now = now or utcnow()
    referral, user, consent = await _load(session, account, referral_id)
    items = set(consent.items)
    partner = await get_partner(session, referral.partner_code)
    profile = await session.get(CoachProfile, user.id) if consents.SITUATION in items else None
    departement = (
        get_departement(user.departement)
        if consents.DEPARTEMENT in items and user.departement
        else None
    )
    transcript = await _transcript(session, referral, consent)
    referral.coach_seen_at = now
    await audit.record(
        session,
        account,
        audit.VIEW_TRANSCRIPT,
        referral_id=referral.id,
        programme_code=referral.partner_code,
        detail={"conversation_shared": consent.share_conversation, "lines": len(transcript)},
        now=now,
    )
    return ReferralPage(
        id=referral.id,
        programme=referral.partner_code,
        programme_name=partner.name if partner else referral.partner_code,
        state=view_state(referral),
        stored_state=referral.state,
        outcome=referral.outcome,
        closed_reason=referral.closed_reason,
        created_at=referral.created_at,
        promised_by=referral.promised_by,
        closed_at=referral.closed_at,
        coach_name=referral.coach_name,
        relay_on=referral.relay_on,
        items=tuple(consent.items),
        first_name=user.first_name if consents.FIRST_NAME in items else None,
        departement=user.departement if departement else None,
        departement_name=departement.name if departement else None,
        situation=profile.situation if profile else None,
        age_band=profile.age_band if profile else None,
        career=(
            consents.career_title(catalogue, referral.rome, account.language)
            if referral.rome and consents.CAREER in items
            else None
        ),
        saved_careers=await _shared_careers(session, user, items, catalogue, account.language),
        conversation_shared=consent.share_conversation,
        transcript=transcript,
        notes=await _notes(session, referral.id),
        canned=await canned_replies(session, account),
        satisfaction_asked_at=referral.satisfaction_asked_at,
        satisfaction_score=referral.satisfaction_score,
        satisfaction_comment=referral.satisfaction_comment,
        unreachable=user.unreachable,
        cursor=_cursor(transcript),
    )


@dataclass(frozen=True)
class NewLines:
    """Lines after a cursor (for the page's polling), the cursor to ask with next, and what
    may have changed meanwhile."""

    lines: list[TranscriptLine]
    cursor: dict[str, int]
    state: str
    outcome: str | None
    satisfaction_score: int | None
    satisfaction_comment: str | None


async def new_lines(
    session: AsyncSession,
    account: AccountView,
    referral_id: int,
    after: dict[str, int],
    *,
    now: datetime | None = None,
) -> NewLines:
    """What arrived since the page was drawn; the coach is reading, so it counts as read.
    (Not a transcript view of its own in the audit log: the page's opening was one.)"""
    referral, _user, consent = await _load(session, account, referral_id)
    lines = await _transcript(session, referral, consent, after=after)
    if any(line.direction == "in" for line in lines):
        referral.coach_seen_at = now or utcnow()
    return NewLines(
        lines,
        _cursor(lines, after),
        view_state(referral),
        referral.outcome,
        referral.satisfaction_score,
        referral.satisfaction_comment,
    )


# ----- changes --------------------------------------------------------------------------------


def _written(text: str, limit: int) -> str:
    """What a coach typed, without surrounding blanks; refused when empty or over `limit`."""
    text = text.strip()
    if not text:
        raise CaseworkError("empty")
    if len(text) > limit:
        raise CaseworkError("too_long")
    return text


async def add_note(
    session: AsyncSession,
    account: AccountView,
    referral_id: int,
    text: str,
    *,
    now: datetime | None = None,
) -> Note:
    """A private note on the referral."""
    now = now or utcnow()
    referral, _user, _consent = await _load(session, account, referral_id)
    text = _written(text, NOTE_MAX)
    note = ReferralNote(
        referral_id=referral.id,
        account_id=account.id,
        author=account.display_name,
        at=now,
        text=text,
    )
    session.add(note)
    await session.flush()
    await audit.record(
        session,
        account,
        audit.NOTE,
        referral_id=referral.id,
        programme_code=referral.partner_code,
        detail={"note": note.id},
        now=now,
    )
    return Note(note.id, note.at, note.author, note.text)


async def accept(
    session: AsyncSession, account: AccountView, referral_id: int, *, now: datetime | None = None
) -> None:
    """The coach takes a new referral."""
    now = now or utcnow()
    referral, _user, _consent = await _load(session, account, referral_id, lock=True)
    if referral.state == referrals.CLOSED:
        raise CaseworkError("closed")
    before = referral.state
    await referrals.accept(session, referral.id, account.display_name, now=now)
    await audit.record(
        session,
        account,
        audit.STATE,
        referral_id=referral.id,
        programme_code=referral.partner_code,
        detail={"from": before, "to": referral.state},
        now=now,
    )


async def set_outcome(
    session: AsyncSession,
    account: AccountView,
    referral_id: int,
    outcome: str,
    *,
    now: datetime | None = None,
) -> None:
    """Record or correct the outcome of a closed referral."""
    now = now or utcnow()
    referral, _user, _consent = await _load(session, account, referral_id, lock=True)
    if outcome not in referrals.OUTCOMES:
        raise CaseworkError("outcome")
    if referral.state != referrals.CLOSED:
        raise CaseworkError("not_closed")
    before = referral.outcome
    referral.outcome = outcome
    await audit.record(
        session,
        account,
        audit.OUTCOME,
        referral_id=referral.id,
        programme_code=referral.partner_code,
        detail={"from": before, "to": outcome},
        now=now,
    )


async def reply(
    db: Database,
    messenger: Messenger,
    account: AccountView,
    referral_id: int,
    text: str,
    *,
    now: datetime | None = None,
) -> relay.RelayResult:
    """Send the coach's reply to the user through the bot at once (the live relay).

    Refused before anything is stored: an empty or too long text, a closed referral, a user who
    erased their data or withdrew consent (NotFound). A user who blocked the bot is told apart
    (`unreachable`): the reply stays on the referral, marked not delivered.
    """
    now = now or utcnow()
    text = _written(text.replace("\r\n", "\n"), REPLY_MAX)
    async with db.transaction() as session:
        referral, user, _consent = await _load(session, account, referral_id)
        if referral.state == referrals.CLOSED:
            raise CaseworkError("closed")
        if user.unreachable:
            raise CaseworkError("unreachable")
    result = await relay.coach_reply(
        db, messenger, referral_id, account.display_name, text, now=now
    )
    async with db.transaction() as session:
        await audit.record(
            session,
            account,
            audit.REPLY,
            referral_id=referral_id,
            programme_code=account.programme_code,
            detail={
                "delivered": result.delivered,
                "reason": result.reason,
                "message": result.referral_message_id,
                "length": len(text),
            },
            now=now,
        )
    return result


async def close(
    db: Database,
    messenger: Messenger,
    account: AccountView,
    referral_id: int,
    outcome: str,
    *,
    now: datetime | None = None,
) -> bool:
    """Close the referral with its outcome; the user is asked the satisfaction question.
    Returns whether the question reached them."""
    now = now or utcnow()
    if outcome not in referrals.OUTCOMES:
        raise CaseworkError("outcome")
    async with db.transaction() as session:
        referral, _user, _consent = await _load(session, account, referral_id, lock=True)
        if referral.state == referrals.CLOSED:
            raise CaseworkError("closed")
        before = referral.state
        await audit.record(
            session,
            account,
            audit.CLOSE,
            referral_id=referral.id,
            programme_code=referral.partner_code,
            detail={"from": before, "outcome": outcome},
            now=now,
        )
    try:
        return await satisfaction.close_and_ask(db, messenger, referral_id, outcome, now=now)
    except referrals.ReferralError:
        raise CaseworkError("closed") from None


# ----- export ---------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "referral",
    "created_at",
    "state",
    "outcome",
    "accepted_at",
    "first_reply_at",
    "closed_at",
    "closed_reason",
    "departement",
    "satisfaction",
)


async def export_csv(
    session: AsyncSession, account: AccountView, *, now: datetime | None = None
) -> str:
    """The programme's consented referrals with states, outcomes and dates (no conversation),
    as CSV; the export is written to the audit log."""
    programme = _coach_programme(account)
    rows = await session.execute(_scoped(account).order_by(Referral.id))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)

    def iso(value: datetime | None) -> str:
        return value.isoformat() if value else ""

    count = 0
    for referral, user, consent in rows:
        count += 1
        writer.writerow(
            [
                referral.id,
                iso(referral.created_at),
                referral.state,
                referral.outcome or "",
                iso(referral.accepted_at),
                iso(referral.first_reply_at),
                iso(referral.closed_at),
                referral.closed_reason or "",
                (user.departement or "") if consents.DEPARTEMENT in consent.items else "",
                referral.satisfaction_score if referral.satisfaction_score is not None else "",
            ]
        )
    await audit.record(
        session, account, audit.EXPORT, programme_code=programme, detail={"rows": count}, now=now
    )
    return out.getvalue()
