"""The sending protocol the domain uses; `bot/` implements it over the Telegram Bot API."""

from __future__ import annotations

from typing import Protocol

from messages.outgoing import Reply


class SendError(Exception):
    """Sending failed; subclasses say whether and when to try again."""


class RetryLater(SendError):
    """Too many requests (429): try again after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Unreachable(SendError):
    """The user blocked the bot or deleted their account (403): stop writing to them."""


class TransientError(SendError):
    """A server error (5xx), a time-out or a network fault: may work on a later try."""


class MaybeDelivered(SendError):
    """The request left but no answer came back in time: the message may have been delivered.

    Retrying could send it twice, so senders that promise at-most-once record it as uncertain.
    """


class Rejected(SendError):
    """The request itself was refused (400), e.g. text Telegram cannot parse."""


class NotModified(Rejected):
    """An edit would leave the message as it is."""


class Messenger(Protocol):
    """Sends and edits messages in a user's chat."""

    async def send(self, chat_id: int, reply: Reply, *, html: bool = True) -> int:
        """Send a message and return its message id; `html=False` sends the text as plain text."""
        ...

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Replace the text and buttons of a message the bot sent."""
        ...
