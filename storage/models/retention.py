"""What outlives a person's data, and the lease that keeps the purge to one process.

- `AnonymousEvent`: the evaluation events of a person who was erased (by /delete or by the
  retention purge), kept for the dashboard's counts under a random subject number that is not
  their Telegram id and cannot be traced back to it, with every free-text field dropped.
- `JobLease`: one row per background job that must run in one process at a time; a process holds
  the job while `expires_at` is in the future.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class AnonymousEvent(Base):
    """An erased person's evaluation event: no Telegram id, no text."""

    __tablename__ = "anonymous_events"
    __table_args__ = (Index("ix_anonymous_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Random and negative: never equal to a Telegram user id, shared by one person's events only.
    subject: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(48))
    partner_code: Mapped[str | None] = mapped_column(String(64), default=None)
    rome: Mapped[str | None] = mapped_column(String(8), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class JobLease(Base):
    """Which process holds a singleton background job, and until when."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
