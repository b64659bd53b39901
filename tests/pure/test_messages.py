"""The message catalogue: complete in both languages, valid Telegram HTML, escaped input."""

from __future__ import annotations

import pytest
from jinja2 import meta

from messages.render import LANGUAGES, Catalog, plain_text, supported_language
from tremplin.playground.telegram_html import parse

CATALOG = Catalog()


def test_every_key_exists_in_every_language() -> None:
    keys = {lang: set(CATALOG.keys(lang)) for lang in LANGUAGES}
    assert keys["fr"] == keys["en"], keys["fr"] ^ keys["en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_compiles_and_uses_the_same_variables_in_both_languages(
    lang: str,
) -> None:
    env = CATALOG.environment
    for key in CATALOG.keys(lang):
        source = CATALOG.source(key, lang)
        assert source is not None
        other = CATALOG.source(key, "en" if lang == "fr" else "fr") or ""
        ours = meta.find_undeclared_variables(env.parse(source))
        theirs = meta.find_undeclared_variables(env.parse(other))
        assert ours == theirs, f"{lang}:{key} uses {ours ^ theirs} that the other language lacks"


def test_user_input_is_escaped_for_telegram_html() -> None:
    text = CATALOG.render("onboarding.welcome", "fr", first_name="<b>Zoë & co</b>")
    plain, _ = parse(text, "HTML")
    assert "<b>Zoë & co</b>" in plain


def test_operator_override_wins_then_rolls_back() -> None:
    catalog = Catalog()
    catalog.override("common.help", "en", "Custom help for {{ lang }}")
    assert catalog.render("common.help", "en") == "Custom help for en"
    catalog.override("common.help", "en", None)
    assert catalog.render("common.help", "en").startswith("Here is what I can do")


def test_language_from_telegram() -> None:
    assert supported_language("fr") == "fr"
    assert supported_language("fr-CA") == "fr"
    assert supported_language("de") == "en"
    assert supported_language(None) == "fr"


def test_plain_text_fallback_removes_markup() -> None:
    assert plain_text("<b>A &amp; B</b> <i>c</i>") == "A & B c"
