"""Partner programmes created and edited in the console by operators and admins.

The form carries every field of the programmes file (`coaching.partners`), flattened; it becomes
the same YAML-shaped definition and passes the same checks (`kernel.partners.parse_partner`:
codes, départements, régions, ages, ROME codes, durations, https webhooks except on loopback, the
training link's placeholders). A saved programme is marked `source = "console"`, so the file's
import at each start leaves it as the operator left it; the file stays the way to seed a
deployment.

The webhook secret is never shown back: a typed secret is encrypted with the deployment's key
(`kernel.secret_box`, TREMPLIN_SECRETS_KEY) before it is stored, or kept as an `env:NAME`
reference; the pages show only what kind it is and its last four characters.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.scope import NotFound
from coaching.partners import able_to_answer, write_row
from kernel.clock import duration_text
from kernel.partners import (
    ENV_PREFIX,
    DefinitionError,
    Partner,
    get_partner,
    list_partners,
    parse_partner,
    resolve_secret,
)
from kernel.secret_box import SecretBox, is_sealed
from storage.models import PartnerProgramme

CONSOLE = "console"
RESERVED_CODES = frozenset({"new"})  # /programmes/new is the creation page
SECRET_MIN = 16
SECRET_MAX = 200
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class ProgrammeForm:
    """What the console's form holds, as typed (lists are comma- or space-separated).

    `webhook_secret` is a new secret or an `env:NAME` reference; empty keeps the stored one.
    """

    code: str = ""
    name: str = ""
    is_open: bool = True
    description_fr: str = ""
    description_en: str = ""
    coach_fr: str = ""
    coach_en: str = ""
    answers_within: str = "2d"
    departements: str = ""
    regions: str = ""
    age_min: str = ""
    age_max: str = ""
    situations: tuple[str, ...] = ()
    careers: str = ""
    sectors: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    welcome_fr: str = ""
    welcome_en: str = ""
    highlight_title_fr: str = ""
    highlight_title_en: str = ""
    highlight_careers: str = ""
    training_link: str = ""


TEXT_FIELDS = tuple(
    f.name for f in fields(ProgrammeForm) if f.name not in ("is_open", "situations")
)
"""The form's text inputs (the rest: the `is_open` checkbox and the `situations` boxes)."""

# Where the checks' field paths (the YAML format's) are on the form.
_FORM_FIELD = {
    "code": "code",
    "name": "name",
    "description": "description_fr",
    "coach": "coach_fr",
    "answers_within": "answers_within",
    "eligibility.departements": "departements",
    "eligibility.regions": "regions",
    "eligibility.age.min": "age_min",
    "eligibility.age.max": "age_max",
    "eligibility.situations": "situations",
    "eligibility.careers": "careers",
    "eligibility.sectors": "sectors",
    "webhook.url": "webhook_url",
    "webhook.secret": "webhook_secret",
    "white_label.welcome": "welcome_fr",
    "title": "highlight_title_fr",
    "white_label.highlight.careers": "highlight_careers",
    "white_label.training_link": "training_link",
}


class ProgrammeRejected(ValueError):
    """The form cannot be saved; `field` names the form field at fault, the message says why
    (in the words of the programmes file's checks)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SecretShown:
    """How the pages show a stored secret: its kind ("none", "env", "encrypted", "clear",
    "unreadable") and a hint (the variable's name, or the secret's last four characters)."""

    kind: str
    hint: str = ""


@dataclass(frozen=True)
class ProgrammeView:
    """A programme as the console's pages show it."""

    partner: Partner
    source: str
    updated_at: datetime
    secret: SecretShown
    offered: bool


@dataclass(frozen=True)
class Saved:
    """What a save did: the programme, whether it is new, and the names of the fields that
    changed (for the audit log; never a secret's value)."""

    partner: Partner
    created: bool
    changed: list[str]


def shown_secret(stored: str | None, box: SecretBox) -> SecretShown:
    """A stored secret, masked: never more than its last four characters, and those only when
    the secret is long enough for them to give nothing away."""
    if not stored:
        return SecretShown("none")
    if stored.startswith(ENV_PREFIX):
        return SecretShown("env", stored[len(ENV_PREFIX) :].strip())
    kind = "encrypted" if is_sealed(stored) else "clear"
    secret = resolve_secret(stored, box)
    if secret is None:
        return SecretShown("unreadable")
    return SecretShown(kind, secret[-4:] if len(secret) >= SECRET_MIN else "")


