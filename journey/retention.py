"""Retention: conversation lines and inactive profiles do not stay for ever.

- Conversation lines (with the bot, and the relay with a coach, and the copies of messages in
  partner notifications that already left or gave up) older than `TREMPLIN_RETENTION_LOGS`
  (default 12 months) are deleted.
- People who have not written for `TREMPLIN_RETENTION_PROFILES` (default 24 months after their
  last contact) are erased exactly as /delete does, their evaluation events kept anonymously.

`RetentionJob.run_once` runs on every process's scheduler, but only the process holding the
`retention` lease (a row in `job_leases`) does the work, so two processes never purge at once.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from journey.conversation import kept_with_lines_before, rebuild_words
from journey.privacy import erase
from kernel.periodic import PeriodicJob
from kernel.reactions import Reactions
from storage import lease, updates
from storage.engine import Database
from storage.models import ConversationEntry, ReferralMessage, User, WebhookDelivery, utcnow

log = logging.getLogger(__name__)

LEASE = "retention"
LEASE_TTL = timedelta(minutes=10)
BATCH = 200  # people erased per transaction


@dataclass(frozen=True)
class Purged:
    """What one pass removed."""

    conversation_lines: int = 0
    relay_messages: int = 0
    notifications: int = 0
    profiles: int = 0


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_logs(session: AsyncSession, before: datetime) -> tuple[int, int, int]:
    """Delete conversation lines, relay messages and settled notifications older than `before`;
    the searchable words of a conversation that lost lines are built again from what is left."""
    searchable = await kept_with_lines_before(session, before)
    lines = await session.execute(delete(ConversationEntry).where(ConversationEntry.at < before))
    await rebuild_words(session, searchable)
    relayed = await session.execute(delete(ReferralMessage).where(ReferralMessage.at < before))
    sent = await session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.created_at < before, WebhookDelivery.state != "pending"
        )
    )
    return _count(lines), _count(relayed), _count(sent)


async def inactive_users(session: AsyncSession, before: datetime, limit: int) -> list[User]:
    """People whose last contact is older than `before` (at most `limit`)."""
    last_contact = func.coalesce(User.last_seen_at, User.created_at)
    rows = await session.scalars(
        select(User).where(last_contact < before).order_by(last_contact).limit(limit)
    )
    return list(rows)


class RetentionJob:
    """The purge, run by whichever process holds the lease."""

    def __init__(
        self,
        db: Database,
        reactions: Reactions,
        *,
        logs_after: timedelta,
        profiles_after: timedelta,
        holder: str | None = None,
    ) -> None:
        self.db = db
        self.reactions = reactions
        self.logs_after = logs_after
        self.profiles_after = profiles_after
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._job: PeriodicJob | None = None

    async def start(self, interval: float) -> None:
        """Run a pass now, then every `interval` seconds, until `close` (the `retention` job)."""
        self._job = PeriodicJob(LEASE, interval, self.run_once)
        await self._job.start()

    async def close(self, timeout: float = 15.0) -> None:
        """Stop the job, letting a running pass finish (at most `timeout` seconds)."""
        if self._job is not None:
            await self._job.close(timeout)

    async def run_once(self, now: datetime | None = None) -> Purged | None:
        """One pass; None when another process holds the lease."""
        now = now or utcnow()
        async with self.db.transaction() as session:
            if not await lease.acquire(session, LEASE, self.holder, LEASE_TTL, now):
                return None
        try:
            async with self.db.transaction() as session:
                lines, relayed, sent = await purge_logs(session, now - self.logs_after)
                # Updates handled long ago no longer need to be recognised when delivered again.
                await updates.forget_before(session, now - updates.WINDOW)
            profiles = 0
            while True:
                async with self.db.transaction() as session:
                    users = await inactive_users(session, now - self.profiles_after, BATCH)
                    for user in users:
                        await erase(session, user, self.reactions)
                    # Keep the lease while a long purge goes on.
                    await lease.acquire(session, LEASE, self.holder, LEASE_TTL, utcnow())
                profiles += len(users)
                if len(users) < BATCH:
                    break
        finally:
            async with self.db.transaction() as session:
                await lease.release(session, LEASE, self.holder, utcnow())
        purged = Purged(lines, relayed, sent, profiles)
        if any((lines, relayed, sent, profiles)):
            log.info(
                "retention: %d conversation lines, %d relay messages, %d notifications, "
                "%d inactive profiles removed",
                lines,
                relayed,
                sent,
                profiles,
            )
        return purged
