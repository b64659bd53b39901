"""Official labour-market figures of a career, nationally and in a département (DARES data).

The shipped files (``data/labour/``, built by :mod:`scoring.build`) hold DARES's figures per
FAP 2009 job family. A ROME code belongs to one to three families; this module maps them to
the career with one documented rule:

- **Local employment** is the sum of the département's average employment (2019) of the
  career's families: how many people work in that kind of job there. Mayotte is absent from
  the DARES file: there the figure is the national one, and ``employment_level`` says so.
- **Tension** (category 1–5 and its six explanatory indicators) comes, for each family, from
  the département when DARES published it (it hides the category of small cells), else from
  the région, else from France as a whole; the tension *score* follows the same rule on its
  own, as DARES publishes it for more cells (the ranking uses the score, the card the
  category). Several families are averaged **weighted by their local
  employment** (national employment when the département has none), the category and the
  indicators rounded half up; ``level`` is the coarsest level used.
- **National figures**: the net median monthly salary of full-time employees (2017-2019) of
  each family, else of its family group; the shares of fixed-term (CDD), temporary-agency and
  part-time work and the diplomas of the people in the job (group level, 2017-2019); several
  families are averaged weighted by their national employment.

Families DARES leaves out of the tension indicator (public service, teachers, doctors,
artisans, top executives) have no local figure: ``employment`` and ``tension`` are None and
the card says the figure is not published.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

LEVELS = ("dep", "reg", "nat")
QUALIFICATION_ORDER = ("none", "cap", "bac", "bac+2", "bac+3")
# DARES's six explanatory indicators of tension, in the order of a full cell of
# ``tensions.json``: ``[employment, tension score, category, *DRIVERS]`` (`CELL_FIELDS`).
DRIVERS = (
    "hiring",
    "training_link",
    "lack_of_workers",
    "non_durable",
    "hard_conditions",
    "geographic_mismatch",
)
CELL_FIELDS = ("employment", "tension", "category", *DRIVERS)
_FIRST_DRIVER = CELL_FIELDS.index(DRIVERS[0])


@dataclass(frozen=True, slots=True)
class Tension:
    """DARES's 2019 tension figures for a career in a place.

    ``category`` runs from 1 (many candidates for few offers) to 5 (employers struggle to
    recruit: good news for an applicant); ``score`` is the underlying centred-reduced
    indicator. The six drivers are on DARES's 1–5 scale (5 pushes towards tension), None
    when not published. ``level`` is where the category and drivers come from ("dep", "reg"
    or "nat"), ``score_level`` where the score comes from: DARES publishes the score of many
    small cells whose category it hides, so the score is often more local.
    """

    category: int
    score: float
    hiring: int | None
    training_link: int | None
    lack_of_workers: int | None
    non_durable: int | None
    hard_conditions: int | None
    geographic_mismatch: int | None
    level: str
    score_level: str = "dep"


@dataclass(frozen=True, slots=True)
class MarketFigures:
    """The labour market of one career in one département (DARES, 2019).

    ``employment`` is the average number of people working in the career's job families;
    ``employment_level`` is "dep" for the département's own figure, "nat" when only the
    national one exists (Mayotte), None with ``employment`` when DARES publishes nothing.
    """

    rome: str
    departement: str
    employment: int | None
    employment_level: str | None
    tension: Tension | None
    year: int = 2019

    @property
    def is_local(self) -> bool:
        """Whether both the employment and the tension are the département's own figures."""
        return (
            self.employment_level == "dep"
            and self.tension is not None
            and self.tension.level == "dep"
        )


@dataclass(frozen=True, slots=True)
class NationalFigures:
    """DARES's national figures for a career (2017-2019 averages).

    ``salary_net`` is the median monthly net salary of full-time employees, in euros.
    ``cdd``, ``interim`` and ``part_time`` are percents of the people in the job.
    ``diploma`` maps "none", "cap", "bac", "bac+2", "bac+3" and "studying" to percents of
    the people in the job; ``usual_diploma`` is the level the median worker holds.
    """

    families: tuple[str, ...]
    employment: int | None
    salary_net: int | None
    cdd: float | None
    interim: float | None
    part_time: float | None
    diploma: Mapping[str, float] | None
    usual_diploma: str | None
    period: str = "2017-2019"

    @property
    def temporary_share(self) -> float | None:
        """Percent of the people in the job on a fixed-term or temporary-agency contract."""
        if self.cdd is None and self.interim is None:
            return None
        return round((self.cdd or 0.0) + (self.interim or 0.0), 1)


def _first(
    fap: str,
    local: Mapping[str, list[Any]] | None,
    region: Mapping[str, list[Any]],
    nation: Mapping[str, list[Any]],
    width: int,
) -> tuple[list[Any], str] | None:
    """The first cell of a family with at least ``width`` figures: département, région, France."""
    for level, source in (("dep", local or {}), ("reg", region), ("nat", nation)):
        cell = source.get(fap)
        if cell is not None and len(cell) >= width:
            return cell, level
    return None


def round_half_up(value: float) -> int:
    """Round to the nearest integer, halves up (Python's round() goes to even)."""
    return int(value + 0.5)


def _weighted(values: Sequence[tuple[float, float]]) -> float | None:
    """Weighted mean of (value, weight) pairs; equal weights when they sum to zero."""
    if not values:
        return None
    total = sum(weight for _, weight in values)
    if total <= 0:
        return sum(value for value, _ in values) / len(values)
    return sum(value * weight for value, weight in values) / total


