"""The hand-over's background job, `handover`: every few seconds, tell users whose programme has
not answered in time, and send the partner webhooks that are due.

It has its own loop (not the nudges' scheduler): one pass at a time, a failing pass is logged and
the next one runs at the next interval, and closing lets a running pass finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from coaching import relay
from coaching.webhooks import WebhookSender
from messages.messenger import Messenger
from storage.engine import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

JOB_NAME = "handover"


async def tick(
    db: Database, messenger: Messenger, sender: WebhookSender, now: datetime | None = None
) -> None:
    """One pass: tell users whose programme has not answered in time, send due webhooks."""
    now = now or utcnow()
    await relay.check_timeouts(db, messenger, now)
    await sender.send_due(now)


class HandoverWorker:
    """Runs `tick` every `interval` seconds in the process's event loop, and closes cleanly."""

    name = JOB_NAME

    def __init__(
        self, db: Database, messenger: Messenger, sender: WebhookSender, interval: float = 10.0
    ) -> None:
        self.db = db
        self.messenger = messenger
        self.sender = sender
        self.interval = interval
        self._pass: asyncio.Task[None] | None = None
        self._loop: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Run a first pass now, then one every `interval` seconds."""
        self._loop = asyncio.create_task(self._run_forever(), name=JOB_NAME)

    async def run_once(self) -> None:
        """One pass (a pass still running makes this one a no-op); failures are logged."""
        if self._pass is not None and not self._pass.done():
            return
        self._pass = asyncio.create_task(self._pass_body())
        await asyncio.wait({self._pass})

    async def _pass_body(self) -> None:
        try:
            await tick(self.db, self.messenger, self.sender)
        except Exception:
            log.exception("the hand-over pass failed; it runs again at the next interval")

    async def _run_forever(self) -> None:
        while not self._stopping.is_set():
            await self.run_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)

    async def close(self) -> None:
        """Stop the loop, let a running pass finish, then close the webhook client."""
        self._stopping.set()
        running = {t for t in (self._loop, self._pass) if t is not None and not t.done()}
        if running:
            await asyncio.wait(running, timeout=15)
        await self.sender.aclose()
