"""The dispatcher against a fake messenger: order, personal texts, timing rules, errors, pacing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from coaching.nudges import content, flows
from coaching.nudges.dispatcher import DispatchConfig, Dispatcher
from kernel.turn import Environment
from messages.messenger import (
    MaybeDelivered,
    RetryLater,
    TransientError,
    Unreachable,
)
from messages.outgoing import Reply
from messages.render import default_catalog
from scoring.catalogue import load_catalogue
from storage.engine import Database
from storage.models import Event, Nudge, SavedCareer, User
from tests.fakes import FakeMessenger
from tests.support import make_turn, make_user
from tremplin.settings import parse_quiet_hours

# Thursday 15 January 2026, 10:00 in Paris.
MORNING_PARIS = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
FAST = DispatchConfig(rate=200, horizon=0.1, chat_gap=0.05, backoff=0.05, lease=60)


class Clock:
    """Wall-clock time shifted to a chosen start, which tests can move forward."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)

    def jump_to(self, moment: datetime) -> None:
        self.start = moment
        self.t0 = time.monotonic()


def environment(clock: Clock, **overrides: object) -> Environment:
    fields: dict[str, object] = {
        "catalogue": load_catalogue(),
        "clock": clock,
        "nudge_delays": (timedelta(0), timedelta(seconds=0.2), timedelta(seconds=0.4)),
        "quiet_hours": None,
        "nudge_daily_cap": None,
    }
    fields.update(overrides)
    return Environment(**fields)  # type: ignore[arg-type]


async def user_with_career(
    db: Database,
    env: Environment,
    user_id: int,
    *,
    rome: str = "J1501",
    departement: str = "69",
    first_name: str = "Zoé",
    interest: int | None = None,
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, user_id, first_name=first_name, departement=departement)
        now = env.clock()
        session.add(SavedCareer(user_id=user_id, rome=rome, saved_at=now, interest=interest))
        await session.flush()
        await flows.on_career_saved(make_turn(session, user, env, now=now), rome)


async def nudges_of(db: Database, user_id: int) -> list[Nudge]:
    async with db.transaction() as session:
        found = await session.scalars(
            select(Nudge).where(Nudge.user_id == user_id).order_by(Nudge.kind, Nudge.step)
        )
        return list(found)


async def event_kinds(db: Database, user_id: int) -> list[str]:
    async with db.transaction() as session:
        found = await session.scalars(
            select(Event.kind).where(Event.user_id == user_id).order_by(Event.id)
        )
        return list(found)


async def run_until(dispatcher: Dispatcher, done: object, timeout: float = 10) -> None:
    """Run passes (as the scheduler would) until `done()` is true."""
    deadline = time.monotonic() + timeout
    while True:
        await dispatcher.run()
        if await done():  # type: ignore[operator]
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the dispatcher did not get there in time")
        await asyncio.sleep(0.02)


async def passes(dispatcher: Dispatcher, count: int = 3) -> None:
    """A few passes a chat gap apart, as the scheduler's polls would run them."""
    for _ in range(count):
        await dispatcher.run()
        await asyncio.sleep(dispatcher.config.chat_gap * 2)


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger(edits_allowed=False)


async def test_three_nudges_in_order_with_personal_text(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock)
    await user_with_career(db, env, 1, interest=2)
    dispatcher = Dispatcher(db, messenger, env, FAST)

    async def three() -> bool:
        return len(messenger.sent) == 3

    await run_until(dispatcher, three)
    first, second, third = messenger.sent
    assert [s.reply.key.split("_")[0] for s in messenger.sent] == [
        "nudges.step1",
        "nudges.step2",
        "nudges.step3",
    ]
    assert all("Zoé" in s.reply.text for s in messenger.sent)
    assert all("Aide-soignant(e)" in s.reply.text for s in messenger.sent)
    assert "Rhône" in first.reply.text and "personnes font ce métier" in first.reply.text
    assert "CPF" in second.reply.text and "20 minutes" in second.reply.text
    assert "conseiller" in third.reply.text
    labels = [[b.text for b in row] for row in second.reply.buttons]
    assert labels[0] == ["🌙 Ce soir", "📅 Ce week-end", "🗓 La semaine prochaine"]
    for sent in messenger.sent:
        actions = [b.action.name for row in sent.reply.buttons for b in row if b.action]
        assert {"nt", "nc", "ns"} <= set(actions)
    rows = await nudges_of(db, 1)
    assert [(r.state, r.message_id) for r in rows] == [
        ("sent", 1001),
        ("sent", 1002),
        ("sent", 1003),
    ]
    assert (await event_kinds(db, 1)).count("nudge_sent") == 3
    await dispatcher.run()
    assert len(messenger.sent) == 3  # nothing is sent twice


