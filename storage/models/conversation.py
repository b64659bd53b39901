"""The conversation log that coaches read: every message in and out and every button press."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class ConversationEntry(Base):
    """One line of a user's conversation with the bot (or a coach through it)."""

    __tablename__ = "conversation_log"
    __table_args__ = (Index("ix_conversation_log_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    kind: Mapped[str] = mapped_column(String(16))  # text, command, button, media, edit, ...
    text: Mapped[str] = mapped_column(Text, default="")
    template_key: Mapped[str | None] = mapped_column(String(128), default=None)
    callback_data: Mapped[str | None] = mapped_column(String(128), default=None)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)


class ConversationWords(Base):
    """The distinct words of a user's conversation with the bot, normalised, for the coaches'
    search (`journey.conversation_words`). Kept only for people whose conversation a programme
    may read; erased with the user, rebuilt when old lines are purged."""

    __tablename__ = "conversation_words"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # " word word … " (a space before and after each word), so a word is found with LIKE.
    words: Mapped[str] = mapped_column(Text, default=" ")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
