"""Exploring careers: the user's sections (lists of careers) as short pages of five, and the
menu of sections.

Everything shown is recomputed from the catalogue and the user's stored profile on every press
(département, priorities, and the user id as the serendipity seed), so page N of a section is
the same on every press and in every process, and no exploration state lives in memory. The
career card is `journey.cards`, the origin tokens "back" follows are `journey.origins`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journey import navigation
from journey.actions import (
    OPEN_CARD,
    SECTION,
    SECTIONS_MENU,
)
from journey.buttons import label, short
from journey.context import (
    catalogue_of,
    leave_settings_question,
    person_of,
    priorities_of,
    profile_missing,
    user_departement,
)
from journey.explain import section_title
from journey.origins import section_origin
from journey.profile_view import quiz_button
from kernel import events
from kernel.partners import get_partner
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, render
from scoring.models import (
    Departement,
    RankedCareer,
    Section,
)
from scoring.ranking import rank
from scoring.sections import build_sections

PARTNER_SECTION = "partner"
PAGE_SIZE = 5


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
    following = sections[(index + 1) % len(sections)]
    rows = _page_buttons(section, shown, items, page, pages, following.key, lang)
    if turn.user.interests is None and index == 0 and page == 0:
        rows += ((quiz_button(turn),),)  # the optional quiz, offered until taken
    return outcome.add(Reply(text, "explore.section", buttons=tuple(rows), edit=edit))


def _page_buttons(
    section: Section,
    shown: Sequence[RankedCareer],
    items: list[dict[str, Any]],
    page: int,
    pages: int,
    following: str,
    lang: str,
) -> tuple[tuple[Button, ...], ...]:
    """A page's buttons: one per career, then previous/more, then the other lists."""
    origin = section_origin(section.key, page)
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
    moves = [Button(label("explore.lists_button", lang), Action(SECTIONS_MENU))]
    if following != section.key:
        moves.append(
            Button(label("explore.next_list_button", lang), Action(SECTION, (following, "0")))
        )
    rows.append(tuple(moves))
    return tuple(rows)


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
    lists = tuple(
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
    rows = (*lists, (quiz_button(turn),))
    text = render("explore.lists_menu", lang, departement=departement)
    return Outcome().add(Reply(text, "explore.lists_menu", buttons=rows, edit=True))


# --- the career card -----------------------------------------------------------------------
