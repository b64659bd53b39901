"""Career search: /search WORDS, and any plain text that answers no question.

Results are buttons that open the card in place of the results; "back" on that card runs the
user's latest search again (kept in `journey.navigation`, so any process can do it). `route` is
wired by the composition root as the last free-text route.
"""

from __future__ import annotations

from typing import Any

from journey import navigation, small_talk
from journey.buttons import career_buttons, explore_button
from journey.context import catalogue_of, leave_settings_question, profile_missing
from journey.exploration import explore
from journey.origins import FROM_SEARCH
from kernel import events
from kernel.turn import Turn
from messages import Outcome, Reply, render
from scoring.search import closest, is_match, job_title_forms, search
from scoring.text import normalise

RESULTS_MAX = 6
QUERY_MAX = 100
ECHO_MAX = 40
# More words than this and the message is a sentence written as to a person ("Bonjour, je
# voudrais de l'aide pour une formation"), not a job title: it is not called an unknown job.
SENTENCE_WORDS = 5


def _echo(query: str) -> str:
    return query if len(query) <= ECHO_MAX else query[: ECHO_MAX - 1] + "…"


async def run_search(turn: Turn, query: str, *, edit: bool = False, record: bool = True) -> Outcome:
    """Search the catalogue and answer with the careers that match as buttons; when none does,
    say so honestly and offer the careers named closest to the query (if any are) and /explore,
    never careers that only share a word with it as if they matched."""
    lang = turn.lang
    query = " ".join(query.split())[:QUERY_MAX]
    catalogue = catalogue_of(turn)
    found = search(catalogue, query, limit=RESULTS_MAX)
    hits = [hit for hit in found if is_match(hit)]
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
        close = closest(catalogue, query, found)
        rows = career_buttons(close, FROM_SEARCH, lang, numbered=False)
        rows.append(explore_button(lang))
        sentence = len(query.split()) > SENTENCE_WORDS
        if sentence:  # someone who writes sentences may be looking for a person
            rows.append((small_talk.coach_button(lang),))
        text = render(
            "explore.search_nothing",
            lang,
            query=_echo(query),
            suggestions=bool(close),
            sentence=sentence,
        )
        return Outcome().add(Reply(text, "explore.search_nothing", buttons=tuple(rows), edit=edit))
    items: list[dict[str, Any]] = []
    for number, hit in enumerate(hits, start=1):
        title = hit.career.title(lang)
        # Say which job title matched when it is not the career's own title.
        matched = hit.matched
        # Each form of a gendered title counts: "chargé de recrutement" is already in
        # "Chargé / Chargée de recrutement".
        titles = {
            normalise(form)
            for own in (hit.career.title_fr, hit.career.title_en)
            for form in (own, *job_title_forms(own))
        }
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
