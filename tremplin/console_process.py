"""Wiring the web console: database, careers catalogue, the session-signing secret shared through
the database, and a messenger that sends coaches' replies through the bot (python-telegram-bot's
`Bot`, built in `bot/`). `tremplin console` runs it alone; the playground runs it beside the bot.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from accounts import service as accounts
from accounts.passwords import generate_password
from accounts.secrets import shared_secret
from bot.messenger import bot_messenger
from bot.runtime import make_messenger
from coaching.partners import SHIPPED, import_partners
from console.app import ConsoleServices, build_console
from console.security import SessionSigner
from kernel.partners import list_partners
from kernel.secret_box import SecretBox
from kernel.texts import keep_in_force
from messages.messenger import Messenger, Rejected
from messages.outgoing import Reply
from migrations.apply import upgrade_async
from storage.engine import Database
from tremplin.serving import serve
from tremplin.settings import Settings


class NoBot:
    """The messenger of a console started without a bot token: nothing can be sent, and the
    coach is told so (the reply stays on the referral, not delivered)."""

    async def send(self, chat_id: int, reply: Reply, *, html: bool = True) -> int:
        """Refuse: there is no bot to send through."""
        raise Rejected("no TELEGRAM_BOT_TOKEN: the console cannot send through the bot")

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Refuse: there is no bot to send through."""
        raise Rejected("no TELEGRAM_BOT_TOKEN: the console cannot send through the bot")


@dataclass
class DemoAccount:
    """A demo account the playground made, with its password (shown once)."""

    email: str
    role: str
    password: str | None  # None: it existed already, its password was shown when it was made


@dataclass
class ConsoleProcess:
    """The console served on an address, sending through the bot at `api_root` with `token`."""

    settings: Settings
    token: str = ""
    api_root: str = ""
    db: Database = field(init=False)
    address: str = field(init=False, default="")
    _stack: contextlib.AsyncExitStack = field(init=False, default_factory=contextlib.AsyncExitStack)

    @property
    def box(self) -> SecretBox:
        """What encrypts the programmes' webhook secrets (TREMPLIN_SECRETS_KEY)."""
        return SecretBox(self.settings.secrets_key)

    async def start(self, *, host: str | None = None, port: int | None = None) -> str:
        """Migrate, wire and serve; returns the console's root URL. A busy port falls back to
        a free one when `port` was not asked for explicitly (the playground's case)."""
        await upgrade_async(self.settings.database_url)
        self.db = Database(self.settings.database_url)
        self._stack.push_async_callback(self.db.dispose)
        async with self.db.transaction() as session:
            await import_partners(session, self.settings.partners_file or SHIPPED, box=self.box)
        async with self.db.transaction() as session:
            secret = await shared_secret(session)
        # Coaches' replies and the satisfaction question leave from here: in the operators'
        # texts, kept in force as in the bot's processes.
        texts = await keep_in_force(self.db)
        self._stack.push_async_callback(texts.close)
        inner: Messenger
        if self.token:
            inner = await self._stack.enter_async_context(
                bot_messenger(self.token, self.api_root or self.settings.bot_api_url)
            )
        else:
            inner = NoBot()
        from tremplin.app import build_environment, operations_routes_for

        services = ConsoleServices(
            db=self.db,
            messenger=make_messenger(inner, self.db),
            signer=SessionSigner(secret),
            catalogue=build_environment(self.settings).catalogue,
            secure_cookies=self.settings.console_secure_cookie,
            trusted_proxies=self.settings.console_trusted_proxies,
            secrets=self.box,
        )
        app = build_console(services)
        # /healthz, /readyz (database, schema) and /metrics: the bot workers' routes.
        app.router.routes.extend(operations_routes_for(self.db))
        host = host or self.settings.console_listen
        wanted = self.settings.console_port if port is None else port
        try:
            self.address = await self._stack.enter_async_context(_serving(app, host, wanted))
        except OSError as exc:
            if port is not None or exc.errno != errno.EADDRINUSE:
                raise
            self.address = await self._stack.enter_async_context(_serving(app, host, 0))
        return self.address

    async def stop(self) -> None:
        """Stop serving, close the bot's HTTP client and the database."""
        await self._stack.aclose()

    async def demo_accounts(self) -> list[DemoAccount]:
        """The playground's demo admin and demo coach (of the first open programme)."""
        made: list[DemoAccount] = []
        async with self.db.transaction() as session:
            programmes = [p for p in await list_partners(session) if p.is_open]
            existing = {a.email for a in await accounts.list_accounts(session)}
            wanted: list[tuple[str, str, str | None, str]] = [
                ("admin@tremplin.example", accounts.ADMIN, None, "Admin démo")
            ]
            if programmes:
                wanted.append(
                    ("coach@tremplin.example", accounts.COACH, programmes[0].code, "Julie Martin")
                )
            for email, role, programme, name in wanted:
                if email in existing:
                    made.append(DemoAccount(email, role, None))
                    continue
                password = generate_password()
                await accounts.create_account(
                    session, email, role, password, programme_code=programme, display_name=name
                )
                made.append(DemoAccount(email, role, password))
        return made


@contextlib.asynccontextmanager
async def _serving(app: object, host: str, port: int) -> AsyncIterator[str]:
    async with serve(app, host=host, port=port) as root:
        yield root
