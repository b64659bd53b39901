"""Signed session cookies with an idle time-out, CSRF tokens, and security headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "tremplin_console"
IDLE_SECONDS = 30 * 60
MAX_AGE_SECONDS = 12 * 3600

# Everything from our own origin only; no inline script or style, no framing, forms post home.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


@dataclass(frozen=True)
class SessionData:
    """What the cookie carries: the account (None before sign-in), its session version, the CSRF
    token, when the session began, when it was last used, and the console language."""

    account_id: int | None
    version: int
    csrf: str
    issued: float
    seen: float
    lang: str = "fr"

    @staticmethod
    def anonymous(lang: str = "fr") -> SessionData:
        """A session before sign-in: only a CSRF token for the sign-in form."""
        now = time.time()
        return SessionData(None, 0, secrets.token_urlsafe(24), now, now, lang)

    def signed_in(self, account_id: int, version: int) -> SessionData:
        """A new session for the account (new CSRF token: no fixation from before sign-in)."""
        now = time.time()
        return SessionData(account_id, version, secrets.token_urlsafe(24), now, now, self.lang)

    def speaking(self, lang: str) -> SessionData:
        """The same session, with the console in another language."""
        return replace(self, lang=lang)

    def touched(self) -> SessionData:
        """The same session, used now (the idle time-out starts again)."""
        return replace(self, seen=time.time())


class SessionSigner:
    """Serialises a session into a cookie value signed with HMAC-SHA256, and back."""

    def __init__(
        self, secret: str, *, idle: float = IDLE_SECONDS, max_age: float = MAX_AGE_SECONDS
    ) -> None:
        self._key = hashlib.sha256(("tremplin-console:" + secret).encode()).digest()
        self.idle = idle
        self.max_age = max_age

    def _mac(self, body: bytes) -> str:
        digest = hmac.new(self._key, body, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def dumps(self, data: SessionData) -> str:
        """The cookie value."""
        payload = json.dumps(
            [data.account_id, data.version, data.csrf, data.issued, data.seen, data.lang],
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._mac(body.encode())}"

    def loads(self, value: str | None) -> tuple[SessionData | None, bool]:
        """The session in a cookie, and whether it expired (idle or too old). A forged or
        damaged cookie is no session at all."""
        if not value or "." not in value:
            return None, False
        body, _, mac = value.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(body.encode())):
            return None, False
        try:
            raw: Any = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            account_id, version, csrf, issued, seen, lang = raw
            data = SessionData(
                int(account_id) if account_id is not None else None,
                int(version),
                str(csrf),
                float(issued),
                float(seen),
                str(lang) if lang in ("fr", "en") else "fr",
            )
        except (ValueError, TypeError):
            return None, False
        now = time.time()
        if data.account_id is not None and (
            now - data.seen > self.idle or now - data.issued > self.max_age
        ):
            return data, True
        return data, False


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str) -> tuple[Network, ...]:
    """`10.0.0.5, 192.168.0.0/24, ::1` as networks (an address is a network of one); empty: none.
    Raises ValueError naming the first entry that is neither."""
    networks: list[Network] = []
    for part in raw.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{part.strip()!r} is not an address or a network") from None
    return tuple(networks)


def _among(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, headers: Any, trusted: Sequence[Network]) -> str:
    """The address of the person at the other end, as sign-in throttling counts it.

    The socket's peer, unless it is one of our trusted proxies: then X-Forwarded-For is read from
    its right end (what our proxies appended) leftwards, past the trusted proxies, and the first
    other address is the client. What a client writes in the header itself sits left of that and
    is never reached, so a forged header cannot change the address counted.
    """
    forwarded = headers.get("x-forwarded-for") if trusted else None
    if not forwarded or not _among(peer, trusted):
        return peer
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        if not _among(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # not an address our proxy wrote: count the proxy's connection
    return peer


def came_over_https(scheme: str, peer: str, headers: Any, trusted: Sequence[Network]) -> bool:
    """Whether the browser reached us over HTTPS: directly, or as a trusted proxy says in
    X-Forwarded-Proto (its last value, the one our proxy set)."""
    if scheme == "https":
        return True
    proto = headers.get("x-forwarded-proto") if trusted else None
    if not proto or not _among(peer, trusted):
        return False
    return str(proto).split(",")[-1].strip().lower() == "https"


def csrf_ok(expected: str, given: str | None) -> bool:
    """Whether a form's (or header's) token is the session's."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


class SecurityHeaders:
    """ASGI middleware adding the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not scope["path"].startswith("/static/"):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)
