"""Careers a user saved, with their answers to the two survey questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class SavedCareer(Base):
    """A career (ROME code) saved by a user; saving twice is still one row."""

    __tablename__ = "saved_careers"
    __table_args__ = (
        UniqueConstraint("user_id", "rome", name="uq_saved_careers_user_rome"),
        # The coaches' search finds who saved a career by its code.
        Index("ix_saved_careers_rome", "rome"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    rome: Mapped[str] = mapped_column(String(8))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Survey answers: interest 0 not really, 1 a little, 2 a lot; readiness 0 no, 1 maybe, 2 yes.
    interest: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    readiness: Mapped[int | None] = mapped_column(SmallInteger, default=None)
