"""An erased account stays erased, and /stop is honoured and easy to undo (issue 9, items 1, 12)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from storage.models import ConversationEntry, Event, Nudge, SavedCareer, User
from tests.bot.conftest import Chat, RunningBot
from tests.bot.test_nudge_series import card_later
from tests.bot.test_nudges import nudges, onboarded, rows, save_career, settled, start_bot
from tremplin.playground.emulator import ChatMessage

OTHER = "A1101"


async def _count(running: RunningBot, table: Any, user_id: int) -> int:
    async with running.process.db.transaction() as session:
        column = table.id if table is User else table.user_id
        value = await session.scalar(
            select(func.count()).select_from(table).where(column == user_id)
        )
        return int(value or 0)


async def test_stale_buttons_after_delete_create_nothing_save_nothing_arm_nothing(
    bot_factory: Any,
) -> None:
    # Only the first step falls due during the test: a later one arriving on a slow machine
    # would be taken for the answer to /stop or /delete.
    running = await start_bot(bot_factory, nudge_delays="0.5s,1h,2h")
    chat = await onboarded(running, 821)
    await save_career(chat)
    (first,) = await _wait_one_nudge(running, chat)
    (survey,) = [
        m
        for m in running.api.bot_messages(821)
        if any(str(b.get("callback_data", "")).startswith("1|sq|") for b in m.buttons)
    ]
    unsaved = await card_later(chat, OTHER)
    assert unsaved.button("Enregistrer")
    await chat.say("/stop")
    (confirm,) = await chat.say("/delete")
    await chat.tap(confirm, "Oui")
    assert await _count(running, User, 821) == 0

    # The old ⭐, a nudge's buttons and an old survey button: a short answer, and nothing kept.
    for message, label in ((unsaved, "Enregistrer"), (first, "formations"), (first, "conseiller")):
        await chat.tap(message, label)
        assert "/start" in (chat.last_notice() or "")
    for button in survey.buttons:
        await chat.press(survey, str(button["callback_data"]))
        assert "/start" in (chat.last_notice() or "")
    for table in (User, SavedCareer, Nudge, Event, ConversationEntry):
        assert await _count(running, table, 821) == 0, table

    # Writing again is a fresh start; an old ⭐ pressed then still saves and arms nothing.
    await chat.say("bonjour", expect=2)
    assert "Où habitez-vous" in chat.last().text
    await chat.tap(unsaved, "Enregistrer")
    assert "/start" in (chat.last_notice() or "")
    await asyncio.sleep(2)  # any step armed by mistake would be due by now
    assert await _count(running, SavedCareer, 821) == 0
    assert await _count(running, Nudge, 821) == 0
    async with running.process.db.transaction() as session:
        user = await session.get(User, 821)
        assert user is not None and not user.onboarded and user.departement is None


async def _wait_one_nudge(running: RunningBot, chat: Chat) -> list[ChatMessage]:
    found: list[ChatMessage] = await running.api.wait_for(
        lambda: nudges(running, chat)[:1] or None, 10
    )
    return found


async def test_stop_is_honoured_by_later_saves(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,1s,1.5s")
    chat = await onboarded(running, 822)
    await chat.say("/stop")
    await save_career(chat)
    await save_career(chat, OTHER)
    await asyncio.sleep(2)
    assert nudges(running, chat) == []
    assert await rows(running, 822) == []


async def test_stop_has_an_undo_button_that_brings_the_follow_ups_back(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,1.5s,2s")
    chat = await onboarded(running, 823)
    await save_career(chat)
    await _wait_one_nudge(running, chat)
    (stopped,) = await chat.say("/stop")
    assert [r.state for r in await settled(running, 823)] == ["sent", "cancelled", "cancelled"]
    await chat.tap(stopped, "Réactiver")
    # The confirmation replaces the /stop message, so its button cannot be pressed twice.
    assert "de nouveau activés" in stopped.text and stopped.buttons == []
    assert [r.state for r in await rows(running, 823)] == ["sent", "pending", "pending"]
    found = await running.api.wait_for(lambda: len(nudges(running, chat)) == 3 or None, 10)
    assert found


async def test_start_after_stop_says_follow_ups_are_back_on(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,1.5s,2s")
    chat = await onboarded(running, 824)
    await save_career(chat)
    (first,) = await _wait_one_nudge(running, chat)
    (stopped,) = await chat.tap(first, "Ne plus recevoir", expect=1)
    assert stopped.button("Réactiver")
    replies = await chat.say("/start", expect=2)
    assert any("de nouveau activés" in m.text for m in replies)
    assert [r.state for r in await rows(running, 824)] == ["sent", "pending", "pending"]
    # A second /start has nothing to undo and does not say so again.
    again = await chat.say("/start", expect=1)
    assert not any("de nouveau activés" in m.text for m in again)
