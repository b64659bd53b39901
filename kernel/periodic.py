"""A background job of one process with its own name: a first pass at once, then one every
`interval` seconds; one pass at a time; a failing pass is logged and the next runs on time;
closing lets a running pass finish."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class PeriodicJob:
    """Runs `body` every `interval` seconds in the process's event loop."""

    def __init__(self, name: str, interval: float, body: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.interval = interval
        self.body = body
        self._pass: asyncio.Task[None] | None = None
        self._loop: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Run a first pass now, then one every `interval` seconds."""
        self._loop = asyncio.create_task(self._run_forever(), name=self.name)

    async def run_once(self) -> None:
        """One pass (a pass still running makes this one a no-op); failures are logged."""
        if self._pass is not None and not self._pass.done():
            return
        self._pass = asyncio.create_task(self._guarded())
        await asyncio.wait({self._pass})

    async def _guarded(self) -> None:
        try:
            await self.body()
        except Exception:
            log.exception("the %s job failed; it runs again at the next interval", self.name)

    async def _run_forever(self) -> None:
        while not self._stopping.is_set():
            await self.run_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)

    async def close(self, timeout: float = 15.0) -> None:
        """Stop the loop and let a running pass finish (at most `timeout` seconds)."""
        self._stopping.set()
        running = {t for t in (self._loop, self._pass) if t is not None and not t.done()}
        if running:
            await asyncio.wait(running, timeout=timeout)
