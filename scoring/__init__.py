"""Careers, market data, the scoring model, sections and search. Pure: no I/O but data files.

Typical use::

    catalogue = load_catalogue(imported_dir)
    ranked = rank(catalogue, "69", {Priority.SALARY})
    line = explanation(ranked[0], get_departement("69"), "fr")
"""

from scoring.catalogue import Catalogue, CatalogueError, load_catalogue
from scoring.departements import all_departements, get_departement, resolve_departement
from scoring.explain import explanation
from scoring.models import (
    Career,
    ContractMix,
    CpfFigures,
    Criterion,
    Departement,
    JobTitle,
    MarketFigures,
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
    "Priority",
    "RankedCareer",
    "SearchHit",
    "Section",
    "TrainingRoute",
    "all_departements",
    "build_sections",
    "explanation",
    "get_departement",
    "is_good_job",
    "load_catalogue",
    "rank",
    "resolve_departement",
    "search",
]
