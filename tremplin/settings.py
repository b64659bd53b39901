"""Settings read from the environment and an optional `.env` file.

The variable names are a contract with outside tools (see DESIGN.md); invalid values stop the
process at start with one line that names the variable.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from console.security import Network, parse_networks
from kernel.clock import QuietHours, parse_duration
from kernel.secret_box import SecretBox
from storage.engine import normalise_database_url

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class SettingsError(ValueError):
    """A setting has a value the product cannot use; the message names the variable."""


def parse_durations(raw: str) -> tuple[timedelta, ...]:
    """Parse `1d,3d,7d` (units s, m, h, d) into increasing delays.

    Each delay counts from the saved career and step n is the n-th nudge, so a list out of order
    would send the third nudge before the first: refused.
    """
    parts = [p for p in raw.split(",") if p.strip()]
    if not parts:
        raise ValueError("expected a comma-separated list such as 1d,3d,7d")
    delays = [parse_duration(part) for part in parts]
    if any(later <= earlier for earlier, later in itertools.pairwise(delays)):
        raise ValueError("expected increasing delays such as 1d,3d,7d")
    return tuple(delays)


def parse_quiet_hours(raw: str) -> QuietHours | None:
    """Parse `21:00-09:00`; `off` disables quiet hours."""
    if raw.strip().lower() == "off":
        return None
    pieces = raw.strip().split("-")
    if len(pieces) != 2:
        raise ValueError("expected HH:MM-HH:MM such as 21:00-09:00, or off")
    bounds: list[time] = []
    for piece in pieces:
        match = _CLOCK.match(piece.strip())
        if match is None:
            raise ValueError(f"{piece.strip()!r} is not a time like 21:00")
        bounds.append(time(int(match.group(1)), int(match.group(2))))
    if bounds[0] == bounds[1]:
        raise ValueError("start and end are the same")
    return QuietHours(bounds[0], bounds[1])


def parse_rate(raw: str) -> float:
    """Parse the nudges' global send rate in messages a second (Telegram allows about 30)."""
    try:
        value = float(raw.strip().removesuffix("/s"))
    except ValueError:
        raise ValueError("expected messages a second, such as 25") from None
    if not 0 < value <= 30:
        raise ValueError("expected a rate above 0 and at most 30 messages a second")
    return value


