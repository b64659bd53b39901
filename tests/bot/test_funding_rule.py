"""The CPF funding rule is told the same, right way everywhere (issue 9, item 4)."""

from __future__ import annotations

from typing import Any

import pytest

from kernel.funding import NO_DIPLOMA, STANDARD, cpf_rights
from tests.bot.conftest import Chat, RunningBot
from tests.bot.test_nudges import CAREER, start_bot, wait_nudges

RULE = {
    "fr": (
        "Si vous avez travaillé, votre CPF reçoit 500\u202f€ par an, jusqu'à 5\u202f000\u202f€. "
        "Si vous n'avez ni CAP, ni BEP, ni diplôme plus élevé (le brevet seul compte comme "
        "« sans diplôme »), il reçoit 800\u202f€ par an, jusqu'à 8\u202f000\u202f€."
    ),
    "en": (
        "If you have worked, your CPF gets €500 a year, up to €5,000. If you have no CAP, no BEP "
        'and no higher diploma (the brevet alone counts as "no diploma"), it gets €800 a year, '
        "up to €8,000."
    ),
}
WRONG = {"fr": "si vous n'avez pas le brevet ou un CAP", "en": "no lower-secondary diploma"}
LABELS = {
    "fr": {"done": "C'est bon", "save": "Enregistrer", "training": "Voir les formations"},
    "en": {"done": "Done", "save": "Save", "training": "See training"},
}


async def _onboarded(running: RunningBot, user_id: int, lang: str) -> Chat:
    chat = running.chat(user_id=user_id, first_name="Zoé", language=lang)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, LABELS[lang]["done"], expect=1)
    return chat


def _normalise(text: str) -> str:
    # Figures are grouped with a narrow no-break space and never broken across lines.
    return " ".join(text.replace("\u00a0", "\u202f").split())


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_nudge_two_and_the_training_screen_tell_the_same_right_rule(
    bot_factory: Any, lang: str
) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.3s,0.6s")
    user_id = 861 if lang == "fr" else 862
    chat = await _onboarded(running, user_id, lang)
    await chat.press(chat.last(), f"1|ec|{CAREER}|n")
    await chat.tap(chat.last(), LABELS[lang]["save"], expect=1)
    _, second = await wait_nudges(running, chat, 2)
    (training,) = await chat.tap(second, LABELS[lang]["training"], expect=1)
    for text in (second.text, training.text):
        assert _normalise(RULE[lang]) in _normalise(text)
        assert WRONG[lang] not in text


def test_the_higher_rights_are_only_for_no_diploma_beyond_the_brevet() -> None:
    assert cpf_rights("none") == cpf_rights("brevet") == NO_DIPLOMA
    for diploma in ("cap", "bep", "bac", "bac+2", "bac+5"):
        assert cpf_rights(diploma) == STANDARD
    assert (NO_DIPLOMA.yearly, NO_DIPLOMA.ceiling) == (800, 8_000)
    assert (STANDARD.yearly, STANDARD.ceiling) == (500, 5_000)
