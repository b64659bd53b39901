"""Derive the compact dataset shipped in ``scoring/data/`` from the official open data.

Reads ``<repo>/../shared/data/`` (or ``--shared DIR``):

- ``dares-metiers/`` — DARES "Portraits statistiques des métiers" (Etalab Licence Ouverte):
  ``tensions.csv`` (2019 tension indicator per FAP 2009 job family, for France, every région
  and every département), ``fap225_rome.csv`` (which ROME codes make up each family),
  ``salaire_median_3niv.csv`` (median monthly **net** salary of full-time employees,
  2017-2019), ``part_cdd.csv``, ``part_interim.csv``, ``part_tempspartiel.csv`` (shares of
  fixed-term, temporary-agency and part-time work, 2017-2019), ``dipl_restructure_3niv.csv``
  (diplomas of the people in the job, 2017-2019);
- ``rome-v347/`` — the ROME referential v347 (France Travail, Licence Ouverte): official
  titles, RIASEC codes, mobility links and the 10,990 job titles.

Writes (byte for byte the same on every run from the same files):

- ``data/labour/tensions.json``: per level (``nat``, ``reg`` by INSEE région code, ``dep`` by
  INSEE département code) and per FAP family, ``[employment]`` when DARES published no tension
  for that cell, ``[employment, tension score]`` when it published the score but hid the
  category (small cells), else ``[employment, tension score, category 1-5, hiring
  intensity, training-job link, lack of available workers, non-durable jobs, hard working
  conditions, geographic mismatch]`` (the six indicators on DARES's 1-5 scale);
- ``data/labour/families.json``: the FAP families of each ROME code, and per family and per
  family group (FAP 87) the national figures (employment, net median salary, contract and
  part-time shares, diploma shares);
- ``data/rome.json``: official titles, RIASEC, close and evolution moves and every job title;
- ``data/pending.json``: the ROME job groups without a card written for the project yet
  (``data/careers/``), each with an everyday name chosen among its official job titles, the
  usual diploma of its DARES families, and a sector and automation-risk estimate borrowed
  from the written careers of the same DARES family group (or ROME domain).

Nothing is computed here that the loader could not recompute: the rule mapping families to
a ROME code and a département (employment-weighted, with fallbacks) lives in
:mod:`scoring.labour`, so the shipped files stay close to the published ones.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from scoring.importers.rome import import_rome
from scoring.labour import CELL_FIELDS, DRIVERS, LabourData
from scoring.text import FRENCH_STOP_WORDS, normalise

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
DATA = REPO / "scoring" / "data"

TENSION_YEAR = "2019"
PERIOD = "2017-2019"
# The column of ``tensions.csv`` that holds each of `scoring.labour.DRIVERS`.
DRIVER_COLUMNS = {
    "hiring": "Intensité d'embauches",
    "training_link": "Lien formation-emploi",
    "lack_of_workers": "Manque de main-d'œuvre disponible",
    "non_durable": "Non-durabilité de l'emploi",
    "hard_conditions": "Conditions de travail contraignantes",
    "geographic_mismatch": "Inadéquation géographique",
}
DIPLOMAS = {
    "Aucun diplôme, CEP ou brevet des collèges": "none",
    "CAP, BEP ou autre diplôme équivalent": "cap",
    "Bac, brevet professionnel ou équivalent": "bac",
    "Bac + 2": "bac+2",
    "Diplôme supérieur (bac + 3 ou plus)": "bac+3",
    "En cours d'études initiales": "studying",
}


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a DARES CSV, whatever its encoding (UTF-8 or Windows-1252) and separator.

    Header names are stripped (``tensions.csv`` writes ``"Tension "``).
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _number(text: str) -> float | None:
    if text in ("", "NA"):
        return None
    return float(text.replace(",", "."))


def region_code(text: str) -> str:
    """INSEE région code from the file's ``"84.0"`` / ``"1.0"`` ("84", "01")."""
    return f"{int(float(text)):02d}"


def tension_row(row: dict[str, str]) -> list[Any]:
    """The shipped cell of one ``tensions.csv`` row (see the module docstring)."""
    employment = int(_number(row["Emploi moyen"]) or 0)
    category = _number(row["Catégorie Tension"])
    score = _number(row["Tension"])
    if score is None:
        return [employment]
    if category is None:
        return [employment, round(score, 3)]
    drivers = [_number(row[DRIVER_COLUMNS[driver]]) for driver in DRIVERS]
    return [
        employment,
        round(score, 3),
        int(category),
        *(None if d is None else int(d) for d in drivers),
    ]


