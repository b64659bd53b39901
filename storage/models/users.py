"""The user: a Telegram account and everything the bot remembers between messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class User(Base):
    """One Telegram user. The primary key is their Telegram user id.

    `step` holds the question the bot is waiting an answer to (onboarding included), so any
    process can carry on the conversation.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    language: Mapped[str] = mapped_column(String(5), default="fr")
    departement: Mapped[str | None] = mapped_column(String(3), default=None)
    priorities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Highest diploma ("none", "cap", "bac", "bac+2", "bac+3"), None when not told (optional).
    qualification: Mapped[str | None] = mapped_column(String(8), default=None)
    # RIASEC letters of the interests quiz, strongest first; None when not taken.
    interests: Mapped[str | None] = mapped_column(String(6), default=None)
    step: Mapped[str | None] = mapped_column(String(64), default=None)
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)
    partner_code: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    nudges_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Last time the person wrote or pressed a button (to the hour): the retention purge erases
    # profiles inactive for longer than TREMPLIN_RETENTION_PROFILES.
    last_seen_at: Mapped[datetime | None] = mapped_column(default=utcnow)
