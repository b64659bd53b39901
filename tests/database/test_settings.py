"""Settings: the documented names, defaults, and one clear line per invalid value."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from tremplin.settings import SettingsError, load_settings


def test_defaults_start_the_playground_on_sqlite() -> None:
    settings = load_settings(env_file=None)
    assert settings.playground
    assert settings.database_url == "sqlite+aiosqlite:///tremplin.db"
    assert settings.bot_api_url == "https://api.telegram.org"
    assert settings.nudge_delays == (timedelta(days=1), timedelta(days=3), timedelta(days=7))
    assert settings.quiet_hours is not None
    assert settings.quiet_hours.contains(time(22, 30)) and settings.quiet_hours.contains(time(8))
    assert not settings.quiet_hours.contains(time(9)) and not settings.quiet_hours.contains(
        time(20, 59)
    )
    assert settings.nudge_daily_cap == 1


def test_environment_names_are_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TREMPLIN_BOT_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("TREMPLIN_DATABASE_URL", "postgresql://u@db/tremplin")
    monkeypatch.setenv("TREMPLIN_NUDGE_DELAYS", "2s, 4s,6m")
    monkeypatch.setenv("TREMPLIN_QUIET_HOURS", "off")
    monkeypatch.setenv("TREMPLIN_NUDGE_DAILY_CAP", "off")
    monkeypatch.setenv("TREMPLIN_WEBHOOK_URL", "https://bot.example.org")
    settings = load_settings(env_file=None)
    assert not settings.playground
    assert settings.bot_api_url == "http://127.0.0.1:8081"
    assert settings.database_url == "postgresql+asyncpg://u@db/tremplin"
    assert settings.nudge_delays == (
        timedelta(seconds=2),
        timedelta(seconds=4),
        timedelta(minutes=6),
    )
    assert settings.quiet_hours is None and settings.nudge_daily_cap is None
    assert settings.webhook_url == "https://bot.example.org"


def test_dotenv_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=from-file\nTREMPLIN_NUDGE_DAILY_CAP=3\n")
    monkeypatch.setenv("TREMPLIN_NUDGE_DAILY_CAP", "2")
    settings = load_settings(env_file=str(env))
    assert settings.telegram_bot_token == "from-file"
    assert settings.nudge_daily_cap == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TREMPLIN_NUDGE_DELAYS", "1 day"),
        ("TREMPLIN_NUDGE_DELAYS", ""),
        ("TREMPLIN_NUDGE_DELAYS", "7d,3d,1d"),
        ("TREMPLIN_NUDGE_DELAYS", "1d,1d,7d"),
        ("TREMPLIN_QUIET_HOURS", "21-9"),
        ("TREMPLIN_QUIET_HOURS", "25:00-09:00"),
        ("TREMPLIN_NUDGE_DAILY_CAP", "0"),
        ("TREMPLIN_NUDGE_DAILY_CAP", "many"),
        ("TREMPLIN_DATABASE_URL", "mysql://localhost/x"),
        ("TREMPLIN_BOT_API_URL", "api.telegram.org"),
        ("TREMPLIN_WEBHOOK_PORT", "http"),
        ("TREMPLIN_LOG_LEVEL", "loud"),
        ("TREMPLIN_SECRETS_KEY", "not-a-fernet-key"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings(env_file=None)
    message = str(error.value)
    assert message.startswith(name + ":") and "\n" not in message


def test_the_webhook_server_listens_on_loopback_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings(env_file=None).webhook_listen == "127.0.0.1"
    monkeypatch.setenv("TREMPLIN_WEBHOOK_LISTEN", "0.0.0.0")
    assert load_settings(env_file=None).webhook_listen == "0.0.0.0"