def build_tensions(shared: Path) -> dict[str, Any]:
    """The ``labour/tensions.json`` document."""
    nat: dict[str, Any] = {}
    reg: dict[str, dict[str, Any]] = {}
    dep: dict[str, dict[str, Any]] = {}
    for row in read_table(shared / "dares-metiers" / "tensions.csv"):
        if row["niveau_fap"] != "fap 225" or row["Année"] != TENSION_YEAR:
            continue
        level = row["niveau_geo"]
        cell = tension_row(row)
        if level == "nat":
            nat[row["fap"]] = cell
        elif level == "reg":
            reg.setdefault(region_code(row["reg"]), {})[row["fap"]] = cell
        elif level == "dep":
            dep.setdefault(row["dep"], {})[row["fap"]] = cell
    return {
        "year": int(TENSION_YEAR),
        "fields": list(CELL_FIELDS),
        "nat": nat,
        "reg": reg,
        "dep": dep,
    }


def _latest_shares(path: Path, fap_key: str, value_key: str) -> dict[str, float]:
    shares: dict[str, float] = {}
    for row in read_table(path):
        if row["annee"] == PERIOD and len(row[fap_key]) == 3:
            value = _number(row[value_key])
            if value is not None:
                shares[row[fap_key]] = round(value, 1)
    return shares


def build_families(shared: Path, tensions: dict[str, Any]) -> dict[str, Any]:
    """The ``labour/families.json`` document."""
    dares = shared / "dares-metiers"
    rome: dict[str, list[str]] = {}
    for row in read_table(dares / "fap225_rome.csv"):
        code, fap = row["Rome"], row["Fap"]
        if code not in ("", "NA") and fap:
            rome.setdefault(code, [])
            if fap not in rome[code]:
                rome[code].append(fap)
    families: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    for fap in sorted({f for faps in rome.values() for f in faps}):
        cell = tensions["nat"].get(fap)
        families[fap] = {"employment": cell[0] if cell else None, "salary": None, "diploma": None}
        groups.setdefault(fap[:3], {"salary": None, "diploma": None})
    for row in read_table(dares / "salaire_median_3niv.csv"):
        code, salary = row["Fap3"], _number(row["Salaire_median"])
        if row["Annee"] != PERIOD or salary is None:
            continue
        if code in families:
            families[code]["salary"] = int(salary)
        elif code in groups:
            groups[code]["salary"] = int(salary)
    diplomas: dict[str, dict[str, float]] = {}
    for row in read_table(dares / "dipl_restructure_3niv.csv"):
        share = _number(row["Pourcentage"])
        if row["Annee"] == PERIOD and share is not None and row["diplome"] in DIPLOMAS:
            diplomas.setdefault(row["Fap"], {})[DIPLOMAS[row["diplome"]]] = round(100 * share, 1)
    for code, shares in diplomas.items():
        target = families.get(code) or groups.get(code)
        if target is not None:
            target["diploma"] = {key: shares.get(key, 0.0) for key in sorted(DIPLOMAS.values())}
    cdd = _latest_shares(dares / "part_cdd.csv", "Fap", "part")
    interim = _latest_shares(dares / "part_interim.csv", "Fap", "part")
    part_time = _latest_shares(dares / "part_tempspartiel.csv", "Fap3", "part")
    for code, group in groups.items():
        group["cdd"] = cdd.get(code)
        group["interim"] = interim.get(code)
        group["part_time"] = part_time.get(code)
    return {
        "period": PERIOD,
        "rome": {code: sorted(faps) for code, faps in sorted(rome.items())},
        "families": families,
        "groups": groups,
    }


def build_rome(shared: Path) -> dict[str, Any]:
    """The ``rome.json`` document: the ROME import, without the long texts."""
    with tempfile.TemporaryDirectory() as scratch:
        import_rome(shared / "rome-v347", Path(scratch))
        document = json.loads((Path(scratch) / "rome.json").read_text("utf-8"))
    groups = {
        code: {key: group[key] for key in ("title", "riasec", "close", "evolution") if key in group}
        for code, group in document["job_groups"].items()
    }
    return {
        "format": 1,
        "source": "ROME v347 (France Travail open data, Licence Ouverte)",
        "job_groups": groups,
        "titles": document["titles"],
    }




def _words(text: str) -> list[str]:
    return [w for w in normalise(text).split() if w not in FRENCH_STOP_WORDS and len(w) > 1]


