"""Importers: the published files load, bad rows are reported, wrong files are refused."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from scoring.catalogue import Catalogue, build_catalogue, load_catalogue
from scoring.importers import DataImportError, import_cpf, import_imt, import_rome


def _copy_dir(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# --- ROME -------------------------------------------------------------------------------


def test_rome_import_loads_every_group_and_title(rome_imported: Path) -> None:
    document = json.loads((rome_imported / "rome.json").read_text("utf-8"))
    assert len(document["job_groups"]) == 531
    assert len(document["titles"]) == 10_990
    bakery = document["job_groups"]["D1102"]
    assert bakery["title"] == "Boulangerie - viennoiserie"
    assert bakery["riasec"] == "RC"
    assert "d'hygiène" in bakery["definition"]  # doubled quotes of the source undone
    assert bakery["access"].startswith("Cet emploi/métier est accessible")
    assert bakery["close"] and bakery["evolution"]
    assert ["Boulanger / Boulangère", "D1102"] in document["titles"]
    assert not list(rome_imported.glob(".*tmp"))


def test_rome_import_reports_rows_of_an_unknown_group(tmp_path: Path, rome_dir: Path) -> None:
    report = import_rome(rome_dir, tmp_path)
    assert report.counts == {"job_groups": 531, "titles": 10_990}
    # ROME v347 has texts, moves and interests for L1510, a group missing from its list.
    assert report.bad_rows
    assert all("L1510" in row.reason for row in report.bad_rows)
    assert all(row.line > 1 for row in report.bad_rows)


def test_rome_import_is_idempotent(tmp_path: Path, rome_dir: Path) -> None:
    import_rome(rome_dir, tmp_path)
    first = _files(tmp_path)
    import_rome(rome_dir, tmp_path)
    assert _files(tmp_path) == first


def test_rome_import_reports_corrupted_rows(tmp_path: Path, rome_dir: Path) -> None:
    source = _copy_dir(rome_dir, tmp_path / "rome")
    groups = source / "unix_referentiel_code_rome_v347_utf8.csv"
    lines = groups.read_text("utf-8").splitlines()
    lines[2] = '"D12X4","97","100","Vente en habillement","1"'
    lines[4] = '"A1101","1","2","",""'
    lines[5] = '"A1102","short"'
    groups.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_rome(source, tmp_path / "out")
    bad = {row.line: row.reason for row in report.bad_rows if "code_rome_v347" in row.reason}
    assert set(bad) == {3, 5, 6}
    assert "invalid ROME code 'D12X4'" in bad[3]
    assert "fields instead of" in bad[6]


def test_rome_import_refuses_a_wrong_folder_and_keeps_the_previous_import(
    tmp_path: Path, rome_dir: Path, imt_dir: Path
) -> None:
    out = tmp_path / "out"
    import_rome(rome_dir, out)
    before = _files(out)
    with pytest.raises(DataImportError, match="unix_referentiel_code_rome"):
        import_rome(imt_dir, out)
    source = _copy_dir(rome_dir, tmp_path / "rome")
    (source / "unix_referentiel_appellation_v347_utf8.csv").write_text(
        '"code","label"\n"1","x"\n', encoding="utf-8"
    )
    with pytest.raises(DataImportError, match="missing column"):
        import_rome(source, out)
    with pytest.raises(DataImportError, match="folder"):
        import_rome(rome_dir / "unix_texte_v347_utf8.csv", out)
    assert _files(out) == before


def test_rome_import_reports_progress(tmp_path: Path, rome_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    import_rome(rome_dir, tmp_path, lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] > 20_000
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_imported_rome_data_overlays_the_catalogue(
    small_catalogue: Catalogue, rome_imported: Path
) -> None:
    catalogue = build_catalogue(small_catalogue.careers, rome_imported)
    bakery = catalogue.careers["D1102"]
    assert bakery.riasec == "RC"
    assert "D1104" in bakery.evolution
    assert "aide-boulanger" in bakery.access_fr
    assert len(catalogue.titles) == 10_990


# --- IMT --------------------------------------------------------------------------------


def test_imt_import_of_the_samples(tmp_path: Path, imt_dir: Path) -> None:
    report = import_imt(imt_dir, tmp_path)
    assert {p.name for p in report.written} == {
        "imt_market.json",
        "imt_contracts.json",
        "imt_salaries.json",
    }
    reasons = {row.line: row.reason for row in report.bad_rows}
    assert "invalid ROME code 'XXXXX'" in reasons[15]
    assert "'ARIEGE' does not match département 45" in reasons[17]
    assert report.rows_skipped > 0  # région and national rows, salaries without data
    market = json.loads((tmp_path / "imt_market.json").read_text("utf-8"))["figures"]
    assert market["D1501@22"] == {"annual_offers": 252, "competition": 22.0, "seasonal": True}
    assert market["F1704@10"]["competition"] is None  # empty ratio: national figure kept
    contracts = json.loads((tmp_path / "imt_contracts.json").read_text("utf-8"))["figures"]
    assert contracts["F1702@10"] == {"cdi": 0, "cdd_long": 11, "cdd_short": 9, "interim": 80}
    assert all(sum(mix.values()) == 100 for mix in contracts.values())
    salaries = json.loads((tmp_path / "imt_salaries.json").read_text("utf-8"))["figures"]
    assert salaries["F1701@09"] == {"salary_entry": 2175, "salary_experienced": 2300}


def test_imt_import_is_idempotent(tmp_path: Path, imt_dir: Path) -> None:
    import_imt(imt_dir, tmp_path)
    first = _files(tmp_path)
    import_imt(imt_dir, tmp_path)
    assert _files(tmp_path) == first


def test_imt_accepts_single_files_and_keeps_other_kinds(tmp_path: Path, imt_dir: Path) -> None:
    out = tmp_path / "out"
    import_imt(imt_dir, out)
    salaries = (out / "imt_salaries.json").read_bytes()
    renamed = tmp_path / "tension_2024.csv"
    shutil.copy(imt_dir / "market_score.csv", renamed)
    report = import_imt(renamed, out)
    assert [p.name for p in report.written] == ["imt_market.json"]
    assert (out / "imt_salaries.json").read_bytes() == salaries


def test_imt_corrupted_copy_reports_bad_rows_with_line_numbers(
    tmp_path: Path, imt_dir: Path
) -> None:
    source = _copy_dir(imt_dir, tmp_path / "imt")
    path = source / "employment_type.csv"
    lines = path.read_text("utf-8").splitlines()
    lines[1] = lines[1].replace(",01,CDI,1,", ",07,CDI,1,")
    lines[3] = lines[3].replace("17.65", "117.65")
    lines.append("10,AUBE,D,Département,01,CDI,many,5,F1702,Construction de routes et voies")
    lines.append("garbage")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_imt([path], tmp_path / "out")
    bad = {row.line: row.reason for row in report.bad_rows}
    assert set(bad) == {2, 4, 10, 11}
    assert "CONTRACT_TYPE_CODE '07'" in bad[2]
    assert "OFFERS_PERCENT '117.65'" in bad[4]
    assert "NB_OFFERS 'many'" in bad[10]
    assert "fields instead of 10" in bad[11]


def test_imt_refuses_wrong_files_and_keeps_the_previous_import(
    tmp_path: Path, imt_dir: Path, cpf_file: Path
) -> None:
    out = tmp_path / "out"
    import_imt(imt_dir, out)
    before = _files(out)
    with pytest.raises(DataImportError, match="not an IMT"):
        import_imt(cpf_file, out)
    wrong = tmp_path / "market_score.csv"
    wrong.write_text("AREA_CODE,SOMETHING\n09,1\n", encoding="utf-8")
    with pytest.raises(DataImportError, match="missing column"):
        import_imt([imt_dir / "salaries.csv", wrong], out)
    binary = tmp_path / "salaries.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DataImportError, match="not a CSV"):
        import_imt(binary, out)
    latin = tmp_path / "employment_type.csv"
    latin.write_bytes((imt_dir / "employment_type.csv").read_text("utf-8").encode("latin-1"))
    with pytest.raises(DataImportError, match="UTF-8"):
        import_imt(latin, out)
    with pytest.raises(DataImportError, match="no market_score"):
        import_imt(tmp_path / "out", out)
    assert _files(out) == before
    assert len(load_catalogue(out)) == len(load_catalogue())


# --- CPF --------------------------------------------------------------------------------


def test_cpf_import_counts_trainings_per_career(
    small_catalogue: Catalogue, tmp_path: Path, cpf_file: Path
) -> None:
    report = import_cpf(cpf_file, tmp_path)
    assert report.bad_rows == [(53, "cpf_trainings_sample.csv: no ROME code")]
    careers = json.loads((tmp_path / "cpf.json").read_text("utf-8"))["careers"]
    assert careers["A1201"]["trainings"] == 4
    assert careers["A1201"]["min_hours"] == 14
    assert careers["H2206"] == {
        "trainings": 1,
        "median_hours": 420,
        "min_hours": 420,
        "median_price": 5625,
    }
    first = _files(tmp_path)
    import_cpf(cpf_file, tmp_path)
    assert _files(tmp_path) == first


def test_cpf_refuses_a_wrong_file(tmp_path: Path, cpf_file: Path, imt_dir: Path) -> None:
    out = tmp_path / "out"
    import_cpf(cpf_file, out)
    before = _files(out)
    with pytest.raises(DataImportError, match="missing column"):
        import_cpf(imt_dir / "salaries.csv", out)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataImportError, match="empty"):
        import_cpf(empty, out)
    assert _files(out) == before


def test_cpf_figures_reach_the_career(
    small_catalogue: Catalogue, tmp_path: Path, cpf_file: Path
) -> None:
    import_cpf(cpf_file, tmp_path)
    careers = dict(small_catalogue.careers)
    careers["A1201"] = replace(careers["A1414"], rome="A1201")
    catalogue = build_catalogue(careers, tmp_path)
    assert catalogue.careers["A1414"].cpf is None
    figures = catalogue.careers["A1201"].cpf
    assert figures is not None and figures.trainings == 4 and figures.min_hours == 14
