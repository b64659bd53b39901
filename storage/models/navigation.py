"""Where a user is in the bot, kept apart from the analytics events: the latest search (what
"back" on a card opened from search results runs again) and the latest message a button sent
(so a double tap sends it once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Navigation(Base):
    """One row per user, rewritten as they move around."""

    __tablename__ = "navigation"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_search: Mapped[str | None] = mapped_column(String(100), default=None)
    last_sent: Mapped[str | None] = mapped_column(String(200), default=None)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)