def form_of(partner: Partner) -> ProgrammeForm:
    """The form filled with a programme's definition (the secret left empty: kept as is)."""

    def joined(values: tuple[str, ...]) -> str:
        return ", ".join(values)

    def whole(value: int | None) -> str:
        return "" if value is None else str(value)

    return ProgrammeForm(
        code=partner.code,
        name=partner.name,
        is_open=partner.is_open,
        description_fr=partner.description_fr,
        description_en=partner.description_en,
        coach_fr=partner.coach_role_fr,
        coach_en=partner.coach_role_en,
        answers_within=duration_text(partner.answers_within),
        departements=joined(partner.departements),
        regions=joined(partner.regions),
        age_min=whole(partner.age_min),
        age_max=whole(partner.age_max),
        situations=partner.situations,
        careers=joined(partner.careers),
        sectors=joined(partner.sectors),
        webhook_url=partner.webhook_url or "",
        welcome_fr=partner.welcome_fr,
        welcome_en=partner.welcome_en,
        highlight_title_fr=partner.highlight_title_fr,
        highlight_title_en=partner.highlight_title_en,
        highlight_careers=joined(partner.highlight_careers),
        training_link=partner.training_link_template or "",
    )


def _words(raw: str, *, upper: bool = False) -> list[str]:
    words = [w for w in _SEPARATORS.split(raw.strip()) if w]
    return [w.upper() for w in words] if upper else words


def _texts(fr: str, en: str) -> dict[str, str]:
    return {lang: text.strip() for lang, text in (("fr", fr), ("en", en)) if text.strip()}


def definition_of(form: ProgrammeForm) -> dict[str, Any]:
    """The form as an entry of the programmes file (without the webhook), empty parts left
    out, so a programme edited here reads like one written in the file."""
    eligibility: dict[str, Any] = {
        "departements": _words(form.departements, upper=True),
        "regions": _words(form.regions),
        "age": {
            key: value.strip()
            for key, value in (("min", form.age_min), ("max", form.age_max))
            if value.strip()
        },
        "situations": list(form.situations),
        "careers": _words(form.careers, upper=True),
        "sectors": _words(form.sectors),
    }
    highlight: dict[str, Any] = {
        "title": _texts(form.highlight_title_fr, form.highlight_title_en),
        "careers": _words(form.highlight_careers, upper=True),
    }
    white_label: dict[str, Any] = {
        "welcome": _texts(form.welcome_fr, form.welcome_en),
        "highlight": {k: v for k, v in highlight.items() if v},
        "training_link": form.training_link.strip(),
    }
    entry: dict[str, Any] = {
        "code": form.code.strip(),
        "name": form.name.strip(),
        "open": form.is_open,
        "description": _texts(form.description_fr, form.description_en),
        "coach": _texts(form.coach_fr, form.coach_en),
        "answers_within": form.answers_within.strip() or "2d",
        "eligibility": {k: v for k, v in eligibility.items() if v},
        "white_label": {k: v for k, v in white_label.items() if v},
    }
    return {k: v for k, v in entry.items() if v or k == "open"}


def _secret_to_store(
    form: ProgrammeForm, url: str, kept: str | None, box: SecretBox
) -> str | None:
    """The secret the row will hold: the typed one (a reference, or encrypted), else the one
    stored before; none without a webhook."""
    typed = form.webhook_secret.strip()
    if not url:
        if typed:
            raise ProgrammeRejected(
                "webhook.url: give the webhook's address, or leave the secret empty",
                "webhook_url",
            )
        return None
    if not typed:
        return kept
    if typed.startswith(ENV_PREFIX):
        if not _ENV_NAME.match(typed[len(ENV_PREFIX) :].strip()):
            raise ProgrammeRejected(
                "webhook.secret: env: must be followed by an environment variable's name, "
                "such as env:CAP_JEUNES_SECRET",
                "webhook_secret",
            )
        return ENV_PREFIX + typed[len(ENV_PREFIX) :].strip()
    if not SECRET_MIN <= len(typed) <= SECRET_MAX:
        raise ProgrammeRejected(
            f"webhook.secret: expected {SECRET_MIN} to {SECRET_MAX} characters "
            f"(this one has {len(typed)})",
            "webhook_secret",
        )
    if not box.can_seal:
        raise ProgrammeRejected(
            "webhook.secret: this deployment has no TREMPLIN_SECRETS_KEY to encrypt secrets "
            "with: give an env:NAME reference instead, or have the key set",
            "webhook_secret",
        )
    return box.seal(typed)


