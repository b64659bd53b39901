"""Canned replies a programme keeps: its coaches and admins edit them, nobody else sees them,
empty or too long ones are refused with nothing saved, every change is in the audit log, and the
reply box of the programme's referrals offers them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accounts import audit
from accounts import service as accounts
from accounts.scope import NotFound
from accounts.service import AccountView
from coaching import canned, casework
from coaching.casework import CaseworkError
from coaching.partners import SHIPPED, import_partners
from storage.engine import Database
from storage.models import AuditEntry, CannedReply

PASSWORD = "a long enough password"


async def _accounts(db: Database) -> dict[str, AccountView]:
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
        made = {
            name: await accounts.create_account(
                session, f"{name}@example.org", role, PASSWORD, programme_code=programme
            )
            for name, role, programme in (
                ("julie", "coach", "cap_jeunes"),
                ("marc", "coach", "metiers_4mois"),
                ("admin", "admin", None),
                ("ops", "operator", None),
            )
        }
    return made


async def test_a_programmes_coaches_and_admins_edit_its_canned_replies(db: Database) -> None:
    who = await _accounts(db)
    async with db.transaction() as session:
        first = await canned.add(session, who["julie"], " Rendez-vous ", "On se voit jeudi ?")
        # An admin edits any programme's list, a coach only their own.
        await canned.add(session, who["admin"], "Bienvenue", "Bonjour !", programme="cap_jeunes")
        other = await canned.add(session, who["marc"], "Salut", "Bonjour de Métiers")
        listed = await canned.replies(session, who["julie"])
        assert [(c.title, c.text) for c in listed.replies] == [
            ("Rendez-vous", "On se voit jeudi ?"),
            ("Bienvenue", "Bonjour !"),
        ]
        await canned.change(session, who["admin"], first.id, "RDV", "On se voit vendredi ?")
    async with db.transaction() as session:
        for outsider, action in (
            (who["marc"], lambda a: canned.change(session, a, first.id, "x", "y")),
            (who["marc"], lambda a: canned.remove(session, a, first.id)),
            (who["julie"], lambda a: canned.remove(session, a, other.id)),
            (who["julie"], lambda a: canned.replies(session, a, "metiers_4mois")),
            (who["ops"], lambda a: canned.replies(session, a)),
            (who["ops"], lambda a: canned.add(session, a, "t", "x", programme="cap_jeunes")),
            (who["julie"], lambda a: canned.remove(session, a, 999_999)),
        ):
            with pytest.raises(NotFound):
                await action(outsider)
    async with db.transaction() as session:
        offered = [c.title for c in (await casework.canned_replies(session, who["julie"]))]
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    # The reply box: the programme file's replies, then the stored ones.
    assert offered[-2:] == ["RDV", "Bienvenue"] and "Salut" not in offered
    assert [(e.account_email, e.action, e.programme_code) for e in entries] == [
        ("julie@example.org", audit.CANNED_ADDED, "cap_jeunes"),
        ("admin@example.org", audit.CANNED_ADDED, "cap_jeunes"),
        ("marc@example.org", audit.CANNED_ADDED, "metiers_4mois"),
        ("admin@example.org", audit.CANNED_CHANGED, "cap_jeunes"),
    ]
    async with db.transaction() as session:
        await canned.remove(session, who["julie"], first.id)
        titles = [c.title for c in (await canned.replies(session, who["julie"])).replies]
        last = await session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert titles == ["Bienvenue"]
    assert last is not None and last.action == audit.CANNED_REMOVED


async def test_empty_or_too_long_canned_replies_are_refused(db: Database) -> None:
    who = await _accounts(db)
    for title, text, code in (
        ("", "Bonjour", "canned_empty"),
        ("Titre", "   \n ", "canned_empty"),
        ("T" * (canned.TITLE_MAX + 1), "Bonjour", "canned_title_too_long"),
        ("Titre", "x" * (canned.TEXT_MAX + 1), "canned_too_long"),
    ):
        with pytest.raises(CaseworkError) as refused:
            async with db.transaction() as session:
                await canned.add(session, who["julie"], title, text)
        assert refused.value.code == code
    async with db.transaction() as session:
        kept = await canned.add(session, who["julie"], "Titre", "Bonjour")
    with pytest.raises(CaseworkError):
        async with db.transaction() as session:
            await canned.change(session, who["julie"], kept.id, "Titre", "")
    async with db.transaction() as session:
        rows = list(await session.scalars(select(CannedReply)))
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert [(r.title, r.text) for r in rows] == [("Titre", "Bonjour")]
    assert actions == [audit.CANNED_ADDED]
