"""Job leases: one process at a time runs each kind of background job."""

from __future__ import annotations

import asyncio

from kernel.leases import Lease
from storage.engine import Database


async def test_one_holder_at_a_time_and_a_dead_holders_turn_passes(db: Database) -> None:
    first = Lease(db, "nudges", "process-one", seconds=30)
    second = Lease(db, "nudges", "process-two", seconds=30)
    assert await first.acquire()
    assert await first.acquire()  # renewing is taking it again
    assert not await second.acquire()
    assert await Lease(db, "handover", "process-two").acquire()  # other kinds are separate
    await first.release()
    assert await second.acquire()

    short = Lease(db, "sweep", "died-meanwhile", seconds=0.2)
    assert await short.acquire()
    assert not await Lease(db, "sweep", "survivor").acquire()
    await asyncio.sleep(0.3)  # never renewed: its process died
    assert await Lease(db, "sweep", "survivor").acquire()


async def test_passes_under_a_lease_never_overlap(db: Database) -> None:
    running: list[str] = []
    overlaps = 0

    async def worker(name: str) -> None:
        nonlocal overlaps
        lease = Lease(db, "nudges", name, seconds=5)
        for _ in range(5):
            async with lease.held() as mine:
                if mine:
                    running.append(name)
                    overlaps += len(running) > 1
                    await asyncio.sleep(0.02)
                    running.remove(name)
            await asyncio.sleep(0.005)

    await asyncio.gather(worker("one"), worker("two"), worker("three"))
    assert overlaps == 0
