"""/help; free text, other content and unknown commands are routed in `bot.app`."""

from __future__ import annotations

from bot.handlers import CommandFlow
from journey import inbox

COMMANDS: dict[str, CommandFlow] = {
    "help": lambda turn, text: inbox.help_text(turn),
}
