"""Partner webhooks over real HTTP: a small receiver on loopback records what arrives, can answer
errors first, and the sender signs, retries with back-off for a day and logs every attempt.

`Receiver` and `partners_file` are also used by the end-to-end hand-over tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from coaching import webhooks
from coaching.partners import import_partners
from coaching.webhooks import RetryPolicy, WebhookSender
from kernel.partners import Partner, check_webhook_url, get_partner
from kernel.secret_box import SecretBox
from storage.engine import Database
from storage.models import PartnerProgramme, WebhookAttempt, WebhookDelivery
from tremplin.serving import serve

SECRET = "partner-secret-for-tests"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass
class Received:
    """One request the partner's endpoint received."""

    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        """The parsed body."""
        data: dict[str, Any] = json.loads(self.body)
        return data

    @property
    def event(self) -> str:
        """The event name."""
        return str(self.json["event"])


@dataclass
class Receiver:
    """A partner's webhook endpoint: records requests; answers the queued statuses, then 200."""

    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def app(self) -> Starlette:
        """The endpoint as an ASGI app, at /hook."""

        async def hook(request: Request) -> Response:
            self.requests.append(Received(dict(request.headers), await request.body()))
            status, headers = self.answers.pop(0) if self.answers else (200, {})
            return Response("ok" if status < 300 else "error", status, headers)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])

    def events(self) -> list[str]:
        """The events received, in order."""
        return [r.event for r in self.requests]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Wait until `predicate()` holds (polling; the sender runs in the bot process)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out; received {self.events()}")
            await asyncio.sleep(0.02)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running receiver on loopback."""
    endpoint = Receiver()
    async with serve(endpoint.app()) as root:
        endpoint.url = f"{root}/hook"
        yield endpoint


def partners_file(path: Path, url: str, **overrides: str) -> Path:
    """A programmes file with one programme, `hooked`, posting to `url` (with `overrides` as
    extra top-level YAML fields, e.g. answers_within="1s")."""
    extra = "".join(f"    {key}: {value}\n" for key, value in overrides.items())
    path.write_text(
        "programmes:\n"
        "  - code: hooked\n"
        "    name: Programme Test\n"
        "    description: {fr: Un programme de test., en: A test programme.}\n"
        "    coach: {fr: Un conseiller vous répond., en: An adviser answers you.}\n"
        f"    webhook: {{url: '{url}', secret: {SECRET}}}\n" + extra + "  - code: quiet\n"
        "    name: Programme Sans Webhook\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def partner(db: Database, receiver: Receiver, tmp_path: Path) -> Partner:
    """The `hooked` programme, imported into the database."""
    async with db.transaction() as session:
        await import_partners(session, partners_file(tmp_path / "partners.yaml", receiver.url))
        found = await get_partner(session, "hooked")
    assert found is not None
    return found


async def _enqueue(db: Database, partner: Partner, now: datetime = T0) -> int:
    async with db.transaction() as session:
        delivery = await webhooks.enqueue(
            session,
            partner,
            webhooks.MESSAGE_CREATED,
            {"referral": {"id": 7}, "message": {"text": "Bonjour, ça va ? 😊"}},
            user_id=None,
            referral_id=7,
            now=now,
        )
        assert delivery is not None
        return delivery.id


async def _delivery(db: Database, delivery_id: int) -> WebhookDelivery:
    async with db.transaction() as session:
        row = await session.get(WebhookDelivery, delivery_id)
        assert row is not None
        return row


async def _attempts(db: Database, delivery_id: int) -> list[WebhookAttempt]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.id)
        )
        return list(rows)


async def test_delivery_is_signed_and_idempotent(
    db: Database, partner: Partner, receiver: Receiver
) -> None:
    delivery_id = await _enqueue(db, partner)
    sender = WebhookSender(db)
    try:
        assert await sender.send_due(T0) == 1
        assert await sender.send_due(T0 + timedelta(hours=1)) == 0  # delivered once only
    finally:
        await sender.aclose()
    (request,) = receiver.requests
    signature = request.headers["x-tremplin-signature"]
    stamp = request.headers["x-tremplin-timestamp"]
    assert signature.startswith("sha256=")
    assert webhooks.verify(SECRET, request.body, signature, stamp)
    assert not webhooks.verify("another-secret", request.body, signature, stamp)
    assert not webhooks.verify(SECRET, request.body + b" ", signature, stamp)
    body = request.json
    assert body["event"] == "message.created" == request.headers["x-tremplin-event"]
    assert body["id"] == request.headers["x-tremplin-idempotency-key"]
    assert body["programme"] == "hooked"
    assert body["data"]["message"]["text"] == "Bonjour, ça va ? 😊"
    row = await _delivery(db, delivery_id)
    assert row.state == "delivered" and row.delivered_at == T0
    assert [a.status_code for a in await _attempts(db, delivery_id)] == [200]


async def test_a_500_is_retried_after_the_back_off_with_the_same_key(
    db: Database, partner: Partner, receiver: Receiver
) -> None:
    receiver.answers = [(500, {})]
    delivery_id = await _enqueue(db, partner)
    sender = WebhookSender(db)
    try:
        await sender.send_due(T0)
        row = await _delivery(db, delivery_id)
        assert row.state == "pending" and row.last_error == "HTTP 500"
        assert row.next_attempt_at == T0 + timedelta(seconds=30)
        assert await sender.send_due(T0 + timedelta(seconds=10)) == 0  # not due yet
        assert await sender.send_due(T0 + timedelta(seconds=30)) == 1
    finally:
        await sender.aclose()
    first, second = receiver.requests
    assert first.body == second.body
    assert (
        first.headers["x-tremplin-idempotency-key"] == second.headers["x-tremplin-idempotency-key"]
    )
    assert (await _delivery(db, delivery_id)).state == "delivered"
    assert [a.status_code for a in await _attempts(db, delivery_id)] == [500, 200]


async def test_retry_after_is_obeyed(db: Database, partner: Partner, receiver: Receiver) -> None:
    receiver.answers = [(429, {"Retry-After": "600"})]
    delivery_id = await _enqueue(db, partner)
    sender = WebhookSender(db)
    try:
        await sender.send_due(T0)
    finally:
        await sender.aclose()
    assert (await _delivery(db, delivery_id)).next_attempt_at == T0 + timedelta(seconds=600)


async def test_back_off_doubles_then_gives_up_after_a_day(
    db: Database, partner: Partner, receiver: Receiver
) -> None:
    receiver.answers = [(503, {})] * 200
    delivery_id = await _enqueue(db, partner)
    sender = WebhookSender(db)
    now = T0
    try:
        while (row := await _delivery(db, delivery_id)).state == "pending":
            now = max(now, row.next_attempt_at)
            await sender.send_due(now)
    finally:
        await sender.aclose()
    attempts = await _attempts(db, delivery_id)
    times = [a.at for a in attempts]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps[:4] == [30, 60, 120, 240]
    assert max(gaps) == 3600  # capped at an hour
    assert times[-1] - T0 <= timedelta(days=1) < times[-1] - T0 + timedelta(hours=1)
    assert row.state == "failed" and len(attempts) == len(receiver.requests) > 20
    assert all(a.status_code == 503 for a in attempts)


async def test_unreachable_endpoint_is_logged_and_retried(db: Database, tmp_path: Path) -> None:
    async with db.transaction() as session:
        # Port 9 (discard) on loopback: nothing listens, the connection is refused.
        await import_partners(session, partners_file(tmp_path / "p.yaml", "http://127.0.0.1:9/x"))
        partner = await get_partner(session, "hooked")
    assert partner is not None
    delivery_id = await _enqueue(db, partner)
    sender = WebhookSender(db, policy=RetryPolicy(first_delay=timedelta(seconds=5)))
    try:
        await sender.send_due(T0)
    finally:
        await sender.aclose()
    (attempt,) = await _attempts(db, delivery_id)
    assert attempt.status_code is None and attempt.error and "Connect" in attempt.error
    row = await _delivery(db, delivery_id)
    assert row.state == "pending" and row.next_attempt_at == T0 + timedelta(seconds=5)


async def test_programme_without_webhook_is_not_posted_to(db: Database, partner: Partner) -> None:
    async with db.transaction() as session:
        quiet = await get_partner(session, "quiet")
        assert quiet is not None and not quiet.has_webhook
        assert (
            await webhooks.enqueue(
                session, quiet, webhooks.REFERRAL_CREATED, {}, user_id=1, referral_id=1, now=T0
            )
            is None
        )


async def test_the_signature_covers_a_timestamp_checked_within_five_minutes(
    db: Database, partner: Partner, receiver: Receiver
) -> None:
    """Finding 6: a recorded request cannot be replayed later, nor its timestamp changed."""
    await _enqueue(db, partner)
    sender = WebhookSender(db)
    try:
        await sender.send_due(T0)
    finally:
        await sender.aclose()
    (request,) = receiver.requests
    signature = request.headers["x-tremplin-signature"]
    stamp = request.headers["x-tremplin-timestamp"]
    sent = int(stamp)
    assert webhooks.verify(SECRET, request.body, signature, stamp, now=sent + 299)
    assert not webhooks.verify(SECRET, request.body, signature, stamp, now=sent + 301)
    assert not webhooks.verify(SECRET, request.body, signature, str(sent + 60), now=sent)
    # The old body-only signature no longer passes.
    import hashlib
    import hmac

    body_only = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert signature != body_only


async def test_env_secrets_stay_references_in_the_database(
    db: Database, tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 6: `env:NAME` is resolved when signing, never written to the database."""
    monkeypatch.setenv("HOOKED_SECRET", "value-from-the-environment")
    path = partners_file(tmp_path / "p.yaml", receiver.url)
    path.write_text(path.read_text().replace(SECRET, "env:HOOKED_SECRET"))
    async with db.transaction() as session:
        await import_partners(session, path)
        row = await session.get(PartnerProgramme, "hooked")
        assert row is not None and row.webhook_secret == "env:HOOKED_SECRET"
        partner = await get_partner(session, "hooked")
    assert partner is not None
    await _enqueue(db, partner)
    sender = WebhookSender(db)
    try:
        await sender.send_due(T0)
    finally:
        await sender.aclose()
    (request,) = receiver.requests
    headers = request.headers
    assert webhooks.verify(
        "value-from-the-environment",
        request.body,
        headers["x-tremplin-signature"],
        headers["x-tremplin-timestamp"],
    )
    # An unset variable stops the import with the variable's name.
    monkeypatch.delenv("HOOKED_SECRET")
    async with db.transaction() as session:
        with pytest.raises(ValueError, match="HOOKED_SECRET"):
            await import_partners(session, path)


