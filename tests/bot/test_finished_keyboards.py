"""Keyboards that have been answered do not stay live (issue 9, item 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.bot.conftest import RunningBot
from tests.bot.test_coach_handover import _bot, _consent_question, _onboard, partner_endpoint
from tests.processes.test_webhooks import Receiver

__all__ = ["partner_endpoint"]  # the fixture, used by name below


async def test_priorities_keyboard_is_replaced_by_the_answer(running: RunningBot) -> None:
    chat = running.chat(user_id=851)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "salaire")
    await chat.tap(priorities, "C'est bon", expect=1)
    assert priorities.buttons == []
    assert "Votre choix : le salaire" in priorities.text

    (settings,) = await chat.say("/settings")
    (question,) = await chat.tap(settings, "priorités", expect=1)
    await chat.tap(question, "avenir")
    await chat.tap(question, "C'est bon", expect=2)
    assert question.buttons == []
    assert "le salaire, un métier d'avenir" in question.text


async def test_programme_list_and_consent_keyboards_close_once_answered(
    bot_factory: Any, partner_endpoint: Receiver, tmp_path: Path
) -> None:
    bot = await _bot(bot_factory, partner_endpoint, tmp_path)
    chat = bot.chat(user_id=852)
    await _onboard(chat)
    consent = await _consent_question(chat)  # the programme list became the consent question
    assert any("Oui" in b["text"] for b in consent.buttons)
    (referred,) = await chat.tap(consent, "sans la conversation", expect=1)
    assert "a bien reçu votre demande" in referred.text
    # What was agreed to stays readable, with nothing left to press.
    assert consent.buttons == []
    assert "exactement ce qu'il recevra" in consent.text
    assert "Vous avez dit oui, sans la conversation" in consent.text
