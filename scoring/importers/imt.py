"""Import the labour-market statistics ("IMT") extracts of France Travail, per département.

Accepts a folder or the files themselves; each file's kind is told by its header:

- ``market_score.csv`` → ``imt_market.json``: yearly offers (the offers of the last month
  ``NB_OFFER_END_MONTH`` × 12), competition (``TENSION_RATIO``, read as offers per 10
  candidates; an empty ratio keeps the national figure) and seasonality (``SEASONAL``);
- ``employment_type.csv`` → ``imt_contracts.json``: the contract mix (CDI, CDD > 3 months,
  CDD ≤ 3 months, interim), rounded to whole percents summing to 100;
- ``salaries.csv`` → ``imt_salaries.json``: gross monthly salaries by PCS code, mapped to
  ROME codes through the package's partial ``data/pcs_rome.json`` (the mid-point of the
  under-35 range is the entry salary, that of the 35-and-over range the experienced one;
  -1 and -2 mean "no data" and are left out; unmapped PCS codes are counted, not refused).

Only département rows are imported (région and national rows are counted as skipped), and
an area name must match its code. Each output file replaces the previous import of that
kind atomically; files that were not given keep their previous import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from scoring.catalogue import ROME_CODE
from scoring.departements import resolve_departement
from scoring.importers.common import (
    CsvTable,
    DataImportError,
    ImportReport,
    ProgressCallback,
    ProgressTracker,
    iter_rows,
    parse_float,
    parse_int,
    read_csv,
    total_rows,
    write_json_atomic,
)

_AREA = ("AREA_CODE", "AREA_NAME", "AREA_TYPE_CODE")
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # kind: (output file, required columns)
    "market": (
        "imt_market.json",
        (*_AREA, "NB_OFFER_END_MONTH", "ROME_PROFESSION_CARD_CODE", "SEASONAL", "TENSION_RATIO"),
    ),
    "contracts": (
        "imt_contracts.json",
        (*_AREA, "CONTRACT_TYPE_CODE", "NB_OFFERS", "OFFERS_PERCENT", "ROME_PROFESSION_CARD_CODE"),
    ),
    "salaries": (
        "imt_salaries.json",
        (*_AREA, "AGE_GROUP_CODE", "MAXIMUM_SALARY", "MINIMUM_SALARY", "PCS_PROFESSION_CODE"),
    ),
}
_SOURCE_NAMES = {
    "market_score.csv": "market",
    "employment_type.csv": "contracts",
    "salaries.csv": "salaries",
}
CONTRACT_TYPES = {"01": "cdi", "02": "cdd_short", "03": "cdd_long", "04": "interim"}
_CONTRACT_ORDER = ("cdi", "cdd_long", "cdd_short", "interim")
_PCS = re.compile(r"^\d{3}[a-z]$")
_NO_DATA = (-1, -2)


@cache
def pcs_to_rome() -> dict[str, tuple[str, ...]]:
    """The ROME codes each PCS code stands for (a partial mapping shipped with the package)."""
    raw = resources.files("scoring").joinpath("data/pcs_rome.json").read_text("utf-8")
    mapping: dict[str, tuple[str, ...]] = {}
    for rome, pcs in json.loads(raw)["rome_to_pcs"].items():
        mapping[pcs] = (*mapping.get(pcs, ()), rome)
    return mapping


def _kind_of(table_header: list[str]) -> str | None:
    for kind, (_, columns) in KINDS.items():
        if all(column in table_header for column in columns):
            return kind
    return None


def _collect(sources: Path | Sequence[Path]) -> dict[str, CsvTable]:
    paths: list[Path]
    if isinstance(sources, Path):
        if sources.is_dir():
            paths = [sources / name for name in _SOURCE_NAMES if (sources / name).is_file()]
            if not paths:
                raise DataImportError(
                    f"{sources}: no market_score.csv, employment_type.csv or salaries.csv here"
                )
        else:
            paths = [sources]
    else:
        paths = list(sources)
    if not paths:
        raise DataImportError("no IMT file given")
    tables: dict[str, CsvTable] = {}
    for path in paths:
        # Read with the columns of the kind its name suggests, or sniff the kind from the header.
        kind = _SOURCE_NAMES.get(path.name)
        if kind is not None:
            table = read_csv(path, KINDS[kind][1], f"an IMT {path.name} file")
        else:
            table = read_csv(path, (), "an IMT file")
            kind = _kind_of(table.header)
            if kind is None:
                raise DataImportError(
                    f"{path.name}: not an IMT market_score, employment_type or salaries file "
                    f"(columns {', '.join(table.header[:6])}…)"
                )
        if kind in tables:
            raise DataImportError(f"{path.name}: two {kind} files given")
        tables[kind] = table
    return tables


def _departement(row: dict[str, str], report: ImportReport, line: int, name: str) -> str | None:
    """The département code of a row, None when refused (reported) or not a département."""
    area_type = row["AREA_TYPE_CODE"].strip()
    code = row["AREA_CODE"].strip()
    if area_type != "D":
        report.rows_skipped += 1
        return None
    departement = resolve_departement(code) if 1 <= len(code) <= 3 else None
    if departement is None:
        report.bad(line, f"{name}: unknown département code {code!r}")
        return None
    area_name = row["AREA_NAME"].strip()
    if area_name and resolve_departement(area_name) != departement:
        report.bad(
            line,
            f"{name}: area name {area_name!r} does not match département "
            f"{departement.code} ({departement.name})",
        )
        return None
    return departement.code


def _rome(
    row: dict[str, str], column: str, report: ImportReport, line: int, name: str
) -> str | None:
    code = row[column].strip()
    if not ROME_CODE.match(code):
        report.bad(line, f"{name}: invalid ROME code {code!r}")
        return None
    return code


def _career_rows(
    table: CsvTable, report: ImportReport, tracker: ProgressTracker
) -> Iterator[tuple[int, dict[str, str], str, str]]:
    """The rows of a per-career file (market, contracts) about one career in one département,
    as (line, row, ROME code, département code); the others are reported or counted skipped."""
    name = table.path.name
    for line, row in iter_rows(table, report, tracker):
        dep = _departement(row, report, line, name)
        if dep is None:
            continue
        rome = _rome(row, "ROME_PROFESSION_CARD_CODE", report, line, name)
        if rome is not None:
            yield line, row, rome, dep


def _market(table: CsvTable, report: ImportReport, tracker: ProgressTracker) -> dict[str, Any]:
    name = table.path.name
    figures: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for line, row, rome, dep in _career_rows(table, report, tracker):
        offers = parse_int(row["NB_OFFER_END_MONTH"])
        ratio_text = row["TENSION_RATIO"].strip()
        ratio = parse_float(ratio_text) if ratio_text else None
        seasonal = row["SEASONAL"].strip().upper()
        key = f"{rome}@{dep}"
        if offers is None or offers < 0:
            report.bad(line, f"{name}: invalid NB_OFFER_END_MONTH {row['NB_OFFER_END_MONTH']!r}")
        elif ratio_text and (ratio is None or ratio < 0):
            report.bad(line, f"{name}: invalid TENSION_RATIO {ratio_text!r}")
        elif seasonal not in ("O", "N"):
            report.bad(line, f"{name}: SEASONAL must be O or N, not {seasonal!r}")
        elif key in figures:
            report.bad(line, f"{name}: {rome} in {dep} already on line {first_line[key]}")
        else:
            first_line[key] = line
            figures[key] = {
                "annual_offers": offers * 12,
                "competition": ratio,
                "seasonal": seasonal == "O",
            }
            report.rows_imported += 1
    return figures


def _whole_percents(shares: dict[str, float]) -> dict[str, int]:
    """Round shares to whole percents that sum to 100 (largest remainders get the rest)."""
    total = sum(shares.values())
    exact = {key: 100 * shares.get(key, 0.0) / total for key in _CONTRACT_ORDER}
    result = {key: int(value) for key, value in exact.items()}
    rest = 100 - sum(result.values())
    by_remainder = sorted(_CONTRACT_ORDER, key=lambda k: (-(exact[k] - result[k]), k))
    for key in by_remainder[:rest]:
        result[key] += 1
    return result


def _contracts(table: CsvTable, report: ImportReport, tracker: ProgressTracker) -> dict[str, Any]:
    name = table.path.name
    shares: dict[str, dict[str, float]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for line, row, rome, dep in _career_rows(table, report, tracker):
        contract = CONTRACT_TYPES.get(row["CONTRACT_TYPE_CODE"].strip().zfill(2))
        offers = parse_int(row["NB_OFFERS"])
        percent = parse_float(row["OFFERS_PERCENT"])
        key = f"{rome}@{dep}"
        if contract is None:
            report.bad(line, f"{name}: unknown CONTRACT_TYPE_CODE {row['CONTRACT_TYPE_CODE']!r}")
        elif offers is None or offers < 0:
            report.bad(line, f"{name}: invalid NB_OFFERS {row['NB_OFFERS']!r}")
        elif percent is None or not 0 <= percent <= 100:
            report.bad(line, f"{name}: invalid OFFERS_PERCENT {row['OFFERS_PERCENT']!r}")
        elif (key, contract) in first_line:
            report.bad(
                line,
                f"{name}: {contract} of {rome} in {dep} already on line "
                f"{first_line[(key, contract)]}",
            )
        else:
            first_line[(key, contract)] = line
            shares.setdefault(key, {})[contract] = percent
            report.rows_imported += 1
    return {
        key: _whole_percents(values)
        for key, values in sorted(shares.items())
        if sum(values.values()) > 0
    }


def _salaries(table: CsvTable, report: ImportReport, tracker: ProgressTracker) -> dict[str, Any]:
    name = table.path.name
    mapping = pcs_to_rome()
    figures: dict[str, dict[str, int]] = {}
    first_line: dict[tuple[str, str, str], int] = {}
    unmapped: set[str] = set()
    for line, row in iter_rows(table, report, tracker):
        dep = _departement(row, report, line, name)
        if dep is None:
            continue
        pcs = row["PCS_PROFESSION_CODE"].strip().lower()
        group = row["AGE_GROUP_CODE"].strip()
        low, high = parse_int(row["MINIMUM_SALARY"]), parse_int(row["MAXIMUM_SALARY"])
        if not _PCS.match(pcs):
            report.bad(line, f"{name}: invalid PCS code {pcs!r}")
        elif group not in ("1", "2"):
            report.bad(line, f"{name}: AGE_GROUP_CODE must be 1 or 2, not {group!r}")
        elif low is None or high is None:
            report.bad(line, f"{name}: salaries must be whole numbers")
        elif (pcs, dep, group) in first_line:
            previous = first_line[(pcs, dep, group)]
            report.bad(line, f"{name}: {pcs} in {dep} already on line {previous}")
        elif low in _NO_DATA or high in _NO_DATA:
            first_line[(pcs, dep, group)] = line
            report.rows_skipped += 1
        elif not 0 < low <= high <= 100_000:
            report.bad(line, f"{name}: invalid salary range {low}–{high}")
        elif pcs not in mapping:
            first_line[(pcs, dep, group)] = line
            unmapped.add(pcs)
            report.rows_skipped += 1
        else:
            first_line[(pcs, dep, group)] = line
            field = "salary_entry" if group == "1" else "salary_experienced"
            for rome in mapping[pcs]:
                figures.setdefault(f"{rome}@{dep}", {})[field] = round((low + high) / 2)
            report.rows_imported += 1
    report.counts["unmapped_pcs_codes"] = len(unmapped)
    return dict(sorted(figures.items()))


_READERS = {"market": _market, "contracts": _contracts, "salaries": _salaries}


def import_imt(
    sources: Path | Sequence[Path],
    imported_dir: Path,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import IMT extracts (a folder, one file or several) into ``imported_dir``.

    Every row is validated; a bad row is reported with its line number and skipped. A
    wrong file raises :class:`DataImportError` before anything is written, so a previous
    import stays intact. Importing the same files twice gives the same result.
    """
    tables = _collect(sources)
    report = ImportReport(dataset="IMT")
    tracker = ProgressTracker(progress, total_rows(*tables.values()))
    outputs: list[tuple[Path, dict[str, Any]]] = []
    for kind, table in tables.items():
        before = report.rows_imported + report.rows_skipped
        figures = _READERS[kind](table, report, tracker)
        if table.rows and report.rows_imported + report.rows_skipped == before:
            raise DataImportError(
                f"{table.path.name}: no usable row (see the refused rows); nothing imported"
            )
        report.counts[f"{kind}_figures"] = len(figures)
        outputs.append(
            (
                imported_dir / KINDS[kind][0],
                {"format": 1, "source": table.path.name, "figures": figures},
            )
        )
    # Written only once every file has been read, so a refused file writes nothing.
    for path, document in outputs:
        write_json_atomic(path, document)
        report.written.append(path)
    tracker.finish()
    report.bad_rows.sort()
    return report
