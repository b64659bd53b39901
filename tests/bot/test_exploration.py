"""Exploring careers end to end, through the fake Bot API: sections, paging, cards, training
options, saving, the survey, /saved, search, and what old or odd buttons do."""

from __future__ import annotations

from sqlalchemy import select

from kernel import events
from scoring.catalogue import Catalogue
from storage.models import Event, SavedCareer
from tests.bot.conftest import Chat, RunningBot
from tremplin.playground.emulator import ChatMessage, FakeUser


async def _events(bot: RunningBot, user_id: int) -> list[Event]:
    async with bot.process.db.transaction() as session:
        rows = await session.scalars(
            select(Event).where(Event.user_id == user_id).order_by(Event.id)
        )
        return list(rows)


async def _saved(bot: RunningBot, user_id: int) -> list[SavedCareer]:
    async with bot.process.db.transaction() as session:
        rows = await session.scalars(select(SavedCareer).where(SavedCareer.user_id == user_id))
        return list(rows)


async def _onboard(chat: Chat, start: str = "/start") -> ChatMessage:
    """Onboard in the Rhône with "salary" as the priority; returns the closing message."""
    await chat.say(start, expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "salaire")
    (done,) = await chat.tap(priorities, "C'est bon", expect=1)
    return done


async def _double_press(chat: Chat, message: ChatMessage, data: str) -> None:
    """Two presses of the same button before the bot answered the first."""
    answered = len(chat.api.callback_answers)
    await chat.api.user_presses(chat.user, message, data)
    await chat.api.user_presses(chat.user, message, data)
    await chat.api.wait_for(lambda: len(chat.api.callback_answers) >= answered + 2)


async def test_onboarding_explore_page_card_training_save_survey_saved_remove(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=501)
    done = await _onboard(chat, "/start cap_jeunes")

    (lists,) = await chat.tap(done, "Découvrir", expect=1)
    # White label: the partner's highlighted careers come first, then the usual lists.
    assert "Des métiers accessibles sans diplôme" in lists.text
    await chat.tap(lists, "Liste suivante")
    assert "Nos meilleures pistes pour vous" in lists.text
    assert "métiers 1 à 5 sur 30" in lists.text
    assert len([b for b in lists.buttons if b["text"][:2] in {"1.", "2.", "3.", "4.", "5."}]) == 5

    await chat.tap(lists, "Voir plus")
    assert "métiers 6 à 10 sur 30" in lists.text and lists.edits == 2  # edited, not re-sent
    title = lists.button("6.")["text"].removeprefix("6. ").removesuffix("…")

    await chat.tap(lists, "6.")
    card = lists  # the card replaces the list in place
    assert card.text.startswith(title) and card.edits == 3
    for part in (
        "Salaire :",
        "Emploi dans le Rhône :",
        "Recrutement :",
        "Contrats :",
        "Automatisation",
    ):
        assert part in card.text
    assert [b["text"] for b in card.buttons] == [
        "⭐ Enregistrer",
        "🎓 Formations",
        "↔ Métiers proches",
        "💬 Parler à un conseiller",
        "ℹ️ D'où viennent ces chiffres ?",
        "⬅ Retour",
    ]

    (options,) = await chat.tap(card, "Formations", expect=1)
    assert "500\u00a0€ par an" in options.text and "800\u00a0€ par an" in options.text
    links = [b["url"] for b in options.buttons if "url" in b]
    assert links[0].startswith("https://www.moncompteformation.gouv.fr/")
    assert any("distance" in b["text"] for b in options.buttons)

    (question,) = await chat.tap(card, "Enregistrer", expect=1)
    assert chat.last_notice() == "⭐ Enregistré !"
    assert card.button("Retirer")  # the card now offers to remove it
    assert "Ce métier vous intéresse-t-il ?" in question.text
    await chat.tap(question, "Beaucoup")
    assert "suivre une formation" in question.text
    await chat.tap(question, "Oui")
    assert "Merci pour vos réponses" in question.text and question.edits == 2
    (row,) = await _saved(running, 501)
    assert (row.interest, row.readiness) == (2, 2)

    await chat.tap(card, "Retour")
    assert "métiers 6 à 10 sur 30" in card.text  # back to the same page

    (listing,) = await chat.say("/saved")
    assert title in listing.text
    await chat.tap(listing, "Retirer")
    assert "aucun métier" in listing.text and chat.last_notice() == "Retiré de vos métiers."
    assert await _saved(running, 501) == []

    logged = await _events(running, 501)
    kinds = [e.kind for e in logged]
    for kind, count in [
        (events.SECTION_SHOWN, 4),  # the partner's list, top picks, "more", and "back"
        (events.CAREER_OPENED, 1),
        (events.TRAINING_OPENED, 1),
        (events.CAREER_SAVED, 1),
        (events.SURVEY_ANSWERED, 2),
        (events.CAREER_REMOVED, 1),
    ]:
        assert kinds.count(kind) == count, kind
    assert all(e.partner_code == "cap_jeunes" and e.user_id == 501 for e in logged)
    rome = next(e.rome for e in logged if e.kind == events.CAREER_OPENED)
    assert {e.rome for e in logged if e.kind == events.CAREER_SAVED} == {rome}


