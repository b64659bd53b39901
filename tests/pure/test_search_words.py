"""The words jobseekers type that official titles do not spell: abbreviations ("kiné", "ASH",
"BTP") from the project's alias list; and official titles indexed whole, never as one-word
fragments ("Chargé") that would then match any query with that word."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from scoring import search
from scoring.aliases import parse_aliases, shipped_aliases
from scoring.catalogue import Catalogue, CatalogueError
from scoring.search import KIND_JOB_TITLE, closest, is_match, job_title_forms, search_index
from scoring.text import normalise

# The abbreviations the issue names, and others jobseekers type, with the career each means.
EXPECTED_FIRST = {
    "kiné": "J1404",
    "kine": "J1404",
    "ASH": "J1301",
    "AES": "K1301",
    "BTP": "F1704",
    "AS": "J1501",
    "IDE": "J1506",
    "AVS": "K1302",
    "AESH": "K2104",
    "ATSEM": "K1303",
    "VTC": "N4102",
    "CACES": "N1101",
    "EJE": "K1202",
    "AMP": "K1301",
    "DRH": "M1503",
    "RH": "M1501",
}
# A word that starts the official titles of this many job groups says nothing on its own.
GENERIC_STARTS = 10


def _aliases_file() -> dict[str, object]:
    raw = resources.files("scoring").joinpath("data/aliases.json").read_text("utf-8")
    document = json.loads(raw)
    assert isinstance(document, dict)
    return document


def test_common_abbreviations_lead_to_their_career_first(shipped_catalogue: Catalogue) -> None:
    for query, rome in EXPECTED_FIRST.items():
        for typed in (query, query.lower()):
            hits = search(shipped_catalogue, typed)
            assert hits and hits[0].career.rome == rome, (typed, [h.career.rome for h in hits])


def test_every_alias_of_the_list_leads_to_its_careers_first_in_order(
    shipped_catalogue: Catalogue,
) -> None:
    entries = _aliases_file()["aliases"]
    assert isinstance(entries, list) and len(entries) >= 30
    for entry in entries:
        romes = entry["romes"]
        assert all(r in shipped_catalogue.careers for r in romes), entry
        hits = search(shipped_catalogue, entry["alias"])
        assert [h.career.rome for h in hits[: len(romes)]] == romes, entry
        assert hits[0].matched == entry["alias"]  # the results say which word matched


def test_a_malformed_alias_list_is_refused() -> None:
    good = {"alias": "kiné", "means": "kinésithérapeute", "romes": ["J1404"]}
    assert parse_aliases({"aliases": [good]}) == {"kine": (("J1404",), "kiné")}
    for broken in (
        {"aliases": [{**good, "romes": ["J14"]}]},
        {"aliases": [{**good, "romes": []}]},
        {"aliases": [{**good, "alias": " - "}]},
        {"aliases": [good, {**good, "alias": "KINE"}]},  # the same alias twice
        {"list": []},
    ):
        with pytest.raises(CatalogueError):
            parse_aliases(broken)
    assert set(shipped_aliases()) >= {normalise(q) for q in EXPECTED_FIRST}


def test_job_titles_with_several_slashes_give_whole_forms() -> None:
    title = "Chargé / Chargée de clientèle principal / principale en immobilier"
    assert job_title_forms(title) == [
        "Chargé de clientèle principal en immobilier",
        "Chargée de clientèle principale en immobilier",
    ]
    assert job_title_forms("Garde moniteur / monitrice de parc national") == [
        "Garde moniteur de parc national",
        "Garde monitrice de parc national",
    ]
    assert job_title_forms("Agent technique forestier / Agente technique forestière") == [
        "Agent technique forestier",
        "Agente technique forestière",
    ]
    assert job_title_forms("Premier valet / Première femme de chambre") == [
        "Premier valet de chambre",
        "Première femme de chambre",
    ]
    assert job_title_forms("Pilote de chasse / transport / hélicoptère de l'armée") == [
        "Pilote de chasse de l'armée",
        "Pilote de transport de l'armée",
        "Pilote de hélicoptère de l'armée",
    ]


def test_no_search_key_is_a_lone_generic_fragment_of_an_official_title(
    shipped_catalogue: Catalogue,
) -> None:
    first_words: dict[str, set[str]] = {}
    for title in shipped_catalogue.titles:
        words = normalise(title.title).split()
        if words:
            first_words.setdefault(words[0], set()).add(title.rome)
    generic = {word for word, romes in first_words.items() if len(romes) >= GENERIC_STARTS}
    assert {"charge", "agent", "responsable", "technicien"} <= generic
    index = search_index(shipped_catalogue)
    lone = [
        (index.displays[i], index.romes[i])
        for i, text in enumerate(index.texts)
        if index.kinds[i] == KIND_JOB_TITLE and text in generic
    ]
    assert lone == []


def test_every_form_of_an_official_title_is_a_whole_title(shipped_catalogue: Catalogue) -> None:
    """Each form is made of the title's own words and is at least as long as the title's
    longest side of a " / ": "Chargé / Chargée de clientèle principal / principale en
    immobilier" never gives a lone "Chargé" (the split on " / " alone did)."""
    broken = []
    for title in shipped_catalogue.titles:
        segments = [s.split() for s in title.title.split(" / ")]
        words = {w for segment in segments for w in segment}
        longest = max(len(segment) for segment in segments)
        for form in job_title_forms(title.title):
            if len(form.split()) < longest or not set(form.split()) <= words:
                broken.append((title.title, form))
    assert broken == []


@pytest.mark.parametrize(
    "query", ["chargé de recrutement", "Chargée de recrutement", "charge de recrutement"]
)
def test_charge_de_recrutement_finds_the_recruitment_career_first(
    shipped_catalogue: Catalogue, query: str
) -> None:
    hits = search(shipped_catalogue, query)
    assert hits[0].career.rome == "M1502"
    # No career is offered for the lone word "chargé" of another title.
    assert all(normalise(h.matched) not in {"charge", "chargee"} for h in hits)


def test_careers_sharing_one_word_are_not_matches_nor_closest(shipped_catalogue: Catalogue) -> None:
    # "chargé de truc": forklift driving ("charges") and economic studies ("Chargé d'études")
    # come up in the search, but neither is what was asked, nor close to it.
    hits = search(shipped_catalogue, "chargé de truc")
    assert hits and not any(is_match(h) for h in hits)
    assert closest(shipped_catalogue, "chargé de truc", hits) == []
    # A job the catalogue does not name that way: the careers named closest, and only them.
    hits = search(shipped_catalogue, "testeur de jeux vidéo")
    assert not any(is_match(h) for h in hits)
    offered = [c.rome for c in closest(shipped_catalogue, "testeur de jeux vidéo", hits)]
    assert offered[0] == "E1104" and "H1301" not in offered
    # A title with a typo in a little word is still a match.
    assert is_match(search(shipped_catalogue, "Agente de traitement res dechets")[0])
    assert is_match(search(shipped_catalogue, "plomnier")[0])
