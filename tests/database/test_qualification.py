"""The optional highest-diploma question: at the end of onboarding and in /settings, with a
"skip" button, and the lists it changes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from journey import exploration, onboarding, preferences
from journey.profile_view import ASK_PRIORITIES, CHANGE_QUALIFICATION, SET_QUALIFICATION
from kernel.turn import Environment
from messages import Action
from scoring.catalogue import Catalogue
from tests.support import make_turn, make_user


def _actions(reply: object) -> list[Action]:
    return [b.action for row in reply.buttons for b in row]  # type: ignore[attr-defined]


async def test_onboarding_ends_on_the_optional_question(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    user = await make_user(session, onboarded=False)
    user.step = ASK_PRIORITIES
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    outcome = await onboarding.priorities_done(turn)
    done = outcome.replies[-1]
    assert "diplôme le plus élevé" in done.text and "facultative" in done.text
    actions = _actions(done)
    assert Action(SET_QUALIFICATION, ("cap", "o")) in actions
    assert Action(SET_QUALIFICATION, ("skip", "o")) in actions
    assert actions[-1] == Action("ex")  # "discover" works without answering
    assert user.onboarded and user.qualification is None

    saved = (await onboarding.set_qualification(turn, "cap", "o")).replies[0]
    assert user.qualification == "cap"
    assert saved.edit and "C'est noté : CAP ou BEP" in saved.text
    assert _actions(saved) == [Action("ex")]


async def test_skip_keeps_it_unknown(session: AsyncSession, catalogue: Catalogue) -> None:
    user = await make_user(session)
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    reply = (await onboarding.set_qualification(turn, "skip", "o")).replies[0]
    assert user.qualification is None and "plus tard dans /reglages" in reply.text
    assert (await onboarding.set_qualification(turn, "phd", "o")).notice


async def test_settings_show_and_change_the_diploma(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    user = await make_user(session)
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    summary = (await preferences.show(turn)).replies[0]
    assert "Diplôme : non indiqué" in summary.text
    assert Action(CHANGE_QUALIFICATION) in _actions(summary)
    question = (await preferences.change_qualification(turn)).replies[0]
    assert Action(SET_QUALIFICATION, ("bac", "s")) in _actions(question)
    outcome = await onboarding.set_qualification(turn, "bac", "s")
    assert user.qualification == "bac"
    assert "Diplôme : Bac (général, techno ou pro)" in outcome.replies[-1].text


async def test_the_diploma_changes_the_top_picks(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    user = await make_user(session, departement="93", priorities=["hiring"])
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    unknown = [r.career.rome for r in (await exploration.sections_for(turn, _dep("93")))[0].careers]
    user.qualification = "none"
    no_diploma = (await exploration.sections_for(turn, _dep("93")))[0]
    assert [r.career.rome for r in no_diploma.careers][:5] != unknown[:5]
    # Nothing three levels above "no diploma" in the first ten.
    assert all(r.fit != "far" for r in no_diploma.careers[:10])


def _dep(code: str):  # type: ignore[no-untyped-def]
    from scoring.departements import get_departement

    return get_departement(code)
