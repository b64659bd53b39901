"""Where the user is: the latest search, and the latest message a button sent, so that "back"
and double taps work in any process — kept in its own table, not read from the analytics
events."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.turn import Turn
from storage.models import Navigation

# A second press of a button that sends a new message, within this delay, is a double tap.
DOUBLE_TAP = timedelta(seconds=5)
SEARCH_MAX = 100
SENT_MAX = 200


async def _row(session: AsyncSession, user_id: int) -> Navigation:
    row = await session.get(Navigation, user_id)
    if row is None:
        row = Navigation(user_id=user_id)
        session.add(row)
    return row


async def remember_search(turn: Turn, query: str) -> None:
    """The user searched: "back" from a result's card runs this search again."""
    (await _row(turn.session, turn.user.id)).last_search = query[:SEARCH_MAX]
    await turn.session.flush()


async def last_search(turn: Turn) -> str:
    """The user's latest search ("" when there was none)."""
    row = await turn.session.get(Navigation, turn.user.id)
    return (row.last_search or "") if row is not None else ""


async def sent_just_now(turn: Turn, what: str) -> bool:
    """Whether this same message (`what` names it: a section page, a career's trainings) was
    sent by a button within the double-tap delay; if not, remember it as sent now.

    Buttons that send a new message (rather than edit one) use it so that a double tap sends
    one message, not two.
    """
    row = await _row(turn.session, turn.user.id)
    what = what[:SENT_MAX]
    at: datetime | None = row.last_sent_at
    if row.last_sent == what and at is not None and at >= turn.now - DOUBLE_TAP:
        return True
    row.last_sent = what
    row.last_sent_at = turn.now
    await turn.session.flush()
    return False


async def export(session: AsyncSession, user_id: int) -> dict[str, str | None]:
    """What is kept about where the user is, for /export."""
    row = await session.get(Navigation, user_id)
    if row is None:
        return {}
    return {
        "last_search": row.last_search,
        "last_button_message": row.last_sent,
        "last_button_message_at": row.last_sent_at.isoformat() if row.last_sent_at else None,
    }
