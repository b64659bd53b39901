"""Telegram errors as the domain sees them: what may be retried and what may have been sent."""

from __future__ import annotations

from datetime import timedelta

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.messenger import translate
from messages.messenger import (
    MaybeDelivered,
    NotModified,
    Rejected,
    RetryLater,
    TransientError,
    Unreachable,
)


def _timed_out(cause: Exception) -> TimedOut:
    try:
        raise TimedOut() from cause
    except TimedOut as exc:
        return exc


def test_flood_control_carries_its_wait() -> None:
    error = translate(RetryAfter(timedelta(seconds=7)))
    assert isinstance(error, RetryLater) and error.seconds == 7


def test_blocked_bad_html_and_unchanged_edits() -> None:
    assert isinstance(translate(Forbidden("bot was blocked by the user")), Unreachable)
    assert isinstance(translate(BadRequest("Can't parse entities")), Rejected)
    assert isinstance(translate(BadRequest("Message is not modified")), NotModified)


def test_server_errors_and_connect_failures_may_be_retried() -> None:
    assert isinstance(translate(NetworkError("Bad Gateway")), TransientError)
    assert isinstance(translate(_timed_out(httpx.ConnectTimeout("x"))), TransientError)
    assert isinstance(translate(_timed_out(httpx.PoolTimeout("x"))), TransientError)


def test_a_read_timeout_may_have_delivered_the_message() -> None:
    error = translate(_timed_out(httpx.ReadTimeout("x")))
    assert isinstance(error, MaybeDelivered) and not isinstance(error, TransientError)
