"""The bands figures are told in ("little competition", "hard to automate"): one rule each,
used by the card, the one-line explanations and the nudges alike."""

from __future__ import annotations

from typing import Literal

Band = Literal["low", "medium", "high"]

# DARES tension category (1-5): at or above these, competition is low / medium (else high).
# A tight market (employers struggle to hire) is little competition for an applicant.
LOW_COMPETITION = 4
MEDIUM_COMPETITION = 3
# Automation risk in percent: below these it is low / medium (else high).
LOW_AUTOMATION = 25
MEDIUM_AUTOMATION = 60


def competition_band(tension_category: int) -> Band:
    """How hard it is to get hired, from DARES's tension category: tight is low competition."""
    if tension_category >= LOW_COMPETITION:
        return "low"
    if tension_category >= MEDIUM_COMPETITION:
        return "medium"
    return "high"


def automation_band(risk: int) -> Band:
    """How exposed a career is to automation (risk in percent)."""
    if risk < LOW_AUTOMATION:
        return "low"
    if risk < MEDIUM_AUTOMATION:
        return "medium"
    return "high"
