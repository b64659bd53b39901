"""Accounts: create, list, disable, reset a password, sign in (throttled), and answer whether a
programme has someone to read its referrals.

Every function takes the caller's `AsyncSession` and returns plain dataclasses; the `tremplin users`
command, the console and the playground all go through here.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.passwords import (
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from storage.models import Account, LoginAttempt, PartnerProgramme, utcnow

ADMIN = "admin"
OPERATOR = "operator"
COACH = "coach"
ROLES = (ADMIN, OPERATOR, COACH)
LANGUAGES = ("fr", "en")

# Sign-in throttling: this many failures within the window locks an account (or an address)
# until the oldest of them leaves the window. An address gets more room: an office may share one.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20

_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


class AccountError(ValueError):
    """An account cannot be created or changed this way; the message says why."""


@dataclass(frozen=True)
class AccountView:
    """A console account as services see it: who is acting, with which role and scope."""

    id: int
    email: str
    role: str
    programme_code: str | None
    display_name: str
    language: str
    time_zone: str
    active: bool
    session_version: int
    created_at: datetime
    last_login_at: datetime | None

    @property
    def is_admin(self) -> bool:
        """Admins manage accounts and programmes and read the audit log."""
        return self.role == ADMIN

    @property
    def is_coach(self) -> bool:
        """Coaches see their own programme's consented referrals, nothing else."""
        return self.role == COACH

    @property
    def zone(self) -> ZoneInfo:
        """The account's time zone (Paris when the stored name is unknown)."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("Europe/Paris")


def view(account: Account) -> AccountView:
    """The plain view of an account row."""
    return AccountView(
        id=account.id,
        email=account.email,
        role=account.role,
        programme_code=account.programme_code,
        display_name=account.display_name,
        language=account.language,
        time_zone=account.time_zone,
        active=account.active,
        session_version=account.session_version,
        created_at=account.created_at,
        last_login_at=account.last_login_at,
    )


def normalise_email(raw: str) -> str:
    """The address as stored (trimmed, lower-case); AccountError when it is not an address."""
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"{raw.strip()!r} is not an e-mail address")
    return email


def _check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountError(f"{name!r} is not a time zone such as Europe/Paris") from None
    return name


async def _get_by_email(session: AsyncSession, email: str) -> Account | None:
    row: Account | None = await session.scalar(select(Account).where(Account.email == email))
    return row


async def create_account(
    session: AsyncSession,
    email: str,
    role: str,
    password: str,
    *,
    programme_code: str | None = None,
    display_name: str = "",
    language: str = "fr",
    time_zone: str = "Europe/Paris",
    now: datetime | None = None,
) -> AccountView:
    """A new active account. A coach belongs to exactly one existing programme; admins and
    operators to none."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == COACH:
        if not programme_code:
            raise AccountError("a coach account needs --programme CODE")
        if await session.get(PartnerProgramme, programme_code) is None:
            raise AccountError(f"no programme {programme_code!r}")
    elif programme_code:
        raise AccountError("only coach accounts belong to a programme")
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}; expected fr or en")
    check_new_password(password)
    if await _get_by_email(session, email) is not None:
        raise AccountError(f"an account {email} already exists")
    account = Account(
        email=email,
        role=role,
        programme_code=programme_code if role == COACH else None,
        display_name=(display_name.strip() or email.split("@")[0])[:100],
        password_hash=await asyncio.to_thread(hash_password, password),
        active=True,
        language=language,
        time_zone=_check_time_zone(time_zone),
        session_version=1,
        created_at=now or utcnow(),
    )
    session.add(account)
    await session.flush()
    return view(account)


async def list_accounts(session: AsyncSession) -> list[AccountView]:
    """Every account, disabled ones included, by role then address."""
    rows = await session.scalars(select(Account).order_by(Account.role, Account.email))
    return [view(row) for row in rows]


async def get_account(session: AsyncSession, account_id: int) -> AccountView | None:
    """An account by id (disabled ones included)."""
    row = await session.get(Account, account_id)
    return view(row) if row is not None else None


