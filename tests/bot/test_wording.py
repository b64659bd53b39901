"""What people read, end to end through the fake Bot API (issue 9, items 6, 8, 9 and 15):
English that reads as English, French that fits everyone, buttons never cut mid-word, and
card details that are right."""

from __future__ import annotations

from messages.layout import ROW_WIDTH, width
from tests.bot.conftest import Chat, RunningBot
from tremplin.playground.emulator import ChatMessage


async def _onboard(chat: Chat, place: str = "69", done: str = "C'est bon") -> list[ChatMessage]:
    await chat.say("/start", expect=2)
    confirm, priorities = await chat.say(place, expect=2)
    (closing,) = await chat.tap(priorities, done, expect=1)
    return [confirm, closing]


async def _card(chat: Chat, words: str) -> ChatMessage:
    """Search, then open the first result: the card replaces the results."""
    (results,) = await chat.say(words)
    await chat.tap(results, "1.")
    return results


def _rows(message: ChatMessage) -> list[list[str]]:
    return [[b["text"] for b in row] for row in (message.reply_markup or {})["inline_keyboard"]]


async def test_english_reads_as_english(running: RunningBot) -> None:
    chat = running.chat(user_id=901, first_name="Camille", language="en")
    confirm, _ = await _onboard(chat, "Côte-d'Or", done="Done")
    assert confirm.text == "Got it: you live in Côte-d'Or."  # not "in en Côte-d'Or"
    (again,) = await chat.say("/start")
    assert again.text.startswith("Welcome back, Camille")

    card = await _card(chat, "welder")
    assert "% of the people in this job" in card.text and " %" not in card.text
    assert "Similar jobs:" in card.text
    labels = [b["text"] for b in card.buttons]
    assert "↔ Similar jobs" in labels and "🎓 Training courses" in labels
    assert not any("Close jobs" in label or "trainings" in label for label in labels)
    (options,) = await chat.tap(card, "Training courses", expect=1)
    assert "€500 a year" in options.text and "€5,000" in options.text

    (programmes,) = await chat.say("/coach")
    assert "(exemple)" not in programmes.text


async def test_french_card_details_fit_everyone_and_are_right(running: RunningBot) -> None:
    chat = running.chat(user_id=902)
    await _onboard(chat)

    card = await _card(chat, "aide-soignant")
    # The DEAS is open without a diploma; the card says so and names it.
    assert "Niveau pour commencer : aucun diplôme demandé" in card.text
    assert "Diplôme d'État d'aide-soignant (DEAS), environ 12\u00a0mois" in card.text
    assert "Diplôme habituel : bac" not in card.text
    assert "\u202f%" in card.text and "\u00a0€ net par mois" in card.text

    (options,) = await chat.tap(card, "Formations", expect=1)
    assert "France Travail" in options.text and "Région" in options.text
    assert "CPF" in options.text and "5\u202f000\u00a0€" in options.text

    (question,) = await chat.tap(card, "Enregistrer", expect=1)
    assert question.text.startswith("⭐ Métier enregistré : Aide-soignant(e).")

    welder = await _card(chat, "soudeur")
    assert "1 mois" not in welder.text and "1\u00a0mois" not in welder.text
    assert "))" not in welder.text and "ISO 9606" not in welder.text
    assert "environ 7\u00a0mois" in welder.text

    gardener = await _card(chat, "jardinier")
    await chat.tap(gardener, "Métiers proches")
    assert "Métiers proches de «\u00a0Jardinier / Jardinière paysagiste\u00a0»" in gardener.text
    assert "Avec ce que vous savez déjà faire" not in gardener.text

    labourer = await _card(chat, "gros oeuvre")
    assert "gros œuvre" in labourer.text and "gros oeuvre" not in labourer.text


async def test_buttons_are_laid_out_by_length_and_never_cut_mid_word(running: RunningBot) -> None:
    chat = running.chat(user_id=903)
    await _onboard(chat)
    title = "Technicien / Technicienne en froid et climatisation"
    card = await _card(chat, "frigoriste")
    assert card.text.startswith(title)
    assert _rows(card)[0] == ["⭐ Enregistrer", "🎓 Formations"]  # two short ones share a row
    await chat.tap(card, "Enregistrer", expect=1)
    for words in ("boulanger", "aide-soignant"):
        other = await _card(chat, words)
        await chat.tap(other, "Enregistrer", expect=1)

    (listing,) = await chat.say("/saved")
    rows = _rows(listing)
    # The long title stands alone, cut between words; its 🗑 says which career it removes.
    assert ["1. Technicien / Technicienne en froid…"] in rows
    assert ["🗑 Retirer le 1"] in rows
    for row in rows:
        assert len(row) * max(width(label) for label in row) <= ROW_WIDTH, row
        for label in row:
            if label.endswith("…"):  # whole words of the title listed above, then a space
                assert label[:-1] + " " in listing.text, label
    await chat.tap(listing, "Retirer le 1")
    assert title not in listing.text