class LabourData:
    """The shipped DARES figures and the FAP → ROME mapping, with the rule of this module."""

    def __init__(self, tensions: Mapping[str, Any], families: Mapping[str, Any]) -> None:
        self.year: int = int(tensions["year"])
        self.period: str = str(families["period"])
        self._nat: Mapping[str, list[Any]] = tensions["nat"]
        self._reg: Mapping[str, Mapping[str, list[Any]]] = tensions["reg"]
        self._dep: Mapping[str, Mapping[str, list[Any]]] = tensions["dep"]
        self._rome: Mapping[str, list[str]] = families["rome"]
        self._families: Mapping[str, Mapping[str, Any]] = families["families"]
        self._groups: Mapping[str, Mapping[str, Any]] = families["groups"]

    def families(self, rome: str) -> tuple[str, ...]:
        """The FAP families of a ROME code (empty when unknown)."""
        return tuple(self._rome.get(rome, ()))

    def has_departement(self, dep_code: str) -> bool:
        """Whether DARES publishes figures for this département (Mayotte: no)."""
        return dep_code in self._dep

    def market(self, rome: str, dep_code: str) -> MarketFigures:
        """The local figures of a career (see the module docstring for the rule)."""
        measured = [f for f in self.families(rome) if f in self._nat]
        if not measured:
            return MarketFigures(rome, dep_code, None, None, None, self.year)
        local = self._dep.get(dep_code)
        if local is not None:
            employments = [int(local[f][0]) if f in local else 0 for f in measured]
            employment_level = "dep"
        else:
            employments = [int(self._nat[f][0]) for f in measured]
            employment_level = "nat"
        # Imported here: scoring.departements imports the models, which import this module.
        from scoring.departements import get_departement

        departement = get_departement(dep_code)
        region = self._reg.get(departement.region_code, {}) if departement else {}
        all_local_zero = not any(employments)
        scores: list[tuple[float, float, str]] = []
        categories: list[tuple[list[Any], float, str]] = []
        for fap, employment in zip(measured, employments, strict=True):
            # No local employment in any family: weigh by the national employment instead.
            weight = float(self._nat[fap][0] if all_local_zero else employment)
            cell_score = _first(fap, local, region, self._nat, 2)
            if cell_score is not None:
                scores.append((float(cell_score[0][1]), weight, cell_score[1]))
            cell_category = _first(fap, local, region, self._nat, 3)
            if cell_category is not None:
                categories.append((cell_category[0], weight, cell_category[1]))
        tension = None
        if scores and categories:
            score = _weighted([(value, weight) for value, weight, _ in scores])
            category = _weighted([(float(c[2]), w) for c, w, _ in categories])
            drivers: dict[str, int | None] = {}
            for position, driver in enumerate(DRIVERS, start=_FIRST_DRIVER):
                mean = _weighted(
                    [(float(c[position]), w) for c, w, _ in categories if c[position] is not None]
                )
                drivers[driver] = None if mean is None else round_half_up(mean)
            assert score is not None and category is not None
            tension = Tension(
                category=round_half_up(category),
                score=round(score, 3),
                level=max((lv for _, _, lv in categories), key=LEVELS.index),
                score_level=max((lv for _, _, lv in scores), key=LEVELS.index),
                **drivers,
            )
        return MarketFigures(rome, dep_code, sum(employments), employment_level, tension, self.year)

    def national(self, rome: str) -> NationalFigures:
        """The national DARES figures of a career (see the module docstring for the rule)."""
        families = self.families(rome)
        weights = {f: float(self._families.get(f, {}).get("employment") or 0) for f in families}
        salaries: list[tuple[float, float]] = []
        diplomas: list[tuple[Mapping[str, float], float]] = []
        shares: dict[str, list[tuple[float, float]]] = {"cdd": [], "interim": [], "part_time": []}
        for fap in families:
            family = self._families.get(fap, {})
            group = self._groups.get(fap[:3], {})
            salary = family.get("salary") or group.get("salary")
            if salary:
                salaries.append((float(salary), weights[fap]))
            diploma = family.get("diploma") or group.get("diploma")
            if diploma:
                diplomas.append((diploma, weights[fap]))
            for key, values in shares.items():
                if group.get(key) is not None:
                    values.append((float(group[key]), weights[fap]))
        salary_net = _weighted(salaries)
        diploma_mix: dict[str, float] | None = None
        if diplomas:
            keys = sorted({key for mix, _ in diplomas for key in mix})
            diploma_mix = {
                key: round(_weighted([(mix.get(key, 0.0), w) for mix, w in diplomas]) or 0.0, 1)
                for key in keys
            }
        employment = int(sum(weights.values())) if any(weights.values()) else None

        def share(key: str) -> float | None:
            mean = _weighted(shares[key])
            return None if mean is None else round(mean, 1)

        return NationalFigures(
            families=families,
            employment=employment,
            salary_net=None if salary_net is None else round_half_up(salary_net),
            cdd=share("cdd"),
            interim=share("interim"),
            part_time=share("part_time"),
            diploma=diploma_mix,
            usual_diploma=usual_diploma(diploma_mix),
            period=self.period,
        )


def usual_diploma(mix: Mapping[str, float] | None) -> str | None:
    """The diploma the median worker holds (people still in initial studies left out)."""
    if not mix:
        return None
    total = sum(mix.get(level, 0.0) for level in QUALIFICATION_ORDER)
    if total <= 0:
        return None
    running = 0.0
    for level in QUALIFICATION_ORDER:
        running += mix.get(level, 0.0)
        if running >= total / 2:
            return level
    return QUALIFICATION_ORDER[-1]


def _read(name: str) -> dict[str, Any]:
    raw = resources.files("scoring").joinpath(f"data/labour/{name}").read_text("utf-8")
    document = json.loads(raw)
    assert isinstance(document, dict)
    return document


@cache
def shipped_labour() -> LabourData:
    """The DARES figures shipped with the package (loaded once)."""
    return LabourData(_read("tensions.json"), _read("families.json"))