async def test_search_with_a_typo_opens_the_card_and_comes_back(running: RunningBot) -> None:
    chat = running.chat(user_id=502)
    await _onboard(chat)
    (results,) = await chat.say("boulangé")
    assert "« boulangé »" in results.text and "Boulanger / Boulangère" in results.text
    await chat.tap(results, "Boulanger")
    assert results.text.startswith("Boulanger / Boulangère")
    await chat.tap(results, "Retour")
    assert "« boulangé »" in results.text

    (nothing,) = await chat.say("/search xqzw")
    assert "Je ne connais pas ce métier" in nothing.text and nothing.button("Découvrir")
    searched = [e for e in await _events(running, 502) if e.kind == events.SEARCHED]
    assert [(e.data["query"], e.data["results"]) for e in searched] == [
        ("boulangé", 5),
        ("xqzw", 0),
    ]
    opened = [e for e in await _events(running, 502) if e.kind == events.CAREER_OPENED]
    assert [(e.rome, e.data) for e in opened] == [("D1102", {"origin": "search"})]


async def test_double_taps_old_forged_and_foreign_buttons_are_answered_politely(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=503)
    await _onboard(chat)
    (results,) = await chat.say("plombier")
    await chat.tap(results, "Plombier")
    card = results
    sent_before = len(running.api.bot_messages(503))

    await _double_press(chat, card, str(card.button("Enregistrer")["callback_data"]))
    await chat.api.wait_for(lambda: len(running.api.bot_messages(503)) > sent_before)
    assert len(await _saved(running, 503)) == 1  # saving twice is one saved career
    question = chat.last()
    assert "Ce métier vous intéresse-t-il ?" in question.text
    assert len(running.api.bot_messages(503)) == sent_before + 1  # one survey, not two

    # Paging twice from the same list: the second edit is "not modified", handled quietly.
    (lists,) = await chat.say("/explore")
    await _double_press(chat, lists, str(lists.button("Voir plus")["callback_data"]))
    assert lists.edits == 1 and chat.last() is lists

    # Someone else pressing this user's survey button (a forwarded message) changes nothing,
    # and is told to start with /start.
    other = Chat(running.api, FakeUser(504, "Alex", "fr"))
    await other.press(question, str(question.button("Beaucoup")["callback_data"]))
    assert "/start" in (other.last_notice() or "")
    assert (await _saved(running, 503))[0].interest is None and await _saved(running, 504) == []

    # After removal, the survey's old buttons get a polite answer.
    await chat.tap(card, "Retirer")
    await chat.tap(question, "Un peu")
    assert chat.last_notice() == "Ce métier n'est plus dans vos métiers enregistrés."

    # Callback data that does not decode, or names a career that does not exist.
    await chat.press(card, "garbage")
    assert chat.last_notice() == "Ce bouton n'est plus valable."
    await chat.press(card, "1|ec|Z9999|s.top.0")
    assert chat.last_notice() is not None and "plus dans notre catalogue" in chat.last_notice()
    await chat.press(card, "1|sq|F1603")
    assert chat.last_notice() == "Ce bouton n'est plus valable."

    # The dataset is re-imported without this career: its old buttons answer politely.
    env = running.process.services.env
    full: Catalogue = env.catalogue
    env.catalogue = Catalogue({r: c for r, c in full.careers.items() if r != "F1603"})
    sent_before = len(running.api.bot_messages(503))
    await chat.tap(card, "Formations")
    assert chat.last_notice() is not None and "plus dans notre catalogue" in chat.last_notice()
    await chat.tap(card, "Enregistrer")
    assert len(running.api.bot_messages(503)) == sent_before  # nothing sent, nothing broken
    assert await _saved(running, 503) == []
    errors = [m for m in running.api.bot_messages(503) if "mal passé" in m.text]
    assert errors == []
