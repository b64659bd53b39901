"""Partner coaching programmes: defined by operators in a YAML file, kept in the database.

At each start the process imports the file into the `partner_programmes` table (`import_partners`):
programmes that came from the file follow it, programmes an operator edited in the console
(`source = "console"`) are left as they are, and programmes removed from the file are closed, not
deleted (their referrals still point at them). Every package reads the table
through `kernel.partners` (`get_partner`, `list_partners`), so all processes agree at once.

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
                                   # (offered only once a coach account can read its referrals)
    white_label:
      welcome: {fr: ..., en: ...}  # added to the greeting of /start <code>
      highlight: {title: {fr: ..., en: ...}, careers: [M1805]}
      training_link: https://example.org/trainings?rome={rome}&dep={departement}
    canned_replies:                # ready-made replies the console offers its coaches
      - {title: Premier contact, text: "Bonjour, quand pouvons-nous nous appeler ?"}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.service import programmes_with_active_coach
from kernel.partners import Partner, parse_partner, seal_literal
from kernel.secret_box import SecretBox
from messages.render import render
from storage.dialect import lock_table
from storage.models import PartnerProgramme

SHIPPED = Path(__file__).parent / "data" / "partners.yaml"


async def able_to_answer(session: AsyncSession, partners: Iterable[Partner]) -> list[Partner]:
    """The programmes among `partners` where someone can answer a referral: a webhook carries it
    to the programme's own tools, or at least one active coach account reads it in the console.

    Only these are offered: the bot promises "you will get an answer here".
    """
    listed = list(partners)
    if all(p.has_webhook for p in listed):
        return listed
    staffed = await programmes_with_active_coach(session)
    return [p for p in listed if p.has_webhook or p.code in staffed]


class PartnerFileError(ValueError):
    """The programmes file cannot be used; the message names the programme and the field."""


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


async def import_partners(
    session: AsyncSession, path: Path = SHIPPED, *, box: SecretBox | None = None
) -> list[str]:
    """Bring the table in line with the file; returns the codes imported or updated.

    Rows an operator edited in the console are kept as they are; programmes no longer in the
    file are closed. A secret written in the file itself is encrypted with `box` when a key is
    configured (`env:NAME` references stay references).
    """
    definitions = read_definitions(path)
    # Processes starting together import one after the other.
    await lock_table(session, PartnerProgramme.__tablename__)
    rows = {row.code: row for row in await session.scalars(select(PartnerProgramme))}
    changed: list[str] = []
    for entry in definitions:
        partner = parse_partner(entry)
        row = rows.get(partner.code)
        if row is not None and row.source != "file":
            continue
        if row is None:
            row = PartnerProgramme(code=partner.code, source="file")
            session.add(row)
        write_row(row, partner, entry, seal_literal(partner.webhook_secret, box))
        changed.append(partner.code)
    in_file = {str(entry.get("code")) for entry in definitions}
    for code, row in rows.items():
        if row.source == "file" and code not in in_file:
            row.is_open = False
    await session.flush()
    return changed


def write_row(
    row: PartnerProgramme, partner: Partner, entry: Mapping[str, Any], secret: str | None
) -> None:
    """Store a validated definition: the columns every reader filters on, the rest as JSON
    (the webhook lives in its columns only, its secret as given: encrypted or a reference)."""
    row.name = partner.name
    row.is_open = partner.is_open
    row.webhook_url = partner.webhook_url
    row.webhook_secret = secret
    row.definition = {
        k: v for k, v in entry.items() if k not in ("code", "name", "open", "webhook")
    }


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
