"""Benchmarks of the scoring package: ranking a département, and keyword search.

Run from the repository root: ``python bench/bench_scoring.py``. Prints p50 and p95 per
call, each beside the peer it is measured against in the same run:

- ranking every career of one département with user weights, against a naive ranking that
  recomputes the normalisation of every criterion on each call;
- search over the shipped careers plus the 10,990 ROME job titles (imported into a
  temporary folder from ../shared/data/rome-v347 first), against a naive linear loop of
  ``rapidfuzz.fuzz.WRatio`` over every title without an index.
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import Priority, load_catalogue, rank, search  # noqa: E402
from scoring.catalogue import Catalogue, build_catalogue  # noqa: E402
from scoring.importers import import_rome  # noqa: E402
from scoring.ranking import compute_criteria, score_all, weights_for  # noqa: E402
from scoring.search import search_index  # noqa: E402

ROME_DIR = ROOT.parent / "shared" / "data" / "rome-v347"
DEPARTEMENT = "69"
RANK_CALLS = 3000
NAIVE_RANK_CALLS = 300

# 100 queries people type (job names, with or without accents, French and English), then
# the same 100 with a typo made by a fixed rule (see _typo): 200 queries in all.
QUERIES = [
    "boulanger",
    "boulangère",
    "aide soignant",
    "aide-soignante",
    "infirmière",
    "infirmier",
    "développeur web",
    "developpeur",
    "plombier",
    "chauffagiste",
    "maçon",
    "carreleur",
    "couvreur",
    "électricien",
    "peintre en bâtiment",
    "menuisier",
    "charpentier",
    "soudeur",
    "mécanicien auto",
    "carrossier",
    "chauffeur livreur",
    "chauffeur poids lourd",
    "conducteur de bus",
    "taxi",
    "cariste",
    "magasinier",
    "préparateur de commandes",
    "manutentionnaire",
    "déménageur",
    "agent d'entretien",
    "femme de ménage",
    "agent de propreté",
    "aide à domicile",
    "auxiliaire de vie",
    "assistante maternelle",
    "auxiliaire de puériculture",
    "éducateur spécialisé",
    "animateur",
    "moniteur d'auto-école",
    "serveur",
    "serveuse",
    "barman",
    "cuisinier",
    "commis de cuisine",
    "plongeur",
    "pâtissier",
    "boucher",
    "charcutier",
    "poissonnier",
    "caissière",
    "hôte de caisse",
    "vendeuse",
    "vendeur en boulangerie",
    "employé de libre service",
    "mise en rayon",
    "coiffeuse",
    "esthéticienne",
    "fleuriste",
    "agent de sécurité",
    "vigile",
    "agent de sûreté aéroportuaire",
    "jardinier",
    "paysagiste",
    "maraîcher",
    "ouvrier agricole",
    "viticulteur",
    "bûcheron",
    "secrétaire",
    "comptable",
    "assistant administratif",
    "standardiste",
    "téléconseiller",
    "agent d'accueil",
    "réceptionniste",
    "femme de chambre",
    "ambulancier",
    "brancardier",
    "agent de service hospitalier",
    "préparateur en pharmacie",
    "opérateur de production",
    "conducteur de ligne",
    "technicien de maintenance",
    "tourneur fraiseur",
    "chaudronnier",
    "technicien informatique",
    "data analyst",
    "community manager",
    "graphiste",
    "photographe",
    "nurse",
    "baker",
    "plumber",
    "electrician",
    "cleaner",
    "waiter",
    "truck driver",
    "forklift driver",
    "care assistant",
    "hairdresser",
    "security guard",
]


def _typo(query: str, n: int) -> str:
    """A deterministic typo: drop, double or swap a letter, depending on n."""
    letters = list(query)
    position = 1 + (n * 7) % max(1, len(letters) - 2)
    if n % 3 == 0:
        del letters[position]
    elif n % 3 == 1:
        letters.insert(position, letters[position])
    else:
        letters[position], letters[position + 1] = letters[position + 1], letters[position]
    return "".join(letters)


ALL_QUERIES = QUERIES + [_typo(q, n) for n, q in enumerate(QUERIES)]
assert len(ALL_QUERIES) == 200

PRIORITY_SETS: list[frozenset[Priority]] = [
    frozenset(combo)
    for size in range(len(Priority) + 1)
    for combo in itertools.combinations(Priority, size)
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _time_calls(calls: int, function: Callable[[int], object]) -> list[float]:
    durations = []
    for n in range(calls):
        start = time.perf_counter()
        function(n)
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def _line(label: str, samples: list[float]) -> str:
    p50, p95 = _percentiles(samples)
    return f"{label:<44} p50 {p50:8.3f} ms   p95 {p95:8.3f} ms"


def bench_ranking(catalogue: Catalogue) -> None:
    rank(catalogue, DEPARTEMENT, ())  # builds the département's criteria once
    fast = _time_calls(
        RANK_CALLS,
        lambda n: rank(catalogue, DEPARTEMENT, PRIORITY_SETS[n % len(PRIORITY_SETS)]),
    )

    def naive(n: int) -> object:
        weights = weights_for(PRIORITY_SETS[n % len(PRIORITY_SETS)])
        return score_all(compute_criteria(catalogue, DEPARTEMENT), weights)

    slow = _time_calls(NAIVE_RANK_CALLS, naive)
    good = len(rank(catalogue, DEPARTEMENT, ()))
    print(
        f"Ranking: {len(catalogue)} careers ({good} good jobs) in département {DEPARTEMENT}, "
        f"{len(PRIORITY_SETS)} priority sets in turn"
    )
    print("  " + _line("rank() (cached normalisation)", fast) + "   goal p50 < 1 ms")
    print("  " + _line("peer: normalisation recomputed per call", slow))


def bench_search(catalogue: Catalogue) -> None:
    start = time.perf_counter()
    index = search_index(catalogue)
    build = (time.perf_counter() - start) * 1000
    fast = _time_calls(len(ALL_QUERIES), lambda n: search(catalogue, ALL_QUERIES[n]))
    fast += _time_calls(len(ALL_QUERIES), lambda n: search(catalogue, ALL_QUERIES[n]))

    raw_titles: list[tuple[str, str]] = [(t.title, t.rome) for t in catalogue.titles]
    for career in catalogue.careers.values():
        raw_titles += [(career.title_fr, career.rome), (career.title_en, career.rome)]
        raw_titles += [(s, career.rome) for s in career.synonyms]

    def naive(n: int) -> object:
        query = ALL_QUERIES[n]
        best: dict[str, float] = {}
        for title, rome in raw_titles:
            score = fuzz.WRatio(query, title, processor=utils.default_process)
            if score > best.get(rome, 0.0):
                best[rome] = score
        return sorted(best.items(), key=lambda item: -item[1])[:8]

    slow = _time_calls(len(ALL_QUERIES), naive)
    print(
        f"Search: {len(index.texts)} indexed texts ({len(catalogue.titles)} ROME job titles), "
        f"{len(ALL_QUERIES)} queries; index built once in {build:.0f} ms"
    )
    print("  " + _line("search() (indexed, two-stage)", fast) + "   goal p50 < 2 ms, p95 < 10 ms")
    print("  " + _line(f"peer: naive WRatio loop over {len(raw_titles)} texts", slow))


def full_size(catalogue: Catalogue, imported: Path) -> Catalogue:
    """The catalogue padded to all 531 ROME job groups, so every ROME title is searchable.

    Missing job groups are stand-ins copied from shipped careers (official title, same
    figures), for timing only: they show the cost at the referential's full size.
    """
    document = json.loads((imported / "rome.json").read_text("utf-8"))
    shipped = list(catalogue.careers.values())
    careers = dict(catalogue.careers)
    for n, (rome, group) in enumerate(sorted(document["job_groups"].items())):
        if rome not in careers:
            model = shipped[n % len(shipped)]
            careers[rome] = replace(model, rome=rome, title_fr=group["title"], synonyms=())
    return build_catalogue(careers, imported)


def main() -> None:
    if not ROME_DIR.is_dir():
        sys.exit(f"needs the ROME reference files in {ROME_DIR}")
    with tempfile.TemporaryDirectory() as directory:
        imported = Path(directory)
        start = time.perf_counter()
        report = import_rome(ROME_DIR, imported)
        print(
            f"Imported ROME v347 in {(time.perf_counter() - start) * 1000:.0f} ms: "
            f"{report.summary()}"
        )
        catalogue = load_catalogue(imported)
        print(f"Python {sys.version.split()[0]}, {catalogue!r}\n")
        print("== Shipped catalogue")
        bench_ranking(catalogue)
        bench_search(catalogue)
        padded = full_size(catalogue, imported)
        print(f"\n== Padded to the full referential ({len(padded)} careers, stand-ins for timing)")
        bench_ranking(padded)
        bench_search(padded)


if __name__ == "__main__":
    main()
