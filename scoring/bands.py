"""The bands figures are told in ("little competition", "hard to automate", "short training"):
one rule each, used by the card, the one-line explanations and the nudges alike."""

from __future__ import annotations

from typing import Literal

from scoring.models import Career

Band = Literal["low", "medium", "high"]
TrainingBand = Literal["none", "short", "long"]

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


# Percent of people on lasting contracts from which they are "mostly" stable jobs.
MOSTLY = 50
# A training route under this many months is short…
SHORT_TRAINING_MONTHS = 24
# …when it leads to a level someone can reach from scratch in one course (a CAP, a titre
# professionnel, a BTS-level title). Above bac+2 the short routes build on an earlier degree (a
# licence professionnelle takes a year after a bac+2), so the training is not short for a beginner.
_REACHABLE_IN_ONE_COURSE = frozenset({"none", "cap", "bac", "bac+2"})


def training_band(career: Career) -> TrainingBand:
    """How long it takes to train for a career: "none" when one can start without training
    (what the card says too), "short" under two years to a level reachable in one course, else
    "long" — so a bac+5 job is never told as "a 12-month course"."""
    months = career.training_months
    if months == 0:
        return "none"
    if months < SHORT_TRAINING_MONTHS and career.qualification in _REACHABLE_IN_ONE_COURSE:
        return "short"
    return "long"


def mostly_lasting(career: Career) -> bool | None:
    """Whether most people in the job are on lasting contracts (not fixed-term or temporary);
    None when DARES publishes no figure."""
    share = career.temporary_share
    return None if share is None else 100 - share >= MOSTLY
