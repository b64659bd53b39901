"""The coach's services on a real database: scope (own programme, consent standing, role), what the
page shows (shared facts, consented conversation), the inbox's states, marks, filters and search,
replies and their refusals, closing, export, and the audit trail of each."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from accounts import audit
from accounts import service as accounts
from accounts.scope import NotFound
from accounts.service import AccountView
from coaching import casework, referrals
from coaching import consent as consents
from coaching.casework import CaseworkError, InboxFilter
from coaching.partners import SHIPPED, import_partners
from journey.conversation import RELAYED, log_incoming, relabel_last_incoming
from kernel.partners import get_partner
from messages.messenger import Unreachable
from scoring.catalogue import load_catalogue
from storage.engine import Database
from storage.models import AuditEntry, ConversationWords, ReferralMessage, SavedCareer, User
from tests.fakes import FakeMessenger
from tests.support import make_user

CATALOGUE = load_catalogue()
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PASSWORD = "a long enough password"


@dataclass
class World:
    db: Database
    coach: AccountView
    colleague: AccountView
    other: AccountView
    admin: AccountView
    operator: AccountView
    shared: int  # Léa, conversation shared, Rhône
    private: int  # Yanis, conversation not shared, Paris
    elsewhere: int  # Inès, referred to another programme


async def _refer(
    db: Database, user_id: int, name: str, dep: str, programme: str, *, share: bool, at: datetime
) -> int:
    async with db.transaction() as session:
        user = await make_user(session, user_id, first_name=name, departement=dep)
        session.add(SavedCareer(user_id=user.id, rome="N1103", saved_at=at, interest=2))
        await log_incoming(session, user.id, "command", "/start")
        await log_incoming(session, user.id, "button", "Découvrir les métiers", callback_data="x")
        await log_incoming(session, user.id, "text", f"je cherche du travail à {name}ville")
        partner = await get_partner(session, programme)
        assert partner is not None
        items = consents.items_for(rome="N1103", share_conversation=share)
        consent = await consents.give(session, user, programme, items, now=at)
        referral = await referrals.create(
            session, user, partner, consent, rome="N1103", catalogue=CATALOGUE, now=at
        )
        return referral.id


@pytest.fixture
async def world(db: Database) -> World:
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
        made = [
            await accounts.create_account(
                session, email, role, PASSWORD, programme_code=programme, display_name=name
            )
            for email, role, programme, name in (
                ("julie@cap.example", "coach", "cap_jeunes", "Julie Martin"),
                ("paul@cap.example", "coach", "cap_jeunes", "Paul Durand"),
                ("marc@metiers.example", "coach", "metiers_4mois", "Marc"),
                ("admin@example.org", "admin", None, "Admin"),
                ("ops@example.org", "operator", None, "Ops"),
            )
        ]
    shared = await _refer(db, 11, "Léa", "69", "cap_jeunes", share=True, at=T0)
    private = await _refer(
        db, 12, "Yanis", "75", "cap_jeunes", share=False, at=T0 + timedelta(days=3)
    )
    elsewhere = await _refer(db, 13, "Inès", "69", "metiers_4mois", share=True, at=T0)
    return World(db, *made, shared, private, elsewhere)


async def test_a_coach_sees_only_their_programmes_consented_referrals(world: World) -> None:
    async with world.db.transaction() as session:
        inbox = await casework.inbox(session, world.coach, InboxFilter(), now=T0)
        assert {row.id for row in inbox.rows} == {world.shared, world.private}
        for outsider, referral_id in (
            (world.other, world.shared),  # another programme's coach
            (world.coach, world.elsewhere),  # another programme's referral
            (world.admin, world.shared),  # admins manage accounts, they do not read people
            (world.operator, world.shared),
            (world.coach, 999_999),  # a guessed id
        ):
            with pytest.raises(NotFound):
                await casework.open_referral(session, outsider, referral_id)
            with pytest.raises(NotFound):
                await casework.add_note(session, outsider, referral_id, "hello")
            with pytest.raises(NotFound):
                await casework.accept(session, outsider, referral_id)
        with pytest.raises(NotFound):
            await casework.inbox(session, world.admin, InboxFilter())
        with pytest.raises(NotFound):
            await casework.export_csv(session, world.operator)
    with pytest.raises(NotFound):
        await casework.reply(world.db, FakeMessenger(), world.other, world.shared, "hi")

    # Withdrawing the consent hides the referral, everywhere.
    async with world.db.transaction() as session:
        user = await session.get(User, 11)
        assert user is not None
        referral = await session.get(referrals.Referral, world.shared)
        assert referral is not None
        await referrals.withdraw_consent(session, user, referral.consent_id, now=T0)
    async with world.db.transaction() as session:
        inbox = await casework.inbox(session, world.coach, InboxFilter(), now=T0)
        assert [row.id for row in inbox.rows] == [world.private]
        with pytest.raises(NotFound):
            await casework.open_referral(session, world.coach, world.shared)
        with pytest.raises(NotFound):
            await casework.new_lines(session, world.coach, world.shared, {})


async def test_the_page_shows_what_was_consented_and_records_the_view(world: World) -> None:
    async with world.db.transaction() as session:
        # The user's message to the coach is the coach's to read, not part of "the conversation
        # with the bot"; a press is shown as a press.
        await log_incoming(session, 11, "text", "message pour la conseillère")
        await log_incoming(session, 11, RELAYED, "un message pour une autre conseillère")
        page = await casework.open_referral(
            session, world.coach, world.shared, catalogue=CATALOGUE, now=T0
        )
        private = await casework.open_referral(
            session, world.colleague, world.private, catalogue=CATALOGUE, now=T0
        )
    assert page.first_name == "Léa" and page.departement_name == "Rhône"
    assert [c.rome for c in page.saved_careers] == ["N1103"]
    assert page.saved_careers[0].interest == "a_lot"
    kinds = [(line.kind, line.text) for line in page.transcript]
    assert ("button", "Découvrir les métiers") in kinds and ("command", "/start") in kinds
    assert all("autre conseillère" not in text for _, text in kinds)
    assert private.conversation_shared is False and private.transcript == []
    async with world.db.transaction() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.account_email, e.action, e.referral_id) for e in entries] == [
        ("julie@cap.example", audit.VIEW_TRANSCRIPT, world.shared),
        ("paul@cap.example", audit.VIEW_TRANSCRIPT, world.private),
    ]


async def test_inbox_states_marks_filters_and_search(world: World) -> None:
    later = T0 + timedelta(days=5)
    async with world.db.transaction() as session:
        inbox = await casework.inbox(session, world.coach, InboxFilter(), now=later)
        assert inbox.counts == {"new": 2, "waiting": 0, "talking": 0, "closed": 0}
        # Both past their promised answer time (Cap Jeunes promises one within a day or two).
        assert all(row.overdue for row in inbox.rows) and inbox.overdue == 2
        assert all(row.unread for row in inbox.rows)

    messenger = FakeMessenger()
    await casework.reply(world.db, messenger, world.coach, world.shared, "Bonjour Léa", now=later)
    async with world.db.transaction() as session:
        referral = await session.get(referrals.Referral, world.shared)
        assert referral is not None
        await referrals.add_message(
            session, referral, sender="user", text="merci, quand ?", now=later
        )
    async with world.db.transaction() as session:
        inbox = await casework.inbox(
            session, world.coach, InboxFilter(), now=later + timedelta(hours=1)
        )
        row = next(r for r in inbox.rows if r.id == world.shared)
        assert row.state == "waiting" and row.unread and row.waiting_since is not None
        assert inbox.counts["waiting"] == 1 and inbox.counts["new"] == 1
        await casework.open_referral(
            session, world.coach, world.shared, now=later + timedelta(minutes=1)
        )
    async with world.db.transaction() as session:
        inbox = await casework.inbox(session, world.coach, InboxFilter(), now=later)
        assert not next(r for r in inbox.rows if r.id == world.shared).unread

        async def ids(**filters: object) -> set[int]:
            found = await casework.inbox(
                session, world.coach, InboxFilter(**filters), catalogue=CATALOGUE, now=later
            )
            return {r.id for r in found.rows}

        assert await ids(state="waiting") == {world.shared}
        assert await ids(state="new") == {world.private}
        assert await ids(departement="75") == {world.private}
        assert await ids(since=T0 + timedelta(days=1)) == {world.private}
        assert await ids(until=T0 + timedelta(days=1)) == {world.shared}
        assert await ids(search="yan") == {world.private}  # a first name
        assert await ids(search="quand") == {world.shared}  # a message to the coach
        assert await ids(search="Léaville") == {world.shared}  # the shared conversation
        # Yanis did not share his conversation: what he said to the bot is not searched.
        assert await ids(search="Yanisville") == set()
        title = CATALOGUE.get("N1103")
        assert title is not None
        word = max(title.title("fr").split(), key=len)
        assert await ids(search=word) == {world.shared, world.private}  # a saved career
        assert await ids(search="100%_") == set()  # wildcards are literal


async def test_search_finds_lines_that_arrive_after_the_referral_was_opened(world: World) -> None:
    later = T0 + timedelta(days=1)

    async def ids(search: str) -> set[int]:
        async with world.db.transaction() as session:
            found = await casework.inbox(
                session, world.coach, InboxFilter(search=search), catalogue=CATALOGUE, now=later
            )
        return {r.id for r in found.rows}

    async with world.db.transaction() as session:
        await casework.open_referral(session, world.coach, world.shared, now=later)
    assert await ids("Vénissieux") == set()
    # Léa (conversation shared) goes on talking to the bot; Inès, referred to another programme,
    # says the same thing.
    async with world.db.transaction() as session:
        await log_incoming(session, 11, "text", "une formation de soudeuse à Vénissieux ?")
        await log_incoming(session, 13, "text", "une formation de soudeuse à Vénissieux ?")
    assert await ids("Vénissieux") == {world.shared}
    assert await ids("venissieux") == {world.shared}  # accents and case ignored
    assert await ids("soudeuse Vénis") == {world.shared}  # words anywhere, parts of words
    assert await ids("plombière") == set()

    # A text the bot hands to the coach was not said to the bot: not searched as such (it is
    # found as a message on the referral it was relayed to, when it is stored there).
    async with world.db.transaction() as session:
        await log_incoming(session, 11, "text", "rappelez-moi à Rillieux")
        await relabel_last_incoming(session, 11, RELAYED)
    assert await ids("Rillieux") == set()

    # A consent that does not list the first name: the name cannot be searched either.
    async with world.db.transaction() as session:
        user = await make_user(session, 14, first_name="Zinédine", departement="69")
        partner = await get_partner(session, "cap_jeunes")
        assert partner is not None
        consent = await consents.give(session, user, "cap_jeunes", [consents.DEPARTEMENT], now=T0)
        hidden = await referrals.create(
            session, user, partner, consent, rome=None, catalogue=CATALOGUE, now=T0
        )
    assert hidden.id in await ids("")
    assert await ids("Zinédine") == set()

    # Withdrawn: never found again, and the searchable words are gone.
    async with world.db.transaction() as session:
        lea = await session.get(User, 11)
        referral = await session.get(referrals.Referral, world.shared)
        assert lea is not None and referral is not None
        await referrals.withdraw_consent(session, lea, referral.consent_id, now=later)
    assert await ids("Vénissieux") == set()
    assert await ids("Léa") == set()
    async with world.db.transaction() as session:
        assert await session.get(ConversationWords, 11) is None
        assert await session.get(ConversationWords, 13) is not None  # Inès's programme still may


async def test_reply_refusals_lose_nothing_and_keep_nothing_half_done(world: World) -> None:
    messenger = FakeMessenger()
    for text, code in (("   ", "empty"), ("x" * 5000, "too_long")):
        with pytest.raises(CaseworkError) as refused:
            await casework.reply(world.db, messenger, world.coach, world.shared, text)
        assert refused.value.code == code
    assert messenger.pairs == []

    # The user blocked the bot: the reply is kept, marked not delivered, and the next refused
    # before anything is stored.
    messenger.error = Unreachable("blocked")
    result = await casework.reply(world.db, messenger, world.coach, world.shared, "Bonjour")
    assert not result.delivered and result.reason == "unreachable"
    with pytest.raises(CaseworkError) as refused:
        await casework.reply(world.db, messenger, world.coach, world.shared, "Vous êtes là ?")
    assert refused.value.code == "unreachable"
    async with world.db.transaction() as session:
        stored = list(await session.scalars(select(ReferralMessage)))
    assert [(m.text, m.delivered) for m in stored] == [("Bonjour", False)]

    # The user erased their data: the referral is gone for the coach.
    async with world.db.transaction() as session:
        await session.execute(delete(User).where(User.id == 12))
    with pytest.raises(NotFound):
        await casework.reply(world.db, FakeMessenger(), world.coach, world.private, "Bonjour")


async def test_two_coaches_replying_at_once_both_arrive(world: World) -> None:
    messenger = FakeMessenger()
    first, second = await asyncio.gather(
        casework.reply(world.db, messenger, world.coach, world.shared, "Je vous appelle demain."),
        casework.reply(world.db, messenger, world.colleague, world.shared, "Moi aussi !"),
    )
    assert first.delivered and second.delivered
    assert len(messenger.pairs) == 2
    async with world.db.transaction() as session:
        texts = sorted(m.text for m in await session.scalars(select(ReferralMessage)))
        replies = [
            e.account_email
            for e in await session.scalars(select(AuditEntry).where(AuditEntry.action == "reply"))
        ]
    assert texts == ["Je vous appelle demain.", "Moi aussi !"]
    assert sorted(replies) == ["julie@cap.example", "paul@cap.example"]


async def test_closing_asks_for_feedback_then_export_and_audit(world: World) -> None:
    messenger = FakeMessenger()
    async with world.db.transaction() as session:
        await casework.accept(session, world.coach, world.shared, now=T0)
        await casework.add_note(session, world.coach, world.shared, "rappeler jeudi", now=T0)
    asked = await casework.close(world.db, messenger, world.coach, world.shared, "found_job")
    assert asked and messenger.pairs[-1][1].key == "coach.satisfaction_question"
    with pytest.raises(CaseworkError):
        await casework.close(world.db, messenger, world.coach, world.shared, "found_job")
    with pytest.raises(CaseworkError):
        await casework.reply(world.db, messenger, world.coach, world.shared, "encore ?")
    async with world.db.transaction() as session:
        await casework.set_outcome(session, world.coach, world.shared, "started_training")
        with pytest.raises(CaseworkError):
            await casework.set_outcome(session, world.coach, world.private, "found_job")
        body = await casework.export_csv(session, world.coach)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["referral"] for r in rows} == {str(world.shared), str(world.private)}
    closed = next(r for r in rows if r["referral"] == str(world.shared))
    assert closed["state"] == "closed" and closed["outcome"] == "started_training"
    assert "Léa" not in body and "cherche" not in body  # no names, no conversation

    async with world.db.transaction() as session:
        log = await audit.read_log(session, world.admin, audit.AuditFilter())
        actions = [line.action for line in log.lines]
        assert actions == ["export", "outcome", "close", "note", "state"]
        only = await audit.read_log(session, world.admin, audit.AuditFilter(action="note"))
        assert [(line.referral_id, line.account_email) for line in only.lines] == [
            (world.shared, "julie@cap.example")
        ]
        with pytest.raises(NotFound):
            await audit.read_log(session, world.coach, audit.AuditFilter())
