"""The environment every turn carries: a typed catalogue loaded once, typed quiet hours."""

from __future__ import annotations

from datetime import time

from kernel.clock import QuietHours, parse_duration
from kernel.turn import Environment
from tremplin.app import build_environment
from tremplin.settings import load_settings


def test_the_catalogue_is_loaded_once_per_process() -> None:
    first, second = Environment(), Environment()
    assert first.catalogue is second.catalogue and len(first.catalogue) > 0


def test_the_composition_root_types_quiet_hours_and_durations() -> None:
    env = build_environment(load_settings(env_file=None, quiet_hours="22:00-08:00"))
    assert env.quiet_hours == QuietHours(time(22, 0), time(8, 0))
    assert env.quiet_hours.contains(time(23, 30)) and not env.quiet_hours.contains(time(12, 0))
    assert parse_duration(" 2d ").days == 2