async def test_an_encrypted_secret_is_opened_to_sign_and_a_wrong_key_sends_nothing(
    db: Database, tmp_path: Path, receiver: Receiver
) -> None:
    """The secret is encrypted in the database (TREMPLIN_SECRETS_KEY); the sender signs with the
    secret itself, and without the right key it sends nothing rather than a wrong signature."""
    box = SecretBox(Fernet.generate_key().decode())
    async with db.transaction() as session:
        await import_partners(session, partners_file(tmp_path / "p.yaml", receiver.url), box=box)
        row = await session.get(PartnerProgramme, "hooked")
        assert row is not None and row.webhook_secret and SECRET not in row.webhook_secret
        partner = await get_partner(session, "hooked")
    assert partner is not None
    await _enqueue(db, partner)
    wrong = WebhookSender(db, secrets=SecretBox(Fernet.generate_key().decode()))
    try:
        await wrong.send_due(T0)
    finally:
        await wrong.aclose()
    assert receiver.requests == []
    sender = WebhookSender(db, secrets=box)
    try:
        await sender.send_due(T0 + timedelta(hours=1))
    finally:
        await sender.aclose()
    (request,) = receiver.requests
    assert webhooks.verify(
        SECRET,
        request.body,
        request.headers["x-tremplin-signature"],
        request.headers["x-tremplin-timestamp"],
    )


