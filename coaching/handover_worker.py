"""The hand-over's background job, `handover`: every few seconds, tell users whose programme has
not answered in time, and send the partner webhooks that are due. It has its own loop, not the
nudges' scheduler (see `kernel.periodic`)."""

from __future__ import annotations

from datetime import datetime

from coaching import relay
from coaching.webhooks import WebhookSender
from kernel.leases import Lease
from kernel.periodic import PeriodicJob
from messages.messenger import Messenger
from storage.engine import Database
from storage.models import utcnow

JOB_NAME = "handover"


async def tick(
    db: Database, messenger: Messenger, sender: WebhookSender, now: datetime | None = None
) -> None:
    """One pass: tell users whose programme has not answered in time, send due webhooks."""
    now = now or utcnow()
    await relay.check_timeouts(db, messenger, now)
    await sender.send_due(now)


class HandoverWorker(PeriodicJob):
    """Runs `tick` every `interval` seconds; closing also closes the webhook client."""

    def __init__(
        self,
        db: Database,
        messenger: Messenger,
        sender: WebhookSender,
        interval: float = 10.0,
        lease: Lease | None = None,
    ) -> None:
        super().__init__(JOB_NAME, interval, self._tick)
        self.db = db
        # With a lease, one process of all those sharing the database runs the passes at a time.
        self.lease = lease
        self.messenger = messenger
        self.sender = sender

    async def _tick(self) -> None:
        if self.lease is None:
            await tick(self.db, self.messenger, self.sender)
            return
        async with self.lease.held() as mine:
            if mine:
                await tick(self.db, self.messenger, self.sender)

    async def close(self, timeout: float = 15.0) -> None:
        """Let a running pass finish (at most `timeout` seconds), then close the webhook
        client."""
        await super().close(timeout)
        await self.sender.aclose()
