"""Outgoing messages as plain data: the domain decides what to say, `bot/` how to send it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Action:
    """What a button does when pressed: a short name and its arguments.

    `bot/` encodes it into Telegram callback data (64 bytes at most), so names are short and
    arguments are codes, never free text.
    """

    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Button:
    """An inline button: either an action for the bot or a web link."""

    text: str
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message to show the user.

    `key` is the template that produced the text (written to the conversation log). With `edit`,
    the message the pressed button belongs to is replaced instead of a new one being sent.
    """

    text: str
    key: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False
    document: Document | None = None


@dataclass(frozen=True)
class Document:
    """A file sent with the message (the text becomes its caption), e.g. a data export."""

    filename: str
    content: bytes


@dataclass
class Outcome:
    """Everything the bot does in answer to one update: messages, and a toast for a button press."""

    replies: list[Reply] = field(default_factory=list)
    notice: str | None = None

    def add(self, reply: Reply) -> Outcome:
        """Append a reply and return self, for chaining."""
        self.replies.append(reply)
        return self
