"""Map figure sizes: each map as the app builds it against a naive baseline (unsimplified boundaries embedded in the figure)."""
from __future__ import annotations

import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.io as pio

from benchmarks.results import Result
from dashboard import figures, maps
from data_sources import geography as geo_source
from outputs import geojson

MB = 1_000_000


def _frame(codes, names) -> pd.DataFrame:
    frame = pd.DataFrame({"area_code": list(codes)})
    frame["area_name"] = frame["area_code"].map(names)
    frame["value"] = range(len(frame))
    frame["value_text"] = frame["value"].astype(str)
    frame["rank_text"] = "1 (1-2)"
    return frame


def _timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def figure_sizes(processed: Path, raw: Path, repeats: int) -> list[Result]:
    areas = pd.read_parquet(processed / "areas.parquet")
    names = dict(zip(areas["area_code"], areas["area_name"].astype(str)))
    lad = gpd.read_parquet(processed / "boundaries_lad.parquet")
    wards = gpd.read_parquet(processed / "boundaries_ward.parquet")
    line = "Source: benchmark (synthetic values on real boundaries)"
    common = {"unit": "value", "polarity": "higher_is_better", "source_line": line}

    # As the app sends them: the values, with every trace pointing at the layer file by URL (fetched once, cached).
    layers, payloads = geojson.map_layer_files(processed)
    build_la = maps.la_choropleth.__wrapped__  # timed without the app's memo
    lad_fig, lad_seconds = _timed(lambda: build_la(_frame(lad["area_code"], names), maps.layer_url(layers.lad), **common), repeats)
    lad_bytes = figures.figure_bytes(lad_fig)
    lad_layer = payloads[layers.lad]

    # Naive baseline: the held ward polygons (no display simplification, full precision) dissolved to LADs and embedded.
    raw_wards = geo_source.read(raw / "geography" / geo_source.WARDS_2025)
    naive_lad = raw_wards.dissolve("LAD25CD").reset_index()
    naive_lad_fig = maps.la_choropleth(_frame(naive_lad["LAD25CD"], names), geojson.feature_collection(naive_lad["LAD25CD"], naive_lad.geometry), **common)
    naive_lad_bytes = figures.figure_bytes(naive_lad_fig)

    biggest = wards["parent_code"].value_counts().idxmax()
    mine = wards[wards["parent_code"] == biggest]
    build_ward = maps.ward_choropleth.__wrapped__
    ward_fig, ward_seconds = _timed(
        lambda: build_ward(_frame(mine["area_code"], names), maps.layer_url(layers.wards[biggest]), tuple(mine.total_bounds), **common), repeats
    )
    ward_bytes = figures.figure_bytes(ward_fig)
    naive_mine = raw_wards[raw_wards["LAD25CD"] == biggest]
    naive_ward_bytes = figures.figure_bytes(
        maps.ward_choropleth(_frame(naive_mine["WD25CD"], names), geojson.feature_collection(naive_mine["WD25CD"], naive_mine.geometry), tuple(naive_mine.total_bounds), **common)
    )

    with tempfile.TemporaryDirectory() as scratch:
        layer = geojson.write_ward_layer(gpd.read_parquet(processed / "boundaries_ward.parquet"), Path(scratch))
    national_fig, national_seconds = _timed(lambda: maps.national_ward_choropleth.__wrapped__(_frame(wards["area_code"], names), **common), repeats)
    national_bytes = figures.figure_bytes(national_fig)
    naive_national = geojson.feature_collection(raw_wards["WD25CD"], raw_wards.geometry, arrays=False)
    naive_national_bytes = len(json.dumps(naive_national, separators=(",", ":"))) + national_bytes

    return [
        Result("LA map figure (values; layer by URL)", lad_bytes / MB, "MB", "<= 0.6 MB", lad_bytes <= 0.6 * MB and "coordinates" not in pio.to_json(lad_fig)),
        Result("LA map vs naive (unsimplified, embedded)", naive_lad_bytes / lad_bytes, "x smaller", ">= 4x", naive_lad_bytes / lad_bytes >= 4, f"naive {naive_lad_bytes / MB:.2f} MB"),
        Result("LA layer (static file, fetched once and cached), gzipped", len(gzip.compress(lad_layer, 6)) / MB, "MB", note=f"{len(lad_layer) / MB:.2f} MB raw; with the figure, still {naive_lad_bytes / (lad_bytes + len(gzip.compress(lad_layer, 6))):.0f}x below naive on a first view"),
        Result(f"Ward map of the LA with most wards ({names[biggest]}, {len(mine)} wards)", ward_bytes / MB, "MB", "<= 0.15 MB", ward_bytes <= 0.15 * MB, f"naive {naive_ward_bytes / MB:.3f} MB ({naive_ward_bytes / ward_bytes:.1f}x)"),
        Result("National ward layer (static file), raw", layer["raw_bytes"] / MB, "MB", "<= 6 MB", layer["raw_bytes"] <= 6 * MB),
        Result("National ward layer (static file), gzipped", layer["gzip_bytes"] / MB, "MB", "<= 1.5 MB", layer["gzip_bytes"] <= 1.5 * MB),
        Result("National ward map figure (layer by URL, not embedded)", national_bytes / MB, "MB", "layer never embedded", national_bytes < 0.5 * MB and "coordinates" not in pio.to_json(national_fig), f"naive embedded {naive_national_bytes / MB:.1f} MB ({naive_national_bytes / national_bytes:.0f}x)"),
        Result("Build LA map figure", lad_seconds * 1000, "ms", note=f"median of {repeats}"),
        Result("Build ward map figure", ward_seconds * 1000, "ms", note=f"median of {repeats}"),
        Result("Build national ward map figure", national_seconds * 1000, "ms", note=f"median of {repeats}"),
    ]
