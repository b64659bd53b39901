"""Where a card was opened from, carried by its buttons as a short *origin* token, so that
"back" redraws the same page in any process:

- ``s.<section>.<page>``: a page of a section;
- ``k.<rome>``: the close careers of a career;
- ``v``: the saved careers (/saved);
- ``q``: the latest search results;
- ``n``: nowhere in particular (a card sent on its own, e.g. from a nudge): back is /explore."""

from __future__ import annotations

from journey.actions import (
    CLOSE_CAREERS,
    EXPLORE,
    SAVED_LIST,
    SEARCH_BACK,
    SECTION,
)
from messages import Action

NO_ORIGIN = "n"


FROM_SAVED = "v"


FROM_SEARCH = "q"


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
