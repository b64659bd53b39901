"""Secrets every console process shares, kept in the database so that several processes (and
restarts) accept each other's signed cookies."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleSecret

SESSION_KEY = "session"


async def shared_secret(session: AsyncSession, name: str = SESSION_KEY) -> str:
    """The named secret, made on first use (two processes racing both end with the same one:
    the loser's insert fails on the primary key and it reads the winner's)."""
    existing = await session.scalar(select(ConsoleSecret.value).where(ConsoleSecret.name == name))
    if existing:
        return existing
    value = secrets.token_urlsafe(48)
    async with session.begin_nested():
        session.add(ConsoleSecret(name=name, value=value))
    return value
