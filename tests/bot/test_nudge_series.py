"""One series of three nudges per person, speaking of the careers they keep (issue 9, item 3)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.bot.conftest import Chat
from tests.bot.test_nudges import (
    CAREER,
    TITLE,
    nudges,
    onboarded,
    rows,
    save_career,
    settled,
    start_bot,
    wait_nudges,
)
from tremplin.playground.emulator import ChatMessage

OTHER = "A1101"
OTHER_TITLE = "Conducteur / Conductrice d'engins agricoles"


async def card_later(chat: Chat, rome: str) -> ChatMessage:
    """A career's card opened from a fresh /explore list (so it replaces the list, not a nudge
    that arrived in the meantime)."""
    after = chat.api.last_message_id(chat.user.id)
    await chat.say("/explore", expect=0)

    def listing() -> ChatMessage | None:
        # The list, not a nudge that may arrive at the same moment.
        return next(
            (
                m
                for m in chat.api.bot_messages(chat.user.id)
                if m.message_id > after
                and any(str(b.get("callback_data", "")).startswith("1|ec|") for b in m.buttons)
            ),
            None,
        )

    found: ChatMessage = await chat.api.wait_for(listing)
    await chat.press(found, f"1|ec|{rome}|n")
    return found


async def save_later(chat: Chat, rome: str) -> None:
    """Save a career from a fresh card."""
    card = await card_later(chat, rome)
    await chat.tap(card, "Enregistrer", expect=1)


async def test_a_second_save_neither_restarts_nor_doubles_the_series(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,2s,3s")
    chat = await onboarded(running, 841)
    await save_career(chat, interest="Beaucoup")  # the first career is rated "very interested"
    (first,) = await wait_nudges(running, chat, 1)
    assert TITLE in first.text
    await save_later(chat, OTHER)
    _, second, third = await wait_nudges(running, chat, 3)
    # Later steps speak of the career saved most recently, even though the first was rated.
    assert OTHER_TITLE in second.text and OTHER_TITLE in third.text
    found = await settled(running, 841)
    assert [(r.sequence, r.step, r.state) for r in found] == [
        (1, 1, "sent"),
        (1, 2, "sent"),
        (1, 3, "sent"),
    ]
    await save_later(chat, "M1805")  # a third career after the series: no new series
    await asyncio.sleep(1)
    assert len(nudges(running, chat)) == 3 and len(await rows(running, 841)) == 3


async def test_a_removed_career_is_not_spoken_of(bot_factory: Any) -> None:
    running = await start_bot(bot_factory, nudge_delays="0.5s,3s")
    chat = await onboarded(running, 842)
    await save_career(chat, OTHER)
    await save_later(chat, CAREER)
    await wait_nudges(running, chat, 1)
    # The latest saved career is removed before step 2.
    await chat.tap(await card_later(chat, CAREER), "Retirer")
    _, second = await wait_nudges(running, chat, 2)
    assert OTHER_TITLE in second.text and TITLE not in second.text
