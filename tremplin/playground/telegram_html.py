"""Telegram's HTML formatting: validate it as the Bot API does, and turn it into safe web HTML."""

from __future__ import annotations

import html
from html.parser import HTMLParser

ALLOWED = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "a": "a",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "span",
    "span": "span",
    "blockquote": "blockquote",
    "tg-emoji": "span",
}


class EntityError(ValueError):
    """The text is not valid Telegram HTML ("can't parse entities")."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.plain: list[str] = []
        self.web: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            raise EntityError(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)
        if tag == "a":
            href = dict(attrs).get("href") or ""
            safe = href if href.startswith(("http://", "https://", "tg://")) else "#"
            self.web.append(
                f'<a href="{html.escape(safe)}" target="_blank" rel="noopener noreferrer">'
            )
        elif tag in ("tg-spoiler", "span"):
            self.web.append('<span class="spoiler">')
        else:
            self.web.append(f"<{ALLOWED[tag]}>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise EntityError(f'Unmatched end tag "{tag}"')
        self.stack.pop()
        self.web.append(f"</{ALLOWED[tag]}>")

    def handle_data(self, data: str) -> None:
        self.plain.append(data)
        self.web.append(html.escape(data).replace("\n", "<br>"))


def parse(text: str, parse_mode: str | None) -> tuple[str, str]:
    """Return (plain text, safe web HTML); raise EntityError for invalid Telegram HTML."""
    if (parse_mode or "").upper() != "HTML":
        return text, html.escape(text).replace("\n", "<br>")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.plain), "".join(parser.web)
