"""Serving ASGI applications in-process with uvicorn, on a socket we bind ourselves."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn


@contextlib.asynccontextmanager
async def serve(app: Any, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its root URL (port 0 picks a free port)."""
    # IPPROTO_TCP spelled out: asyncio only turns Nagle's algorithm off (TCP_NODELAY) on sockets
    # whose proto says TCP, and with it on, every response written in two parts (headers, then
    # body) waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    bound_port = sock.getsockname()[1]
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from any local process
    # (127.0.0.1 by default), letting a forged header dodge the console's per-address sign-in
    # throttling; the console reads it only from its configured trusted proxies.
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", access_log=False, proxy_headers=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # raises the start-up error
            await asyncio.sleep(0.01)
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=5)
        sock.close()
