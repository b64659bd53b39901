"""Plain, immutable values shared by the scoring package and its callers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scoring.labour import MarketFigures, NationalFigures, Tension

QUALIFICATIONS: tuple[str, ...] = ("none", "cap", "bac", "bac+2", "bac+3", "bac+5")
"""Qualification levels, lowest first ("cap" covers CAP/BEP, level 3)."""

RIASEC_LETTERS = "RIASEC"


@dataclass(frozen=True, slots=True)
class Departement:
    """A French département, keyed by its INSEE code (01…95, 2A, 2B, 971…976).

    ``prefix`` is the full French phrase with its preposition ("dans l'Ain",
    "en Corrèze", "à La Réunion"), ready to follow a verb.
    """

    code: str
    name: str
    prefix: str
    region_code: str
    region_name: str
    timezone: str
    population: int


@dataclass(frozen=True, slots=True)
class TrainingRoute:
    """One usual way into a career, with its typical length in months (0: none needed)."""

    name_fr: str
    name_en: str
    months: int

    def name(self, lang: str) -> str:
        """The route's name in ``lang`` ("fr" or "en")."""
        return self.name_en if lang == "en" else self.name_fr


@dataclass(frozen=True, slots=True)
class ContractMix:
    """Share of hires by contract type, in percent (sums to 100).

    ``cdd_short`` is a fixed-term contract of 3 months or less, ``cdd_long`` one of more.
    """

    cdi: int
    cdd_long: int
    cdd_short: int
    interim: int

    @property
    def short_share(self) -> int:
        """Percent of hires on short or temporary contracts (CDD ≤ 3 months + interim)."""
        return self.cdd_short + self.interim


@dataclass(frozen=True, slots=True)
class CpfFigures:
    """Training offers funded by the CPF that lead to a career (from an import)."""

    trainings: int
    median_hours: int
    min_hours: int
    median_price: int | None


@dataclass(frozen=True, slots=True)
class Career:
    """A career (a ROME job group): the project's plain-language texts and the official figures.

    ``title_fr`` is the everyday name with its masculine and feminine forms ("Boulanger /
    Boulangère"), ``official_title`` the ROME group title, kept on the card. ``synonyms`` holds
    the French synonyms first, then the English ones (``synonyms_en`` repeats the latter).
    ``qualification`` is the usual diploma to start in the job (the project's reading of the
    ROME access conditions); ``national`` carries DARES's national figures (salary, contracts,
    diplomas of the people in the job). ``automation_risk`` is the project's estimate (see the
    data README for its method). ``close`` lists the ROME codes of close careers (easy moves);
    ``evolution`` the usual next steps. ``pending`` marks a job group whose texts are not
    written yet: its name is one of ROME's job titles and it has no description.
    """

    rome: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    synonyms: tuple[str, ...]
    qualification: str
    training: tuple[TrainingRoute, ...]
    automation_risk: int
    riasec: str
    sector: str
    close: tuple[str, ...]
    synonyms_en: tuple[str, ...] = ()
    evolution: tuple[str, ...] = ()
    access_fr: str = ""
    cpf: CpfFigures | None = None
    official_title: str = ""
    national: NationalFigures | None = None
    pending: bool = False

    def title(self, lang: str) -> str:
        """The career's everyday name in ``lang`` ("fr" or "en")."""
        return self.title_en if lang == "en" else self.title_fr

    def description(self, lang: str) -> str:
        """The career's short description in ``lang`` ("fr" or "en")."""
        return self.description_en if lang == "en" else self.description_fr

    @property
    def training_months(self) -> int:
        """Length of the shortest usual training route, in months (0 when none is needed)."""
        return min((route.months for route in self.training), default=0)

    @property
    def salary_net(self) -> int | None:
        """DARES's national median monthly net salary (full time), when published."""
        return self.national.salary_net if self.national is not None else None

    @property
    def temporary_share(self) -> float | None:
        """Percent of the people in the job on fixed-term or temporary-agency contracts."""
        return self.national.temporary_share if self.national is not None else None


class Priority(StrEnum):
    """What a user cares most about in a job."""

    SALARY = "salary"
    SECURITY = "security"
    HIRING = "hiring"
    FUTURE = "future"
    SHORT_TRAINING = "short_training"


class Criterion(StrEnum):
    """The normalised criteria the score is made of (see ``scoring.ranking``)."""

    TENSION = "tension"
    EMPLOYMENT = "employment"
    CONTRACTS = "contracts"
    SALARY = "salary"
    AUTOMATION = "automation"
    CONDITIONS = "conditions"
    TRAINING = "training"


@dataclass(frozen=True, slots=True)
class Person:
    """What the ranking knows of a user besides the place and the priorities.

    ``qualification`` is one of ``QUALIFICATIONS`` or None (not told); ``interests`` the
    RIASEC letters of the interests quiz, strongest first ("" when not taken).
    """

    qualification: str | None = None
    interests: str = ""


@dataclass(frozen=True, slots=True)
class RankedCareer:
    """A career scored for one user in one département.

    ``score`` is about 0–1. ``reasons`` lists the criteria that helped it most, strongest
    first; ``values`` the normalised criteria (``scoring.ranking.CRITERIA`` order); ``fit``
    how the career's usual diploma compares with the person's ("ok", "short_route",
    "stretch", "far", "unknown"). Used to explain the ranking.
    """

    career: Career
    score: float
    market: MarketFigures
    reasons: tuple[Criterion, ...]
    values: tuple[float, ...] = ()
    fit: str = "unknown"


@dataclass(frozen=True, slots=True)
class Section:
    """A row of careers to explore (e.g. "Best salaries"), best first.

    ``kind`` names what the row is about (``hiring``, ``sector``, ``riasec``…) and ``topic``
    narrows it (the sector of ``sector``, the interest letter of ``riasec``); the title the user
    reads is a template of `messages`. ``title`` is a title written by someone else (a partner
    programme's highlighted careers), shown as it is.
    """

    key: str
    careers: tuple[RankedCareer, ...]
    kind: str = ""
    topic: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A career found by a keyword search; ``matched`` is the title or synonym that matched,
    ``complete`` says whether it holds every word of the query (exactly, as the start of a
    word or with a typo), not only some."""

    career: Career
    score: float
    matched: str
    complete: bool = True


@dataclass(frozen=True, slots=True)
class JobTitle:
    """A job title (ROME "appellation") that leads to a career, for search."""

    title: str
    rome: str


__all__ = [
    "QUALIFICATIONS",
    "RIASEC_LETTERS",
    "Career",
    "ContractMix",
    "CpfFigures",
    "Criterion",
    "Departement",
    "JobTitle",
    "MarketFigures",
    "NationalFigures",
    "Person",
    "Priority",
    "RankedCareer",
    "SearchHit",
    "Section",
    "Tension",
    "TrainingRoute",
]
