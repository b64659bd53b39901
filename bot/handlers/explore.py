"""/explore, /search and /saved, and the buttons of sections, career cards, training options,
saving and the survey."""

from __future__ import annotations

from bot.handlers import ActionFlow, CommandFlow
from journey import exploration, saved, search, training


def _arg(args: tuple[str, ...], index: int, default: str = "") -> str:
    """One argument of a button, or `default` when forged or old data lacks it."""
    return args[index] if len(args) > index else default


COMMANDS: dict[str, CommandFlow] = {
    "explore": lambda turn, text: exploration.explore(turn),
    "search": lambda turn, text: search.search_command(turn, text),
    "saved": lambda turn, text: saved.show_list(turn),
}

ACTIONS: dict[str, ActionFlow] = {
    exploration.EXPLORE: lambda turn, args: exploration.explore(
        turn, edit=_arg(args, 0) == "e", pressed=True
    ),
    exploration.SECTION: lambda turn, args: exploration.section_page(
        turn, _arg(args, 0), _arg(args, 1)
    ),
    exploration.SECTIONS_MENU: lambda turn, args: exploration.sections_menu(turn),
    exploration.OPEN_CARD: lambda turn, args: exploration.open_card(
        turn, _arg(args, 0), _arg(args, 1, exploration.NO_ORIGIN), edit=True
    ),
    exploration.CLOSE_CAREERS: lambda turn, args: exploration.show_close(
        turn, _arg(args, 0), _arg(args, 1, exploration.NO_ORIGIN)
    ),
    training.TRAINING: lambda turn, args: training.training_options(turn, _arg(args, 0)),
    exploration.SAVE: lambda turn, args: saved.save(
        turn, _arg(args, 0), _arg(args, 1, exploration.NO_ORIGIN)
    ),
    exploration.REMOVE: lambda turn, args: saved.remove(
        turn, _arg(args, 0), _arg(args, 1, exploration.NO_ORIGIN)
    ),
    exploration.SURVEY: lambda turn, args: saved.answer_survey(
        turn, _arg(args, 0), _arg(args, 1), _arg(args, 2)
    ),
    exploration.SAVED_LIST: lambda turn, args: saved.show_list(turn, edit=True),
    exploration.SAVED_REMOVE: lambda turn, args: saved.remove_from_list(turn, _arg(args, 0)),
    exploration.SEARCH_BACK: lambda turn, args: search.back_to_results(turn),
}
