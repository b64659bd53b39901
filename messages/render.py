"""Render message templates into Telegram HTML.

Templates live in `messages/catalog/<lang>/<area>.yaml`: each key of the file is a Jinja2
template, addressed as `<area>.<key>`. Autoescaping is on, so a first name such as
`<b>Zoë & co</b>` is shown literally. Operators' versions of the texts (the `text_overrides`
table, read by `kernel.texts` in every process) are laid over the shipped catalogue with
`Catalog.set_overrides`; one that does not compile or render falls back to the shipped text.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
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

log = logging.getLogger(__name__)


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
        shipped = template.startswith(SHIPPED)
        lang, _, key = template.removeprefix(SHIPPED).partition(":")
        catalog = self.catalog
        source = catalog.shipped_source(key, lang) if shipped else catalog.source(key, lang)
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

    def override(self, key: str, lang: str, source: str | None) -> None:
        """Set (or with None, drop) an operator's version of a template."""
        overrides = dict(self._overrides)
        if source is None:
            overrides.pop((lang, key), None)
        else:
            overrides[(lang, key)] = source
        self.set_overrides(overrides)

    def set_overrides(self, overrides: Mapping[tuple[str, str], str]) -> None:
        """Lay these operators' versions ((lang, key) → template) over the shipped texts,
        replacing the previous ones. A version that does not compile is left out and logged:
        the shipped text stays in force."""
        kept: dict[tuple[str, str], str] = {}
        for (lang, key), source in overrides.items():
            try:
                self.environment.parse(source)
            except TemplateError as exc:
                log.error("the stored text %s (%s) does not compile, shipped text used: %s",
                          key, lang, exc)
                continue
            kept[(lang, key)] = source
        self._overrides = kept
        self.environment.cache = {} if self.environment.cache is not None else None

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
        """
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
