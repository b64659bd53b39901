"""Operators' versions of the bot's texts: checked before publishing (sandbox, declared variables,
Telegram's HTML and lengths, both plural branches), drafts not in force, every version kept,
diff and rollback, YAML export and import with the same checks."""

from __future__ import annotations

import pytest

from kernel import texts
from kernel.texts import StoredTexts, TextRejected
from messages import registry, validate
from messages.render import Catalog, load_shipped
from storage.engine import Database


def test_every_shipped_text_passes_the_checks() -> None:
    shipped = load_shipped()
    failing = {
        (lang, key): validate.check(key, lang, source).problems
        for lang, keys in shipped.items()
        for key, source in keys.items()
        if not validate.check(key, lang, source).ok
    }
    assert failing == {}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{{ cycler.__init__.__globals__ }}", "Python internals"),
        ("{{ lang.__class__ }}", "Python internals"),
        ("{{ lang['__class__'] }}", "Python internals"),
        ("{% if %}", "Jinja2 syntax error"),
        ("Hi {{ password }}", "unknown variable: password"),
        ("<b>bold", "<b> is never closed"),
        ("<div>x</div>", "<div> is not one Telegram shows"),
        ('<a href="https://x.example" onclick="y">x</a>', "cannot carry the attribute onclick"),
        ("x" * 4097, "too long: 4097 characters"),
    ],
)
def test_a_bad_version_is_refused_with_a_clear_reason(body: str, reason: str) -> None:
    verdict = validate.check("common.help", "en", body)
    assert not verdict.ok
    assert reason in " ".join(verdict.problems)


def test_the_sandbox_refuses_internals_even_at_run_time() -> None:
    # The bot's own catalogue runs in the sandbox too: a stored text slipping past the checks
    # cannot read globals; it falls back to the shipped text.
    catalog = Catalog()
    catalog.override("common.help", "en", "{{ cycler.__init__.__globals__ }}")
    assert "__builtins__" not in catalog.render("common.help", "en")
    assert catalog.render("common.help", "en") == Catalog().render("common.help", "en")


def test_both_plural_branches_and_button_bytes_are_checked() -> None:
    # Fine with count=3, too long with count=1: the singular branch is rendered too.
    body = "{% if count == 1 %}" + "y" * 5000 + "{% else %}{{ count }} métiers{% endif %}"
    assert "too long: 5000" in " ".join(validate.check("explore.saved_list", "fr", body).problems)
    assert validate.check("explore.coach_button", "fr", "é" * 32).ok  # 64 bytes
    too_long = validate.check("explore.coach_button", "fr", "é" * 32 + "x")
    assert "65 bytes" in " ".join(too_long.problems)


def test_the_list_groups_every_text_by_flow_with_variables() -> None:
    infos = {info.key: info for info in registry.all_texts()}
    assert len(infos) == len(load_shipped()["fr"])
    card = infos["explore.card"]
    assert card.flow == "exploration" and ("title", "'Aide-soignant'") in card.variables
    assert infos["nudges.step1_a"].flow == "nudges"
    assert "explore.coach_button" in [i.key for i in registry.search("coach_button")]
    # Words of the shipped text are found too, every word must match.
    found = [i.key for i in registry.search("CPF formation")]
    assert "funding.cpf_rule" in found and "common.help" not in found


async def test_draft_publish_history_diff_rollback(db: Database) -> None:
    stored = StoredTexts(Catalog())
    shipped = Catalog().render("common.help", "en")
    async with db.transaction() as session:
        await texts.publish(session, "common.help", "en", "Version one", who="op@x", comment="c1")
        await texts.save_draft(session, "common.help", "en", "Draft two", who="op@x")
        await stored.refresh(session)
    assert stored.catalog.render("common.help", "en") == "Version one"  # the draft is not live
    async with db.transaction() as session:
        with pytest.raises(TextRejected, match="Python internals"):
            await texts.publish(session, "common.help", "en", "{{ cycler.__init__ }}", who="op@x")
        await texts.publish(session, "common.help", "en", "Version three", who="op@y")
        await stored.refresh(session)
        assert stored.catalog.render("common.help", "en") == "Version three"
        await texts.rollback(session, "common.help", "en", 1, who="op@z")
        versions = await texts.history(session, "common.help", "en")
        await stored.refresh(session)
    assert stored.catalog.render("common.help", "en") == "Version one"
    assert [(v.version, v.state, v.by) for v in versions] == [
        (4, "published", "op@z"), (3, "published", "op@y"), (2, "draft", "op@x"),
        (1, "published", "op@x"),
    ]
    assert versions[0].comment == "rollback to version 1" and versions[3].comment == "c1"
    assert texts.diff("Version one", "Version three", "v1", "v3")[-2:] == [
        "-Version one", "+Version three"
    ]
    async with db.transaction() as session:
        await texts.rollback(session, "common.help", "en", 0, who="op@z")  # the shipped text
        await stored.refresh(session)
    assert stored.catalog.render("common.help", "en") == shipped


async def test_yaml_export_and_import_with_the_same_checks(db: Database, database_url: str) -> None:
    async with db.transaction() as session:
        await texts.publish(session, "common.help", "en", "Help <b>me</b>", who="op")
        await texts.publish(session, "common.help", "fr", "Aide", who="op")
        document = await texts.export_yaml(session)
    assert "Help <b>me</b>" in document
    async with db.transaction() as session:
        assert await texts.import_yaml(session, document, who="op") == 0  # unchanged
        changed = document.replace("Aide", "Aidez-moi")
        assert await texts.import_yaml(session, changed, who="op") == 1
        bad = changed.replace("Help <b>me</b>", "'{{ cycler.__init__.__globals__ }}'")
        with pytest.raises(TextRejected, match=r"common\.help \(en\): refused"):
            await texts.import_yaml(session, bad.replace("Aidez-moi", "Encore"), who="op")
        # Nothing of a refused document is imported.
        assert (await texts.history(session, "common.help", "fr"))[0].body == "Aidez-moi"


async def test_a_version_for_a_programme_that_does_not_exist_is_refused(db: Database) -> None:
    """It would never be shown to anyone (a mistyped code in the editor or an imported file)."""
    async with db.transaction() as session:
        with pytest.raises(TextRejected, match="no partner programme 'cap_jeune'"):
            await texts.publish(
                session, "common.help", "fr", "Aide", who="ops", partner_code="cap_jeune"
            )
        document = "texts:\n- {key: common.help, language: fr, programme: nowhere, text: Aide}\n"
        with pytest.raises(TextRejected, match="no partner programme 'nowhere'"):
            await texts.import_yaml(session, document, who="ops")
        assert await texts.history(session, "common.help", "fr", "cap_jeune") == []
