"""`tremplin run` without a token: a person completes onboarding in the playground, in Chromium."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Debian's chromium is required for the browser tests in CI")
    pytest.skip("chromium is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[str]:
    """The real `tremplin run` command, with no token, in a fresh directory."""
    port = _free_port()
    env = {**os.environ, "TREMPLIN_PLAYGROUND_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    tremplin = Path(sys.executable).with_name("tremplin")
    process = await asyncio.create_subprocess_exec(
        str(tremplin),
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    address = ""
    try:
        async with asyncio.timeout(60):
            while not address:
                line = (await process.stdout.readline()).decode()
                if not line:
                    raise RuntimeError("tremplin run exited before printing its address")
                found = re.search(r"open (http://\S+)", line)
                address = found.group(1) if found else ""
        assert (tmp_path / "tremplin.db").exists()  # embedded SQLite, created and migrated
        yield address
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
    assert process.returncode == 0


async def test_a_person_completes_onboarding_in_the_browser(
    playground: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(playground)
        await page.fill("#name", "Zoë <b>&</b>")
        await page.dispatch_event("#name", "change")
        box = page.get_by_label("Message")
        await box.fill("/start")
        await box.press("Enter")
        bot = page.locator(".msg.bot")
        await expect(bot.nth(1)).to_contain_text("Où habitez-vous", timeout=15000)
        # The name is shown literally and the template's bold is rendered as bold.
        await expect(bot.first).to_contain_text("Zoë <b>&</b>")
        await expect(bot.nth(1).locator("b").first).to_have_text("69")
        await box.fill("Côte-d'Or")
        await box.press("Enter")
        await expect(bot.nth(2)).to_contain_text("Côte-d'Or")
        await page.get_by_role("button", name="Le salaire").click()
        await expect(page.get_by_role("button", name="✅ 💶 Le salaire")).to_be_visible()
        await page.get_by_role("button", name="Un métier d'avenir").click()
        await expect(page.get_by_role("button", name="✅ 🚀 Un métier d'avenir")).to_be_visible()
        await page.get_by_role("button", name="C'est bon").click()
        await expect(bot.last).to_contain_text("votre profil est prêt", timeout=15000)
        await expect(bot.last).to_contain_text("Côte-d'Or (21)")
        await page.screenshot(path=str(tmp_path / "onboarded.png"))

        # Then explore: a list of careers, paged in place, and a career card.
        await page.get_by_role("button", name="Découvrir les métiers").click()
        await expect(bot.last).to_contain_text("métiers 1 à 5", timeout=15000)
        count = await bot.count()
        await page.get_by_role("button", name="Voir plus").click()
        await expect(bot.last).to_contain_text("métiers 6 à 10", timeout=15000)
        assert await bot.count() == count  # edited in place, not re-sent
        await bot.last.get_by_role("button").first.click()
        await expect(bot.last).to_contain_text("Salaire", timeout=15000)
        await page.get_by_role("button", name="Enregistrer").click()
        await expect(bot.last).to_contain_text("intéresse", timeout=15000)
        shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
        await asyncio.to_thread(shots.mkdir, parents=True, exist_ok=True)
        await page.screenshot(path=str(shots / "playground-onboarding.png"), full_page=True)

        # /export: the file the bot sends can be downloaded from the page.
        await box.fill("/export")
        await box.press("Enter")
        link = bot.last.locator("a.doc")
        await expect(link).to_be_visible(timeout=15000)
        async with page.expect_download() as info:
            await link.click()
        exported = tmp_path / "export.json"
        await (await info.value).save_as(exported)
        assert "Côte-d'Or" in exported.read_text(encoding="utf-8")
        await browser.close()
