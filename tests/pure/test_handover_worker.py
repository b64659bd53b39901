"""The hand-over's background job runs on its own loop: first pass at once, then every
interval; a failing pass does not stop it; closing waits for the pass and closes the client."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from coaching import handover_worker
from coaching.handover_worker import HandoverWorker


class _Sender:
    closed = False

    async def aclose(self) -> None:
        self.closed = True


async def test_the_handover_job_runs_on_its_own_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[int] = []
    third = asyncio.Event()

    async def tick(db: Any, messenger: Any, sender: Any, now: datetime | None = None) -> None:
        passes.append(len(passes))
        if len(passes) == 3:
            third.set()
        if len(passes) == 1:
            raise RuntimeError("the database went away for a moment")

    monkeypatch.setattr(handover_worker, "tick", tick)
    sender = _Sender()
    worker = HandoverWorker(None, None, sender, interval=0.05)  # type: ignore[arg-type]
    assert worker.name == "handover"
    await worker.start()
    async with asyncio.timeout(5):
        await third.wait()  # the failing first pass did not stop the job
    await worker.close()
    done = len(passes)
    await asyncio.sleep(0.15)
    assert len(passes) == done and sender.closed  # stopped for good, client closed
