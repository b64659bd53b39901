"""When a nudge may go out: the user's local time, quiet hours, the daily cap, plan prompt times.

Pure functions over aware datetimes: every instant is UTC in and out, and local wall-clock
reasoning uses the IANA time zone of the user's département (overseas départements are not in
Paris time).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from kernel.clock import QuietHours
from scoring.departements import get_departement

DEFAULT_ZONE = "Europe/Paris"

# The plan prompt of the second nudge: "when could you spend 20 minutes on this?"
TONIGHT = "t"
WEEKEND = "w"
NEXT_WEEK = "n"
PLAN_CHOICES = (TONIGHT, WEEKEND, NEXT_WEEK)

_EVENING = time(19, 0)
_WEEKEND_MORNING = time(10, 0)
_NEXT_WEEK_EVENING = time(18, 0)
_SOON = timedelta(minutes=15)
_SATURDAY = 5


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_for(departement: str | None) -> ZoneInfo:
    """The time zone of a département (Paris when it is unknown or not given)."""
    found = get_departement(departement) if departement else None
    return _zone(found.timezone if found else DEFAULT_ZONE)


def _at(day: datetime, clock: time, zone: ZoneInfo) -> datetime:
    """`clock` on the local date of `day`, as an aware local datetime."""
    return datetime.combine(day.date(), clock, tzinfo=zone)


def allowed_at(moment: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """The first instant at or after `moment` that is outside the quiet hours (UTC)."""
    local = moment.astimezone(zone)
    if quiet is None or not quiet.contains(local.time()):
        return moment.astimezone(UTC)
    morning = _at(local, quiet.end, zone)
    if morning <= local:  # the window started yesterday evening… or ends tomorrow morning
        morning = _at(local + timedelta(days=1), quiet.end, zone)
    return morning.astimezone(UTC)


def local_day(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The user's calendar day containing `moment`: its first instant and the next day's (UTC)."""
    local = moment.astimezone(zone)
    start = _at(local, time(0, 0), zone)
    end = _at(local + timedelta(days=1), time(0, 0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def next_day(moment: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """The first allowed instant of the user's next calendar day (the morning, with quiet hours)."""
    _, tomorrow = local_day(moment, zone)
    return allowed_at(tomorrow, zone, quiet)


def plan_time(choice: str, now: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """When to remind a user who answered the plan prompt with `choice` (UTC).

    Tonight is 19:00 (or in a quarter of an hour when it is later); this weekend is Saturday
    10:00 (or within the hour when the weekend has started); next week is Monday 18:00. Quiet
    hours still apply.
    """
    local = now.astimezone(zone)
    if choice == TONIGHT:
        evening = _at(local, _EVENING, zone)
        target = evening if local + _SOON <= evening else local + _SOON
    elif choice == WEEKEND:
        if local.weekday() >= _SATURDAY:
            morning = _at(local, _WEEKEND_MORNING, zone)
            target = morning if local + _SOON <= morning else local + timedelta(hours=1)
        else:
            saturday = local + timedelta(days=_SATURDAY - local.weekday())
            target = _at(saturday, _WEEKEND_MORNING, zone)
    elif choice == NEXT_WEEK:
        monday = local + timedelta(days=7 - local.weekday())
        target = _at(monday, _NEXT_WEEK_EVENING, zone)
    else:
        raise ValueError(f"unknown plan choice {choice!r}")
    return allowed_at(target, zone, quiet)
