"""Small talk and towns (issue 9, item 10): "bonjour" is not searched as a job, and "Lyon",
"Marseille" or "Seine St Denis" are understood as places, in onboarding and in /settings."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import User
from tests.bot.conftest import Chat, RunningBot


async def _departement(bot: RunningBot, user_id: int) -> str | None:
    async with bot.process.db.transaction() as session:
        user = await session.scalar(select(User).where(User.id == user_id))
        return user.departement if user is not None else None


async def _onboard(chat: Chat, place: str = "69") -> None:
    await chat.say("/start", expect=2)
    _, priorities = await chat.say(place, expect=2)
    await chat.tap(priorities, "C'est bon", expect=1)


async def test_greetings_thanks_and_questions_get_a_friendly_answer(running: RunningBot) -> None:
    chat = running.chat(user_id=961, first_name="Camille")
    await _onboard(chat)
    (hello,) = await chat.say("Bonjour !")
    assert hello.text.startswith("Bonjour Camille 🙂")
    assert "Je ne connais pas ce métier" not in hello.text
    labels = [b["text"] for b in hello.buttons]
    assert labels == ["🔎 Découvrir les métiers", "⭐ Mes métiers", "💬 Parler à un conseiller"]
    (lists,) = await chat.tap(hello, "Découvrir", expect=1)
    assert "métiers 1 à 5" in lists.text

    (thanks,) = await chat.say("merci beaucoup")
    assert thanks.text.startswith("Avec plaisir") and thanks.buttons
    (how,) = await chat.say("comment ça marche ?")
    assert "Touchez un métier pour tout savoir" in how.text and how.buttons
    (search,) = await chat.say("bonjour je cherche boulanger")  # a real search stays one
    assert "Ce que j'ai trouvé" in search.text


async def test_small_talk_in_english(running: RunningBot) -> None:
    chat = running.chat(user_id=962, first_name="Sam", language="en")
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("Paris", expect=2)
    await chat.tap(priorities, "Done", expect=1)
    (hello,) = await chat.say("hi")
    assert hello.text.startswith("Hello Sam 🙂") and "I don't know this job" not in hello.text
    (thanks,) = await chat.say("thanks!")
    assert thanks.text.startswith("You're welcome")


async def test_a_greeting_while_asking_where_one_lives_repeats_the_question(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=963, first_name="Inès")
    await chat.say("/start", expect=2)
    hello, question = await chat.say("salut", expect=2)
    assert hello.text == "Bonjour Inès 🙂" and "Où habitez-vous" in question.text
    confirm, _ = await chat.say("Lyon", expect=2)
    assert confirm.text == "C'est noté : Lyon, c'est dans le Rhône."
    assert await _departement(running, 963) == "69"


async def test_big_towns_and_abbreviations_are_understood_as_places(running: RunningBot) -> None:
    for user_id, answer, expected in [
        (964, "Marseille", "13"),
        (965, "Seine St Denis", "93"),
        (966, "j'habite à Toulouse", "31"),
        (967, "St Etienne", "42"),
    ]:
        chat = running.chat(user_id=user_id)
        await chat.say("/start", expect=2)
        confirm, _ = await chat.say(answer, expect=2)
        assert "pas reconnu" not in confirm.text, answer
        assert await _departement(running, user_id) == expected, answer

    chat = running.chat(user_id=968)
    await _onboard(chat)
    (settings,) = await chat.say("/reglages")
    await chat.tap(settings, "département", expect=1)
    _, summary = await chat.say("Bordeaux", expect=2)
    assert "Gironde (33)" in summary.text
    assert await _departement(running, 968) == "33"
