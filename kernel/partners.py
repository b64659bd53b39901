"""A partner programme as every package sees it, and the one way to look one up: the
`partner_programmes` table (`get_partner`, `list_partners`), so all processes agree at once.

The programmes file and its import are `coaching.partners`; the definitions are validated here
because the table stores them and every reader parses them the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import parse_duration
from kernel.secret_box import SecretBox, is_sealed
from scoring.departements import all_departements
from storage.models import PartnerProgramme

_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")
_ROME = re.compile(r"^[A-Z]\d{4}$")

SITUATIONS = ("jobseeker", "employed", "student", "other")
"""The user's situation, as the eligibility question offers it."""

AGE_BANDS: dict[str, tuple[int, int]] = {
    "u18": (0, 17),
    "18_25": (18, 25),
    "26_30": (26, 30),
    "31_44": (31, 44),
    "45p": (45, 120),
}
"""Age bands the question offers, with the ages they span (inclusive)."""

DEFAULT_ANSWERS_WITHIN = timedelta(days=2)


@dataclass(frozen=True)
class Partner:
    """A partner programme users can be attributed to and handed over to."""

    code: str
    name: str
    description_fr: str = ""
    description_en: str = ""
    coach_role_fr: str = ""
    coach_role_en: str = ""
    answers_within: timedelta = DEFAULT_ANSWERS_WITHIN
    is_open: bool = True
    departements: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    situations: tuple[str, ...] = ()
    careers: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    welcome_fr: str = ""
    welcome_en: str = ""
    highlight_title_fr: str = ""
    highlight_title_en: str = ""
    highlight_careers: tuple[str, ...] = ()
    training_link_template: str | None = None

    def description(self, lang: str) -> str:
        """The one-paragraph description in `lang` (French when English is missing)."""
        return (self.description_en if lang == "en" else "") or self.description_fr

    def coach_role(self, lang: str) -> str:
        """What the programme's coach does, in `lang`."""
        return (self.coach_role_en if lang == "en" else "") or self.coach_role_fr

    def welcome(self, lang: str) -> str:
        """The white-label welcome text in `lang` ("" when the programme has none)."""
        return (self.welcome_en if lang == "en" else "") or self.welcome_fr

    def highlight_title(self, lang: str) -> str:
        """The title of the programme's highlighted careers section in `lang`."""
        return (self.highlight_title_en if lang == "en" else "") or self.highlight_title_fr

    @property
    def has_webhook(self) -> bool:
        """Whether the programme is notified by webhook (otherwise it uses the console only)."""
        return bool(self.webhook_url and self.webhook_secret)

    def training_link(self, rome: str, departement: str | None) -> str | None:
        """The programme's training-provider link for a career near the user, if it has one."""
        if not self.training_link_template:
            return None
        return self.training_link_template.format(
            rome=quote(rome, safe=""), departement=quote(departement or "", safe="")
        )


# ----- reading and validating definitions -------------------------------------------------


def _texts(entry: Mapping[str, Any], key: str) -> tuple[str, str]:
    value = entry.get(key) or {}
    if isinstance(value, str):
        return value.strip(), ""
    if not isinstance(value, Mapping):
        raise ValueError(f"{key}: expected fr/en texts")
    return str(value.get("fr") or "").strip(), str(value.get("en") or "").strip()


def _codes(value: object, key: str, allowed: set[str] | None = None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"{key}: expected a list")
    codes = tuple(str(item).strip() for item in value)
    if allowed is not None:
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            raise ValueError(f"{key}: unknown {', '.join(unknown)}")
    return codes


@lru_cache(maxsize=1)
def _geography() -> tuple[frozenset[str], frozenset[str]]:
    departements = all_departements()
    return (
        frozenset(d.code for d in departements),
        frozenset(d.region_code for d in departements),
    )


ENV_PREFIX = "env:"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _secret(raw: object) -> str | None:
    """The secret as it is kept: `env:NAME` stays a reference (the database never holds the
    value); it must name a variable that is set now, so that a typo stops the import."""
    text = str(raw or "").strip()
    if text.startswith(ENV_PREFIX) and resolve_secret(text) is None:
        name = text[len(ENV_PREFIX) :].strip()
        raise ValueError(f"webhook.secret: the environment variable {name} is unset")
    return text or None


def resolve_secret(stored: str | None, box: SecretBox | None = None) -> str | None:
    """The signing key for a stored secret: `env:NAME` is read from the environment when it is
    used, an encrypted one (`fernet:`) is opened with `box`, anything else is the secret itself.
    None when it is missing or cannot be opened."""
    if not stored:
        return None
    if stored.startswith(ENV_PREFIX):
        return os.environ.get(stored[len(ENV_PREFIX) :].strip()) or None
    if is_sealed(stored):
        return box.open(stored) if box is not None else None
    return stored


def seal_literal(secret: str | None, box: SecretBox | None) -> str | None:
    """How a secret is stored: encrypted when it is the secret itself and a key is configured;
    `env:NAME` references and already encrypted values as they are."""
    if not secret or secret.startswith(ENV_PREFIX) or is_sealed(secret):
        return secret
    return box.seal(secret) if box is not None and box.can_seal else secret