def test_webhooks_must_be_https_except_on_loopback() -> None:
    """Finding 6: personal data never goes to a partner in clear over the network."""
    for url in ("http://partner.example/hook", "http://10.0.0.5/hook", "ftp://x/y", "https://"):
        with pytest.raises(ValueError, match="https"):
            check_webhook_url(url)
    for url in ("https://partner.example/hook", "http://127.0.0.1:8080/h", "http://localhost/h"):
        assert check_webhook_url(url) == url


async def test_a_garbled_retry_after_does_not_crash_and_a_delivery_gives_up_after_a_day(
    db: Database, partner: Partner, receiver: Receiver
) -> None:
    """Finding 6: `Retry-After: ²` (a digit to str.isdigit, not to int) was a crash that kept
    the row in flight for ever."""
    receiver.answers = [(503, {"Retry-After": "²"}), (503, {"Retry-After": "Mon, 99 Foo"})]
    delivery_id = await _enqueue(db, partner)
    sender = WebhookSender(db)
    try:
        await sender.send_due(T0)
        row = await _delivery(db, delivery_id)
        assert row.state == "pending" and row.next_attempt_at == T0 + timedelta(seconds=30)
        await sender.send_due(T0 + timedelta(seconds=30))
        assert [a.status_code for a in await _attempts(db, delivery_id)] == [503, 503]
        # A row stuck before this fix (claimed, never recorded) is given up after a day.
        async with db.transaction() as session:
            stuck = await session.get(WebhookDelivery, delivery_id)
            assert stuck is not None
            stuck.next_attempt_at = T0 + timedelta(days=2)
        assert await sender.send_due(T0 + timedelta(days=2)) == 0
    finally:
        await sender.aclose()
    assert (await _delivery(db, delivery_id)).state == "failed"
    assert len(receiver.requests) == 2


