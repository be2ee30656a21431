"""GeoJSON of the boundaries: the compact national ward layer the build writes, and the map layers published where the
app serves them by URL (the LA layer and one ward layer per LA, under content-hashed names)."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

WARD_LAYER = "wards_ew.geojson"
# The map layers, under the static folder: boundaries/lad-<hash>.geojson, boundaries/wards/<LAD code>-<hash>.geojson
# and boundaries/wards_ew-<hash>.geojson, <hash> the first 8 hex digits of the sha256 of the file's bytes, so a name
# never changes meaning and a browser may cache it for good; index.json names the current ones.
BOUNDARIES = "boundaries"
LAYER_INDEX = "index.json"
HASH_DIGITS = 8
# Bump when the bytes written for the same tables change (the serialisation), so no index outlives its format.
LAYER_FORMAT = 1
LAD_TABLE, WARD_TABLE = "boundaries_lad.parquet", "boundaries_ward.parquet"


def _rings(polygon) -> list[np.ndarray]:
    # Numpy rings: deep-copied by plotly in microseconds, where nested lists of floats take tens of ms per figure.
    return [np.asarray(polygon.exterior.coords)] + [np.asarray(r.coords) for r in polygon.interiors]


def geometry_dict(geometry, *, arrays: bool = True) -> dict:
    if geometry.geom_type == "Polygon":
        coords = _rings(geometry)
        kind = "Polygon"
    elif geometry.geom_type == "MultiPolygon":
        coords = [_rings(p) for p in geometry.geoms]
        kind = "MultiPolygon"
    else:
        raise ValueError(f"unexpected geometry {geometry.geom_type}")
    if not arrays:
        coords = json.loads(json.dumps(coords, default=lambda a: a.tolist()))
    return {"type": kind, "coordinates": coords}


def feature_collection(codes, geometries, *, arrays: bool = True) -> dict:
    """GeoJSON with only area_code in properties (the figure's featureidkey)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"area_code": code}, "geometry": geometry_dict(g, arrays=arrays)}
            for code, g in zip(codes, geometries)
        ],
    }


def layer_bytes(codes, geometries) -> bytes:
    """A compact layer file: area_code only in properties, the coordinates as the boundaries hold them (already
    rounded), no spaces between separators."""
    return json.dumps(feature_collection(codes, geometries, arrays=False), separators=(",", ":")).encode("utf-8")


def _atomic_write(target: Path, payload: bytes) -> None:
    """Readers see the old file or the new one, never a part; a private temporary name, so two writers never meet."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_ward_layer(ward_boundaries, folder: Path) -> dict[str, int]:
    """Write folder/wards_ew.geojson (area_code only, compact) from the ward boundaries; atomic. Returns raw and gzip bytes.

    The national ward map points at this file by URL, so 7,588 ward outlines are never embedded in a figure.
    """
    payload = layer_bytes(ward_boundaries["area_code"], ward_boundaries.geometry)
    _atomic_write(Path(folder) / WARD_LAYER, payload)
    return {"raw_bytes": len(payload), "gzip_bytes": len(gzip.compress(payload, 6))}


# ---------------------------------------------------------------- the map layers, by URL

def hashed_name(stem: str, payload: bytes) -> str:
    """'E06000054-1a2b3c4d.geojson': the stem and the first 8 hex digits of the sha256 of the bytes."""
    return f"{stem}-{hashlib.sha256(payload).hexdigest()[:HASH_DIGITS]}.geojson"


@dataclass(frozen=True)
class MapLayers:
    """The published layers' paths, relative to the static folder (the URL is app/static/<path>): the LAs', each
    LA's wards' (LAD code -> path) and the national ward layer's (None when the build wrote none)."""

    lad: str
    wards: dict[str, str] = field(default_factory=dict)
    national: str | None = None

    def paths(self) -> list[str]:
        return [self.lad, *self.wards.values(), *([self.national] if self.national else [])]


def map_layer_files(processed_dir: Path) -> tuple[MapLayers, dict[str, bytes]]:
    """The layers' paths and bytes (path relative to the static folder -> bytes), a pure function of the processed
    folder's boundary tables: the LA layer from boundaries_lad.parquet, one ward layer per LA from
    boundaries_ward.parquet grouped by parent_code (wards in the table's order), and the build's national ward layer
    copied byte for byte."""
    import geopandas as gpd

    folder = Path(processed_dir)
    files: dict[str, bytes] = {}
    lad = gpd.read_parquet(folder / LAD_TABLE)
    payload = layer_bytes(lad["area_code"], lad.geometry)
    lad_path = f"{BOUNDARIES}/{hashed_name('lad', payload)}"
    files[lad_path] = payload
    wards = gpd.read_parquet(folder / WARD_TABLE)
    ward_paths = {}
    for parent, block in wards.groupby("parent_code", sort=True):
        payload = layer_bytes(block["area_code"], block.geometry)
        ward_paths[str(parent)] = path = f"{BOUNDARIES}/wards/{hashed_name(str(parent), payload)}"
        files[path] = payload
    national = None
    if (folder / WARD_LAYER).exists():
        payload = (folder / WARD_LAYER).read_bytes()
        national = f"{BOUNDARIES}/{hashed_name(Path(WARD_LAYER).stem, payload)}"
        files[national] = payload
    return MapLayers(lad_path, ward_paths, national), files


