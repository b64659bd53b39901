"""The bands figures are told in ("little competition", "hard to automate"): one rule each,
used by the card, the one-line explanations and the nudges alike."""

from __future__ import annotations

from typing import Literal

Band = Literal["low", "medium", "high"]

# Offers per 10 candidates: at or above these, competition is low / medium (else high).
LOW_COMPETITION = 8.0
MEDIUM_COMPETITION = 4.0
# Automation risk in percent: below these it is low / medium (else high).
LOW_AUTOMATION = 25
MEDIUM_AUTOMATION = 60


def competition_band(offers_per_10_candidates: float) -> Band:
    """How hard it is to get hired: many offers per candidate is low competition."""
    if offers_per_10_candidates >= LOW_COMPETITION:
        return "low"
    if offers_per_10_candidates >= MEDIUM_COMPETITION:
        return "medium"
    return "high"


def automation_band(risk: int) -> Band:
    """How exposed a career is to automation (risk in percent)."""
    if risk < LOW_AUTOMATION:
        return "low"
    if risk < MEDIUM_AUTOMATION:
        return "medium"
    return "high"
