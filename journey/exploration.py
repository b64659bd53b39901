"""Exploring careers: sections as short pages of five, career cards and close careers.

Everything shown is recomputed from the catalogue and the user's stored profile on every press
(département, priorities, and the user id as the serendipity seed), so page N of a section is
the same on every press and in every process, and no exploration state lives in memory.

Cards opened from a list replace that list in place and remember where they came from in a
short *origin* token carried by the buttons, so "back" redraws the same page:

- ``s.<section>.<page>``: a page of a section;
- ``k.<rome>``: the close careers of a career;
- ``v``: the saved careers (/saved);
- ``q``: the latest search results;
- ``n``: nowhere in particular (a card sent on its own, e.g. from a nudge): back is /explore.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from journey import navigation, onboarding, saved_careers
from journey.actions import (
    CLOSE_CAREERS,
    COACH,
    EXPLORE,
    OPEN_CARD,
    REMOVE,
    SAVE,
    SAVED_LIST,
    SEARCH_BACK,
    SECTION,
    SECTIONS_MENU,
    SOURCES,
    TRAINING,
)
from journey.explain import section_title, why_line
from kernel import events
from kernel.partners import get_partner
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, layout, render
from messages.formats import ligatures
from messages.render import render_label
from scoring.bands import automation_band
from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from scoring.models import (
    Career,
    Departement,
    MarketFigures,
    Person,
    Priority,
    RankedCareer,
    Section,
)
from scoring.ranking import mostly_lasting_contracts, rank, safe_from_automation
from scoring.sections import build_sections

PARTNER_SECTION = "partner"
PAGE_SIZE = 5
NO_ORIGIN = "n"
FROM_SAVED = "v"
FROM_SEARCH = "q"
BUTTON_TEXT_MAX = layout.ROW_WIDTH
CLOSE_ON_CARD = 3


def catalogue_of(turn: Turn) -> Catalogue:
    """The careers catalogue of the process."""
    return turn.env.catalogue


def short(text: str, limit: int = BUTTON_TEXT_MAX) -> str:
    """A label that fits on a button: shortened at a word boundary, never mid-word, with the
    French "œ" the data may lack (see `messages.layout`)."""
    return layout.shorten(ligatures(text), limit)


def fragment(key: str, lang: str, **context: Any) -> Markup:
    """A rendered template to place inside another one: already HTML, so not escaped again."""
    return Markup(render(key, lang, **context))


def label(key: str, lang: str, **context: Any) -> str:
    """A button's text from its template: buttons show plain text, not HTML."""
    return short(render_label(key, lang, **context))


def user_departement(turn: Turn) -> Departement | None:
    """The user's département, or None when it is unknown (onboarding not finished)."""
    code = turn.user.departement
    return get_departement(code) if code else None


def profile_missing(turn: Turn) -> Outcome | None:
    """None when the user can explore; else "let's finish your profile" and the question."""
    departement = user_departement(turn)
    pending = onboarding.pending_question(turn)
    if pending is None and departement is not None:
        return None
    if pending is None:  # a département code the data no longer knows: ask again
        turn.user.departement = None
        pending = onboarding.pending_question(turn)
    outcome = Outcome().add(
        Reply(render("onboarding.finish_first", turn.lang), "onboarding.finish_first")
    )
    if pending is not None:
        outcome.add(pending)
    return outcome


def leave_settings_question(turn: Turn) -> None:
    """A command abandons a half-made "which département?" change in /settings, so the next
    text is read as a search and not as a département."""
    if turn.user.step == onboarding.SETTINGS_DEPARTEMENT:
        turn.user.step = None


def priorities_of(turn: Turn) -> list[Priority]:
    """The user's priorities, ignoring any value the scoring no longer knows."""
    known = {p.value for p in Priority}
    return [Priority(p) for p in turn.user.priorities if p in known]


