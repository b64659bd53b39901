"""One process at a time runs each kind of background job, through a lease in the database
(a row of `job_leases`, taken and given back by `storage.lease`).

Every bot process runs the same jobs (the nudges' dispatcher, the hand-over's pass). Their row
claims already keep two processes from sending the same message; the lease also keeps two
passes of one kind from running at once, so that the work (and the logs) of a pass is one
process's, and a dead process's turn passes to another once its lease expires.

    lease = Lease(db, "nudges", holder="host:1234:ab12", seconds=30)
    async with lease.held() as mine:
        if mine:
            ...  # one pass; the lease is renewed in the background while it runs
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from storage import lease
from storage.engine import Database
from storage.models import utcnow

log = logging.getLogger(__name__)


class Lease:
    """The lease of one kind of job, as seen by one process (`holder`)."""

    def __init__(self, db: Database, name: str, holder: str, seconds: float = 30.0) -> None:
        self.db = db
        self.name = name
        self.holder = holder[:64]
        self.seconds = seconds

    async def acquire(self) -> bool:
        """Take or renew the lease; False while another live process holds it."""
        async with self.db.transaction() as session:
            return await lease.acquire(
                session, self.name, self.holder, timedelta(seconds=self.seconds), utcnow()
            )

    async def release(self) -> None:
        """Give the lease up at once (end of a pass, shutdown), if this process holds it."""
        async with self.db.transaction() as session:
            await lease.release(session, self.name, self.holder, utcnow())

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        """Yield whether this process got the lease; while it runs, renew it; then release."""
        try:
            mine = await self.acquire()
        except Exception:
            log.exception("could not take the %s lease; skipping this pass", self.name)
            mine = False
        if not mine:
            yield False
            return
        log.debug("job pass started", extra={"job": self.name, "worker": self.holder})
        renewing = asyncio.create_task(self._renew())
        try:
            yield True
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            log.debug("job pass ended", extra={"job": self.name, "worker": self.holder})
            try:
                await self.release()
            except Exception:
                log.exception("could not release the %s lease; it expires by itself", self.name)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                if not await self.acquire():
                    log.warning("the %s lease was taken over while a pass ran", self.name)
            except Exception:
                log.exception("could not renew the %s lease", self.name)
