"""The nudges' outbox in SQL: planning rows, claiming due ones, recording outcomes, cancelling.

Claiming is safe with several dispatchers on one database: on PostgreSQL due rows are taken with
`FOR UPDATE SKIP LOCKED` and the single budget row is locked for the length of the claim; on
SQLite every write transaction starts with `BEGIN IMMEDIATE` (see `storage.engine`), so claims are
serialised by the database's single writer. A row leaves `pending` for `sending` in a committed
transaction *before* its message is sent, and only `pending` rows are ever claimed: whatever
happens to the process afterwards, a row is sent at most once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.metrics import NUDGES
from storage.dialect import locked
from storage.models import Nudge, NudgeBudget

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
UNCERTAIN = "uncertain"
FAILED = "failed"
CANCELLED = "cancelled"
HELD = "held"

STEP = "step"
REMINDER = "reminder"

BUDGET_ID = 1
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


async def cancel_pending(session: AsyncSession, user_id: int, reason: str) -> int:
    """Cancel every nudge of a user that has not gone out yet; returns how many.

    Called on /stop ("stopped"), /delete ("deleted"), when the last saved career is removed
    ("no_career"), when a hand-over to a coach starts, and when Telegram says the user blocked
    the bot ("blocked"). Rows already `sending` are in flight and cannot be recalled.
    """
    result = await session.execute(
        update(Nudge)
        .where(Nudge.user_id == user_id, Nudge.state == PENDING)
        .values(state=CANCELLED, note=reason[:255])
        .execution_options(synchronize_session=False)
    )
    cancelled = int(getattr(result, "rowcount", 0) or 0)
    if cancelled:
        NUDGES.labels("cancelled").inc(cancelled)
    return cancelled


async def sequence_running(session: AsyncSession, user_id: int, now: datetime) -> bool:
    """Whether the user has a sequence under way: a step not yet out, or a held step not yet due.

    Hold-out users' sequences count as running until their last (unsent) step falls due, so both
    groups start sequences at the same pace.
    """
    found = await session.scalar(
        select(Nudge.id)
        .where(
            Nudge.user_id == user_id,
            Nudge.kind == STEP,
            (Nudge.state.in_((PENDING, SENDING))) | ((Nudge.state == HELD) & (Nudge.due_at > now)),
        )
        .limit(1)
    )
    return found is not None


async def last_sequence(session: AsyncSession, user_id: int) -> int:
    """The number of the user's latest sequence (0 when they never had one)."""
    value = await session.scalar(select(func.max(Nudge.sequence)).where(Nudge.user_id == user_id))
    return int(value or 0)


async def user_nudges(session: AsyncSession, user_id: int) -> list[Nudge]:
    """Every nudge row of a user, oldest first (for their data export)."""
    rows = await session.scalars(
        select(Nudge).where(Nudge.user_id == user_id).order_by(Nudge.due_at, Nudge.id)
    )
    return list(rows)


# ----- the dispatcher's side ----------------------------------------------------------------


async def lock_budget(session: AsyncSession) -> NudgeBudget:
    """The shared send budget row, locked until the end of the transaction on PostgreSQL."""
    stmt = select(NudgeBudget).where(NudgeBudget.id == BUDGET_ID)
    stmt = locked(session, stmt)
    budget = await session.scalar(stmt)
    if budget is None:  # a database created without the migration's seed row
        budget = NudgeBudget(id=BUDGET_ID, next_free_at=_EPOCH)
        session.add(budget)
        await session.flush()
    return budget


async def due(session: AsyncSession, now: datetime, limit: int) -> list[Nudge]:
    """The oldest pending nudges due by `now`, locked for this transaction (others skip them)."""
    stmt = (
        select(Nudge)
        .where(Nudge.state == PENDING, Nudge.due_at <= now)
        .order_by(Nudge.due_at, Nudge.id)
        .limit(limit)
    )
    stmt = locked(session, stmt, skip_locked=True)
    return list(await session.scalars(stmt))


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next pending nudge falls due."""
    value: datetime | None = await session.scalar(
        select(func.min(Nudge.due_at)).where(Nudge.state == PENDING)
    )
    return value


async def recently_contacted(
    session: AsyncSession, user_ids: Iterable[int], since: datetime
) -> set[int]:
    """Which of these users had a nudge claimed since `since` (one message a second per chat)."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    rows = await session.scalars(
        select(Nudge.user_id).where(Nudge.user_id.in_(ids), Nudge.claimed_at >= since).distinct()
    )
    return set(rows)


