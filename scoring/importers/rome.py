"""Import the ROME occupation referential (France Travail open data, "unix_*_utf8.csv" files).

Reads from one folder:

- ``unix_referentiel_code_rome_v*_utf8.csv`` (required): the job groups and their titles;
- ``unix_referentiel_appellation_v*_utf8.csv`` (required): every job title, for search;
- ``unix_texte_v*_utf8.csv``: definitions and access conditions;
- ``unix_rubrique_mobilite_v*_utf8.csv``: close ("Proche") and evolution moves;
- ``unix_referentiel_code_rome_riasec_v*_utf8.csv``: major and minor RIASEC interests.

Writes ``rome.json`` in the imported folder, which :func:`scoring.load_catalogue` lays over
the shipped careers (official title, RIASEC, close and evolution moves, access text) and
uses for search (all job titles).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scoring.catalogue import ROME_CODE
from scoring.importers.common import (
    CsvTable,
    DataImportError,
    ImportReport,
    ProgressCallback,
    ProgressTracker,
    iter_rows,
    read_csv,
    total_rows,
    write_json_atomic,
)

OUTPUT = "rome.json"
RIASEC = frozenset("RIASEC")
_TEXT_TYPES = {"1": "definition", "2": "access", "3": "conditions"}
_MOBILITY_TYPES = {"1": "close", "2": "evolution"}

_FILES: dict[str, tuple[str, tuple[str, ...], bool]] = {
    # key: (file name pattern, required columns, required file)
    "groups": ("unix_referentiel_code_rome_v*_utf8.csv", ("code_rome", "libelle_rome"), True),
    "titles": (
        "unix_referentiel_appellation_v*_utf8.csv",
        ("code_ogr", "libelle_appellation_long", "code_rome"),
        True,
    ),
    "texts": (
        "unix_texte_v*_utf8.csv",
        ("code_rome", "position_libelle_txt", "code_type_texte", "libelle_texte"),
        False,
    ),
    "mobility": (
        "unix_rubrique_mobilite_v*_utf8.csv",
        ("code_rome", "code_rome_cible", "code_type_mobilite"),
        False,
    ),
    "riasec": (
        "unix_referentiel_code_rome_riasec_v*_utf8.csv",
        ("code_rome", "riasec_majeur", "riasec_mineur"),
        False,
    ),
}


def _find(source: Path, pattern: str) -> Path | None:
    matches = sorted(source.glob(pattern))
    return matches[-1] if matches else None


def _read_tables(source: Path) -> dict[str, CsvTable]:
    if not source.is_dir():
        raise DataImportError(
            f"{source}: expected the folder of ROME CSV files "
            "(unix_referentiel_code_rome_v*_utf8.csv, …)"
        )
    tables: dict[str, CsvTable] = {}
    for key, (pattern, columns, required) in _FILES.items():
        path = _find(source, pattern)
        if path is None:
            if required:
                raise DataImportError(f"{source}: no {pattern} in this folder")
            continue
        tables[key] = read_csv(path, columns, f"a ROME {key} file", unescape_quotes=True)
    return tables


def import_rome(
    source: Path, imported_dir: Path, progress: ProgressCallback | None = None
) -> ImportReport:
    """Import the ROME referential from the folder ``source`` into ``imported_dir``.

    Every row is validated; a bad row is reported with its line number and skipped. A
    wrong folder or file raises :class:`DataImportError` and leaves any previous import as
    it was. Importing the same files twice gives the same result.
    """
    tables = _read_tables(source)
    report = ImportReport(dataset="ROME")
    tracker = ProgressTracker(progress, total_rows(*tables.values()))
    groups = _job_groups(tables["groups"], report, tracker)
    titles = _job_titles(tables["titles"], report, tracker)
    # The optional files add to the job groups read above (and refuse rows about others).
    if "texts" in tables:
        _add_texts(tables["texts"], groups, report, tracker)
    if "mobility" in tables:
        _add_moves(tables["mobility"], groups, report, tracker)
    if "riasec" in tables:
        _add_riasec(tables["riasec"], groups, report, tracker)
    if not groups:
        raise DataImportError(f"{source}: no valid job group in the ROME files; nothing imported")
    output = imported_dir / OUTPUT
    write_json_atomic(output, _document(tables, groups, titles))
    tracker.finish()
    report.written.append(output)
    report.counts = {"job_groups": len(groups), "titles": len(titles)}
    report.bad_rows.sort()
    return report


def _withdrawn(row: dict[str, str]) -> bool:
    """A row the referential keeps but no longer uses (`statut` other than 1)."""
    return row.get("statut", "1").strip() not in ("1", "")


def _job_groups(
    table: CsvTable, report: ImportReport, tracker: ProgressTracker
) -> dict[str, dict[str, Any]]:
    """The job groups in use: ROME code → title and empty lists of moves."""
    name = table.path.name
    groups: dict[str, dict[str, Any]] = {}
    for line, row in iter_rows(table, report, tracker):
        code, title = row["code_rome"].strip(), " ".join(row["libelle_rome"].split())
        if not ROME_CODE.match(code):
            report.bad(line, f"{name}: invalid ROME code {code!r}")
        elif not title:
            report.bad(line, f"{name}: empty title for {code}")
        elif code in groups:
            report.bad(line, f"{name}: {code} is listed twice")
        elif _withdrawn(row):
            report.rows_skipped += 1  # withdrawn job group
        else:
            groups[code] = {"title": title, "close": [], "evolution": []}
            report.rows_imported += 1
    return groups


def _job_titles(
    table: CsvTable, report: ImportReport, tracker: ProgressTracker
) -> list[tuple[str, str]]:
    """Every job title in use, as (title, ROME code), for search."""
    name = table.path.name
    titles: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for line, row in iter_rows(table, report, tracker):
        code = row["code_rome"].strip()
        title = " ".join(row["libelle_appellation_long"].split())
        ogr = row["code_ogr"].strip()
        if not ROME_CODE.match(code):
            report.bad(line, f"{name}: invalid ROME code {code!r}")
        elif not title:
            report.bad(line, f"{name}: empty job title")
        elif not ogr.isdigit():
            report.bad(line, f"{name}: invalid code_ogr {ogr!r}")
        elif ogr in seen:
            report.bad(line, f"{name}: code_ogr {ogr} already on line {seen[ogr]}")
        elif _withdrawn(row):
            report.rows_skipped += 1
        else:
            # Kept even when its job group is missing from the referential (v347 has
            # titles for L1510): the catalogue only searches titles of careers it has.
            seen[ogr] = line
            titles.append((title, code))
            report.rows_imported += 1
    return titles


def _rows_of_groups(
    table: CsvTable,
    groups: dict[str, dict[str, Any]],
    report: ImportReport,
    tracker: ProgressTracker,
) -> Iterator[tuple[int, dict[str, str], str]]:
    """The rows of an optional file that are about a job group in use, as (line, row, ROME
    code); a row about any other code is reported."""
    for line, row in iter_rows(table, report, tracker):
        code = row["code_rome"].strip()
        if code in groups:
            yield line, row, code
        else:
            report.bad(line, f"{table.path.name}: unknown ROME code {code!r}")


def _add_texts(
    table: CsvTable,
    groups: dict[str, dict[str, Any]],
    report: ImportReport,
    tracker: ProgressTracker,
) -> None:
    """The definition and access text of each job group, its numbered parts put in order."""
    name = table.path.name
    texts: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for line, row, code in _rows_of_groups(table, groups, report, tracker):
        kind = row["code_type_texte"].strip()
        position, text = (
            row["position_libelle_txt"].strip(),
            " ".join(row["libelle_texte"].split()),
        )
        if kind not in _TEXT_TYPES:
            report.bad(line, f"{name}: unknown text type {kind!r}")
        elif not position.isdigit():
            report.bad(line, f"{name}: invalid position {position!r}")
        elif not text:
            report.bad(line, f"{name}: empty text")
        else:
            texts.setdefault((code, _TEXT_TYPES[kind]), []).append((int(position), text))
            report.rows_imported += 1
    for (code, kind), parts in texts.items():
        if kind in ("definition", "access"):
            groups[code][kind] = " ".join(text for _, text in sorted(parts))


def _add_moves(
    table: CsvTable,
    groups: dict[str, dict[str, Any]],
    report: ImportReport,
    tracker: ProgressTracker,
) -> None:
    """The close and evolution moves from each job group to others of the referential."""
    name = table.path.name
    for line, row, code in _rows_of_groups(table, groups, report, tracker):
        target = row["code_rome_cible"].strip()
        kind = row["code_type_mobilite"].strip()
        if target not in groups:
            report.bad(line, f"{name}: unknown target ROME code {target!r}")
        elif kind not in _MOBILITY_TYPES:
            report.bad(line, f"{name}: unknown mobility type {kind!r}")
        else:
            moves = groups[code][_MOBILITY_TYPES[kind]]
            if target != code and target not in moves:
                moves.append(target)
            report.rows_imported += 1


def _add_riasec(
    table: CsvTable,
    groups: dict[str, dict[str, Any]],
    report: ImportReport,
    tracker: ProgressTracker,
) -> None:
    """The major and minor RIASEC interests of each job group (minor optional, not the major)."""
    name = table.path.name
    for line, row, code in _rows_of_groups(table, groups, report, tracker):
        major = row["riasec_majeur"].strip().upper()
        minor = row["riasec_mineur"].strip().upper()
        if major not in RIASEC or (minor and (minor not in RIASEC or minor == major)):
            report.bad(line, f"{name}: invalid RIASEC letters {major!r}, {minor!r}")
        else:
            groups[code]["riasec"] = major + minor
            report.rows_imported += 1


def _document(
    tables: dict[str, CsvTable],
    groups: dict[str, dict[str, Any]],
    titles: list[tuple[str, str]],
) -> dict[str, Any]:
    """What rome.json holds, in a stable order (the same files give the same bytes)."""
    for group in groups.values():
        group["close"].sort()
        group["evolution"].sort()
    return {
        "format": 1,
        "source": sorted(t.path.name for t in tables.values()),
        "job_groups": dict(sorted(groups.items())),
        "titles": sorted(titles, key=lambda item: (item[1], item[0])),
    }
