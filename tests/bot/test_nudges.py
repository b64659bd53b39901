"""The three coaching nudges, end to end: the real bot, its scheduler and the fake Bot API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from coaching.nudges import outbox
from kernel.texts import save_text
from messages.formats import clock
from messages.render import default_catalog
from storage.engine import Database
from storage.models import Event, Nudge, User
from tests.bot.conftest import Chat, RunningBot
from tremplin.playground.emulator import ChatMessage

CAREER = "J1501"
TITLE = "Aide-soignant(e)"


async def start_bot(bot_factory: Any, **overrides: str) -> RunningBot:
    """A bot with second-long nudge delays, no quiet hours, polling the outbox often."""
    settings = {
        "nudge_delays": "1s,2s,3s",
        "quiet_hours": "off",
        "nudge_poll_seconds": "0.3",
        **overrides,
    }
    running: RunningBot = await bot_factory(**settings)
    return running


def tune(running: RunningBot, **config: Any) -> None:
    """Shorter back-offs for tests (the defaults are meant for Telegram)."""
    assert running.process.nudges is not None
    dispatcher = running.process.nudges.dispatcher
    dispatcher.config = replace(dispatcher.config, **config)


async def onboarded(
    running: RunningBot, user_id: int, departement: str = "69", first_name: str = "Zoé"
) -> Chat:
    chat = running.chat(user_id=user_id, first_name=first_name)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say(departement, expect=2)
    await chat.tap(priorities, "C'est bon", expect=1)
    return chat


async def save_career(chat: Chat, rome: str = CAREER, interest: str | None = None) -> float:
    """Open the career's card and tap ⭐ (optionally answer "interested?"); returns when."""
    await chat.press(chat.last(), f"1|ec|{rome}|n")
    # The confirmation comes first; on a loaded machine a short first nudge may follow it
    # before the wait returns.
    confirm = (await chat.tap(chat.last(), "Enregistrer", expect=1))[0]
    saved_at = time.monotonic()
    if interest is not None:
        await chat.tap(confirm, interest)
    return saved_at


def nudges(running: RunningBot, chat: Chat) -> list[ChatMessage]:
    """The nudges in a chat: the bot's messages with a 🔕 stop button."""
    return [
        m
        for m in running.api.bot_messages(chat.user.id)
        if any(str(b.get("callback_data", "")).startswith("1|ns|") for b in m.buttons)
    ]


async def wait_nudges(
    running: RunningBot, chat: Chat, count: int, timeout: float = 10
) -> list[ChatMessage]:
    def ready() -> list[ChatMessage] | None:
        found = nudges(running, chat)
        return found if len(found) >= count else None

    found: list[ChatMessage] = await running.api.wait_for(ready, timeout)
    return found


async def rows(running: RunningBot, user_id: int) -> list[Nudge]:
    async with running.process.db.transaction() as session:
        found = await session.scalars(
            select(Nudge).where(Nudge.user_id == user_id).order_by(Nudge.kind, Nudge.step)
        )
        return list(found)


async def event_data(running: RunningBot, user_id: int, kind: str) -> list[dict[str, Any]]:
    async with running.process.db.transaction() as session:
        found = await session.scalars(
            select(Event).where(Event.user_id == user_id, Event.kind == kind).order_by(Event.id)
        )
        return [event.data for event in found]


async def settled(running: RunningBot, user_id: int, timeout: float = 10) -> list[Nudge]:
    """Wait until no nudge of the user is pending or being sent."""
    deadline = time.monotonic() + timeout
    while True:
        found = await rows(running, user_id)
        if all(r.state not in (outbox.PENDING, outbox.SENDING) for r in found):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError([(r.step, r.state) for r in found])
        await asyncio.sleep(0.1)


async def test_three_nudges_arrive_in_order_with_personal_text(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="2s,4s,6s")
    chat = await onboarded(running, 801)
    saved_at = await save_career(chat, interest="Beaucoup")
    first, second, third = await wait_nudges(running, chat, 3, timeout=12)
    arrived = time.monotonic()
    assert arrived - saved_at >= 6 - 0.5
    for message in (first, second, third):
        assert "Zoé" in message.text and TITLE in message.text
    assert (
        "Rhône" in first.text
        and "personnes font ce métier" in first.text
        and "beaucoup" in first.text
    )
    assert "12 mois" in second.text and "CPF" in second.text and "20 minutes" in second.text
    assert "conseiller" in third.text
    assert [b["text"] for b in second.buttons][:3] == [
        "🌙 Ce soir",
        "📅 Ce week-end",
        "🗓 La semaine prochaine",
    ]
    for message in (first, second, third):
        labels = [b["text"] for b in message.buttons]
        assert {"🎓 Voir les formations", "💬 Parler à un conseiller"} <= set(labels)
        assert "🔕 Ne plus recevoir ces messages" in labels
    found = await settled(running, 801)
    assert [(r.step, r.state) for r in found] == [(1, "sent"), (2, "sent"), (3, "sent")]
    assert [r.message_id for r in found] == [m.message_id for m in (first, second, third)]
    assert [e["step"] for e in await event_data(running, 801, "nudge_sent")] == [1, 2, 3]


