"""Partner programmes edited in the console, in Chromium, beside the running bot: an admin creates
a programme (a wrong webhook address is refused with the reason and nothing typed is lost), edits
it, never sees its secret again, finds both changes in the audit log, and the bot offers the
programme to a user who fits it under its new name; an operator edits a programme; a coach gets
403 on every programme page."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from accounts import service as accounts
from kernel.texts import REFRESH_SECONDS
from storage.models import PartnerProgramme
from tests.browser.test_console import (  # noqa: F401  (fixtures)
    ADMIN,
    COACH,
    PASSWORD,
    Stack,
    bot_factory,
    csrf_token,
    pytestmark,
    stack,
)

SECRET = "partner-signing-secret-9876"
OPERATOR = "paul@tremplin.example"


@pytest.fixture(autouse=True)
def _secrets_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The deployment's key for the programmes' secrets (read by the bot and the console)."""
    monkeypatch.setenv("TREMPLIN_SECRETS_KEY", Fernet.generate_key().decode())
    yield


async def test_an_admin_creates_and_edits_a_programme_the_bot_offers_it(stack: Stack) -> None:  # noqa: F811
    from playwright.async_api import expect

    page = await stack.page(ADMIN)
    await page.get_by_role("link", name="Programmes", exact=True).click()
    await page.get_by_role("link", name="Nouveau programme").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau programme")
    await page.get_by_label("Code (lien /start)").fill("relais_69")
    await page.get_by_label("Nom", exact=True).fill("Relais Emploi 69")
    await page.get_by_label("Description (français)").fill("Un relais local pour l'emploi.")
    await page.get_by_label("Ce que fait le conseiller (français)").fill("Une conseillère.")
    await page.get_by_label("Délai de réponse promis").fill("1d")
    await page.get_by_label("Départements").fill("69")
    await page.get_by_label("En recherche d'emploi").check()
    await page.get_by_label("Adresse du webhook").fill("http://relais.example.org/hook")
    await page.get_by_label("Nouveau secret de signature").fill(SECRET)
    await page.get_by_role("button", name="Créer le programme").click()

    # Personal data never goes out in clear: refused, with the reason beside the field.
    await expect(page.get_by_role("alert")).to_contain_text("Rien n'a été enregistré")
    await expect(page.locator("#p-webhook_url-error")).to_contain_text(
        "expected an https:// address (http:// only on loopback)"
    )
    # Nothing typed is lost.
    assert await page.get_by_label("Nom", exact=True).input_value() == "Relais Emploi 69"
    assert await page.get_by_label("En recherche d'emploi").is_checked()
    assert await page.get_by_label("Nouveau secret de signature").input_value() == SECRET
    await page.get_by_label("Adresse du webhook").fill("http://127.0.0.1:9/hook")
    await page.get_by_role("button", name="Créer le programme").click()
    await expect(page.get_by_role("status")).to_have_text("Programme créé.")

    # The secret is never shown back: its kind and last four characters only.
    await expect(page.locator("#secret-now")).to_contain_text("chiffré, se termine par …9876")
    assert await page.get_by_label("Nouveau secret de signature").input_value() == ""
    assert SECRET not in await page.content()
    async with stack.bot.process.db.transaction() as session:
        row = await session.get(PartnerProgramme, "relais_69")
    assert row is not None and row.webhook_secret and SECRET not in row.webhook_secret
    await page.screenshot(path=str(stack.shots / "programme-form.png"), full_page=True)

    await page.get_by_label("Nom", exact=True).fill("Relais Emploi Rhône")
    await page.get_by_role("button", name="Enregistrer le programme").click()
    await expect(page.get_by_role("status")).to_have_text("Programme enregistré.")
    await expect(page.locator("#secret-now")).to_contain_text("…9876")  # kept as it was

    await page.get_by_role("navigation").get_by_role("link", name="Programmes").click()
    row_of = page.locator("tr[data-code='relais_69']")
    await expect(row_of).to_contain_text("Relais Emploi Rhône")
    await expect(row_of).to_contain_text("oui")  # offered: it has a webhook

    await page.get_by_role("link", name="Journal d'audit").click()
    await expect(page.locator("main")).to_contain_text("a créé un programme")
    await expect(page.locator("main")).to_contain_text("a modifié un programme")
    assert SECRET not in await page.content()

    # The bot offers it, under its new name, to someone it fits.
    chat = stack.bot.chat(user_id=5151, first_name="Nour")
    await chat.say("/start", expect=2)
    _, priorities = await chat.say("69", expect=2)
    await chat.tap(priorities, "C'est bon", expect=1)
    (question,) = await chat.say("/conseiller")
    await chat.tap(question, "cherche un emploi")
    await chat.tap(question, "18 à 25")
    assert "Relais Emploi Rhône" in question.text and "Un relais local" in question.text
    await chat.tap(question, "Relais Emploi Rhône")
    assert "Relais Emploi Rhône" in question.text and "exactement ce qu'il recevra" in question.text


