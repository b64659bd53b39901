"""/privacy, /export, /delete and /stop through the chat."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models import ConversationEntry, Event, User
from tests.bot.conftest import RunningBot


async def test_export_sends_everything_kept_as_a_file(running: RunningBot) -> None:
    chat = running.chat(user_id=601, first_name="Inès")
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("974", expect=2)
    await chat.tap(priorities, "avenir")
    await chat.tap(priorities, "C'est bon", expect=1)
    (export,) = await chat.say("/export")
    assert export.document is not None and export.document["filename"].endswith(".json")
    data = json.loads(export.document["content"])
    assert data["profile"]["first_name"] == "Inès"
    assert data["profile"]["departement"] == "974"
    assert data["profile"]["priorities"] == ["future"]
    said = [line["text"] for line in data["conversation"] if line["direction"] == "in"]
    assert said[:2] == ["/start", "974"]
    assert any(e["kind"] == "onboarded" for e in data["events"])


async def test_delete_asks_first_then_erases_everything(running: RunningBot) -> None:
    chat = running.chat(user_id=602)
    await chat.say("/start", expect=2)
    await chat.say("69", expect=2)
    (confirm,) = await chat.say("/delete")
    await chat.tap(confirm, "Non")
    assert "Rien n'a été effacé" in chat.last().text
    async with running.process.db.transaction() as session:
        assert await session.get(User, 602) is not None

    (confirm,) = await chat.say("/delete")
    await chat.tap(confirm, "Oui")
    assert "effacées" in chat.last().text
    async with running.process.db.transaction() as session:
        assert await session.get(User, 602) is None
        for table in (ConversationEntry, Event):
            count = await session.scalar(
                select(func.count()).select_from(table).where(table.user_id == 602)
            )
            assert count == 0


async def test_stop_confirms_and_start_re_enables(running: RunningBot) -> None:
    chat = running.chat(user_id=603)
    await chat.say("/start", expect=2)
    (stopped,) = await chat.say("/stop")
    assert "plus de messages de suivi" in stopped.text
    async with running.process.db.transaction() as session:
        user = await session.get(User, 603)
        assert user is not None and user.nudges_stopped
    await chat.say("/start", expect=1)
    async with running.process.db.transaction() as session:
        user = await session.get(User, 603)
        assert user is not None and not user.nudges_stopped


async def test_privacy_explains_what_is_kept(running: RunningBot) -> None:
    chat = running.chat(user_id=604, language="en")
    (privacy,) = await chat.say("/privacy")
    assert "explicit consent" in privacy.text and "/delete" in privacy.text
