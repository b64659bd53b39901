"""The coaches' web console in Chromium: sign-in, sign-out and throttling; a coach reads a
transcript, replies through the bot (the fake Bot API and the user's chat receive it) and sees the
user's answer arrive without reloading; another programme's coach gets 404 everywhere; a withdrawn
consent hides the referral; posts without the CSRF token are refused; admins read the audit log.

The bot runs against the fake Bot API (the playground's emulator) and the console runs beside it
on the same database, as `tremplin run` does in the playground.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from accounts import service as accounts
from coaching import consent as consents
from coaching import referrals
from console.app import ACTION_URLS
from kernel.partners import get_partner
from storage.models import (
    AuditEntry,
    CannedReply,
    ReferralMessage,
    ReferralNote,
    User,
    utcnow,
)
from tests.bot.conftest import Chat, RunningBot, bot_factory  # noqa: F401  (fixture)
from tremplin.console_process import ConsoleProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PASSWORD = "a long coach password"
COACH = "julie@capjeunes.example"
OTHER = "marc@metiers.example"
ADMIN = "admin@tremplin.example"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Debian's chromium is required for the browser tests in CI")
    pytest.skip("chromium is not installed", allow_module_level=True)


@dataclass
class Stack:
    """The bot, the console beside it, a user with a referral to Cap Jeunes, and Chromium."""

    bot: RunningBot
    console: str
    chat: Chat
    referral_id: int
    browser: Any
    shots: Path

    async def page(self, email: str | None = None, password: str = PASSWORD) -> Any:
        """A fresh browser context (own cookies), signed in when an address is given."""
        context = await self.browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="fr-FR", timezone_id="Europe/Paris"
        )
        page = await context.new_page()
        if email is not None:
            await sign_in(page, self.console, email, password)
        return page


async def csrf_token(page: Any) -> str:
    """The signed-in page's CSRF token, as a form of the console carries it."""
    token: str = await page.evaluate(
        "() => fetch('/').then(r => r.text())"
        ".then(t => t.match(/name=\"csrf\" value=\"([^\"]+)/)[1])"
    )
    return token


async def sign_in(page: Any, console: str, email: str, password: str) -> None:
    """Fill and send the sign-in form, by its visible labels."""
    await page.goto(console + "/")
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()


async def _seed(bot: RunningBot, user_id: int, *, share_conversation: bool = True) -> int:
    """A consented referral to Cap Jeunes for a user who already talked to the bot."""
    db = bot.process.db
    async with db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        # As after onboarding: no question pending, so free text goes to the coach.
        user.departement, user.onboarded, user.step = "69", True, None
        partner = await get_partner(session, "cap_jeunes")
        assert partner is not None
        items = consents.items_for(rome=None, share_conversation=share_conversation)
        consent = await consents.give(session, user, partner.code, items, now=utcnow())
        referral = await referrals.create(
            session, user, partner, consent, rome=None, catalogue=None, now=utcnow()
        )
        for email, role, programme in (
            (COACH, "coach", "cap_jeunes"),
            (OTHER, "coach", "metiers_4mois"),
            (ADMIN, "admin", None),
        ):
            await accounts.create_account(
                session,
                email,
                role,
                PASSWORD,
                programme_code=programme,
                display_name="Julie Martin" if email == COACH else email.split("@")[0],
            )
        return referral.id


