"""The one fake Messenger of the tests: records what is sent, and can be told to fail."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from messages.messenger import Rejected, SendError
from messages.outgoing import Reply


@dataclass
class Sent:
    """One message sent (or edited) through the fake."""

    at: float
    chat_id: int
    reply: Reply
    html: bool


@dataclass
class FakeMessenger:
    """Records sends. `error` fails every send; `errors[chat_id]` lists errors for that chat's
    next sends; `reject_html` refuses HTML as Telegram does for broken markup; with
    `edits_allowed` false an edit is a test failure (nudges are never edited)."""

    sent: list[Sent] = field(default_factory=list)
    error: Exception | None = None
    errors: dict[int, list[SendError]] = field(default_factory=dict)
    calls: int = 0
    reject_html: bool = False
    edits_allowed: bool = True

    async def send(self, chat_id: int, reply: Reply, *, html: bool = True) -> int:
        """Record the message, or raise the error the test asked for."""
        self.calls += 1
        await asyncio.sleep(0)
        if self.error is not None:
            raise self.error
        queue = self.errors.get(chat_id)
        if queue:
            raise queue.pop(0)
        if html and self.reject_html:
            raise Rejected("Bad Request: can't parse entities")
        self.sent.append(Sent(time.monotonic(), chat_id, reply, html))
        return 1000 + len(self.sent)

    async def edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """Record the edit like a message."""
        if not self.edits_allowed:
            raise AssertionError("this message is never edited")
        self.sent.append(Sent(time.monotonic(), chat_id, reply, True))

    @property
    def pairs(self) -> list[tuple[int, Reply]]:
        """What was sent, as (chat id, reply)."""
        return [(s.chat_id, s.reply) for s in self.sent]

    def to(self, chat_id: int) -> list[Sent]:
        """What was sent to one chat."""
        return [s for s in self.sent if s.chat_id == chat_id]
