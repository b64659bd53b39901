"""Evaluation events: one table, written through `kernel.events.record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class Event(Base):
    """Something a user did that the evaluation dashboard counts."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_kind_at", "kind", "at"),
        Index("ix_events_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(48))
    partner_code: Mapped[str | None] = mapped_column(String(64), default=None)
    rome: Mapped[str | None] = mapped_column(String(8), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
