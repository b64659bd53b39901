"""Operators' versions of the bot's texts, kept in the `text_overrides` table so that every
process shows the same text.

Each process refreshes its catalogue from the table (`StoredTexts.refresh`, run at start and by
the `texts` job every few seconds); the check is one cheap query (how many rows, the latest
change), and the rows are read again only when it changed. A new version is therefore in force
everywhere within seconds, without a restart. The console (a later issue) edits through
`save_text`; a version that does not compile or render falls back to the shipped text.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.render import Catalog, default_catalog
from storage.models import TextOverride, utcnow

JOB_NAME = "texts"
REFRESH_SECONDS = 5.0


async def save_text(
    session: AsyncSession,
    key: str,
    lang: str,
    body: str,
    *,
    who: str,
    partner_code: str | None = None,
) -> TextOverride:
    """Store a new version of a text; it is in force in every process at their next refresh."""
    latest = await session.scalar(
        select(func.max(TextOverride.version)).where(
            TextOverride.key == key,
            TextOverride.language == lang,
            TextOverride.partner_code.is_(None)
            if partner_code is None
            else TextOverride.partner_code == partner_code,
        )
    )
    row = TextOverride(
        key=key,
        language=lang,
        partner_code=partner_code,
        body=body,
        version=(latest or 0) + 1,
        updated_at=utcnow(),
        updated_by=who[:254],
    )
    session.add(row)
    await session.flush()
    return row


async def texts_in_force(session: AsyncSession) -> dict[tuple[str, str], str]:
    """The latest version of every text everyone sees ((lang, key) → template); programmes'
    own versions are not shown by the bot yet."""
    rows = await session.scalars(
        select(TextOverride)
        .where(TextOverride.partner_code.is_(None))
        .order_by(TextOverride.key, TextOverride.language, TextOverride.version)
    )
    return {(row.language, row.key): row.body for row in rows}


class StoredTexts:
    """Keeps one process's catalogue in line with the table."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or default_catalog()
        self._stamp: tuple[object, ...] | None = None

    async def refresh(self, session: AsyncSession) -> bool:
        """Reload the texts if the table changed since the last call; True when reloaded."""
        stamp = tuple(
            (
                await session.execute(
                    select(
                        func.count(TextOverride.id),
                        func.max(TextOverride.id),
                        func.max(TextOverride.updated_at),
                    )
                )
            ).one()
        )
        if stamp == self._stamp:
            return False
        self.catalog.set_overrides(await texts_in_force(session))
        self._stamp = stamp
        return True
