"""Helpers for domain tests: users and turns on a real database session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coaching.partners import import_partners
from journey.profiles import Sender, get_or_create_user
from kernel.turn import Environment, Turn
from storage.models import User, utcnow


async def make_user(
    session: AsyncSession,
    user_id: int = 1001,
    *,
    first_name: str = "Camille",
    language: str = "fr",
    departement: str | None = "69",
    priorities: list[str] | None = None,
    onboarded: bool = True,
    partner_code: str | None = None,
) -> User:
    """A user as after onboarding (override what the test needs)."""
    user, _ = await get_or_create_user(session, Sender(user_id, user_id, first_name, language))
    user.departement = departement
    user.priorities = priorities or []
    user.onboarded = onboarded
    user.partner_code = partner_code
    await session.flush()
    return user


async def with_shipped_partners(session: AsyncSession) -> None:
    """The shipped example programmes in the table, as every process imports them at start."""
    await import_partners(session)


def make_turn(
    session: AsyncSession,
    user: User,
    env: Environment | None = None,
    now: datetime | None = None,
    **env_fields: Any,
) -> Turn:
    """A Turn for calling a flow directly."""
    return Turn(session, user, env or Environment(**env_fields), now or utcnow())
