"""Notifying partner programmes: a database outbox of signed JSON webhooks, sent with retries.

Each notification is a `WebhookDelivery` row written in the same transaction as what it reports
(so nothing is announced that did not happen, and nothing that happened is lost). A sender, run on
an interval by every process, claims due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL), POSTs them
and records every attempt in `webhook_attempts`. A failed delivery is tried again with exponential
back-off for a day, then marked `failed`. Delivery is at least once: partners deduplicate with the
idempotency key.

What a partner receives (see the README):

    POST <webhook url>
    Content-Type: application/json
    X-Tremplin-Event: referral.created
    X-Tremplin-Idempotency-Key: <uuid, the same on every retry>
    X-Tremplin-Timestamp: <Unix time of this attempt, in seconds>
    X-Tremplin-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the secret>

Partners reject a timestamp more than 5 minutes away from their clock (`TOLERANCE`), so a
recorded request cannot be replayed later. Only the answer's status and headers are read, never
its body; each attempt has a hard deadline, well inside the claim, so a slow endpoint cannot keep
a notification in flight until another process claims and sends it again.

    {"id": "<same uuid>", "event": "referral.created", "created_at": "...", "programme": "code",
     "data": {...}}
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.metrics import PARTNER_WEBHOOKS
from kernel.partners import Partner, check_webhook_url, get_partner, resolve_secret
from kernel.secret_box import SecretBox
from storage.dialect import locked
from storage.engine import Database
from storage.models import WebhookAttempt, WebhookDelivery, utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tremplin-Signature"
TIMESTAMP_HEADER = "X-Tremplin-Timestamp"
# How far a partner accepts the signed timestamp from its own clock.
TOLERANCE = timedelta(minutes=5)
IDEMPOTENCY_HEADER = "X-Tremplin-Idempotency-Key"
EVENT_HEADER = "X-Tremplin-Event"

# The events partners receive.
REFERRAL_CREATED = "referral.created"
REFERRAL_CLOSED = "referral.closed"
MESSAGE_CREATED = "message.created"
RELAY_ENDED = "relay.ended"
CONSENT_WITHDRAWN = "consent.withdrawn"
USER_DELETED = "user.deleted"
SATISFACTION_ANSWERED = "satisfaction.answered"

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
CANCELLED = "cancelled"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    timestamp: str | None,
    *,
    now: float | None = None,
    tolerance: timedelta = TOLERANCE,
) -> bool:
    """What a partner does on receipt: the timestamp is recent, and the signature of it and the
    body matches, compared in constant time."""
    if not header or not timestamp or not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return False
    moment = int(timestamp)
    current = time.time() if now is None else now
    if abs(current - moment) > tolerance.total_seconds():
        return False
    return hmac.compare_digest(sign(secret, body, moment), str(header))


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off: `first_delay`, doubled after each failure up to `max_delay`, for
    `give_up_after` from the notification's creation."""

    first_delay: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    max_delay: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(days=1)

    def delay(self, failures: int) -> timedelta:
        """How long to wait after the `failures`-th failed attempt (1 for the first)."""
        seconds = self.first_delay.total_seconds() * self.factor ** max(0, failures - 1)
        return min(timedelta(seconds=seconds), self.max_delay)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def enqueue(
    session: AsyncSession,
    partner: Partner,
    event: str,
    data: dict[str, Any],
    *,
    user_id: int | None,
    referral_id: int | None,
    now: datetime,
) -> WebhookDelivery | None:
    """Queue one notification to a programme; None when it has no webhook (console only)."""
    if not partner.has_webhook:
        return None
    key = str(uuid.uuid4())
    envelope = {
        "id": key,
        "event": event,
        "created_at": _iso(now),
        "programme": partner.code,
        "data": data,
    }
    delivery = WebhookDelivery(
        partner_code=partner.code,
        event=event,
        idempotency_key=key,
        body=json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        user_id=user_id,
        referral_id=referral_id,
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    await session.flush()
    return delivery


async def cancel_for_referral(session: AsyncSession, referral_id: int, reason: str) -> int:
    """Cancel what has not left yet about a referral (consent withdrawn); returns how many."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.referral_id == referral_id, WebhookDelivery.state == PENDING)
        .values(state=CANCELLED, last_error=reason[:500])
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_user(session: AsyncSession, user_id: int) -> None:
    """Erase every notification about a user, sent or not (their attempts go with them)."""
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.user_id == user_id))


@dataclass(frozen=True)
class _Claimed:
    id: int
    partner_code: str
    event: str
    key: str
    body: str
    url: str
    secret: str
    created_at: datetime
    attempts: int


_SECONDS = re.compile(r"^[0-9]{1,9}$")


def _retry_after(response: httpx.Response, now: datetime) -> timedelta | None:
    """The partner's `Retry-After` (seconds or an HTTP date); None when absent or unreadable."""
    raw = (response.headers.get("Retry-After") or "").strip()
    if not raw:
        return None
    if _SECONDS.match(raw):
        return timedelta(seconds=int(raw))
    try:
        return parsedate_to_datetime(raw) - now
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


class WebhookSender:
    """Sends due notifications; every process runs one on the hand-over interval."""

    def __init__(
        self,
        db: Database,
        client: httpx.AsyncClient | None = None,
        *,
        policy: RetryPolicy | None = None,
        batch: int = 20,
        timeout: float = 10.0,
        clock: Any = time.time,
        secrets: SecretBox | None = None,
    ) -> None:
        self.db = db
        self.secrets = secrets  # opens the programmes' encrypted secrets
        self.timeout = timeout
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.batch = batch
        self._own_client = client is None
        self.client = client or httpx.AsyncClient(
            timeout=timeout, headers={"User-Agent": "Tremplin-Webhooks/1"}
        )
        # A claim outlives the slowest batch (each partner's series runs one request at a time,
        # each with a hard deadline of `timeout`), so a row is only claimed again when its
        # process died mid-send.
        self.lease = timedelta(seconds=batch * timeout + 60)

    async def aclose(self) -> None:
        """Close the HTTP client if this sender created it."""
        if self._own_client:
            await self.client.aclose()

    async def send_due(self, now: datetime | None = None) -> int:
        """Send what is due now; returns the number of attempts made."""
        now = now or utcnow()
        claimed = await self._claim(now)
        if not claimed:
            return 0
        series: dict[str, list[_Claimed]] = defaultdict(list)
        for item in claimed:
            series[item.partner_code].append(item)
        # One partner's notifications go in order; different partners in parallel.
        await asyncio.gather(*(self._send_series(items, now) for items in series.values()))
        return len(claimed)

    async def _claim(self, now: datetime) -> list[_Claimed]:
        async with self.db.transaction() as session:
            query = (
                select(WebhookDelivery)
                .where(WebhookDelivery.state == PENDING, WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(self.batch)
            )
            query = locked(session, query, skip_locked=True)
            rows = list(await session.scalars(query))
            claimed: list[_Claimed] = []
            for row in rows:
                if now > row.created_at + self.policy.give_up_after:
                    row.state = FAILED
                    row.last_error = (row.last_error or "not delivered")[:450] + " (gave up)"
                    log.warning("webhook %s to %s: gave up", row.idempotency_key, row.partner_code)
                    continue
                partner = await get_partner(session, row.partner_code)
                if partner is None or not partner.has_webhook:
                    row.state = CANCELLED
                    row.last_error = "the programme has no webhook any more"
                    continue
                assert partner.webhook_url is not None
                secret = resolve_secret(partner.webhook_secret, self.secrets)
                problem = None if secret else "the webhook secret is not set"
                try:
                    check_webhook_url(partner.webhook_url)
                except ValueError as exc:
                    problem = str(exc)
                if problem is not None or secret is None:
                    # Nothing leaves; tried again later in case the operator fixes it.
                    row.attempts += 1
                    row.last_error = problem
                    row.next_attempt_at = now + self.policy.delay(row.attempts)
                    continue
                row.attempts += 1
                row.next_attempt_at = now + self.lease
                claimed.append(
                    _Claimed(
                        row.id,
                        row.partner_code,
                        row.event,
                        row.idempotency_key,
                        row.body,
                        partner.webhook_url,
                        secret,
                        row.created_at,
                        row.attempts,
                    )
                )
            return claimed

    async def _send_series(self, items: list[_Claimed], now: datetime) -> None:
        for item in items:
            await self._send_one(item, now)

    async def _send_one(self, item: _Claimed, now: datetime) -> None:
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        retry_after: timedelta | None = None
        try:
            status, retry_after = await self._post(item, now)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except TimeoutError:
            error = f"no answer within {self.timeout:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        except Exception as exc:  # a broken answer must not stop the other notifications
            log.exception("webhook %s to %s: unexpected error", item.key, item.partner_code)
            error = f"{type(exc).__name__}: {exc}"[:500]
        duration = int((time.monotonic() - started) * 1000)
        log.info(
            "webhook %s %s to %s, attempt %d: %s",
            item.event,
            item.key,
            item.partner_code,
            item.attempts,
            error or f"HTTP {status}",
        )
        await self._record(item, now, status, error, duration, retry_after)

    async def _post(self, item: _Claimed, now: datetime) -> tuple[int, timedelta | None]:
        """POST one notification; only the status and headers of the answer are read."""
        body = item.body.encode("utf-8")
        timestamp = int(self.clock())
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: item.event,
            IDEMPOTENCY_HEADER: item.key,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(item.secret, body, timestamp),
        }
        # A hard deadline for the whole exchange: httpx's time-outs are per read, and an endpoint
        # that trickles its answer could otherwise outlast the claim.
        async with asyncio.timeout(self.timeout):
            async with self.client.stream(
                "POST", item.url, content=body, headers=headers
            ) as response:
                retry_after = None
                if not response.is_success:
                    retry_after = _retry_after(response, now)
                return response.status_code, retry_after

    async def _record(
        self,
        item: _Claimed,
        now: datetime,
        status: int | None,
        error: str | None,
        duration_ms: int,
        retry_after: timedelta | None,
    ) -> None:
        async with self.db.transaction() as session:
            row = await session.get(WebhookDelivery, item.id)
            if row is None:
                return  # erased meanwhile (the user deleted their data)
            session.add(
                WebhookAttempt(
                    delivery_id=row.id,
                    at=now,
                    status_code=status,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            if row.state != PENDING:
                return  # cancelled while in flight
            if error is None:
                row.state = DELIVERED
                row.delivered_at = now
                row.last_error = None
                PARTNER_WEBHOOKS.labels("delivered").inc()
                return
            row.last_error = error
            wait = self.policy.delay(item.attempts)
            if retry_after is not None:
                wait = min(max(wait, retry_after), self.policy.max_delay)
            next_at = now + wait
            if next_at > item.created_at + self.policy.give_up_after:
                row.state = FAILED
                PARTNER_WEBHOOKS.labels("gave_up").inc()
                log.warning(
                    "webhook %s to %s failed for a day: gave up", item.key, item.partner_code
                )
            else:
                row.next_attempt_at = next_at
                PARTNER_WEBHOOKS.labels("retry").inc()
