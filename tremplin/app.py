"""The composition root — start reading here. It wires one Tremplin process: what reacts to
what the user does (`build_reactions`), the domain's environment (`build_environment`), the
database, the bot application and its transport, and the background jobs (`Tremplin`).

`Tremplin` is started by `tremplin run` and, the same way, by the end-to-end tests against the
fake Bot API server.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.app import Receiving, TelegramBot
from bot.runtime import BotServices
from coaching import handover_privacy, handover_text, referrals
from coaching.handover_worker import JOB_NAME as HANDOVER_JOB
from coaching.handover_worker import HandoverWorker
from coaching.nudges import flows as nudge_flows
from coaching.nudges.scheduler import NudgeScheduler, build_scheduler
from coaching.partners import SHIPPED, import_partners
from coaching.webhooks import WebhookSender
from journey import search
from journey.retention import RetentionJob
from kernel.leases import Lease
from kernel.metrics import DB_POOL
from kernel.operations import Check, operations_routes
from kernel.periodic import PeriodicJob
from kernel.reactions import Reactions
from kernel.secret_box import SecretBox
from kernel.texts import keep_in_force
from kernel.turn import Environment
from migrations.apply import check_current, upgrade_async
from storage.engine import Database
from tremplin.serving import serve
from tremplin.settings import Settings

# What the background jobs get to finish or hand back at shutdown; with the updates in flight
# finishing meanwhile, a stop stays well within the 10 s an orchestrator waits after SIGTERM.
JOBS_STOP_SECONDS = 4.0


def operations_routes_for(db: Database, *, check_api: Check | None = None) -> list[BaseRoute]:
    """/healthz, /readyz (database reachable, schema current, Bot API reachable when
    `check_api` is given) and /metrics (with the pool's use read at each scrape), for the webhook
    server of a bot process and for the console."""
    checks: dict[str, Check] = {
        "database": db.ping,
        "migrations": functools.partial(check_current, db),
    }
    if check_api is not None:
        checks["bot_api"] = check_api

    def read_pool() -> None:
        for state, value in db.pool_use().items():
            DB_POOL.labels(state).set(value)

    return list(operations_routes(checks, before_scrape=read_pool))


def build_reactions() -> Reactions:
    """Everything that reacts to the user's journey, in the order it runs."""
    return Reactions(
        # A saved career starts the nudge sequence; removing the last one cancels it.
        career_saved=(nudge_flows.on_career_saved,),
        career_removed=(nudge_flows.on_career_removed,),
        # Free text: a satisfaction comment or a message for the coach first, else a search.
        free_text=(handover_text.text_route, search.route),
        # /stop and /delete cancel pending nudges; /delete also forgets the hand-overs.
        stopped=(nudge_flows.on_stop, handover_privacy.on_delete),
        # Undoing /stop (its button or /start) plans again what /stop cancelled.
        resumed=(nudge_flows.on_resumed,),
        # /export adds the nudges, then the referrals and consents.
        export=(nudge_flows.export_part, referrals.export_part),
        # /privacy adds the consents given to programmes, each with a withdraw button.
        privacy=(handover_privacy.privacy_replies,),
    )


def build_environment(settings: Settings) -> Environment:
    """The domain's environment: the careers catalogue, the nudge settings and the reactions."""
    from scoring.catalogue import load_catalogue

    imported = settings.data_dir if settings.data_dir.is_dir() else None
    return Environment(
        catalogue=load_catalogue(imported),
        nudge_delays=settings.nudge_delays,
        quiet_hours=settings.quiet_hours,
        nudge_daily_cap=settings.nudge_daily_cap,
        nudge_holdout=settings.nudge_holdout,
        reactions=build_reactions(),
        retention_logs=settings.retention_logs,
        retention_profiles=settings.retention_profiles,
        privacy_controller=settings.privacy_controller,
        privacy_contact=settings.privacy_contact,
    )


RETENTION_EVERY_SECONDS = 3600.0


@dataclass
class Tremplin:
    """One running bot process (polling or webhook), with the jobs it runs."""

    settings: Settings
    token: str
    api_root: str
    db: Database = field(init=False)
    services: BotServices = field(init=False)
    bot: TelegramBot = field(init=False)
    nudges: NudgeScheduler | None = field(init=False, default=None)
    handover: HandoverWorker | None = field(init=False, default=None)
    retention: RetentionJob | None = field(init=False, default=None)
    texts: PeriodicJob | None = field(init=False, default=None)
    _servers: contextlib.AsyncExitStack = field(
        init=False, default_factory=contextlib.AsyncExitStack
    )

    async def start(self, *, poll_interval: float = 0.0, polling_timeout: int = 10) -> None:
        """Migrate the database, then start receiving updates and the background jobs."""
        await upgrade_async(self.settings.database_url)
        self.db = Database(self.settings.database_url, pool_size=self.settings.db_pool_size)
        async with self.db.transaction() as session:
            await import_partners(
                session,
                self.settings.partners_file or SHIPPED,
                box=SecretBox(self.settings.secrets_key),
            )
        # Operators' texts: in force before the first update, then checked every few seconds.
        self.texts = await keep_in_force(self.db)
        self.bot = TelegramBot(
            self.token,
            self.api_root,
            self.db,
            build_environment(self.settings),
            concurrent_updates=self.settings.concurrent_updates,
        )
        self.services = self.bot.services
        receiving = Receiving(
            webhook_url=self.settings.webhook_url,
            listen=self.settings.webhook_listen,
            port=self.settings.webhook_port,
            secret=self.settings.webhook_secret,
            poll_interval=poll_interval,
            polling_timeout=polling_timeout,
        )
        await self.bot.start(receiving)
        if receiving.webhook_url:
            # Serve the endpoint before telling Telegram about it, so no update finds it closed.
            # /healthz, /readyz and /metrics are served beside it, for the load balancer.
            routes = operations_routes_for(self.db, check_api=self.bot.check_api)
            await self._servers.enter_async_context(
                serve(
                    self.bot.webhook_app(receiving, routes),
                    host=receiving.listen,
                    port=receiving.port,
                )
            )
            await self.bot.set_webhook(receiving)
        elif self.settings.health_port is not None:
            # Long polling has no web server of its own: the probes and the scrape get one.
            routes = operations_routes_for(self.db, check_api=self.bot.check_api)
            await self._servers.enter_async_context(
                serve(
                    Starlette(routes=routes),
                    host=self.settings.webhook_listen,
                    port=self.settings.health_port,
                )
            )
        self.nudges = build_scheduler(
            self.db,
            self.services.messenger,
            self.services.env,
            rate=self.settings.nudge_rate,
            poll_seconds=self.settings.nudge_poll_seconds,
            leased=True,
        )
        await self.nudges.start()
        # Partner webhooks and "no answer in time" updates: the hand-over's own job.
        self.handover = HandoverWorker(
            self.db,
            self.services.messenger,
            WebhookSender(self.db, secrets=SecretBox(self.settings.secrets_key)),
            interval=self.settings.handover_poll_seconds,
            lease=Lease(self.db, HANDOVER_JOB, self.nudges.dispatcher.worker),
        )
        await self.handover.start()
        # The retention purge: every process tries hourly, the one holding the lease does it.
        self.retention = RetentionJob(
            self.db,
            self.services.env.reactions,
            logs_after=self.settings.retention_logs,
            profiles_after=self.settings.retention_profiles,
        )
        await self.retention.start(RETENTION_EVERY_SECONDS)

    async def stop(self) -> None:
        """Graceful shutdown (SIGTERM), within about 10 s: stop taking updates, let those in
        flight finish while the jobs stop and hand back the nudges they claimed, then close."""
        await self._servers.aclose()  # webhooks: no new update (requests under way end)
        await self.bot.stop_receiving()  # long polling: no new getUpdates
        await asyncio.gather(self._stop_jobs(), self.bot.finish_updates())
        await self.bot.close()  # after the jobs: their last sends need the HTTP client
        await self.db.dispose()

    async def _stop_jobs(self) -> None:
        if self.texts is not None:
            await self.texts.close(timeout=JOBS_STOP_SECONDS)
        if self.nudges is not None:
            await self.nudges.stop(timeout=JOBS_STOP_SECONDS)
        if self.handover is not None:
            await self.handover.close(timeout=JOBS_STOP_SECONDS)
        if self.retention is not None:
            await self.retention.close(timeout=JOBS_STOP_SECONDS)