def everyday_name(titles: list[str]) -> str:
    """The most typical of a job group's official job titles, as its everyday name.

    Each title scores the mean frequency, across the group's titles, of its words; short
    titles with both forms ("Formateur / Formatrice") are preferred, and ties go to the
    shortest then alphabetical, so the choice is deterministic.
    """
    counts: dict[str, int] = {}
    for title in titles:
        for word in set(_words(title)):
            counts[word] = counts.get(word, 0) + 1

    def score(title: str) -> tuple[float, int, str]:
        words = _words(title) or [""]
        typical = sum(counts.get(w, 0) for w in words) / len(words)
        both_forms = 1.0 if " / " in title else 0.0
        return (-(typical + both_forms - 0.25 * max(0, len(words) - 3)), len(title), title)

    return min(titles, key=score)


def build_pending(shared: Path, rome: dict[str, Any], families: dict[str, Any]) -> dict[str, Any]:
    """Job groups the project has not written a card for yet, with what the official files
    give: an everyday name from the ROME job titles, the DARES usual diploma, and estimates
    (sector, automation risk) borrowed from the written careers ROME calls close, else of the
    same DARES family group, else of the same ROME domain."""
    written: dict[str, dict[str, Any]] = {}
    for path in sorted((DATA / "careers").glob("*.json")):
        for record in json.loads(path.read_text("utf-8"))["careers"]:
            written[record["rome"]] = record
    titles: dict[str, list[str]] = {}
    for title, code in rome["titles"]:
        titles.setdefault(code, []).append(title)

    def groups(code: str) -> set[str]:
        return {f[:3] for f in families["rome"].get(code, [])}

    labour = LabourData(build_tensions(shared), families)
    pending: dict[str, Any] = {}
    for code in sorted(rome["job_groups"]):
        if code in written or code not in titles:
            continue
        # Closest first: the careers ROME calls close, then the same DARES family group.
        close = rome["job_groups"][code].get("close", [])
        kin = [written[c] for c in close if c in written]
        kin = kin or [r for c, r in sorted(written.items()) if groups(c) & groups(code)]
        kin = kin or [r for c, r in sorted(written.items()) if c[:3] == code[:3]]
        kin = kin or [r for c, r in sorted(written.items()) if c[0] == code[0]]
        risks = [r["automation_risk"] for r in kin]
        sectors = sorted(r["sector"] for r in kin)
        sector = max(sectors, key=lambda s: (sectors.count(s), s)) if sectors else "services"
        usual = labour.national(code).usual_diploma or "cap"
        pending[code] = {
            "name": everyday_name(titles[code]),
            "qualification": usual,
            "automation_risk": int(5 * round(sum(risks) / len(risks) / 5)) if risks else 50,
            "sector": sector,
        }
    return pending


def dumps(value: Any, flat_depth: int) -> str:
    """Deterministic JSON: sorted keys, one line per entry down to ``flat_depth``, then compact.

    Floats are rounded by the builder before this, so Python's shortest float repr is stable.
    """
    return "\n".join(_lines(value, 0, flat_depth)) + "\n"


def _lines(value: Any, depth: int, flat_depth: int) -> Iterator[str]:
    pad = " " * depth
    if depth >= flat_depth or not isinstance(value, dict | list) or not value:
        yield pad + json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return
    items: Iterable[tuple[str | None, Any]]
    if isinstance(value, dict):
        opening, closing = "{", "}"
        items = sorted(value.items())
    else:
        opening, closing = "[", "]"
        items = ((None, item) for item in value)
    yield pad + opening
    entries = list(items)
    for position, (key, item) in enumerate(entries):
        inner = list(_lines(item, depth + 1, flat_depth))
        if key is not None:
            inner[0] = f"{pad} {json.dumps(key, ensure_ascii=False)}:{inner[0].lstrip()}"
        if position < len(entries) - 1:
            inner[-1] += ","
        yield from inner
    yield pad + closing


def build(shared: Path) -> dict[Path, str]:
    """Every shipped file (path relative to ``scoring/data``) with its exact content."""
    tensions = build_tensions(shared)
    families = build_families(shared, tensions)
    rome = build_rome(shared)
    return {
        Path("labour/tensions.json"): dumps(tensions, 3),
        Path("labour/families.json"): dumps(families, 2),
        Path("rome.json"): dumps(rome, 2),
        Path("pending.json"): dumps(build_pending(shared, rome, families), 1),
    }


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` compare) the shipped dataset; exit status 1 on a difference."""
    parser = argparse.ArgumentParser(prog="python -m scoring.build", description=__doc__)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        parser.error(f"{args.shared}: no such folder (the shared open data)")
    different = []
    for relative, content in build(args.shared).items():
        target = DATA / relative
        if args.check:
            if not target.is_file() or target.read_text("utf-8") != content:
                different.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        print(f"wrote {target.relative_to(REPO)} ({len(content.encode()):,} bytes)")
    for relative in different:
        print(f"differs: scoring/data/{relative}")
    return 1 if different else 0
