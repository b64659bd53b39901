"""The playground's chat page in Chromium, with the test playing the bot through the Bot API.

The emulator and the page are served in-process; the test sends, edits and answers as the bot
would (over HTTP, as python-telegram-bot does), and looks at what each person's browser shows.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from tests.browser.test_playground import CHROMIUM, CHROMIUM_ARGS
from tremplin.playground.emulator import BotApiEmulator, FakeUser
from tremplin.playground.page import page_routes
from tremplin.serving import serve

pytestmark = pytest.mark.browser

TOKEN = "1:page-test"
ALICE, BOB = 1001, 1002


@dataclass
class Stage:
    """The emulator with its page, a scripted bot, and a browser to open people's chats in."""

    api: BotApiEmulator
    root: str
    http: httpx.AsyncClient
    browser: Any
    answered: set[str]

    async def bot(self, method: str, **params: Any) -> dict[str, Any]:
        """Call the Bot API as the bot does; returns the result."""
        response = await self.http.post(f"{self.root}/bot{TOKEN}/{method}", data=params)
        body: dict[str, Any] = response.json()
        assert body["ok"], body
        return body

    async def send(self, chat_id: int, text: str, *buttons: str) -> int:
        """sendMessage, with one row of buttons whose data is their label; returns its id."""
        params: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if buttons:
            params["reply_markup"] = _keyboard(*buttons)
        sent = await self.bot("sendMessage", **params)
        message_id: int = sent["result"]["message_id"]
        return message_id

    async def next_press(self) -> str:
        """The id of the next button press nobody has answered yet."""

        def pending() -> str | None:
            for update in self.api.updates:
                query = update.get("callback_query")
                if query and query["id"] not in self.answered:
                    return str(query["id"])
            return None

        query_id: str = await self.api.wait_for(pending)
        self.answered.add(query_id)
        return query_id

    async def open_chat(self, user_id: int, **context: Any) -> Any:
        """A person's browser on the page (their own profile), already showing the chat."""
        browser_context = await self.browser.new_context(
            viewport={"width": 800, "height": 600}, **context
        )
        await browser_context.add_init_script(
            f"window.localStorage.setItem('tremplin.user', '{user_id}');" + _RECORD_NOTICES
        )
        page = await browser_context.new_page()
        await page.goto(self.root + "/")
        return page