def parse_share(raw: str) -> float:
    """Parse a share such as `0.1` or `10%` into a fraction between 0 and 1."""
    text = raw.strip()
    try:
        value = float(text.removesuffix("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise ValueError("expected a share such as 0.1 or 10%") from None
    if not 0 <= value <= 1:
        raise ValueError("expected a share between 0 and 1 (or 0% and 100%)")
    return value


def parse_seconds(raw: str) -> float:
    """Parse a positive number of seconds."""
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("expected a number of seconds, such as 15") from None
    if not 0 < value <= 3600:
        raise ValueError("expected a number of seconds above 0 and at most 3600")
    return value


def parse_port(raw: str) -> int | None:
    """An optional TCP port: empty for none, else 1-65535."""
    if not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError("expected a port number, such as 8444, or nothing") from None
    if not 0 < value < 65536:
        raise ValueError("expected a port number from 1 to 65535")
    return value


def parse_partners_file(raw: str) -> Path | None:
    """The partner programmes file: empty for the shipped examples, else an existing file."""
    if not raw.strip():
        return None
    path = Path(raw.strip())
    if not path.is_file():
        raise ValueError(f"{raw.strip()} is not a file")
    return path


_RETENTION = re.compile(r"^\s*(\d{1,4})\s*(d|w|mo|y)\s*$")
_RETENTION_DAYS = {"d": 1, "w": 7, "mo": 30, "y": 365}


def parse_retention(raw: str) -> timedelta:
    """Parse a retention period: `12mo`, `2y`, `90d` or `8w` (a month counts 30 days)."""
    match = _RETENTION.match(raw.lower())
    if match is None:
        raise ValueError("expected a period such as 12mo, 2y, 90d or 8w")
    days = int(match.group(1)) * _RETENTION_DAYS[match.group(2)]
    if days < 1:
        raise ValueError("expected a period of at least one day")
    return timedelta(days=days)


def parse_cap(raw: str) -> int | None:
    """Parse the daily nudge cap: a positive whole number, or `off`."""
    if raw.strip().lower() == "off":
        return None
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError("expected a whole number of at least 1, or off")
    return int(raw)


def _choice(value: str, choices: tuple[str, ...]) -> str:
    """`value` if it is one of `choices`, else the error that lists them."""
    if value not in choices:
        raise ValueError(f"expected {', '.join(choices[:-1])} or {choices[-1]}")
    return value


class _RawSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: str = Field("", validation_alias="TELEGRAM_BOT_TOKEN")
    bot_api_url: str = Field("https://api.telegram.org", validation_alias="TREMPLIN_BOT_API_URL")
    database_url: str = Field(
        "sqlite+aiosqlite:///tremplin.db", validation_alias="TREMPLIN_DATABASE_URL"
    )
    nudge_delays: str = Field("1d,3d,7d", validation_alias="TREMPLIN_NUDGE_DELAYS")
    quiet_hours: str = Field("21:00-09:00", validation_alias="TREMPLIN_QUIET_HOURS")
    nudge_daily_cap: str = Field("1", validation_alias="TREMPLIN_NUDGE_DAILY_CAP")
    nudge_rate: str = Field("25", validation_alias="TREMPLIN_NUDGE_RATE")
    nudge_holdout: str = Field("0", validation_alias="TREMPLIN_NUDGE_HOLDOUT")
    nudge_poll_seconds: str = Field("15", validation_alias="TREMPLIN_NUDGE_POLL_SECONDS")
    partners_file: str = Field("", validation_alias="TREMPLIN_PARTNERS_FILE")
    handover_poll_seconds: str = Field("10", validation_alias="TREMPLIN_HANDOVER_POLL_SECONDS")
    webhook_url: str = Field("", validation_alias="TREMPLIN_WEBHOOK_URL")
    webhook_secret: str = Field("", validation_alias="TREMPLIN_WEBHOOK_SECRET")
    webhook_listen: str = Field("127.0.0.1", validation_alias="TREMPLIN_WEBHOOK_LISTEN")
    webhook_port: int = Field(8443, validation_alias="TREMPLIN_WEBHOOK_PORT")
    health_port: str = Field("", validation_alias="TREMPLIN_HEALTH_PORT")
    playground_port: int = Field(8080, validation_alias="TREMPLIN_PLAYGROUND_PORT")
    console_listen: str = Field("127.0.0.1", validation_alias="TREMPLIN_CONSOLE_LISTEN")
    console_port: int = Field(8090, validation_alias="TREMPLIN_CONSOLE_PORT")
    console_secure_cookie: str = Field("auto", validation_alias="TREMPLIN_CONSOLE_SECURE_COOKIE")
    console_trusted_proxies: str = Field("", validation_alias="TREMPLIN_CONSOLE_TRUSTED_PROXIES")
    data_dir: str = Field("tremplin-data", validation_alias="TREMPLIN_DATA_DIR")
    log_level: str = Field("INFO", validation_alias="TREMPLIN_LOG_LEVEL")
    retention_logs: str = Field("12mo", validation_alias="TREMPLIN_RETENTION_LOGS")
    retention_profiles: str = Field("24mo", validation_alias="TREMPLIN_RETENTION_PROFILES")
    privacy_controller: str = Field("", validation_alias="TREMPLIN_PRIVACY_CONTROLLER")
    privacy_contact: str = Field("", validation_alias="TREMPLIN_PRIVACY_CONTACT")
    concurrent_updates: int = Field(
        32, ge=1, le=1024, validation_alias="TREMPLIN_CONCURRENT_UPDATES"
    )
    db_pool_size: int = Field(10, ge=1, le=200, validation_alias="TREMPLIN_DB_POOL_SIZE")
    log_format: str = Field("text", validation_alias="TREMPLIN_LOG_FORMAT")
    secrets_key: str = Field("", validation_alias="TREMPLIN_SECRETS_KEY")

    @field_validator("bot_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// address")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        return _choice(value.strip().upper(), ("DEBUG", "INFO", "WARNING", "ERROR"))

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        return _choice(value.strip().lower(), ("text", "json"))

    @field_validator("console_secure_cookie")
    @classmethod
    def _secure_cookie(cls, value: str) -> str:
        return _choice(value.strip().lower(), ("auto", "true", "false"))

    @field_validator("secrets_key")
    @classmethod
    def _secrets_key(cls, value: str) -> str:
        SecretBox(value)  # raises SecretKeyError (a ValueError) naming the expected form
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        return normalise_database_url(value)


def _env_name(field: str) -> str:
    """The environment variable of a setting (each field's alias is its one spelling)."""
    info = _RawSettings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    return alias if isinstance(alias, str) else field


@dataclass(frozen=True)
class Settings:
    """Validated settings of one Tremplin process."""

    telegram_bot_token: str
    bot_api_url: str
    database_url: str
    nudge_delays: tuple[timedelta, ...]
    quiet_hours: QuietHours | None
    nudge_daily_cap: int | None
    webhook_url: str
    webhook_secret: str
    webhook_listen: str
    webhook_port: int
    playground_port: int
    data_dir: Path
    log_level: str
    # Nudges' dispatch (messages a second for all processes together, the hold-out share of
    # users who get no nudges, and how often the dispatcher looks for due nudges).
    nudge_rate: float = 25.0
    nudge_holdout: float = 0.0
    nudge_poll_seconds: float = 15.0
    # Partner programmes: the operators' YAML file (None: the shipped examples), and how often
    # each process sends due partner webhooks and checks for programmes that did not answer.
    partners_file: Path | None = None
    handover_poll_seconds: float = 10.0
    # Long polling: the port /healthz, /readyz and /metrics are served on, at the webhook
    # listen address (None: not served; with a webhook they are served beside it anyway).
    health_port: int | None = None
    # The web console (`tremplin console`, and beside the playground).
    console_listen: str = "127.0.0.1"
    console_port: int = 8090
    # The session cookie's Secure flag: True, False, or None to set it when the request came
    # over HTTPS; and the reverse proxies whose X-Forwarded-For/-Proto headers are believed.
    console_secure_cookie: bool | None = None
    console_trusted_proxies: tuple[Network, ...] = ()
    # Retention: conversation lines older than `retention_logs` are deleted, and people who have
    # not written for `retention_profiles` are erased (their events kept anonymously).
    retention_logs: timedelta = timedelta(days=360)
    retention_profiles: timedelta = timedelta(days=720)
    # Who is responsible for the data and how to reach them, as /privacy states it (empty: a
    # general wording that points to /export and /delete and to the CNIL).
    privacy_controller: str = ""
    privacy_contact: str = ""
    # Throughput: updates of different chats handled at once by one process, and the database
    # connections it keeps (PostgreSQL; SQLite has one writer whatever the pool).
    concurrent_updates: int = 32
    db_pool_size: int = 10
    log_format: str = "text"  # or "json": one JSON object per line
    # The key(s) the partners' webhook secrets are encrypted with in the database (empty: the
    # console accepts only `env:NAME` references).
    secrets_key: str = field(default="", repr=False)

    @property
    def playground(self) -> bool:
        """No token: run the local playground instead of connecting to Telegram."""
        return not self.telegram_bot_token


def load_settings(env_file: str | None = ".env", **overrides: Any) -> Settings:
    """Read and validate settings; raise SettingsError naming the faulty variable.

    `overrides` take field names (`database_url=...`) and win over the environment.
    """
    try:
        raw = _RawSettings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{_env_name(field)}: {message}") from None

    def parsed(field: str, parser: Any) -> Any:
        try:
            return parser(getattr(raw, field))
        except ValueError as exc:
            raise SettingsError(f"{_env_name(field)}: {exc}") from None

    secret = (
        raw.webhook_secret
        or (
            hashlib.sha256(("tremplin-webhook:" + raw.telegram_bot_token).encode()).hexdigest()[:48]
        )
    )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingsError("TREMPLIN_WEBHOOK_SECRET: use 1-256 letters, digits, _ or -")
    return Settings(
        telegram_bot_token=raw.telegram_bot_token.strip(),
        bot_api_url=raw.bot_api_url,
        database_url=raw.database_url,
        nudge_delays=parsed("nudge_delays", parse_durations),
        quiet_hours=parsed("quiet_hours", parse_quiet_hours),
        nudge_daily_cap=parsed("nudge_daily_cap", parse_cap),
        nudge_rate=parsed("nudge_rate", parse_rate),
        nudge_holdout=parsed("nudge_holdout", parse_share),
        nudge_poll_seconds=parsed("nudge_poll_seconds", parse_seconds),
        partners_file=parsed("partners_file", parse_partners_file),
        handover_poll_seconds=parsed("handover_poll_seconds", parse_seconds),
        webhook_url=raw.webhook_url,
        webhook_secret=secret,
        webhook_listen=raw.webhook_listen,
        webhook_port=raw.webhook_port,
        health_port=parsed("health_port", parse_port),
        playground_port=raw.playground_port,
        console_listen=raw.console_listen.strip() or "127.0.0.1",
        console_port=raw.console_port,
        console_secure_cookie={"auto": None, "true": True, "false": False}[
            raw.console_secure_cookie
        ],
        console_trusted_proxies=parsed("console_trusted_proxies", parse_networks),
        data_dir=Path(raw.data_dir),
        log_level=raw.log_level,
        retention_logs=parsed("retention_logs", parse_retention),
        retention_profiles=parsed("retention_profiles", parse_retention),
        privacy_controller=" ".join(raw.privacy_controller.split()),
        privacy_contact=" ".join(raw.privacy_contact.split()),
        concurrent_updates=raw.concurrent_updates,
        db_pool_size=raw.db_pool_size,
        log_format=raw.log_format,
        secrets_key=raw.secrets_key,
    )
