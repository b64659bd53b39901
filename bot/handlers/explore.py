"""/explore, /search and /saved, and the buttons of sections, career cards, training options,
saving and the survey."""

from __future__ import annotations

from bot.handlers import ActionFlow, CommandFlow
from journey import actions, cards, exploration, origins, saved, search, training


def _arg(args: tuple[str, ...], index: int, default: str = "") -> str:
    """One argument of a button, or `default` when forged or old data lacks it."""
    return args[index] if len(args) > index else default


COMMANDS: dict[str, CommandFlow] = {
    "explore": lambda turn, text: exploration.explore(turn),
    "search": lambda turn, text: search.search_command(turn, text),
    "saved": lambda turn, text: saved.show_list(turn),
}

ACTIONS: dict[str, ActionFlow] = {
    actions.EXPLORE: lambda turn, args: exploration.explore(
        turn, edit=_arg(args, 0) == "e", pressed=True
    ),
    actions.SECTION: lambda turn, args: exploration.section_page(
        turn, _arg(args, 0), _arg(args, 1)
    ),
    actions.SECTIONS_MENU: lambda turn, args: exploration.sections_menu(turn),
    actions.OPEN_CARD: lambda turn, args: cards.open_card(
        turn, _arg(args, 0), _arg(args, 1, origins.NO_ORIGIN), edit=True
    ),
    actions.CLOSE_CAREERS: lambda turn, args: cards.show_close(
        turn, _arg(args, 0), _arg(args, 1, origins.NO_ORIGIN)
    ),
    actions.SOURCES: lambda turn, args: cards.show_sources(
        turn, _arg(args, 0), _arg(args, 1, origins.NO_ORIGIN)
    ),
    training.TRAINING: lambda turn, args: training.training_options(turn, _arg(args, 0)),
    actions.SAVE: lambda turn, args: saved.save(
        turn, _arg(args, 0), _arg(args, 1, origins.NO_ORIGIN)
    ),
    actions.REMOVE: lambda turn, args: saved.remove(
        turn, _arg(args, 0), _arg(args, 1, origins.NO_ORIGIN)
    ),
    actions.SURVEY: lambda turn, args: saved.answer_survey(
        turn, _arg(args, 0), _arg(args, 1), _arg(args, 2)
    ),
    actions.SAVED_LIST: lambda turn, args: saved.show_list(turn, edit=True),
    actions.SAVED_REMOVE: lambda turn, args: saved.remove_from_list(turn, _arg(args, 0)),
    actions.SEARCH_BACK: lambda turn, args: search.back_to_results(turn),
}
