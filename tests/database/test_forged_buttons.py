"""Forged button data (issue 14 #8): every action, fed arguments no button of ours carries, leaves
nothing in the database that the catalogue and the programmes do not know."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from bot.handlers import all_actions
from coaching.partners import SHIPPED, import_partners
from journey import privacy
from kernel.turn import Environment
from scoring.catalogue import load_catalogue
from storage.engine import Database
from storage.models import (
    CoachConsent,
    Event,
    Nudge,
    PartnerProgramme,
    Referral,
    SavedCareer,
    User,
)
from tests.support import make_turn, make_user
from tremplin.app import build_reactions

CATALOGUE = load_catalogue()
FORGED = (
    "X" * 32,
    "Z9999",
    "j1501",
    "J1501X",
    "cap_jeunes_fake",
    "../../etc",
    "-1",
    "99999999999999999999",
    "",
)


async def test_forged_arguments_never_reach_the_database(db: Database) -> None:
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
        await make_user(session, 5001)
    env = Environment(catalogue=CATALOGUE, reactions=build_reactions())
    known_romes = set(CATALOGUE.careers)
    for name, flow in sorted(all_actions().items()):
        if name == privacy.DELETE_YES:
            continue  # erases the user: nothing forged can be stored by it
        async with db.transaction() as session:
            user = await session.get(User, 5001)
            assert user is not None
            for args in itertools.chain(
                ((a,) for a in FORGED), itertools.product(FORGED[:3], FORGED[:3])
            ):
                await flow(make_turn(session, user, env), tuple(args))
    async with db.transaction() as session:
        romes = [
            *await session.scalars(select(SavedCareer.rome)),
            *await session.scalars(select(Event.rome)),
            *await session.scalars(select(Nudge.rome)),
            *await session.scalars(select(Referral.rome)),
        ]
        assert {r for r in romes if r is not None} <= known_romes
        programmes = [
            *await session.scalars(select(Event.partner_code)),
            *await session.scalars(select(CoachConsent.partner_code)),
        ]
        known_programmes = set(await session.scalars(select(PartnerProgramme.code)))
        assert {p for p in programmes if p is not None} <= known_programmes
        for event in await session.scalars(select(Event)):
            for value in event.data.values():
                assert value not in FORGED[:6], (event.kind, event.data)