async def test_an_operator_edits_a_programme(stack: Stack) -> None:  # noqa: F811
    from playwright.async_api import expect

    async with stack.bot.process.db.transaction() as session:
        await accounts.create_account(session, OPERATOR, "operator", PASSWORD)
    page = await stack.page(OPERATOR)
    await page.get_by_role("link", name="Programmes", exact=True).click()
    await page.get_by_role("link", name="Cap Jeunes 18-30").click()
    # The form holds the file's definition.
    assert await page.get_by_label("Âge maximum").input_value() == "30"
    await page.get_by_label("Délai de réponse promis").fill("3d")
    await page.get_by_label("Ouvert (proposé aux utilisateurs)").uncheck()
    await page.get_by_role("button", name="Enregistrer le programme").click()
    await expect(page.get_by_role("status")).to_have_text("Programme enregistré.")
    assert await page.get_by_label("Délai de réponse promis").input_value() == "3d"
    async with stack.bot.process.db.transaction() as session:
        row = await session.get(PartnerProgramme, "cap_jeunes")
        assert row is not None
        assert (row.is_open, row.source, row.definition["answers_within"]) == (
            False,
            "console",
            "3d",
        )
        # What the form does not show is kept.
        assert row.definition["canned_replies"]


async def test_a_coach_gets_403_on_every_programme_page(stack: Stack) -> None:  # noqa: F811
    page = await stack.page(COACH)
    for path in ("/programmes", "/programmes/new", "/programmes/cap_jeunes"):
        response = await page.goto(stack.console + path)
        assert response is not None and response.status == 403, path
        assert "réservée aux opérateurs" in await page.content()
    token = await csrf_token(page)
    for path in ("/programmes/new", "/programmes/cap_jeunes"):
        status = await page.evaluate(
            "([path, token]) => fetch(path, {method: 'POST', body: new URLSearchParams("
            "{csrf: token, code: 'pirate', name: 'Pirate'})}).then(r => r.status)",
            [path, token],
        )
        assert status == 403, path
    async with stack.bot.process.db.transaction() as session:
        codes = set(await session.scalars(select(PartnerProgramme.code)))
        cap = await session.get(PartnerProgramme, "cap_jeunes")
    assert "pirate" not in codes and cap is not None and cap.name == "Cap Jeunes 18-30"



async def test_a_programme_s_own_text_reaches_its_users_only(stack: Stack) -> None:  # noqa: F811
    from playwright.async_api import expect

    async with stack.bot.process.db.transaction() as session:
        await accounts.create_account(session, OPERATOR, "operator", PASSWORD)
    page = await stack.page(OPERATOR)
    await page.goto(stack.console + "/texts/common.help?lang=fr")
    programme = page.get_by_label("Programme partenaire")
    await programme.select_option(label="Cap Jeunes 18-30 (cap_jeunes)")
    await page.get_by_role("button", name="Ouvrir").click()
    await page.get_by_label("Texte (fr)").fill("L'aide de <b>Cap Jeunes</b> : un métier ?")
    await page.get_by_role("button", name="Publier").click()
    await expect(page.get_by_role("status")).to_contain_text("Publié")

    # Someone who came through Cap Jeunes' link gets its text (within the texts' refresh)...
    through_link = stack.bot.chat(user_id=5253, first_name="Inès")
    await through_link.say("/start cap_jeunes", expect=2)
    deadline = time.monotonic() + REFRESH_SECONDS + 15
    while True:
        (answer,) = await through_link.say("/aide")
        if "Cap Jeunes" in answer.text or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    assert answer.text == "L'aide de Cap Jeunes : un métier ?"
    # ...someone else the general one.
    other = stack.bot.chat(user_id=5252, first_name="Sam")
    await other.say("/start", expect=2)
    (answer,) = await other.say("/aide")
    assert "Voici ce que je sais faire" in answer.text
