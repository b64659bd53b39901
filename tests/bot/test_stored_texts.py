"""A text an operator saves is what the running bot sends within seconds, without a restart."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from kernel.texts import REFRESH_SECONDS, save_text
from messages.render import default_catalog


async def test_a_saved_text_is_sent_within_seconds(running: Any) -> None:
    chat = running.chat(4301)
    (before,) = await chat.say("/help")
    async with running.process.db.transaction() as session:
        await save_text(session, "common.help", "fr", "Aide du jour : tapez /explore", who="ops")
    saved_at = time.monotonic()
    try:
        while True:
            (answer,) = await chat.say("/help")
            if answer.text == "Aide du jour : tapez /explore":
                break
            assert answer.text == before.text
            assert time.monotonic() - saved_at < REFRESH_SECONDS + 5
            await asyncio.sleep(0.5)
    finally:
        default_catalog().set_overrides({})  # the catalogue is process-wide in the tests