async def test_quiet_hours_in_the_users_time_zone_defer_to_the_morning(
    db: Database, messenger: FakeMessenger
) -> None:
    # 18:30 UTC: 19:30 in Paris (fine), 22:30 in La Réunion (quiet).
    clock = Clock(datetime(2026, 1, 15, 18, 30, tzinfo=UTC))
    env = environment(clock, nudge_delays=(timedelta(0),))
    await user_with_career(db, env, 2, departement="69")
    await user_with_career(db, env, 3, departement="974")
    env.quiet_hours = parse_quiet_hours("21:00-09:00")  # turned on after planning
    dispatcher = Dispatcher(db, messenger, env, FAST)
    await dispatcher.run()
    assert [s.chat_id for s in messenger.sent] == [2]
    (waiting,) = await nudges_of(db, 3)
    assert waiting.state == "pending"
    assert waiting.due_at == datetime(2026, 1, 16, 5, 0, tzinfo=UTC)  # 09:00 in La Réunion
    clock.jump_to(datetime(2026, 1, 16, 5, 0, 1, tzinfo=UTC))
    await dispatcher.run()
    assert [s.chat_id for s in messenger.sent] == [2, 3]


async def test_daily_cap_defers_to_the_next_local_morning(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_daily_cap=1, quiet_hours=parse_quiet_hours("21:00-09:00"))
    await user_with_career(db, env, 4)
    dispatcher = Dispatcher(db, messenger, env, FAST)
    await asyncio.sleep(0.5)  # all three steps are due
    await passes(dispatcher)
    assert len(messenger.sent) == 1
    _, second, third = await nudges_of(db, 4)
    tomorrow_nine = datetime(2026, 1, 16, 8, 0, tzinfo=UTC)  # 09:00 in Paris
    assert second.state == "pending" and second.due_at == tomorrow_nine
    clock.jump_to(tomorrow_nine + timedelta(seconds=1))
    await passes(dispatcher)
    assert [s.reply.key[:12] for s in messenger.sent] == ["nudges.step1", "nudges.step2"]
    _, _, third = await nudges_of(db, 4)
    assert third.due_at == datetime(2026, 1, 17, 8, 0, tzinfo=UTC)  # one a day


async def test_retry_after_is_obeyed_and_the_nudge_keeps_its_place(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    for user_id in (5, 6):
        await user_with_career(db, env, user_id)
    (first,) = await nudges_of(db, 5)
    messenger.errors[5] = [RetryLater(0.4)]
    dispatcher = Dispatcher(db, messenger, env, FAST)
    started = time.monotonic()

    async def both() -> bool:
        return len(messenger.sent) == 2

    await run_until(dispatcher, both)
    assert sorted(s.chat_id for s in messenger.sent) == [5, 6]
    assert messenger.sent[-1].at - started >= 0.4  # everyone waited for the retry_after
    (row,) = await nudges_of(db, 5)
    assert row.state == "sent" and row.due_at == first.due_at
    assert dispatcher.stats["429"] == 1


async def test_blocked_user_is_marked_unreachable_and_nothing_more_is_sent(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock)
    await user_with_career(db, env, 7)
    messenger.errors[7] = [Unreachable("Forbidden: bot was blocked by the user")]
    dispatcher = Dispatcher(db, messenger, env, FAST)
    await asyncio.sleep(0.5)
    await dispatcher.run()
    assert messenger.sent == [] and messenger.calls == 1
    assert {(r.state, r.note) for r in await nudges_of(db, 7)} == {("cancelled", "blocked")}
    async with db.transaction() as session:
        user = await session.get(User, 7)
        assert user is not None and user.unreachable
    assert "user_unreachable" in await event_kinds(db, 7)


async def test_a_step_claimed_before_the_block_came_back_is_not_tried(
    db: Database, messenger: FakeMessenger
) -> None:
    # Two steps of one person due together (after an outage, say) and no gap between a
    # chat's messages: the second is claimed before the first's refusal is known.
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0), timedelta(0), timedelta(0)))
    await user_with_career(db, env, 7)
    messenger.errors[7] = [Unreachable("Forbidden: bot was blocked by the user")]
    config = DispatchConfig(rate=200, horizon=0.1, chat_gap=0, lead=0, backoff=0.05, lease=60)
    await Dispatcher(db, messenger, env, config).run()
    assert messenger.sent == [] and messenger.calls == 1
    assert {(r.state, r.note) for r in await nudges_of(db, 7)} == {("cancelled", "blocked")}


