"""Whether a career suits what a person said matters to them, by the same bands the card uses.

A nudge calls a saved career "a realistic choice" only when it meets every priority the person
chose: someone who asked for a short training is not told that a job needing a master's degree is
realistic for them.
"""

from __future__ import annotations

from collections.abc import Collection

from scoring.bands import automation_band, competition_band, mostly_lasting, training_band
from scoring.models import Career, MarketFigures, Priority


def meets(priority: Priority, career: Career, market: MarketFigures | None) -> bool:
    """Whether a career meets one priority (the bands of the card's body; salary has no band
    and is always met: the figure is told as it is; a missing figure does not count against)."""
    if priority is Priority.SHORT_TRAINING:
        return training_band(career) != "long"
    if priority is Priority.FUTURE:
        return automation_band(career.automation_risk) == "low"
    if priority is Priority.HIRING:
        tension = market.tension if market is not None else None
        return tension is None or competition_band(tension.category) != "high"
    if priority is Priority.SECURITY:
        return mostly_lasting(career) is not False
    return True


def unmet_priorities(
    career: Career, market: MarketFigures | None, priorities: Collection[Priority | str]
) -> list[Priority]:
    """The person's priorities the career does not meet, in the order of `Priority`."""
    chosen = {Priority(p) for p in priorities if p in {q.value for q in Priority}}
    return [p for p in Priority if p in chosen and not meets(p, career, market)]
