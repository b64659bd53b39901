"""APScheduler wiring: the dispatcher runs on a short interval and at the next due time.

The schedule holds two jobs whatever the number of pending nudges — the poll and the next
wake-up — because the nudges themselves are rows in the database, not jobs in memory.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from coaching.nudges.dispatcher import DispatchConfig, Dispatcher
from kernel.leases import Lease
from kernel.turn import Environment
from messages.messenger import Messenger
from storage.engine import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "nudges"
POLL_JOB = "nudges-poll"
WAKE_JOB = "nudges-wake"
_MIN_GAP = timedelta(milliseconds=50)


class NudgeScheduler:
    """Runs a `Dispatcher` from an AsyncIOScheduler in the bot's event loop."""

    def __init__(
        self, dispatcher: Dispatcher, poll_seconds: float = 15.0, lease: Lease | None = None
    ) -> None:
        self.dispatcher = dispatcher
        # With a lease, one process of all those sharing the database runs the passes at a time.
        self.lease = lease
        self.poll = timedelta(seconds=poll_seconds)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._pass: asyncio.Task[None] | None = None
        self.first_pass = asyncio.Event()  # set when the first pass (recovery included) ended

    async def start(self) -> None:
        """Start polling now (a first pass also recovers what a previous process left)."""
        # A run still going when the next is due makes that one skip, never pile up.
        self.scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.poll.total_seconds(),
            id=POLL_JOB,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.start()

    async def stop(self, timeout: float = 15.0) -> None:
        """Stop the jobs, then let the dispatcher finish or hand back what it holds, waiting
        at most about `timeout` seconds."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.dispatcher.close(timeout=timeout)
        if self._pass is not None:
            await asyncio.wait({self._pass}, timeout=timeout)

    async def _tick(self) -> None:
        # The job only starts a pass and returns, so a long pass (thousands of nudges at the
        # send rate) never makes the scheduler skip runs; the pass itself drains what is due.
        if self._pass is not None and not self._pass.done():
            return
        self._pass = asyncio.create_task(self._run())

    async def _run(self) -> None:
        try:
            if self.lease is None:
                wake = await self.dispatcher.run()
            else:
                async with self.lease.held() as mine:
                    if not mine:
                        return  # another process's turn; the next poll looks again
                    wake = await self.dispatcher.run()
        except Exception:
            log.exception("the nudge dispatcher failed; it will run again at the next poll")
            return
        finally:
            self.first_pass.set()
        if wake is not None:
            self._wake_at(wake)

    def _wake_at(self, when: datetime) -> None:
        """Schedule the next pass at `when` unless the poll comes first."""
        now = utcnow()
        when = max(when, now + _MIN_GAP)
        if when >= now + self.poll or not self.scheduler.running:
            return
        self.scheduler.add_job(
            self._tick,
            "date",
            run_date=when,
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )


def build_scheduler(
    db: Database,
    messenger: Messenger,
    env: Environment,
    *,
    rate: float,
    poll_seconds: float,
    leased: bool = False,
) -> NudgeScheduler:
    """The nudges' scheduler of one bot process, sending through the process's messenger;
    `leased`: its passes take turns with the other processes' (see `kernel.leases`)."""
    dispatcher = Dispatcher(db, messenger, env, DispatchConfig(rate=rate))
    lease = Lease(db, LEASE_NAME, dispatcher.worker) if leased else None
    return NudgeScheduler(dispatcher, poll_seconds, lease)
