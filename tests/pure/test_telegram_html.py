"""The emulator checks formatting the way the Bot API does."""

from __future__ import annotations

import pytest

from tremplin.playground.telegram_html import EntityError, parse


def test_allowed_tags_and_entities() -> None:
    plain, web = parse('<b>Hi</b> &amp; <a href="https://x.fr">link</a>\nnext', "HTML")
    assert plain == "Hi & link\nnext"
    assert '<a href="https://x.fr"' in web and "<br>" in web


@pytest.mark.parametrize("bad", ["<script>x</script>", "<b>open", "</i>", "<b><i>x</b></i>"])
def test_invalid_html_is_refused(bad: str) -> None:
    with pytest.raises(EntityError):
        parse(bad, "HTML")


def test_links_cannot_run_script_on_the_page() -> None:
    _, web = parse('<a href="javascript:alert(1)">x</a>', "HTML")
    assert "javascript" not in web


def test_plain_mode_escapes_everything() -> None:
    plain, web = parse("<b>x</b>", None)
    assert plain == "<b>x</b>" and "&lt;b&gt;" in web
