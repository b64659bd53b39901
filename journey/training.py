"""Training options for a career: the usual routes, CPF funding, and where to find courses.

Reached from the career card, the survey's thank-you and the nudges (all through the `tr`
button with the ROME code as its only argument).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from journey import navigation
from journey.actions import COACH, TRAINING
from journey.buttons import label
from journey.cards import career_gone
from journey.context import catalogue_of, user_departement
from kernel import events, funding
from kernel.partners import Partner, get_partner
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, render
from scoring.models import Career

__all__ = ["TRAINING", "cpf_search_url", "partner_training_url", "training_options"]

CPF_SEARCH = (
    "https://www.moncompteformation.gouv.fr/espace-prive/html/#/formation/recherche/resultats"
)
# The CPF catalogue is in French whatever the user's language, so it is searched in French.
CPF_ONLINE_WORDS = "à distance"


def cpf_search_url(career: Career, *, online: bool = False) -> str:
    """The CPF catalogue search for a career (and, with `online`, its distance courses)."""
    query = career.title_fr + (f" {CPF_ONLINE_WORDS}" if online else "")
    return f"{CPF_SEARCH}?{urlencode({'q': query}, quote_via=quote)}"


def partner_training_url(partner: Partner | None, rome: str, departement: str) -> str | None:
    """The training page of the user's partner programme, when it has one."""
    if partner is None:
        return None
    try:
        url = partner.training_link(rome, departement)
    except (KeyError, IndexError, ValueError):  # an operator's template we cannot fill
        return None
    return url if url is not None and url.startswith(("https://", "http://")) else None


async def training_options(turn: Turn, rome: str) -> Outcome:
    """The training options of a career, as a new message, and the TRAINING_OPENED event.

    A double tap (the same press again within a few seconds) sends it once.
    """
    career = catalogue_of(turn).get(rome)
    if career is None:
        return career_gone(turn)
    if await navigation.sent_just_now(turn, f"training:{rome}"):
        return Outcome(notice=render("explore.shown_above", turn.lang))
    lang = turn.lang
    await events.record(turn.session, turn.user, events.TRAINING_OPENED, rome=rome)
    departement = user_departement(turn)
    partner = await get_partner(turn.session, turn.user.partner_code)
    partner_url = partner_training_url(partner, rome, departement.code if departement else "")
    routes = [{"name": route.name(lang), "months": route.months} for route in career.training]
    text = render(
        "explore.training",
        lang,
        title=career.title(lang),
        routes=routes,
        cpf_trainings=career.cpf.trainings if career.cpf else 0,
        cpf_hours=career.cpf.median_hours if career.cpf else 0,
        cpf_rule=funding.cpf_rule(lang),
        departement=departement,
        partner=partner.name if partner is not None and partner_url else "",
    )
    rows: list[tuple[Button, ...]] = [
        (Button(label("explore.training_near_button", lang), url=cpf_search_url(career)),),
        (
            Button(
                label("explore.training_online_button", lang),
                url=cpf_search_url(career, online=True),
            ),
        ),
    ]
    if partner is not None and partner_url:
        partner_label = label("explore.training_partner_button", lang, partner=partner.name)
        rows.append((Button(partner_label, url=partner_url),))
    rows.append((Button(label("explore.coach_button", lang), Action(COACH, (rome,))),))
    return Outcome().add(Reply(text, "explore.training", buttons=tuple(rows)))