# Every notice the page shows, in order, in `window.shownNotices` (a notice lasts a few seconds:
# the test reads the history rather than catching it on screen).
_RECORD_NOTICES = """
window.shownNotices = [];
let showing = null;
new MutationObserver(() => {
  const notice = document.getElementById("notice");
  const now = notice && notice.style.display === "block" ? notice.textContent : null;
  if (now !== showing && now) window.shownNotices.push(now);
  showing = now;
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


async def _notices(page: Any) -> list[str]:
    shown: list[str] = await page.evaluate("window.shownNotices")
    return shown


def _keyboard(*labels: str) -> str:
    return json.dumps({"inline_keyboard": [[{"text": t, "callback_data": t} for t in labels]]})


@pytest.fixture
async def stage() -> AsyncIterator[Stage]:
    from playwright.async_api import async_playwright

    api = BotApiEmulator(TOKEN)
    for user_id in (ALICE, BOB):
        api.ensure_chat(FakeUser(user_id))
    app = Starlette(routes=[*api.routes(), *page_routes(api)])
    async with (
        serve(app) as root,
        httpx.AsyncClient() as http,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield Stage(api, root, http, browser, set())
        finally:
            await browser.close()


async def test_a_notice_shows_once_to_the_person_who_pressed_and_again_when_repeated(
    stage: Stage,
) -> None:
    from playwright.async_api import expect

    await stage.send(ALICE, "Soins infirmiers", "⭐ Enregistrer")
    alice = await stage.open_chat(ALICE)
    bob = await stage.open_chat(BOB)
    await expect(alice.get_by_role("button", name="Enregistrer")).to_be_visible()

    await alice.get_by_role("button", name="Enregistrer").click()
    await stage.bot(
        "answerCallbackQuery", callback_query_id=await stage.next_press(), text="⭐ Enregistré !"
    )
    await expect(alice.locator("#notice")).to_have_text("⭐ Enregistré !")
    await expect(alice.locator("#notice")).to_be_visible()
    # Bob's page polls all along and never shows Alice's notice.
    await bob.wait_for_timeout(1500)
    assert await _notices(bob) == []

    # Reloading does not replay it.
    await alice.reload()
    await expect(alice.get_by_role("button", name="Enregistrer")).to_be_visible()
    await alice.wait_for_timeout(1500)
    assert await _notices(alice) == []

    # The same answer to a second press is shown again.
    await alice.get_by_role("button", name="Enregistrer").click()
    await stage.bot(
        "answerCallbackQuery", callback_query_id=await stage.next_press(), text="⭐ Enregistré !"
    )
    await expect(alice.locator("#notice")).to_be_visible()
    await expect(alice.locator("#notice")).to_have_text("⭐ Enregistré !")
    assert await _notices(alice) == ["⭐ Enregistré !"]


async def test_an_edited_earlier_message_stays_in_view(stage: Stage) -> None:
    from playwright.async_api import expect

    listing = await stage.send(ALICE, "Métiers 1 à 5", "Voir plus ▶")
    for n in range(12):
        await stage.send(ALICE, f"Relance {n}\n" + "Une ligne de texte.\n" * 4)
    alice = await stage.open_chat(ALICE)
    latest = alice.locator(".msg", has_text="Relance 11")
    await expect(latest).to_be_in_viewport()  # a chat opens on its latest message

    # Scrolled back up, she asks for the next page: the list is edited in place, and it is
    # page 2 she sees, not the latest message.
    await alice.get_by_role("button", name="Voir plus").click()
    await stage.bot("answerCallbackQuery", callback_query_id=await stage.next_press())
    await stage.bot(
        "editMessageText",
        chat_id=ALICE,
        message_id=listing,
        text="Métiers 6 à 10\n" + "Un métier.\n" * 6,
        reply_markup=_keyboard("◀"),
    )
    page_two = alice.locator(".msg", has_text="Métiers 6 à 10")
    await expect(page_two).to_be_visible()
    await expect(page_two).to_be_in_viewport()
    await alice.wait_for_timeout(800)  # a later poll does not move it either
    await expect(page_two).to_be_in_viewport()
    await expect(latest).not_to_be_in_viewport()

    # A new message while she reads up there does not pull her away; a button leads to it.
    await stage.send(ALICE, "Un nouveau message")
    newer = alice.get_by_role("button", name="Nouveaux messages")
    await expect(newer).to_be_visible()
    await expect(page_two).to_be_in_viewport()
    await newer.click()
    await expect(alice.locator(".msg", has_text="Un nouveau message")).to_be_in_viewport()

    # Following the end of the chat, new messages come into view by themselves.
    await stage.send(ALICE, "Encore un")
    await expect(alice.locator(".msg", has_text="Encore un")).to_be_in_viewport()


async def test_an_exported_file_can_be_downloaded(stage: Stage, tmp_path: Path) -> None:
    from playwright.async_api import expect

    content = json.dumps({"first_name": "Zoë", "saved": ["Soins infirmiers"]}).encode()
    sent = await stage.http.post(
        f"{stage.root}/bot{TOKEN}/sendDocument",
        data={"chat_id": str(ALICE), "caption": "Voici toutes les données que je garde sur vous."},
        files={"document": ("tremplin-1001.json", content, "application/json")},
    )
    assert sent.json()["ok"]
    alice = await stage.open_chat(ALICE, accept_downloads=True)
    link = alice.get_by_role("link", name="tremplin-1001.json")
    await expect(link).to_be_visible()
    async with alice.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename == "tremplin-1001.json"
    saved = tmp_path / "download.json"
    await download.save_as(saved)
    assert saved.read_bytes() == content


async def test_each_message_shows_its_local_time(stage: Stage) -> None:
    from playwright.async_api import expect

    await stage.send(ALICE, "Bonjour Zoë !")
    alice = await stage.open_chat(ALICE, timezone_id="Asia/Kolkata")
    await alice.get_by_label("Message").fill("Bonjour")
    await alice.get_by_label("Message").press("Enter")
    bot_message, own_message = await stage.api.wait_for(
        lambda: stage.api.messages(ALICE)[:2] if len(stage.api.messages(ALICE)) >= 2 else None
    )
    zone = ZoneInfo("Asia/Kolkata")  # half an hour off UTC: a UTC clock would be wrong
    for message in (bot_message, own_message):
        local = datetime.fromtimestamp(message.date, zone).strftime("%H:%M")
        bubble = alice.locator(f'.msg[data-id="{message.message_id}"]')
        await expect(bubble.locator(".time")).to_have_text(local)
