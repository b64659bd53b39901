"""Console accounts (admins, operators, coaches), their sign-in attempts, the audit log, and the
coaches' working rows on referrals (private notes, canned replies).

An account's `role` is `admin` (accounts, programmes), `operator` (templates, dashboard) or
`coach` (of exactly one partner programme, `programme_code`). Accounts are never deleted, only
disabled, so the audit log always names who did what.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class Account(Base):
    """Someone who signs in to the web console."""

    __tablename__ = "accounts"
    __table_args__ = (Index("ix_accounts_programme_active", "programme_code", "active"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Stored lower-case: the address is the sign-in name and must be unique whatever its case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    programme_code: Mapped[str | None] = mapped_column(String(64), default=None)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    # Raised when the password is reset or the account disabled: older sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(Base):
    """One sign-in attempt; recent failures per address and per account throttle new ones."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Who did what, when, on which referral: every transcript view and every change.

    `referral_id` is a plain column, not a foreign key: the trace must outlive an erased user's
    rows. `detail` never holds conversation text, only what changed (a state, an outcome).
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_account_at", "account_id", "at"),
        Index("ix_audit_log_referral_at", "referral_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    account_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(48))
    referral_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    programme_code: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReferralNote(Base):
    """A coach's private note on a referral (never shown to the user nor sent anywhere)."""

    __tablename__ = "referral_notes"
    __table_args__ = (Index("ix_referral_notes_referral_at", "referral_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    referral_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("referrals.id", ondelete="CASCADE")
    )
    account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    author: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")


class CannedReply(Base):
    """A ready-made reply a programme's coaches can insert in the reply box."""

    __tablename__ = "canned_replies"
    __table_args__ = (Index("ix_canned_replies_programme", "programme_code", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    programme_code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ConsoleSecret(Base):
    """A secret every console process shares (the session-signing key), made on first start."""

    __tablename__ = "console_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
