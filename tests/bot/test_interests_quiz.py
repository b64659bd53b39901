"""The optional interests quiz (RIASEC) end to end, through the fake Bot API: taken from
/explore it changes the ranking the way the answers say; from /settings it can be redone,
stopped or cleared; stale and forged presses and free text mid-quiz are answered and lose
nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.callbacks import decode
from scoring.catalogue import load_catalogue
from storage.models import User
from tests.bot.conftest import Chat, RunningBot
from tremplin.playground.emulator import ChatMessage

LETTERS = "RIASEC"


async def _onboard(chat: Chat) -> ChatMessage:
    """Onboard in the Rhône with "hiring near me" as the priority; the closing message."""
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "embauches")
    (done,) = await chat.tap(priorities, "C'est bon", expect=1)
    return done


async def _interests(bot: RunningBot, user_id: int) -> str | None:
    async with bot.process.db.transaction() as session:
        user = await session.scalar(select(User).where(User.id == user_id))
        assert user is not None
        return user.interests


def _shown(page: ChatMessage) -> list[str]:
    """The ROME codes of the careers a list page shows, in order."""
    codes = []
    for button in page.buttons:
        action = decode(str(button.get("callback_data")))
        if action is not None and action.name == "ec":
            codes.append(action.args[0])
    return codes


async def test_the_quiz_from_explore_lifts_the_careers_the_answers_like(
    running: RunningBot,
) -> None:
    catalogue = load_catalogue()

    def helping(codes: list[str]) -> list[str]:
        return [code for code in codes if catalogue.careers[code].riasec[:1] == "S"]

    chat = running.chat(user_id=701)
    done = await _onboard(chat)
    (before,) = await chat.tap(done, "Découvrir", expect=1)
    first_five = _shown(before)
    assert len(first_five) == 5 and helping(first_five) == []

    (question,) = await chat.tap(before, "Quiz", expect=1)
    assert "question 1 sur 6" in question.text and "Il n'y a pas de bonne" in question.text
    for number, letter in enumerate(LETTERS, start=1):
        assert f"question {number} sur 6" in question.text
        # Yes to helping people, no to everything else.
        await chat.tap(question, "Oui" if letter == "S" else "Pas pour moi")
    assert "Ce qui vous plaît : aider les autres" in question.text
    assert await _interests(running, 701) == "S"

    await chat.tap(question, "Voir mes métiers")
    after = question  # the list in place of the quiz's result
    lifted = _shown(after)
    assert len(helping(lifted)) > len(helping(first_five))
    assert not any("Quiz" in b["text"] for b in after.buttons)  # offered until taken
    await chat.tap(after, f"{lifted.index(helping(lifted)[0]) + 1}.")
    assert "aider les autres (votre quiz)" in after.text  # the card's "why for you" says so

    (lists,) = await chat.say("/metiers")
    await chat.tap(lists, "Autres listes")
    assert any("Au service des autres" in b["text"] for b in lists.buttons)
    assert any("Refaire le quiz" in b["text"] for b in lists.buttons)


async def test_stale_forged_and_free_text_mid_quiz_lose_nothing_then_redo_stop_and_clear(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=702)
    await _onboard(chat)
    (settings,) = await chat.say("/reglages")
    assert "Centres d'intérêt : pas de quiz fait" in settings.text
    (question,) = await chat.tap(settings, "Quiz", expect=1)
    first_yes = str(question.button("Oui")["callback_data"])
    await chat.tap(question, "Oui")  # R: yes
    assert "question 2 sur 6" in question.text

    # The first question's answer pressed again (a double tap, an old message), and forged data.
    for data in (first_yes, "1|qz|9|2", "1|qz|1|7", "1|qz", "1|qz|x|y"):
        await chat.press(question, data)
        assert "déjà répondu" in (chat.last_notice() or ""), data
    assert "question 2 sur 6" in question.text

    # Free text mid-quiz: how to answer, and the same question again; nothing is lost.
    reminder, again = await chat.say("boulanger", expect=2)
    assert "Le quiz attend votre réponse" in reminder.text
    assert "question 2 sur 6" in again.text
    for answer in ("Passer", "Un peu", "Passer", "Pas pour moi", "Passer"):
        await chat.tap(again, answer)
    assert "le concret et le manuel" in again.text and await _interests(running, 702) == "R"
    await chat.press(again, first_yes)  # a button of the finished quiz
    assert "terminé ou arrêté" in (chat.last_notice() or "")

    (settings,) = await chat.say("/reglages")
    assert "Centres d'intérêt : le concret et le manuel" in settings.text
    (question,) = await chat.tap(settings, "Refaire le quiz", expect=1)
    await chat.tap(question, "Oui")
    await chat.tap(question, "Arrêter")
    assert "Vos réponses du quiz précédent sont gardées" in question.text
    assert await _interests(running, 702) == "R"

    cleared, summary = await chat.tap(settings, "Effacer le quiz", expect=2)
    assert "C'est effacé" in cleared.text and "pas de quiz fait" in summary.text
    assert await _interests(running, 702) is None
