"""The console process sends coaches' replies itself (not through a bot process): it keeps the
operators' texts in force as the bot does, so a version published while it runs is the wording
of its next reply."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx

from accounts import service as accounts
from coaching import consent as consents
from coaching import referrals
from kernel import texts
from kernel.partners import get_partner
from messages.render import default_catalog
from storage.engine import Database
from storage.models import utcnow
from tests.support import make_user
from tremplin.console_process import ConsoleProcess
from tremplin.playground.emulator import BotApiEmulator, FakeUser
from tremplin.serving import serve
from tremplin.settings import load_settings

TOKEN = "123456:TEST-token_for-the-console"
PASSWORD = "a long coach password"
USER = 6001
PUBLISHED = "{{ coach }} ({{ programme }}) vous écrit : {{ text }}"


async def _referral(db: Database) -> int:
    """A consented referral to Cap Jeunes, and Julie, its coach."""
    async with db.transaction() as session:
        user = await make_user(session, USER)
        partner = await get_partner(session, "cap_jeunes")
        assert partner is not None
        items = consents.items_for(rome=None, share_conversation=False)
        consent = await consents.give(session, user, partner.code, items, now=utcnow())
        referral = await referrals.create(
            session, user, partner, consent, rome=None, catalogue=None, now=utcnow()
        )
        await accounts.create_account(
            session,
            "julie@capjeunes.example",
            "coach",
            PASSWORD,
            programme_code="cap_jeunes",
            display_name="Julie Martin",
        )
        return referral.id


async def _published_in_force(timeout: float = 30) -> None:
    """Wait until this process's catalogue words a coach's message the published way (the
    console's job checks the table every few seconds)."""
    deadline = time.monotonic() + timeout
    sample = {"coach": "C", "programme": "P", "text": "T"}
    while default_catalog().render("coach.coach_message", "fr", **sample) != "C (P) vous écrit : T":
        if time.monotonic() > deadline:
            raise TimeoutError(f"still the old wording after {timeout} s")
        await asyncio.sleep(0.1)


async def test_a_text_published_while_the_console_runs_words_its_next_reply(
    database_url: str, tmp_path: Path
) -> None:
    api = BotApiEmulator(TOKEN)
    api.ensure_chat(FakeUser(USER))
    async with serve(api.app()) as root:
        settings = load_settings(
            env_file=None,
            database_url=database_url,
            telegram_bot_token=TOKEN,
            bot_api_url=root,
            data_dir=str(tmp_path / "no-imports"),
        )
        console = ConsoleProcess(settings, TOKEN, root)
        address = await console.start(host="127.0.0.1", port=0)
        try:
            referral_id = await _referral(console.db)
            async with httpx.AsyncClient(base_url=address) as http:
                login = await http.get("/login")
                await http.post(
                    "/login",
                    data={
                        "csrf": _csrf(login.text),
                        "email": "julie@capjeunes.example",
                        "password": PASSWORD,
                    },
                )
                page = await http.get(f"/referrals/{referral_id}")
                path = f"/referrals/{referral_id}/reply"
                first = await http.post(path, data={"csrf": _csrf(page.text), "text": "Bonjour"})
                assert first.status_code == 303
                assert api.bot_messages(USER)[-1].text == "💬 Julie · Cap Jeunes 18-30\nBonjour"
                async with console.db.transaction() as session:
                    await texts.publish(
                        session, "coach.coach_message", "fr", PUBLISHED, who="op@example.org"
                    )
                await _published_in_force()
                second = await http.post(path, data={"csrf": _csrf(page.text), "text": "Demain ?"})
                assert second.status_code == 303
            last = api.bot_messages(USER)[-1].text
            assert last == "Julie (Cap Jeunes 18-30) vous écrit : Demain ?"
        finally:
            await console.stop()
            default_catalog().set_overrides({})  # the catalogue is process-wide in the tests


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)
