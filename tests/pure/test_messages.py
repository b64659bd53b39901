"""The message catalogue: complete in both languages, valid Telegram HTML, escaped input."""

from __future__ import annotations

import pytest
from jinja2 import meta

from messages.render import (
    LANGUAGES,
    Catalog,
    plain_text,
    programme_texts,
    supported_language,
    use_programme_texts,
)
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


def test_a_programmes_own_text_for_its_users_falling_back_to_the_general_one() -> None:
    catalog = Catalog()
    catalog.set_overrides(
        {("en", "common.help"): "General help"},
        {
            ("cap", "en", "common.help"): "Cap's help",
            ("cap", "en", "common.not_text"): "{{ missing_variable }}",  # fails at render time
            ("bad", "en", "common.help"): "{% if %}",  # does not compile: left out
        },
    )
    assert catalog.render("common.help", "en") == "General help"
    with programme_texts("cap"):
        assert catalog.render("common.help", "en") == "Cap's help"
        # A text the programme did not rewrite, and one whose version fails: the general text.
        assert catalog.render("common.help", "fr").startswith("Voici ce que je sais faire")
        assert catalog.render("common.not_text", "en").startswith("I can only read written")
        use_programme_texts("bad")
        assert catalog.render("common.help", "en") == "General help"
    assert catalog.render("common.help", "en") == "General help"


def test_language_from_telegram() -> None:
    assert supported_language("fr") == "fr"
    assert supported_language("fr-CA") == "fr"
    assert supported_language("de") == "en"
    assert supported_language(None) == "fr"


def test_plain_text_fallback_removes_markup() -> None:
    assert plain_text("<b>A &amp; B</b> <i>c</i>") == "A & B c"
