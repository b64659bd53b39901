"""Updates of different people run at once; one person's updates stay in order."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, select

from storage.models import ConversationEntry
from tests.bot.conftest import RunningBot


def _hold_sends_to(bot: RunningBot, chat_id: int) -> asyncio.Event:
    """Make the fake Bot API keep the bot's messages to one chat waiting until released."""
    release = asyncio.Event()
    original = bot.api._api_sendmessage

    async def held(params: dict[str, Any]) -> dict[str, Any]:
        if str(params.get("chat_id")) == str(chat_id):
            await release.wait()
        return await original(params)

    bot.api._api_sendmessage = held  # type: ignore[method-assign]
    return release


async def test_a_slow_answer_to_one_person_does_not_hold_up_another(running: RunningBot) -> None:
    slow, quick = running.chat(user_id=601), running.chat(user_id=602, first_name="Inès")
    release = _hold_sends_to(running, 601)
    try:
        await running.api.user_says(slow.user, "/start")
        # While the first person's welcome is stuck in flight, the second is answered.
        welcome, _ = await quick.say("/start", expect=2, timeout=5)
        assert "Inès" in welcome.text
        assert running.api.bot_messages(601) == []
        # The first person writes again before being answered: handled after, in order.
        await running.api.user_says(slow.user, "69")
        await asyncio.sleep(0.2)
        assert running.api.bot_messages(601) == []
    finally:
        release.set()
    messages = await running.api.wait_for_bot_messages(601, 4)
    assert "Camille" in messages[0].text  # the welcome first
    assert "Rhône" in messages[2].text  # then the answer to "69", not an error
    assert "salaire" in str(messages[3].buttons)


async def test_one_persons_quick_messages_are_handled_in_the_order_sent(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=611)
    await chat.say("/start", expect=2)
    after = running.api.last_message_id(611)
    for text in ("somewhere", "69"):
        await running.api.user_says(chat.user, text)  # no wait between them
    retry, confirm, _ = await running.api.wait_for_bot_messages(611, 3, after=after)
    assert "pas reconnu" in retry.text and "Rhône" in confirm.text  # not the other way round


async def test_an_update_is_one_transaction_and_its_replies_are_logged_together(
    bot_factory: Any,
) -> None:
    # The background jobs are kept quiet so that only the update's transactions are counted.
    running: RunningBot = await bot_factory(
        nudge_poll_seconds="3600", handover_poll_seconds="3600"
    )
    # The jobs' first passes, at start, are over before counting.
    nudges, handover = running.process.nudges, running.process.handover
    assert nudges is not None and handover is not None
    await asyncio.wait_for(nudges.first_pass.wait(), 10)
    await running.api.wait_for(lambda: handover._pass is not None and handover._pass.done())
    await asyncio.sleep(0.3)
    chat = running.chat(user_id=621)
    begins: list[int] = []
    engine = running.process.db.engine.sync_engine

    def count(connection: Any) -> None:
        # Only the update's own transactions: background jobs (nudges, texts…) run beside it.
        task = asyncio.current_task()
        if task is not None and "process_concurrent_update" in task.get_name():
            begins.append(1)

    event.listen(engine, "begin", count)
    try:
        await chat.say("/start", expect=2)  # two messages sent
        await asyncio.sleep(0.2)
    finally:
        event.remove(engine, "begin", count)
    # One for the update (user, log of what came in, the flow), one for both replies' log;
    # before, each reply was logged in a transaction of its own.
    assert len(begins) == 2
    async with running.process.db.transaction() as session:
        rows = list(
            await session.scalars(
                select(ConversationEntry.direction).where(ConversationEntry.user_id == 621)
            )
        )
    assert rows == ["in", "out", "out"]
