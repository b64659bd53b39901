"""Building the python-telegram-bot Application: handlers, command menu, error handling."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.callbacks import decode
from bot.handlers import ActionFlow, CommandFlow, all_actions, all_commands
from bot.messenger import TelegramMessenger
from bot.ordering import PerChatUpdateProcessor
from bot.runtime import BotServices, make_messenger, process
from bot.webhook import webhook_app
from journey import access, inbox
from kernel.turn import Environment, Turn
from messages.outgoing import Outcome
from messages.render import LANGUAGES, render
from storage.engine import Database

log = logging.getLogger(__name__)

SERVICES = "services"
ACTIONS = "actions"
_MEDIA_LABELS = {
    "sticker": "[sticker]",
    "photo": "[photo]",
    "voice": "[voice message]",
    "video": "[video]",
    "video_note": "[video message]",
    "audio": "[audio]",
    "document": "[file]",
    "location": "[location]",
    "venue": "[place]",
    "contact": "[contact]",
    "animation": "[animation]",
    "poll": "[poll]",
    "dice": "[dice]",
}


def _services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    services = context.application.bot_data[SERVICES]
    assert isinstance(services, BotServices)
    return services


def _command_handler(name: str, flow: CommandFlow) -> CommandHandler[Any, None]:
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        text = message.text or "" if message is not None else ""
        argument = " ".join(context.args or [])

        async def run(turn: Turn) -> Outcome:
            return await flow(turn, argument)

        await process(update, _services(context), run, kind="command", text=text)

    return CommandHandler(name, handle, filters=filters.UpdateType.MESSAGE)


async def _on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    action = decode(data)
    actions: dict[str, ActionFlow] = context.application.bot_data[ACTIONS]
    flow = actions.get(action.name) if action else None
    label = _button_label(update, data)

    async def run(turn: Turn) -> Outcome:
        if action is None or flow is None:
            return Outcome(notice=render("common.stale_button", turn.lang))
        refused = access.refuse_before_onboarding(turn, action.name)
        if refused is not None:
            return refused
        return await flow(turn, action.args)

    await process(
        update, _services(context), run, kind="button", text=label, callback_data=data[:128]
    )


def _button_label(update: Update, data: str) -> str:
    """The text of the pressed button, so the log reads like the conversation did."""
    message = update.callback_query.message if update.callback_query else None
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()) or ():
        for button in row:
            if button.callback_data == data:
                return str(button.text)
    return ""


async def _on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    text = (message.text or "") if message is not None else ""

    async def run(turn: Turn) -> Outcome:
        return await inbox.handle_text(turn, text)

    await process(update, _services(context), run, kind="text", text=text)


async def _on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    await process(update, _services(context), inbox.unknown_command, kind="command", text=text)


async def _on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    label = "[message]"
    if message is not None:
        label = next(
            (text for attr, text in _MEDIA_LABELS.items() if getattr(message, attr, None)),
            "[message]",
        )
        if message.caption:
            label += " " + message.caption
    await process(update, _services(context), inbox.not_text, kind="media", text=label)


async def _on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is logged but not answered again: the bot already replied to it."""
    message = update.edited_message
    if message is None:
        return

    async def run(turn: Turn) -> Outcome:
        return Outcome()

    await process(update, _services(context), run, kind="edit", text=message.text or "")


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling an update", exc_info=context.error)


def build_application(
    token: str,
    api_root: str,
    *,
    concurrent_updates: int = 32,
    **builder_options: Any,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """An Application wired to Tremplin's handlers, talking to the Bot API at `api_root`.

    The bot calls `{api_root}/bot{token}/{method}`, so the same code serves Telegram, the
    playground emulator and the tests' fake server. Up to `concurrent_updates` updates of
    different chats run at once; one chat's updates run in order (`bot.ordering`).
    """
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .concurrent_updates(PerChatUpdateProcessor(concurrent_updates))
    )
    for option, value in builder_options.items():
        builder = getattr(builder, option)(value)
    application = builder.build()
    application.bot_data[ACTIONS] = all_actions()
    private = filters.ChatType.PRIVATE
    for name, flow in all_commands().items():
        application.add_handler(_command_handler(name, flow))
    application.add_handler(CallbackQueryHandler(_on_button))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & private & filters.COMMAND, _on_unknown_command)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & private & filters.TEXT, _on_text)
    )
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, _on_edit))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & private, _on_other))
    application.add_error_handler(_on_error)
    return application


