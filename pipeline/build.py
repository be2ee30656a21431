"""The build: raw snapshot -> processed tables, written to a staging folder and switched in all at once."""
from __future__ import annotations

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
from pipeline import steps

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    processed_dir: Path
    seconds: float
    tables: dict[str, int] = field(default_factory=dict)


def read_tidy_sources(raw_root: Path, progress: Progress = lambda _m: None) -> dict[str, pd.DataFrame]:
    """Every held tidy file of every source, one frame per source id."""
    frames: dict[str, pd.DataFrame] = {}
    for module in all_modules():
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
        if parts:
            combined = pd.concat(parts, ignore_index=True)
            validate_tidy(combined.drop(columns=["source_file"]), source.id)
            frames[source.id] = combined
    return frames


def run(data_dir: Path | None = None, progress: Progress = lambda _m: None) -> BuildResult:
    """Rebuild every processed table from data/raw. Nothing in data/processed changes unless all of it succeeds."""

    started = time.perf_counter()
    data_dir = Path(data_dir or settings.data_dir())
    raw_root = data_dir / "raw"
    staging = data_dir / ".processed-new"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "tidy").mkdir(parents=True)
    tables: dict[str, int] = {}
    try:
        progress("geography: areas and boundaries")
        wards = geo.read_wards(raw_root)
        areas = geo.build_areas(raw_root, wards)
        lad_layer, ward_layer = geo.build_boundaries(wards)
        write_table(areas, staging / "areas.parquet", tables)
        lad_layer.to_parquet(staging / "boundaries_lad.parquet", index=False)
        ward_layer.to_parquet(staging / "boundaries_ward.parquet", index=False)
        tables["boundaries_lad.parquet"], tables["boundaries_ward.parquet"] = len(lad_layer), len(ward_layer)
        # The national ward map's layer is built with the tables, so the layer served always matches them.
        geojson.write_ward_layer(ward_layer, staging)
        tables[geojson.WARD_LAYER] = len(ward_layer)

        tidy = read_tidy_sources(raw_root, progress)
        for source_id, frame in tidy.items():
            write_table(frame, staging / "tidy" / f"{source_id}.parquet", tables, name=f"tidy/{source_id}.parquet")

        write_table(sources_table(data_dir), staging / "sources.parquet", tables)

        progress("indicators, factor scores, neighbours, benchmarks")
        built = steps.build_tables(raw_root, areas, tidy, progress)
        for name, frame in built.items():
            write_table(frame, staging / f"{name}.parquet", tables)

        (staging / "methodology.md").write_text(methodology.render(built["coherence"]), encoding="utf-8")
        (staging / "build_info.json").write_text(json.dumps({"tables": tables}, indent=1, sort_keys=True) + "\n")
        switch_in(staging, data_dir / "processed")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # After the switch, outside the rollback: the tables are in, and the app would publish the layer itself if this failed.
    if (data_dir / "processed").resolve() == settings.processed_dir().resolve():
        geojson.publish_ward_layer(data_dir / "processed", settings.STATIC_DIR)
    return BuildResult(processed_dir=data_dir / "processed", seconds=time.perf_counter() - started, tables=tables)


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
