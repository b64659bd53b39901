"""Free text while a hand-over is under way: a satisfaction comment being written, else a message
for the coach (wired by the composition root before the career search)."""

from __future__ import annotations

from coaching import relay, satisfaction
from kernel.turn import Turn
from messages import Outcome


async def text_route(turn: Turn, text: str) -> Outcome | None:
    """Free text: a satisfaction comment being written, else a message for the coach."""
    commented = await satisfaction.comment_text(turn, text)
    if commented is not None:
        return commented
    return await relay.relay_text(turn, text)
