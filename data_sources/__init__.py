"""Loaders, one module per publisher dataset; SOURCE_MODULES lists them for the command line and the build."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: importing base here would load pandas for every `import data_sources`
    from data_sources.base import PublisherDirection

# Each module exposes SOURCE (its declaration), read(path) -> tidy DataFrame and fetch(dest) -> Path.
SOURCE_MODULES = (
    "geography",
    "ons_lookups",
    "ons_boundaries",
    "census2021_quiz",
    "iod2025",
    "imd2019",
    "imd_history",
    "wimd",
    "census2021",
    "census2021_oa",
    "census2021_oa_topics",
    "census2021_ltla",
    "census2011",
    "ons_els",
    "ons_subnational",
    "smc_social_mobility",
    "ons_similar_areas",
    "eu_referendum",
    "general_elections",
    "pcon24_lookup",
    "local_elections",
    "place_survey",
    "recorded_crime",
    "crime_severity",
    "health_index",
    "population_estimates",
    "community_needs_index",
)


def load_module(name: str) -> ModuleType:
    return importlib.import_module(f"data_sources.{name}")


def all_modules() -> list[ModuleType]:
    return [load_module(name) for name in SOURCE_MODULES]


def by_id(source_id: str) -> ModuleType:
    for module in all_modules():
        if module.SOURCE.id == source_id:
            return module
    known = ", ".join(m.SOURCE.id for m in all_modules())
    raise KeyError(f"unknown source {source_id!r}; known sources: {known}")


def publisher_direction(source_id: str, measure: str) -> PublisherDirection:
    """Which way the publisher of source_id calls measure favourable, as its loader declares; KeyError if undeclared."""
    return by_id(source_id).SOURCE.direction(measure)
