"""Shared fixtures: a small hand-written catalogue, the shipped one, the reference data."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.catalogue import Catalogue, build_catalogue, load_careers, load_catalogue

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ROME_DIR = SHARED_DATA / "rome-v347"
IMT_DIR = SHARED_DATA / "imt-samples"
CPF_FILE = SHARED_DATA / "cpf-samples" / "cpf_trainings_sample.csv"


@pytest.fixture(scope="session")
def fixture_careers_dir() -> Path:
    return FIXTURES / "careers"


@pytest.fixture(scope="session")
def small_catalogue(fixture_careers_dir: Path) -> Catalogue:
    """18 careers written for these tests (good and bad jobs, several sectors)."""
    careers, _ = load_careers(fixture_careers_dir)
    return build_catalogue(careers)


@pytest.fixture(scope="session")
def shipped_catalogue() -> Catalogue:
    catalogue = load_catalogue()
    if len(catalogue) == 0:
        pytest.skip("no shipped career file yet")
    return catalogue


@pytest.fixture(scope="session")
def rome_dir() -> Path:
    if not ROME_DIR.is_dir():
        pytest.skip("shared ROME reference data not available")
    return ROME_DIR


@pytest.fixture(scope="session")
def imt_dir() -> Path:
    if not IMT_DIR.is_dir():
        pytest.skip("shared IMT samples not available")
    return IMT_DIR


@pytest.fixture(scope="session")
def cpf_file() -> Path:
    if not CPF_FILE.is_file():
        pytest.skip("shared CPF sample not available")
    return CPF_FILE


@pytest.fixture(scope="session")
def rome_imported(tmp_path_factory: pytest.TempPathFactory, rome_dir: Path) -> Path:
    """A folder holding an import of the full ROME referential."""
    from scoring.importers import import_rome

    target = tmp_path_factory.mktemp("rome-import")
    import_rome(rome_dir, target)
    return target
