"""Operators' versions of the bot's texts, read by every process.

Each save is a new row: the text in force for a (key, language, programme) is its highest
version. `partner_code` is empty for the text everyone sees; a programme's own wording (white
label) is reserved for the console to fill.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class TextOverride(Base):
    """One version of one template, written by an operator."""

    __tablename__ = "text_overrides"
    __table_args__ = (
        UniqueConstraint(
            "key", "language", "partner_code", "version", name="uq_text_overrides_version"
        ),
        Index("ix_text_overrides_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(5))
    partner_code: Mapped[str | None] = mapped_column(String(64), default=None)
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    # "published" rows are in force (the highest published version); a "draft" is an operator's
    # saved work in progress, shown only in the console.
    state: Mapped[str] = mapped_column(String(16), default="published")
    comment: Mapped[str] = mapped_column(Text, default="")
