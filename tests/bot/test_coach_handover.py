"""The hand-over to a partner programme end to end: the real bot against the fake Bot API, with
a partner's webhook endpoint on loopback receiving what the bot sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from accounts.service import create_account
from coaching import relay, satisfaction
from coaching.webhooks import verify
from kernel import events
from storage.models import ConversationEntry, Event, Nudge, Referral
from tests.bot.conftest import Chat, RunningBot
from tests.processes.test_webhooks import SECRET, Receiver, partners_file
from tremplin.playground.emulator import ChatMessage
from tremplin.serving import serve

POLL = "0.1"
YOUNG_JOBSEEKERS = "{age: {min: 18, max: 30}, situations: [jobseeker, student]}"


@pytest.fixture
async def partner_endpoint() -> AsyncIterator[Receiver]:
    """The partner's webhook endpoint."""
    endpoint = Receiver()
    async with serve(endpoint.app()) as root:
        endpoint.url = f"{root}/hook"
        yield endpoint


async def _bot(
    bot_factory: Any, endpoint: Receiver, tmp_path: Path, **programme: str
) -> RunningBot:
    programme.setdefault("eligibility", YOUNG_JOBSEEKERS)
    path = partners_file(tmp_path / "partners.yaml", endpoint.url, **programme)
    bot: RunningBot = await bot_factory(partners_file=str(path), handover_poll_seconds=POLL)
    await add_coach(bot, "quiet")  # the programme without a webhook answers from the console
    return bot


async def add_coach(bot: RunningBot, programme: str, email: str = "") -> None:
    """An active coach account of a programme, so that someone can answer its referrals."""
    async with bot.process.db.transaction() as session:
        await create_account(
            session,
            email or f"coach@{programme}.example.org",
            "coach",
            "a long enough test password",
            programme_code=programme,
        )


async def _onboard(chat: Chat, start: str = "/start hooked") -> None:
    await chat.say(start, expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "C'est bon", expect=1)


async def _consent_question(chat: Chat) -> ChatMessage:
    """/coach, answer the two questions, choose the programme: the consent question."""
    (question,) = await chat.say("/coach")
    assert "Quelle est votre situation" in question.text
    await chat.tap(question, "cherche un emploi")
    assert "Quel âge" in question.text  # the same message, asked in place
    await chat.tap(question, "18 à 25")
    assert "Programme Test" in question.text and "Programme Sans Webhook" in question.text
    await chat.tap(question, "Programme Test")
    assert "exactement ce qu'il recevra" in question.text  # the list became the question
    return question


async def _refer(chat: Chat, endpoint: Receiver) -> int:
    consent = await _consent_question(chat)
    await chat.tap(consent, "sans la conversation", expect=1)
    await endpoint.wait_for(lambda: "referral.created" in endpoint.events())
    referral_id: int = endpoint.requests[0].json["data"]["referral"]["id"]
    return referral_id


async def _events(bot: RunningBot, user_id: int, kind: str) -> list[Event]:
    async with bot.process.db.transaction() as session:
        rows = await session.scalars(
            select(Event).where(Event.user_id == user_id, Event.kind == kind)
        )
        return list(rows)


