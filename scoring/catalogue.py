"""The career catalogue: shipped package data, overlaid by imported open data.

The package ships ``data/careers/A.json`` … ``N.json`` (one file per ROME domain letter,
any of them may be missing). Each is ``{"sources": {...}, "careers": [...]}`` and every
career record is validated on load; a bad record raises :class:`CatalogueError` naming the
file and the ROME code.

Imports (see :mod:`scoring.importers`) write JSON files into an ``imported_dir`` which
:func:`load_catalogue` lays over the shipped data:

- ``rome.json``: official titles, RIASEC codes, close and evolution moves, access texts,
  and every ROME job title (for search);
- ``imt_market.json``, ``imt_contracts.json``, ``imt_salaries.json``: local market figures
  per département, replacing the estimates;
- ``cpf.json``: CPF training counts and durations per career.

Market figures without local data are estimated (``is_estimate=True``): a département's
yearly offers are the national offers times its share of the population (population is
used as a proxy for its share of employment, which we do not ship); competition (offers per
10 candidates) and seasonality, being ratios or flags, are taken as the national ones.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from scoring.departements import get_departement, total_population
from scoring.models import (
    QUALIFICATIONS,
    RIASEC_LETTERS,
    Career,
    ContractMix,
    CpfFigures,
    JobTitle,
    MarketFigures,
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
        "salary_entry",
        "salary_experienced",
        "contracts",
        "automation_risk",
        "riasec",
        "sector",
        "close",
        "national_offers",
        "national_competition",
        "seasonal",
    }
)
CONTRACT_KEYS = ("cdi", "cdd_long", "cdd_short", "interim")
TRAINING_KEYS = frozenset({"name_fr", "name_en", "months"})

IMPORTED_FILES = (
    "rome.json",
    "imt_market.json",
    "imt_contracts.json",
    "imt_salaries.json",
    "cpf.json",
)


class CatalogueError(ValueError):
    """A catalogue file or record is malformed."""


@dataclass(frozen=True, slots=True)
class _LocalFigures:
    annual_offers: int | None = None
    competition: float | None = None
    seasonal: bool | None = None
    contracts: ContractMix | None = None
    salary_entry: int | None = None
    salary_experienced: int | None = None


class Catalogue:
    """All careers, their market figures per département and the job titles to search.

    Derived indexes (search, per-département normalised criteria) are built lazily once per
    catalogue and kept on it, so keep one catalogue for the life of the process.
    """

    def __init__(
        self,
        careers: Mapping[str, Career],
        titles: Iterable[JobTitle] = (),
        local: Mapping[tuple[str, str], _LocalFigures] | None = None,
        sources: Mapping[str, Any] | None = None,
    ) -> None:
        self.careers: Mapping[str, Career] = dict(sorted(careers.items()))
        self.titles: tuple[JobTitle, ...] = tuple(titles)
        self.sources: Mapping[str, Any] = dict(sources or {})
        self._local: dict[tuple[str, str], _LocalFigures] = dict(local or {})
        self._local_departements = frozenset(dep for _, dep in self._local)
        self._total_population = total_population()
        # Caches owned by other modules of the package (ranking, search), keyed by name.
        self.derived: dict[object, Any] = {}

    def __len__(self) -> int:
        return len(self.careers)

    def __repr__(self) -> str:
        return f"<Catalogue {len(self.careers)} careers, {len(self.titles)} titles>"

    def get(self, rome: str) -> Career | None:
        """The career with this ROME code, or None."""
        return self.careers.get(rome)

    def has_local_data(self, dep_code: str) -> bool:
        """Whether any imported figure exists for this département."""
        return dep_code in self._local_departements

    def market(self, rome: str, dep_code: str) -> MarketFigures:
        """The market figures of a career in a département: imported when known, else estimated.

        Raises KeyError for an unknown career or département.
        """
        career = self.careers[rome]
        departement = get_departement(dep_code)
        if departement is None:
            raise KeyError(dep_code)
        local = self._local.get((rome, dep_code))
        share = departement.population / self._total_population
        estimated_offers = round(career.national_offers * share)
        if local is None:
            return MarketFigures(
                rome=rome,
                departement=dep_code,
                annual_offers=estimated_offers,
                competition=career.national_competition,
                seasonal=career.seasonal,
                is_estimate=True,
            )
        return MarketFigures(
            rome=rome,
            departement=dep_code,
            annual_offers=(
                local.annual_offers if local.annual_offers is not None else estimated_offers
            ),
            competition=(
                local.competition if local.competition is not None else career.national_competition
            ),
            seasonal=local.seasonal if local.seasonal is not None else career.seasonal,
            is_estimate=local.annual_offers is None,
            contracts=local.contracts,
            salary_entry=local.salary_entry,
            salary_experienced=local.salary_experienced,
        )


# --- validation of shipped records -------------------------------------------------------


def _fail(source: str, rome: object, message: str) -> CatalogueError:
    return CatalogueError(f"{source}: career {rome!r}: {message}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def parse_career(record: object, source: str) -> Career:
    """Validate one career record of a catalogue file and build the Career.

    ``source`` names the file in error messages.
    """
    if not isinstance(record, dict):
        raise CatalogueError(f"{source}: a career record is not an object: {record!r:.60}")
    rome = record.get("rome", "?")
    keys = set(record)
    if keys != CAREER_KEYS:
        parts = []
        if CAREER_KEYS - keys:
            parts.append("missing " + ", ".join(sorted(CAREER_KEYS - keys)))
        if keys - CAREER_KEYS:
            parts.append("unknown " + ", ".join(sorted(keys - CAREER_KEYS)))
        raise _fail(source, rome, "; ".join(parts))
    if not isinstance(rome, str) or not ROME_CODE.match(rome):
        raise _fail(source, rome, "rome must look like 'D1102'")
    for key in ("title_fr", "title_en", "description_fr", "description_en"):
        if not isinstance(record[key], str) or not record[key].strip():
            raise _fail(source, rome, f"{key} must be a non-empty string")
    for key in ("synonyms_fr", "synonyms_en"):
        if not _str_list(record[key]):
            raise _fail(source, rome, f"{key} must be a list of non-empty strings")
    if record["qualification"] not in QUALIFICATIONS:
        raise _fail(source, rome, f"qualification must be one of {', '.join(QUALIFICATIONS)}")
    training = record["training"]
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
    entry, experienced = record["salary_entry"], record["salary_experienced"]
    if not (_is_int(entry) and _is_int(experienced) and 0 < entry <= experienced <= 50_000):
        raise _fail(
            source, rome, "salaries must be ints with 0 < salary_entry <= salary_experienced"
        )
    contracts = record["contracts"]
    if (
        not isinstance(contracts, dict)
        or set(contracts) != set(CONTRACT_KEYS)
        or not all(_is_int(contracts[k]) and contracts[k] >= 0 for k in CONTRACT_KEYS)
    ):
        raise _fail(source, rome, "contracts needs int percents cdi, cdd_long, cdd_short, interim")
    if sum(contracts[k] for k in CONTRACT_KEYS) != 100:
        raise _fail(source, rome, f"contracts must sum to 100, not {sum(contracts.values())}")
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
    offers = record["national_offers"]
    if not _is_int(offers) or offers < 0:
        raise _fail(source, rome, "national_offers must be a non-negative int")
    competition = record["national_competition"]
    if (
        not isinstance(competition, int | float)
        or isinstance(competition, bool)
        or not math.isfinite(competition)
        or competition < 0
    ):
        raise _fail(source, rome, "national_competition must be a non-negative number")
    if not isinstance(record["seasonal"], bool):
        raise _fail(source, rome, "seasonal must be true or false")
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
        training=tuple(routes),
        salary_entry=entry,
        salary_experienced=experienced,
        contracts=ContractMix(*(contracts[k] for k in CONTRACT_KEYS)),
        automation_risk=risk,
        riasec=riasec,
        sector=record["sector"],
        close=tuple(c for c in close if c != rome),
        national_offers=offers,
        national_competition=float(competition),
        seasonal=record["seasonal"],
        synonyms_en=synonyms_en,
    )


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
            changes["title_fr"] = group["title"]
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


def _overlay_local(
    local: dict[tuple[str, str], _LocalFigures], document: Mapping[str, Any], kind: str
) -> None:
    for key, value in document.get("figures", {}).items():
        rome, _, dep = key.partition("@")
        current = local.get((rome, dep), _LocalFigures())
        if kind == "market":
            current = replace(
                current,
                annual_offers=value.get("annual_offers"),
                competition=value.get("competition"),
                seasonal=value.get("seasonal"),
            )
        elif kind == "contracts":
            current = replace(current, contracts=ContractMix(*(value[k] for k in CONTRACT_KEYS)))
        else:
            current = replace(
                current,
                salary_entry=value.get("salary_entry"),
                salary_experienced=value.get("salary_experienced"),
            )
        local[(rome, dep)] = current


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
) -> Catalogue:
    """A catalogue of ``careers`` overlaid with the imports found in ``imported_dir``."""
    merged = dict(careers)
    titles: list[JobTitle] = []
    local: dict[tuple[str, str], _LocalFigures] = {}
    if imported_dir is not None:
        rome = _read_imported(imported_dir / "rome.json")
        if rome is not None:
            titles = _overlay_rome(merged, rome)
        for kind in ("market", "contracts", "salaries"):
            document = _read_imported(imported_dir / f"imt_{kind}.json")
            if document is not None:
                _overlay_local(local, document, kind)
        cpf = _read_imported(imported_dir / "cpf.json")
        if cpf is not None:
            _overlay_cpf(merged, cpf)
    return Catalogue(merged, titles, local, sources)


@cache
def _shipped() -> tuple[dict[str, Career], dict[str, Any]]:
    return load_careers(resources.files("scoring").joinpath("data/careers"))


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
