"""The `tremplin` command line: help everywhere, clear refusals, data imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tremplin.cli import main

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["run", "--help"],
        ["migrate", "--help"],
        ["data", "--help"],
        ["data", "import-rome", "--help"],
        ["data", "import-imt", "--help"],
        ["data", "import-cpf", "--help"],
    ],
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    assert "usage: tremplin" in capsys.readouterr().out


def test_invalid_setting_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TREMPLIN_QUIET_HOURS", "late")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tremplin: invalid setting TREMPLIN_QUIET_HOURS:") and "\n" not in err


def test_migrate_creates_the_sqlite_database(tmp_path: Path) -> None:
    assert main(["migrate"]) == 0
    assert (tmp_path / "tremplin.db").stat().st_size > 0


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the checkout")
def test_imports_write_the_data_dir_and_refuse_wrong_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path / "data"))
    assert main(["data", "import-rome", str(SHARED / "rome-v347")]) == 0
    assert "titles 10990" in capsys.readouterr().out
    assert (
        main(["data", "import-cpf", str(SHARED / "cpf-samples" / "cpf_trainings_sample.csv")]) == 0
    )
    assert main(["data", "import-imt", str(SHARED / "imt-samples")]) == 0
    written = sorted(p.name for p in (tmp_path / "data").iterdir())
    before = {p.name: p.read_bytes() for p in (tmp_path / "data").iterdir()}
    assert main(["data", "import-cpf", str(SHARED / "geo" / "insee_france_regions.tsv")]) == 1
    assert "import refused, nothing changed" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (tmp_path / "data").iterdir()} == before
    assert written
