"""Which partner programmes fit a user, which questions are still worth asking, and in what order
to show the programmes. Pure functions over `Partner` and `Seeker`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kernel.partners import AGE_BANDS, Partner

SITUATION = "situation"
AGE = "age"


@dataclass(frozen=True)
class Seeker:
    """What matching knows about the user: where they live, the answers they gave, and the
    careers in question (the one they asked about, then their saved ones) with their sectors."""

    departement: str | None
    region: str | None
    situation: str | None = None
    age_band: str | None = None
    careers: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()


def in_area(partner: Partner, seeker: Seeker) -> bool:
    """Nationwide programmes fit everyone; local ones the listed départements or régions."""
    if not partner.departements and not partner.regions:
        return True
    return seeker.departement in partner.departements or seeker.region in partner.regions


def for_careers(partner: Partner, seeker: Seeker) -> bool:
    """Programmes for some careers (or sectors) fit when one of the user's careers is among them."""
    if not partner.careers and not partner.sectors:
        return True
    return bool(set(seeker.careers) & set(partner.careers)) or bool(
        set(seeker.sectors) & set(partner.sectors)
    )


def restricts_age(partner: Partner) -> bool:
    """Whether the programme has an age band."""
    return partner.age_min is not None or partner.age_max is not None


def age_fits(partner: Partner, band: str) -> bool:
    """Whether an age band overlaps the programme's ages (the coach checks the exact age)."""
    low, high = AGE_BANDS[band]
    minimum = partner.age_min if partner.age_min is not None else 0
    maximum = partner.age_max if partner.age_max is not None else 200
    return low <= maximum and high >= minimum


def _possible(partner: Partner, seeker: Seeker) -> bool:
    # What can be decided without asking anything.
    return partner.is_open and in_area(partner, seeker) and for_careers(partner, seeker)


def eligible(partner: Partner, seeker: Seeker) -> bool:
    """Whether a programme fits; an unanswered question counts as not fitting a restriction."""
    if not _possible(partner, seeker):
        return False
    if partner.situations and seeker.situation not in partner.situations:
        return False
    return not restricts_age(partner) or (
        seeker.age_band is not None and age_fits(partner, seeker.age_band)
    )


def questions_to_ask(partners: Iterable[Partner], seeker: Seeker) -> list[str]:
    """The eligibility questions that still matter, in the order to ask them.

    A question is asked only when an open programme that could fit this user depends on it and
    the user has not answered it yet.
    """
    candidates = [p for p in partners if _possible(p, seeker)]
    asked: list[str] = []
    if seeker.situation is None and any(p.situations for p in candidates):
        asked.append(SITUATION)
    if seeker.age_band is None and any(restricts_age(p) for p in candidates):
        asked.append(AGE)
    return asked


def _is_local(partner: Partner) -> bool:
    return bool(partner.departements or partner.regions)


def _is_specific(partner: Partner) -> bool:
    return bool(partner.careers or partner.sectors)


def rank(
    partners: Sequence[Partner], seeker: Seeker, attributed: str | None = None
) -> list[Partner]:
    """The programmes that fit, best first.

    The user's own partner (the one they came through) leads when it fits; then programmes made
    for the user's careers, then local ones before nationwide ones, then the fastest to answer.
    """
    fitting = [p for p in partners if eligible(p, seeker)]
    return sorted(
        fitting,
        key=lambda p: (
            p.code != attributed,
            not _is_specific(p),
            not _is_local(p),
            p.answers_within,
            p.name.lower(),
        ),
    )
