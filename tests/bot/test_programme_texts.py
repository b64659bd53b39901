"""A partner programme's own wording of a text (its white label) is what its users see: those who
arrived through its link, and those a coach of the programme is handling; everyone else sees the
general text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from coaching import relay, satisfaction
from kernel.texts import StoredTexts, publish
from messages.render import default_catalog
from tests.bot.conftest import RunningBot
from tests.bot.test_coach_handover import _bot, _onboard, _refer, partner_endpoint
from tests.processes.test_webhooks import Receiver

__all__ = ["partner_endpoint"]  # the fixture, used by name

GENERAL_HELP = "Aide générale : tapez /explore"
HOOKED_HELP = "Aide de <b>Programme Test</b> : votre conseiller vous attend (/conseiller)"
QUIET_HELP = "Aide de Programme Sans Webhook"
HOOKED_WELCOME = "Bienvenue {{ first_name }}, de la part de Programme Test !"
HOOKED_COACH = "Votre conseillère {{ coach }} ({{ programme }}) vous écrit :\n{{ text }}"
HOOKED_QUESTION = "{{ programme }} aimerait savoir : de 1 à 5, êtes-vous satisfait ?"


@pytest.fixture
async def bot(
    bot_factory: Any, partner_endpoint: Receiver, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    """The bot with the `hooked` and `quiet` programmes, and texts published for each."""
    running = await _bot(bot_factory, partner_endpoint, tmp_path)
    async with running.process.db.transaction() as session:
        for programme, key, body in (
            (None, "common.help", GENERAL_HELP),
            ("hooked", "common.help", HOOKED_HELP),
            ("hooked", "onboarding.welcome", HOOKED_WELCOME),
            ("hooked", "coach.coach_message", HOOKED_COACH),
            ("hooked", "coach.satisfaction_question", HOOKED_QUESTION),
            ("quiet", "common.help", QUIET_HELP),
        ):
            await publish(session, key, "fr", body, who="ops", partner_code=programme)
        # What the texts job does within seconds, done now (the catalogue is process-wide).
        await StoredTexts().refresh(session)
    try:
        yield running
    finally:
        default_catalog().set_overrides({})


async def test_users_of_a_programme_see_its_text_and_others_the_general_one(
    bot: RunningBot,
) -> None:
    through_link = bot.chat(user_id=7301, first_name="Inès")
    (greeting, _) = await through_link.say("/start hooked", expect=2)
    # The greeting of the very update that attributes the user is already in its words.
    assert greeting.text.startswith("Bienvenue Inès, de la part de Programme Test !")
    (answer,) = await through_link.say("/aide")
    assert answer.text == "Aide de Programme Test : votre conseiller vous attend (/conseiller)"

    other = bot.chat(user_id=7302, first_name="Marc")
    (greeting, _) = await other.say("/start", expect=2)
    assert "de la part de Programme Test" not in greeting.text
    (answer,) = await other.say("/aide")
    assert answer.text == GENERAL_HELP

    through_quiet = bot.chat(user_id=7303, first_name="Léa")
    await through_quiet.say("/start quiet", expect=2)
    (answer,) = await through_quiet.say("/aide")
    assert answer.text == QUIET_HELP


async def test_a_user_handed_over_to_a_programme_sees_its_text_while_it_handles_them(
    bot: RunningBot, partner_endpoint: Receiver
) -> None:
    chat = bot.chat(user_id=7304, first_name="Zoé")
    await _onboard(chat, "/start")  # no programme's link
    (answer,) = await chat.say("/aide")
    assert answer.text == GENERAL_HELP
    referral_id = await _refer(chat, partner_endpoint)  # handed over to Programme Test
    (answer,) = await chat.say("/aide")
    assert answer.text == "Aide de Programme Test : votre conseiller vous attend (/conseiller)"

    # What the programme's coach sends from the console is worded by the programme too.
    db, messenger = bot.process.db, bot.process.services.messenger
    after = bot.api.last_message_id(chat.user.id)
    sent = await relay.coach_reply(db, messenger, referral_id, "Julie Martin", "Bonjour Zoé !")
    assert sent.delivered
    (label,) = await bot.api.wait_for_bot_messages(chat.user.id, 1, after=after)
    assert label.text == "Votre conseillère Julie (Programme Test) vous écrit :\nBonjour Zoé !"
    after = bot.api.last_message_id(chat.user.id)
    assert await satisfaction.close_and_ask(db, messenger, referral_id, "found_job")
    (question,) = await bot.api.wait_for_bot_messages(chat.user.id, 1, after=after)
    assert question.text == "Programme Test aimerait savoir : de 1 à 5, êtes-vous satisfait ?"
    # The hand-over is over and she did not come through its link: the general text again.
    (answer,) = await chat.say("/aide")
    assert answer.text == GENERAL_HELP
