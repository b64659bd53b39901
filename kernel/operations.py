"""`/healthz`, `/readyz` and `/metrics`: routes any of the project's web servers can mount.

The webhook server of each bot process mounts them, and so can the console: the composition
root builds the readiness checks (database, schema, Bot API) and passes them in, so this module
knows nothing of either.

- `/healthz`: the process is up and its event loop answers (no check of anything else: a
  restart would not mend the database).
- `/readyz`: every check passes within its time limit; 503 with the failing checks named
  otherwise, so a load balancer stops sending updates to this process.
- `/metrics`: the Prometheus text format (prometheus-client's default registry).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

Check = Callable[[], Awaitable[None]]  # raises when not ready
CHECK_SECONDS = 3.0


async def run_checks(checks: Mapping[str, Check], timeout: float = CHECK_SECONDS) -> dict[str, str]:
    """Run every check at once; "ok" or what went wrong, by name."""

    async def one(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            return f"no answer within {timeout:g} s"
        except Exception as exc:  # a readiness probe reports, it never raises
            return f"{type(exc).__name__}: {str(exc)[:200]}"
        return "ok"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[name]) for name in names))
    return dict(zip(names, results, strict=True))


def operations_routes(
    checks: Mapping[str, Check], *, before_scrape: Callable[[], None] | None = None
) -> list[Route]:
    """The three routes; `before_scrape` refreshes gauges read at scrape time (pool use)."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        results = await run_checks(checks)
        ready = all(result == "ok" for result in results.values())
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)

    async def metrics(request: Request) -> Response:
        if before_scrape is not None:
            before_scrape()
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