async def _point_hooked_at(db: Database, url: str) -> Partner:
    async with db.transaction() as session:
        row = await session.get(PartnerProgramme, "hooked")
        assert row is not None
        row.webhook_url = url
        hooked = await get_partner(session, "hooked")
    assert hooked is not None
    return hooked


async def test_the_answers_body_is_not_read(db: Database, partner: Partner) -> None:
    """Finding 6: a 200 followed by an endless body is delivered at once, not read into memory."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while not gone.is_set():  # a megabyte every 10 ms, for ever
            await send({"type": "http.response.body", "body": b"x" * 2**20, "more_body": True})
            await asyncio.sleep(0.01)
        watcher.cancel()

    async with serve(app) as root:
        delivery_id = await _enqueue(db, await _point_hooked_at(db, f"{root}/hook"))
        sender = WebhookSender(db, timeout=2.0)
        try:
            await sender.send_due(T0)
        finally:
            await sender.aclose()
    row = await _delivery(db, delivery_id)
    assert row.state == "delivered"
    (attempt,) = await _attempts(db, delivery_id)
    assert attempt.duration_ms < 1000


async def test_a_slow_endpoint_cannot_outlast_its_claim(db: Database, partner: Partner) -> None:
    """Finding 6: an endpoint that trickles its answer a byte at a time (never a read time-out)
    is cut at the sender's deadline, well inside the claim, so no other sender takes the row
    and posts it a second time."""
    posts = 0

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal posts
        posts += 1
        await reader.readuntil(b"\r\n\r\n")
        try:
            writer.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(200):
                writer.write(b"X-Slow: x\r\n")
                await writer.drain()
                await asyncio.sleep(0.1)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(trickle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        hooked = await _point_hooked_at(db, f"http://127.0.0.1:{port}/hook")
        delivery_id = await _enqueue(db, hooked)
        first = WebhookSender(db, timeout=0.5, batch=1)
        second = WebhookSender(db, timeout=0.5, batch=1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await first.send_due(T0)
            elapsed = loop.time() - started
            # Within the claim, a second sender finds nothing to take.
            assert await second.send_due(T0 + timedelta(seconds=elapsed)) == 0
        finally:
            await first.aclose()
            await second.aclose()
    finally:
        server.close()
    assert elapsed < 1.5 and first.lease > timedelta(seconds=elapsed)
    assert posts == 1
    (attempt,) = await _attempts(db, delivery_id)
    assert attempt.error is not None and "no answer within" in attempt.error