async def save_programme(
    session: AsyncSession, form: ProgrammeForm, *, box: SecretBox, code: str | None = None
) -> Saved:
    """Create a programme (`code` None) or change programme `code` from the form, after the
    programmes file's checks; raises ProgrammeRejected naming the field, or NotFound."""
    row = None
    if code is not None:
        row = await session.get(PartnerProgramme, code)
        if row is None:
            raise NotFound("programme")
        form.code = row.code  # the code is the /start link: it never changes
    elif form.code.strip().lower() in RESERVED_CODES:
        raise ProgrammeRejected(f"code {form.code.strip()!r} is reserved: choose another", "code")
    entry = definition_of(form)
    if row is not None:
        # What the form does not edit (the coaches' canned replies…) is kept.
        kept_parts = {k: v for k, v in (row.definition or {}).items() if k not in _FORM_PARTS}
        entry = {**kept_parts, **entry}
    url = form.webhook_url.strip()
    secret = _secret_to_store(form, url, row.webhook_secret if row is not None else None, box)
    # A kept secret is not checked again: its env:NAME may be set only in the bot's processes.
    probe = secret if form.webhook_secret.strip() or not secret else "kept"
    checked = {**entry, "webhook": {"url": url, "secret": probe} if url else {}}
    try:
        partner = parse_partner(checked)
    except DefinitionError as exc:
        raise ProgrammeRejected(str(exc), _FORM_FIELD.get(exc.field, "")) from None
    before = await get_partner(session, row.code) if row is not None else None
    if row is None:
        if await session.get(PartnerProgramme, partner.code) is not None:
            raise ProgrammeRejected(
                f"code {partner.code!r}: a programme already has this code", "code"
            )
        row = PartnerProgramme(code=partner.code)
        session.add(row)
    old_secret = row.webhook_secret
    write_row(row, partner, entry, secret)
    row.source = CONSOLE
    await session.flush()
    changed = _changes(before, partner)
    if secret != old_secret and "webhook_secret" not in changed:
        changed.append("webhook_secret")
    return Saved(partner, before is None, changed)


# The parts of a definition the form edits (anything else in a stored definition is kept).
_FORM_PARTS = frozenset(
    {"description", "coach", "answers_within", "eligibility", "white_label"}
)


def _changes(before: Partner | None, after: Partner) -> list[str]:
    if before is None:
        return []
    old, new = asdict(before), asdict(after)
    return [
        name for name in old if name != "webhook_secret" and old[name] != new[name]
    ]


async def programme_views(session: AsyncSession, box: SecretBox) -> list[ProgrammeView]:
    """Every programme, by code, with whether users are offered it now."""
    rows = list(
        await session.scalars(select(PartnerProgramme).order_by(PartnerProgramme.code))
    )
    partners = await list_partners(session)  # the same order
    offered = {p.code for p in await able_to_answer(session, [p for p in partners if p.is_open])}
    return [
        ProgrammeView(
            partner, row.source, row.updated_at, shown_secret(row.webhook_secret, box),
            partner.code in offered,
        )
        for partner, row in zip(partners, rows, strict=True)
    ]


async def programme_view(session: AsyncSession, code: str, box: SecretBox) -> ProgrammeView:
    """One programme for its edit page; raises NotFound."""
    found = next((v for v in await programme_views(session, box) if v.partner.code == code), None)
    if found is None:
        raise NotFound("programme")
    return found


__all__ = [
    "CONSOLE",
    "TEXT_FIELDS",
    "ProgrammeForm",
    "ProgrammeRejected",
    "ProgrammeView",
    "Saved",
    "SecretShown",
    "definition_of",
    "form_of",
    "programme_view",
    "programme_views",
    "save_programme",
    "shown_secret",
]
