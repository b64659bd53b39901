"""The lists are local: contrasting départements get different first careers."""

from __future__ import annotations

from scoring import Person, Priority, build_sections, get_departement
from scoring.catalogue import Catalogue

# Twenty pairs of contrasting départements: big cities and rural ones, mainland and overseas,
# mountains and coasts, industrial and agricultural. Mayotte is not in a pair: DARES publishes
# nothing for it, so its lists are France's (see test_dataset).
PAIRS = [
    ("93", "23"),
    ("974", "69"),
    ("75", "48"),
    ("13", "15"),
    ("59", "05"),
    ("33", "971"),
    ("67", "2A"),
    ("31", "973"),
    ("44", "52"),
    ("06", "55"),
    ("92", "32"),
    ("34", "08"),
    ("38", "972"),
    ("35", "58"),
    ("76", "46"),
    ("57", "09"),
    ("74", "40"),
    ("69", "23"),
    ("13", "43"),
    ("94", "19"),
]


def _first_five(catalogue: Catalogue, dep: str, key: str, person: Person) -> list[str]:
    sections = build_sections(catalogue, dep, {Priority.HIRING}, person=person)
    section = next(s for s in sections if s.key == key)
    return [r.career.rome for r in section.careers[:5]]


def test_contrasting_departements_share_at_most_three_of_their_first_five(
    shipped_catalogue: Catalogue,
) -> None:
    for person in (Person(), Person("cap")):
        for key in ("top", "hiring"):
            for first, second in PAIRS:
                one = _first_five(shipped_catalogue, first, key, person)
                two = _first_five(shipped_catalogue, second, key, person)
                shared = set(one) & set(two)
                names = {d: get_departement(d).name for d in (first, second)}  # type: ignore[union-attr]
                print(f"{key:6} {person.qualification or '-':4} {names[first]}: {one}")
                print(f"{key:6} {person.qualification or '-':4} {names[second]}: {two}")
                assert len(shared) <= 3, (key, first, second, one, two)
