"""What every flow function receives: the unit of work, the user, and the process environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import QuietHours
from kernel.reactions import Reactions
from scoring.catalogue import Catalogue, load_catalogue
from storage.models import User, utcnow


@dataclass
class Environment:
    """Process-wide collaborators and settings the domain needs, built by the composition root.

    `catalogue` is loaded once per process (the composition root overlays the imported open
    data); by default it is the shipped catalogue, cached by `load_catalogue`.
    """

    catalogue: Catalogue = field(default_factory=load_catalogue)
    clock: Callable[[], datetime] = utcnow
    nudge_delays: tuple[timedelta, ...] = ()
    quiet_hours: QuietHours | None = None
    nudge_daily_cap: int | None = 1
    nudge_holdout: float = 0.0  # share of users kept out of the nudges, for comparison
    reactions: Reactions = field(default_factory=Reactions)
    # How long conversation lines and inactive profiles are kept (said in /privacy).
    retention_logs: timedelta = timedelta(days=360)
    retention_profiles: timedelta = timedelta(days=720)
    # The data controller and how to reach them (TREMPLIN_PRIVACY_*), said in /privacy.
    privacy_controller: str = ""
    privacy_contact: str = ""


@dataclass
class Turn:
    """One update being handled: everything a flow may read or change."""

    session: AsyncSession
    user: User
    env: Environment
    now: datetime

    @property
    def lang(self) -> str:
        """The user's language."""
        return self.user.language
