"""Loaders, one module per publisher dataset, found by discovery: every module of this package that declares a SOURCE.

A source has one name, its id: the loader is data_sources/<id>.py, its files are in data/raw/<id>/. Adding a source
means adding that module; nothing here lists the sources. The command line, the build and refresh take them in
alphabetical order of id (no build step depends on the order: each source is read and fetched on its own).
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: importing base here would load pandas for every `import data_sources`
    from data_sources.base import PublisherDirection

# Each source module exposes SOURCE (its declaration), read(path) -> tidy DataFrame and fetch(dest) -> Path. The other
# modules (base, http, fetching, manifest) are the loaders' shared helpers and declare no SOURCE.


def load_module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def module_names() -> list[str]:
    """The names of the source modules, which are their source ids, in alphabetical order."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg)
    return [name for name in names if hasattr(load_module(name), "SOURCE")]


def all_modules() -> list[ModuleType]:
    return [load_module(name) for name in module_names()]


def by_id(source_id: str) -> ModuleType:
    for module in all_modules():
        if module.SOURCE.id == source_id:
            return module
    known = ", ".join(m.SOURCE.id for m in all_modules())
    raise KeyError(f"unknown source {source_id!r}; known sources: {known}")


def publisher_direction(source_id: str, measure: str) -> PublisherDirection:
    """Which way the publisher of source_id calls measure favourable, as its loader declares; KeyError if undeclared."""
    return by_id(source_id).SOURCE.direction(measure)
