"""Scoring's facts in the user's words: the "why for you" line of a card and the titles of the
lists of careers, from the templates `reasons.*` and `sections.title`."""

from __future__ import annotations

from markupsafe import Markup

from messages import render
from scoring.explain import reasons
from scoring.models import Departement, Person, RankedCareer, Section


def why_line(
    ranked: RankedCareer, departement: Departement, lang: str, person: Person | None = None
) -> Markup:
    """Why this career is a good pick for this person here, in one line ("Accessible avec
    votre niveau d'études, les employeurs ont beaucoup de mal à recruter dans le Rhône"), as
    HTML ready to place in a card."""
    parts = [
        render(f"reasons.{reason.key}", lang, departement=departement, **reason.facts)
        for reason in reasons(ranked, person)
    ]
    sentence = ", ".join(parts)
    return Markup(sentence[:1].upper() + sentence[1:])


def section_title(section: Section, departement: Departement, lang: str) -> str | Markup:
    """The title of a list of careers: a partner's own title as it is (escaped where it is
    placed), ours from the template, already HTML."""
    if section.title:
        return section.title
    return Markup(
        render(
            "sections.title", lang, kind=section.kind, topic=section.topic, departement=departement
        )
    )
