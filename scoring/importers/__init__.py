"""Importers of official open data (ROME, IMT, CPF) into an ``imported_dir``.

Each takes the source path(s), the destination folder and an optional progress callback
``progress(rows_done, rows_total)``, and returns an :class:`ImportReport`. A wrong source
raises :class:`DataImportError` and writes nothing; every output file is replaced
atomically, so readers never see a half-written import.
"""

from scoring.importers.common import BadRow, DataImportError, ImportReport, ProgressCallback
from scoring.importers.cpf import import_cpf
from scoring.importers.imt import import_imt
from scoring.importers.rome import import_rome

__all__ = [
    "BadRow",
    "DataImportError",
    "ImportReport",
    "ProgressCallback",
    "import_cpf",
    "import_imt",
    "import_rome",
]
