"""Button labels are plain text: Telegram shows them as typed, so they never carry HTML entities."""

from __future__ import annotations

import ast
from pathlib import Path

from messages import render_label

ROOT = Path(__file__).resolve().parents[2]


def test_a_label_from_a_template_is_plain_text() -> None:
    assert render_label("coach.reply_button", "fr", coach="O'Brien & <Co>") == (
        "💬 Répondre à O'Brien & <Co>"
    )


def test_no_button_takes_its_label_from_an_html_template() -> None:
    """`render` gives Telegram HTML (names escaped); a label needs `render_label`."""
    offenders: list[str] = []
    packages = [init.parent for init in ROOT.glob("*/__init__.py") if init.parent.name != "tests"]
    for path in sorted(p for package in packages for p in package.rglob("*.py")):
        relative = path.relative_to(ROOT)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Button"):
                continue
            label = node.args[0] if node.args else None
            if isinstance(label, ast.Call) and getattr(label.func, "id", None) == "render":
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []
