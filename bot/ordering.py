"""Updates of different chats run concurrently; the updates of one chat run one after another.

python-telegram-bot handles updates one at a time by default, so one slow database round trip or
Bot API call holds every other user up. `PerChatUpdateProcessor` lets up to `running` updates
run at once while keeping each chat's updates in the order they arrived: a person's "69" is
always handled after their "/start", never beside it.

Within one process the order is kept by a FIFO lock per chat. Across processes (webhooks behind
a load balancer) the user's row lock taken at the start of each update's transaction
(PostgreSQL `FOR UPDATE`, SQLite's single writer) keeps two updates of one person from
interleaving; see `bot.runtime.process`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from kernel.metrics import UPDATE_WAIT_SECONDS, UPDATES_IN_FLIGHT

# python-telegram-bot's own bound: updates received but not finished (waiting included). It only
# protects memory; the useful limit is `running`.
_QUEUED_MAX = 4096


def chat_key(update: object) -> int | None:
    """The chat (or, without one, the user) an update belongs to; None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within a chat, at most `running` at a time.

    An update first waits for the earlier updates of its chat, and only then for a running slot,
    so a person sending twenty messages in a row takes one slot, not twenty, and cannot hold
    everyone else up.
    """

    def __init__(self, running: int = 32) -> None:
        super().__init__(max(_QUEUED_MAX, running))
        if running < 1:
            raise ValueError("running must be at least 1")
        self.running = running
        self._slots = asyncio.Semaphore(running)
        self._chats: dict[int, _ChatQueue] = {}
        self.active = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` after the earlier updates of the same chat, within the slot limit."""
        received = time.perf_counter()
        UPDATES_IN_FLIGHT.inc()
        try:
            await self._in_order(update, coroutine, received)
        finally:
            UPDATES_IN_FLIGHT.dec()

    async def _in_order(self, update: object, coroutine: Awaitable[Any], received: float) -> None:
        key = chat_key(update)
        if key is None:
            async with self._slots:
                await self._run(coroutine, received)
            return
        queue = self._chats.get(key)
        if queue is None:
            queue = self._chats[key] = _ChatQueue()
        queue.users += 1
        try:
            async with queue.lock, self._slots:
                await self._run(coroutine, received)
        finally:
            queue.users -= 1
            if queue.users == 0:
                del self._chats[key]

    async def _run(self, coroutine: Awaitable[Any], received: float) -> None:
        UPDATE_WAIT_SECONDS.observe(time.perf_counter() - received)
        self.active += 1
        try:
            await coroutine
        finally:
            self.active -= 1

    @property
    def waiting_chats(self) -> int:
        """Chats with an update received and not finished."""
        return len(self._chats)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: python-telegram-bot waits for running updates itself."""


class _ChatQueue:
    """One chat's lock (asyncio locks wake waiters first come, first served)."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0
