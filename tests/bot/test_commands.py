"""The command menu in each language and the French command names (issue 9, item 14)."""

from __future__ import annotations

import re

from bot.app import command_menu
from bot.handlers import FRENCH_NAMES, all_commands
from tests.bot.conftest import RunningBot


def test_every_menu_command_exists_and_is_a_valid_telegram_name() -> None:
    commands = all_commands()
    for lang in ("fr", "en"):
        for command in command_menu(lang):
            assert re.fullmatch(r"[a-z0-9_]{1,32}", command.command), command.command
            assert command.command in commands, f"/{command.command} ({lang}) has no handler"
    assert set(FRENCH_NAMES) <= set(commands)


async def test_menus_are_registered_in_french_and_english(running: RunningBot) -> None:
    menus = {
        lang: {c["command"]: c["description"] for c in commands}
        for lang, commands in running.api.commands.items()
    }
    assert menus["fr"]["reglages"] == "Département, priorités, langue"
    assert menus["fr"]["enregistres"] == "Mes métiers enregistrés"
    assert {"metiers", "conseiller", "aide"} <= set(menus["fr"])
    assert "settings" not in menus["fr"] and "saved" not in menus["fr"]
    assert menus[""] == menus["fr"]  # French is also the default menu
    assert menus["en"]["settings"] == "Département, priorities, language"
    assert menus["en"]["saved"] == "My saved jobs"
    assert "reglages" not in menus["en"]


async def test_french_command_names_work_like_the_english_ones(running: RunningBot) -> None:
    chat = running.chat(user_id=951)
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "C'est bon", expect=1)

    (settings,) = await chat.say("/reglages")
    assert "Vos réglages" in settings.text
    (helped,) = await chat.say("/aide")
    assert "/enregistres — vos métiers enregistrés" in helped.text
    assert "/saved" in helped.text  # the English names keep working, and it says so
    (saved,) = await chat.say("/enregistres")
    assert "aucun métier" in saved.text
    (lists,) = await chat.say("/metiers")
    assert "métiers 1 à 5" in lists.text
    (found,) = await chat.say("/chercher boulanger")
    assert "Ce que j'ai trouvé" in found.text
    (english,) = await chat.say("/settings")
    assert "Vos réglages" in english.text
