"""Console accounts on a real database: creation rules, sign-in, throttling, disabling, password
resets, and whether a programme has a coach to answer its referrals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts import service
from accounts.passwords import PasswordError
from accounts.service import AccountError
from coaching.partners import SHIPPED, import_partners
from storage.engine import Database
from storage.models import Account

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
async def ready(db: Database) -> Database:
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
    return db


async def test_a_coach_needs_an_existing_programme_and_others_none(ready: Database) -> None:
    async with ready.transaction() as session:
        with pytest.raises(AccountError, match="needs --programme"):
            await service.create_account(session, "julie@example.org", "coach", PASSWORD)
        with pytest.raises(AccountError, match="no programme"):
            await service.create_account(
                session, "julie@example.org", "coach", PASSWORD, programme_code="nope"
            )
        with pytest.raises(AccountError, match="only coach"):
            await service.create_account(
                session, "ops@example.org", "operator", PASSWORD, programme_code="cap_jeunes"
            )
        with pytest.raises(AccountError, match="unknown role"):
            await service.create_account(session, "x@example.org", "root", PASSWORD)
        with pytest.raises(AccountError, match="not an e-mail"):
            await service.create_account(session, "julie", "admin", PASSWORD)
        with pytest.raises(PasswordError, match="at least"):
            await service.create_account(session, "a@example.org", "admin", "short")


async def test_an_address_has_one_account_whatever_its_case(ready: Database) -> None:
    async with ready.transaction() as session:
        created = await service.create_account(
            session, " Julie@Example.org ", "coach", PASSWORD, programme_code="cap_jeunes"
        )
        assert created.email == "julie@example.org"
        assert created.display_name == "julie"
        with pytest.raises(AccountError, match="already exists"):
            await service.create_account(session, "JULIE@example.org", "admin", PASSWORD)
    async with ready.transaction() as session:
        stored = await session.get(Account, created.id)
        assert stored is not None
        assert PASSWORD not in stored.password_hash
        assert stored.password_hash.startswith("$argon2id$")


async def test_sign_in_checks_the_password_and_records_the_time(ready: Database) -> None:
    async with ready.transaction() as session:
        await service.create_account(session, "admin@example.org", "admin", PASSWORD)
    async with ready.transaction() as session:
        wrong = await service.sign_in(session, "admin@example.org", "nope", "10.0.0.1", now=T0)
        unknown = await service.sign_in(session, "who@example.org", PASSWORD, "10.0.0.1", now=T0)
        right = await service.sign_in(session, "ADMIN@example.org", PASSWORD, "10.0.0.1", now=T0)
    assert wrong.account is None and wrong.reason == "wrong"
    assert unknown.account is None and unknown.reason == "wrong"  # same answer: no enumeration
    assert right.account is not None and right.account.last_login_at == T0


async def test_five_failures_lock_the_account_for_a_while(ready: Database) -> None:
    async with ready.transaction() as session:
        await service.create_account(session, "coach@example.org", "admin", PASSWORD)
    for minute in range(5):
        async with ready.transaction() as session:
            result = await service.sign_in(
                session, "coach@example.org", "bad", f"10.0.0.{minute}", now=T0
            )
            assert result.reason == "wrong"
    async with ready.transaction() as session:
        # Even the right password waits: guessing cannot go on from other addresses.
        locked = await service.sign_in(
            session, "coach@example.org", PASSWORD, "10.9.9.9", now=T0 + timedelta(minutes=1)
        )
        assert locked.reason == "throttled" and locked.retry_after is not None
        assert timedelta(minutes=13) < locked.retry_after <= timedelta(minutes=14)
        later = await service.sign_in(
            session, "coach@example.org", PASSWORD, "10.9.9.9", now=T0 + timedelta(minutes=16)
        )
        assert later.account is not None


async def test_one_address_trying_many_accounts_is_throttled(ready: Database) -> None:
    async with ready.transaction() as session:
        await service.create_account(session, "real@example.org", "admin", PASSWORD)
        for n in range(service.MAX_FAILURES_PER_ADDRESS):
            await service.sign_in(session, f"guess{n}@example.org", "x", "203.0.113.7", now=T0)
        blocked = await service.sign_in(
            session, "real@example.org", PASSWORD, "203.0.113.7", now=T0
        )
        elsewhere = await service.sign_in(
            session, "real@example.org", PASSWORD, "198.51.100.1", now=T0
        )
    assert blocked.reason == "throttled"
    assert elsewhere.account is not None


async def test_disabling_and_resetting_end_sessions(ready: Database) -> None:
    async with ready.transaction() as session:
        account = await service.create_account(session, "c@example.org", "operator", PASSWORD)
        assert await service.current_account(session, account.id, 1) is not None
        await service.reset_password(session, "c@example.org", "another long password")
        assert await service.current_account(session, account.id, 1) is None
        assert await service.current_account(session, account.id, 2) is not None
        old = await service.sign_in(session, "c@example.org", PASSWORD, "1.1.1.1", now=T0)
        assert old.account is None
        await service.disable_account(session, "c@example.org")
        assert await service.current_account(session, account.id, 2) is None
        disabled = await service.sign_in(
            session, "c@example.org", "another long password", "1.1.1.1", now=T0
        )
        assert disabled.account is None and disabled.reason == "wrong"


async def test_a_programme_has_a_coach_only_while_an_active_coach_account_exists(
    ready: Database,
) -> None:
    async with ready.transaction() as session:
        assert not await service.programme_has_active_coach(session, "cap_jeunes")
        await service.create_account(session, "ops@example.org", "operator", PASSWORD)
        await service.create_account(
            session, "julie@example.org", "coach", PASSWORD, programme_code="cap_jeunes"
        )
        assert await service.programme_has_active_coach(session, "cap_jeunes")
        assert not await service.programme_has_active_coach(session, "metiers_4mois")
        assert await service.programmes_with_active_coach(session) == {"cap_jeunes"}
        await service.disable_account(session, "julie@example.org")
        assert not await service.programme_has_active_coach(session, "cap_jeunes")