def _source_digests(processed_dir: Path) -> dict[str, str]:
    """sha256 of each file the layers are made from: the index records them, so an unchanged build publishes nothing."""
    folder = Path(processed_dir)
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in (LAD_TABLE, WARD_TABLE, WARD_LAYER) if (folder / name).exists()}


def read_map_layers(static_dir: Path) -> MapLayers | None:
    """The layers static/boundaries/index.json names (None without an index, or when a file it names is missing)."""
    index = _read_index(Path(static_dir))
    return _layers_of(index, Path(static_dir)) if index else None


def _read_index(static_dir: Path) -> dict | None:
    try:
        index = json.loads((static_dir / BOUNDARIES / LAYER_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) and index.get("format") == LAYER_FORMAT else None


def _layers_of(index: dict, static_dir: Path) -> MapLayers | None:
    try:
        layers = MapLayers(index["layers"]["lad"], dict(index["layers"]["wards"]), index["layers"].get("national"))
    except (KeyError, TypeError):
        return None
    return layers if all((static_dir / p).is_file() for p in layers.paths()) else None


def publish_map_layers(processed_dir: Path, static_dir: Path) -> MapLayers | None:
    """Publish the map layers of the processed folder under static_dir/boundaries/, where the app serves them by URL,
    and the national ward layer at static_dir/wards_ew.geojson (its fixed URL); None without boundary tables.

    Each file is written atomically under its content-hashed name, then index.json (naming them) is replaced, then
    the hashed files of older builds are removed. Republishing the same tables writes nothing: the index records the
    sha256 of the tables it was made from. The layers are a pure function of the tables, so the layer served always
    matches them."""
    processed_dir, static_dir = Path(processed_dir), Path(static_dir)
    _publish_national(processed_dir, static_dir)
    if not (processed_dir / LAD_TABLE).exists() or not (processed_dir / WARD_TABLE).exists():
        return None
    sources = _source_digests(processed_dir)
    held = _read_index(static_dir)
    if held is not None and held.get("sources") == sources:
        layers = _layers_of(held, static_dir)
        if layers is not None:
            return layers
    layers, files = map_layer_files(processed_dir)
    for path, payload in files.items():
        target = static_dir / path
        if not target.is_file() or target.stat().st_size != len(payload):
            _atomic_write(target, payload)
    index = {"format": LAYER_FORMAT, "sources": sources, "layers": {"lad": layers.lad, "national": layers.national, "wards": layers.wards}}
    _atomic_write(static_dir / BOUNDARIES / LAYER_INDEX, json.dumps(index, indent=0, sort_keys=True).encode("utf-8"))
    _remove_stale(static_dir, set(files))
    return layers


def _remove_stale(static_dir: Path, current: set[str]) -> None:
    """Delete the hashed layer files no index names any more (older builds'); nothing else in the folder is touched."""
    root = static_dir / BOUNDARIES
    for path in [*root.glob("*.geojson"), *root.glob("wards/*.geojson")]:
        if path.relative_to(static_dir).as_posix() not in current:
            path.unlink(missing_ok=True)


def _publish_national(processed_dir: Path, static_dir: Path) -> Path | None:
    """Copy the build's national ward layer to static_dir/wards_ew.geojson when it is missing there or differs; None if
    the build wrote none. A copy, never a recomputation."""
    built = processed_dir / WARD_LAYER
    if not built.exists():
        return None
    target = static_dir / WARD_LAYER
    if not target.exists() or target.stat().st_size != built.stat().st_size or target.read_bytes() != built.read_bytes():
        _atomic_write(target, built.read_bytes())
    return target


def publish_ward_layer(processed_dir: Path, static_dir: Path) -> Path | None:
    """Before publish_map_layers: publishes every layer, returns the national one's path (None if the build wrote none)."""
    publish_map_layers(processed_dir, static_dir)
    target = Path(static_dir) / WARD_LAYER
    return target if target.exists() else None
