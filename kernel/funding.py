"""Who pays for training: the CPF's rule, in one place for every text that tells it (the
training options of a career card, the second nudge, in every language).

The individual learning account (CPF) gets 500 € a year, up to 5,000 €, for someone who has
worked; 800 € a year, up to 8,000 €, for someone with no diploma beyond the brevet — that is,
without a CAP, a BEP or anything higher (the brevet alone counts as "no diploma").
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from messages import render


@dataclass(frozen=True)
class CpfRights:
    """What the CPF receives a year, and the most it can hold (euros)."""

    yearly: int
    ceiling: int


STANDARD = CpfRights(yearly=500, ceiling=5_000)
NO_DIPLOMA = CpfRights(yearly=800, ceiling=8_000)

# Diplomas that do not count as a qualification for the CPF's higher rights.
_COUNTED_AS_NO_DIPLOMA = frozenset({"none", "brevet"})


def cpf_rights(highest_diploma: str) -> CpfRights:
    """The CPF rights of someone whose highest diploma is `highest_diploma` ("none",
    "brevet", "cap", "bep", "bac", "bac+2"…): only "none" and the brevet get the higher ones."""
    if highest_diploma.lower() in _COUNTED_AS_NO_DIPLOMA:
        return NO_DIPLOMA
    return STANDARD


def cpf_rule(lang: str) -> Markup:
    """The rule in the user's words (template `funding.cpf_rule`), as HTML to place in a text."""
    return Markup(render("funding.cpf_rule", lang, standard=STANDARD, no_diploma=NO_DIPLOMA))
