"""Search without dead ends, through the fake Bot API: an unknown word is answered honestly with
the way to /explore, a job the catalogue does not know by that name gets the closest real
careers (never ones that only share a word), typos and abbreviations are forgiven."""

from __future__ import annotations

from tests.bot.conftest import RunningBot
from tests.bot.test_exploration import _onboard


async def test_a_nonsense_word_gets_an_honest_answer_and_the_way_to_explore(
    running: RunningBot,
) -> None:
    chat = running.chat(user_id=611)
    await _onboard(chat)
    (nothing,) = await chat.say("blablatruc")
    assert "Je ne connais pas ce métier : « blablatruc »" in nothing.text
    assert [b["text"] for b in nothing.buttons] == ["🔎 Découvrir les métiers"]
    (lists,) = await chat.tap(nothing, "Découvrir", expect=1)
    assert "métiers 1 à 5" in lists.text


async def test_a_near_miss_offers_only_the_closest_real_careers(running: RunningBot) -> None:
    chat = running.chat(user_id=612)
    await _onboard(chat)
    (answer,) = await chat.say("testeur de jeux vidéo")
    assert "Je ne connais pas ce métier" in answer.text
    assert "les plus proches" in answer.text
    labels = [b["text"] for b in answer.buttons]
    assert labels[-1] == "🔎 Découvrir les métiers"
    assert 1 <= len(labels) - 1 <= 3
    # The playground inspector and the video editor share a word, not the job: not offered.
    assert not any("Inspect" in label or "Montage" in label for label in labels)
    await chat.tap(answer, labels[0])
    assert "(ROME E1104)" in answer.text  # the card of the video game designer, in place

    (typo,) = await chat.say("plomnier")  # a typo is forgiven: a result, not "unknown"
    assert "Ce que j'ai trouvé pour « plomnier »" in typo.text
    await chat.tap(typo, "1.")
    assert "(ROME F1603)" in typo.text


async def test_an_abbreviation_opens_its_career_first(running: RunningBot) -> None:
    chat = running.chat(user_id=613)
    await _onboard(chat)
    for typed, rome in (("kiné", "J1404"), ("ASH", "J1301"), ("BTP", "F1704")):
        (results,) = await chat.say(typed)
        assert f"« {typed} »" in results.text and f"({typed})" in results.text
        await chat.tap(results, "1.")
        assert f"(ROME {rome})" in results.text
