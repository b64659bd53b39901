"""Sections to explore: every kind, their filters, stable serendipity, small ones dropped."""

from __future__ import annotations

import pytest

from journey.explain import section_title
from messages.render import plain_text
from scoring import (
    Person,
    Priority,
    RankedCareer,
    Section,
    build_sections,
    get_departement,
    is_good_job,
)
from scoring.catalogue import Catalogue


def title(section: Section, lang: str) -> str:
    """A section's title as the user reads it (worded by the templates)."""
    rhone = get_departement("69")
    assert rhone is not None
    return plain_text(section_title(section, rhone, lang))


def _by_key(sections: list[Section]) -> dict[str, Section]:
    return {s.key: s for s in sections}


def _salary(ranked: RankedCareer) -> float:
    return float(ranked.career.salary_net or 0)


def test_every_section_kind(small_catalogue: Catalogue) -> None:
    sections = _by_key(
        build_sections(small_catalogue, "69", {Priority.FUTURE}, seed=1, person=Person("none"))
    )
    assert {
        "top",
        "hiring",
        "competition",
        "salary",
        "no_diploma",
        "low_qualification",
        "future",
        "sector",
        "serendipity",
    } <= set(sections)
    assert any(key.startswith("riasec_") for key in sections)
    for section in sections.values():
        assert len(section.careers) >= 2
        assert title(section, "fr") and title(section, "en")
        assert all(is_good_job(r.career) for r in section.careers)
        assert len({r.career.rome for r in section.careers}) == len(section.careers)

    assert title(sections["hiring"], "fr") == "Ça recrute dans le Rhône"
    hiring = [r.values[0] + r.values[1] for r in sections["hiring"].careers]
    assert hiring == sorted(hiring, reverse=True)
    tension = [r.market.tension.score for r in sections["competition"].careers if r.market.tension]
    assert tension == sorted(tension, reverse=True)
    salaries = [_salary(r) for r in sections["salary"].careers]
    assert salaries == sorted(salaries, reverse=True)
    assert {r.career.qualification for r in sections["no_diploma"].careers} == {"none"}
    assert {r.career.qualification for r in sections["low_qualification"].careers} <= {
        "none",
        "cap",
    }
    assert all(r.career.automation_risk < 25 for r in sections["future"].careers)
    (sector,) = {r.career.sector for r in sections["sector"].careers}
    assert sector in {r.career.sector for r in sections["top"].careers[:3]}
    assert sections["top"].careers[0].score == max(r.score for r in sections["top"].careers)


def test_interest_sections_follow_the_top_careers_or_the_given_letters(
    small_catalogue: Catalogue,
) -> None:
    sections = build_sections(small_catalogue, "69", (), seed=0)
    top = next(s for s in sections if s.key == "top")
    letters = {r.career.riasec[0] for r in top.careers[:5]}
    interest_keys = {s.key for s in sections if s.key.startswith("riasec_")}
    assert interest_keys and {key[-1] for key in interest_keys} <= letters

    chosen = _by_key(build_sections(small_catalogue, "69", (), seed=0, riasec="sr"))
    assert {key for key in chosen if key.startswith("riasec_")} == {"riasec_S", "riasec_R"}
    assert all("S" in r.career.riasec for r in chosen["riasec_S"].careers)
    assert title(chosen["riasec_S"], "en") == "Helping people"


def test_serendipity_is_stable_for_a_seed(small_catalogue: Catalogue) -> None:
    def serendipity(seed: int) -> list[str]:
        sections = _by_key(build_sections(small_catalogue, "44", (), seed=seed))
        return [r.career.rome for r in sections["serendipity"].careers]

    assert serendipity(7) == serendipity(7)
    assert serendipity(7) != serendipity(8)
    assert sorted(serendipity(7)) == sorted(serendipity(8))


def test_sections_with_fewer_than_two_careers_are_dropped(small_catalogue: Catalogue) -> None:
    # With salary first, software development (the only "it" career) tops the ranking: the
    # sector row is that of the next career whose sector has company, not a row of one.
    sections = _by_key(build_sections(small_catalogue, "69", {Priority.SALARY}, seed=0))
    assert sections["top"].careers[0].career.sector == "it"
    assert len(sections["sector"].careers) >= 2
    assert all(len(section.careers) >= 2 for section in sections.values())


def test_sections_are_limited_for_paging(small_catalogue: Catalogue) -> None:
    sections = build_sections(small_catalogue, "69", (), seed=0, limit=3)
    assert all(2 <= len(s.careers) <= 3 for s in sections)


def test_unknown_departement_is_refused(small_catalogue: Catalogue) -> None:
    with pytest.raises(KeyError):
        build_sections(small_catalogue, "00", ())


def test_shipped_catalogue_gives_full_sections(shipped_catalogue: Catalogue) -> None:
    sections = build_sections(shipped_catalogue, "974", {Priority.HIRING}, lang="en", seed=3)
    keys = [s.key for s in sections]
    assert keys[0] == "top" and "serendipity" in keys
    assert all(2 <= len(s.careers) <= 30 for s in sections)


def test_titles_are_worded_by_the_templates_not_scoring() -> None:
    sector = Section("sector", (), kind="sector", topic="industry")
    assert title(sector, "fr") == "Dans l'industrie" and title(sector, "en") == "More in industry"
    partner = Section("partner", (), kind="partner", title="Les métiers que Cap Jeunes aime")
    assert title(partner, "fr") == "Les métiers que Cap Jeunes aime"  # an operator's own title