async def _require(session: AsyncSession, email: str) -> Account:
    account = await _get_by_email(session, normalise_email(email))
    if account is None:
        raise AccountError(f"no account {email.strip()}")
    return account


async def disable_account(session: AsyncSession, email: str) -> AccountView:
    """Disable an account: it can no longer sign in and its open sessions end."""
    account = await _require(session, email)
    account.active = False
    account.session_version += 1
    return view(account)


async def enable_account(session: AsyncSession, email: str) -> AccountView:
    """Let a disabled account sign in again."""
    account = await _require(session, email)
    account.active = True
    return view(account)


async def reset_password(session: AsyncSession, email: str, password: str) -> AccountView:
    """Set a new password; every open session of the account ends."""
    account = await _require(session, email)
    check_new_password(password)
    account.password_hash = await asyncio.to_thread(hash_password, password)
    account.session_version += 1
    return view(account)


async def programme_has_active_coach(session: AsyncSession, programme_code: str) -> bool:
    """Whether at least one active coach account can read the programme's referrals."""
    found = await session.scalar(
        select(Account.id)
        .where(
            Account.programme_code == programme_code,
            Account.role == COACH,
            Account.active.is_(True),
        )
        .limit(1)
    )
    return found is not None


async def programmes_with_active_coach(session: AsyncSession) -> set[str]:
    """The codes of every programme with at least one active coach account."""
    rows = await session.scalars(
        select(Account.programme_code)
        .where(Account.role == COACH, Account.active.is_(True))
        .distinct()
    )
    return {code for code in rows if code}


# ----- signing in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    """`account` when the sign-in succeeded; otherwise `reason` is `wrong` (address or password,
    never saying which) or `throttled`, with `retry_after` for the latter."""

    account: AccountView | None
    reason: str | None = None
    retry_after: timedelta | None = None


async def _recent_failures(
    session: AsyncSession, column: object, value: str, since: datetime
) -> tuple[int, datetime | None]:
    count, oldest = (
        await session.execute(
            select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
                column == value,  # type: ignore[arg-type]
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.at > since,
            )
        )
    ).one()
    return int(count or 0), oldest


async def throttled_for(
    session: AsyncSession, email: str, address: str, *, now: datetime
) -> timedelta | None:
    """How long sign-ins for this address or account must wait, or None."""
    since = now - THROTTLE_WINDOW
    waits: list[timedelta] = []
    for column, value, limit in (
        (LoginAttempt.email, email, MAX_FAILURES_PER_ACCOUNT),
        (LoginAttempt.address, address, MAX_FAILURES_PER_ADDRESS),
    ):
        count, oldest = await _recent_failures(session, column, value, since)
        if count >= limit and oldest is not None:
            waits.append(max(oldest + THROTTLE_WINDOW - now, timedelta(seconds=1)))
    return max(waits) if waits else None


async def sign_in(
    session: AsyncSession,
    email: str,
    password: str,
    address: str,
    *,
    now: datetime | None = None,
) -> SignInResult:
    """Check an address and password, throttled per account and per client address; every
    attempt is recorded (the address as typed, even when no such account exists)."""
    now = now or utcnow()
    email = email.strip().lower()[:254]
    address = address[:64]
    wait = await throttled_for(session, email, address, now=now)
    if wait is not None:
        return SignInResult(None, "throttled", wait)
    account = await _get_by_email(session, email)
    ok = await asyncio.to_thread(
        verify_password, account.password_hash if account is not None else None, password
    )
    ok = ok and account is not None and account.active
    session.add(LoginAttempt(at=now, email=email, address=address, succeeded=ok))
    if not ok or account is None:
        return SignInResult(None, "wrong")
    account.last_login_at = now
    if needs_rehash(account.password_hash):
        account.password_hash = await asyncio.to_thread(hash_password, password)
    await session.flush()
    return SignInResult(view(account))


async def current_account(
    session: AsyncSession, account_id: int, session_version: int
) -> AccountView | None:
    """The account behind a console session, if it is still active and the session still valid
    (a password reset or a disabling ends older sessions)."""
    account = await session.get(Account, account_id)
    if account is None or not account.active or account.session_version != session_version:
        return None
    return view(account)
