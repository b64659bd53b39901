"""The `tremplin` command: run, migrate, and data imports."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from tremplin.logs import configure_logging
from tremplin.settings import SettingsError, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tremplin",
        description="Tremplin: a Telegram bot that helps people find a better job near them.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="start the bot (the local playground when TELEGRAM_BOT_TOKEN is not set)",
        description="Start the bot. Without TELEGRAM_BOT_TOKEN, start the local playground: the "
        "same bot behind an in-process Bot API emulator, with a chat page in the browser.",
    )
    commands.add_parser(
        "migrate",
        help="bring the database schema up to date",
        description="Apply the Alembic migrations to TREMPLIN_DATABASE_URL (also done at start).",
    )
    data = commands.add_parser(
        "data",
        help="import official open-data files (ROME, IMT, CPF) into TREMPLIN_DATA_DIR",
        description="Import official open-data files in their published formats. Each import "
        "validates every row (bad rows are reported with their line number and skipped), "
        "refuses a wrong file, and replaces the previous import atomically. A running bot "
        "picks the new data up when it restarts.",
    )
    imports = data.add_subparsers(dest="dataset", required=True, metavar="IMPORT")
    rome = imports.add_parser(
        "import-rome",
        help="the ROME referential (folder of unix_*_v3xx_utf8.csv files)",
        description="Import the ROME referential: job groups, all job titles (for search), "
        "definitions, access conditions, mobility links and RIASEC codes.",
    )
    rome.add_argument("source", type=Path, help="folder holding the ROME CSV files")
    imt = imports.add_parser(
        "import-imt",
        help="IMT market statistics, salaries and contract types (CSV extracts)",
        description="Import IMT extracts (market_score, salaries, employment_type) by "
        "département; they replace the shipped estimates where present.",
    )
    imt.add_argument("source", type=Path, nargs="+", help="IMT CSV files or a folder of them")
    cpf = imports.add_parser(
        "import-cpf",
        help="CPF training offers (CSV)",
        description="Import CPF training offers: counts and durations per career.",
    )
    cpf.add_argument("source", type=Path, help="the CPF CSV file")
    commands.add_parser(
        "console",
        help="serve the web console for coaches, operators and admins",
        description="Serve the web console on TREMPLIN_CONSOLE_LISTEN:TREMPLIN_CONSOLE_PORT "
        "(default 127.0.0.1:8090). Coaches' replies go out through the bot of "
        "TELEGRAM_BOT_TOKEN. Accounts are made with `tremplin users add`.",
    )
    from tremplin.users_cli import add_parser as add_users_parser

    add_users_parser(commands)
    return parser


def _import(dataset: str, sources: list[Path], destination: Path) -> int:
    """Run one import with a progress bar; print the report; 0 on success, 1 if refused."""
    from tqdm import tqdm

    from scoring.importers.common import DataImportError
    from scoring.importers.cpf import import_cpf
    from scoring.importers.imt import import_imt
    from scoring.importers.rome import import_rome

    destination.mkdir(parents=True, exist_ok=True)
    with tqdm(total=0, unit="rows", desc=dataset, disable=None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            if dataset == "import-rome":
                report = import_rome(sources[0], destination, progress)
            elif dataset == "import-imt":
                report = import_imt(
                    sources[0] if len(sources) == 1 else sources, destination, progress
                )
            else:
                report = import_cpf(sources[0], destination, progress)
        except DataImportError as exc:
            bar.close()
            print(f"tremplin: import refused, nothing changed: {exc}", file=sys.stderr)
            return 1
    for bad in report.bad_rows[:50]:
        print(f"  line {bad.line}: {bad.reason}")
    if len(report.bad_rows) > 50:
        print(f"  … and {len(report.bad_rows) - 50} more refused rows")
    print(report.summary())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tremplin` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"tremplin: invalid setting {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)  # ids redacted from every line
    if args.command == "migrate":
        from migrations.apply import upgrade

        upgrade(settings.database_url)
        print("database is up to date")
        return 0
    if args.command == "data":
        return _import(
            args.dataset,
            list(args.source) if isinstance(args.source, list) else [args.source],
            settings.data_dir,
        )
    if args.command == "users":
        from tremplin.users_cli import run_users

        return asyncio.run(run_users(args, settings))
    if args.command == "console":
        from tremplin.run import run_console

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_console(settings))
        return 0
    if args.command == "run":
        from tremplin.run import run

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run(settings))
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
