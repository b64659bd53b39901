"""A lease row per singleton job: whoever holds an unexpired lease runs the job, nobody else.

Taking the lease is one conditional UPDATE (or the first INSERT), so two processes racing for it
cannot both win: on PostgreSQL the row lock decides, on SQLite `BEGIN IMMEDIATE` does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobLease


async def acquire(
    session: AsyncSession, name: str, holder: str, ttl: timedelta, now: datetime
) -> bool:
    """Take (or renew) the lease `name` for `holder` until `now + ttl`; False if another holder
    has it. Commit the session's transaction for the lease to count."""
    result = await session.execute(
        update(JobLease)
        .where(
            JobLease.name == name,
            or_(JobLease.holder == holder, JobLease.expires_at <= now),
        )
        .values(holder=holder, expires_at=now + ttl)
    )
    if int(getattr(result, "rowcount", 0) or 0) == 1:
        return True
    if await session.get(JobLease, name) is not None:
        return False  # someone else holds it
    try:
        async with session.begin_nested():
            session.add(JobLease(name=name, holder=holder, expires_at=now + ttl))
    except IntegrityError:
        return False  # another process created it first
    return True


async def release(session: AsyncSession, name: str, holder: str, now: datetime) -> None:
    """Give the lease back early (only if still ours)."""
    await session.execute(
        update(JobLease)
        .where(JobLease.name == name, JobLease.holder == holder)
        .values(expires_at=now)
    )