async def test_consent_then_referral_then_relay_both_ways(
    bot_factory: Any, partner_endpoint: Receiver, tmp_path: Path
) -> None:
    bot = await _bot(bot_factory, partner_endpoint, tmp_path)
    chat = bot.chat(user_id=701, first_name="Zoé")
    await _onboard(chat)
    consent = await _consent_question(chat)
    assert "votre prénom : Zoé" in consent.text and "Rhône (69)" in consent.text

    # Several sender passes go by: nothing about the user leaves before "yes".
    await asyncio.sleep(0.5)
    assert partner_endpoint.requests == []

    (referred,) = await chat.tap(consent, "sans la conversation", expect=1)
    assert "Programme Test" in referred.text and "sous 2 jours" in referred.text
    await partner_endpoint.wait_for(lambda: len(partner_endpoint.requests) == 1)
    (created,) = partner_endpoint.requests
    assert verify(
        SECRET,
        created.body,
        created.headers["x-tremplin-signature"],
        created.headers["x-tremplin-timestamp"],
    )
    data = created.json["data"]
    assert created.event == "referral.created" and data["user"]["first_name"] == "Zoé"
    assert "conversation" not in data["user"]

    # The coach answers from the console: the user sees it, labelled.
    after = bot.api.last_message_id(chat.user.id)
    result = await relay.coach_reply(
        bot.process.db,
        bot.process.services.messenger,
        data["referral"]["id"],
        "Julie Martin",
        "Bonjour Zoé, je suis là pour vous aider.",
    )
    assert result.delivered
    (label,) = await bot.api.wait_for_bot_messages(chat.user.id, 1, after=after)
    assert label.text == "💬 Julie · Programme Test\nBonjour Zoé, je suis là pour vous aider."
    async with bot.process.db.transaction() as session:
        logged = await session.scalars(
            select(ConversationEntry).where(
                ConversationEntry.user_id == 701, ConversationEntry.kind == "coach"
            )
        )
        assert [e.template_key for e in logged] == ["coach.coach_message"]

    # The user's text goes to the coach, not to the career search.
    (ack,) = await chat.say("Je voudrais devenir cuisinier")
    assert ack.text == "✉️ Transmis à Julie (Programme Test)."
    await partner_endpoint.wait_for(lambda: "message.created" in partner_endpoint.events())
    message = partner_endpoint.requests[-1]
    assert message.json["data"]["message"]["text"] == "Je voudrais devenir cuisinier"
    assert verify(
        SECRET,
        message.body,
        message.headers["x-tremplin-signature"],
        message.headers["x-tremplin-timestamp"],
    )
    assert await _events(bot, 701, events.SEARCHED) == []

    # /endcoach: the bot is back, and the same words are a search again.
    (back,) = await chat.say("/endcoach")
    assert "je suis de retour" in back.text
    await chat.say("cuisinier")
    assert "Transmis" not in chat.last().text
    assert len(await _events(bot, 701, events.SEARCHED)) == 1


async def test_no_answer_in_time_wait_then_switch(
    bot_factory: Any, partner_endpoint: Receiver, tmp_path: Path
) -> None:
    bot = await _bot(bot_factory, partner_endpoint, tmp_path, answers_within="0.4s")
    chat = bot.chat(user_id=702)
    await _onboard(chat)
    await _refer(chat, partner_endpoint)
    # The "no answer yet" message (it may come before _refer returns on a loaded machine).
    update: ChatMessage = await bot.api.wait_for(
        lambda: next(
            (m for m in bot.api.bot_messages(chat.user.id) if "devait vous répondre" in m.text),
            None,
        )
    )
    assert "toujours ouverte" in update.text

    await chat.tap(update, "J'attends")
    assert "on attend" in update.text  # answered in place
    (again,) = await bot.api.wait_for_bot_messages(chat.user.id, 1, after=update.message_id)
    assert "devait vous répondre" in again.text  # the new delay passed too: told again

    (others,) = await chat.tap(again, "autre programme", expect=1)
    assert "j'ai fermé votre demande" in again.text  # answered in place, then the others
    assert "Programme Sans Webhook" in others.text and "Programme Test" not in others.text
    await partner_endpoint.wait_for(lambda: "referral.closed" in partner_endpoint.events())
    async with bot.process.db.transaction() as session:
        referral = await session.scalar(select(Referral).where(Referral.user_id == 702))
        assert referral is not None and referral.outcome == "no_answer"


async def test_withdrawal_from_privacy_tells_the_partner_and_stops_the_relay(
    bot_factory: Any, partner_endpoint: Receiver, tmp_path: Path
) -> None:
    bot = await _bot(bot_factory, partner_endpoint, tmp_path)
    chat = bot.chat(user_id=703)
    await _onboard(chat)
    await _refer(chat, partner_endpoint)
    summary, consents = await chat.say("/privacy", expect=2)
    assert "ne pouvons pas l'effacer" in consents.text  # said once, where it matters
    assert "ne pouvons pas l'effacer" not in summary.text
    assert "Programme Test" in consents.text
    (withdrawn,) = await chat.tap(consents, "Retirer mon accord", expect=1)
    assert "ne recevra plus rien" in withdrawn.text
    await partner_endpoint.wait_for(lambda: "consent.withdrawn" in partner_endpoint.events())
    await chat.say("encore un message")
    await asyncio.sleep(0.3)
    assert "message.created" not in partner_endpoint.events()


