"""Keyword search over careers: titles, synonyms (fr and en) and imported ROME job titles.

Accents, case and punctuation are ignored and typos tolerated. The index is built once per
catalogue (kept on it) and a query runs in three steps:

1. each query word is matched against the vocabulary of the index: exactly, as a prefix
   (from 3 letters) or, from 4 letters, fuzzily with ``rapidfuzz.fuzz.ratio``;
2. the titles holding a matched word are the candidates;
3. candidates are scored with ``rapidfuzz.fuzz.WRatio`` against the whole query.

Scores are tiered so that an exact title beats a prefix match, which beats a fuzzy one:
an exact title scores 100; a prefix match, a title that starts with the first query word
and has a word starting with each other one ("peintre bat" → "peintre en bâtiment"),
scores ``90 + 9 × WRatio / 100``; any other candidate ``0.9 × WRatio`` (at least
``MIN_FUZZY_SCORE``). A career's
score is that of its best title; ties prefer a career's own title, then its synonyms,
then ROME job titles, then the career with more offers nationally, then the ROME code.

Not every hit is a match: `is_match` keeps a hit that holds every word of the query or scores
``MATCH_SCORE`` (a typo in a little word); the others share a word at most ("chargé" of
"chargé de truc" in "Chargé d'études économiques", "charges" in forklift driving). When no hit
matches, `closest` offers the careers whose name is close to the query as a whole, and none
when nothing is ("pilote de drone" is not "pilote de ressources informatiques").

The way of asking before the job ("bonjour, je cherche un travail de …") is left out.

A query that is one of the project's aliases (``data/aliases.json``: "kiné", "ASH", "BTP")
puts the careers it means first, in the list's order, as exact matches.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from scoring.aliases import shipped_aliases
from scoring.catalogue import Catalogue
from scoring.models import Career, SearchHit
from scoring.text import FRENCH_STOP_WORDS, normalise

EXACT_SCORE = 100.0
PREFIX_BASE = 90.0
FUZZY_FACTOR = 0.9
MIN_FUZZY_SCORE = 70.0
_WORD_FUZZY_CUTOFF = 75.0
_WORD_FUZZY_LIMIT = 6
_MIN_PREFIX_LEN = 3
_MIN_FUZZY_WORD_LEN = 4
_MAX_CANDIDATES = 400
# A hit is a match when it holds every query word and scores this much, or scores MATCH_SCORE
# (a title with one query word mistyped beyond recognition, often a little word: "dpe").
COMPLETE_MATCH_SCORE = 76.0
MATCH_SCORE = 85.0
# How close (0–100) a name must be to the whole query, little words left out, to be offered
# as one of the closest careers when nothing matches; a name that only looks like the query
# (found by spelling, sharing no word: "ministre" and "machiniste") must be closer still.
CLOSE_SIMILARITY = 75.0
SPELLING_SIMILARITY = 80.0
CLOSEST_MAX = 3
# How people ask rather than what they ask for: a match need not hold these words.
REQUEST_WORDS = frozenset(
    [
        "bonjour",
        "salut",
        "hello",
        "je",
        "j",
        "cherche",
        "recherche",
        "chercher",
        "veux",
        "voudrais",
        "aimerais",
        "souhaite",
        "travail",
        "travailler",
        "emploi",
        "boulot",
        "job",
        "poste",
        "metier",
        "comme",
        "devenir",
        "etre",
        "faire",
        "dans",
        "svp",
        "stp",
        "merci",
        "looking",
        "want",
        "work",
    ]
)
STOP_WORDS = FRENCH_STOP_WORDS | frozenset({"of", "the", "and", "in", "on", "to", "for", "with"})

# Kinds of indexed text, in tie-break order.
KIND_TITLE, KIND_SYNONYM, KIND_JOB_TITLE = 0, 1, 2


@dataclass(slots=True)
class SearchIndex:
    """Normalised texts of a catalogue with their career, and a word vocabulary."""

    texts: list[str]
    romes: list[str]
    displays: list[str]
    kinds: list[int]
    exact: dict[str, list[int]]
    vocabulary: list[str]
    postings: list[tuple[int, ...]]
    # Normalised alias → (the careers it means that the catalogue has, the alias as written).
    aliases: dict[str, tuple[tuple[str, ...], str]]


def _same_stem(a: str, b: str) -> bool:
    """Whether two words look like the masculine and feminine of one word (or are one word)."""
    a, b = a.lower(), b.lower()
    return a == b or a[:3] == b[:3]


def _alternated_words(left: list[str], right: list[str]) -> int:
    """How many words a " / " alternates: from the left word that looks like the right's first
    ("Agent technique forestier / Agente technique forestière": 3, "Garde moniteur / monitrice
    de parc": 1); with no such word, all of two equal sides ("Garçon limonadier / Serveuse
    limonadière"), else one."""
    for k in range(len(left) - 1, -1, -1):
        if _same_stem(left[k], right[0]):
            return min(len(left) - k, len(right))
    return len(left) if len(left) == len(right) else 1


def job_title_forms(title: str) -> list[str]:
    """The masculine and feminine forms of a ROME job title, each whole.

    ROME writes both forms once, sharing what they have in common, with one " / " per
    difference: "Abatteur / Abatteuse de carrière" gives "Abatteur de carrière" and "Abatteuse
    de carrière"; "Chef boulanger / boulangère" gives "Chef boulanger" and "Chef boulangère";
    "Chargé / Chargée de clientèle principal / principale en immobilier" gives both whole
    titles, never a lone "Chargé" (a fragment that would match any query with that word).
    """
    segments = [part.split() for part in title.split(" / ") if part.strip()]
    if len(segments) < 2:
        return [" ".join(words) for words in segments]
    # The title as a sequence of pieces: shared words (one choice) or alternatives.
    pieces: list[list[list[str]]] = []
    left = segments[0]
    for right in segments[1:]:
        if not left and pieces:
            # "Pilote de chasse / transport / hélicoptère": one more choice for the same place.
            n = min(len(pieces[-1][-1]), len(right))
            pieces[-1].append(right[:n])
        else:
            n = _alternated_words(left, right)
            if left[:-n]:
                pieces.append([left[:-n]])
            pieces.append([left[-n:], right[:n]])
        left = right[n:]
    if left:
        pieces.append([left])
    count = max(len(piece) for piece in pieces)
    forms = [
        " ".join(word for piece in pieces for word in piece[min(k, len(piece) - 1)])
        for k in range(count)
    ]
    return list(dict.fromkeys(forms))


def build_index(catalogue: Catalogue) -> SearchIndex:
    """Build the search index of a catalogue (prefer :func:`search_index`, which caches it)."""
    entries: list[tuple[str, str, int]] = []
    for career in catalogue.careers.values():
        entries.append((career.title_fr, career.rome, KIND_TITLE))
        entries.append((career.title_en, career.rome, KIND_TITLE))
        entries.extend((synonym, career.rome, KIND_SYNONYM) for synonym in career.synonyms)
    for job_title in catalogue.titles:
        if job_title.rome in catalogue.careers:
            entries.extend(
                (form, job_title.rome, KIND_JOB_TITLE) for form in job_title_forms(job_title.title)
            )
    texts: list[str] = []
    romes: list[str] = []
    displays: list[str] = []
    kinds: list[int] = []
    seen: set[tuple[str, str]] = set()
    exact: dict[str, list[int]] = {}
    words: dict[str, list[int]] = {}
    for display, rome, kind in entries:
        text = normalise(display)
        if not text or (text, rome) in seen:
            continue
        seen.add((text, rome))
        index = len(texts)
        texts.append(text)
        romes.append(rome)
        displays.append(display)
        kinds.append(kind)
        exact.setdefault(text, []).append(index)
        for word in set(text.split()):
            if word not in STOP_WORDS:
                words.setdefault(word, []).append(index)
    vocabulary = sorted(words)
    postings = [tuple(words[word]) for word in vocabulary]
    aliases: dict[str, tuple[tuple[str, ...], str]] = {}
    for key, (codes, written) in shipped_aliases().items():
        known = tuple(code for code in codes if code in catalogue.careers)
        if known:
            aliases[key] = (known, written)
    return SearchIndex(texts, romes, displays, kinds, exact, vocabulary, postings, aliases)


def search_index(catalogue: Catalogue) -> SearchIndex:
    """The search index of a catalogue, built on first use and kept on the catalogue."""
    cached = catalogue.derived.get("search")
    if cached is None:
        cached = build_index(catalogue)
        catalogue.derived["search"] = cached
    assert isinstance(cached, SearchIndex)
    return cached


def _word_matches(index: SearchIndex, word: str) -> tuple[set[int], set[int]]:
    """Vocabulary entries matching a query word: (exact or prefix, fuzzy)."""
    vocabulary = index.vocabulary
    strong: set[int] = set()
    position = bisect.bisect_left(vocabulary, word)
    if len(word) >= _MIN_PREFIX_LEN:
        end = bisect.bisect_left(vocabulary, word + "\x7f", lo=position)
        strong.update(range(position, end))
    elif position < len(vocabulary) and vocabulary[position] == word:
        strong.add(position)
    fuzzy: set[int] = set()
    known = position < len(vocabulary) and vocabulary[position] == word
    # A word of the vocabulary is taken as typed: fuzzy matching (the costly part) is for words
    # that are not, which are the typos.
    if len(word) >= _MIN_FUZZY_WORD_LEN and not known:
        for _, _, entry in process.extract(
            word,
            vocabulary,
            scorer=fuzz.ratio,
            processor=None,
            limit=_WORD_FUZZY_LIMIT,
            score_cutoff=_WORD_FUZZY_CUTOFF,
        ):
            if entry not in strong:
                fuzzy.add(entry)
    return strong, fuzzy


def _postings(index: SearchIndex, entries: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for entry in entries:
        found.update(index.postings[entry])
    return found


def _without_asking(index: SearchIndex, text: str) -> str:
    """The query without the way of asking before the job ("bonjour je cherche boulanger" →
    "boulanger"), unless that is all there is or the whole query is a title or an alias."""
    if text in index.exact or text in index.aliases:
        return text
    words = text.split()
    start = 0
    while start < len(words) and (words[start] in REQUEST_WORDS or words[start] in STOP_WORDS):
        start += 1
    return " ".join(words[start:]) if start < len(words) else text


def search(catalogue: Catalogue, query: str, limit: int = 8) -> list[SearchHit]:
    """Careers matching a free-text query, best match first (at most ``limit``)."""
    index = search_index(catalogue)
    text = _without_asking(index, normalise(query))
    if not text or limit <= 0:
        return []
    scores: dict[int, float] = {i: EXACT_SCORE for i in index.exact.get(text, ())}
    words = [w for w in text.split() if w not in STOP_WORDS] or text.split()
    first_word = words[0]
    prefix_all: set[int] | None = None
    hits_per_text: dict[int, int] = {}
    # The words a match must hold: not the way of asking ("je cherche un travail de …").
    needed = {w for w in words if w not in REQUEST_WORDS} or set(words)
    needed_per_text: dict[int, int] = {}
    for word in dict.fromkeys(words):
        strong, fuzzy = _word_matches(index, word)
        strong_texts = _postings(index, strong)
        prefix_all = strong_texts if prefix_all is None else prefix_all & strong_texts
        for i in strong_texts | _postings(index, fuzzy):
            hits_per_text[i] = hits_per_text.get(i, 0) + 1
            if word in needed:
                needed_per_text[i] = needed_per_text.get(i, 0) + 1
    candidates = sorted(hits_per_text, key=lambda i: (-hits_per_text[i], i))[:_MAX_CANDIDATES]
    prefix_all = prefix_all or set()
    if candidates:
        rated = process.extract(
            text,
            [index.texts[i] for i in candidates],
            scorer=fuzz.WRatio,
            processor=None,
            limit=None,
        )
        for _, ratio, position in rated:
            i = candidates[position]
            if i in scores:
                continue
            if i in prefix_all and index.texts[i].startswith(first_word):
                scores[i] = PREFIX_BASE + 9.0 * ratio / 100
            elif ratio * FUZZY_FACTOR >= MIN_FUZZY_SCORE:
                scores[i] = ratio * FUZZY_FACTOR
    best: dict[str, tuple[float, int, int]] = {}
    for i, score in scores.items():
        rome = index.romes[i]
        current = best.get(rome)
        candidate = (round(score, 2), -index.kinds[i], -i)
        if current is None or candidate > current:
            best[rome] = candidate
    careers = catalogue.careers
    alias_romes, alias_written = index.aliases.get(text, ((), ""))
    for rome in alias_romes:
        best[rome] = (EXACT_SCORE, 0, 0)

    def size(rome: str) -> int:
        national = careers[rome].national
        return (national.employment or 0) if national is not None else 0

    def alias_rank(rome: str) -> int:
        return alias_romes.index(rome) if rome in alias_romes else len(alias_romes)

    # Equal scores: the alias's careers in its order, a career's own title, the more common.
    ordered = sorted(
        best.items(),
        key=lambda item: (-item[1][0], alias_rank(item[0]), -item[1][1], -size(item[0]), item[0]),
    )

    def complete(rome: str, i: int) -> bool:
        return rome in alias_romes or i in exact or needed_per_text.get(i, 0) >= len(needed)

    exact = set(index.exact.get(text, ()))
    return [
        SearchHit(
            careers[rome],
            score,
            alias_written if rome in alias_romes else index.displays[-negative_index],
            complete(rome, -negative_index),
        )
        for rome, (score, _, negative_index) in ordered[:limit]
    ]


def is_match(hit: SearchHit) -> bool:
    """Whether a hit is what the query asked for, not only a career sharing one of its words."""
    return hit.score >= MATCH_SCORE or (hit.complete and hit.score >= COMPLETE_MATCH_SCORE)


def _meaningful(text: str) -> str:
    words = normalise(text).split()
    return " ".join(w for w in words if w not in STOP_WORDS) or " ".join(words)


def similarity(query: str, name: str) -> float:
    """How close a career's name is to a whole query (0–100): as strings, or as sets of words
    ("boulanger à paris" holds "boulanger"), little words left out."""
    a = _meaningful(query)
    best = 0.0
    for form in job_title_forms(name):  # "Concepteur / Conceptrice de jeux vidéo": each whole
        b = _meaningful(form)
        best = max(best, fuzz.ratio(a, b), fuzz.token_set_ratio(a, b))
    return best


def _names(catalogue: Catalogue) -> tuple[list[str], list[str], list[str]]:
    """Every career's titles and synonyms, normalised, with their career and as written."""
    cached = catalogue.derived.get("search.names")
    if cached is None:
        names: list[str] = []
        romes: list[str] = []
        written: list[str] = []
        for career in catalogue.careers.values():
            for name in dict.fromkeys((career.title_fr, career.title_en, *career.synonyms)):
                names.append(normalise(name))
                romes.append(career.rome)
                written.append(name)
        cached = catalogue.derived["search.names"] = (names, romes, written)
    assert isinstance(cached, tuple)
    return cached


def closest(
    catalogue: Catalogue, query: str, hits: Iterable[SearchHit], limit: int = CLOSEST_MAX
) -> list[Career]:
    """The careers to offer when no hit matches: the hits, then the careers named most like
    the query (a misspelt word the search did not find), whose name is close to the whole
    query; none when no name is ("chargé de truc", "xqzw")."""
    text = normalise(query)
    if not text or limit <= 0:
        return []
    candidates = [(h.career.rome, h.matched, CLOSE_SIMILARITY) for h in hits]
    names, romes, written = _names(catalogue)
    for _, _, i in process.extract(
        text,
        names,
        scorer=fuzz.ratio,
        processor=None,
        limit=limit * 8,
        score_cutoff=SPELLING_SIMILARITY,
    ):
        candidates.append((romes[i], written[i], SPELLING_SIMILARITY))
    found: list[Career] = []
    for rome, name, needed in candidates:
        career = catalogue.careers[rome]
        if career not in found and similarity(query, name) >= needed:
            found.append(career)
            if len(found) == limit:
                break
    return found
