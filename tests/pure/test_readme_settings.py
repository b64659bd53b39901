"""The README's configuration table is what an operator reads: every setting the process reads is
in it, with the default the process really uses."""

from __future__ import annotations

import re
from pathlib import Path

from storage.engine import normalise_database_url
from tremplin.settings import _RawSettings

README = Path(__file__).resolve().parents[2] / "README.md"
_ROW = re.compile(r"^\| `([A-Z_]+)` \| (.+?) \| .+ \|$")


def _table() -> dict[str, str]:
    section = README.read_text("utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2) for m in map(_ROW.match, section.splitlines()) if m}


def test_every_setting_is_documented_with_its_default() -> None:
    table = _table()
    for field in _RawSettings.model_fields.values():
        name = str(field.validation_alias)
        assert name in table, f"{name} is missing from the README's configuration table"
        documented, default = table[name], str(field.default)
        if default == "":
            # An empty default is described in words ("*(empty)*", "derived from the token").
            assert not documented.startswith("`"), f"{name}: README gives {documented}"
            continue
        literal = documented.strip("`")
        if name == "TREMPLIN_DATABASE_URL":
            literal = normalise_database_url(literal)
        assert literal == default, f"{name}: README says {documented}, the default is {default}"
    assert set(table) == {str(f.validation_alias) for f in _RawSettings.model_fields.values()}
