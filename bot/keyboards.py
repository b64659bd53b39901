"""Turning the domain's buttons into Telegram inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import encode
from messages.layout import reflow
from messages.outgoing import Button, Reply


def _button(button: Button) -> InlineKeyboardButton:
    if button.url is not None:
        return InlineKeyboardButton(button.text, url=button.url)
    if button.action is None:
        raise ValueError(f"button {button.text!r} has neither an action nor a link")
    return InlineKeyboardButton(button.text, callback_data=encode(button.action))


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a reply, or None when it has no buttons."""
    if not reply.buttons:
        return None
    # Laid out by label length so that every label shows whole on a phone (messages.layout).
    rows = reflow(row for row in reply.buttons if row)
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in rows])
