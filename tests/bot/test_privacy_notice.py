"""/privacy says how long data is kept, who is responsible and how to reach them, each thing
once (issue 9, item 13)."""

from __future__ import annotations

import re
from typing import Any

from tests.bot.conftest import Chat


async def _onboard(chat: Chat) -> None:
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "C'est bon", expect=1)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.strip()) > 20]


async def test_privacy_states_retention_controller_and_contact_once(bot_factory: Any) -> None:
    bot = await bot_factory()
    chat = bot.chat(user_id=981)
    await _onboard(chat)
    (summary,) = await chat.say("/donnees")
    text = summary.text
    assert "effacée au bout de 12 mois" in text  # TREMPLIN_RETENTION_LOGS default
    assert "24 mois après votre dernier message" in text  # TREMPLIN_RETENTION_PROFILES
    assert "Qui en est responsable : l'organisme qui fait fonctionner ce service." in text
    assert "CNIL" in text
    sentences = _sentences(text)
    assert len(sentences) == len(set(sentences)), sentences

    english = bot.chat(user_id=982, language="en")
    await english.say("/start", expect=2)
    (summary,) = await english.say("/privacy")
    assert "erased after 12 months" in summary.text and "24 months" in summary.text
    assert "Who is responsible: the organisation that runs this service." in summary.text


async def test_the_operator_names_the_controller_and_the_contact(bot_factory: Any) -> None:
    bot = await bot_factory(
        privacy_controller="Association Tremplin, 1 rue de la Paix, 69001 Lyon",
        privacy_contact="donnees@tremplin.example",
        retention_logs="6mo",
    )
    chat = bot.chat(user_id=983)
    await _onboard(chat)
    (summary,) = await chat.say("/privacy")
    assert "Qui en est responsable : Association Tremplin, 1 rue de la Paix, 69001 Lyon." in (
        summary.text
    )
    assert "exercer vos droits : donnees@tremplin.example." in summary.text
    assert "effacée au bout de 6 mois" in summary.text