def command_menu(lang: str) -> list[BotCommand]:
    """The command menu in one language, from the `common.commands_menu` template."""
    commands: list[BotCommand] = []
    for line in render("common.commands_menu", lang).splitlines():
        name, _, description = line.partition(":")
        if name.strip() and description.strip():
            commands.append(BotCommand(name.strip(), description.strip()))
    return commands


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """setMyCommands in French (also the default) and English."""
    await application.bot.set_my_commands(command_menu("fr"))
    for lang in LANGUAGES:
        await application.bot.set_my_commands(command_menu(lang), language_code=lang)


@dataclass(frozen=True)
class Receiving:
    """How updates reach the bot: long polling, or a webhook when `webhook_url` is set."""

    webhook_url: str = ""
    listen: str = "127.0.0.1"
    port: int = 8443
    secret: str = ""
    poll_interval: float = 0.0
    polling_timeout: int = 10


class TelegramBot:
    """The running Application: started with its command menu and transport, stopped cleanly."""

    def __init__(
        self,
        token: str,
        api_root: str,
        db: Database,
        env: Environment,
        *,
        concurrent_updates: int = 32,
    ) -> None:
        self.application = build_application(
            token, api_root, concurrent_updates=concurrent_updates
        )
        # Everything the bot sends goes through the conversation log.
        messenger = make_messenger(TelegramMessenger(self.application.bot), db)
        self.services = BotServices(db=db, env=env, messenger=messenger)
        self.application.bot_data[SERVICES] = self.services
        self._api_ok_at = -1e9

    async def start(self, receiving: Receiving) -> None:
        """Register the command menu and start handling updates.

        With long polling, updates start arriving now. In webhook mode they arrive through
        `webhook_app`, which the caller serves before calling `set_webhook`.
        """
        await self.application.initialize()
        await register_commands(self.application)
        if not receiving.webhook_url:
            updater = self.application.updater
            assert updater is not None
            await updater.start_polling(
                poll_interval=receiving.poll_interval,
                timeout=receiving.polling_timeout,
                allowed_updates=Update.ALL_TYPES,
            )
        await self.application.start()

    def webhook_app(
        self, receiving: Receiving, extra_routes: Sequence[BaseRoute] = ()
    ) -> Starlette:
        """The ASGI app Telegram posts to (`/telegram`), refusing requests without the secret;
        `extra_routes` (health, readiness, metrics) are served beside it."""
        return webhook_app(self.application, receiving.secret, extra_routes=extra_routes)

    async def check_api(self) -> None:
        """Raise unless the Bot API answers getMe (for readiness probes).

        A success is trusted for 15 s, so a load balancer probing every second does not turn
        into a second's worth of calls to Telegram.
        """
        now = time.monotonic()
        if now - self._api_ok_at < 15:
            return
        await self.application.bot.get_me()
        self._api_ok_at = now

    async def set_webhook(self, receiving: Receiving) -> None:
        """Tell Telegram where to post updates, and the secret to send with each."""
        await self.application.bot.set_webhook(
            url=f"{receiving.webhook_url}/telegram",
            secret_token=receiving.secret,
            allowed_updates=Update.ALL_TYPES,
        )

    async def stop_receiving(self) -> None:
        """Long polling: ask Telegram for no more updates (webhooks: the server is closed)."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()

    async def finish_updates(self) -> None:
        """Let the updates already received run to their end (python-telegram-bot waits)."""
        if self.application.running:
            await self.application.stop()

    async def close(self) -> None:
        """Close the HTTP client (after the last send of the process)."""
        await self.application.shutdown()

    async def stop(self) -> None:
        """Stop receiving, let running handlers finish, close the HTTP client."""
        await self.stop_receiving()
        await self.finish_updates()
        await self.close()
