"""Starting, choosing and cancelling nudge sequences, and the nudges' buttons (domain level)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from coaching.nudges import flows, outbox, plan
from coaching.nudges.content import PLAN, STOP
from journey import privacy
from kernel import events
from kernel.turn import Environment
from messages.render import Catalog
from storage.engine import Database
from storage.models import Event, Nudge, SavedCareer, User
from tests.support import make_turn, make_user
from tremplin.app import build_reactions
from tremplin.settings import parse_quiet_hours

NOON_PARIS = datetime(2026, 1, 15, 11, 0, tzinfo=UTC)  # Thursday 12:00 in Paris


def env(**overrides: object) -> Environment:
    fields: dict[str, object] = {
        "nudge_delays": (timedelta(days=1), timedelta(days=3), timedelta(days=7)),
        "quiet_hours": parse_quiet_hours("21:00-09:00"),
        "nudge_daily_cap": 1,
        "reactions": build_reactions(),
    }
    fields.update(overrides)
    return Environment(**fields)  # type: ignore[arg-type]


async def save(
    db: Database,
    user_id: int,
    rome: str,
    environment: Environment,
    *,
    at: datetime = NOON_PARIS,
    interest: int | None = None,
) -> None:
    """Save a career the way the exploration flow does: the row, then the journey's hooks."""
    async with db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        session.add(SavedCareer(user_id=user_id, rome=rome, saved_at=at, interest=interest))
        await session.flush()
        await flows.on_career_saved(make_turn(session, user, environment, now=at), rome)


async def rows(db: Database, user_id: int) -> list[Nudge]:
    async with db.transaction() as session:
        return list(
            await session.scalars(
                select(Nudge).where(Nudge.user_id == user_id).order_by(Nudge.kind, Nudge.step)
            )
        )


async def kinds(db: Database, user_id: int) -> list[str]:
    async with db.transaction() as session:
        return list(
            await session.scalars(
                select(Event.kind).where(Event.user_id == user_id).order_by(Event.id)
            )
        )


async def test_saving_a_first_career_plans_three_steps_outside_quiet_hours(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 1, departement="974")  # La Réunion, UTC+4
    # Saved at 19:30 in La Réunion: +1 day is 19:30 (fine); with a 2 h delay, 21:30 (quiet).
    saved_at = datetime(2026, 1, 15, 15, 30, tzinfo=UTC)
    delays = (timedelta(hours=2), timedelta(days=3), timedelta(days=7))
    await save(db, 1, "J1501", env(nudge_delays=delays), at=saved_at)
    planned = await rows(db, 1)
    assert [(r.kind, r.step, r.state, r.sequence) for r in planned] == [
        ("step", 1, "pending", 1),
        ("step", 2, "pending", 1),
        ("step", 3, "pending", 1),
    ]
    assert planned[0].due_at == datetime(2026, 1, 16, 5, 0, tzinfo=UTC)  # 09:00 in La Réunion
    assert planned[1].due_at == saved_at + timedelta(days=3)
    assert planned[2].due_at == saved_at + timedelta(days=7)
    assert "nudges_planned" in await kinds(db, 1)


async def test_one_sequence_per_person_even_after_it_ends(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 2)
    await save(db, 2, "J1501", env())
    await save(db, 2, "A1101", env(), at=NOON_PARIS + timedelta(hours=1))
    assert len(await rows(db, 2)) == 3
    async with db.transaction() as session:
        assert await outbox.cancel_pending(session, 2, "handover") == 3
    await save(db, 2, "F1603", env(), at=NOON_PARIS + timedelta(hours=2))
    sequences = sorted({(r.sequence, r.state) for r in await rows(db, 2)})
    assert sequences == [(1, "cancelled")]


async def test_stopped_or_blocked_users_get_no_sequence(db: Database) -> None:
    async with db.transaction() as session:
        stopped = await make_user(session, 3)
        stopped.nudges_stopped = True
    await save(db, 3, "J1501", env())
    assert await rows(db, 3) == []
    # A user marked unreachable who saves a career is talking to the bot again.
    async with db.transaction() as session:
        blocked = await make_user(session, 4)
        blocked.unreachable = True
    await save(db, 4, "J1501", env())
    assert len(await rows(db, 4)) == 3


async def test_holdout_users_get_held_rows_that_are_stable(db: Database) -> None:
    async with db.transaction() as session:
        for user_id in range(10, 30):
            await make_user(session, user_id)
    for user_id in range(10, 30):
        await save(db, user_id, "J1501", env(nudge_holdout=0.5))
    held = {uid for uid in range(10, 30) if (await rows(db, uid))[0].state == "held"}
    assert 0 < len(held) < 20  # both groups exist
    assert held == {uid for uid in range(10, 30) if plan.in_holdout(uid, 0.5)}
    for uid in held:
        assert {(r.state, r.variant) for r in await rows(db, uid)} == {("held", "holdout")}
    assert not plan.in_holdout(10, 0.0) and plan.in_holdout(10, 1.0)


def test_variants_come_from_the_catalogue_and_split_users() -> None:
    assert plan.variants(1) == ["a", "b"]
    assert plan.variants(3) == ["a"]
    chosen = {plan.variant_for(uid, 1) for uid in range(200)}
    assert chosen == {"a", "b"}
    assert plan.variant_for(7, 1) == plan.variant_for(7, 1)
    catalog = Catalog({"fr": {"nudges.step3_a": "x", "nudges.step3_c": "y"}, "en": {}})
    assert plan.variants(3, catalog) == ["a", "c"]


