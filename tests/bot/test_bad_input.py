"""Whatever a user sends, the bot answers sensibly or ignores it, and loses nothing."""

from __future__ import annotations

import logging

import pytest

from storage.models import User
from tests.bot.conftest import Chat, RunningBot


async def _onboarded(bot: RunningBot, user_id: int) -> Chat:
    chat = bot.chat(user_id=user_id)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "salaire")
    await chat.tap(priorities, "C'est bon", expect=1)
    return chat


async def _state(bot: RunningBot, user_id: int) -> tuple[object, ...]:
    async with bot.process.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return (user.departement, tuple(user.priorities), user.onboarded, user.step, user.language)


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "😀🎉🚀",
        "مرحبا بالعالم",
        "<b>bold</b> <script>alert(1)</script> & *markdown* _x_ [link](http://x)",
        "/start@tremplin_bot extra junk args ' \" <>",
        "/nosuchcommand 123",
        "   ",
        "/settings junk junk",
    ],
)
async def test_any_text_gets_an_answer_and_keeps_state(running: RunningBot, text: str) -> None:
    chat = await _onboarded(running, 501)
    before = await _state(running, 501)
    replies = await chat.say(text, expect=1)
    assert replies[0].text.strip()
    after = await _state(running, 501)
    assert after[:3] == before[:3]


async def test_stickers_photos_voice_locations_are_answered(running: RunningBot) -> None:
    chat = await _onboarded(running, 502)
    contents = [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
        {
            "photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}],
            "caption": "my CV",
        },
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
        {"location": {"latitude": 45.76, "longitude": 4.83}},
    ]
    for content in contents:
        after = running.api.last_message_id(chat.user.id)
        await running.api.user_sends(chat.user, **content)
        (reply,) = await running.api.wait_for_bot_messages(chat.user.id, 1, after=after)
        assert "écrits" in reply.text


async def test_edited_message_is_not_answered_twice(running: RunningBot) -> None:
    chat = await _onboarded(running, 503)
    sent = await running.api.user_says(chat.user, "/help")
    await running.api.wait_for_bot_messages(chat.user.id, 1, after=sent.message_id)
    count = len(running.api.bot_messages(chat.user.id))
    await running.api.user_edits(chat.user, sent, "/delete")
    (probe,) = await chat.say("/help")  # the edit was processed before this one
    assert len(running.api.bot_messages(chat.user.id)) == count + 1
    assert "Voici ce que je sais faire" in probe.text


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage",
        "1|",
        "1|zz|a|b",
        "0|pr|salary",
        "9|pr|salary",
        "1|pr|" + "x" * 60,
        "1|pr|not-a-priority",
        "1|pd",
        "1|dy"[:2],
        "é" * 40,
    ],
)
async def test_forged_or_stale_callback_data_changes_nothing(
    running: RunningBot, data: str
) -> None:
    chat = await _onboarded(running, 504)
    before = await _state(running, 504)
    await chat.press(chat.last(), data)
    notice = chat.last_notice()
    assert notice is not None and "plus valable" in notice
    assert await _state(running, 504) == before


async def test_old_priority_buttons_after_onboarding_do_nothing(running: RunningBot) -> None:
    chat = running.chat(user_id=505)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "C'est bon", expect=1)
    before = await _state(running, 505)
    assert priorities.buttons == []  # the answered question has no buttons left
    await chat.press(priorities, "1|pr|salary")  # an old client still showing them
    assert "plus valable" in (chat.last_notice() or "")
    assert await _state(running, 505) == before


async def test_text_before_onboarding_is_finished_brings_back_the_question(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=506)
    await chat.say("/start", expect=2)
    await chat.say("13", expect=2)
    first, again = await chat.say("boulanger", expect=2)
    assert "profil" in first.text
    assert again.buttons and "compte le plus" in again.text


async def test_a_bot_api_error_while_replying_is_survived(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = running.chat(user_id=507)
    running.api.fail("sendMessage", 500, times=1, chat_id=507)
    running.api.fail("sendMessage", 429, retry_after=1, times=1, chat_id=507)
    with caplog.at_level(logging.WARNING):
        after = running.api.last_message_id(507)
        await running.api.user_says(chat.user, "/start")
        # The first reply of /start is lost to the 500 (it may have arrived: never sent twice);
        # the second waits out the 429 and arrives. The bot survives both.
        await running.api.wait_for(
            lambda: any("could not deliver" in r.message for r in caplog.records)
        )
        (question,) = await running.api.wait_for_bot_messages(507, 1, after=after)
    assert "département" in question.text.lower()
    replies = await chat.say("69", expect=2)  # the state was kept: the answer is understood
    assert "Rhône" in replies[0].text


async def test_group_chats_and_other_bots_are_ignored(running: RunningBot) -> None:
    await running.api.push_update(
        "message",
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": -100, "type": "group", "title": "g"},
            "from": {"id": 9, "is_bot": False, "first_name": "G"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    )
    chat = running.chat(user_id=508)
    await chat.say("/help")  # processed after the group message
    async with running.process.db.transaction() as session:
        assert await session.get(User, 9) is None
