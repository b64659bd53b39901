"""The coaching nudges' outbox, and the send budget every dispatcher shares.

A nudge is a row written when a sequence starts; dispatchers claim due rows, send them and record
the outcome on the row. The states are:

- `pending`: waiting for its due time (which quiet hours and the daily cap may push back);
- `sending`: claimed by a dispatcher, committed before the message goes out — never sent again;
- `sent`: Telegram accepted it (`message_id` is set);
- `uncertain`: was `sending` when its process died, so it may or may not have reached the user;
- `failed`: gave up (server errors after every retry, or a refusal);
- `cancelled`: /stop, /delete, last career removed, hand-over started, or the user blocked the bot;
- `held`: the user is in the hold-out group — kept so the dashboard can compare groups.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class Nudge(Base):
    """One coaching message planned for a user: a step of a sequence, or a reminder they chose."""

    __tablename__ = "nudges"
    __table_args__ = (
        # At most one row per step of a sequence, even with two processes racing.
        UniqueConstraint("user_id", "sequence", "kind", "step", name="uq_nudges_user_step"),
        # The dispatcher's query: the oldest due rows of one state.
        Index("ix_nudges_state_due", "state", "due_at", "id"),
        Index("ix_nudges_user_state", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)  # 1 for the user's first sequence, then 2…
    kind: Mapped[str] = mapped_column(String(16), default="step")  # "step" or "reminder"
    step: Mapped[int] = mapped_column(SmallInteger)  # 1, 2, 3 (a reminder: the step that asked)
    variant: Mapped[str] = mapped_column(String(16), default="a")  # template variant, "holdout"
    rome: Mapped[str | None] = mapped_column(String(8), default=None)  # the career spoken of
    due_at: Mapped[datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)  # its reserved send slot
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(String(255), default=None)  # why it ended so
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NudgeBudget(Base):
    """The global send budget, one row: the next free send slot (a shared virtual clock).

    Every dispatcher, in any process, reserves its send slots here inside its claiming transaction,
    so all of them together stay under the rate, and a 429 pauses them all.
    """

    __tablename__ = "nudge_budget"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    next_free_at: Mapped[datetime] = mapped_column()
