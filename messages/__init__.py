"""What the bot says: Jinja2 templates (fr, en), rendering for Telegram HTML, outgoing messages."""

from messages.outgoing import Action, Button, Outcome, Reply
from messages.render import render, render_label, supported_language

__all__ = ["Action", "Button", "Outcome", "Reply", "render", "render_label", "supported_language"]
