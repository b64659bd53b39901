"""Retention and erasure: old conversation lines and inactive profiles are purged by one process
at a time, and /delete leaves nothing of the person but anonymous events for the dashboard."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from journey import privacy, stats
from journey.conversation import keep_words
from journey.retention import LEASE, RetentionJob
from kernel import events
from kernel.turn import Environment
from storage import lease
from storage.engine import Database
from storage.models import (
    AnonymousEvent,
    Base,
    CoachConsent,
    ConversationEntry,
    ConversationWords,
    Event,
    Nudge,
    Referral,
    ReferralMessage,
    SavedCareer,
    User,
)
from tests.support import make_turn, make_user
from tremplin.app import build_reactions
from tremplin.settings import SettingsError, load_settings

REACTIONS = build_reactions()
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PERSON = 8_123_456_789
OTHER = 8_000_000_001
NAME = "Zoé-Anaïs"
SAID = ("je cherche plombier à Villeurbanne", "mon numéro 06 98 76 54 32")


def _line(user_id: int, direction: str, text: str, at: datetime) -> ConversationEntry:
    return ConversationEntry(user_id=user_id, direction=direction, kind="text", text=text, at=at)


async def _person(
    db: Database, user_id: int, name: str, *, at: datetime = T0, said: tuple[str, str] = SAID
) -> None:
    """A person with a profile, a conversation, saved careers, survey answers, a nudge, a
    referral with a relayed message, and the events the dashboard counts."""
    async with db.transaction() as session:
        user = await make_user(session, user_id, first_name=name)
        user.last_seen_at = at
        session.add_all(
            [
                _line(user_id, "in", said[0], at),
                _line(user_id, "out", "Voici", at),
                SavedCareer(user_id=user_id, rome="J1501", interest=2, readiness=1, saved_at=at),
                Nudge(user_id=user_id, sequence=1, step=1, due_at=at + timedelta(days=1)),
                CoachConsent(user_id=user_id, partner_code="cap_jeunes", items=["first_name"]),
            ]
        )
        for minutes, kind, data in (
            (0, events.ONBOARDED, {}),
            (1, events.SEARCHED, {"query": said[0], "results": 3}),
            (2, events.CAREER_OPENED, {"origin": "search"}),
            (3, events.TRAINING_OPENED, {}),
            (4, events.CAREER_SAVED, {}),
            (5, events.SURVEY_ANSWERED, {"question": "interest", "answer": 2}),
        ):
            session.add(
                Event(
                    user_id=user_id,
                    kind=kind,
                    rome="J1501",
                    at=at + timedelta(minutes=minutes),
                    data=data,
                )
            )
        await session.flush()
        consent = (await session.scalars(select(CoachConsent.id))).all()[-1]
        referral = Referral(user_id=user_id, partner_code="cap_jeunes", consent_id=consent)
        session.add(referral)
        await session.flush()
        session.add(ReferralMessage(referral_id=referral.id, sender="user", text=said[1], at=at))
        await keep_words(session, user_id)  # the programme may search the conversation


async def _figures(db: Database) -> Any:
    async with db.transaction() as session:
        return await stats.evaluation(session)


async def _everything(db: Database) -> list[tuple[str, str, Any]]:
    """Every value of every row of every table."""
    found: list[tuple[str, str, Any]] = []
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(table.select())).mappings():
                found.extend((table.name, column, value) for column, value in row.items())
    return found


async def test_delete_leaves_nothing_of_the_person_but_the_dashboards_counts(
    db: Database,
) -> None:
    await _person(db, PERSON, NAME)
    await _person(db, OTHER, "Camille", said=("cuisinier", "à demain"))
    before = await _figures(db)
    async with db.transaction() as session:
        user = await session.get(User, PERSON)
        assert user is not None
        await privacy.confirm_delete(
            make_turn(session, user, Environment(reactions=REACTIONS), now=T0)
        )
    # Every table scanned for the person's id, name and messages.
    for table, column, value in await _everything(db):
        text = json.dumps(value, ensure_ascii=False, default=str)
        assert value != PERSON and str(PERSON) not in text, (table, column)
        assert NAME not in text, (table, column)
        assert all(said not in text for said in SAID), (table, column)
        assert "villeurbanne" not in text.casefold(), (table, column)  # nor the searchable words
    # The dashboard's figures are the same: the person's events stay, anonymous.
    assert await _figures(db) == before
    async with db.transaction() as session:
        kept = list(await session.scalars(select(AnonymousEvent)))
    assert len(kept) == 6 and len({k.subject for k in kept}) == 1
    assert kept[0].subject < 0 and all("query" not in k.data for k in kept)


async def test_old_conversation_lines_and_inactive_profiles_are_purged(db: Database) -> None:
    now = T0 + timedelta(days=800)
    await _person(db, PERSON, NAME, at=T0)  # last contact 800 days ago
    await _person(db, OTHER, "Camille", at=now - timedelta(days=400))  # active 400 days ago
    async with db.transaction() as session:
        session.add(_line(OTHER, "in", "hier", now))
    before = await _figures(db)
    job = RetentionJob(
        db, REACTIONS, logs_after=timedelta(days=365), profiles_after=timedelta(days=730)
    )
    purged = await job.run_once(now)
    assert purged is not None and purged.profiles == 1
    async with db.transaction() as session:
        assert await session.get(User, PERSON) is None
        assert await session.get(User, OTHER) is not None
        lines = list(await session.scalars(select(ConversationEntry.text)))
        relayed = list(await session.scalars(select(ReferralMessage.text)))
        words = list(await session.scalars(select(ConversationWords.words)))
    assert lines == ["hier"]  # the other person's year-old lines are gone, yesterday's stay
    assert relayed == []
    # Nor can a coach's search find the purged lines: the words are those of what is left.
    assert words == [" hier "]
    assert await _figures(db) == before


async def test_only_the_process_holding_the_lease_purges(db: Database) -> None:
    now = T0 + timedelta(days=800)
    await _person(db, PERSON, NAME, at=T0)
    first = RetentionJob(
        db,
        REACTIONS,
        logs_after=timedelta(days=365),
        profiles_after=timedelta(days=730),
        holder="process-a",
    )
    second = RetentionJob(
        db,
        REACTIONS,
        logs_after=timedelta(days=365),
        profiles_after=timedelta(days=730),
        holder="process-b",
    )
    async with db.transaction() as session:  # process A is in the middle of a purge
        assert await lease.acquire(session, LEASE, "process-a", timedelta(minutes=10), now)
    assert await second.run_once(now) is None
    async with db.transaction() as session:
        assert await session.get(User, PERSON) is not None
        assert not await lease.acquire(session, LEASE, "process-b", timedelta(minutes=10), now)
    # A lease left by a dead process expires; then another process takes over.
    later = now + timedelta(minutes=11)
    assert (await second.run_once(later)) is not None
    async with db.transaction() as session:
        assert await session.get(User, PERSON) is None
    assert (await first.run_once(later)) is not None  # released at the end of B's pass


def test_retention_periods_are_configurable() -> None:
    default = load_settings(env_file=None)
    assert default.retention_logs == timedelta(days=360)
    assert default.retention_profiles == timedelta(days=720)
    custom = load_settings(env_file=None, retention_logs="90d", retention_profiles="2y")
    assert custom.retention_logs == timedelta(days=90)
    assert custom.retention_profiles == timedelta(days=730)
    with pytest.raises(SettingsError, match="TREMPLIN_RETENTION_LOGS"):
        load_settings(env_file=None, retention_logs="forever")


async def test_privacy_states_the_retention_periods_and_what_logs_keep(db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session, PERSON, first_name=NAME)
        env = Environment(
            reactions=REACTIONS,
            retention_logs=timedelta(days=180),
            retention_profiles=timedelta(days=720),
        )
        outcome = await privacy.show(make_turn(session, user, env, now=T0))
    summary = outcome.replies[0].text
    assert "au bout de 6 mois" in summary and "24 mois après votre dernier message" in summary
    assert "journaux techniques" in summary and "30 jours" in summary
