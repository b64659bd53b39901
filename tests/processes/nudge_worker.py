"""Run one nudge dispatcher (scheduler included) against a database and a Bot API until stopped.

Used by the kill -9 and two-process tests as a separate process, exactly as the bot process runs
it (python-telegram-bot's Bot behind the logging messenger):

    python -m tests.processes.nudge_worker DATABASE_URL API_ROOT TOKEN [--rate 25] [--horizon 0.5]

It keeps the operators' texts in force as every sending process does (`--texts-seconds` between
two checks of the table), prints "ready" once its scheduler runs, and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from telegram import Bot

from bot.messenger import TelegramMessenger
from coaching.nudges.dispatcher import DispatchConfig, Dispatcher
from coaching.nudges.scheduler import NudgeScheduler
from journey.conversation import LoggingMessenger
from kernel.texts import REFRESH_SECONDS, keep_in_force
from kernel.turn import Environment
from scoring.catalogue import load_catalogue
from storage.engine import Database


async def run(options: argparse.Namespace) -> None:
    """Dispatch until SIGTERM."""
    db = Database(options.database_url)
    bot = Bot(options.token, base_url=f"{options.api_root}/bot")
    async with bot:
        messenger = LoggingMessenger(TelegramMessenger(bot), db.sessions)
        env = Environment(catalogue=load_catalogue(), quiet_hours=None, nudge_daily_cap=None)
        config = DispatchConfig(
            rate=options.rate,
            lease=options.lease,
            chat_gap=options.chat_gap,
            horizon=options.horizon,
        )
        dispatcher = Dispatcher(db, messenger, env, config, worker=options.worker or None)
        scheduler = NudgeScheduler(dispatcher, poll_seconds=options.poll)
        texts = await keep_in_force(db, options.texts_seconds)  # as every sending process
        await scheduler.start()
        print("ready", flush=True)
        stopping = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
        await stopping.wait()
        await scheduler.stop()
        await texts.close()
        print(f"stats {dict(dispatcher.stats)}", flush=True)
    await db.dispose()


def main() -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url")
    parser.add_argument("api_root")
    parser.add_argument("token")
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--chat-gap", type=float, default=1.0)
    parser.add_argument("--horizon", type=float, default=0.5)
    parser.add_argument("--poll", type=float, default=0.2)
    parser.add_argument("--worker", default="")
    parser.add_argument("--texts-seconds", type=float, default=REFRESH_SECONDS)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
