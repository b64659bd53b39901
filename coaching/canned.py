"""The canned replies a programme keeps, edited in the console by its coaches and by admins.

The reply box offers them (`casework.canned_replies`), after those of the programme's definition
file. A coach edits only their own programme's; an admin any programme's; anyone else, or another
programme's reply, is `NotFound` (the console answers 404). Every change is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import audit
from accounts.scope import NotFound
from accounts.service import AccountView
from coaching.casework import REPLY_MAX, Canned, CaseworkError, file_canned_replies
from kernel.partners import Partner, get_partner, list_partners
from storage.models import CannedReply, utcnow

TITLE_MAX = 100
TEXT_MAX = REPLY_MAX  # a canned reply is sent as a reply: the same limit


@dataclass(frozen=True)
class CannedList:
    """A programme's stored canned replies, and the programmes the account may edit."""

    programme: str
    programme_name: str
    replies: list[Canned]
    programmes: list[Partner]
    from_file: list[Canned]  # the programme definition's own, offered first, not edited here


async def _programme(session: AsyncSession, account: AccountView, asked: str | None) -> Partner:
    """The programme whose replies the account edits: a coach's own (whatever is asked), or for
    an admin the one asked (else the first)."""
    if not account.active:
        raise NotFound("canned replies")
    if account.is_coach and account.programme_code:
        if asked and asked != account.programme_code:
            raise NotFound(f"canned replies of {asked}")
        partner = await get_partner(session, account.programme_code)
    elif account.is_admin:
        partner = (
            await get_partner(session, asked)
            if asked
            else next(iter(await list_partners(session)), None)
        )
    else:
        partner = None
    if partner is None:
        raise NotFound(f"canned replies of {asked}")
    return partner


async def _own_row(session: AsyncSession, account: AccountView, reply_id: int) -> CannedReply:
    row = await session.get(CannedReply, reply_id)
    if row is None:
        raise NotFound(f"canned reply {reply_id}")
    await _programme(session, account, row.programme_code)
    return row


def _checked(title: str, text: str) -> tuple[str, str]:
    title, text = " ".join(title.split()), text.replace("\r\n", "\n").strip()
    if not title or not text:
        raise CaseworkError("canned_empty")
    if len(title) > TITLE_MAX:
        raise CaseworkError("canned_title_too_long")
    if len(text) > TEXT_MAX:
        raise CaseworkError("canned_too_long")
    return title, text


async def replies(
    session: AsyncSession, account: AccountView, programme: str | None = None
) -> CannedList:
    """The stored canned replies of the programme, in their order."""
    partner = await _programme(session, account, programme)
    rows = await session.scalars(
        select(CannedReply)
        .where(CannedReply.programme_code == partner.code)
        .order_by(CannedReply.position, CannedReply.id)
    )
    programmes = await list_partners(session) if account.is_admin else [partner]
    return CannedList(
        partner.code,
        partner.name,
        [Canned(r.id, r.title, r.text) for r in rows],
        programmes,
        await file_canned_replies(session, partner.code),
    )


async def add(
    session: AsyncSession,
    account: AccountView,
    title: str,
    text: str,
    *,
    programme: str | None = None,
    now: datetime | None = None,
) -> Canned:
    """A new canned reply, last in the programme's list."""
    partner = await _programme(session, account, programme)
    title, text = _checked(title, text)
    last = await session.scalar(
        select(func.max(CannedReply.position)).where(CannedReply.programme_code == partner.code)
    )
    row = CannedReply(
        programme_code=partner.code, title=title, text=text, position=int(last or 0) + 1
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        account,
        audit.CANNED_ADDED,
        programme_code=partner.code,
        detail={"canned": row.id, "title": title},
        now=now or utcnow(),
    )
    return Canned(row.id, row.title, row.text)


async def change(
    session: AsyncSession,
    account: AccountView,
    reply_id: int,
    title: str,
    text: str,
    *,
    now: datetime | None = None,
) -> Canned:
    """Edit a canned reply's title and text."""
    row = await _own_row(session, account, reply_id)
    title, text = _checked(title, text)
    before = row.title
    row.title, row.text = title, text
    await audit.record(
        session,
        account,
        audit.CANNED_CHANGED,
        programme_code=row.programme_code,
        detail={"canned": row.id, "title": title, "was": before},
        now=now or utcnow(),
    )
    return Canned(row.id, row.title, row.text)


async def remove(
    session: AsyncSession, account: AccountView, reply_id: int, *, now: datetime | None = None
) -> str:
    """Delete a canned reply; returns its programme."""
    row = await _own_row(session, account, reply_id)
    programme = row.programme_code
    await audit.record(
        session,
        account,
        audit.CANNED_REMOVED,
        programme_code=programme,
        detail={"canned": row.id, "title": row.title},
        now=now or utcnow(),
    )
    await session.delete(row)
    return programme
