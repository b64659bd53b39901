"""/start and /settings, and their buttons."""

from __future__ import annotations

from bot.handlers import ActionFlow, CommandFlow, arg
from journey import onboarding, preferences
from kernel.turn import Turn
from messages.outgoing import Outcome


async def _toggle(turn: Turn, args: tuple[str, ...]) -> Outcome:
    return await onboarding.toggle_priority(turn, args[0] if len(args) == 1 else "")


COMMANDS: dict[str, CommandFlow] = {
    "start": lambda turn, text: onboarding.start(turn, text),
    "settings": lambda turn, text: preferences.show(turn),
}

ACTIONS: dict[str, ActionFlow] = {
    onboarding.TOGGLE_PRIORITY: _toggle,
    onboarding.PRIORITIES_DONE: lambda turn, args: onboarding.priorities_done(turn),
    preferences.CHANGE_DEPARTEMENT: lambda turn, args: preferences.change_departement(turn),
    preferences.CHANGE_PRIORITIES: lambda turn, args: preferences.change_priorities(turn),
    preferences.SWITCH_LANGUAGE: lambda turn, args: preferences.switch_language(turn),
    preferences.CHANGE_QUALIFICATION: lambda turn, args: preferences.change_qualification(turn),
    onboarding.SET_QUALIFICATION: lambda turn, args: onboarding.set_qualification(
        turn, arg(args, 0), arg(args, 1, "o")
    ),
}
