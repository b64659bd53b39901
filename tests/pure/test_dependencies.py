"""Neither the declared bounds nor the lock allow releases with published vulnerabilities."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
# (last vulnerable release, first fixed release): starlette (CVE-2025-54121, uploads block the
# event loop), python-multipart (CVE-2024-53981, DoS), jinja2 (CVE-2025-27516, sandbox escape),
# tqdm (CVE-2024-34062, code injection through CLI arguments).
DIRECT_FLOORS = {
    "starlette": ("0.47.1", "0.47.2"),
    "python-multipart": ("0.0.17", "0.0.18"),
    "jinja2": ("3.1.5", "3.1.6"),
    "tqdm": ("4.66.2", "4.66.3"),
}
# Pulled in by others; only the lock can hold them back (h11: CVE-2025-43859).
LOCKED_FLOORS = {name: fixed for name, (_, fixed) in DIRECT_FLOORS.items()} | {"h11": "0.16.0"}


def _declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return {canonicalize_name(r.name): r for r in map(Requirement, lines)}


def _locked() -> dict[str, Version]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", text, re.M)
    return {canonicalize_name(name): Version(version) for name, version in pins}


def test_declared_lower_bounds_exclude_vulnerable_releases() -> None:
    declared = _declared()
    for name, (vulnerable, fixed) in DIRECT_FLOORS.items():
        specifier = declared[name].specifier
        assert not specifier.contains(vulnerable), name
        assert specifier.contains(fixed), name


def test_the_lock_pins_fixed_releases_within_the_declared_bounds() -> None:
    declared, locked = _declared(), _locked()
    for name, fixed in LOCKED_FLOORS.items():
        assert locked[name] >= Version(fixed), name
    for name, version in locked.items():
        if name in declared:
            assert declared[name].specifier.contains(version, prereleases=True), (
                f"{name} {version} is outside pyproject.toml's bounds: run `make lock`"
            )
