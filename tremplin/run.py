"""`tremplin run`: the bot on Telegram, or without a token the local playground."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal

from starlette.applications import Starlette

from tremplin.app import Tremplin
from tremplin.console_process import ConsoleProcess, DemoAccount
from tremplin.playground.emulator import BotApiEmulator
from tremplin.playground.page import page_routes
from tremplin.serving import serve
from tremplin.settings import Settings

log = logging.getLogger(__name__)


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()


async def run(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM."""
    if settings.playground:
        await run_playground(settings)
        return
    process = Tremplin(settings, settings.telegram_bot_token, settings.bot_api_url)
    await process.start()
    mode = "webhook " + settings.webhook_url if settings.webhook_url else "long polling"
    print(f"Tremplin is running on Telegram ({mode}). Press Ctrl+C to stop.", flush=True)
    try:
        await _wait_for_signal()
    finally:
        await process.stop()


async def run_playground(settings: Settings) -> None:
    """The same bot, talking to an in-process Bot API emulator, with a chat page."""
    token = f"1:{secrets.token_hex(16)}"
    emulator = BotApiEmulator(token)
    app = Starlette(routes=[*emulator.routes(), *page_routes(emulator)])
    async with serve(app, port=settings.playground_port) as root:
        process = Tremplin(settings, token, root)
        await process.start(polling_timeout=5)
        console = ConsoleProcess(settings, token, root)
        try:
            address = await console.start()
            _print_console(address, await console.demo_accounts())
            print(
                f"Tremplin playground: open {root}/ in your browser (Ctrl+C to stop).", flush=True
            )
            await _wait_for_signal()
        finally:
            await console.stop()
            await process.stop()


def _print_console(address: str, demo: list[DemoAccount]) -> None:
    print(f"Web console for coaches and admins: {address}/", flush=True)
    for account in demo:
        if account.password is None:
            print(
                f"  {account.role}: {account.email} (exists already; "
                f"`tremplin users reset-password {account.email}` sets a new password)",
                flush=True,
            )
        else:
            print(
                f"  {account.role}: {account.email}  password (shown once): {account.password}",
                flush=True,
            )


async def run_console(settings: Settings) -> None:
    """`tremplin console`: the web console alone, sending through the bot's token."""
    console = ConsoleProcess(settings, settings.telegram_bot_token, settings.bot_api_url)
    address = await console.start(port=settings.console_port)
    if not settings.telegram_bot_token:
        print("No TELEGRAM_BOT_TOKEN: coaches' replies cannot be sent.", flush=True)
    print(f"Tremplin console: {address}/ (Ctrl+C to stop).", flush=True)
    try:
        await _wait_for_signal()
    finally:
        await console.stop()
