"""The endpoint Telegram posts updates to in webhook mode, as a small ASGI application.

It refuses cheaply before doing any work: the secret token Telegram sends in a header is
checked first (in constant time) and nothing of the body is read without it; the body is
capped; a body that is not an update is a 400, never a server error.

An update is processed before it is acknowledged: the 200 goes back only once the handlers have
run (and committed). If the process dies meanwhile, Telegram gets no answer and delivers the update
again, so a crash loses nothing. python-telegram-bot's own webhook server (and `update_queue`)
answers first and processes later; `Application.process_update`, run through the application's
update processor so that its concurrency limit holds, is what lets us do it in this order.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from kernel.metrics import TELEGRAM_WEBHOOK

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; 1 MB leaves room for any of them.
MAX_BODY = 1_000_000


class _TooLarge(Exception):
    pass


def webhook_app(
    application: Application[Any, Any, Any, Any, Any, Any],
    secret: str,
    *,
    path: str = "/telegram",
    max_body: int = MAX_BODY,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """An ASGI app that processes each valid update posted to `path`, then answers 200."""
    if not secret:
        raise ValueError("webhook mode needs a secret token")
    expected = secret.encode()

    async def receive_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook: refused a request without the right secret token")
            TELEGRAM_WEBHOOK.labels("forbidden").inc()
            return Response(status_code=403)
        try:
            body = await _read_capped(request, max_body)
        except _TooLarge:
            log.warning("webhook: refused a body over %d bytes", max_body)
            TELEGRAM_WEBHOOK.labels("too_large").inc()
            return Response(status_code=413)
        except ValueError:
            TELEGRAM_WEBHOOK.labels("bad_request").inc()
            return Response(status_code=400)
        try:
            data = json.loads(body)
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                raise ValueError("not an update")
            update = Update.de_json(data, application.bot)
            if update is None:
                raise ValueError("empty update")
        except Exception:  # any malformed update is the sender's fault, not ours
            log.warning("webhook: refused a body that is not an update")
            TELEGRAM_WEBHOOK.labels("bad_request").inc()
            return Response(status_code=400)
        # Handlers' errors go to the application's error handler; what reaches here is a fault
        # of the process itself (e.g. shutting down): answer 500 so that Telegram retries.
        try:
            await application.update_processor.process_update(
                update, application.process_update(update)
            )
        except Exception:
            log.exception("webhook: could not process update %s; Telegram will retry", update_id)
            TELEGRAM_WEBHOOK.labels("error").inc()
            return Response(status_code=500)
        TELEGRAM_WEBHOOK.labels("ok").inc()
        return Response(status_code=200)

    return Starlette(routes=[Route(path, receive_update, methods=["POST"]), *extra_routes])


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, read only while it stays within `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ValueError("bad Content-Length")
        if int(declared) > limit:
            raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
