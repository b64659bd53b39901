"""The operators' text editor in Chromium, beside the running bot (fake Bot API): an operator
edits a text, sees the live preview, publishes, the bot sends the new text, a diff shows the
change, a rollback restores the shipped text; a sandbox-escaping template and one over 4,096
characters are refused with the reason; a coach gets 403 on every operator page."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from accounts import service as accounts
from storage.models import AuditEntry
from tests.browser.test_console import (  # noqa: F401  (fixtures)
    COACH,
    PASSWORD,
    Stack,
    bot_factory,
    csrf_token,
    pytestmark,
    stack,
)

OPERATOR = "lea@tremplin.example"
NEW_HELP = "<b>Nouvelle aide</b> : écrivez un métier, {{ lang }}."


async def _operator(stack: Stack) -> None:  # noqa: F811
    async with stack.bot.process.db.transaction() as session:
        await accounts.create_account(
            session, OPERATOR, "operator", PASSWORD, display_name="Léa"
        )


async def _bot_says(
    stack: Stack, command: str, wanted: str, within: float = 20  # noqa: F811
) -> str:
    """Send a command until the bot's answer contains `wanted` (processes refresh their texts
    every few seconds)."""
    deadline = time.monotonic() + within
    while True:
        (answer,) = await stack.chat.say(command, expect=1)
        if wanted in answer.text or time.monotonic() > deadline:
            return answer.text
        await asyncio.sleep(1)


async def test_an_operator_edits_previews_publishes_diffs_and_rolls_back(stack: Stack) -> None:  # noqa: F811
    from playwright.async_api import expect

    await _operator(stack)
    shipped = (await stack.chat.say("/aide", expect=1))[0].text
    assert "Voici ce que je sais faire" in shipped

    page = await stack.page(OPERATOR)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Textes du bot")
    await page.get_by_label("Rechercher").fill("sais faire")
    await page.get_by_role("button", name="Rechercher").click()
    await page.get_by_role("link", name="common.help").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("common.help")

    box = page.get_by_label("Texte (fr)")
    await box.fill(NEW_HELP)
    # The preview follows the typing: bold as Telegram shows it, the variable filled in.
    await expect(page.locator("#preview b")).to_have_text("Nouvelle aide")
    await expect(page.locator("#preview")).to_contain_text("écrivez un métier, fr.")
    await expect(page.locator("#checks")).to_contain_text("Prêt à publier")
    await page.screenshot(path=str(stack.shots / "operator-editor.png"), full_page=True)

    await page.get_by_label("Commentaire (facultatif)").fill("plus court")
    await page.get_by_role("button", name="Publier").click()
    await expect(page.get_by_role("status")).to_contain_text("Publié")
    # The running bot sends the new text within seconds, without a restart.
    sent = await _bot_says(stack, "/aide", "Nouvelle aide")
    assert sent == "Nouvelle aide : écrivez un métier, fr."

    # A diff between the shipped text (version 0) and version 1.
    await page.get_by_label("Version A").select_option("0")
    await page.get_by_label("Version B").select_option("1")
    await page.get_by_role("button", name="Comparer").click()
    diff = page.locator("pre.diff")
    await expect(diff.locator(".del").first).to_contain_text("-Voici ce que je sais faire")
    await expect(diff.locator(".add")).to_contain_text(["+<b>Nouvelle aide</b>"])
    await expect(page.locator("tr[data-version='1']")).to_contain_text("plus court")
    await page.screenshot(path=str(stack.shots / "operator-diff.png"), full_page=True)

    # One click restores the shipped text, as a new version.
    await page.get_by_role("button", name="Revenir à cette version 0").click()
    await expect(page.get_by_role("status")).to_contain_text("Version rétablie")
    await expect(page.locator("tr[data-version='2']")).to_contain_text("rollback to version 0")
    restored = await _bot_says(stack, "/aide", "Voici ce que je sais faire")
    assert restored == shipped

    async with stack.bot.process.db.transaction() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.account_email == OPERATOR)
            )
        )
    assert "text_published" in actions and "text_rolled_back" in actions


async def test_escaping_and_overlong_templates_are_refused(stack: Stack) -> None:  # noqa: F811
    from playwright.async_api import expect

    await _operator(stack)
    page = await stack.page(OPERATOR)
    await page.goto(stack.console + "/texts/common.help?lang=en")
    box = page.get_by_label("Texte (en)")
    await box.fill("{{ cycler.__init__.__globals__ }}")
    await expect(page.locator("#checks")).to_contain_text("reaches for Python internals")
    await page.get_by_role("button", name="Publier").click()
    alert = page.locator("#checks")
    await expect(alert).to_contain_text("Rien n'a été publié")
    await expect(alert).to_contain_text(
        "refused: the template reaches for Python internals (__globals__, __init__)"
    )
    # The refused text stays in the box, and nothing was stored.
    kept = await page.get_by_label("Texte (en)").input_value()
    assert kept == "{{ cycler.__init__.__globals__ }}"
    assert await page.locator("tr[data-version='1']").count() == 0

    await page.get_by_label("Texte (en)").fill("y" * 4100)
    await page.get_by_role("button", name="Publier").click()
    await expect(page.locator("#checks")).to_contain_text(
        "too long: 4100 characters once rendered, Telegram allows 4,096"
    )
    assert await page.locator("tr[data-version='1']").count() == 0


async def test_a_coach_gets_403_on_every_operator_page(stack: Stack) -> None:  # noqa: F811
    page = await stack.page(COACH)
    for path in ("/texts", "/texts/common.help?lang=fr", "/texts/export.yaml"):
        response = await page.goto(stack.console + path)
        assert response is not None and response.status == 403, path
        assert "réservée aux opérateurs" in await page.content()
    # Posting (with a valid CSRF token) is refused the same way, and nothing is published.
    token = await csrf_token(page)
    for path in ("/texts/common.help", "/texts/common.help/preview", "/texts/common.help/rollback",
                 "/texts/import"):
        status = await page.evaluate(
            "([path, token]) => { const d = new FormData(); d.append('csrf', token);"
            " d.append('body', 'hacked'); d.append('action', 'publish'); d.append('version', '0');"
            " return fetch(path, {method: 'POST', body: d}).then(r => r.status); }",
            [path, token],
        )
        assert status == 403, path
