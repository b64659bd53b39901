"""Import a CPF training catalogue extract: how many trainings lead to each career, how long.

The CSV has one row per training and ROME code (``formation.title``,
``formation.proximiteRomes.code``, ``duration`` in hours, and optionally
``totalPriceTTC``). Writes ``cpf.json``: per ROME code the number of trainings, the
median and shortest duration in hours and the median price in euros.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from scoring.catalogue import ROME_CODE
from scoring.importers.common import (
    DataImportError,
    ImportReport,
    ProgressCallback,
    ProgressTracker,
    iter_rows,
    parse_float,
    read_csv,
    total_rows,
    write_json_atomic,
)

OUTPUT = "cpf.json"
TITLE, ROME, DURATION, PRICE = (
    "formation.title",
    "formation.proximiteRomes.code",
    "duration",
    "totalPriceTTC",
)
_MAX_HOURS = 10_000


def import_cpf(
    source: Path, imported_dir: Path, progress: ProgressCallback | None = None
) -> ImportReport:
    """Import a CPF trainings CSV file into ``imported_dir``.

    Every row is validated; a bad row is reported with its line number and skipped. A
    wrong file raises :class:`DataImportError` and leaves a previous import intact.
    Importing the same file twice gives the same result.
    """
    if source.is_dir():
        candidates = sorted(source.glob("*.csv"))
        if len(candidates) != 1:
            raise DataImportError(f"{source}: expected one CPF CSV file in this folder")
        source = candidates[0]
    table = read_csv(source, (TITLE, ROME, DURATION), "a CPF trainings file")
    report = ImportReport(dataset="CPF")
    tracker = ProgressTracker(progress, total_rows(table))
    name = table.path.name
    hours: dict[str, list[float]] = {}
    prices: dict[str, list[float]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in iter_rows(table, report, tracker):
        title = " ".join(row[TITLE].split())
        rome = row[ROME].strip()
        duration = parse_float(row[DURATION])
        price_text = row.get(PRICE, "").strip()
        price = parse_float(price_text) if price_text else None
        key = (rome, title, row.get("address.postalCode", "").strip())
        if not rome:
            report.bad(line, f"{name}: no ROME code")
        elif not ROME_CODE.match(rome):
            report.bad(line, f"{name}: invalid ROME code {rome!r}")
        elif not title:
            report.bad(line, f"{name}: no training title")
        elif duration is None or not 0 < duration <= _MAX_HOURS:
            report.bad(line, f"{name}: invalid duration {row[DURATION]!r} (hours)")
        elif price_text and (price is None or price < 0):
            report.bad(line, f"{name}: invalid price {price_text!r}")
        elif key in seen and seen[key] != line:
            # The same training at the same place, repeated (e.g. another teaching mode).
            report.rows_skipped += 1
        else:
            seen[key] = line
            hours.setdefault(rome, []).append(duration)
            if price is not None:
                prices.setdefault(rome, []).append(price)
            report.rows_imported += 1
    if not hours:
        raise DataImportError(f"{name}: no usable training row; nothing imported")
    careers: dict[str, Any] = {}
    for rome in sorted(hours):
        careers[rome] = {
            "trainings": len(hours[rome]),
            "median_hours": round(statistics.median(hours[rome])),
            "min_hours": round(min(hours[rome])),
            "median_price": round(statistics.median(prices[rome])) if rome in prices else None,
        }
    output = imported_dir / OUTPUT
    write_json_atomic(output, {"format": 1, "source": name, "careers": careers})
    tracker.finish()
    report.written.append(output)
    report.counts = {"careers": len(careers)}
    report.bad_rows.sort()
    return report
