"""/explore, /search and /saved, and the buttons of sections, career cards, training options,
saving, the survey and the interests quiz."""

from __future__ import annotations

from bot.handlers import ActionFlow, CommandFlow, arg
from journey import actions, cards, exploration, interests, origins, saved, search, training

COMMANDS: dict[str, CommandFlow] = {
    "explore": lambda turn, text: exploration.explore(turn),
    "search": lambda turn, text: search.search_command(turn, text),
    "saved": lambda turn, text: saved.show_list(turn),
}

ACTIONS: dict[str, ActionFlow] = {
    actions.EXPLORE: lambda turn, args: exploration.explore(
        turn, edit=arg(args, 0) == "e", pressed=True
    ),
    actions.SECTION: lambda turn, args: exploration.section_page(turn, arg(args, 0), arg(args, 1)),
    actions.SECTIONS_MENU: lambda turn, args: exploration.sections_menu(turn),
    actions.OPEN_CARD: lambda turn, args: cards.open_card(
        turn, arg(args, 0), arg(args, 1, origins.NO_ORIGIN), edit=True
    ),
    actions.CLOSE_CAREERS: lambda turn, args: cards.show_close(
        turn, arg(args, 0), arg(args, 1, origins.NO_ORIGIN)
    ),
    actions.SOURCES: lambda turn, args: cards.show_sources(
        turn, arg(args, 0), arg(args, 1, origins.NO_ORIGIN)
    ),
    training.TRAINING: lambda turn, args: training.training_options(turn, arg(args, 0)),
    actions.SAVE: lambda turn, args: saved.save(
        turn, arg(args, 0), arg(args, 1, origins.NO_ORIGIN)
    ),
    actions.REMOVE: lambda turn, args: saved.remove(
        turn, arg(args, 0), arg(args, 1, origins.NO_ORIGIN)
    ),
    actions.SURVEY: lambda turn, args: saved.answer_survey(
        turn, arg(args, 0), arg(args, 1), arg(args, 2)
    ),
    actions.SAVED_LIST: lambda turn, args: saved.show_list(turn, edit=True),
    actions.SAVED_REMOVE: lambda turn, args: saved.remove_from_list(turn, arg(args, 0)),
    actions.SEARCH_BACK: lambda turn, args: search.back_to_results(turn),
    actions.QUIZ_START: lambda turn, args: interests.start(turn),
    actions.QUIZ_ANSWER: lambda turn, args: interests.answer(turn, arg(args, 0), arg(args, 1)),
    actions.QUIZ_CLEAR: lambda turn, args: interests.clear(turn),
}
