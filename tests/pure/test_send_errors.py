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


def _network(message: str, cause: Exception | None = None) -> NetworkError:
    try:
        raise NetworkError(message) from cause
    except NetworkError as exc:
        return exc


def test_only_failures_to_connect_may_be_retried() -> None:
    refused = _network("httpx.ConnectError: Connection refused", httpx.ConnectError("x"))
    assert isinstance(translate(refused), TransientError)
    assert isinstance(translate(_timed_out(httpx.ConnectTimeout("x"))), TransientError)
    assert isinstance(translate(_timed_out(httpx.PoolTimeout("x"))), TransientError)


def test_a_read_timeout_may_have_delivered_the_message() -> None:
    error = translate(_timed_out(httpx.ReadTimeout("x")))
    assert isinstance(error, MaybeDelivered) and not isinstance(error, TransientError)


def test_server_errors_and_cut_connections_may_have_delivered_the_message() -> None:
    """Finding 2: a 5xx, or a connection cut after the request left, is not "not sent"."""
    cut = _network("httpx.RemoteProtocolError: Server disconnected", httpx.RemoteProtocolError("x"))
    reset = _network("httpx.ReadError: Connection reset by peer", httpx.ReadError("x"))
    server = (NetworkError("Bad Gateway"), NetworkError("Internal Server Error (500)"))
    for error in (*server, cut, reset):
        translated = translate(error)
        assert isinstance(translated, MaybeDelivered), error
        assert not isinstance(translated, TransientError)
