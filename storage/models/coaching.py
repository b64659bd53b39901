"""Hand-over to partner coaching programmes: programmes, consents, referrals and their messages,
the answers to the eligibility questions, and the outbox of signed webhooks to partners.

A referral's states are `requested` → `accepted` → `in_progress` → `closed` (with an outcome).
A webhook delivery's states are `pending` (waiting for its next attempt), `delivered`, `failed`
(gave up after a day) and `cancelled` (consent withdrawn or the programme's webhook removed before
it left).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class PartnerProgramme(Base):
    """A partner coaching programme, imported from the operators' YAML file or edited in the
    console. `definition` holds the descriptive fields, eligibility and white label as JSON."""

    __tablename__ = "partner_programmes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500), default=None)
    # `env:NAME`, or the secret encrypted (`fernet:…`, kernel.secret_box).
    webhook_secret: Mapped[str | None] = mapped_column(String(1000), default=None)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # "file": follows the YAML file at each start; "console": edited by an operator, kept as is.
    source: Mapped[str] = mapped_column(String(16), default="file")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CoachProfile(Base):
    """The user's answers to the eligibility questions, reused the next time they ask."""

    __tablename__ = "coach_profiles"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    situation: Mapped[str | None] = mapped_column(String(16), default=None)
    age_band: Mapped[str | None] = mapped_column(String(8), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CoachConsent(Base):
    """The user's consent to share listed data with one programme, with when it was given and
    (if so) withdrawn. `items` is the exact list shown to the user when they said yes."""

    __tablename__ = "coach_consents"
    __table_args__ = (Index("ix_coach_consents_user", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    partner_code: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    share_conversation: Mapped[bool] = mapped_column(Boolean, default=False)
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)


class Referral(Base):
    """A user handed over to a programme."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_user_state", "user_id", "state"),
        Index("ix_referrals_state_promised", "state", "promised_by"),
        Index("ix_referrals_partner_state", "partner_code", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    partner_code: Mapped[str] = mapped_column(String(64))
    consent_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("coach_consents.id", ondelete="CASCADE")
    )
    rome: Mapped[str | None] = mapped_column(String(8), default=None)
    state: Mapped[str] = mapped_column(String(16), default="requested")
    outcome: Mapped[str | None] = mapped_column(String(24), default=None)
    # Why it closed: "coach", "consent_withdrawn", "switched".
    closed_reason: Mapped[str | None] = mapped_column(String(24), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    coach_name: Mapped[str | None] = mapped_column(String(100), default=None)
    # Whether the user's free text goes to the coach (until /endcoach).
    relay_on: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    first_reply_at: Mapped[datetime | None] = mapped_column(default=None)
    promised_by: Mapped[datetime] = mapped_column(default=utcnow)
    timeout_notified_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    satisfaction_asked_at: Mapped[datetime | None] = mapped_column(default=None)
    satisfaction_score: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text, default=None)
    satisfaction_at: Mapped[datetime | None] = mapped_column(default=None)
    # Kept up to date by `referrals.add_message` so the console's inbox needs no scan of the
    # messages: unread is a user message after `coach_seen_at`, waiting is a user message after
    # the last coach message.
    last_user_message_at: Mapped[datetime | None] = mapped_column(default=None)
    last_coach_message_at: Mapped[datetime | None] = mapped_column(default=None)
    coach_seen_at: Mapped[datetime | None] = mapped_column(default=None)


class ReferralMessage(Base):
    """One message of the live relay: from the user to the coach, or from the coach to the user."""

    __tablename__ = "referral_messages"
    __table_args__ = (Index("ix_referral_messages_referral_at", "referral_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    referral_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("referrals.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    sender: Mapped[str] = mapped_column(String(8))  # "user" or "coach"
    author: Mapped[str | None] = mapped_column(String(100), default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)


class WebhookDelivery(Base):
    """One notification to a programme's webhook (the outbox row), with its retry schedule.

    `user_id` and `referral_id` are plain columns, not foreign keys: the notice that a user erased
    their data must outlive the rows it speaks of.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_state_next", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_user", "user_id"),
        Index("ix_webhook_deliveries_referral", "referral_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_code: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(48))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    referral_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)


class WebhookAttempt(Base):
    """One try at delivering a webhook, kept for operators: when, the answer, how long it took."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
