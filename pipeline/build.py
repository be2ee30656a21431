"""The build: raw snapshot -> processed tables, written to a staging folder and switched in all at once."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

import settings
from areas import geography as geo
from data_sources import all_modules, manifest
from data_sources.base import DataSourceError, validate_tidy
from outputs import geojson, methodology
from pipeline import build_cache, steps

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    processed_dir: Path
    seconds: float
    tables: dict[str, int] = field(default_factory=dict)
    # What the incremental build reused from data/.build-cache/ and what it computed (all empty with cache=False).
    cache_used: bool = False
    geography_reused: bool = False
    sources_reused: list[str] = field(default_factory=list)
    sources_read: list[str] = field(default_factory=list)
    indicators_reused: list[str] = field(default_factory=list)
    indicators_computed: list[str] = field(default_factory=list)
    indicators_not_cached: dict[str, str] = field(default_factory=dict)  # computed every build, with why
    steps_reused: list[str] = field(default_factory=list)  # build_cache.CONTEXT_STEPS (ward reliability, election matches)
    steps_computed: list[str] = field(default_factory=list)


def read_source(module, raw_root: Path, progress: Progress = lambda _m: None) -> pd.DataFrame | None:
    """Every held tidy file of one source in one frame (None if it holds none)."""
    source = module.SOURCE
    parts = []
    for raw in source.files:
        path = raw_root / source.raw_folder / raw.name
        if not raw.tidy or not raw.held or not path.exists():
            continue
        progress(f"reading {source.id}: {raw.name}")
        frame = module.read(path)
        frame = frame.assign(source_file=raw.name)
        parts.append(frame)
    if not parts:
        return None
    combined = pd.concat(parts, ignore_index=True)
    validate_tidy(combined.drop(columns=["source_file"]), source.id)
    return combined


def read_tidy_sources(raw_root: Path, progress: Progress = lambda _m: None) -> dict[str, pd.DataFrame]:
    """Every held tidy file of every source, one frame per source id."""
    frames: dict[str, pd.DataFrame] = {}
    for module in all_modules():
        frame = read_source(module, raw_root, progress)
        if frame is not None:
            frames[module.SOURCE.id] = frame
    return frames


def geography(raw_root: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The areas table and the LAD and ward display layers."""
    wards = geo.read_wards(raw_root)
    areas = geo.build_areas(raw_root, wards)
    lad_layer, ward_layer = geo.build_boundaries(wards)
    return areas, lad_layer, ward_layer


def run(data_dir: Path | None = None, progress: Progress = lambda _m: None, cache: bool = True) -> BuildResult:
    """Rebuild every processed table from data/raw. Nothing in data/processed changes unless all of it succeeds.

    cache=True reuses from data/.build-cache/ what rests only on unchanged raw files and code (pipeline/build_cache.py)
    and keeps what it computes there; the tables are the same as those of cache=False, which neither reads nor writes it.
    """

    started = time.perf_counter()
    data_dir = Path(data_dir or settings.data_dir())
    raw_root = data_dir / "raw"
    staging = data_dir / ".processed-new"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "tidy").mkdir(parents=True)
    tables: dict[str, int] = {}
    store = build_cache.BuildCache(data_dir, progress) if cache else None
    try:
        progress("geography: areas and boundaries")
        areas, lad_layer, ward_layer = store.geography(lambda: geography(raw_root)) if store else geography(raw_root)
        write_table(areas, staging / "areas.parquet", tables)
        lad_layer.to_parquet(staging / "boundaries_lad.parquet", index=False)
        ward_layer.to_parquet(staging / "boundaries_ward.parquet", index=False)
        tables["boundaries_lad.parquet"], tables["boundaries_ward.parquet"] = len(lad_layer), len(ward_layer)
        # The national ward map's layer is built with the tables, so the layer served always matches them.
        geojson.write_ward_layer(ward_layer, staging)
        tables[geojson.WARD_LAYER] = len(ward_layer)

        if store is None:
            tidy = read_tidy_sources(raw_root, progress)
            for source_id, frame in tidy.items():
                write_table(frame, staging / "tidy" / f"{source_id}.parquet", tables, name=f"tidy/{source_id}.parquet")
        else:
            tidy = cached_tidy_sources(store, raw_root, staging, tables, progress)

        write_table(sources_table(data_dir), staging / "sources.parquet", tables)

        progress("indicators, factor scores, neighbours, benchmarks")
        if store is None:
            built = steps.build_tables(raw_root, areas, tidy, progress)
        else:
            with store.cached_steps(steps):
                built = steps.build_tables(raw_root, areas, tidy, progress)
        for name, frame in built.items():
            write_table(frame, staging / f"{name}.parquet", tables)

        (staging / "methodology.md").write_text(methodology.render(built["coherence"]), encoding="utf-8")
        (staging / "build_info.json").write_text(json.dumps({"tables": tables}, indent=1, sort_keys=True) + "\n")
        switch_in(staging, data_dir / "processed")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if store is not None:
        store.prune()
    # After the switch, outside the rollback: the tables are in, and the app would publish the layer itself if this failed.
    if (data_dir / "processed").resolve() == settings.processed_dir().resolve():
        geojson.publish_map_layers(data_dir / "processed", settings.STATIC_DIR)
    tally = {} if store is None else {"cache_used": True, **dataclasses.asdict(store.tally)}
    return BuildResult(processed_dir=data_dir / "processed", seconds=time.perf_counter() - started, tables=tables, **tally)


