"""Checking an operator's version of a text before it can be published, and previewing it.

An operator's template is compiled and rendered in Jinja2's sandbox (the bot's catalogue uses the
same sandbox, so a stored text cannot reach Python internals either). It must:
- compile (Jinja2 syntax);
- use only the variables the shipped text receives (its "declared" variables), and no attribute
  or item whose name starts with "_" (`{{ cycler.__init__.__globals__ }}` is refused by name);
- render, with the sample values of `samples.yaml`, once as is and once with each plural variable
  at 1 and at 3, to Telegram's HTML subset with balanced tags;
- stay within Telegram's limits for every sample: 4,096 characters for a message, 1,024 for a
  caption (keys ending in `_caption`), 64 bytes for a button label (keys ending in `_button`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from messages.render import LANGUAGES, default_catalog, load_shipped, plain_text

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_BYTES = 64
# Variables whose value decides between a singular and a plural wording.
PLURAL_VARIABLES = ("count", "n", "hidden", "total", "months", "readiness", "interest", "score")
# Telegram's HTML subset (Bot API "HTML style"), with the attributes each tag may carry.
ALLOWED_TAGS: dict[str, set[str]] = {
    "b": set(), "strong": set(), "i": set(), "em": set(), "u": set(), "ins": set(),
    "s": set(), "strike": set(), "del": set(), "code": {"class"}, "pre": set(),
    "a": {"href"}, "tg-spoiler": set(), "span": {"class"}, "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_SAMPLES = Path(__file__).parent / "samples.yaml"


def sandbox() -> SandboxedEnvironment:
    """A sandboxed Jinja2 environment with the catalogue's settings and filters."""
    env = SandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    # The same filters as the bot's catalogue (figures, amounts, dates as each language writes).
    env.filters.update(default_catalog().environment.filters)
    return env


@lru_cache(maxsize=1)
def samples() -> dict[str, Any]:
    """The sample value of every variable (samples.yaml)."""
    data = yaml.safe_load(_SAMPLES.read_text(encoding="utf-8")) or {}
    return dict(data)


@lru_cache(maxsize=1)
def _shipped() -> dict[str, dict[str, str]]:
    return load_shipped()


def _variables(source: str) -> set[str]:
    return set(meta.find_undeclared_variables(sandbox().parse(source)))


@lru_cache(maxsize=1024)
def declared_variables(key: str) -> frozenset[str]:
    """The variables the bot gives this text: those its shipped versions use, plus `lang`."""
    found = {"lang"}
    for lang in LANGUAGES:
        source = _shipped().get(lang, {}).get(key)
        if source is not None:
            found |= _variables(source)
    return frozenset(found)


def sample_contexts(key: str) -> list[dict[str, Any]]:
    """The sample contexts a text is rendered with: the samples as they are, then each plural
    variable the text receives at 1 and at 3."""
    base = {name: value for name, value in samples().items() if name in declared_variables(key)}
    contexts = [base]
    for name in PLURAL_VARIABLES:
        if name in base:
            contexts += [{**base, name: 1}, {**base, name: 3}]
    return contexts


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"the tag <{tag}> is not one Telegram shows")
            return
        for name, _ in attrs:
            if name not in ALLOWED_TAGS[tag]:
                self.problems.append(f"the tag <{tag}> cannot carry the attribute {name}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"the tag </{tag}> is not one Telegram shows")
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes a tag that is not open")
        else:
            self.stack.pop()


def html_problems(text: str) -> list[str]:
    """What Telegram would refuse in this HTML: unknown tags or attributes, unbalanced tags."""
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    problems = checker.problems
    if checker.stack:
        problems.append(f"<{checker.stack[-1]}> is never closed")
    return list(dict.fromkeys(problems))


def _internals(tree: nodes.Template) -> list[str]:
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = (
            node.attr
            if isinstance(node, nodes.Getattr)
            else getattr(getattr(node, "arg", None), "value", None)
        )
        if isinstance(name, str) and name.startswith("_"):
            found.append(name)
    return found


@dataclass
class Check:
    """The verdict on one version of a text: the problems (empty when it can be published) and
    its rendering with the first sample (Telegram HTML), for the preview."""

    problems: list[str] = field(default_factory=list)
    rendered: str = ""
    longest: int = 0

    @property
    def ok(self) -> bool:
        """Whether this version can be published."""
        return not self.problems


def limit_for(key: str) -> tuple[int, str]:
    """Telegram's limit for this text and its unit."""
    if key.endswith("_button"):
        return BUTTON_BYTES, "bytes"
    if key.endswith("_caption"):
        return CAPTION_LIMIT, "characters"
    return MESSAGE_LIMIT, "characters"


def check(key: str, lang: str, source: str) -> Check:
    """Validate an operator's version of `key` in `lang` (see the module doc)."""
    result = Check()
    if key not in _shipped().get("fr", {}) and key not in _shipped().get("en", {}):
        result.problems.append(f"there is no text {key}")
        return result
    env = sandbox()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        result.problems.append(f"Jinja2 syntax error line {exc.lineno}: {exc.message}")
        return result
    internals = _internals(tree)
    if internals:
        result.problems.append(
            "refused: the template reaches for Python internals ("
            + ", ".join(sorted(set(internals)))
            + "); only the text's variables may be used"
        )
        return result
    unknown = sorted(set(meta.find_undeclared_variables(tree)) - declared_variables(key))
    if unknown:
        allowed = ", ".join(sorted(declared_variables(key)))
        result.problems.append(
            f"unknown variable{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
            f"(this text receives: {allowed})"
        )
        return result
    limit, unit = limit_for(key)
    try:
        template = env.from_string(source)
    except TemplateError as exc:
        result.problems.append(f"the template does not compile: {exc}")
        return result
    for number, context in enumerate(sample_contexts(key)):
        try:
            text = template.render(lang=lang, **context).strip()
        except SecurityError as exc:
            result.problems.append(f"refused by the sandbox: {exc}")
            return result
        except Exception as exc:  # any rendering error makes the version unpublishable
            result.problems.append(f"the text does not render with the sample values: {exc}")
            return result
        if number == 0:
            result.rendered = text
        result.problems += html_problems(text)
        size = len(plain_text(text).encode()) if unit == "bytes" else len(plain_text(text))
        result.longest = max(result.longest, size)
        if size > limit:
            result.problems.append(
                f"too long: {size} {unit} once rendered, Telegram allows {limit:,}"
            )
    result.problems = list(dict.fromkeys(result.problems))
    return result


_LINK = re.compile(r"<a href=\"([^\"]*)\">")


def telegram_preview_html(rendered: str) -> str:
    """The rendered text as a web page shows it like Telegram: its HTML subset kept (already
    checked), line breaks as <br>, links opening elsewhere; anything else escaped."""
    if html_problems(rendered):
        return html.escape(plain_text(rendered)).replace("\n", "<br>")
    out = rendered.replace("\n", "<br>")

    def link(match: re.Match[str]) -> str:
        href = match.group(1)
        safe = href if href.startswith(("https://", "http://", "tg://")) else "#"
        return f'<a href="{safe}" rel="noopener" target="_blank">'

    return _LINK.sub(link, out)
