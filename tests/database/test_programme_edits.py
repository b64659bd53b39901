"""Partner programmes created and edited from the console's form: the programmes file's checks,
the webhook secret encrypted (or an env:NAME reference) and never readable back, what the form
does not edit kept, and the file's import at start leaving an edited programme alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from coaching.partners import import_partners
from coaching.programme_edits import (
    ProgrammeForm,
    ProgrammeRejected,
    form_of,
    programme_view,
    save_programme,
)
from kernel.partners import get_partner, resolve_secret
from kernel.secret_box import SecretBox
from storage.engine import Database
from storage.models import PartnerProgramme

BOX = SecretBox(Fernet.generate_key().decode())
SECRET = "a-partner-signing-secret-1234"


def _form(**values: object) -> ProgrammeForm:
    base: dict[str, object] = {
        "code": "relais",
        "name": "Relais Emploi",
        "description_fr": "Un relais local.",
        "answers_within": "1d",
        "departements": "69, 2a",
        "age_min": "18",
        "situations": ("jobseeker",),
        "webhook_url": "https://relais.example.org/hook",
        "webhook_secret": SECRET,
    }
    return ProgrammeForm(**{**base, **values})  # type: ignore[arg-type]


async def test_a_created_programme_reads_as_one_from_the_file_with_its_secret_encrypted(
    db: Database,
) -> None:
    async with db.transaction() as session:
        saved = await save_programme(session, _form(), box=BOX)
    assert saved.created
    async with db.transaction() as session:
        row = await session.get(PartnerProgramme, "relais")
        partner = await get_partner(session, "relais")
        view = await programme_view(session, "relais", BOX)
    assert row is not None and row.source == "console"
    assert row.webhook_secret is not None and SECRET not in row.webhook_secret
    assert partner is not None and partner.departements == ("69", "2A")
    assert partner.age_min == 18 and partner.situations == ("jobseeker",)
    # The sender signs with the secret itself; the pages see only its last four characters.
    assert resolve_secret(partner.webhook_secret, BOX) == SECRET
    assert (view.secret.kind, view.secret.hint) == ("encrypted", "1234")
    assert form_of(partner).webhook_secret == ""
    # Another key does not open it: nothing is signed with a wrong secret.
    assert resolve_secret(partner.webhook_secret, SecretBox(Fernet.generate_key().decode())) is None


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"webhook_url": "http://relais.example.org/hook"}, "webhook_url", "https://"),
        ({"departements": "69, 999"}, "departements", "unknown 999"),
        ({"age_min": "30", "age_max": "25"}, "age_max", "below the minimum"),
        ({"age_min": "dix-huit"}, "age_min", "whole number"),
        ({"answers_within": "bientôt"}, "answers_within", "not a duration"),
        ({"careers": "M18"}, "careers", "ROME codes"),
        ({"training_link": "https://x.example/{city}"}, "training_link", "{rome}"),
        ({"webhook_secret": "short"}, "webhook_secret", "16 to 200"),
        ({"webhook_secret": "env:not a name"}, "webhook_secret", "variable's name"),
        ({"webhook_secret": "env:RELAIS_UNSET_SECRET"}, "webhook_secret", "unset"),
        ({"webhook_url": "", "webhook_secret": SECRET}, "webhook_url", "address"),
        ({"code": "Relais!"}, "code", "lower-case"),
        ({"code": "new"}, "code", "reserved"),
        ({"name": " "}, "name", "name is missing"),
    ],
)
async def test_a_wrong_field_is_refused_naming_it_and_nothing_is_stored(
    db: Database, values: dict[str, object], field: str, words: str
) -> None:
    async with db.transaction() as session:
        with pytest.raises(ProgrammeRejected) as refused:
            await save_programme(session, _form(**values), box=BOX)
    assert refused.value.field == field and words in str(refused.value)
    async with db.transaction() as session:
        assert list(await session.scalars(select(PartnerProgramme))) == []


async def test_without_a_key_only_an_env_reference_is_accepted(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.transaction() as session:
        with pytest.raises(ProgrammeRejected, match="TREMPLIN_SECRETS_KEY") as refused:
            await save_programme(session, _form(), box=SecretBox())
    assert refused.value.field == "webhook_secret"
    monkeypatch.setenv("RELAIS_SECRET", SECRET)
    async with db.transaction() as session:
        await save_programme(session, _form(webhook_secret="env:RELAIS_SECRET"), box=SecretBox())
        view = await programme_view(session, "relais", SecretBox())
    assert (view.secret.kind, view.secret.hint) == ("env", "RELAIS_SECRET")
    assert resolve_secret(view.partner.webhook_secret) == SECRET


async def test_an_edit_keeps_the_secret_and_what_the_form_does_not_show_and_the_file_leaves_it(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "partners.yaml"
    path.write_text(
        "programmes:\n"
        "  - code: relais\n"
        "    name: Relais (file)\n"
        "    canned_replies: [{title: Bonjour, text: Bonjour !}]\n",
        encoding="utf-8",
    )
    async with db.transaction() as session:
        await import_partners(session, path, box=BOX)
        saved = await save_programme(session, _form(code="ignored"), box=BOX, code="relais")
    assert not saved.created
    assert {"name", "webhook_url", "webhook_secret", "departements"} <= set(saved.changed)
    async with db.transaction() as session:
        partner = await get_partner(session, "relais")
        assert partner is not None
        form = form_of(partner)
        form.name = "Relais Emploi 69"
        again = await save_programme(session, form, box=BOX, code="relais")  # secret left empty
        await import_partners(session, path, box=BOX)  # a restart: the file no longer rules it
        row = await session.get(PartnerProgramme, "relais")
        partner = await get_partner(session, "relais")
    assert again.changed == ["name"]
    assert row is not None and row.definition["canned_replies"][0]["title"] == "Bonjour"
    assert partner is not None and partner.name == "Relais Emploi 69"
    assert resolve_secret(partner.webhook_secret, BOX) == SECRET


async def test_the_file_s_own_secret_is_encrypted_when_a_key_is_set(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "partners.yaml"
    path.write_text(
        "programmes:\n"
        "  - code: hooked\n"
        "    name: Hooked\n"
        f"    webhook: {{url: 'https://hooked.example/h', secret: {SECRET}}}\n",
        encoding="utf-8",
    )
    async with db.transaction() as session:
        await import_partners(session, path, box=BOX)
        row = await session.get(PartnerProgramme, "hooked")
    assert row is not None and row.webhook_secret is not None
    assert row.webhook_secret.startswith("fernet:") and SECRET not in row.webhook_secret
    assert resolve_secret(row.webhook_secret, BOX) == SECRET


async def test_a_kept_env_reference_is_not_checked_again_in_the_console(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The variable may be set only where the bot runs: an edit that leaves the secret as it was
    still saves (a newly typed reference must be set, as in the file)."""
    monkeypatch.setenv("RELAIS_SECRET", SECRET)
    async with db.transaction() as session:
        await save_programme(session, _form(webhook_secret="env:RELAIS_SECRET"), box=BOX)
    monkeypatch.delenv("RELAIS_SECRET")
    async with db.transaction() as session:
        saved = await save_programme(
            session, _form(name="Relais 69", webhook_secret=""), box=BOX, code="relais"
        )
        row = await session.get(PartnerProgramme, "relais")
    assert saved.changed == ["name"]
    assert row is not None and row.webhook_secret == "env:RELAIS_SECRET"