def cached_tidy_sources(store: build_cache.BuildCache, raw_root: Path, staging: Path, tables: dict[str, int], progress: Progress) -> build_cache.TidyFrames:
    """read_tidy_sources and the tidy tables' writing, each source's file copied from the cache when it is unchanged."""
    frames = build_cache.TidyFrames()
    for module in all_modules():
        source_id = module.SOURCE.id
        name = f"tidy/{source_id}.parquet"
        target = staging / name
        frame = store.tidy(
            module.SOURCE,
            target,
            read=lambda module=module: read_source(module, raw_root, progress),
            write=lambda frame, target=target, name=name: write_table(frame, target, tables, name=name),
        )
        if frame is not None:
            frames.add(source_id, frame)
            tables[name] = frame.rows if isinstance(frame, build_cache.CachedFrame) else len(frame)
    return frames


def sources_table(data_dir: Path) -> pd.DataFrame:
    """One row per source: what it is, its licence, and when its held files were retrieved (from the manifest)."""

    retrieved: dict[str, set[str]] = {}
    for entry in manifest.load(data_dir / "manifest.json"):
        retrieved.setdefault(entry.source_id, set()).add(entry.retrieved)
    rows = []
    for module in all_modules():
        source = module.SOURCE
        rows.append(
            {
                "source_id": source.id,
                "title": source.title,
                "publisher": source.publisher,
                "licence": source.licence,
                "licence_url": source.licence_url,
                "attribution": source.attribution,
                "landing_page": source.landing_page,
                "published": source.published,
                "vintage": source.vintage,
                "geography": source.geography,
                "code_vintage": source.code_vintage,
                "retrieved": ", ".join(sorted(retrieved.get(source.id, set()))),
                "optional": source.optional,
                "caveats": source.caveats,
                "files": ", ".join(raw.name for raw in source.files if raw.held),
            }
        )
    return pd.DataFrame(rows)


def write_table(frame: pd.DataFrame, path: Path, tables: dict[str, int], name: str | None = None) -> None:
    frame.reset_index(drop=True).to_parquet(path, index=False, compression="zstd")
    tables[name or path.name] = len(frame)


def switch_in(staging: Path, processed: Path) -> None:
    """Replace the processed folder in two renames, so readers see the old set or the new set, never a mix."""
    old = processed.with_name(".processed-old")
    shutil.rmtree(old, ignore_errors=True)
    if processed.exists():
        os.replace(processed, old)
    os.replace(staging, processed)
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["run", "read_tidy_sources", "BuildResult", "DataSourceError"]
