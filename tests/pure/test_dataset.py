"""The shipped dataset is the official data: it rebuilds byte for byte, and figures re-derived
straight from the DARES CSV files match what a card shows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from scoring.build.dataset import DATA, build
from scoring.departements import all_departements, get_departement
from scoring.labour import shipped_labour

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"


@pytest.fixture(scope="module")
def shared() -> Path:
    if not (SHARED / "dares-metiers" / "tensions.csv").is_file():
        pytest.skip(f"the shared open data is not at {SHARED} (it sits beside the repository)")
    return SHARED


def test_shipped_dataset_rebuilds_byte_for_byte(shared: Path) -> None:
    built = build(shared)
    assert set(built) == {
        Path("labour/tensions.json"),
        Path("labour/families.json"),
        Path("rome.json"),
        Path("pending.json"),
    }
    for relative, content in built.items():
        assert (DATA / relative).read_bytes() == content.encode("utf-8"), relative


def _tension_rows(shared: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    """(level, area, family) → raw row, read with nothing but the csv module."""
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    with (shared / "dares-metiers" / "tensions.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["niveau_fap"] != "fap 225":
                continue
            level = row["niveau_geo"].strip()
            area = {"dep": row["dep"], "reg": row["reg"] and f"{int(float(row['reg'])):02d}"}.get(
                level, ""
            )
            rows[(level, area, row["fap"])] = row
    return rows


def _rome_families(shared: Path) -> dict[str, list[str]]:
    families: dict[str, list[str]] = {}
    with (shared / "dares-metiers" / "fap225_rome.csv").open(encoding="cp1252", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["Rome"] != "NA":
                families.setdefault(row["Rome"], []).append(row["Fap"])
    return families


def test_twenty_random_figures_match_the_csv_files(shared: Path) -> None:
    rows = _tension_rows(shared)
    families = _rome_families(shared)
    labour = shipped_labour()
    generator = random.Random(12)
    measured = sorted(
        r for r, faps in families.items() if any(("nat", "", f) in rows for f in faps)
    )
    places = [d.code for d in all_departements() if d.code != "976"]
    checked = []
    for _ in range(20):
        rome, dep = generator.choice(measured), generator.choice(places)
        faps = [f for f in dict.fromkeys(families[rome]) if ("nat", "", f) in rows]
        region = get_departement(dep)
        assert region is not None
        employments = [int(rows[("dep", dep, f)]["Emploi moyen"]) for f in faps]
        weights = (
            employments
            if any(employments)
            else [int(rows[("nat", "", f)]["Emploi moyen"]) for f in faps]
        )
        categories, scores = [], []
        for fap, weight in zip(faps, weights, strict=True):
            for key in (("dep", dep, fap), ("reg", region.region_code, fap), ("nat", "", fap)):
                row = rows.get(key)
                if row and row["Tension "]:
                    scores.append((float(row["Tension "]), weight))
                    break
            for key in (("dep", dep, fap), ("reg", region.region_code, fap), ("nat", "", fap)):
                row = rows.get(key)
                if row and row["Catégorie Tension"]:
                    categories.append((float(row["Catégorie Tension"]), weight, key[0]))
                    break
        total = sum(w for _, w in scores) or None
        score = (
            sum(s * w for s, w in scores) / total
            if total
            else sum(s for s, _ in scores) / len(scores)
        )
        total = sum(w for _, w, _ in categories) or None
        category = (
            sum(c * w for c, w, _ in categories) / total
            if total
            else sum(c for c, _, _ in categories) / len(categories)
        )
        market = labour.market(rome, dep)
        assert market.employment == sum(employments), (rome, dep)
        assert market.employment_level == "dep"
        assert market.tension is not None
        assert market.tension.category == int(category + 0.5), (rome, dep)
        assert market.tension.score == pytest.approx(score, abs=0.002), (rome, dep)
        checked.append((rome, dep, market.employment, market.tension.category))
    assert len(checked) == 20
    print(checked)


def test_mayotte_falls_back_to_the_national_figures(shared: Path) -> None:
    rows = _tension_rows(shared)
    assert not any(key[0] == "dep" and key[1] == "976" for key in rows)
    market = shipped_labour().market("J1501", "976")
    assert market.employment == int(rows[("nat", "", "V0Z60")]["Emploi moyen"])
    assert market.employment_level == "nat"
    assert market.tension is not None and market.tension.level == "nat"


def test_salary_is_the_dares_net_median(shared: Path) -> None:
    with (shared / "dares-metiers" / "salaire_median_3niv.csv").open(encoding="utf-8") as f:
        medians = {
            row["Fap3"]: int(row["Salaire_median"])
            for row in csv.DictReader(f)
            if row["Annee"] == "2017-2019"
        }
    national = shipped_labour().national("J1501")  # one family: V0Z60, care assistants
    assert national.families == ("V0Z60",)
    assert national.salary_net == medians["V0Z60"]
