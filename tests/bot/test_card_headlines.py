"""A card's headline and a nudge's "realistic choice" follow the same facts and rules as the
card's body (issue 9, item 5)."""

from __future__ import annotations

from typing import Any

from coaching.nudges.plan import variant_for
from tests.bot.conftest import Chat, RunningBot
from tests.bot.test_nudges import start_bot, wait_nudges

DEVELOPER = "M1805"  # automation risk 30 %: "moyenne" on the card
IT_EXPERT = "M1802"  # usually a bac+5, with a 12-month route for people who have a degree


async def _onboarded(running: RunningBot, user_id: int, priority: str) -> Chat:
    chat = running.chat(user_id=user_id)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, priority)
    await chat.tap(priorities, "C'est bon", expect=1)
    return chat


def _headline(card_text: str) -> str:
    (line,) = [line for line in card_text.splitlines() if line.startswith("✨")]
    return line


async def test_the_headline_says_nothing_the_body_contradicts(running: RunningBot) -> None:
    chat = await _onboarded(running, 881, "avenir")
    (listing,) = await chat.say("/explore")
    await chat.press(listing, f"1|ec|{DEVELOPER}|n")
    assert "Automatisation (estimation de Tremplin) : moyenne" in listing.text
    assert "automatis" not in _headline(listing.text).lower()

    chat = await _onboarded(running, 882, "formation courte")
    (listing,) = await chat.say("/explore")
    await chat.press(listing, f"1|ec|{IT_EXPERT}|n")
    assert "bac +5" in listing.text
    assert "formation" not in _headline(listing.text).lower()


async def test_a_long_training_is_not_a_realistic_choice_for_who_wants_a_short_one(
    bot_factory: Any,
) -> None:
    user_id = next(uid for uid in range(883, 999) if variant_for(uid, 1) == "a")
    running = await start_bot(bot_factory, nudge_delays="0.3s")
    chat = await _onboarded(running, user_id, "formation courte")
    (listing,) = await chat.say("/explore")
    await chat.press(listing, f"1|ec|{IT_EXPERT}|n")
    await chat.tap(listing, "Enregistrer", expect=1)
    (nudge,) = await wait_nudges(running, chat, 1)
    assert "réaliste" not in nudge.text
    assert "plus longue que ce que vous cherchiez" in nudge.text
    assert "12 mois" not in nudge.text