def person_of(turn: Turn) -> Person:
    """What the ranking may know of the user besides place and priorities: the highest diploma
    and the interests quiz's letters, when told."""
    return Person(turn.user.qualification, turn.user.interests or "")


async def sections_for(turn: Turn, departement: Departement) -> list[Section]:
    """The user's sections, deterministic for a given catalogue and profile.

    A user who came through a partner programme sees its highlighted careers first (white
    label), when the programme has some that are good jobs here.
    """
    sections = build_sections(
        catalogue_of(turn),
        departement.code,
        priorities_of(turn),
        lang=turn.lang,
        seed=turn.user.id,
        person=person_of(turn),
    )
    highlighted = await partner_section(turn, departement)
    return [highlighted, *sections] if highlighted is not None else sections


async def partner_section(turn: Turn, departement: Departement) -> Section | None:
    """The user's partner's highlighted careers as a section, ranked for the user."""
    partner = await get_partner(turn.session, turn.user.partner_code)
    if partner is None or not partner.highlight_careers:
        return None
    ranked = {
        r.career.rome: r
        for r in rank(catalogue_of(turn), departement.code, priorities_of(turn), person_of(turn))
    }
    careers = tuple(ranked[rome] for rome in partner.highlight_careers if rome in ranked)
    if not careers:
        return None
    return Section(
        key=PARTNER_SECTION,
        careers=careers,
        kind=PARTNER_SECTION,
        title=partner.highlight_title(turn.lang) or partner.name,
    )


# --- origins -------------------------------------------------------------------------------


def section_origin(key: str, page: int) -> str:
    """The origin token of a section page."""
    return f"s.{key}.{page}"


def back_action(origin: str) -> Action:
    """Where "back" leads from a card opened from `origin`."""
    if origin == FROM_SAVED:
        return Action(SAVED_LIST)
    if origin == FROM_SEARCH:
        return Action(SEARCH_BACK)
    kind, _, rest = origin.partition(".")
    if kind == "s":
        key, _, page = rest.rpartition(".")
        if key and page.isascii() and page.isdigit():
            return Action(SECTION, (key, page))
    if kind == "k" and rest:
        return Action(CLOSE_CAREERS, (rest, NO_ORIGIN))
    return Action(EXPLORE, ("e",))


def origin_kind(origin: str) -> str:
    """What an origin is, in words for the events table."""
    return {
        "s": "section",
        "k": "close",
        FROM_SAVED: "saved",
        FROM_SEARCH: "search",
    }.get(origin.partition(".")[0], "direct")


# --- sections ------------------------------------------------------------------------------


async def explore(turn: Turn, *, edit: bool = False, pressed: bool = False) -> Outcome:
    """/explore and the "discover" buttons: the first page of the first section.

    `pressed` says it came from a button that sends a new message: a double tap then shows it
    once.
    """
    if not pressed:
        leave_settings_question(turn)
    missing = profile_missing(turn)
    if missing is not None:
        return missing
    return await _show_section(turn, None, 0, edit=edit, once=pressed and not edit)


async def section_page(turn: Turn, key: str, page: str) -> Outcome:
    """A page of a section (the "more", "previous", "next list" and list-menu buttons)."""
    missing = profile_missing(turn)
    if missing is not None:
        return missing
    number = int(page) if page.isascii() and page.isdigit() else 0
    return await _show_section(turn, key, number, edit=True)