@pytest.fixture
async def stack(bot_factory: Any, tmp_path: Path) -> AsyncIterator[Stack]:  # noqa: F811
    from playwright.async_api import async_playwright

    bot: RunningBot = await bot_factory()
    chat = bot.chat(user_id=4242, first_name="Camille")
    await chat.say("/start", expect=1)
    referral_id = await _seed(bot, chat.user.id)
    console = ConsoleProcess(bot.process.settings, bot.process.token, bot.process.api_root)
    address = await console.start(host="127.0.0.1", port=0)
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    await asyncio.to_thread(shots.mkdir, parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield Stack(bot, address, chat, referral_id, browser, shots)
        finally:
            await browser.close()
            await console.stop()


async def test_sign_in_sign_out_and_throttling(stack: Stack) -> None:
    from playwright.async_api import expect

    page = await stack.page()
    # Every page requires sign-in: the inbox sends a stranger to the sign-in form.
    await page.goto(stack.console + f"/referrals/{stack.referral_id}")
    assert "/login" in page.url
    await sign_in(page, stack.console, COACH, "not the password")
    await expect(page.get_by_role("alert")).to_have_text("Adresse ou mot de passe incorrect.")
    await sign_in(page, stack.console, COACH, PASSWORD)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "tremplin_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    response = await page.goto(stack.console + "/")
    assert response is not None
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"

    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    await page.goto(stack.console + "/")
    assert "/login" in page.url  # the old session is gone

    # Five wrong passwords lock the account for a while, even with the right one after.
    for _ in range(5):
        await sign_in(page, stack.console, ADMIN, "guess guess guess")
    await sign_in(page, stack.console, ADMIN, PASSWORD)
    await expect(page.get_by_role("alert")).to_contain_text("Trop d'essais")
    assert "/login" in page.url or await page.get_by_label("Mot de passe").count() == 1


async def test_a_coach_reads_replies_and_sees_the_answer_live(stack: Stack) -> None:
    from playwright.async_api import expect

    page = await stack.page(COACH)
    inbox = page.locator("table.inbox tbody tr")
    await expect(inbox).to_have_count(1)
    await expect(inbox.first).to_contain_text("Camille")
    await expect(inbox.first).to_contain_text("non lu")
    await expect(page.locator(".counts")).to_contain_text("1 Nouvelle")
    await page.screenshot(path=str(stack.shots / "console-inbox.png"), full_page=True)

    await page.get_by_role("link", name="Camille").click()
    transcript = page.locator("#transcript")
    await expect(transcript).to_contain_text("/start")  # the consented conversation
    await expect(page.locator(".facts")).to_contain_text("Rhône (69)")
    # Shared but never answered is told apart from not shared.
    await expect(page.locator(".facts")).to_contain_text("non renseigné")

    # The programme's canned replies fill the box.
    await page.get_by_label("Réponse type").select_option(label="Premier contact")
    await expect(page.get_by_label("Votre réponse")).to_have_value(
        re.compile("Quand pouvons-nous nous appeler")
    )

    # HTML in a reply reaches the user literally, labelled with the coach's first name.
    after = stack.bot.api.last_message_id(stack.chat.user.id)
    await page.get_by_label("Votre réponse").fill("Bonjour Camille <b>!</b> On s'appelle ?")
    await page.get_by_role("button", name="Envoyer").click()
    await expect(page.get_by_role("status")).to_have_text("Réponse envoyée.")
    (sent,) = await stack.bot.api.wait_for_bot_messages(stack.chat.user.id, 1, after=after)
    assert "Julie" in sent.text and "Bonjour Camille <b>!</b> On s'appelle ?" in sent.text
    await expect(transcript).to_contain_text("Bonjour Camille <b>!</b>")

    # The user's answer shows up on the open page without a reload.
    await stack.chat.say("Oui, demain matin si possible", expect=1)
    await expect(transcript).to_contain_text("Oui, demain matin si possible", timeout=15000)
    await expect(page.locator("#state-label")).to_have_text("Attend une réponse")

    # Empty and too long replies are refused with the reason, and the text stays in the box.
    long_text = "x" * 5000
    await page.get_by_label("Votre réponse").evaluate(
        "(box, text) => { box.removeAttribute('maxlength'); box.value = text; }", long_text
    )
    await page.get_by_role("button", name="Envoyer").click()
    await expect(page.get_by_role("alert")).to_contain_text("dépasse 3500 caractères")
    assert await page.get_by_label("Votre réponse").input_value() == long_text

    await page.get_by_label("Nouvelle note").fill("Rappeler jeudi, intéressée par la logistique.")
    await page.get_by_role("button", name="Ajouter la note").click()
    await expect(page.locator(".notes")).to_contain_text("Rappeler jeudi")
    await page.screenshot(path=str(stack.shots / "console-referral.png"), full_page=True)

    # Closing asks the satisfaction question; the answer shows on the page.
    after = stack.bot.api.last_message_id(stack.chat.user.id)
    await page.get_by_label("Résultat", exact=True).select_option("started_training")
    await page.get_by_role("button", name="Clôturer et demander l'avis").click()
    await expect(page.get_by_role("status")).to_contain_text("Demande clôturée")
    (question,) = await stack.bot.api.wait_for_bot_messages(stack.chat.user.id, 1, after=after)
    await stack.chat.tap(question, "4")
    await expect(page.locator("#satisfaction")).to_contain_text("4 sur 5", timeout=15000)

    # A phone-sized screen still shows the conversation and the reply box.
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(stack.console + "/")
    await page.screenshot(path=str(stack.shots / "console-inbox-phone.png"), full_page=True)

    # The admin reads every view and change in the audit log, and filters it.
    admin = await stack.page(ADMIN)
    await expect(admin.get_by_role("heading", level=1)).to_have_text("Journal d'audit")
    entries = admin.locator("table.audit tbody")
    for action in ("a lu la conversation", "a répondu", "a ajouté une note", "a clôturé"):
        await expect(entries).to_contain_text(action)
    await expect(entries).to_contain_text(COACH)
    await admin.screenshot(path=str(stack.shots / "console-audit.png"), full_page=True)
    await admin.get_by_label("Action").select_option("reply")
    await admin.get_by_role("button", name="Filtrer").click()
    rows = admin.locator("table.audit tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(str(stack.referral_id))


async def test_another_programme_sees_nothing_and_csrf_is_required(stack: Stack) -> None:
    from playwright.async_api import expect

    other = await stack.page(OTHER)
    await expect(other.locator("table.inbox")).to_have_count(0)  # an empty inbox
    base = f"{stack.console}/referrals/{stack.referral_id}"
    response = await other.goto(base)
    assert response is not None and response.status == 404
    csrf = await other.locator("input[name=csrf]").first.get_attribute("value")
    for action in ACTION_URLS:
        answer = await other.request.post(
            f"{base}/{action}",
            form={"csrf": csrf or "", "text": "hi", "note": "n", "outcome": "other"},
        )
        assert answer.status == 404, action
    assert (await other.request.get(f"{base}/updates")).status == 404
    assert (await other.request.get(f"{stack.console}/referrals/999999")).status == 404
    assert (await other.request.get(f"{stack.console}/audit")).status == 404

    # The programme's own coach, without the CSRF token (or a wrong one): refused, nothing sent.
    coach = await stack.page(COACH)
    before = len(stack.bot.api.bot_messages(stack.chat.user.id))
    for form in ({"text": "sans jeton"}, {"text": "faux jeton", "csrf": "forged"}):
        answer = await coach.request.post(f"{base}/reply", form=form)
        assert answer.status == 403
        assert "Rechargez la page" in await answer.text()
    assert (await coach.request.post(f"{stack.console}/logout")).status == 403
    # Every other form too: notes, state, closing, outcome, canned replies.
    fields = {"text": "t", "note": "n", "outcome": "other", "title": "t"}
    for path in (
        *(f"{base}/{action}" for action in ACTION_URLS if action != "reply"),
        f"{stack.console}/canned",
    ):
        answer = await coach.request.post(path, form=fields)
        assert answer.status == 403, path
    await asyncio.sleep(0.3)
    assert len(stack.bot.api.bot_messages(stack.chat.user.id)) == before
    async with stack.bot.process.db.transaction() as session:
        assert list(await session.scalars(select(ReferralMessage))) == []
        assert list(await session.scalars(select(CannedReply))) == []
        assert list(await session.scalars(select(ReferralNote))) == []
        referral = await session.get(referrals.Referral, stack.referral_id)
        assert referral is not None and referral.state == "requested"
        actions = {e.action for e in await session.scalars(select(AuditEntry))}
    assert "reply" not in actions


async def test_a_withdrawn_consent_hides_the_referral(stack: Stack) -> None:
    from playwright.async_api import expect

    page = await stack.page(COACH)
    await page.get_by_role("link", name="Camille").click()
    await expect(page.locator("#transcript")).to_contain_text("/start")
    async with stack.bot.process.db.transaction() as session:
        user = await session.get(User, stack.chat.user.id)
        assert user is not None
        referral = await session.get(referrals.Referral, stack.referral_id)
        assert referral is not None
        await referrals.withdraw_consent(session, user, referral.consent_id, now=utcnow())
    # The open page says so within a poll, and stops offering to reply.
    await expect(page.locator("#gone")).to_contain_text("retiré son consentement", timeout=15000)
    await expect(page.get_by_role("button", name="Envoyer")).to_be_disabled()
    response = await page.reload()
    assert response is not None and response.status == 404
    await page.goto(stack.console + "/")
    await expect(page.locator("table.inbox")).to_have_count(0)


async def test_a_coach_keeps_canned_replies_and_sends_one(stack: Stack) -> None:
    from playwright.async_api import expect

    page = await stack.page(COACH)
    await page.get_by_role("link", name="Réponses types").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Réponses types")
    # A title over 100 characters is refused with the reason; what was typed stays.
    title = page.get_by_label("Titre de la réponse")
    await title.evaluate("(box) => { box.removeAttribute('maxlength'); }")
    await title.fill("T" * 101)
    await page.get_by_label("Texte de la réponse").fill("Pensez à apporter votre CV jeudi.")
    await page.get_by_role("button", name="Ajouter la réponse type").click()
    await expect(page.get_by_role("alert")).to_contain_text("Le titre dépasse 100 caractères")
    await expect(page.get_by_label("Texte de la réponse")).to_have_value(
        "Pensez à apporter votre CV jeudi."
    )
    await page.get_by_label("Titre de la réponse").fill("Rappel du CV")
    await page.get_by_role("button", name="Ajouter la réponse type").click()
    await expect(page.get_by_role("status")).to_have_text("Réponse type ajoutée.")
    await expect(page.locator(".canned-reply h2")).to_have_text(["Rappel du CV"])
    # Corrected in place.
    await page.get_by_label("Texte", exact=True).fill("Pensez à apporter votre CV <i>jeudi</i>.")
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.get_by_role("status")).to_have_text("Réponse type enregistrée.")
    await page.screenshot(path=str(stack.shots / "console-canned.png"), full_page=True)

    # The reply box offers it; sent, it reaches the fake Bot API and the user's chat.
    await page.get_by_role("link", name="Boîte de réception", exact=True).click()
    await page.get_by_role("link", name="Camille").click()
    await page.get_by_role("button", name="Prendre en charge").click()
    await expect(page.get_by_role("status")).to_have_text("Demande prise en charge.")
    await page.get_by_label("Réponse type").select_option(label="Rappel du CV")
    await expect(page.get_by_label("Votre réponse")).to_have_value(
        "Pensez à apporter votre CV <i>jeudi</i>."
    )
    after = stack.bot.api.last_message_id(stack.chat.user.id)
    await page.get_by_role("button", name="Envoyer").click()
    await expect(page.get_by_role("status")).to_have_text("Réponse envoyée.")
    (sent,) = await stack.bot.api.wait_for_bot_messages(stack.chat.user.id, 1, after=after)
    assert "Pensez à apporter votre CV <i>jeudi</i>." in sent.text and "Julie" in sent.text

    # The user's answer is found by the inbox search; a word nobody wrote finds nothing.
    await stack.chat.say("Oui, avec mon CV de soudeuse", expect=1)
    await expect(page.locator("#transcript")).to_contain_text("soudeuse", timeout=15000)
    await page.get_by_role("link", name="Boîte de réception", exact=True).click()
    await page.get_by_label("Rechercher").fill("soudeuse")
    await page.get_by_label("Rechercher").press("Enter")
    await expect(page.locator("table.inbox tbody tr")).to_have_count(1)
    await page.get_by_label("Rechercher").fill("plombière")
    await page.get_by_label("Rechercher").press("Enter")
    await expect(page.locator("table.inbox")).to_have_count(0)

    # Closed, then the outcome corrected: both in the audit log with the canned reply's edits.
    await page.goto(f"{stack.console}/referrals/{stack.referral_id}")
    await page.get_by_label("Résultat", exact=True).select_option("no_answer")
    await page.get_by_role("button", name="Clôturer et demander l'avis").click()
    await expect(page.get_by_role("status")).to_contain_text("Demande clôturée")
    await page.get_by_label("Résultat", exact=True).select_option("found_job")
    await page.get_by_role("button", name="Corriger le résultat").click()
    await expect(page.get_by_role("status")).to_have_text("Résultat corrigé.")
    admin = await stack.page(ADMIN)
    entries = admin.locator("table.audit tbody")
    for action in (
        "a ajouté une réponse type",
        "a modifié une réponse type",
        "a changé l'état",
        "a répondu",
        "a clôturé",
        "a changé le résultat",
    ):
        await expect(entries).to_contain_text(action)
    # Another programme's coach cannot touch it, not even by its address.
    other = await stack.page(OTHER)
    await other.get_by_role("link", name="Réponses types").click()
    await expect(other.locator(".canned-reply")).to_have_count(0)
    csrf = await other.locator("input[name=csrf]").first.get_attribute("value")
    async with stack.bot.process.db.transaction() as session:
        canned_id = await session.scalar(select(CannedReply.id))
    for path in (f"/canned/{canned_id}", f"/canned/{canned_id}/delete"):
        answer = await other.request.post(
            stack.console + path, form={"csrf": csrf or "", "title": "x", "text": "y"}
        )
        assert answer.status == 404, path
    answer = await other.request.get(stack.console + "/canned?programme=cap_jeunes")
    assert answer.status == 404
    # Its own coach deletes it: gone from the page and from the reply box.
    await page.get_by_role("link", name="Réponses types").click()
    await page.get_by_role("button", name="Supprimer : Rappel du CV").click()
    await expect(page.get_by_role("status")).to_have_text("Réponse type supprimée.")
    await expect(page.locator(".canned-reply")).to_have_count(0)
    await expect(page.locator(".canned-file")).to_contain_text("Premier contact")
