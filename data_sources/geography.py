"""ONS boundaries and lookups that define the canonical geography: May 2025 wards and LADs, and the code chains to reach them."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely.errors

from data_sources.base import OGL_V3, RawFile, SchemaError, Source, check_codes, load_json, read_csv_checked
from data_sources.fetching import fetch_source

ONS_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2025."
)

WARDS_2025 = "boundaries/wards_2025_may_bgc_ew.geojson"
LSOA21_WD25_DERIVED = "derived/lsoa21_wd25_lad25_ew_bestfit_derived.csv"
LSOA21_WD25_OFFICIAL = "lookups/lsoa21_wd25_lad25_ew.csv"
LSOA11_LSOA21 = "lookups/lsoa11_lsoa21_lad22_ew.csv"
LAD_TO_REGION = "lookups/lad_to_region_en.csv"
LAD_ALL_CODES = "derived/la_all_codes_drkane.csv"

SOURCE = Source(
    id="geography",
    title="ONS Open Geography Portal boundaries and lookups (wards May 2025, LSOA and LAD code chains)",
    publisher="Office for National Statistics (Open Geography Portal)",
    licence=OGL_V3,
    landing_page="https://geoportal.statistics.gov.uk/",
    published="2025-05",
    vintage="Wards May 2025; LSOA 2011/2021; LAD 2011-2025",
    geography="ward, LSOA, LAD",
    code_vintage="WD25, LAD25, LSOA21, LSOA11, LAD19-24",
    attribution=ONS_ATTRIBUTION,
    files=(
        RawFile(
            name=WARDS_2025,
            method="arcgis",
            service="Wards_May_2025_Boundaries_UK_BGC",
            description="Electoral wards, May 2025, generalised (20 m) clipped boundaries, E&W; held simplified (75 m coverage)",
            tidy=False,
        ),
        RawFile(
            name=LSOA21_WD25_DERIVED,
            url="",
            description="LSOA 2021 -> ward 2025 -> LAD 2025 best fit derived by Cohesion Atlas from ONS data (method column per row)",
            tidy=False,
        ),
        RawFile(
            name=LSOA21_WD25_OFFICIAL,
            method="arcgis",
            service="LSOA21_WD25_LAD25_EW_LU_v2",
            description="Official ONS LSOA 2021 -> ward 2025 -> LAD 2025 best fit; replaces the derived table once fetched",
            tidy=False,
            held=False,
        ),
        RawFile(
            name=LSOA11_LSOA21,
            method="arcgis",
            service="LSOA11_LSOA21_LAD22_EW_LU",
            description="LSOA 2011 -> LSOA 2021 -> LAD 2022 exact fit, with change indicator",
            tidy=False,
        ),
        RawFile(
            name=LAD_TO_REGION,
            method="arcgis",
            service="LAD24_RGN24_EN_LU",
            description="LAD -> region (England), vintages 2019-2024 stacked",
            tidy=False,
        ),
        RawFile(
            name=LAD_ALL_CODES,
            url="",
            description="Every LAD code since 2011 -> current (2025) code; drkane/geo-lookups from the ONS Code History Database",
            tidy=False,
        ),
    ),
    caveats=(
        "The LSOA 2021 -> ward 2025 lookup is derived (about 95% agreement with the ONS best-fit method where wards changed); "
        "`refresh geography` fetches the official LSOA21_WD25_LAD25_EW_LU when online."
    ),
)

LOOKUP_COLUMNS = {
    LSOA21_WD25_DERIVED: ["LSOA21CD", "WD25CD", "WD25NM", "LAD25CD", "LAD25NM", "method"],
    LSOA21_WD25_OFFICIAL: ["LSOA21CD", "WD25CD", "WD25NM", "LAD25CD", "LAD25NM"],
    LSOA11_LSOA21: ["LSOA11CD", "LSOA21CD", "CHGIND", "LAD22CD"],
    LAD_TO_REGION: ["LAD_YEAR", "LADCD", "RGNCD", "RGNNM"],
    LAD_ALL_CODES: ["LADCD", "LADNM", "LADCD_ACTIVE", "LADNM_ACTIVE", "RGNCD", "CTRYCD"],
}
WARD_COLUMNS = ["WD25CD", "WD25NM", "WD25NMW", "LAD25CD", "LAD25NM"]


def read(path: Path):
    """A lookup as a DataFrame of text columns, or the ward layer as a GeoDataFrame; SchemaError on anything else."""
    path = Path(path)
    for name, columns in LOOKUP_COLUMNS.items():
        if path.as_posix().endswith(name) or path.name == Path(name).name:
            frame = read_csv_checked(path, columns)
            for column in columns:
                if column.endswith("CD"):
                    frame[column] = frame[column].str.strip()
                    check_codes(frame[column][frame[column] != ""], path, column)
            if name == LSOA21_WD25_OFFICIAL and "method" not in frame.columns:
                frame["method"] = "ons_official"
            return frame
    if path.name == Path(WARDS_2025).name:
        return read_wards(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_wards(path: Path) -> gpd.GeoDataFrame:
    body = load_json(path, "a GeoJSON FeatureCollection")
    try:
        frame = gpd.GeoDataFrame.from_features(body["features"], crs="EPSG:4326")
    # A damaged feature fails inside shapely/geopandas with whatever error its parser meets first.
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise SchemaError(f"{path}: not a GeoJSON FeatureCollection ({type(exc).__name__}: {exc})") from exc
    missing = [c for c in WARD_COLUMNS if c not in frame.columns]
    if missing:
        raise SchemaError(f"{path}: missing column(s) {', '.join(map(repr, missing))}; found {list(frame.columns)[:10]}")
    # Codes are checked on every feature: one that lost its properties is damage, not a ward outside E&W.
    check_codes(frame["WD25CD"], path, "WD25CD")
    check_codes(frame["LAD25CD"], path, "LAD25CD")
    frame = frame[frame["WD25CD"].astype(str).str[0].isin(["E", "W"])].copy()
    if frame["WD25CD"].duplicated().any():
        raise SchemaError(f"{path}: ward codes are not unique")
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        raise SchemaError(f"{path}: some wards have no geometry")
    return frame[[*WARD_COLUMNS, "geometry"]].reset_index(drop=True)


def lsoa21_to_ward25(raw_root: Path) -> pd.DataFrame:
    """The LSOA21 -> WD25 best fit: the official ONS table when it has been fetched, else the derived one."""
    folder = Path(raw_root) / SOURCE.raw_folder
    official = folder / LSOA21_WD25_OFFICIAL
    return read(official) if official.exists() else read(folder / LSOA21_WD25_DERIVED)


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
