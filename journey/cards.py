"""The career card: what a career pays and asks near the user, why it is recommended (or not),
where the figures come from, its close careers, and redrawing it in place."""

from __future__ import annotations

from markupsafe import Markup

from journey import saved_careers
from journey.actions import (
    CLOSE_CAREERS,
    COACH,
    OPEN_CARD,
    REMOVE,
    SAVE,
    SOURCES,
    TRAINING,
)
from journey.buttons import fragment, label, short
from journey.context import (
    catalogue_of,
    person_of,
    priorities_of,
    profile_missing,
    user_departement,
)
from journey.explain import why_line
from journey.origins import NO_ORIGIN, back_action, origin_kind
from kernel import events
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, layout, render
from scoring.bands import automation_band
from scoring.models import (
    Career,
    Departement,
    MarketFigures,
    RankedCareer,
)
from scoring.ranking import mostly_lasting_contracts, rank, safe_from_automation

CLOSE_ON_CARD = 3


def career_gone(turn: Turn) -> Outcome:
    """A button names a career the catalogue no longer has (the data was re-imported)."""
    return Outcome(notice=render("explore.career_gone", turn.lang))


def ranked_career(turn: Turn, career: Career, departement: Departement) -> RankedCareer | None:
    """The career as ranked for this user, or None when it is not among the good jobs."""
    for ranked in rank(catalogue_of(turn), departement.code, priorities_of(turn), person_of(turn)):
        if ranked.career.rome == career.rome:
            return ranked
    return None


async def is_saved(turn: Turn, rome: str) -> bool:
    """Whether the user saved this career."""
    return await saved_careers.get(turn.session, turn.user.id, rome) is not None


def _why(
    turn: Turn, career: Career, departement: Departement
) -> tuple[str | Markup, MarketFigures]:
    ranked = ranked_career(turn, career, departement)
    if ranked is not None:
        return why_line(ranked, departement, turn.lang, person_of(turn)), ranked.market
    market = catalogue_of(turn).market(career.rome, departement.code)
    # The same tests as the ranking's "good job" filter, which left this career out.
    why = fragment(
        "explore.why_not_recommended",
        turn.lang,
        automated=not safe_from_automation(career),
        short_contracts=not mostly_lasting_contracts(career),
    )
    return why, market


def _automation_key(risk: int) -> str:
    return f"explore.automation_{automation_band(risk)}"


def close_careers(turn: Turn, career: Career) -> list[Career]:
    """The close careers the catalogue still has, in the data's order."""
    catalogue = catalogue_of(turn)
    found = (catalogue.get(rome) for rome in career.close)
    return [c for c in found if c is not None]


def card_reply(
    turn: Turn,
    career: Career,
    departement: Departement,
    origin: str,
    *,
    saved: bool,
    edit: bool,
) -> Reply:
    """The career card with its buttons."""
    lang = turn.lang
    why, market = _why(turn, career, departement)
    shortest = min(career.training, key=lambda r: r.months, default=None)
    close = close_careers(turn, career)
    text = render(
        "explore.card",
        lang,
        title=career.title(lang),
        official_title=career.official_title,
        rome=career.rome,
        why=why,
        description=career.description(lang),
        departement=departement,
        market=market,
        tension=market.tension,
        national=career.national,
        automation=fragment(_automation_key(career.automation_risk), lang),
        qualification=fragment(f"explore.qualification_{career.qualification}", lang),
        months=career.training_months,
        route=shortest.name(lang) if shortest is not None else "",
        close=[c.title(lang) for c in close[:CLOSE_ON_CARD]],
    )
    rome = career.rome
    if saved:
        keep = Button(label("explore.remove_button", lang), Action(REMOVE, (rome, origin)))
    else:
        keep = Button(label("explore.save_button", lang), Action(SAVE, (rome, origin)))
    buttons = [keep, Button(label("explore.training_button", lang), Action(TRAINING, (rome,)))]
    if close:
        buttons.append(
            Button(label("explore.close_button", lang), Action(CLOSE_CAREERS, (rome, origin)))
        )
    buttons.append(Button(label("explore.coach_button", lang), Action(COACH, (rome,))))
    buttons.append(Button(label("explore.sources_button", lang), Action(SOURCES, (rome, origin))))
    buttons.append(Button(label("explore.back_button", lang), back_action(origin)))
    return Reply(text, "explore.card", buttons=layout.arrange(buttons), edit=edit)


async def show_sources(turn: Turn, rome: str, origin: str) -> Outcome:
    """Where the figures of a card come from (sources, years, licences), in place of the card;
    "back" returns to the card."""
    career = catalogue_of(turn).get(rome)
    if career is None:
        return career_gone(turn)
    lang = turn.lang
    text = render(
        "explore.sources",
        lang,
        title=career.title(lang),
        rome=rome,
        official_title=career.official_title,
        families=", ".join(career.national.families) if career.national else "",
    )
    back = Button(label("explore.back_button", lang), Action(OPEN_CARD, (rome, origin)))
    return Outcome().add(Reply(text, "explore.sources", buttons=((back,),), edit=True))


async def redraw_card(turn: Turn, career: Career, origin: str) -> Reply | None:
    """The card as it now is (after a save or removal), to replace the pressed one."""
    departement = user_departement(turn)
    if departement is None:
        return None
    saved = await is_saved(turn, career.rome)
    return card_reply(turn, career, departement, origin, saved=saved, edit=True)


async def open_card(
    turn: Turn, rome: str, origin: str = NO_ORIGIN, *, edit: bool = False
) -> Outcome:
    """Show a career card and record that it was opened.

    Called with just `(turn, rome)` (nudges, coach), the card comes as a new message whose
    "back" leads to /explore; the explore lists pass their origin and replace themselves.
    """
    career = catalogue_of(turn).get(rome)
    if career is None:
        return career_gone(turn)
    missing = profile_missing(turn)
    if missing is not None:
        return missing
    departement = user_departement(turn)
    assert departement is not None
    await events.record(
        turn.session, turn.user, events.CAREER_OPENED, rome=rome, origin=origin_kind(origin)
    )
    saved = await is_saved(turn, rome)
    return Outcome().add(card_reply(turn, career, departement, origin, saved=saved, edit=edit))


async def show_close(turn: Turn, rome: str, origin: str) -> Outcome:
    """The close careers of a career, in place of its card; "back" returns to the card."""
    career = catalogue_of(turn).get(rome)
    if career is None:
        return career_gone(turn)
    lang = turn.lang
    close = close_careers(turn, career)
    back = Button(label("explore.back_button", lang), Action(OPEN_CARD, (rome, origin)))
    if not close:
        return Outcome(notice=render("explore.close_none", lang))
    rows = [
        (Button(short(c.title(lang)), Action(OPEN_CARD, (c.rome, f"k.{rome}"))),) for c in close
    ]
    rows.append((back,))
    text = render("explore.close_list", lang, title=career.title(lang))
    return Outcome().add(Reply(text, "explore.close_list", buttons=tuple(rows), edit=True))