def check_webhook_url(url: str) -> str:
    """A partner's webhook address: HTTPS, or plain HTTP only on loopback (tests, a local relay).

    Raises ValueError otherwise: personal data never travels in clear over a network.
    """
    parsed = urlsplit(url)
    if parsed.scheme == "https" and parsed.hostname:
        return url
    if parsed.scheme == "http" and (parsed.hostname or "") in _LOOPBACK_HOSTS | {"::1"}:
        return url
    raise ValueError("webhook.url: expected an https:// address (http:// only on loopback)")


class DefinitionError(ValueError):
    """A definition the product cannot use; `field` is its path in the YAML format
    (`eligibility.age`, `webhook.url`…), the message names the programme and the field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


_FIELD = re.compile(r"^([a-z_]+(?:\.[a-z_]+)*): ")


def parse_partner(entry: Mapping[str, Any]) -> Partner:
    """A programme from one definition (a YAML entry or the stored JSON); raises
    DefinitionError (a ValueError)."""
    code = str(entry.get("code") or "").strip()
    if not _CODE.match(code):
        raise DefinitionError(
            f"code {code!r} must be 1-32 lower-case letters, digits, _ or -", "code"
        )
    name = str(entry.get("name") or "").strip()
    if not name:
        raise DefinitionError(f"{code}: name is missing", "name")
    try:
        return _parse_fields(code, name, entry)
    except ValueError as exc:
        found = _FIELD.match(str(exc))
        raise DefinitionError(f"{code}: {exc}", found.group(1) if found else "") from None


def _age(value: object, key: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        age = int(str(value))
    except ValueError:
        raise ValueError(f"{key}: expected a whole number of years") from None
    if not 0 <= age <= 120:
        raise ValueError(f"{key}: expected an age between 0 and 120")
    return age


def _within(value: object) -> timedelta:
    try:
        return parse_duration(str(value or "2d"))
    except ValueError as exc:
        raise ValueError(f"answers_within: {exc}") from None


def _parse_fields(code: str, name: str, entry: Mapping[str, Any]) -> Partner:
    departement_codes, region_codes = _geography()
    eligibility = entry.get("eligibility") or {}
    age = eligibility.get("age") or {}
    careers = _codes(eligibility.get("careers"), "eligibility.careers")
    if any(not _ROME.match(c) for c in careers):
        raise ValueError("eligibility.careers: expected ROME codes such as M1805")
    webhook = entry.get("webhook") or {}
    url = str(webhook.get("url") or "").strip() or None
    if url:
        check_webhook_url(url)
    secret = _secret(webhook.get("secret"))
    if url and not secret:
        raise ValueError("webhook.secret: a programme with a webhook needs a secret to sign with")
    white = entry.get("white_label") or {}
    highlight = white.get("highlight") or {}
    highlight_fr, highlight_en = _texts(highlight, "title")
    template = str(white.get("training_link") or "").strip() or None
    if template:
        try:
            template.format(rome="A1234", departement="69")
        except (KeyError, IndexError, ValueError):
            raise ValueError(
                "white_label.training_link: only {rome} and {departement} may be used"
            ) from None
    age_min = _age(age.get("min"), "eligibility.age.min")
    age_max = _age(age.get("max"), "eligibility.age.max")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise ValueError("eligibility.age.max: the maximum age is below the minimum")
    description = _texts(entry, "description")
    coach = _texts(entry, "coach")
    welcome = _texts(white, "welcome")
    return Partner(
        code=code,
        name=name,
        description_fr=description[0],
        description_en=description[1],
        coach_role_fr=coach[0],
        coach_role_en=coach[1],
        answers_within=_within(entry.get("answers_within")),
        is_open=bool(entry.get("open", True)),
        departements=_codes(
            eligibility.get("departements"), "eligibility.departements", set(departement_codes)
        ),
        regions=_codes(eligibility.get("regions"), "eligibility.regions", set(region_codes)),
        age_min=age_min,
        age_max=age_max,
        situations=_codes(eligibility.get("situations"), "eligibility.situations", set(SITUATIONS)),
        careers=careers,
        sectors=_codes(eligibility.get("sectors"), "eligibility.sectors"),
        webhook_url=url,
        webhook_secret=secret,
        welcome_fr=welcome[0],
        welcome_en=welcome[1],
        highlight_title_fr=highlight_fr,
        highlight_title_en=highlight_en,
        highlight_careers=_codes(highlight.get("careers"), "white_label.highlight.careers"),
        training_link_template=template,
    )


# ----- the table --------------------------------------------------------------------------------


def _from_row(row: PartnerProgramme) -> Partner:
    definition = dict(row.definition or {})
    definition.update(code=row.code, name=row.name, open=row.is_open)
    definition["webhook"] = {}  # the row's columns are authoritative for the webhook
    partner = parse_partner(definition)
    return _with_webhook(partner, row.webhook_url, row.webhook_secret)


def _with_webhook(partner: Partner, url: str | None, secret: str | None) -> Partner:
    return replace(partner, webhook_url=url or None, webhook_secret=secret or None)


async def list_partners(session: AsyncSession) -> list[Partner]:
    """Every programme in the table (open or not), by code."""
    rows = await session.scalars(select(PartnerProgramme).order_by(PartnerProgramme.code))
    return [_from_row(row) for row in rows]


async def get_partner(session: AsyncSession, code: str | None) -> Partner | None:
    """One programme from the table, or None (an unknown code, e.g. a mistyped /start link,
    is not an error)."""
    code = (code or "").strip().lower()[:64]
    if not code:
        return None
    row = await session.get(PartnerProgramme, code)
    return _from_row(row) if row is not None else None
