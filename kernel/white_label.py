"""Which partner programme a user is "with", so that they see its own wording of the bot's texts
(the operators' per-programme versions, `kernel.texts`), falling back to the general text.

A user is with a programme while a coach of that programme handles their request (an open
hand-over: the newest referral not closed), and otherwise with the programme whose link they
arrived through (`/start <code>`, kept as `users.partner_code`). A closed hand-over leaves them
with the programme they came through, if any.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.render import use_programme_texts
from storage.models import Referral, User

# coaching.referrals.CLOSED (the coaching package sits above this one).
_CLOSED = "closed"


async def programme_of(session: AsyncSession, user: User) -> str | None:
    """The code of the programme the user is with, or None (the general texts)."""
    handling = await session.scalar(
        select(Referral.partner_code)
        .where(Referral.user_id == user.id, Referral.state != _CLOSED)
        .order_by(Referral.id.desc())
        .limit(1)
    )
    return handling or user.partner_code or None


async def use_texts_of(session: AsyncSession, user: User) -> None:
    """Compose what follows (in the current `messages.render.programme_texts` block) with the
    texts of the programme the user is with. Called when an update starts and again at the
    moments that can change it (arriving through a link, being handed over)."""
    use_programme_texts(await programme_of(session, user))
