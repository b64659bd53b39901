"""What the importers share: the report, the error, CSV reading with line numbers, atomic writes."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(rows_done, rows_total)`` while an import runs."""

_PROGRESS_STEP = 500


class DataImportError(Exception):
    """A source file cannot be imported at all (wrong file, wrong columns, not CSV).

    Nothing is written when it is raised: a previous import stays in place.
    """


class BadRow(NamedTuple):
    """A source row that was refused: its line number in the file and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did: rows read, imported, skipped (valid but out of scope) and refused."""

    dataset: str
    written: list[Path] = field(default_factory=list)
    rows_read: int = 0
    rows_imported: int = 0
    rows_skipped: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def bad(self, line: int, reason: str) -> None:
        """Record a refused row."""
        self.bad_rows.append(BadRow(line, reason))

    def summary(self) -> str:
        """One line for a terminal: rows imported, skipped, refused, and the counts."""
        extra = ", ".join(f"{key} {value}" for key, value in self.counts.items())
        text = (
            f"{self.dataset}: {self.rows_imported} rows imported, {self.rows_skipped} skipped, "
            f"{len(self.bad_rows)} refused"
        )
        return f"{text} ({extra})" if extra else text


@dataclass
class CsvTable:
    """The rows of a CSV file with the line each row starts on (the header is line 1)."""

    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    short_rows: list[tuple[int, int]]  # (line, number of fields) of rows with a wrong width


def read_csv(
    path: Path,
    required: Sequence[str],
    kind: str,
    unescape_quotes: bool = False,
) -> CsvTable:
    """Read a whole CSV file, refusing it unless its header has the ``required`` columns.

    ``kind`` names the expected file in error messages. ``unescape_quotes`` turns the
    doubled apostrophes of the ROME files ("d''arbres") back into single ones.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataImportError(f"{path}: cannot read the file: {error.strerror}") from error
    if b"\x00" in raw[:65536]:
        raise DataImportError(f"{path.name}: not a CSV file (binary content); expected {kind}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataImportError(
            f"{path.name}: not UTF-8 text (byte {error.start}); expected {kind}"
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise DataImportError(f"{path.name}: the file is empty; expected {kind}") from None
    except csv.Error as error:
        raise DataImportError(f"{path.name}: not a CSV file ({error}); expected {kind}") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise DataImportError(
            f"{path.name}: not {kind}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(header[:8]) or 'none'}"
        )
    rows: list[tuple[int, dict[str, str]]] = []
    short_rows: list[tuple[int, int]] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(value.strip() for value in record):
                continue
            if len(record) != len(header):
                short_rows.append((start, len(record)))
                continue
            if unescape_quotes:
                record = [value.replace("''", "'") for value in record]
            rows.append((start, dict(zip(header, record, strict=True))))
    except csv.Error as error:
        raise DataImportError(
            f"{path.name}: not a valid CSV file near line {line}: {error}"
        ) from None
    return CsvTable(path, header, rows, short_rows)


def iter_rows(
    table: CsvTable, report: ImportReport, tracker: ProgressTracker
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a table, reporting rows of the wrong width and advancing the progress."""
    for line, width in table.short_rows:
        report.rows_read += 1
        report.bad(line, f"{table.path.name}: {width} fields instead of {len(table.header)}")
    for line, row in table.rows:
        report.rows_read += 1
        tracker.advance()
        yield line, row


class ProgressTracker:
    """Calls a progress callback every few hundred rows, and once at the end."""

    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.done = 0

    def advance(self) -> None:
        """Count one row."""
        self.done += 1
        if self.callback is not None and self.done % _PROGRESS_STEP == 0:
            self.callback(self.done, self.total)

    def finish(self) -> None:
        """Report the end of the import."""
        if self.callback is not None:
            self.callback(self.total, self.total)


def total_rows(*tables: CsvTable) -> int:
    """Number of data rows (good width or not) across tables."""
    return sum(len(t.rows) for t in tables)


def write_json_atomic(path: Path, document: Any) -> None:
    """Write JSON to ``path`` so that readers see the old file or the whole new one.

    The text goes to a temporary file in the same directory, flushed to disk, which then
    replaces the target with ``os.replace`` (atomic on one file system).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, sort_keys=True, indent=0)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def parse_int(value: str) -> int | None:
    """An integer, or None when the text is not one (accepts "12.0")."""
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def parse_float(value: str) -> float | None:
    """A finite number written with a dot or a comma, or None."""
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None
