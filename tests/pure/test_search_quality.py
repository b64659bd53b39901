"""Search quality on a set derived from the official files: every ROME job title (10,990),
as typed and with one random typo and no accents, finds its own job group."""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path

import pytest

from scoring import search
from scoring.catalogue import Catalogue
from scoring.search import job_title_forms

TITLES = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "rome-v347"
    / "unix_referentiel_appellation_v347_utf8.csv"
)


@pytest.fixture(scope="module")
def queries() -> list[tuple[str, str]]:
    """(query, expected ROME code): each title, alternately its masculine and feminine form."""
    if not TITLES.is_file():
        pytest.skip(f"the shared ROME files are not at {TITLES.parent}")
    with TITLES.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    result = []
    for i, row in enumerate(rows):
        title = " ".join(row["libelle_appellation_long"].replace("''", "'").split())
        forms = job_title_forms(title)
        result.append((forms[i % len(forms)], row["code_rome"]))
    return result


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _typo(text: str, rng: random.Random) -> str:
    """One random deletion, substitution or insertion of a letter."""
    i = rng.randrange(len(text))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + letter + text[i + 1 :]
    return text[:i] + letter + text[i:]


# 10,990 searches each: seconds on an idle machine, minutes on a busy one beside other workers;
# what is measured is quality, not speed (speed is bench/bench_scoring.py's).
@pytest.mark.timeout(900)
def test_every_official_title_finds_its_own_career(
    shipped_catalogue: Catalogue, queries: list[tuple[str, str]]
) -> None:
    assert len(queries) == 10_990
    first = top3 = 0
    misses = []
    for query, code in queries:
        romes = [hit.career.rome for hit in search(shipped_catalogue, query, limit=3)]
        first += bool(romes) and romes[0] == code
        top3 += code in romes
        if code not in romes:
            misses.append((query, code, romes))
    print(f"first {first / len(queries):.2%}, first three {top3 / len(queries):.2%}")
    print(misses[:20])
    assert first / len(queries) >= 0.97
    assert top3 / len(queries) >= 0.99


@pytest.mark.timeout(900)
def test_titles_with_a_typo_and_no_accents_still_find_their_career(
    shipped_catalogue: Catalogue, queries: list[tuple[str, str]]
) -> None:
    rng = random.Random(2024)
    top3 = 0
    for query, code in queries:
        typed = _typo(_strip_accents(query), rng)
        top3 += code in [hit.career.rome for hit in search(shipped_catalogue, typed, limit=3)]
    print(f"with a typo and no accents: first three {top3 / len(queries):.2%}")
    assert top3 / len(queries) >= 0.95
