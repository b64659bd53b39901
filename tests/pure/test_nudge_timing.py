"""When nudges may go out: quiet hours and days in the user's own time zone, plan prompt times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coaching.nudges import timing
from tremplin.settings import parse_quiet_hours

QUIET = parse_quiet_hours("21:00-09:00")
PARIS = timing.zone_for("69")
REUNION = timing.zone_for("974")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_departements_map_to_their_own_time_zone() -> None:
    assert str(PARIS) == "Europe/Paris"
    assert str(REUNION) == "Indian/Reunion"
    assert str(timing.zone_for("971")) == "America/Guadeloupe"
    assert str(timing.zone_for(None)) == "Europe/Paris"
    assert str(timing.zone_for("99")) == "Europe/Paris"  # unknown: Paris rather than failing


def test_outside_quiet_hours_the_moment_is_kept() -> None:
    noon_paris = utc(2026, 1, 15, 11, 0)  # 12:00 in Paris (UTC+1 in winter)
    assert timing.allowed_at(noon_paris, PARIS, QUIET) == noon_paris
    assert timing.allowed_at(noon_paris, PARIS, None) == noon_paris


def test_evening_waits_for_the_next_morning_in_local_time() -> None:
    evening = utc(2026, 1, 15, 21, 30)  # 22:30 in Paris
    assert timing.allowed_at(evening, PARIS, QUIET) == utc(2026, 1, 16, 8, 0)  # 09:00 Paris
    early = utc(2026, 1, 16, 5, 0)  # 06:00 in Paris
    assert timing.allowed_at(early, PARIS, QUIET) == utc(2026, 1, 16, 8, 0)


def test_overseas_users_are_not_in_paris_time() -> None:
    # 18:00 UTC is 19:00 in Paris (fine) but 22:00 in La Réunion (quiet).
    moment = utc(2026, 1, 15, 18, 0)
    assert timing.allowed_at(moment, PARIS, QUIET) == moment
    assert timing.allowed_at(moment, REUNION, QUIET) == utc(2026, 1, 16, 5, 0)  # 09:00 Réunion


def test_quiet_hours_follow_daylight_saving_time() -> None:
    # The night of 28-29 March 2026 Paris moves to UTC+2: 09:00 local is 07:00 UTC.
    night = utc(2026, 3, 28, 22, 0)
    assert timing.allowed_at(night, PARIS, QUIET) == utc(2026, 3, 29, 7, 0)


def test_the_day_is_the_users_calendar_day() -> None:
    start, end = timing.local_day(utc(2026, 1, 15, 3, 0), timing.zone_for("971"))
    # 03:00 UTC is still the 14th in Guadeloupe (UTC-4).
    assert start == utc(2026, 1, 14, 4, 0) and end == utc(2026, 1, 15, 4, 0)
    assert timing.next_day(utc(2026, 1, 15, 11, 0), PARIS, QUIET) == utc(2026, 1, 16, 8, 0)
    assert timing.next_day(utc(2026, 1, 15, 11, 0), PARIS, None) == utc(2026, 1, 15, 23, 0)


@pytest.mark.parametrize(
    ("now", "choice", "expected"),
    [
        # Thursday 15 January 2026, 10:00 in Paris.
        (utc(2026, 1, 15, 9, 0), timing.TONIGHT, utc(2026, 1, 15, 18, 0)),  # 19:00
        (utc(2026, 1, 15, 9, 0), timing.WEEKEND, utc(2026, 1, 17, 9, 0)),  # Saturday 10:00
        (utc(2026, 1, 15, 9, 0), timing.NEXT_WEEK, utc(2026, 1, 19, 17, 0)),  # Monday 18:00
        # Thursday 20:00: "tonight" is in a quarter of an hour.
        (utc(2026, 1, 15, 19, 0), timing.TONIGHT, utc(2026, 1, 15, 19, 15)),
        # Sunday 16:00: "this weekend" is within the hour.
        (utc(2026, 1, 18, 15, 0), timing.WEEKEND, utc(2026, 1, 18, 16, 0)),
        # Thursday 20:50: a quarter of an hour later is quiet: the next morning.
        (utc(2026, 1, 15, 19, 50), timing.TONIGHT, utc(2026, 1, 16, 8, 0)),
    ],
)
def test_plan_prompt_times(now: datetime, choice: str, expected: datetime) -> None:
    assert timing.plan_time(choice, now, PARIS, QUIET) == expected


def test_unknown_plan_choice_is_refused() -> None:
    with pytest.raises(ValueError):
        timing.plan_time("x", utc(2026, 1, 15, 9, 0), PARIS, QUIET)
