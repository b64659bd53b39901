"""The career catalogue: shipped data loads and is valid, bad records are refused clearly."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from scoring import load_catalogue
from scoring.catalogue import Catalogue, CatalogueError, load_careers


def _record(fixture_careers_dir: Path, rome: str = "D1102") -> dict[str, Any]:
    document = json.loads((fixture_careers_dir / f"{rome[0]}.json").read_text("utf-8"))
    return next(r for r in document["careers"] if r["rome"] == rome)


def _write(directory: Path, letter: str, careers: list[dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{letter}.json").write_text(
        json.dumps({"sources": {}, "careers": careers}), encoding="utf-8"
    )


def test_shipped_catalogue_loads_with_every_record_valid(shipped_catalogue: Catalogue) -> None:
    assert len(shipped_catalogue) >= 10
    for rome, career in shipped_catalogue.careers.items():
        assert career.rome == rome
        assert career.title_fr and career.title_en and career.official_title
        assert career.national is not None and career.national.families


def test_shipped_codes_and_titles_match_the_rome_referential(
    shipped_catalogue: Catalogue, rome_dir: Path
) -> None:
    with (rome_dir / "unix_referentiel_code_rome_v347_utf8.csv").open(encoding="utf-8") as f:
        official = {
            row["code_rome"]: row["libelle_rome"].replace("''", "'") for row in csv.DictReader(f)
        }
    unknown = sorted(set(shipped_catalogue.careers) - set(official))
    assert not unknown, f"ROME codes not in v347: {unknown}"
    wrong = {
        rome: (career.official_title, official[rome])
        for rome, career in shipped_catalogue.careers.items()
        if career.official_title != official[rome]
    }
    assert not wrong, f"titles differing from ROME v347: {wrong}"


def test_close_careers_of_the_shipped_catalogue_are_rome_codes(
    shipped_catalogue: Catalogue,
) -> None:
    for career in shipped_catalogue.careers.values():
        assert career.rome not in career.close


def test_fixture_catalogue_loads(fixture_careers_dir: Path) -> None:
    careers, sources = load_careers(fixture_careers_dir)
    assert "D1102" in careers and careers["D1102"].title_fr == "Boulangerie - viennoiserie"
    assert "Boulangère" in careers["D1102"].synonyms
    assert "Baker" in careers["D1102"].synonyms_en
    assert "D" in sources


def test_missing_letter_files_are_tolerated(tmp_path: Path, fixture_careers_dir: Path) -> None:
    _write(tmp_path, "D", [_record(fixture_careers_dir)])
    careers, _ = load_careers(tmp_path)
    assert list(careers) == ["D1102"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.pop("sector"), "missing sector"),
        (lambda r: r.update(colour="blue"), "unknown colour"),
        (lambda r: r.update(qualification="phd"), "qualification"),
        (lambda r: r.update(automation_risk=140), "automation_risk"),
        (lambda r: r.update(riasec="XZ"), "riasec"),
        (lambda r: r.update(salary_entry=3000), "unknown salary_entry"),
        (lambda r: r.update(training=[{"name_fr": "CAP"}]), "training"),
        (lambda r: r.update(close=["bakery"]), "close"),
        (lambda r: r.update(national_offers=3), "unknown national_offers"),
        (lambda r: r.update(synonyms_fr="Boulanger"), "synonyms_fr"),
        (lambda r: r.update(title_en=""), "title_en"),
    ],
)
def test_bad_record_is_refused_naming_file_and_code(
    tmp_path: Path, fixture_careers_dir: Path, change: Any, message: str
) -> None:
    record = _record(fixture_careers_dir)
    change(record)
    _write(tmp_path, "D", [_record(fixture_careers_dir, "D1507"), record])
    with pytest.raises(CatalogueError) as error:
        load_careers(tmp_path)
    assert "careers/D.json" in str(error.value)
    assert "D1102" in str(error.value)
    assert message in str(error.value)


def test_career_in_the_wrong_file_or_twice_is_refused(
    tmp_path: Path, fixture_careers_dir: Path
) -> None:
    _write(tmp_path, "F", [_record(fixture_careers_dir)])
    with pytest.raises(CatalogueError, match=r"careers/F\.json.*D1102.*D\.json"):
        load_careers(tmp_path)
    shutil.rmtree(tmp_path)
    _write(tmp_path, "D", [_record(fixture_careers_dir), _record(fixture_careers_dir)])
    with pytest.raises(CatalogueError, match="twice"):
        load_careers(tmp_path)


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "A.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"careers/A\.json"):
        load_careers(tmp_path)


def test_market_figures_are_local_and_say_where_they_come_from(
    small_catalogue: Catalogue,
) -> None:
    # Home care (K1302) is one DARES family: its employment follows each département's own.
    paris, creuse = small_catalogue.market("K1302", "75"), small_catalogue.market("K1302", "23")
    assert paris.employment_level == creuse.employment_level == "dep"
    assert paris.employment and creuse.employment and paris.employment > 5 * creuse.employment
    # Mayotte is absent from the DARES file: national figures, and the level says so.
    mayotte = small_catalogue.market("K1302", "976")
    assert mayotte.employment_level == "nat"
    assert mayotte.tension is not None and mayotte.tension.level == "nat"
    # Teachers' families are outside the tension indicator: nothing is made up.
    assert small_catalogue.labour.market("K2107", "69").tension is None


def test_market_of_unknown_career_or_departement_is_a_key_error(
    small_catalogue: Catalogue,
) -> None:
    with pytest.raises(KeyError):
        small_catalogue.market("Z9999", "69")
    with pytest.raises(KeyError):
        small_catalogue.market("K2204", "20")


def test_default_catalogue_is_cached() -> None:
    assert load_catalogue() is load_catalogue()


def test_catalogue_without_imports_has_the_shipped_titles(tmp_path: Path) -> None:
    catalogue = load_catalogue(tmp_path)
    assert len(catalogue.titles) == 10_990
    assert set(catalogue.careers) == set(load_catalogue().careers)
