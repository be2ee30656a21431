"""ONS LAD May 2023 ultra-generalised boundaries, held for the Welsh names of local authorities (LAD23NMW)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import OGL_V3, RawFile, SchemaError, Source, check_codes, load_json
from data_sources.fetching import fetch_source

LAD23 = "lad_may2023_uk_buc.geojson.gz"

SOURCE = Source(
    id="ons_boundaries",
    title="Local Authority Districts (May 2023) Boundaries UK BUC",
    publisher="Office for National Statistics (Open Geography Portal)",
    licence=OGL_V3,
    landing_page="https://geoportal.statistics.gov.uk/datasets/ons::local-authority-districts-may-2023-uk-buc-2/about",
    published="2023-05",
    vintage="May 2023",
    geography="LAD",
    code_vintage="LAD23",
    files=(
        RawFile(
            name=LAD23,
            method="arcgis",
            service="Local_Authority_Districts_May_2023_UK_BUC",
            description="LAD boundaries May 2023 (UK, ultra generalised); used here for the Welsh names LAD23NMW",
            tidy=False,
        ),
    ),
)


def read(path: Path) -> pd.DataFrame:
    """Code, English and Welsh name of each E&W LAD23 (geometry is not needed: the map uses 2025 wards)."""
    path = Path(path)
    if path.name != LAD23:
        raise SchemaError(f"{path}: not a file of source {SOURCE.id}")
    try:
        features = load_json(path, "a GeoJSON FeatureCollection")["features"]
        frame = pd.DataFrame([f["properties"] for f in features])
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaError(f"{path}: not a GeoJSON FeatureCollection ({type(exc).__name__})") from exc
    missing = [c for c in ("LAD23CD", "LAD23NM", "LAD23NMW") if c not in frame.columns]
    if missing:
        raise SchemaError(f"{path}: missing column(s) {missing}")
    # Every feature must carry a code (a feature that lost it is damage, not another nation's LAD) and text names.
    check_codes(frame["LAD23CD"], path, "LAD23CD")
    if not frame[["LAD23NM", "LAD23NMW"]].map(lambda value: isinstance(value, str) or value is None or value != value).all().all():
        raise SchemaError(f"{path}: column 'LAD23NM' or 'LAD23NMW' has values that are not text")
    frame = frame[frame["LAD23CD"].astype(str).str[0].isin(["E", "W"])]
    welsh = frame["LAD23NMW"].astype("string").str.strip().replace("", pd.NA)
    return pd.DataFrame({"lad23_code": frame["LAD23CD"].values, "lad23_name": frame["LAD23NM"].values, "lad23_name_welsh": welsh.values})


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
