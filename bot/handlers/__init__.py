"""Thin handlers, one module per flow. Each module exposes `COMMANDS` and `ACTIONS`:

- `COMMANDS[name](turn, argument_text) -> Outcome` for `/name argument text`;
- `ACTIONS[name](turn, args) -> Outcome` for a button whose action has that name.

`all_commands()` and `all_actions()` merge them and refuse a name defined twice. Every command
also answers to its French name (`FRENCH_NAMES`), the one the French command menu shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType

from kernel.turn import Turn
from messages.outgoing import Outcome

CommandFlow = Callable[[Turn, str], Awaitable[Outcome]]
ActionFlow = Callable[[Turn, tuple[str, ...]], Awaitable[Outcome]]

# French names of the commands. Telegram command names are 1-32 characters of [a-z0-9_], so
# they are written without accents ("/reglages", "/enregistres").
FRENCH_NAMES: dict[str, str] = {
    "explore": "metiers",
    "search": "chercher",
    "saved": "enregistres",
    "coach": "conseiller",
    "endcoach": "finconseiller",
    "settings": "reglages",
    "stop": "arreter",
    "privacy": "donnees",
    "export": "exporter",
    "delete": "effacer",
    "help": "aide",
}


def arg(args: tuple[str, ...], index: int, default: str = "") -> str:
    """One argument of a button, or `default` when forged or old callback data lacks it."""
    return args[index] if len(args) > index else default


def _modules() -> list[ModuleType]:
    from bot.handlers import basics, coach, explore, nudges, onboarding, privacy

    return [basics, onboarding, privacy, explore, nudges, coach]


def all_commands() -> dict[str, CommandFlow]:
    """Every command of the bot, by name (without the slash)."""
    merged: dict[str, CommandFlow] = {}
    for module in _modules():
        for name, flow in getattr(module, "COMMANDS", {}).items():
            if name in merged:
                raise ValueError(f"command /{name} is defined twice")
            merged[name] = flow
    for name, french in FRENCH_NAMES.items():
        if name in merged:
            if french in merged:
                raise ValueError(f"command /{french} is defined twice")
            merged[french] = merged[name]
    return merged


def all_actions() -> dict[str, ActionFlow]:
    """Every button action of the bot, by name."""
    merged: dict[str, ActionFlow] = {}
    for module in _modules():
        for name, flow in getattr(module, "ACTIONS", {}).items():
            if name in merged:
                raise ValueError(f"action {name!r} is defined twice")
            merged[name] = flow
    return merged
