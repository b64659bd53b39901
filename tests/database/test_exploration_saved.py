"""Saving and removing careers, the survey and /saved, on a real database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from journey import actions as codes
from journey import cards, saved, saved_careers
from kernel import events
from kernel.reactions import Reactions
from kernel.turn import Environment, Turn
from messages import Action, Outcome, Reply
from scoring.catalogue import Catalogue
from storage.engine import Database
from storage.models import Event, SavedCareer, utcnow
from tests.support import make_turn, make_user, with_shipped_partners


@pytest.fixture
async def turn(session: AsyncSession, catalogue: Catalogue) -> Turn:
    """An onboarded user of the Rhône who came through a partner."""
    await with_shipped_partners(session)
    user = await make_user(session, partner_code="metiers_4mois")
    return make_turn(session, user, Environment(catalogue=catalogue))


@pytest.fixture
def hook_calls(turn: Turn) -> list[tuple[str, int, str]]:
    """Record the calls of the saved/removed reactions (what the nudges plug in)."""
    calls: list[tuple[str, int, str]] = []

    async def on_saved(turn: Turn, rome: str) -> None:
        calls.append(("saved", turn.user.id, rome))

    async def on_removed(turn: Turn, rome: str) -> None:
        calls.append(("removed", turn.user.id, rome))

    turn.env.reactions = Reactions(career_saved=(on_saved,), career_removed=(on_removed,))
    return calls


def by_key(outcome: Outcome, key: str) -> Reply:
    return next(r for r in outcome.replies if r.key == key)


def actions(reply: Reply) -> list[Action]:
    return [b.action for row in reply.buttons for b in row if b.action is not None]


async def kinds(turn: Turn) -> list[str]:
    rows = await turn.session.scalars(
        select(Event.kind).where(Event.user_id == turn.user.id).order_by(Event.id)
    )
    return list(rows)


async def rows(session: AsyncSession, user_id: int) -> list[SavedCareer]:
    found = await session.scalars(select(SavedCareer).where(SavedCareer.user_id == user_id))
    return list(found)


async def test_save_confirms_redraws_the_card_and_asks_the_first_question(
    turn: Turn, hook_calls: list[tuple[str, int, str]]
) -> None:
    outcome = await saved.save(turn, "J1501", "s.top.1")
    assert outcome.notice == "⭐ Enregistré !"
    card = by_key(outcome, "explore.card")
    assert card.edit and actions(card)[0] == Action(codes.REMOVE, ("J1501", "s.top.1"))
    question = by_key(outcome, "explore.saved_confirm")
    assert not question.edit and "/enregistres" in question.text
    assert "Ce métier vous intéresse-t-il ?" in question.text
    assert actions(question) == [Action("sq", ("J1501", "i", a)) for a in "012"]
    (row,) = await rows(turn.session, turn.user.id)
    assert row.rome == "J1501" and row.interest is None
    assert hook_calls == [("saved", turn.user.id, "J1501")]
    saved_event = (
        await turn.session.scalars(select(Event).where(Event.kind == events.CAREER_SAVED))
    ).one()
    assert saved_event.rome == "J1501" and saved_event.partner_code == "metiers_4mois"


async def test_saving_twice_is_one_career_one_event_one_hook_call(
    turn: Turn, hook_calls: list[tuple[str, int, str]]
) -> None:
    await saved.save(turn, "J1501", "n")
    again = await saved.save(turn, "J1501", "n")
    assert again.notice is not None and "déjà" in again.notice
    assert [r.key for r in again.replies] == ["explore.card"]  # no second survey
    assert len(await rows(turn.session, turn.user.id)) == 1
    assert (await kinds(turn)).count(events.CAREER_SAVED) == 1
    assert hook_calls == [("saved", turn.user.id, "J1501")]


async def test_two_processes_saving_at_once_make_one_row(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 77)
    now = utcnow()

    async def save_once() -> bool:
        async with db.transaction() as session:
            created = await saved_careers.add(session, 77, "D1102", now)
            await asyncio.sleep(0.05)  # hold the transaction open while the other one runs
            return created

    results = await asyncio.gather(save_once(), save_once())
    assert sorted(results) == [False, True]
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(SavedCareer).where(SavedCareer.user_id == 77)
        )
    assert count == 1


async def test_survey_answers_are_stored_per_saved_career(turn: Turn) -> None:
    await saved.save(turn, "J1501", "n")
    await saved.save(turn, "D1102", "n")
    second = await saved.answer_survey(turn, "J1501", "i", "2")
    question = by_key(second, "explore.survey_readiness")
    assert question.edit and "suivre une formation" in question.text
    assert actions(question) == [Action("sq", ("J1501", "r", a)) for a in "012"]
    thanks = by_key(await saved.answer_survey(turn, "J1501", "r", "1"), "explore.survey_thanks")
    assert thanks.edit and actions(thanks) == [Action("tr", ("J1501",)), Action("co", ("J1501",))]
    await saved.answer_survey(turn, "D1102", "i", "0")
    stored = {r.rome: (r.interest, r.readiness) for r in await rows(turn.session, turn.user.id)}
    assert stored == {"J1501": (2, 1), "D1102": (0, None)}
    answers = (
        await turn.session.scalars(
            select(Event).where(Event.kind == events.SURVEY_ANSWERED).order_by(Event.id)
        )
    ).all()
    assert [(e.rome, e.data) for e in answers] == [
        ("J1501", {"question": "interest", "answer": 2}),
        ("J1501", {"question": "readiness", "answer": 1}),
        ("D1102", {"question": "interest", "answer": 0}),
    ]


async def test_double_tap_on_an_answer_records_it_once(turn: Turn) -> None:
    await saved.save(turn, "J1501", "n")
    first = await saved.answer_survey(turn, "J1501", "i", "1")
    again = await saved.answer_survey(turn, "J1501", "i", "1")
    assert first.replies == again.replies  # the same edit: Telegram's "not modified", quietly
    assert (await kinds(turn)).count(events.SURVEY_ANSWERED) == 1


async def test_answers_for_a_removed_or_foreign_career_are_refused_politely(
    turn: Turn, session: AsyncSession, catalogue: Catalogue
) -> None:
    await saved.save(turn, "J1501", "n")
    other = make_turn(session, await make_user(session, 2002), Environment(catalogue=catalogue))
    # Someone else pressing this user's survey button (a forwarded message) changes nothing.
    refused = await saved.answer_survey(other, "J1501", "i", "2")
    assert refused.replies == [] and refused.notice is not None
    await saved.remove(turn, "J1501", "n")
    gone = await saved.answer_survey(turn, "J1501", "i", "2")
    assert gone.replies == [] and gone.notice is not None and "plus dans vos" in gone.notice
    forged = await saved.answer_survey(turn, "J1501", "x", "9")
    assert forged.replies == [] and forged.notice == "Ce bouton n'est plus valable."
    assert events.SURVEY_ANSWERED not in await kinds(turn) + await kinds(other)


async def test_remove_from_the_card_redraws_it_and_calls_the_hook(
    turn: Turn, hook_calls: list[tuple[str, int, str]]
) -> None:
    await saved.save(turn, "J1501", "k.D1102")
    outcome = await saved.remove(turn, "J1501", "k.D1102")
    assert outcome.notice == "Retiré de vos métiers."
    card = by_key(outcome, "explore.card")
    assert card.edit and actions(card)[0] == Action(codes.SAVE, ("J1501", "k.D1102"))
    assert await rows(turn.session, turn.user.id) == []
    again = await saved.remove(turn, "J1501", "k.D1102")  # an old button
    assert again.notice is not None and "déjà plus" in again.notice
    assert hook_calls == [("saved", turn.user.id, "J1501"), ("removed", turn.user.id, "J1501")]
    assert (await kinds(turn)).count(events.CAREER_REMOVED) == 1


async def test_saved_list_opens_and_removes_in_place(turn: Turn) -> None:
    empty = (await saved.show_list(turn)).replies[0]
    assert empty.key == "explore.saved_empty" and actions(empty) == [Action("ex")]
    await saved.save(turn, "J1501", "n")
    await saved.save(turn, "D1102", "n")
    listing = (await saved.show_list(turn)).replies[0]
    assert "Vos métiers enregistrés (2)" in listing.text
    assert actions(listing) == [
        Action(codes.OPEN_CARD, ("J1501", "v")),
        Action(codes.SAVED_REMOVE, ("J1501",)),
        Action(codes.OPEN_CARD, ("D1102", "v")),
        Action(codes.SAVED_REMOVE, ("D1102",)),
    ]
    after = await saved.remove_from_list(turn, "J1501")
    (redrawn,) = after.replies
    assert redrawn.edit and "(1)" in redrawn.text and "Boulanger / Boulangère" in redrawn.text
    assert after.notice == "Retiré de vos métiers."
    card = (await cards.open_card(turn, "D1102", "v", edit=True)).replies[0]
    assert actions(card)[-1] == Action(codes.SAVED_LIST)


async def test_a_saved_career_dropped_by_a_reimport_can_still_be_removed(
    turn: Turn, session: AsyncSession
) -> None:
    session.add(SavedCareer(user_id=turn.user.id, rome="Z9999", saved_at=utcnow()))
    await session.flush()
    listing = (await saved.show_list(turn)).replies[0]
    assert "Métier Z9999 (n&#39;existe plus dans nos données)" in listing.text
    assert actions(listing) == [Action(codes.SAVED_REMOVE, ("Z9999",))]
    assert (await saved.save(turn, "Z9999", "n")).replies == []  # its old card: polite notice
    after = await saved.remove_from_list(turn, "Z9999")
    assert after.replies[0].key == "explore.saved_empty"


async def test_saving_after_the_career_left_the_catalogue(turn: Turn, catalogue: Catalogue) -> None:
    reimported = Catalogue({r: c for r, c in catalogue.careers.items() if r != "J1501"})
    turn.env = Environment(catalogue=reimported)
    outcome = await saved.save(turn, "J1501", "s.top.0")
    assert outcome.replies == [] and outcome.notice is not None
    assert "n'est plus dans notre catalogue" in outcome.notice
    assert await rows(turn.session, turn.user.id) == []
