"""The process's Prometheus metrics (prometheus-client), defined once for every layer.

Labels take a handful of fixed values (a kind of update, an outcome), never a user, a chat or
a text, so the series stay few and say nothing about anyone.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Replies are meant to take tens of milliseconds; the buckets reach far enough to show a stall.
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

UPDATES = Counter(
    "tremplin_updates_total",
    "Updates handled, by kind (command, text, button, media, edit).",
    ["kind"],
)
REPLY_SECONDS = Histogram(
    "tremplin_reply_seconds",
    "From an update's handling starting to its last reply sent (and its button answered).",
    ["kind"],
    buckets=_LATENCY_BUCKETS,
)
UPDATE_WAIT_SECONDS = Histogram(
    "tremplin_update_wait_seconds",
    "Dispatcher lag: from an update's receipt to its handling starting (waiting for the same "
    "chat's earlier updates and for a free slot).",
    buckets=_LATENCY_BUCKETS,
)
UPDATES_IN_FLIGHT = Gauge(
    "tremplin_updates_in_flight", "Updates received and not yet finished (waiting included)."
)
SENDS = Counter(
    "tremplin_sends_total",
    "Calls to the Bot API that post or edit a message, by outcome "
    "(ok, 429, 403, 400, 5xx, timeout, network).",
    ["outcome"],
)
NUDGES = Counter(
    "tremplin_nudges_total",
    "Nudges by outcome: sent, cancelled (stop, delete, blocked…), uncertain (in flight when a "
    "process died), failed.",
    ["outcome"],
)
NUDGE_LAG_SECONDS = Histogram(
    "tremplin_nudge_lag_seconds",
    "Nudge dispatcher lag: from a nudge's due time to its message accepted by Telegram.",
    buckets=(1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
)
PARTNER_WEBHOOKS = Counter(
    "tremplin_partner_webhook_deliveries_total",
    "Attempts to deliver a signed webhook to a partner programme, by outcome "
    "(delivered, retry, gave_up).",
    ["outcome"],
)
TELEGRAM_WEBHOOK = Counter(
    "tremplin_telegram_webhook_requests_total",
    "Requests to the Telegram webhook endpoint, by answer (ok, forbidden, too_large, bad_request).",
    ["outcome"],
)
DB_POOL = Gauge(
    "tremplin_db_pool_connections",
    "Database connections of this process's pool, by state (in_use, idle, size).",
    ["state"],
)


def send_outcome(status: int | None, *, timeout: bool = False) -> str:
    """The `outcome` label of a Bot API call from its HTTP status (None: no answer)."""
    if timeout:
        return "timeout"
    if status is None:
        return "network"
    if status == 200:
        return "ok"
    if status in (400, 403, 429):
        return str(status)
    return "5xx" if status >= 500 else "other"
