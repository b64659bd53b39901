"""Sending due nudges: claim, pace, send, record — at most once, within a shared rate budget.

One pass of `Dispatcher.run` claims due rows in short transactions and sends them until none is
due. Each claim also reserves send slots on the shared budget row (a virtual clock advancing by
1/rate per message), so every dispatcher of every process together stays under the rate, and a
429 pushes that clock back for all of them. A row is committed as `sending` before its message
goes out; what happens next is recorded on the row:

- accepted → `sent`, with the message id;
- 429 → back to `pending` with its due time unchanged (its place in the queue), after the wait;
- 403 → the user blocked the bot: marked unreachable, everything pending for them cancelled;
- a failure to connect (refused, connect time-out, no free connection) → `pending` again after
  a back-off, `failed` after the last try;
- 5xx, read time-outs, connections cut after the request left → `uncertain`: never sent again;
- 400 for the HTML → sent again as plain text, and the template fault recorded;
- the process dies → the row stays `sending` until a dispatcher's recovery turns it `uncertain`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coaching.nudges import content, outbox, plan, timing
from journey import saved_careers
from kernel import events
from kernel.metrics import NUDGE_LAG_SECONDS, NUDGES
from kernel.turn import Environment
from kernel.white_label import programme_of
from messages.messenger import (
    MaybeDelivered,
    Messenger,
    Rejected,
    RetryLater,
    TransientError,
    Unreachable,
)
from messages.outgoing import Reply
from messages.render import programme_texts
from scoring.catalogue import Catalogue
from storage.engine import Database
from storage.models import Nudge, NudgeBudget, SavedCareer, User

log = logging.getLogger(__name__)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DispatchConfig:
    """How the dispatcher paces and retries; the defaults suit Telegram."""

    rate: float = 25.0  # messages a second, all processes together (Telegram allows ~30)
    horizon: float = 0.5  # seconds of send slots one claim may reserve ahead
    lease: float = 60.0  # a row `sending` for longer belongs to a dead dispatcher
    max_attempts: int = 5  # tries after server errors before giving up
    backoff: float = 5.0  # seconds before the first retry; doubles each time
    send_timeout: float = 30.0  # beyond python-telegram-bot's own time-outs: outcome unknown
    chat_gap: float = 1.0  # seconds between two nudges in one chat (Telegram: 1 a second)
    batch: int = 100  # rows claimed at most per transaction
    lead: float = 0.05  # seconds between a claim's commit and its first send slot


@dataclass
class _Claimed:
    """A row this dispatcher claimed, with what to send and when."""

    nudge_id: int
    user_id: int
    chat_id: int
    reply: Reply
    slot: datetime
    attempts: int
    facts: dict[str, Any] = field(default_factory=dict)
    due_at: datetime | None = None


class _Picked(NamedTuple):
    """A due row that may go out now: its user, the career it speaks of and its text."""

    row: Nudge
    user: User
    saved: SavedCareer
    reply: Reply


@dataclass
class _Claim:
    items: list[_Claimed]
    wait: float = 0.0  # seconds until the budget has room again
    more: bool = False  # the batch was full: look again at once


def default_worker_id() -> str:
    """A name for this dispatcher, unique across hosts, processes and restarts."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    """Sends the due nudges of the database through a `Messenger`."""

    def __init__(
        self,
        db: Database,
        messenger: Messenger,
        env: Environment,
        config: DispatchConfig | None = None,
        *,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.messenger = messenger
        self.env = env
        self.config = config or DispatchConfig()
        self.worker = (worker or default_worker_id())[:64]
        self.stats: Counter[str] = Counter()
        self._lock = asyncio.Lock()
        self._closing = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._paused_until = _EPOCH
        self._chat_wait = False
        # People this process found had blocked the bot: a later step already claimed for
        # them (claimed before the refusal came back, on a slow machine) is not tried.
        self._blocked_users: set[int] = set()

    def _now(self) -> datetime:
        return self.env.clock()

    @property
    def catalogue(self) -> Catalogue:
        """The careers catalogue the texts are drawn from."""
        return self.env.catalogue

    # ----- one pass -------------------------------------------------------------------------

    async def run(self) -> datetime | None:
        """Send everything due now; return when to look again (None: nothing pending).

        A pass already running in this process makes this call return None at once: that pass
        sends whatever falls due while it runs.
        """
        if self._lock.locked() or self._closing.is_set():
            return None
        async with self._lock:
            self._chat_wait = False
            await self.recover()
            recovered = time.monotonic()
            while not self._closing.is_set():
                if time.monotonic() - recovered > self.config.lease / 2:
                    # A long pass (a big backlog) still notices a dead process's rows.
                    await self.recover()
                    recovered = time.monotonic()
                claim = await self._claim()
                for item in claim.items:
                    task = asyncio.create_task(self._deliver(item))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                if claim.items or claim.more:
                    await asyncio.sleep(0)
                    continue
                if claim.wait > 0:
                    await self._sleep(claim.wait)
                    continue
                break
            await self._drain()
            wake = await self.next_due()
            if self._chat_wait:
                soon = self._now() + timedelta(seconds=self.config.chat_gap)
                wake = soon if wake is None else max(wake, soon)
            return wake

    async def next_due(self) -> datetime | None:
        """When the next pending nudge falls due."""
        async with self.db.transaction() as session:
            return await outbox.next_due(session)

    async def recover(self) -> int:
        """Turn rows left `sending` by a dead dispatcher into `uncertain`; returns how many."""
        older_than = self._now() - timedelta(seconds=self.config.lease)
        total = 0
        while True:
            async with self.db.transaction() as session:
                rows = await outbox.recover_stale(session, older_than)
                for row in rows:
                    await events.record_for(
                        session,
                        row.user_id,
                        events.NUDGE_UNCERTAIN,
                        rome=row.rome,
                        **outbox.event_facts(row),
                    )
            total += len(rows)
            if len(rows) < 1000:
                break
        if total:
            self.stats["uncertain"] += total
            NUDGES.labels("uncertain").inc(total)
            log.warning("%d nudges were in flight when a dispatcher stopped: uncertain", total)
        return total

    async def close(self, timeout: float = 10.0) -> None:
        """Stop claiming; rows waiting for their slot go back to the queue, sends in flight end."""
        self._closing.set()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=max(0.0, seconds))

    async def _drain(self) -> None:
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # ----- claiming -------------------------------------------------------------------------

    async def _claim(self) -> _Claim:
        """In one transaction: reserve send slots on the shared budget, pick the due rows that
        may go out now (deferring or cancelling the others) and mark them `sending`."""
        config = self.config
        async with self.db.transaction() as session:
            now = self._now()
            budget = await outbox.lock_budget(session)
            start = max(now, budget.next_free_at)
            room = (now + timedelta(seconds=config.horizon) - start).total_seconds()
            if start > now and room < config.horizon / 2:
                # Wait until half the horizon is free, so that claims stay a few rows big; the
                # jitter keeps dispatchers of other processes from waking in lockstep, where
                # the same one would always win the budget row.
                jitter = random.uniform(0, config.horizon / 4)
                return _Claim([], wait=config.horizon / 2 - room + jitter)
            slots = max(1, min(config.batch, math.floor(room * config.rate) + 1))
            candidates = await outbox.due(session, now, slots * 4)
            if not candidates:
                return _Claim([])
            picked, changed = await self._pick(session, candidates, slots, now)
            items = self._book(picked, budget)
            await session.flush()
            # Rows only skipped (their chat had a message a moment ago) wait for the next pass.
            full = len(candidates) == slots * 4
            return _Claim(items, more=full and bool(items or changed))

    async def _pick(
        self, session: AsyncSession, candidates: list[Nudge], slots: int, now: datetime
    ) -> tuple[list[_Picked], int]:
        """Up to `slots` due rows that may go out now, each with its career and text; and how
        many others were deferred or cancelled (the queue moved even without sends)."""
        users = {
            user.id: user
            for user in await session.scalars(
                select(User).where(User.id.in_({row.user_id for row in candidates}))
            )
        }
        busy = await outbox.recently_contacted(
            session, list(users), now - timedelta(seconds=self.config.chat_gap)
        )
        picked: list[_Picked] = []
        changed = 0
        for row in candidates:
            if len(picked) >= slots:
                break
            user = users.get(row.user_id)
            if user is None:
                continue  # erased in the meantime: the row went with them
            before = (row.state, row.due_at)
            saved = await self._check(session, row, user, now, busy)
            if saved is None:
                changed += (row.state, row.due_at) != before
                continue
            reply = await self._compose(session, row, user, saved)
            if reply is None:
                continue
            busy.add(user.id)
            picked.append(_Picked(row, user, saved, reply))
        return picked, changed

    def _book(self, picked: list[_Picked], budget: NudgeBudget) -> list[_Claimed]:
        """Give each picked row its send slot, one every 1/rate seconds from the budget's next
        free moment, mark it `sending` by this dispatcher and move the budget on."""
        # Slots are placed after the texts are composed, and a moment ahead for the commit:
        # slots placed at the claim's start would already be past when a slow claim (the
        # first template compilation, a loaded database) commits, and their messages would
        # leave in one burst above the rate.
        config = self.config
        start = max(self._now() + timedelta(seconds=config.lead), budget.next_free_at)
        items: list[_Claimed] = []
        for index, (row, user, saved, reply) in enumerate(picked):
            slot = start + timedelta(seconds=index / config.rate)
            row.state = outbox.SENDING
            # The send slot, not the claim time: the one-a-second-per-chat rule and the
            # daily cap count when the message goes out.
            row.claimed_at = slot
            row.claimed_by = self.worker
            row.rome = saved.rome
            items.append(
                _Claimed(
                    nudge_id=row.id,
                    user_id=user.id,
                    chat_id=user.chat_id,
                    reply=reply,
                    slot=slot,
                    attempts=row.attempts,
                    facts=outbox.event_facts(row),
                    due_at=row.due_at,
                )
            )
        if items:
            budget.next_free_at = start + timedelta(seconds=len(items) / config.rate)
        return items

    async def _check(
        self, session: AsyncSession, row: Nudge, user: User, now: datetime, busy: set[int]
    ) -> SavedCareer | None:
        """The career to speak of when the row may go out now; else defer or cancel it."""
        if user.nudges_stopped or user.unreachable:
            row.state = outbox.CANCELLED
            row.note = "stopped" if user.nudges_stopped else "blocked"
            return None
        saved = await self._career(session, row)
        if saved is None:
            row.state = outbox.CANCELLED
            row.note = "no_career"
            return None
        if user.id in busy:
            self._chat_wait = True  # one message a second per chat: next pass
            return None
        zone = timing.zone_for(user.departement)
        morning = timing.allowed_at(now, zone, self.env.quiet_hours)
        if morning > now:
            row.due_at = morning
            return None
        if row.kind == outbox.STEP:
            earlier = await outbox.earlier_step_due(session, row)
            if earlier is not None:
                row.due_at = max(earlier, now) + timedelta(seconds=1)
                return None
            cap = self.env.nudge_daily_cap
            if cap is not None:
                day_start, day_end = timing.local_day(now, zone)
                if await outbox.steps_out_between(session, user.id, day_start, day_end) >= cap:
                    row.due_at = timing.next_day(now, zone, self.env.quiet_hours)
                    return None
        return saved

    async def _career(self, session: AsyncSession, row: Nudge) -> SavedCareer | None:
        if row.kind == outbox.REMINDER and row.rome:
            saved = await saved_careers.get(session, row.user_id, row.rome)
            if saved is not None:
                return saved
        return await plan.career_to_speak_of(session, row.user_id)

    async def _compose(
        self, session: AsyncSession, row: Nudge, user: User, saved: SavedCareer
    ) -> Reply | None:
        try:
            # In the texts of the programme the user is with, if any.
            with programme_texts(await programme_of(session, user)):
                return content.compose(row, user, saved, self.catalogue)
        except Exception as exc:
            # An operator's template that does not render: this nudge cannot go out.
            log.exception("nudge %s: template %s does not render", row.id, row.variant)
            row.state = outbox.FAILED
            row.note = f"template: {exc}"[:255]
            key = plan.template_key(row.kind, row.step, row.variant)
            await events.record(
                session,
                user,
                events.NUDGE_TEMPLATE_FAULT,
                rome=saved.rome,
                key=key,
                error=str(exc)[:200],
                **outbox.event_facts(row),
            )
            self.stats["failed"] += 1
            NUDGES.labels("failed").inc()
            return None

    # ----- sending --------------------------------------------------------------------------

    async def _deliver(self, item: _Claimed) -> None:
        try:
            await self._deliver_one(item)
        except Exception:
            # Most likely the database while recording: the row stays `sending` and the
            # recovery will call it uncertain — never sent twice.
            log.exception("nudge %s: could not record what happened", item.nudge_id)

    async def _deliver_one(self, item: _Claimed) -> None:
        try:
            await self._sleep((item.slot - self._now()).total_seconds())
            if self._closing.is_set() or self._paused_until > item.slot:
                await self._release(item)
                return
            if item.user_id in self._blocked_users:
                async with self.db.transaction() as session:
                    await outbox.settle(
                        session, item.nudge_id, self.worker, state=outbox.CANCELLED, note="blocked"
                    )
                self.stats["blocked"] += 1
                return
            try:
                message_id = await self._send(item, html=True)
            except Rejected as exc:
                # Most likely the template's HTML: the plain text tells (a refusal of the chat
                # itself fails again and ends as `failed`).
                message_id = await self._send(item, html=False)
                await self._template_fault(item, str(exc))
        except RetryLater as exc:
            await self._retry_later(item, exc.seconds)
        except Unreachable as exc:
            await self._blocked(item, str(exc))
        except TransientError as exc:
            await self._transient(item, str(exc))
        except Rejected as exc:
            await self._settle(item, outbox.FAILED, events.NUDGE_FAILED, note=f"refused: {exc}")
        except (TimeoutError, MaybeDelivered):
            await self._settle(
                item, outbox.UNCERTAIN, events.NUDGE_UNCERTAIN, note="no answer in time"
            )
        except Exception as exc:
            # Unknown fault while sending: the message may have left, so never try again.
            log.exception("nudge %s: unexpected error while sending", item.nudge_id)
            await self._settle(item, outbox.UNCERTAIN, events.NUDGE_UNCERTAIN, note=repr(exc))
        else:
            self.stats["sent"] += 1
            NUDGES.labels("sent").inc()
            if item.due_at is not None:
                due = item.due_at if item.due_at.tzinfo else item.due_at.replace(tzinfo=UTC)
                NUDGE_LAG_SECONDS.observe(max(0.0, (self._now() - due).total_seconds()))
            await self._settle(
                item,
                outbox.SENT,
                events.NUDGE_SENT,
                message_id=message_id,
                sent_at=self._now(),
                attempts=item.attempts + 1,
            )

    async def _send(self, item: _Claimed, *, html: bool) -> int:
        return await asyncio.wait_for(
            self.messenger.send(item.chat_id, item.reply, html=html),
            timeout=self.config.send_timeout,
        )

    async def _settle(self, item: _Claimed, state: str, kind: str, **values: object) -> None:
        async with self.db.transaction() as session:
            row = await outbox.settle(session, item.nudge_id, self.worker, state=state, **values)
            if row is not None:
                await events.record_for(
                    session, item.user_id, kind, rome=row.rome, **outbox.event_facts(row)
                )
        if state != outbox.SENT:
            self.stats[state] += 1
            if state in (outbox.UNCERTAIN, outbox.FAILED):
                NUDGES.labels(state).inc()

    async def _release(self, item: _Claimed) -> None:
        async with self.db.transaction() as session:
            await outbox.release(session, [item.nudge_id], self.worker)
        self.stats["released"] += 1

    async def _retry_later(self, item: _Claimed, seconds: float) -> None:
        # Flood control: every sender waits, and this row keeps its place at the head.
        until = self._now() + timedelta(seconds=max(seconds, 0.0))
        self._paused_until = max(self._paused_until, until)
        async with self.db.transaction() as session:
            await outbox.pause_budget(session, until)
            await outbox.release(session, [item.nudge_id], self.worker)
        self.stats["429"] += 1
        log.warning(
            "Telegram asked to wait %.1f s; nudge %s keeps its place", seconds, item.nudge_id
        )

    async def _blocked(self, item: _Claimed, reason: str) -> None:
        self._blocked_users.add(item.user_id)
        async with self.db.transaction() as session:
            row = await outbox.settle(
                session,
                item.nudge_id,
                self.worker,
                state=outbox.CANCELLED,
                note="blocked",
                attempts=item.attempts + 1,
            )
            user = await session.get(User, item.user_id)
            if user is not None:
                user.unreachable = True
                await outbox.cancel_pending(session, user.id, "blocked")
                await events.record(
                    session,
                    user,
                    events.USER_UNREACHABLE,
                    rome=row.rome if row else None,
                    reason=reason[:200],
                    **item.facts,
                )
        self.stats["blocked"] += 1

    async def _transient(self, item: _Claimed, reason: str) -> None:
        attempts = item.attempts + 1
        if attempts >= self.config.max_attempts:
            await self._settle(
                item,
                outbox.FAILED,
                events.NUDGE_FAILED,
                note=f"gave up after {attempts} tries: {reason}"[:255],
                attempts=attempts,
            )
            return
        wait = outbox.backoff(attempts, timedelta(seconds=self.config.backoff))
        async with self.db.transaction() as session:
            await outbox.settle(
                session,
                item.nudge_id,
                self.worker,
                state=outbox.PENDING,
                due_at=self._now() + wait,
                attempts=attempts,
                claimed_by=None,
                claimed_at=None,
                note=f"retry: {reason}"[:255],
            )
        self.stats["retried"] += 1

    async def _template_fault(self, item: _Claimed, error: str) -> None:
        log.error("Telegram refused the HTML of %s (%s): sending plain text", item.reply.key, error)
        async with self.db.transaction() as session:
            await events.record_for(
                session,
                item.user_id,
                events.NUDGE_TEMPLATE_FAULT,
                key=item.reply.key,
                error=error[:200],
                **item.facts,
            )
        self.stats["template_fault"] += 1
