"""The career catalogue: the project's career texts, the ROME referential and DARES figures.

The package ships:

- ``data/careers/A.json`` … ``N.json`` (one file per ROME domain letter, any may be missing):
  the texts written for this project (everyday names, descriptions, synonyms, usual diploma,
  training routes, automation-risk estimate, sector). Each is ``{"sources": {...},
  "careers": [...]}`` and every record is validated on load; a bad record raises
  :class:`CatalogueError` naming the file and the ROME code;
- ``data/rome.json``: the ROME v347 referential (official titles, RIASEC, close and evolution
  moves, every job title for search), built by :mod:`scoring.build`;
- ``data/labour/``: DARES's figures (see :mod:`scoring.labour`), national and per département.

Imports (see :mod:`scoring.importers`) write JSON files into an ``imported_dir`` which
:func:`load_catalogue` lays over the shipped data: a newer ``rome.json`` replaces the shipped
referential and ``cpf.json`` adds CPF training counts. Market figures always come from the
DARES files (the IMT extracts an operator may import are not used for the ranking).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from scoring.departements import get_departement
from scoring.labour import LabourData, MarketFigures, shipped_labour
from scoring.models import (
    QUALIFICATIONS,
    RIASEC_LETTERS,
    Career,
    CpfFigures,
    JobTitle,
    TrainingRoute,
)

ROME_CODE = re.compile(r"^[A-N]\d{4}$")
_SECTOR = re.compile(r"^[a-z][a-z_]*$")
_DOMAIN_LETTERS = "ABCDEFGHIJKLMN"

CAREER_KEYS = frozenset(
    {
        "rome",
        "title_fr",
        "title_en",
        "description_fr",
        "description_en",
        "synonyms_fr",
        "synonyms_en",
        "qualification",
        "training",
        "automation_risk",
        "riasec",
        "sector",
        "close",
    }
)
CONTRACT_KEYS = ("cdi", "cdd_long", "cdd_short", "interim")
TRAINING_KEYS = frozenset({"name_fr", "name_en", "months"})

IMPORTED_FILES = ("rome.json", "cpf.json")


class CatalogueError(ValueError):
    """A catalogue file or record is malformed."""


class Catalogue:
    """All careers, their market figures per département and the job titles to search.

    Derived indexes (search, per-département normalised criteria) are built lazily once per
    catalogue and kept on it, so keep one catalogue for the life of the process.
    """

    def __init__(
        self,
        careers: Mapping[str, Career],
        titles: Iterable[JobTitle] = (),
        sources: Mapping[str, Any] | None = None,
        labour: LabourData | None = None,
    ) -> None:
        self.labour: LabourData = labour if labour is not None else shipped_labour()
        self.careers: Mapping[str, Career] = {
            rome: replace(career, national=self.labour.national(rome))
            if career.national is None
            else career
            for rome, career in sorted(careers.items())
        }
        self.titles: tuple[JobTitle, ...] = tuple(titles)
        self.sources: Mapping[str, Any] = dict(sources or {})
        # Caches owned by other modules of the package (ranking, search), keyed by name.
        self.derived: dict[object, Any] = {}

    def __len__(self) -> int:
        return len(self.careers)

    def __repr__(self) -> str:
        return f"<Catalogue {len(self.careers)} careers, {len(self.titles)} titles>"

    def get(self, rome: str) -> Career | None:
        """The career with this ROME code, or None."""
        return self.careers.get(rome)

    def market(self, rome: str, dep_code: str) -> MarketFigures:
        """The DARES figures of a career in a département (see :mod:`scoring.labour`).

        Raises KeyError for an unknown career or département.
        """
        if rome not in self.careers:
            raise KeyError(rome)
        if get_departement(dep_code) is None:
            raise KeyError(dep_code)
        key = ("market", rome, dep_code)
        cached = self.derived.get(key)
        if cached is None:
            cached = self.labour.market(rome, dep_code)
            self.derived[key] = cached
        assert isinstance(cached, MarketFigures)
        return cached


# --- validation of shipped records -------------------------------------------------------


def _fail(source: str, rome: object, message: str) -> CatalogueError:
    return CatalogueError(f"{source}: career {rome!r}: {message}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def parse_career(record: object, source: str) -> Career:
    """Validate one career record of a catalogue file and build the Career.

    ``source`` names the file in error messages; the first fault found is the one raised, in
    the order of the checks below.
    """
    if not isinstance(record, dict):
        raise CatalogueError(f"{source}: a career record is not an object: {record!r:.60}")
    rome = record.get("rome", "?")
    _check_keys(record, rome, source)
    if not isinstance(rome, str) or not ROME_CODE.match(rome):
        raise _fail(source, rome, "rome must look like 'D1102'")
    _check_words(record, rome, source)
    routes = _training_routes(record["training"], rome, source)
    _check_profile(record, rome, source)
    synonyms_fr = tuple(s.strip() for s in record["synonyms_fr"])
    synonyms_en = tuple(s.strip() for s in record["synonyms_en"])
    return Career(
        rome=rome,
        title_fr=record["title_fr"].strip(),
        title_en=record["title_en"].strip(),
        description_fr=record["description_fr"].strip(),
        description_en=record["description_en"].strip(),
        synonyms=tuple(dict.fromkeys(synonyms_fr + synonyms_en)),
        qualification=record["qualification"],
        training=routes,
        automation_risk=record["automation_risk"],
        riasec=record["riasec"],
        sector=record["sector"],
        close=tuple(c for c in record["close"] if c != rome),
        synonyms_en=synonyms_en,
    )


def _check_keys(record: dict[str, Any], rome: object, source: str) -> None:
    """Exactly the keys of a career: what is missing and what is unknown, both named."""
    keys = set(record)
    if keys != CAREER_KEYS:
        parts = []
        if CAREER_KEYS - keys:
            parts.append("missing " + ", ".join(sorted(CAREER_KEYS - keys)))
        if keys - CAREER_KEYS:
            parts.append("unknown " + ", ".join(sorted(keys - CAREER_KEYS)))
        raise _fail(source, rome, "; ".join(parts))


def _check_words(record: dict[str, Any], rome: str, source: str) -> None:
    """Titles, descriptions and synonyms in both languages, and the qualification level."""
    for key in ("title_fr", "title_en", "description_fr", "description_en"):
        if not isinstance(record[key], str) or not record[key].strip():
            raise _fail(source, rome, f"{key} must be a non-empty string")
    for key in ("synonyms_fr", "synonyms_en"):
        if not _str_list(record[key]):
            raise _fail(source, rome, f"{key} must be a list of non-empty strings")
    if record["qualification"] not in QUALIFICATIONS:
        raise _fail(source, rome, f"qualification must be one of {', '.join(QUALIFICATIONS)}")


def _training_routes(training: object, rome: str, source: str) -> tuple[TrainingRoute, ...]:
    """The training routes into the career, each named in both languages with its months."""
    if not isinstance(training, list):
        raise _fail(source, rome, "training must be a list")
    routes = []
    for route in training:
        if (
            not isinstance(route, dict)
            or set(route) != TRAINING_KEYS
            or not isinstance(route["name_fr"], str)
            or not isinstance(route["name_en"], str)
            or not _is_int(route["months"])
            or not 0 <= route["months"] <= 120
        ):
            raise _fail(
                source, rome, f"each training needs name_fr, name_en, months 0–120: {route!r:.80}"
            )
        routes.append(TrainingRoute(route["name_fr"], route["name_en"], route["months"]))
    return tuple(routes)


def _check_profile(record: dict[str, Any], rome: str, source: str) -> None:
    """The figures and codes that place the career: automation risk, RIASEC interests, sector
    and close careers."""
    risk = record["automation_risk"]
    if not _is_int(risk) or not 0 <= risk <= 100:
        raise _fail(source, rome, "automation_risk must be an int from 0 to 100")
    riasec = record["riasec"]
    if (
        not isinstance(riasec, str)
        or not 1 <= len(riasec) <= 2
        or any(letter not in RIASEC_LETTERS for letter in riasec)
    ):
        raise _fail(source, rome, "riasec must be 1 or 2 letters of RIASEC")
    if not isinstance(record["sector"], str) or not _SECTOR.match(record["sector"]):
        raise _fail(source, rome, "sector must be a lower-case slug")
    close = record["close"]
    if not isinstance(close, list) or not all(
        isinstance(c, str) and ROME_CODE.match(c) for c in close
    ):
        raise _fail(source, rome, "close must be a list of ROME codes")


def _read_catalogue_file(
    resource: Traversable | Path, source: str
) -> tuple[list[Career], dict[str, Any]]:
    try:
        document = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogueError(f"{source}: not a readable JSON file: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("careers"), list):
        raise CatalogueError(f'{source}: expected {{"sources": {{...}}, "careers": [...]}}')
    sources = document.get("sources", {})
    careers = [parse_career(record, source) for record in document["careers"]]
    return careers, sources if isinstance(sources, dict) else {}


def load_careers(directory: Traversable | Path) -> tuple[dict[str, Career], dict[str, Any]]:
    """Load and validate every ``<letter>.json`` career file of ``directory``.

    Missing letters are tolerated. A career in the wrong letter file or defined twice is
    an error.
    """
    careers: dict[str, Career] = {}
    sources: dict[str, Any] = {}
    for letter in _DOMAIN_LETTERS:
        resource = directory.joinpath(f"{letter}.json")
        if not resource.is_file():
            continue
        source = f"careers/{letter}.json"
        file_careers, file_sources = _read_catalogue_file(resource, source)
        sources[letter] = file_sources
        for career in file_careers:
            if career.rome[0] != letter:
                raise _fail(source, career.rome, f"belongs in {career.rome[0]}.json")
            if career.rome in careers:
                raise _fail(source, career.rome, "is defined twice")
            careers[career.rome] = career
    return careers, sources


# --- overlay of imported data ------------------------------------------------------------


def _read_imported(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogueError(f"{path}: imported file is not readable JSON: {error}") from error
    if not isinstance(document, dict):
        raise CatalogueError(f"{path}: imported file is not a JSON object")
    return document


def _overlay_rome(careers: dict[str, Career], document: Mapping[str, Any]) -> list[JobTitle]:
    for rome, group in document.get("job_groups", {}).items():
        career = careers.get(rome)
        if career is None:
            continue
        changes: dict[str, Any] = {}
        if group.get("title"):
            changes["official_title"] = group["title"]
        if group.get("riasec"):
            changes["riasec"] = group["riasec"]
        close = [c for c in group.get("close", []) if c != rome]
        if close:
            changes["close"] = tuple(close)
        evolution = [c for c in group.get("evolution", []) if c != rome]
        if evolution:
            changes["evolution"] = tuple(evolution)
        if group.get("access"):
            changes["access_fr"] = group["access"]
        careers[rome] = replace(career, **changes)
    return [JobTitle(title, rome) for title, rome in document.get("titles", [])]


def _overlay_cpf(careers: dict[str, Career], document: Mapping[str, Any]) -> None:
    for rome, value in document.get("careers", {}).items():
        career = careers.get(rome)
        if career is not None:
            careers[rome] = replace(
                career,
                cpf=CpfFigures(
                    trainings=value["trainings"],
                    median_hours=value["median_hours"],
                    min_hours=value["min_hours"],
                    median_price=value.get("median_price"),
                ),
            )


def build_catalogue(
    careers: Mapping[str, Career],
    imported_dir: Path | None = None,
    sources: Mapping[str, Any] | None = None,
    rome: Mapping[str, Any] | None = None,
) -> Catalogue:
    """A catalogue of ``careers`` with the ROME referential ``rome`` (the shipped one when
    None) and the imports found in ``imported_dir`` laid over them."""
    merged = dict(careers)
    document = rome if rome is not None else shipped_rome()
    if imported_dir is not None:
        imported = _read_imported(imported_dir / "rome.json")
        if imported is not None:
            document = imported
    titles = _overlay_rome(merged, document)
    if imported_dir is not None:
        cpf = _read_imported(imported_dir / "cpf.json")
        if cpf is not None:
            _overlay_cpf(merged, cpf)
    return Catalogue(merged, titles, sources)


@cache
def shipped_rome() -> dict[str, Any]:
    """The ROME referential shipped with the package (``data/rome.json``)."""
    raw = resources.files("scoring").joinpath("data/rome.json").read_text("utf-8")
    document = json.loads(raw)
    assert isinstance(document, dict)
    return document


def pending_careers(document: Mapping[str, Any], rome: Mapping[str, Any]) -> dict[str, Career]:
    """Careers without a card written for the project yet (``data/pending.json``): the
    everyday name is one of ROME's own job titles, there is no description (the card says so)
    and no training route; the diploma is DARES's usual one and the sector and automation
    risk are estimates borrowed from close careers (see :mod:`scoring.build.dataset`)."""
    careers: dict[str, Career] = {}
    groups = rome.get("job_groups", {})
    for code, record in document.items():
        group = groups.get(code, {})
        careers[code] = Career(
            rome=code,
            title_fr=record["name"],
            title_en=record["name"],
            description_fr="",
            description_en="",
            synonyms=(),
            qualification=record["qualification"],
            training=(),
            automation_risk=int(record["automation_risk"]),
            riasec=group.get("riasec", "") or "R",
            sector=record["sector"],
            close=tuple(c for c in group.get("close", []) if c != code),
            pending=True,
        )
    return careers


@cache
def _shipped() -> tuple[dict[str, Career], dict[str, Any]]:
    careers, sources = load_careers(resources.files("scoring").joinpath("data/careers"))
    raw = resources.files("scoring").joinpath("data/pending.json").read_text("utf-8")
    pending = pending_careers(json.loads(raw), shipped_rome())
    return {**pending, **careers}, sources


@lru_cache(maxsize=8)
def _load_cached(imported_dir: Path | None, stamp: tuple[int, ...]) -> Catalogue:
    careers, sources = _shipped()
    return build_catalogue(careers, imported_dir, sources)


def _stamp(imported_dir: Path | None) -> tuple[int, ...]:
    if imported_dir is None:
        return ()
    stamps = []
    for name in IMPORTED_FILES:
        try:
            stamps.append((imported_dir / name).stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def load_catalogue(imported_dir: Path | None = None) -> Catalogue:
    """The shipped catalogue, overlaid by the imports in ``imported_dir`` when given.

    The result is cached; a new import in ``imported_dir`` (a changed file) yields a
    fresh catalogue on the next call. Raises CatalogueError on malformed data.
    """
    directory = imported_dir.resolve() if imported_dir is not None else None
    return _load_cached(directory, _stamp(directory))
