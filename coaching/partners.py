"""Partner coaching programmes: defined by operators in a YAML file, kept in the database.

At each start the process imports the file into the `partner_programmes` table (`import_partners`):
programmes that came from the file follow it, programmes an operator edited in the console
(`source = "console"`) are left as they are, and programmes removed from the file are closed, not
deleted (their referrals still point at them). Every domain service reads the table
(`get_partner`, `list_partners`), so all processes agree. `find_partner(code)`, which synchronous
code uses (the `/start` deep link), reads a process cache refreshed from the table at start and on
the hand-over interval, and falls back to the shipped file before the first refresh.

File format (one entry of `programmes:`; everything but `code` and `name` is optional)::

    code: cap_jeunes               # lower-case letters, digits, _ or -; the /start deep-link code
    name: Cap Jeunes 18-30
    open: true                     # false: kept, but not offered to anyone
    description: {fr: ..., en: ...}
    coach: {fr: ..., en: ...}      # what the coach does
    answers_within: 2d             # how fast a coach answers: s, m, h or d
    eligibility:
      departements: ["69"]         # INSEE codes; with regions: either matches; none: nationwide
      regions: ["84"]              # INSEE region codes
      age: {min: 18, max: 30}
      situations: [jobseeker, employed, student, other]
      careers: [M1805]             # ROME codes; with sectors: either matches; none: any career
      sectors: [it]
    webhook: {url: https://..., secret: env:CAP_JEUNES_SECRET}   # no url: the console only
    white_label:
      welcome: {fr: ..., en: ...}  # added to the greeting of /start <code>
      highlight: {title: {fr: ..., en: ...}, careers: [M1805]}
      training_link: https://example.org/trainings?rome={rome}&dep={departement}
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from messages.render import render
from scoring.departements import all_departements
from storage.models import PartnerProgramme

SHIPPED = Path(__file__).parent / "data" / "partners.yaml"
_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")
_ROME = re.compile(r"^[A-Z]\d{4}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

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


class PartnerFileError(ValueError):
    """The programmes file cannot be used; the message names the programme and the field."""


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


# ----- reading and validating definitions --------------------------------------------------------


def parse_duration(raw: object) -> timedelta:
    """`2d`, `36h`, `90m` or `30s` as a duration."""
    match = _DURATION.match(str(raw))
    if match is None:
        raise ValueError(f"{raw!r} is not a duration like 30s, 15m, 2h or 2d")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


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


def _secret(raw: object) -> str | None:
    # Secrets may stay out of the file: `env:NAME` reads them from the environment at import.
    text = str(raw or "").strip()
    if text.startswith("env:"):
        return os.environ.get(text[4:].strip()) or None
    return text or None


def parse_partner(entry: Mapping[str, Any]) -> Partner:
    """A programme from one definition (a YAML entry or the stored JSON); raises ValueError."""
    code = str(entry.get("code") or "").strip()
    if not _CODE.match(code):
        raise ValueError(f"code {code!r} must be 1-32 lower-case letters, digits, _ or -")
    name = str(entry.get("name") or "").strip()
    if not name:
        raise ValueError(f"{code}: name is missing")
    try:
        return _parse_fields(code, name, entry)
    except ValueError as exc:
        raise ValueError(f"{code}: {exc}") from None


def _parse_fields(code: str, name: str, entry: Mapping[str, Any]) -> Partner:
    departement_codes, region_codes = _geography()
    eligibility = entry.get("eligibility") or {}
    age = eligibility.get("age") or {}
    careers = _codes(eligibility.get("careers"), "eligibility.careers")
    if any(not _ROME.match(c) for c in careers):
        raise ValueError("eligibility.careers: expected ROME codes such as M1805")
    webhook = entry.get("webhook") or {}
    url = str(webhook.get("url") or "").strip() or None
    if url and not url.startswith(("http://", "https://")):
        raise ValueError("webhook.url: expected an http:// or https:// address")
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
        answers_within=parse_duration(entry.get("answers_within") or "2d"),
        is_open=bool(entry.get("open", True)),
        departements=_codes(
            eligibility.get("departements"), "eligibility.departements", set(departement_codes)
        ),
        regions=_codes(eligibility.get("regions"), "eligibility.regions", set(region_codes)),
        age_min=int(age["min"]) if age.get("min") is not None else None,
        age_max=int(age["max"]) if age.get("max") is not None else None,
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


def read_definitions(path: Path = SHIPPED) -> list[dict[str, Any]]:
    """The programme entries of a file, each validated; raises PartnerFileError."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PartnerFileError(f"{path}: {exc}") from None
    entries = data.get("programmes", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PartnerFileError(f"{path}: expected a list under `programmes:`")
    seen: set[str] = set()
    for entry in entries:
        try:
            partner = parse_partner(entry)
        except (ValueError, TypeError, AttributeError) as exc:
            raise PartnerFileError(f"{path}: {exc}") from None
        if partner.code in seen:
            raise PartnerFileError(f"{path}: programme {partner.code} is defined twice")
        seen.add(partner.code)
    return [dict(entry) for entry in entries]


def load_partners(path: Path = SHIPPED) -> dict[str, Partner]:
    """Read the programmes file into programmes by code."""
    partners = [parse_partner(entry) for entry in read_definitions(path)]
    return {p.code: p for p in partners}


@lru_cache(maxsize=1)
def shipped_partners() -> dict[str, Partner]:
    """The programmes shipped with the product."""
    return load_partners()


# ----- the table --------------------------------------------------------------------------------


def _from_row(row: PartnerProgramme) -> Partner:
    definition = dict(row.definition or {})
    definition.update(code=row.code, name=row.name, open=row.is_open)
    definition["webhook"] = {}  # the row's columns are authoritative for the webhook
    partner = parse_partner(definition)
    return _with_webhook(partner, row.webhook_url, row.webhook_secret)


def _with_webhook(partner: Partner, url: str | None, secret: str | None) -> Partner:
    return replace(partner, webhook_url=url or None, webhook_secret=secret or None)


async def import_partners(session: AsyncSession, path: Path = SHIPPED) -> list[str]:
    """Bring the table in line with the file; returns the codes imported or updated.

    Rows an operator edited in the console are kept as they are; programmes no longer in the
    file are closed.
    """
    definitions = read_definitions(path)
    if session.get_bind().dialect.name == "postgresql":
        # Processes starting together import one after the other (SQLite's BEGIN IMMEDIATE
        # already serialises them).
        await session.execute(text("LOCK TABLE partner_programmes IN EXCLUSIVE MODE"))
    rows = {row.code: row for row in await session.scalars(select(PartnerProgramme))}
    changed: list[str] = []
    for entry in definitions:
        partner = parse_partner(entry)
        row = rows.get(partner.code)
        if row is not None and row.source != "file":
            continue
        stored = {k: v for k, v in entry.items() if k not in ("code", "name", "open", "webhook")}
        if row is None:
            row = PartnerProgramme(code=partner.code, source="file")
            session.add(row)
        row.name = partner.name
        row.is_open = partner.is_open
        row.webhook_url = partner.webhook_url
        row.webhook_secret = partner.webhook_secret
        row.definition = stored
        changed.append(partner.code)
    in_file = {str(entry.get("code")) for entry in definitions}
    for code, row in rows.items():
        if row.source == "file" and code not in in_file:
            row.is_open = False
    await session.flush()
    await refresh_cache(session)
    return changed


async def list_partners(session: AsyncSession) -> list[Partner]:
    """Every programme in the table (open or not), by code."""
    rows = await session.scalars(select(PartnerProgramme).order_by(PartnerProgramme.code))
    return [_from_row(row) for row in rows]


async def get_partner(session: AsyncSession, code: str | None) -> Partner | None:
    """One programme from the table, or None."""
    if not code:
        return None
    row = await session.get(PartnerProgramme, code)
    return _from_row(row) if row is not None else None


_cache: dict[str, Partner] | None = None


async def refresh_cache(session: AsyncSession) -> None:
    """Reload the process cache `find_partner` reads (console edits reach it this way)."""
    global _cache
    _cache = {p.code: p for p in await list_partners(session)}


def find_partner(code: str) -> Partner | None:
    """The programme a /start payload names, or None for an unknown code (ignored, not an error)."""
    partners = _cache if _cache is not None else shipped_partners()
    return partners.get(code.strip().lower()[:64])


def answer_delay(partner: Partner, lang: str) -> str:
    """How fast the programme answers, in words ("sous 2 jours", "within 24 hours")."""
    seconds = int(partner.answers_within.total_seconds())
    if seconds >= 86400 and seconds % 86400 == 0:
        amount, unit = seconds // 86400, "days"
    elif seconds >= 3600:
        amount, unit = max(1, round(seconds / 3600)), "hours"
    else:
        amount, unit = max(1, round(seconds / 60)), "minutes"
    return render("coach.delay", lang, n=amount, unit=unit)


def partner_welcome(partner: Partner, lang: str) -> str:
    """The line `/start <code>` adds to the greeting: the programme's own welcome text (its white
    label), or else a plain mention of the programme."""
    welcome = partner.welcome(lang)
    if welcome:
        return render("coach.white_label_welcome", lang, welcome=welcome, partner=partner.name)
    return render("onboarding.partner_welcome", lang, partner=partner.name)