async def _show_section(
    turn: Turn, key: str | None, page: int, *, edit: bool, once: bool = False
) -> Outcome:
    departement = user_departement(turn)
    assert departement is not None
    lang = turn.lang
    sections = await sections_for(turn, departement)
    if not sections:
        text = render("explore.no_careers", lang, departement=departement)
        return Outcome().add(Reply(text, "explore.no_careers", edit=edit))
    outcome = Outcome()
    index = 0
    if key is not None:
        found = [i for i, section in enumerate(sections) if section.key == key]
        if found:
            index = found[0]
        else:
            outcome.notice = render("explore.list_changed", lang)
            page = 0
    section = sections[index]
    pages = max(1, -(-len(section.careers) // PAGE_SIZE))
    page = min(page, pages - 1)
    shown = section.careers[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if once and await navigation.sent_just_now(turn, f"section:{section.key}:{page}"):
        # A double tap on a button that sends the list as a new message.
        return Outcome(notice=render("explore.shown_above", lang))
    await events.record(
        turn.session, turn.user, events.SECTION_SHOWN, section=section.key, page=page
    )
    origin = section_origin(section.key, page)
    items = [_list_item(page * PAGE_SIZE + i + 1, ranked, lang) for i, ranked in enumerate(shown)]
    text = render(
        "explore.section",
        lang,
        title=section_title(section, departement, lang),
        departement=departement,
        first=page * PAGE_SIZE + 1,
        last=page * PAGE_SIZE + len(shown),
        total=len(section.careers),
        items=items,
        any_elsewhere=any(item["elsewhere"] for item in items),
    )
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                short(f"{item['number']}. {item['title']}"),
                Action(OPEN_CARD, (r.career.rome, origin)),
            ),
        )
        for item, r in zip(items, shown, strict=True)
    ]
    paging: list[Button] = []
    if page > 0:
        paging.append(
            Button(
                label("explore.previous_button", lang),
                Action(SECTION, (section.key, str(page - 1))),
            )
        )
    if page + 1 < pages:
        paging.append(
            Button(
                label("explore.more_button", lang), Action(SECTION, (section.key, str(page + 1)))
            )
        )
    if paging:
        rows.append(tuple(paging))
    following = sections[(index + 1) % len(sections)]
    moves = [Button(label("explore.lists_button", lang), Action(SECTIONS_MENU))]
    if following.key != section.key:
        moves.append(
            Button(label("explore.next_list_button", lang), Action(SECTION, (following.key, "0")))
        )
    rows.append(tuple(moves))
    return outcome.add(Reply(text, "explore.section", buttons=tuple(rows), edit=edit))


def _list_item(number: int, ranked: RankedCareer, lang: str) -> dict[str, Any]:
    tension = ranked.market.tension
    return {
        "number": number,
        "title": ranked.career.title(lang),
        "salary": ranked.career.salary_net,
        "tension": tension.category if tension is not None else None,
        "elsewhere": tension is not None and tension.level != "dep",
    }


async def sections_menu(turn: Turn) -> Outcome:
    """Every section of the user, one button each, in place of the pressed message."""
    missing = profile_missing(turn)
    if missing is not None:
        return missing
    departement = user_departement(turn)
    assert departement is not None
    lang = turn.lang
    rows = tuple(
        (
            Button(
                short(
                    label(
                        "explore.list_button",
                        lang,
                        title=section_title(s, departement, lang),
                        count=len(s.careers),
                    )
                ),
                Action(SECTION, (s.key, "0")),
            ),
        )
        for s in await sections_for(turn, departement)
    )
    text = render("explore.lists_menu", lang, departement=departement)
    return Outcome().add(Reply(text, "explore.lists_menu", buttons=rows, edit=True))


# --- the career card -----------------------------------------------------------------------


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


def explore_button(lang: str) -> tuple[Button, ...]:
    """A row with the "discover careers" button, for the end of other messages."""
    return (Button(label("explore.explore_button", lang), Action(EXPLORE)),)


def career_buttons(
    careers: Sequence[Career], origin: str, lang: str, *, numbered: bool = True
) -> list[tuple[Button, ...]]:
    """One button per career, opening its card in place (lists of search results, /saved)."""
    return [
        (
            Button(
                short(f"{i}. {c.title(lang)}" if numbered else c.title(lang)),
                Action(OPEN_CARD, (c.rome, origin)),
            ),
        )
        for i, c in enumerate(careers, start=1)
    ]