async def test_quiet_hours_hold_nudges_until_the_local_morning(bot_factory: Any) -> None:
    paris = ZoneInfo("Europe/Paris")
    now = datetime.now(paris)
    begin, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=1))
    running = await start_bot(
        bot_factory, nudge_delays="0.5s,1s,1.2s", quiet_hours=f"{begin}-{end.strftime('%H:%M')}"
    )
    chat = await onboarded(running, 802)
    await save_career(chat)
    await asyncio.sleep(1.5)  # every step would be due by now
    assert nudges(running, chat) == []
    morning = end.replace(second=0, microsecond=0)
    assert {r.due_at for r in await rows(running, 802)} == {morning}


async def test_daily_cap_defers_the_next_step_to_the_next_day(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,1s,1.5s")
    running.process.services.env.nudge_daily_cap = 1
    chat = await onboarded(running, 803, departement="974")
    await save_career(chat)
    await wait_nudges(running, chat, 1)
    reunion_midnight = (datetime.now(ZoneInfo("Indian/Reunion")) + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    # The second step falls due a second later; on a busy machine the dispatcher may take a
    # while to look at it, so wait until it has (at most 30 s) rather than a fixed time.
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        _, second, _ = await rows(running, 803)
        if second.due_at == reunion_midnight or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)  # the third step's moment has passed too
    assert len(nudges(running, chat)) == 1
    assert second.state == "pending" and second.due_at == reunion_midnight


async def test_stop_cancels_at_once_and_start_brings_back_the_rest(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,2s,2.5s")
    chat = await onboarded(running, 804)
    await save_career(chat)
    await wait_nudges(running, chat, 1)
    (stopped,) = await chat.say("/stop")
    assert "plus de messages de suivi" in stopped.text
    assert [r.state for r in await settled(running, 804)] == ["sent", "cancelled", "cancelled"]
    await asyncio.sleep(2.2)
    assert len(nudges(running, chat)) == 1
    await chat.say("/start", expect=2)  # follow-ups back on, and welcome back
    # The same sequence goes on: the steps /stop cancelled are planned again, no new one.
    assert [(r.sequence, r.state) for r in await rows(running, 804)] == [
        (1, "sent"),
        (1, "pending"),
        (1, "pending"),
    ]


async def test_stop_button_on_a_nudge(bot_factory: Any) -> None:
    running = await start_bot(bot_factory)
    chat = await onboarded(running, 805)
    await save_career(chat)
    (first,) = await wait_nudges(running, chat, 1)
    (confirm,) = await chat.tap(first, "Ne plus recevoir", expect=1)
    assert "je ne vous enverrai plus ces messages" in confirm.text
    assert [r.state for r in await settled(running, 805)] == ["sent", "cancelled", "cancelled"]
    (stop,) = await event_data(running, 805, "nudges_stopped")
    assert stop["via"] == "button" and stop["step"] == 1
    async with running.process.db.transaction() as session:
        user = await session.get(User, 805)
        assert user is not None and user.nudges_stopped


async def test_removing_the_last_career_delete_and_a_hand_over_each_cancel(
    bot_factory: Any,
) -> None:
    running = await start_bot(bot_factory, nudge_delays="1.5s,2s,2.5s")
    removing, deleting, handed_over = [await onboarded(running, uid) for uid in (806, 807, 808)]
    await save_career(removing)
    await removing.press(removing.last(), f"1|sr|{CAREER}|n")  # ✖ on the card
    await save_career(deleting)
    (confirm,) = await deleting.say("/delete")
    await deleting.tap(confirm, "Oui")
    await save_career(handed_over)
    async with running.process.db.transaction() as session:  # what the coach flow calls
        assert await outbox.cancel_pending(session, 808, "handover") == 3
    assert {(r.state, r.note) for r in await rows(running, 806)} == {("cancelled", "no_career")}
    assert await rows(running, 807) == []
    assert {(r.state, r.note) for r in await rows(running, 808)} == {("cancelled", "handover")}
    await asyncio.sleep(2.5)  # every step would have been due
    for chat in (removing, deleting, handed_over):
        assert nudges(running, chat) == []


async def test_blocked_by_the_user_marks_unreachable(bot_factory: Any) -> None:
    running = await start_bot(bot_factory)
    chat = await onboarded(running, 809)
    await save_career(chat)
    running.api.fail("sendMessage", 403, chat_id=809)
    found = await settled(running, 809)
    assert [(r.state, r.note) for r in found] == [("cancelled", "blocked")] * 3
    assert nudges(running, chat) == []
    async with running.process.db.transaction() as session:
        user = await session.get(User, 809)
        assert user is not None and user.unreachable
    assert await event_data(running, 809, "user_unreachable")


async def test_429_waits_retry_after_and_sends_once(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s")
    chat = await onboarded(running, 810)
    await save_career(chat)
    # When each sendMessage to this chat reached the server: the refused one, then the retry.
    # Timed at the server so that the round trips of the test's own chat do not count.
    arrivals: list[float] = []
    running.api.on_call = lambda method, params: (
        arrivals.append(time.monotonic())
        if method.lower() == "sendmessage" and str(params.get("chat_id")) == "810"
        else None
    )
    running.api.fail("sendMessage", 429, retry_after=1, chat_id=810)
    await wait_nudges(running, chat, 1)
    assert len(arrivals) == 2
    assert arrivals[1] - arrivals[0] >= 1 - 0.05
    await asyncio.sleep(0.5)
    assert len(nudges(running, chat)) == 1
    ((row,),) = [await settled(running, 810)]
    assert row.state == "sent"


async def test_a_server_error_or_a_cut_connection_is_uncertain_never_sent_twice(
    bot_factory: Any,
) -> None:
    """Finding 2: a 502, or the connection cut after Telegram took the message, may have
    delivered it; the nudge is marked uncertain, counted, and never sent again."""
    running = await start_bot(bot_factory, nudge_delays="0.5s")
    tune(running, backoff=0.2, max_attempts=3)
    chat = await onboarded(running, 811)
    await save_career(chat)
    running.api.cut("sendMessage", chat_id=811)
    ((row,),) = [await settled(running, 811)]
    await asyncio.sleep(1.0)  # several dispatcher passes: nothing is sent again
    assert row.state == "uncertain"
    # The cut request was done by the server: the user got the nudge exactly once.
    assert len(nudges(running, chat)) == 1
    assert running.api.faults[("sendMessage", "cut")] == 1
    assert await event_data(running, 811, "nudge_uncertain")

    other = await onboarded(running, 812)
    await save_career(other)
    running.api.fail("sendMessage", 502, times=5, chat_id=812)
    ((lost,),) = [await settled(running, 812)]
    await asyncio.sleep(1.0)
    assert lost.state == "uncertain" and lost.attempts <= 1
    assert running.api.faults[("sendMessage", "502")] == 1
    assert running.process.nudges is not None
    assert running.process.nudges.dispatcher.stats["uncertain"] == 2


@pytest.fixture
async def broken_html(database_url: str) -> AsyncIterator[None]:
    """An operator's edit of the first nudge with HTML Telegram refuses, stored before the bot
    starts (which reads the stored texts)."""
    db = Database(database_url)
    async with db.transaction() as session:
        for variant in ("a", "b"):
            await save_text(
                session,
                f"nudges.step1_{variant}",
                "fr",
                "<b>Bonjour {{ first_name }}</i> {{ career }}",
                who="ops",
            )
    await db.dispose()
    yield
    default_catalog().set_overrides({})  # the catalogue is process-wide in the tests


async def test_bad_html_is_sent_as_plain_text_and_recorded(
    bot_factory: Any, broken_html: None
) -> None:
    running = await start_bot(bot_factory, nudge_delays="1s")
    chat = await onboarded(running, 813)
    await save_career(chat)
    (first,) = await wait_nudges(running, chat, 1)
    assert first.text == f"Bonjour Zoé {TITLE}"
    assert first.parse_mode is None
    ((row,),) = [await settled(running, 813)]
    assert row.state == "sent"
    (fault,) = await event_data(running, 813, "nudge_template_fault")
    assert fault["key"].startswith("nudges.step1_")


async def test_plan_prompt_and_buttons_are_recorded(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,1s")
    chat = await onboarded(running, 814)
    await save_career(chat)
    first, second = await wait_nudges(running, chat, 2)
    (planned,) = await chat.tap(second, "Ce week-end", expect=1)
    reminder = [r for r in await rows(running, 814) if r.kind == "reminder"]
    assert len(reminder) == 1 and reminder[0].state == "pending"
    local = reminder[0].due_at.astimezone(ZoneInfo("Europe/Paris"))
    assert "Je vous le rappelle" in planned.text and clock(local, "fr") in planned.text
    assert local > datetime.now(ZoneInfo("Europe/Paris"))
    (options,) = await chat.tap(first, "Voir les formations", expect=1)
    assert "CPF" in options.text  # the training options of the career card
    (coach,) = await chat.tap(second, "Parler à un conseiller", expect=1)
    assert "conseill" in coach.text  # the coach hand-over flow answered
    clicks = await event_data(running, 814, "nudge_clicked")
    assert [(c["button"], c["step"]) for c in clicks] == [("training", 1), ("coach", 2)]
    assert await event_data(running, 814, "nudge_plan_chosen")
