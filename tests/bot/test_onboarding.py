"""Onboarding and settings, end to end through the fake Bot API."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ConversationEntry, User
from tests.bot.conftest import RunningBot


async def _user(bot: RunningBot, user_id: int) -> User | None:
    async with bot.process.db.transaction() as session:
        return await session.get(User, user_id)


async def test_start_departement_priorities_then_settings(running: RunningBot) -> None:
    chat = running.chat(first_name="Zoé")
    welcome, question = await chat.say("/start", expect=2)
    assert "Zoé" in welcome.text
    assert "/donnees" in welcome.text
    assert "département" in question.text

    (retry,) = await chat.say("somewhere nice")
    assert "pas reconnu" in retry.text and "69" in retry.text

    confirm, priorities = await chat.say("69", expect=2)
    assert "Rhône" in confirm.text
    await chat.tap(priorities, "salaire")
    await chat.tap(priorities, "formation courte")
    ticked = [b["text"] for b in chat.last().buttons if b["text"].startswith("✅")]
    assert len(ticked) == 2 and priorities.edits == 2  # edited in place, not re-sent
    (done,) = await chat.tap(priorities, "C'est bon", expect=1)
    assert "Rhône (69)" in done.text and "le salaire" in done.text

    user = await _user(running, chat.user.id)
    assert user is not None and user.onboarded
    assert user.departement == "69" and user.priorities == ["salary", "short_training"]

    (settings,) = await chat.say("/settings")
    await chat.tap(settings, "département", expect=1)
    _, summary = await chat.say("2A", expect=2)
    assert "Corse-du-Sud (2A)" in summary.text
    await chat.tap(summary, "English")
    assert "Your settings" in summary.text  # redrawn in English in place
    user = await _user(running, chat.user.id)
    assert user is not None and user.departement == "2A" and user.language == "en"


async def test_names_and_postcodes_are_understood(running: RunningBot) -> None:
    for user_id, answer, expected in [
        (11, "cote d'or", "21"),
        (12, "Réunion", "974"),
        (13, "13008", "13"),
        (14, "20200", "2B"),
    ]:
        chat = running.chat(user_id=user_id)
        await chat.say("/start", expect=2)
        await chat.say(answer, expect=2)
        user = await _user(running, user_id)
        assert user is not None and user.departement == expected, answer


async def test_english_speaker_and_html_in_names_shown_literally(running: RunningBot) -> None:
    chat = running.chat(first_name="<b>Zoë & co</b>", language="en-GB")
    welcome, _ = await chat.say("/start", expect=2)
    assert welcome.text.startswith("Hello <b>Zoë & co</b>")
    assert "&lt;b&gt;" in welcome.web_html


async def test_partner_deep_link_is_stored_and_unknown_codes_ignored(running: RunningBot) -> None:
    known = running.chat(user_id=21)
    await known.say("/start cap_jeunes", expect=2)
    unknown = running.chat(user_id=22)
    await unknown.say("/start no_such_partner", expect=2)
    assert (u := await _user(running, 21)) is not None and u.partner_code == "cap_jeunes"
    assert (u := await _user(running, 22)) is not None and u.partner_code is None


async def test_every_message_and_press_is_logged(running: RunningBot) -> None:
    chat = running.chat(user_id=31)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("75", expect=2)
    await chat.tap(priorities, "sécurité")
    async with running.process.db.transaction() as session:
        rows = list(
            await session.scalars(
                select(ConversationEntry)
                .where(ConversationEntry.user_id == 31)
                .order_by(ConversationEntry.id)
            )
        )
    incoming = [(r.kind, r.text) for r in rows if r.direction == "in"]
    assert incoming[0] == ("command", "/start")
    assert ("text", "75") in incoming
    assert any(k == "button" and "sécurité" in t for k, t in incoming)
    keys = [r.template_key for r in rows if r.direction == "out"]
    assert "onboarding.welcome" in keys and "onboarding.ask_priorities" in keys


async def test_commands_menu_registered_in_both_languages(running: RunningBot) -> None:
    names = {c["command"] for c in running.api.commands["en"]}
    assert {
        "start",
        "explore",
        "search",
        "saved",
        "coach",
        "settings",
        "stop",
        "privacy",
        "export",
        "delete",
        "help",
    } <= names
    # The French menu shows the French names (tests/bot/test_commands.py).
    assert len(running.api.commands["fr"]) == len(running.api.commands["en"])
    assert running.api.commands["en"][0]["description"] == "Start"