async def test_failures_to_connect_are_retried_with_back_off_then_given_up(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    await user_with_career(db, env, 8)
    await user_with_career(db, env, 9)
    messenger.errors[8] = [
        TransientError("Connection refused"),
        TransientError("connect timed out"),
    ]
    messenger.errors[9] = [TransientError("Connection refused")] * 3
    config = DispatchConfig(rate=200, horizon=0.1, chat_gap=0.05, backoff=0.05, max_attempts=3)
    dispatcher = Dispatcher(db, messenger, env, config)

    async def settled() -> bool:
        return {r.state for uid in (8, 9) for r in await nudges_of(db, uid)} <= {"sent", "failed"}

    await run_until(dispatcher, settled)
    (recovered,) = await nudges_of(db, 8)
    (lost,) = await nudges_of(db, 9)
    assert recovered.state == "sent" and recovered.attempts == 3
    assert lost.state == "failed" and lost.attempts == 3 and "gave up" in (lost.note or "")
    assert [s.chat_id for s in messenger.sent] == [8]
    assert "nudge_failed" in await event_kinds(db, 9)


async def test_a_send_that_timed_out_after_leaving_is_uncertain_never_retried(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    await user_with_career(db, env, 10)
    messenger.errors[10] = [MaybeDelivered("Timed out")]
    config = DispatchConfig(rate=200, horizon=0.1, chat_gap=0.05, backoff=0.05, max_attempts=3)
    dispatcher = Dispatcher(db, messenger, env, config)

    async def settled() -> bool:
        return {r.state for r in await nudges_of(db, 10)} == {"uncertain"}

    await run_until(dispatcher, settled)
    await passes(dispatcher)
    assert messenger.calls == 1 and messenger.sent == []
    assert "nudge_uncertain" in await event_kinds(db, 10)


async def test_html_refused_sends_plain_text_and_records_the_template_fault(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    await user_with_career(db, env, 10)
    messenger.reject_html = True
    await Dispatcher(db, messenger, env, FAST).run()
    (sent,) = messenger.sent
    assert sent.html is False
    (row,) = await nudges_of(db, 10)
    assert row.state == "sent"
    assert {"nudge_template_fault", "nudge_sent"} <= set(await event_kinds(db, 10))


@pytest.fixture
def broken_step_one(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A shipped template that does not render (an operator's broken version would fall back
    # to the shipped one, so the shipped one is broken here).
    catalog = default_catalog()
    for variant in ("a", "b"):
        monkeypatch.setitem(
            catalog._shipped["fr"], f"nudges.step1_{variant}", "Bonjour {{ no_such_thing.name }}"
        )
    catalog.set_overrides({})  # clears the compiled templates
    yield
    monkeypatch.undo()
    catalog.set_overrides({})


async def test_a_template_that_does_not_render_fails_that_nudge_only(
    db: Database, messenger: FakeMessenger, broken_step_one: None
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0), timedelta(seconds=0.1)))
    await user_with_career(db, env, 11)

    async def two_settled() -> bool:
        return {r.state for r in await nudges_of(db, 11)} <= {"sent", "failed"}

    await run_until(Dispatcher(db, messenger, env, FAST), two_settled)
    assert [r.state for r in await nudges_of(db, 11)] == ["failed", "sent"]
    assert "nudge_template_fault" in await event_kinds(db, 11)


async def test_rows_left_sending_by_a_dead_process_become_uncertain_never_resent(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    await user_with_career(db, env, 12)
    async with db.transaction() as session:
        row = await session.scalar(select(Nudge).where(Nudge.user_id == 12))
        assert row is not None
        row.state, row.claimed_by = "sending", "dead-worker"
        row.claimed_at = clock() - timedelta(seconds=120)
    dispatcher = Dispatcher(db, messenger, env, FAST)
    await dispatcher.run()
    assert messenger.calls == 0
    assert [r.state for r in await nudges_of(db, 12)] == ["uncertain"]
    assert "nudge_uncertain" in await event_kinds(db, 12)


async def test_stop_set_after_planning_is_honoured_at_send_time(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock)
    await user_with_career(db, env, 13)
    async with db.transaction() as session:
        user = await session.get(User, 13)
        assert user is not None
        user.nudges_stopped = True  # e.g. by a process that did not run our hooks
    await asyncio.sleep(0.5)
    await Dispatcher(db, messenger, env, FAST).run()
    assert messenger.calls == 0
    assert {r.state for r in await nudges_of(db, 13)} == {"cancelled"}


async def test_sends_are_paced_under_the_rate_and_one_per_chat_at_a_time(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    for user_id in range(100, 130):
        await user_with_career(db, env, user_id)
    config = DispatchConfig(rate=20, horizon=0.2, chat_gap=0.5)
    started = time.monotonic()
    await Dispatcher(db, messenger, env, config).run()
    assert sorted(s.chat_id for s in messenger.sent) == list(range(100, 130))
    times = [s.at for s in messenger.sent]
    assert times[-1] - started >= 29 / 20 * 0.9
    # In any one second, the rate, give or take the event loop's timer jitter (the default
    # budget of 25/s keeps the same margin under Telegram's 30/s).
    for i, moment in enumerate(times):
        assert sum(1 for t in times[i:] if t - moment < 1.0) <= 20 * 1.2


async def test_two_dispatchers_share_one_budget_and_never_send_twice(
    db: Database, messenger: FakeMessenger
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    for user_id in range(200, 240):
        await user_with_career(db, env, user_id)
    config = DispatchConfig(rate=40, horizon=0.2, chat_gap=0.5)
    one = Dispatcher(db, messenger, env, config, worker="one")
    two = Dispatcher(db, messenger, env, config, worker="two")
    started = time.monotonic()
    await asyncio.gather(one.run(), two.run())
    assert sorted(s.chat_id for s in messenger.sent) == list(range(200, 240))
    # 40/s for both together: two budgets of their own would take half the time.
    assert messenger.sent[-1].at - started >= 39 / 40 * 0.9


async def test_a_slow_claim_does_not_send_its_messages_in_one_burst(
    db: Database, messenger: FakeMessenger, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(MORNING_PARIS)
    env = environment(clock, nudge_delays=(timedelta(0),))
    for user_id in range(300, 330):
        await user_with_career(db, env, user_id)
    compose = content.compose
    first = [True]

    def slow_first_compose(*args: Any, **kwargs: Any) -> Reply:
        if first[0]:  # the first template compilation, or a busy machine: the loop is blocked
            first[0] = False
            time.sleep(0.4)
        return compose(*args, **kwargs)

    monkeypatch.setattr(content, "compose", slow_first_compose)
    config = DispatchConfig(rate=20, horizon=0.5, chat_gap=0.5)
    await Dispatcher(db, messenger, env, config).run()
    assert sorted(s.chat_id for s in messenger.sent) == list(range(300, 330))
    times = [s.at for s in messenger.sent]
    for i, moment in enumerate(times):  # as in the pacing test: the rate in any one second
        assert sum(1 for t in times[i:] if t - moment < 1.0) <= 20 * 1.2


async def test_a_user_with_a_programme_gets_its_wording_of_the_nudge(
    db: Database, messenger: FakeMessenger
) -> None:
    """The programme's own version of a nudge for the users who came through its link; the
    others get the general text."""
    catalog = default_catalog()
    catalog.set_overrides(
        {},
        {
            ("cap", "fr", f"nudges.step1_{variant}"): "Cap Jeunes pense à vous, {{ first_name }}."
            for variant in ("a", "b")
        },
    )
    try:
        clock = Clock(MORNING_PARIS)
        env = environment(clock, nudge_delays=(timedelta(0),))
        await user_with_career(db, env, 20, first_name="Inès")
        await user_with_career(db, env, 21, first_name="Marc")
        async with db.transaction() as session:
            user = await session.get(User, 20)
            assert user is not None
            user.partner_code = "cap"
        await Dispatcher(db, messenger, env, FAST).run()
    finally:
        catalog.set_overrides({})
    texts = {sent.chat_id: sent.reply.text for sent in messenger.sent}
    assert texts[20] == "Cap Jeunes pense à vous, Inès."
    assert "Cap Jeunes" not in texts[21] and "Marc" in texts[21]