async def test_satisfaction_after_the_programme_closes(
    bot_factory: Any, partner_endpoint: Receiver, tmp_path: Path
) -> None:
    bot = await _bot(bot_factory, partner_endpoint, tmp_path)
    chat = bot.chat(user_id=704)
    await _onboard(chat)
    referral_id = await _refer(chat, partner_endpoint)
    after = bot.api.last_message_id(chat.user.id)
    assert await satisfaction.close_and_ask(
        bot.process.db, bot.process.services.messenger, referral_id, "found_job"
    )
    (question,) = await bot.api.wait_for_bot_messages(chat.user.id, 1, after=after)
    assert "de 1 (pas du tout) à 5" in question.text
    await chat.tap(question, "5")
    assert "5/5" in question.text
    (thanks,) = await chat.say("Julie a été formidable")
    assert "Merci pour votre avis" in thanks.text
    await partner_endpoint.wait_for(
        lambda: any(
            r.event == "satisfaction.answered" and r.json["data"]["comment"]
            for r in partner_endpoint.requests
        )
    )
    async with bot.process.db.transaction() as session:
        referral = await session.get(Referral, referral_id)
        assert referral is not None and referral.satisfaction_score == 5
        assert referral.satisfaction_comment == "Julie a été formidable"


async def test_partner_deep_link_applies_the_white_label(running: RunningBot) -> None:
    chat = running.chat(user_id=705)
    welcome, _ = await chat.say("/start cap_jeunes", expect=2)
    assert "Bienvenue de la part de Cap Jeunes" in welcome.text
    async with running.process.db.transaction() as session:
        rows = await session.scalars(
            select(Event).where(Event.user_id == 705, Event.kind == events.ONBOARDED)
        )
        assert list(rows) == []  # not onboarded yet: the greeting only


async def test_coach_button_on_a_card_hands_over_and_stops_the_nudges(
    bot_factory: Any, partner_endpoint: Receiver, tmp_path: Path
) -> None:
    path = partners_file(tmp_path / "partners.yaml", partner_endpoint.url)
    bot: RunningBot = await bot_factory(
        partners_file=str(path),
        handover_poll_seconds=POLL,
        # Long enough for the hand-over below to finish first on a loaded machine.
        nudge_delays="5s,6s,7s",
        quiet_hours="off",
        nudge_poll_seconds="0.2",
    )
    chat = bot.chat(user_id=706)
    await _onboard(chat)
    await chat.press(chat.last(), "1|ec|J1501|n")  # open the care assistant's card
    card = chat.last()
    await chat.tap(card, "Enregistrer", expect=1)  # saving starts the nudges
    saved_at = asyncio.get_running_loop().time()
    (programmes,) = await chat.tap(card, "conseiller", expect=1)
    await chat.tap(programmes, "Programme Test")
    consent = programmes  # the consent question replaces the list
    assert "le métier qui vous intéresse : Aide-soignant(e)" in consent.text
    await chat.tap(consent, "sans la conversation", expect=1)
    await partner_endpoint.wait_for(lambda: "referral.created" in partner_endpoint.events())
    assert partner_endpoint.requests[0].json["data"]["user"]["career"]["rome"] == "J1501"

    assert asyncio.get_running_loop().time() < saved_at + 5, "hand-over slower than the nudge"
    # Past the first nudge's due time: a person has taken over, so no nudge comes.
    await asyncio.sleep(max(0.0, saved_at + 5.6 - asyncio.get_running_loop().time()))
    nudged = [
        m
        for m in bot.api.bot_messages(chat.user.id)
        if any(str(b.get("callback_data", "")).startswith("1|ns|") for b in m.buttons)
    ]
    assert nudged == []
    async with bot.process.db.transaction() as session:
        states = set(await session.scalars(select(Nudge.state).where(Nudge.user_id == 706)))
    assert states == {"cancelled"}
