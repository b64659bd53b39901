"""Careers, market data, the scoring model, sections and search. Pure: no I/O but data files.

Typical use::

    catalogue = load_catalogue(imported_dir)
    ranked = rank(catalogue, "69", {Priority.SALARY})
    why = reasons(ranked[0])  # facts; `journey.explain` words them with the templates
"""

from scoring.catalogue import Catalogue, CatalogueError, load_catalogue
from scoring.departements import all_departements, get_departement, resolve_departement
from scoring.explain import Reason, reasons
from scoring.models import (
    Career,
    ContractMix,
    CpfFigures,
    Criterion,
    Departement,
    JobTitle,
    MarketFigures,
    NationalFigures,
    Person,
    Priority,
    RankedCareer,
    SearchHit,
    Section,
    TrainingRoute,
)
from scoring.ranking import is_good_job, rank
from scoring.search import search
from scoring.sections import build_sections

__all__ = [
    "Career",
    "Catalogue",
    "CatalogueError",
    "ContractMix",
    "CpfFigures",
    "Criterion",
    "Departement",
    "JobTitle",
    "MarketFigures",
    "NationalFigures",
    "Person",
    "Priority",
    "RankedCareer",
    "Reason",
    "SearchHit",
    "Section",
    "TrainingRoute",
    "all_departements",
    "build_sections",
    "get_departement",
    "is_good_job",
    "load_catalogue",
    "rank",
    "reasons",
    "resolve_departement",
    "search",
]
