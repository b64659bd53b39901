"""Render message templates into Telegram HTML.

Templates live in `messages/catalog/<lang>/<area>.yaml`: each key of the file is a Jinja2
template, addressed as `<area>.<key>`. Autoescaping is on, so a first name such as
`<b>Zoë & co</b>` is shown literally. Operators' versions of the texts (the `text_overrides`
table, read by `kernel.texts` in every process) are laid over the shipped catalogue with
`Catalog.set_overrides`; one that does not compile or render falls back to the shipped text.

A partner programme's own versions (its white label) are laid over those for the users who are
with that programme: `programme_texts` / `use_programme_texts` say, for the update or message being
composed, whose texts to use (`kernel.partners.use_texts_of` decides who is with which programme).
A programme's version that fails falls back to the general text.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from messages import formats

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_CATALOG_DIR = Path(__file__).parent / "catalog"
_TAG = re.compile(r"<[^>]+>")
SHIPPED = "shipped:"  # the prefix that names a shipped template, overrides ignored
PROGRAMME = "@"  # "@<code>:<lang>:<key>" names a programme's own version of a template

log = logging.getLogger(__name__)

# The programme whose own texts the message being composed uses (None: the general texts). A
# context variable: each update and each nudge is composed in its own task or block.
_programme: ContextVar[str | None] = ContextVar("text_programme", default=None)


@contextmanager
def programme_texts(code: str | None = None) -> Iterator[None]:
    """Within this block, render with programme `code`'s own texts where it has some (and
    whatever `use_programme_texts` sets inside); the previous choice comes back after it."""
    token = _programme.set(code)
    try:
        yield
    finally:
        _programme.reset(token)


def use_programme_texts(code: str | None) -> None:
    """From now on in this block (see `programme_texts`), use programme `code`'s texts: for the
    moment a user joins a programme in the middle of an update."""
    _programme.set(code)


def text_programme() -> str | None:
    """The programme whose texts are in use here, if any."""
    return _programme.get()


def supported_language(code: str | None) -> str:
    """Map Telegram's language_code to a language the bot speaks: French for fr-*, else English."""
    if code and code.lower().split("-")[0] == "fr":
        return "fr"
    return "en" if code else DEFAULT_LANGUAGE


def plain_text(telegram_html: str) -> str:
    """The text a reader sees, without markup: the fall-back when Telegram refuses the HTML."""
    return html.unescape(_TAG.sub("", telegram_html))


