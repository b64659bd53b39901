"""A compact, versioned codec between button actions and Telegram callback data (≤ 64 bytes).

Format: `<version>|<name>|<arg>|<arg>…`. Anything that does not decode — forged, truncated,
from an older version or too long — decodes to None, and the bot answers politely.
"""

from __future__ import annotations

import re

from messages.outgoing import Action

VERSION = "1"
MAX_BYTES = 64
_SEPARATOR = "|"
_PART = re.compile(r"^[A-Za-z0-9_.:+-]{1,32}$")


class CallbackTooLong(ValueError):
    """An action does not fit in Telegram's 64 bytes of callback data."""


def encode(action: Action) -> str:
    """Callback data for an action; raises if a part is unsafe or the whole is too long."""
    parts = [VERSION, action.name, *action.args]
    for part in parts[1:]:
        if not _PART.match(part):
            raise ValueError(f"callback part {part!r} must be 1-32 safe characters")
    data = _SEPARATOR.join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CallbackTooLong(f"{data!r} is longer than {MAX_BYTES} bytes")
    return data


def decode(data: str | None) -> Action | None:
    """The action behind callback data, or None when it is not ours or not valid any more."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    parts = data.split(_SEPARATOR)
    if len(parts) < 2 or parts[0] != VERSION:
        return None
    if not all(_PART.match(part) for part in parts[1:]):
        return None
    return Action(parts[1], tuple(parts[2:]))
