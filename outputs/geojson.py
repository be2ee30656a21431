"""GeoJSON of the boundaries: the compact national ward layer the build writes, published where the app serves it by URL."""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np

WARD_LAYER = "wards_ew.geojson"


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


def _atomic_write(target: Path, payload: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(payload)
    os.replace(tmp, target)


def write_ward_layer(ward_boundaries, folder: Path) -> dict[str, int]:
    """Write folder/wards_ew.geojson (area_code only, compact) from the ward boundaries; atomic. Returns raw and gzip bytes.

    The national ward map points at this file by URL, so 7,588 ward outlines are never embedded in a figure.
    """
    collection = feature_collection(ward_boundaries["area_code"], ward_boundaries.geometry, arrays=False)
    payload = json.dumps(collection, separators=(",", ":")).encode("utf-8")
    _atomic_write(Path(folder) / WARD_LAYER, payload)
    return {"raw_bytes": len(payload), "gzip_bytes": len(gzip.compress(payload, 6))}


def publish_ward_layer(processed_dir: Path, static_dir: Path) -> Path | None:
    """Copy the build's ward layer to the folder the app serves, when it is missing there or differs; None if the build
    wrote none. A copy, never a recomputation: the layer served is always the one built with the tables."""
    built = Path(processed_dir) / WARD_LAYER
    if not built.exists():
        return None
    target = Path(static_dir) / WARD_LAYER
    if not target.exists() or target.stat().st_size != built.stat().st_size or target.read_bytes() != built.read_bytes():
        _atomic_write(target, built.read_bytes())
    return target