async def test_nudges_speak_of_the_latest_saved_career(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 5)
        session.add_all(
            [
                SavedCareer(user_id=5, rome="A1101", saved_at=NOON_PARIS, interest=1),
                SavedCareer(user_id=5, rome="J1501", saved_at=NOON_PARIS, interest=2),
                SavedCareer(user_id=5, rome="F1603", saved_at=NOON_PARIS + timedelta(hours=1)),
            ]
        )
    async with db.transaction() as session:
        chosen = await plan.career_to_speak_of(session, 5)
        assert chosen is not None and chosen.rome == "F1603"  # the latest, though not rated
    async with db.transaction() as session:
        session.add(
            SavedCareer(
                user_id=5, rome="K2204", saved_at=NOON_PARIS + timedelta(hours=2), interest=2
            )
        )
    async with db.transaction() as session:
        chosen = await plan.career_to_speak_of(session, 5)
        assert chosen is not None and chosen.rome == "K2204"


async def test_removing_the_last_career_cancels_but_not_before(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 6)
    await save(db, 6, "J1501", env())
    await save(db, 6, "A1101", env())
    for rome, expected in (("J1501", "pending"), ("A1101", "cancelled")):
        async with db.transaction() as session:
            user = await session.get(User, 6)
            assert user is not None
            saved = await session.scalar(
                select(SavedCareer).where(SavedCareer.user_id == 6, SavedCareer.rome == rome)
            )
            await session.delete(saved)
            await session.flush()
            await flows.on_career_removed(make_turn(session, user, env()), rome)
        assert {r.state for r in await rows(db, 6)} == {expected}
    assert {r.note for r in await rows(db, 6)} == {"no_career"}


async def test_the_wiring_registers_each_hook_once_and_stop_cancels(db: Database) -> None:
    reactions = build_reactions()
    assert reactions.career_saved.count(flows.on_career_saved) == 1
    assert reactions.career_removed.count(flows.on_career_removed) == 1
    assert reactions.stopped.count(flows.on_stop) == 1
    assert reactions.export.count(flows.export_part) == 1
    async with db.transaction() as session:
        await make_user(session, 7)
    await save(db, 7, "J1501", env())
    async with db.transaction() as session:
        user = await session.get(User, 7)
        assert user is not None
        await privacy.stop(make_turn(session, user, env()))  # /stop
    assert {(r.state, r.note) for r in await rows(db, 7)} == {("cancelled", "stopped")}
    async with db.transaction() as session:
        user = await session.get(User, 7)
        assert user is not None
        exported = await privacy.export_data(session, user, reactions)
    assert [m["state"] for m in exported["follow_up_messages"]] == ["cancelled"] * 3


async def test_stop_button_stops_confirms_and_records(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 8)
    await save(db, 8, "J1501", env())
    first = (await rows(db, 8))[0]
    async with db.transaction() as session:
        user = await session.get(User, 8)
        assert user is not None
        outcome = await flows.stop_button(make_turn(session, user, env()), (str(first.id),))
    assert "plus ces messages" in outcome.replies[0].text and "/start" in outcome.replies[0].text
    assert {r.state for r in await rows(db, 8)} == {"cancelled"}
    async with db.transaction() as session:
        user = await session.get(User, 8)
        assert user is not None and user.nudges_stopped
        stopped = await session.scalar(
            select(Event).where(Event.user_id == 8, Event.kind == events.NUDGES_STOPPED)
        )
        assert stopped is not None and stopped.data["via"] == "button"
        assert stopped.data["step"] == 1
    assert STOP == "ns" and PLAN == "np"


async def test_plan_prompt_answer_plans_a_reminder_in_local_time(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 9, departement="971")  # Guadeloupe, UTC-4
    await save(db, 9, "J1501", env())
    first, second, _ = await rows(db, 9)
    now = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # Thursday 10:00 in Guadeloupe
    async with db.transaction() as session:
        user = await session.get(User, 9)
        assert user is not None
        turn = make_turn(session, user, env(), now=now)
        outcome = await flows.plan_answer(turn, (str(second.id), "t"))
        assert "aujourd'hui à 19\u00a0h" in outcome.replies[0].text
        again = await flows.plan_answer(turn, (str(second.id), "w"))
        assert "samedi à 10\u00a0h" in again.replies[0].text
        forged = await flows.plan_answer(turn, (str(second.id), "zz"))
        assert forged.notice and not forged.replies
        wrong_step = await flows.plan_answer(turn, (str(first.id), "t"))
        assert wrong_step.notice and not wrong_step.replies
    reminders = [r for r in await rows(db, 9) if r.kind == "reminder"]
    assert len(reminders) == 1  # answering again moves the reminder
    assert reminders[0].due_at == datetime(2026, 1, 17, 14, 0, tzinfo=UTC)  # Sat 10:00 local
    assert "nudge_plan_chosen" in await kinds(db, 9)


async def test_someone_elses_nudge_cannot_be_answered(db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, 40)
        await make_user(session, 41)
    await save(db, 40, "J1501", env())
    second = (await rows(db, 40))[1]
    async with db.transaction() as session:
        intruder = await session.get(User, 41)
        assert intruder is not None
        outcome = await flows.plan_answer(
            make_turn(session, intruder, env()), (str(second.id), "t")
        )
    assert outcome.notice and not outcome.replies
    assert [r.kind for r in await rows(db, 40)] == ["step"] * 3
