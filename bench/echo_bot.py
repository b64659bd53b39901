"""The peer of `bench_throughput.py`: a bare python-telegram-bot echo bot, long polling.

    python bench/echo_bot.py TOKEN API_ROOT

It answers every text message with the same text, and every button press with an empty answer,
with python-telegram-bot's defaults (updates handled one at a time), and nothing else: no
database, no templates. It prints "ready" once polling runs and stops on SIGTERM.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
from telegram.ext import filters as telegram_filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat.id, message.text)


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop the button's spinner."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def announce(_application: Any) -> None:
    """Tell the benchmark that the bot is up."""
    print("ready", flush=True)


def main() -> None:
    """Poll until SIGTERM."""
    token, api_root = sys.argv[1], sys.argv[2]
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .post_init(announce)
        .build()
    )
    application.add_handler(MessageHandler(telegram_filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(press))
    application.run_polling(
        poll_interval=0.0, timeout=10, stop_signals=(signal.SIGTERM, signal.SIGINT)
    )


if __name__ == "__main__":
    main()
