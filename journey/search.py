"""Career search: /search WORDS, and any plain text that answers no question.

Results are buttons that open the card in place of the results; "back" on that card runs the
user's latest search again (kept in `journey.navigation`, so any process can do it). `route` is
wired by the composition root as the last free-text route.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process

from journey import navigation, small_talk
from journey.buttons import career_buttons, explore_button
from journey.context import catalogue_of, leave_settings_question, profile_missing
from journey.exploration import explore
from journey.origins import FROM_SEARCH
from kernel import events
from kernel.turn import Turn
from messages import Outcome, Reply, render
from scoring.catalogue import Catalogue
from scoring.models import Career
from scoring.search import search
from scoring.text import normalise

RESULTS_MAX = 6
SUGGESTIONS_MAX = 3
QUERY_MAX = 100
ECHO_MAX = 40
# Below this edit similarity (0–100) a "did you mean" suggestion would only confuse: greetings
# such as "bonjour" or "merci" then get no suggestion rather than a random career.
SUGGESTION_MIN_SCORE = 70.0
_NAMES_KEY = ("journey.search", "names")


def _echo(query: str) -> str:
    return query if len(query) <= ECHO_MAX else query[: ECHO_MAX - 1] + "…"


def suggestions(catalogue: Catalogue, query: str, limit: int = SUGGESTIONS_MAX) -> list[Career]:
    """Careers whose title or synonyms look most like a query the search found nothing for."""
    text = normalise(query)
    if not text:
        return []
    names, romes = _names(catalogue)
    found: list[Career] = []
    for _, _, index in process.extract(
        text,
        names,
        scorer=fuzz.ratio,
        processor=None,
        limit=limit * 8,
        score_cutoff=SUGGESTION_MIN_SCORE,
    ):
        career = catalogue.careers[romes[index]]
        if career not in found:
            found.append(career)
        if len(found) == limit:
            break
    return found


def _names(catalogue: Catalogue) -> tuple[list[str], list[str]]:
    """Every normalised title and synonym with its career, kept on the catalogue."""
    cached = catalogue.derived.get(_NAMES_KEY)
    if cached is None:
        names: list[str] = []
        romes: list[str] = []
        for career in catalogue.careers.values():
            for name in (career.title_fr, career.title_en, *career.synonyms):
                names.append(normalise(name))
                romes.append(career.rome)
        cached = catalogue.derived[_NAMES_KEY] = (names, romes)
    return cached


async def run_search(turn: Turn, query: str, *, edit: bool = False, record: bool = True) -> Outcome:
    """Search the catalogue and answer with the results as buttons (or helpful suggestions)."""
    lang = turn.lang
    query = " ".join(query.split())[:QUERY_MAX]
    catalogue = catalogue_of(turn)
    hits = search(catalogue, query, limit=RESULTS_MAX)
    if record:
        await navigation.remember_search(turn, query)
        await events.record(
            turn.session,
            turn.user,
            events.SEARCHED,
            rome=hits[0].career.rome if hits else None,
            query=query,
            results=len(hits),
        )
    if not hits:
        close = suggestions(catalogue, query)
        rows = career_buttons(close, FROM_SEARCH, lang, numbered=False)
        rows.append(explore_button(lang))
        text = render("explore.search_nothing", lang, query=_echo(query), suggestions=bool(close))
        return Outcome().add(Reply(text, "explore.search_nothing", buttons=tuple(rows), edit=edit))
    items: list[dict[str, Any]] = []
    for number, hit in enumerate(hits, start=1):
        title = hit.career.title(lang)
        # Say which job title matched when it is not the career's own title.
        matched = hit.matched
        titles = (normalise(hit.career.title_fr), normalise(hit.career.title_en))
        if normalise(matched) in titles:
            matched = ""
        elif lang != "en" and matched in hit.career.synonyms_en:
            matched = ""  # an English synonym would puzzle a French reader
        items.append({"number": number, "title": title, "matched": matched})
    text = render("explore.search_results", lang, query=_echo(query), items=items)
    rows = career_buttons([hit.career for hit in hits], FROM_SEARCH, lang)
    return Outcome().add(Reply(text, "explore.search_results", buttons=tuple(rows), edit=edit))


async def search_command(turn: Turn, words: str) -> Outcome:
    """/search WORDS (without words: ask what to look for)."""
    leave_settings_question(turn)
    missing = profile_missing(turn)
    if missing is not None:
        return missing
    if not normalise(words):
        return Outcome().add(Reply(render("explore.search_ask", turn.lang), "explore.search_ask"))
    return await run_search(turn, words)


async def route(turn: Turn, text: str) -> Outcome | None:
    """Free text nobody else took: small talk gets a friendly word and the main buttons,
    anything else is a career search (inbox already finished onboarding)."""
    if not normalise(text):
        return None
    kind = small_talk.recognise(text)
    if kind is not None:
        return small_talk.answer(turn, kind)
    return await run_search(turn, text)


async def back_to_results(turn: Turn) -> Outcome:
    """ "Back" from a card opened from search results: the user's latest search, in place."""
    query = await navigation.last_search(turn)
    if not query:
        return await explore(turn, edit=True, pressed=True)
    return await run_search(turn, query, edit=True, record=False)
