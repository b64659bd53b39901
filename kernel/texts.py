"""Operators' versions of the bot's texts, kept in the `text_overrides` table so that every
process shows the same text.

Each process refreshes its catalogue from the table (`StoredTexts.refresh`, run at start and by
the `texts` job every few seconds); the check is one cheap query (how many rows, the latest
change), and the rows are read again only when it changed. A new version is therefore in force
everywhere within seconds, without a restart. The console edits through `save_draft`, `publish`
and `rollback`; a version that does not compile or render falls back to the shipped text (a
programme's own version to the general text).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.partners import get_partner
from kernel.periodic import PeriodicJob
from messages import validate
from messages.render import LANGUAGES, Catalog, default_catalog, load_shipped
from storage.engine import Database
from storage.models import TextOverride, utcnow

PUBLISHED = "published"
DRAFT = "draft"

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
    state: str = PUBLISHED,
    comment: str = "",
) -> TextOverride:
    """Store a new version of a text; a published one is in force in every process at their
    next refresh, a draft only waits in the console."""
    latest = await session.scalar(
        select(func.max(TextOverride.version)).where(
            *_scope(key, lang, partner_code)  # type: ignore[arg-type]
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
        state=state,
        comment=comment[:2000],
    )
    session.add(row)
    await session.flush()
    return row


async def texts_in_force(session: AsyncSession) -> dict[tuple[str, str], str]:
    """The latest version of every text everyone sees ((lang, key) → template)."""
    rows = await session.scalars(
        select(TextOverride)
        .where(TextOverride.partner_code.is_(None), TextOverride.state == PUBLISHED)
        .order_by(TextOverride.key, TextOverride.language, TextOverride.version)
    )
    return {(row.language, row.key): row.body for row in rows}


async def programme_texts_in_force(session: AsyncSession) -> dict[tuple[str, str, str], str]:
    """The latest version of every programme's own texts ((programme, lang, key) → template),
    which the users with that programme see instead of the general text."""
    rows = await session.scalars(
        select(TextOverride)
        .where(TextOverride.partner_code.is_not(None), TextOverride.state == PUBLISHED)
        .order_by(TextOverride.key, TextOverride.language, TextOverride.version)
    )
    return {(str(row.partner_code), row.language, row.key): row.body for row in rows}


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
        self.catalog.set_overrides(
            await texts_in_force(session), await programme_texts_in_force(session)
        )
        self._stamp = stamp
        return True


async def keep_in_force(
    db: Database, interval: float = REFRESH_SECONDS, catalog: Catalog | None = None
) -> PeriodicJob:
    """Every process that sends texts runs this at start (the bot, a nudges-only worker, the
    console): the operators' texts are in force before its first message, then the table is
    checked every `interval` seconds. Close the returned job when the process stops."""
    stored = StoredTexts(catalog)

    async def refresh() -> None:
        async with db.transaction() as session:
            await stored.refresh(session)

    await refresh()  # a failure here stops the start: never send a process's first texts stale
    job = PeriodicJob(JOB_NAME, interval, refresh)
    await job.start()
    return job


class TextRejected(ValueError):
    """An operator's version that cannot be published, with the reasons."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Version:
    """One stored version of a text, as the console shows it."""

    id: int
    version: int
    state: str
    body: str
    at: datetime
    by: str
    comment: str


def _version(row: TextOverride) -> Version:
    return Version(
        row.id, row.version, row.state, row.body, row.updated_at, row.updated_by, row.comment
    )


def _scope(key: str, lang: str, partner_code: str | None) -> list[object]:
    return [
        TextOverride.key == key,
        TextOverride.language == lang,
        TextOverride.partner_code.is_(None)
        if partner_code is None
        else TextOverride.partner_code == partner_code,
    ]


def _check_target(key: str, lang: str) -> None:
    if lang not in LANGUAGES:
        raise TextRejected([f"unknown language {lang!r}"])
    shipped = load_shipped()
    if not any(key in shipped.get(code, {}) for code in LANGUAGES):
        raise TextRejected([f"there is no text {key}"])


async def _check_programme(session: AsyncSession, partner_code: str | None) -> None:
    # A version for a programme that does not exist would never be shown to anyone.
    if partner_code is not None and await get_partner(session, partner_code) is None:
        raise TextRejected([f"there is no partner programme {partner_code!r}"])


async def history(
    session: AsyncSession, key: str, lang: str, partner_code: str | None = None
) -> list[Version]:
    """Every stored version of a text, newest first (drafts included)."""
    rows = await session.scalars(
        select(TextOverride)
        .where(*_scope(key, lang, partner_code))  # type: ignore[arg-type]
        .order_by(TextOverride.version.desc())
    )
    return [_version(row) for row in rows]


def in_force(versions: list[Version]) -> Version | None:
    """The published version in force among a text's versions (None: the shipped text)."""
    return next((v for v in versions if v.state == PUBLISHED), None)


