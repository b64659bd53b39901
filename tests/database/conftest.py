"""Fixtures the domain-flow tests share: the shipped catalogue and one transaction per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scoring.catalogue import Catalogue, load_catalogue
from storage.engine import Database


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """The shipped catalogue."""
    return load_catalogue()


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """One transaction for the test."""
    async with db.sessions() as session, session.begin():
        yield session
