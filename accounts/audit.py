"""The audit log: every transcript view and every change a console account makes, with who, what,
when and which referral. Admins read and filter it; nobody edits it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.scope import NotFound
from accounts.service import AccountView
from storage.models import AuditEntry, utcnow

# What can be written, so filters can offer a closed list.
VIEW_TRANSCRIPT = "view_transcript"
REPLY = "reply"
NOTE = "note"
STATE = "state"
OUTCOME = "outcome"
CLOSE = "close"
EXPORT = "export"
SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
ACCOUNT_CREATED = "account_created"
ACCOUNT_DISABLED = "account_disabled"
ACCOUNT_ENABLED = "account_enabled"
PASSWORD_RESET = "password_reset"
TEXT_DRAFT = "text_draft"
TEXT_PUBLISHED = "text_published"
TEXT_ROLLED_BACK = "text_rolled_back"
TEXTS_EXPORTED = "texts_exported"
TEXTS_IMPORTED = "texts_imported"
CANNED_ADDED = "canned_added"
CANNED_CHANGED = "canned_changed"
CANNED_REMOVED = "canned_removed"
PROGRAMME_CREATED = "programme_created"
PROGRAMME_CHANGED = "programme_changed"
ACTIONS = (
    VIEW_TRANSCRIPT,
    REPLY,
    NOTE,
    STATE,
    OUTCOME,
    CLOSE,
    EXPORT,
    SIGN_IN,
    SIGN_OUT,
    ACCOUNT_CREATED,
    ACCOUNT_DISABLED,
    ACCOUNT_ENABLED,
    PASSWORD_RESET,
    TEXT_DRAFT,
    TEXT_PUBLISHED,
    TEXT_ROLLED_BACK,
    TEXTS_EXPORTED,
    TEXTS_IMPORTED,
    CANNED_ADDED,
    CANNED_CHANGED,
    CANNED_REMOVED,
    PROGRAMME_CREATED,
    PROGRAMME_CHANGED,
)


async def record(
    session: AsyncSession,
    account: AccountView | None,
    action: str,
    *,
    referral_id: int | None = None,
    programme_code: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Write one entry in the caller's transaction (so a change and its trace commit together).
    `account` None is the command line."""
    session.add(
        AuditEntry(
            at=now or utcnow(),
            account_id=account.id if account is not None else None,
            account_email=account.email if account is not None else "(command line)",
            action=action,
            referral_id=referral_id,
            programme_code=programme_code
            or (account.programme_code if account is not None else None),
            detail=dict(detail or {}),
        )
    )
    await session.flush()


@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the log to; every field is optional."""

    account_email: str | None = None
    action: str | None = None
    referral_id: int | None = None
    programme_code: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditLine:
    """One entry as the log page shows it."""

    id: int
    at: datetime
    account_email: str
    action: str
    referral_id: int | None
    programme_code: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first, with the total matching the filter."""

    lines: list[AuditLine]
    total: int


async def read_log(
    session: AsyncSession,
    reader: AccountView,
    filters: AuditFilter,
    *,
    limit: int = 100,
    offset: int = 0,
) -> AuditPage:
    """The filtered log, newest first; only admins read it (anyone else: NotFound)."""
    if not reader.is_admin:
        raise NotFound("audit log")
    conditions: list[Any] = []
    if filters.account_email:
        conditions.append(AuditEntry.account_email == filters.account_email.strip().lower())
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.referral_id is not None:
        conditions.append(AuditEntry.referral_id == filters.referral_id)
    if filters.programme_code:
        conditions.append(AuditEntry.programme_code == filters.programme_code)
    if filters.since is not None:
        conditions.append(AuditEntry.at >= filters.since)
    if filters.until is not None:
        conditions.append(AuditEntry.at < filters.until)
    total = await session.scalar(select(func.count(AuditEntry.id)).where(*conditions))
    rows = await session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(max(1, min(limit, 500)))
        .offset(max(0, offset))
    )
    return AuditPage(
        [
            AuditLine(
                r.id, r.at, r.account_email, r.action, r.referral_id, r.programme_code, r.detail
            )
            for r in rows
        ],
        int(total or 0),
    )
