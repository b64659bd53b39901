"""What reacts to what the user does: the one object the composition root builds
(`tremplin.app.build_reactions`) and every turn carries on its environment.

The journey calls these at the moments it owns (a career saved or removed, free text nobody
expected, /stop, /delete, /export, /privacy) without knowing who listens; the order of each tuple
is the order the reactions run in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from messages.outgoing import Outcome, Reply
from storage.models import User

if TYPE_CHECKING:
    from kernel.turn import Turn

CareerHook = Callable[["Turn", str], Awaitable[None]]
"""(turn, rome), called inside the transaction that saved or removed the career."""
TextRoute = Callable[["Turn", str], Awaitable[Outcome | None]]
"""Free text in some state (a coach relay, a search); None passes to the next route."""
StopHook = Callable[[AsyncSession, User, str], Awaitable[None]]
"""(session, user, reason): "stopped" on /stop, "deleted" on /delete (before the erasure)."""
ExportPart = Callable[[AsyncSession, User], Awaitable[dict[str, Any]]]
"""What a package keeps about a user, merged into /export."""
UserHook = Callable[["Turn"], Awaitable[None]]
"""(turn), e.g. when follow-up messages are turned back on after /stop."""
PrivacyPart = Callable[["Turn"], Awaitable[list[Reply]]]
"""Extra messages /privacy shows (e.g. the consents given, to withdraw)."""


@dataclass(frozen=True)
class Reactions:
    """Everything that reacts to the journey, in order. Empty by default (a bare journey)."""

    career_saved: tuple[CareerHook, ...] = ()
    career_removed: tuple[CareerHook, ...] = ()
    free_text: tuple[TextRoute, ...] = ()
    stopped: tuple[StopHook, ...] = ()
    resumed: tuple[UserHook, ...] = ()
    export: tuple[ExportPart, ...] = ()
    privacy: tuple[PrivacyPart, ...] = ()
