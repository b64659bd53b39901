"""`tremplin run` without a token also serves the web console, prints its address and the demo
accounts' passwords once, and the demo coach can sign in with what was printed."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_the_playground_serves_the_console_with_demo_accounts(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TREMPLIN_PLAYGROUND_PORT": str(_free_port()),
        "TREMPLIN_CONSOLE_PORT": str(_free_port()),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    tremplin = Path(sys.executable).with_name("tremplin")
    process = await asyncio.create_subprocess_exec(
        str(tremplin),
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    printed: list[str] = []
    try:
        async with asyncio.timeout(90):
            while not any("open http" in line for line in printed):
                line = (await process.stdout.readline()).decode()
                if not line:
                    raise RuntimeError("tremplin run exited early:\n" + "".join(printed))
                printed.append(line)
        text = "".join(printed)
        console = re.search(r"Web console for coaches and admins: (http://\S+)/", text)
        coach = re.search(r"coach: (\S+)  password \(shown once\): (\S+)", text)
        assert console is not None and coach is not None, text
        assert re.search(r"admin: admin@tremplin\.example  password \(shown once\): \S+", text)
        async with httpx.AsyncClient(base_url=console.group(1)) as http:
            form = await http.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf is not None
            signed = await http.post(
                "/login",
                data={"csrf": csrf.group(1), "email": coach.group(1), "password": coach.group(2)},
            )
            assert signed.status_code == 303
            inbox = await http.get("/")
            assert inbox.status_code == 200 and "Boîte de réception" in inbox.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout=20)
        except TimeoutError:
            process.kill()
    assert process.returncode == 0
