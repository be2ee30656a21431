"""The one cached module: processed tables and boundaries loaded once per process and held read-only; pages filter outside the cache."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

import settings
from dashboard import maps, tables
from dashboard.tables import OPTIONAL_TABLES, TABLES, Atlas, WardComparisons  # noqa: F401  (the names pages and tests use)
from outputs import geojson
from reports import area_report
from reports.area_report import ReportTables, build_report
from scoring import reweight


def processed_dir() -> Path:
    return settings.processed_dir()


def data_stamp() -> str:
    """Changes whenever a build switches in a new processed folder, so no cache outlives the data it was built from."""
    folder = processed_dir()
    info = folder / "build_info.json"
    try:
        return f"{folder}:{info.stat().st_mtime_ns}"
    except FileNotFoundError:
        return f"{folder}:missing"


@st.cache_resource(max_entries=2, show_spinner="Loading the atlas tables…")
def _load_atlas(stamp: str) -> Atlas:
    return tables.load_atlas(Path(stamp.rsplit(":", 1)[0]))


def atlas() -> Atlas:
    return _load_atlas(data_stamp())


@st.cache_resource(max_entries=2, show_spinner="Comparing wards with their LA, country and similar wards…")
def _ward_comparisons(stamp: str) -> WardComparisons:
    return tables.ward_comparisons(_load_atlas(stamp))


def ward_comparisons() -> WardComparisons:
    return _ward_comparisons(data_stamp())


@st.cache_resource(max_entries=2, show_spinner=False)
def _report_tables(stamp: str) -> ReportTables:
    return ReportTables(atlas=_load_atlas(stamp), wards=_ward_comparisons(stamp))


def report_tables() -> ReportTables:
    """The tables the area reports read: the app's own atlas and ward comparisons, so a report matches its page."""
    return _report_tables(data_stamp())


@st.cache_data(max_entries=32, show_spinner=False)
def _report_file(stamp: str, code: str, extension: str) -> bytes:
    from reports import render

    return render.report_bytes(build_report(code, _report_tables(stamp)), extension)


def report_file(code: str, extension: str) -> bytes:
    """One area's report as PDF or HTML: the bytes `python cli.py report` writes for the same data."""
    return _report_file(data_stamp(), code, extension)


def report_file_name(code: str, extension: str) -> str:
    """Named from the atlas alone: an LA profile must not wait for the ward comparisons to name its report."""
    a = atlas()
    return area_report.report_file_name(a.names.get(code, code), code, area_report.snapshot_date(a.sources), extension)


@dataclass(frozen=True)
class Geometry:
    """GeoJSON (numpy rings) held once per process; plotly copies what it embeds, so these are never mutated."""

    lad: dict
    wards_by_lad: dict[str, dict]
    by_code: dict[str, dict]  # area_code -> geometry, for GeoJSON exports


@st.cache_resource(max_entries=2, show_spinner="Loading boundaries…")
def _load_geometry(stamp: str) -> Geometry:
    import geopandas as gpd

    folder = Path(stamp.rsplit(":", 1)[0])
    lad = gpd.read_parquet(folder / "boundaries_lad.parquet")
    wards = gpd.read_parquet(folder / "boundaries_ward.parquet")
    lad_fc = geojson.feature_collection(lad["area_code"], lad.geometry)
    wards_by_lad = maps.collections_by_parent(wards)
    by_code = {f["properties"]["area_code"]: f["geometry"] for f in lad_fc["features"]}
    for fc in wards_by_lad.values():
        by_code.update({f["properties"]["area_code"]: f["geometry"] for f in fc["features"]})
    return Geometry(lad=lad_fc, wards_by_lad=wards_by_lad, by_code=by_code)


def geometry() -> Geometry:
    return _load_geometry(data_stamp())


@dataclass(frozen=True)
class MapLayers:
    """What the maps draw besides values, with no geometry: the published layers (None where static/ could not be
    written: the maps then embed their outlines), each LA's ward codes in the table's order, and the lon/lat boxes
    that frame a map (per LA, and per LA's wards). national: the national ward layer's file, or None."""

    published: geojson.MapLayers | None
    ward_codes: dict[str, tuple[str, ...]]
    ward_bounds: dict[str, tuple[float, float, float, float]]
    lad_bounds: dict[str, tuple[float, float, float, float]]
    national: Path | None


@st.cache_resource(max_entries=2, show_spinner="Preparing the map layers…")
def _map_layers(stamp: str) -> MapLayers:
    """Publishes the processed folder's map layers to static/ (a no-op when they are already there: the names are
    content hashes), so a fresh clone's maps work; reads the codes and bounds from the tables' boundaries."""
    import geopandas as gpd

    folder = Path(stamp.rsplit(":", 1)[0])
    national = settings.STATIC_DIR / geojson.WARD_LAYER
    try:
        published = geojson.publish_map_layers(folder, settings.STATIC_DIR)
        built_national = (folder / geojson.WARD_LAYER).exists()
    except OSError:  # static/ read-only: embed the outlines rather than point at files that may not match the tables
        published, built_national = None, True  # the national map can only point at the file already served
    lad = gpd.read_parquet(folder / "boundaries_lad.parquet")
    wards = gpd.read_parquet(folder / "boundaries_ward.parquet")
    return MapLayers(
        published=published,
        ward_codes={parent: tuple(block) for parent, block in wards.groupby("parent_code", sort=True)["area_code"]},
        ward_bounds=maps.bounds_by_parent(wards),
        lad_bounds={code: tuple(float(x) for x in g.bounds) for code, g in zip(lad["area_code"], lad.geometry)},
        national=national if built_national and national.exists() else None,
    )


def map_layers() -> MapLayers:
    return _map_layers(data_stamp())


def lad_layer() -> str | dict:
    """The LA map's layer: the published file's URL, or the embedded GeoJSON when it could not be published."""
    published = map_layers().published
    return maps.layer_url(published.lad) if published is not None else geometry().lad


def ward_layer(lad: str) -> str | dict:
    """One LA's ward layer: the published file's URL, or the embedded GeoJSON (empty for an LA without wards)."""
    published = map_layers().published
    if published is not None and lad in published.wards:
        return maps.layer_url(published.wards[lad])
    return geometry().wards_by_lad.get(lad, {"type": "FeatureCollection", "features": []})


def static_ward_layer() -> Path | None:
    """The national ward layer the build wrote beside the tables, published (copied, never recomputed) to
    static/wards_ew.geojson where the app serves it by URL; None when there is none."""
    return map_layers().national


@st.cache_resource(max_entries=8, show_spinner="Normalising indicators…")
def _prepared(stamp: str, method: str, scope: str) -> reweight.Prepared:
    a = _load_atlas(stamp)
    return reweight.prepare(a.level_values("lad"), a.catalogue, a.areas[a.areas["level"] == "lad"], method, scope)


def prepared(method: str, scope: str) -> reweight.Prepared:
    return _prepared(data_stamp(), method, scope)