def load_shipped() -> dict[str, dict[str, str]]:
    """Read every shipped template: {lang: {key: source}}."""
    sources: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        entries: dict[str, str] = {}
        for path in sorted((_CATALOG_DIR / lang).glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping of keys to templates")
            for key, source in data.items():
                entries[f"{path.stem}.{key}"] = str(source)
        sources[lang] = entries
    return sources


def _of_quoted(title: str) -> Markup:
    """The `de` filter: "de « X »" / "d'« X »", the title escaped, the apostrophe left as is."""
    return Markup(formats.of_quoted(str(escape(title))))


class _CatalogLoader(BaseLoader):
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get_source(self, environment: Environment, template: str) -> tuple[str, None, Any]:
        catalog = self.catalog
        if template.startswith(PROGRAMME):
            code, lang, key = template.removeprefix(PROGRAMME).split(":", 2)
            source = catalog.programme_source(code, key, lang)
        elif template.startswith(SHIPPED):
            lang, _, key = template.removeprefix(SHIPPED).partition(":")
            source = catalog.shipped_source(key, lang)
        else:
            lang, _, key = template.partition(":")
            source = catalog.source(key, lang)
        if source is None:
            raise TemplateNotFound(template)
        # Always up to date: `Catalog.override` empties the cache itself. (Answering "not up to
        # date" here made Jinja compile the template again on every single render, which was
        # the largest cost of an update.)
        return source, None, lambda: True


class Catalog:
    """Every template in every language, with operators' overrides laid over the shipped ones."""

    def __init__(self, shipped: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._shipped = {lang: dict(keys) for lang, keys in (shipped or load_shipped()).items()}
        self._overrides: dict[tuple[str, str], str] = {}
        self._programmes: dict[tuple[str, str, str], str] = {}
        # Sandboxed: operators' versions run here too, and must never reach Python internals.
        self.environment = SandboxedEnvironment(
            loader=_CatalogLoader(self),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
            cache_size=-1,  # every template stays compiled (a few hundred, a few MB)
        )
        # Figures, amounts and dates as each language writes them (no-break spaces in French).
        self.environment.filters.update(
            number=formats.number,
            euros=formats.euros,
            percent=formats.percent,
            date=formats.long_date,
            clock=formats.clock,
            de=_of_quoted,
        )

    def keys(self, lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """Every template key of a language."""
        return sorted(self._shipped.get(lang, {}))

    def shipped_source(self, key: str, lang: str) -> str | None:
        """The template as shipped, ignoring overrides."""
        return self._shipped.get(lang, {}).get(key)

    def source(self, key: str, lang: str) -> str | None:
        """The template in force: the override if any, else the shipped one."""
        return self._overrides.get((lang, key), self.shipped_source(key, lang))

    def programme_source(self, code: str, key: str, lang: str) -> str | None:
        """Programme `code`'s own version of a template, if it has one."""
        return self._programmes.get((code, lang, key))

    def override(self, key: str, lang: str, source: str | None) -> None:
        """Set (or with None, drop) an operator's version of a template."""
        overrides = dict(self._overrides)
        if source is None:
            overrides.pop((lang, key), None)
        else:
            overrides[(lang, key)] = source
        self.set_overrides(overrides, self._programmes)

    def set_overrides(
        self,
        overrides: Mapping[tuple[str, str], str],
        programmes: Mapping[tuple[str, str, str], str] | None = None,
    ) -> None:
        """Lay these operators' versions ((lang, key) → template) over the shipped texts, and
        the programmes' own ones ((programme, lang, key) → template) over those, replacing the
        previous ones. A version that does not compile is left out and logged: the text beneath
        it stays in force."""
        self._overrides = {
            (lang, key): source
            for (lang, key), source in overrides.items()
            if self._compiles(source, key, lang, None)
        }
        self._programmes = {
            (code, lang, key): source
            for (code, lang, key), source in (programmes or {}).items()
            if self._compiles(source, key, lang, code)
        }
        self.environment.cache = {} if self.environment.cache is not None else None

    def _compiles(self, source: str, key: str, lang: str, code: str | None) -> bool:
        try:
            self.environment.parse(source)
        except TemplateError as exc:
            beneath = "general" if code else "shipped"
            log.error("the stored text %s (%s%s) does not compile, %s text used: %s",
                      key, lang, f", {code}" if code else "", beneath, exc)
            return False
        return True

    def overridden(self, key: str, lang: str) -> bool:
        """Whether an operator's version of this template is in force."""
        return (lang, key) in self._overrides

    def template(self, key: str, lang: str) -> Template:
        """The compiled template for a key, falling back to French when a language lacks it."""
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        if self.source(key, lang) is None:
            lang = DEFAULT_LANGUAGE
        return self.environment.get_template(f"{lang}:{key}")

    def render(self, key: str, lang: str, **context: Any) -> str:
        """Render a template with the given context; the result is Telegram HTML.

        French output gets its "œ" back where the data wrote "oe" ("Manœuvre", "gros œuvre").
        Where a programme's texts are in use (`programme_texts`) and it has its own version of
        this one, that version is rendered; if it fails, the general text is.
        """
        code = _programme.get()
        if code is not None:
            own = self._programme_render(code, key, lang, context)
            if own is not None:
                return own
        template = self.template(key, lang)
        try:
            text = template.render(lang=lang, **context).strip()
        except Exception:
            name = str(template.name)
            if not self.overridden(key, name.partition(":")[0]):
                raise
            # An operator's version that fails at render time (e.g. a variable the template
            # does not get): the user gets the shipped text, the operators a log line.
            log.exception("the stored text %s (%s) failed to render, shipped text used", key, lang)
            text = self.environment.get_template(SHIPPED + name).render(lang=lang, **context)
            text = text.strip()
        return formats.ligatures(text) if lang == "fr" else text

    def _programme_render(
        self, code: str, key: str, lang: str, context: Mapping[str, Any]
    ) -> str | None:
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        if (code, lang, key) not in self._programmes:
            return None
        try:
            template = self.environment.get_template(f"{PROGRAMME}{code}:{lang}:{key}")
            text = template.render(lang=lang, **context).strip()
        except Exception:
            log.exception("the stored text %s (%s, %s) failed to render, general text used",
                          key, lang, code)
            return None
        return formats.ligatures(text) if lang == "fr" else text


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The process-wide catalogue."""
    return Catalog()


def render(key: str, lang: str, **context: Any) -> str:
    """Render a template of the process-wide catalogue."""
    return default_catalog().render(key, lang, **context)


def render_label(key: str, lang: str, **context: Any) -> str:
    """A button's text from its template: Telegram shows labels as plain text, so a name such
    as O'Brien must not reach it HTML-escaped ("O&#39;Brien")."""
    return plain_text(render(key, lang, **context))