async def save_draft(
    session: AsyncSession,
    key: str,
    lang: str,
    body: str,
    *,
    who: str,
    partner_code: str | None = None,
    comment: str = "",
) -> Version:
    """Keep an operator's work in progress; it is not checked and nobody sees it but staff."""
    return await _store(session, key, lang, body, who, partner_code, DRAFT, comment)


async def publish(
    session: AsyncSession,
    key: str,
    lang: str,
    body: str,
    *,
    who: str,
    partner_code: str | None = None,
    comment: str = "",
) -> Version:
    """Check a version (messages.validate) and publish it: it is in force in every process within
    seconds. Raises TextRejected with the reasons when it cannot be published."""
    return await _store(session, key, lang, body, who, partner_code, PUBLISHED, comment)


async def _store(
    session: AsyncSession,
    key: str,
    lang: str,
    body: str,
    who: str,
    partner_code: str | None,
    state: str,
    comment: str,
) -> Version:
    # A draft is only checked for its target; a published version must also render.
    _check_target(key, lang)
    await _check_programme(session, partner_code)
    if state == PUBLISHED:
        verdict = validate.check(key, lang, body)
        if not verdict.ok:
            raise TextRejected(verdict.problems)
    row = await save_text(
        session, key, lang, body, who=who, partner_code=partner_code, state=state,
        comment=comment,
    )
    return _version(row)


async def rollback(
    session: AsyncSession,
    key: str,
    lang: str,
    version: int,
    *,
    who: str,
    partner_code: str | None = None,
) -> Version:
    """Publish again the body of an earlier version (version 0: the shipped text), as a new
    version, so the history keeps what happened."""
    if version == 0:
        body = load_shipped().get(lang, {}).get(key)
    else:
        row = await session.scalar(
            select(TextOverride).where(
                *_scope(key, lang, partner_code),  # type: ignore[arg-type]
                TextOverride.version == version,
            )
        )
        body = row.body if row is not None else None
    if body is None:
        raise TextRejected([f"there is no version {version} of {key} ({lang})"])
    return await publish(
        session, key, lang, body, who=who, partner_code=partner_code,
        comment=f"rollback to version {version}",
    )


def diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    """The lines that changed between two versions (unified diff)."""
    return list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""
        )
    )


async def overridden(session: AsyncSession) -> dict[str, list[tuple[str, str | None]]]:
    """Which texts have a published operator's version: key → [(lang, programme or None)]."""
    rows = await session.execute(
        select(TextOverride.key, TextOverride.language, TextOverride.partner_code)
        .where(TextOverride.state == PUBLISHED)
        .distinct()
    )
    found: dict[str, list[tuple[str, str | None]]] = {}
    for key, lang, partner in rows:
        found.setdefault(key, []).append((lang, partner))
    return found


async def export_yaml(session: AsyncSession) -> str:
    """Every text's published version in force, as one YAML document (to move the operators'
    wording from one deployment to another)."""
    rows = await session.scalars(
        select(TextOverride)
        .where(TextOverride.state == PUBLISHED)
        .order_by(TextOverride.key, TextOverride.language, TextOverride.version)
    )
    latest: dict[tuple[str, str, str | None], str] = {}
    for row in rows:
        latest[(row.key, row.language, row.partner_code)] = row.body
    entries = [
        {"key": key, "language": lang, **({"programme": p} if p else {}), "text": body}
        for (key, lang, p), body in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                            kv[0][2] or ""))
    ]
    return yaml.safe_dump({"texts": entries}, allow_unicode=True, sort_keys=False, width=100)


async def import_yaml(session: AsyncSession, document: str, *, who: str) -> int:
    """Publish every text of an exported YAML document, after checking all of them: one bad
    text and nothing is imported (TextRejected lists every problem). Unchanged texts are
    skipped. Returns how many versions were published."""
    try:
        data = yaml.safe_load(document)
    except yaml.YAMLError as exc:
        raise TextRejected([f"not a YAML document: {exc}"]) from exc
    entries = data.get("texts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise TextRejected(["expected a mapping with a list under 'texts'"])
    problems: list[str] = []
    wanted: list[tuple[str, str, str | None, str]] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(f), str) for f in ("key", "language", "text")
        ):
            problems.append(f"entry {number}: needs key, language and text")
            continue
        key, lang, body = entry["key"], entry["language"], entry["text"]
        partner = entry.get("programme")
        try:
            _check_target(key, lang)
            await _check_programme(session, str(partner) if partner else None)
        except TextRejected as exc:
            problems += [f"{key} ({lang}): {p}" for p in exc.problems]
            continue
        verdict = validate.check(key, lang, body)
        problems += [f"{key} ({lang}): {p}" for p in verdict.problems]
        wanted.append((key, lang, str(partner) if partner else None, body))
    if problems:
        raise TextRejected(problems)
    published = 0
    for key, lang, partner, body in wanted:
        current = in_force(await history(session, key, lang, partner))
        if current is not None and current.body == body:
            continue
        await save_text(
            session, key, lang, body, who=who, partner_code=partner, comment="imported"
        )
        published += 1
    return published
