"""The interests quiz's rules on a stored user: what the answers make of their interests, and
that the quiz never takes the place of an unfinished onboarding."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from journey import interests
from journey.profile_view import ASK_PRIORITIES
from kernel.turn import Environment
from scoring.catalogue import Catalogue
from tests.support import make_turn, make_user


def test_the_letters_liked_count_and_a_little_only_when_nothing_is_liked() -> None:
    assert interests.letters_from("020200") == "IS"  # yes to I and S
    assert interests.letters_from("1s0100") == "RS"  # no yes: the "a little" ones
    assert interests.letters_from("2s1s0s") == "R"
    assert interests.letters_from("00ss00") == ""  # taken, nothing stood out


async def test_the_quiz_waits_for_an_unfinished_onboarding(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    user = await make_user(session, onboarded=False)
    user.step = ASK_PRIORITIES
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    outcome = await interests.start(turn)
    assert outcome.replies[0].key == "onboarding.finish_first"
    assert outcome.replies[-1].key == "onboarding.ask_priorities"
    assert user.step == ASK_PRIORITIES and user.interests is None


async def test_answers_from_another_process_carry_on_where_the_quiz_is(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    user = await make_user(session)
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    await interests.start(turn)
    for number, answer in enumerate("02s010"):
        reply = (await interests.answer(turn, str(number), answer)).replies[0]
        assert reply.edit
    assert user.step is None and user.interests == "I"
    assert reply.key == "interests.result" and "comprendre et chercher" in reply.text