async def steps_out_between(
    session: AsyncSession, user_id: int, start: datetime, end: datetime
) -> int:
    """How many sequence steps went out (or may have) to a user in [start, end): the daily cap."""
    value = await session.scalar(
        select(func.count(Nudge.id)).where(
            Nudge.user_id == user_id,
            Nudge.kind == STEP,
            Nudge.state.in_((SENDING, SENT, UNCERTAIN)),
            Nudge.claimed_at >= start,
            Nudge.claimed_at < end,
        )
    )
    return int(value or 0)


async def earlier_step_due(session: AsyncSession, nudge: Nudge) -> datetime | None:
    """The latest due time of an earlier step of the same sequence still waiting, if any.

    Steps go out in order: a step waits while an earlier one is deferred.
    """
    value: datetime | None = await session.scalar(
        select(func.max(Nudge.due_at)).where(
            Nudge.user_id == nudge.user_id,
            Nudge.sequence == nudge.sequence,
            Nudge.kind == STEP,
            Nudge.step < nudge.step,
            Nudge.state == PENDING,
        )
    )
    return value


async def recover_stale(
    session: AsyncSession, older_than: datetime, limit: int = 1000
) -> list[Nudge]:
    """Turn rows left `sending` since before `older_than` into `uncertain`; returns them.

    Such a row belonged to a dispatcher that died between claiming and recording: its message
    may or may not have reached the user, so it is never sent again.
    """
    stmt = (
        select(Nudge)
        .where(Nudge.state == SENDING, Nudge.claimed_at < older_than)
        .order_by(Nudge.id)
        .limit(limit)
    )
    stmt = locked(session, stmt, skip_locked=True)
    rows = list(await session.scalars(stmt))
    for row in rows:
        row.state = UNCERTAIN
        row.note = "in flight when its dispatcher stopped"
    await session.flush()
    return rows


async def settle(session: AsyncSession, nudge_id: int, worker: str, **values: Any) -> Nudge | None:
    """Record what happened to a row this worker claimed; None when the row is not its any more.

    A row turned `uncertain` by another process's recovery is still this worker's: what it
    records (sent, failed…) is the truth and replaces "uncertain".
    """
    stmt = select(Nudge).where(
        Nudge.id == nudge_id,
        Nudge.claimed_by == worker,
        Nudge.state.in_((SENDING, UNCERTAIN)),
    )
    stmt = locked(session, stmt)
    row = await session.scalar(stmt)
    if row is None:
        return None
    for name, value in values.items():
        setattr(row, name, value)
    await session.flush()
    return row


async def release(session: AsyncSession, nudge_ids: Sequence[int], worker: str) -> int:
    """Give claimed rows that were not sent back to the queue, with their place (due time)."""
    if not nudge_ids:
        return 0
    result = await session.execute(
        update(Nudge)
        .where(
            Nudge.id.in_(list(nudge_ids)),
            Nudge.claimed_by == worker,
            Nudge.state.in_((SENDING, UNCERTAIN)),
        )
        .values(state=PENDING, claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def pause_budget(session: AsyncSession, until: datetime) -> None:
    """Push the shared budget's next free slot to `until` (Telegram asked every sender to wait)."""
    budget = await lock_budget(session)
    if budget.next_free_at < until:
        budget.next_free_at = until
    await session.flush()


def backoff(attempts: int, base: timedelta) -> timedelta:
    """The wait before another try after `attempts` failed ones: base, 2×base, 4×base…"""
    return base * (1 << max(0, attempts - 1))


def event_facts(row: Nudge | None) -> dict[str, Any]:
    """What an evaluation event says about the nudge it concerns ({} for none)."""
    if row is None:
        return {}
    return {
        "nudge": row.id,
        "sequence": row.sequence,
        "step": row.step,
        "nudge_kind": row.kind,
        "variant": row.variant,
    }
