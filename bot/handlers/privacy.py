"""/privacy, /export, /delete and /stop."""

from __future__ import annotations

from bot.handlers import ActionFlow, CommandFlow
from journey import privacy

COMMANDS: dict[str, CommandFlow] = {
    "privacy": lambda turn, text: privacy.show(turn),
    "export": lambda turn, text: privacy.export(turn),
    "delete": lambda turn, text: privacy.ask_delete(turn),
    "stop": lambda turn, text: privacy.stop(turn),
}

ACTIONS: dict[str, ActionFlow] = {
    privacy.DELETE_YES: lambda turn, args: privacy.confirm_delete(turn),
    privacy.DELETE_NO: lambda turn, args: privacy.cancel_delete(turn),
    privacy.RESUME: lambda turn, args: privacy.resume(turn),
}
