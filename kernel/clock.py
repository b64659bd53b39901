"""Time as operators write it in settings and programme files: durations (`30s`, `15m`, `2h`,
`1d`) and the daily quiet hours window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(raw: object) -> timedelta:
    """`2d`, `36h`, `90m` or `30s` as a duration; raises ValueError."""
    match = _DURATION.match(str(raw))
    if match is None:
        raise ValueError(f"{str(raw).strip()!r} is not a duration like 30s, 15m, 2h or 1d")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def duration_text(delta: timedelta) -> str:
    """A duration as `parse_duration` reads it, in the largest whole unit (`2d`, `36h`)."""
    seconds = int(delta.total_seconds())
    for unit, size in sorted(_UNIT_SECONDS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class QuietHours:
    """A daily window (local time) in which no nudge is sent; it may span midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether a local wall-clock time falls inside the window."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end
