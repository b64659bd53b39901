"""The Telegram updates already handled, so that a delivery made twice is handled once.

Telegram delivers an update again when it got no answer in time (a webhook that was slow, a
process that died before its 200, a long poll whose offset was not confirmed); with several
processes behind a load balancer the two deliveries may reach two processes. A row here, written
in the same transaction as everything the update changed, marks it done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SeenUpdate(Base):
    """One handled update: only its number and when, nothing about the person."""

    __tablename__ = "seen_updates"
    __table_args__ = (Index("ix_seen_updates_seen_at", "seen_at"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column()
