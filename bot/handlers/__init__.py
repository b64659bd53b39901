"""Thin handlers, one module per flow. Each module exposes `COMMANDS` and `ACTIONS`:

- `COMMANDS[name](turn, argument_text) -> Outcome` for `/name argument text`;
- `ACTIONS[name](turn, args) -> Outcome` for a button whose action has that name.

`all_commands()` and `all_actions()` merge them and refuse a name defined twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType

from kernel.turn import Turn
from messages.outgoing import Outcome

CommandFlow = Callable[[Turn, str], Awaitable[Outcome]]
ActionFlow = Callable[[Turn, tuple[str, ...]], Awaitable[Outcome]]


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
