"""A programme is offered only when someone can answer it (issue 9, item 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accounts.service import disable_account
from tests.bot.conftest import Chat, RunningBot
from tests.bot.test_coach_handover import POLL, YOUNG_JOBSEEKERS, _onboard, add_coach
from tests.processes.test_webhooks import partners_file
from tremplin.playground.emulator import ChatMessage

# Nobody listens on this address: the programme has a webhook, so it can be offered.
UNUSED_HOOK = "http://127.0.0.1:9/hook"


async def _programmes(chat: Chat) -> ChatMessage:
    """/coach and the two questions: the list of programmes (or the public alternatives)."""
    (question,) = await chat.say("/coach")
    for answer in ("cherche un emploi", "18 à 25"):  # asked once, then remembered
        if any(answer in b["text"] for b in question.buttons):
            await chat.tap(question, answer)
    return question


async def test_only_programmes_someone_can_answer_are_offered(
    bot_factory: Any, tmp_path: Path
) -> None:
    path = partners_file(tmp_path / "partners.yaml", UNUSED_HOOK, eligibility=YOUNG_JOBSEEKERS)
    bot: RunningBot = await bot_factory(partners_file=str(path), handover_poll_seconds=POLL)
    chat = bot.chat(user_id=871)
    await _onboard(chat)
    listing = await _programmes(chat)
    assert "Programme Test" in listing.text  # it has a webhook
    assert "Programme Sans Webhook" not in listing.text  # no webhook, no coach account
    assert not any("Sans Webhook" in b["text"] for b in listing.buttons)
    # A button for it from an older list (or forged) cannot start a referral either.
    await chat.press(listing, "1|cp|quiet")
    assert "plus proposé" in (chat.last_notice() or "")

    await add_coach(bot, "quiet")  # a coach of that programme can now read its referrals
    listing = await _programmes(chat)
    assert "Programme Sans Webhook" in listing.text

    async with bot.process.db.transaction() as session:
        await disable_account(session, "coach@quiet.example.org")
    listing = await _programmes(chat)
    assert "Programme Sans Webhook" not in listing.text


async def test_with_nobody_to_answer_the_free_public_services_are_offered(
    bot_factory: Any,
) -> None:
    bot: RunningBot = await bot_factory(handover_poll_seconds=POLL)  # the shipped examples
    chat = bot.chat(user_id=872)
    await _onboard(chat, "/start")
    (answer,) = await chat.say("/coach")
    # No question is asked: they only matter for programmes that can answer.
    assert "Conseil en évolution professionnelle" in answer.text
    assert "Mission locale" in answer.text
    assert "sous 1 jour" not in answer.text
    assert answer.button("CEP")["url"].startswith("https://")
