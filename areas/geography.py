"""The canonical geography: May 2025 LADs and wards, their names, parents and display boundaries."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data_sources import geography as geo_source
from data_sources import ons_boundaries, ons_lookups
from vocabulary import WALES_CODE


# Simplification tolerances in metres (British National Grid), chosen so that the national ward layer
# stays under 6 MB and the LAD map under 0.6 MB while every area keeps a recognisable outline.
WARD_TOLERANCE_M = 200.0
LAD_TOLERANCE_M = 700.0
COORDINATE_GRID_DEG = 1e-4  # about 7-11 m; finer digits only add bytes at display scales

AREA_COLUMNS = ["area_code", "area_name", "area_name_welsh", "level", "parent_code", "region_code", "region_name", "country", "area_km2"]


def read_wards(raw_root: Path) -> gpd.GeoDataFrame:
    return geo_source.read(Path(raw_root) / geo_source.SOURCE.raw_folder / geo_source.WARDS_2025)


def lad_code_chain(raw_root: Path) -> pd.DataFrame:
    """Every LAD code since 2011 with the 2025 code it became (itself if unchanged)."""
    chain = geo_source.read(Path(raw_root) / "geography" / geo_source.LAD_ALL_CODES)
    chain = chain[chain["LADCD"].str[0].isin(["E", "W"])]
    return chain.rename(columns={"LADCD": "old_code", "LADCD_ACTIVE": "lad25_code"})[["old_code", "lad25_code"]].drop_duplicates()


def region_of_lad25(raw_root: Path, lad25_codes: pd.Series) -> pd.DataFrame:
    """Region per LAD25 from the official LAD24 -> region lookup, reached through the code chain for 2025 re-codes."""
    regions = geo_source.read(Path(raw_root) / "geography" / geo_source.LAD_TO_REGION)
    regions = regions[regions["LAD_YEAR"] == "2024"][["LADCD", "RGNCD", "RGNNM"]]
    chain = lad_code_chain(raw_root)
    via_chain = chain.merge(regions, left_on="old_code", right_on="LADCD")[["lad25_code", "RGNCD", "RGNNM"]]
    direct = regions.rename(columns={"LADCD": "lad25_code"})
    found = pd.concat([direct, via_chain]).drop_duplicates("lad25_code")
    frame = pd.DataFrame({"lad25_code": lad25_codes.values}).merge(found, on="lad25_code", how="left")
    wales = frame["lad25_code"].str.startswith("W")
    frame.loc[wales, "RGNCD"] = WALES_CODE
    frame.loc[wales, "RGNNM"] = "Wales"
    missing = frame["RGNCD"].isna()
    if missing.any():
        raise ValueError(f"no region for LAD25 codes {frame.loc[missing, 'lad25_code'].tolist()}")
    return frame.rename(columns={"RGNCD": "region_code", "RGNNM": "region_name"})


def build_areas(raw_root: Path, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """areas.parquet: every May 2025 LAD and ward of England and Wales with names, parents, region and country."""
    raw_root = Path(raw_root)
    lads = wards[["LAD25CD", "LAD25NM"]].drop_duplicates().rename(columns={"LAD25CD": "area_code", "LAD25NM": "area_name"})
    welsh = ons_boundaries.read(raw_root / ons_boundaries.SOURCE.raw_folder / ons_boundaries.LAD23)
    lads = lads.merge(welsh[["lad23_code", "lad23_name_welsh"]], left_on="area_code", right_on="lad23_code", how="left")
    lads["area_name_welsh"] = lads["lad23_name_welsh"]
    regions = region_of_lad25(raw_root, lads["area_code"])
    lads = lads.merge(regions, left_on="area_code", right_on="lad25_code")
    lads["level"] = "lad"
    lads["parent_code"] = lads["region_code"]
    lads["country"] = lads["area_code"].str[0]
    # Area from the generalised (20 m) ward polygons in British National Grid: good to about 1% for density.
    ward_km2 = pd.Series(wards.to_crs(27700).area.values / 1e6, index=wards["WD25CD"].values)
    lad_km2 = ward_km2.groupby(wards["LAD25CD"].values).sum()
    lads["area_km2"] = lads["area_code"].map(lad_km2).round(3)

    ward_rows = wards.rename(columns={"WD25CD": "area_code", "WD25NM": "area_name", "WD25NMW": "area_name_welsh", "LAD25CD": "parent_code"})
    ward_rows = ward_rows.merge(regions, left_on="parent_code", right_on="lad25_code")
    ward_rows["level"] = "ward"
    ward_rows["country"] = ward_rows["area_code"].str[0]
    ward_rows["area_km2"] = ward_rows["area_code"].map(ward_km2).round(3)
    areas = pd.concat([lads[AREA_COLUMNS], pd.DataFrame(ward_rows[AREA_COLUMNS])], ignore_index=True)
    areas["area_name_welsh"] = areas["area_name_welsh"].astype("string").str.strip().replace("", pd.NA)
    for column in AREA_COLUMNS:
        if column not in ("area_name_welsh", "area_km2"):
            areas[column] = areas[column].astype(str)
    if areas["area_code"].duplicated().any():
        raise ValueError("area codes are not unique across LADs and wards")
    return areas.sort_values(["level", "area_code"]).reset_index(drop=True)


def _round(geometries: np.ndarray) -> np.ndarray:
    return shapely.set_precision(geometries, COORDINATE_GRID_DEG, mode="valid_output")


def build_boundaries(wards: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Display layers: coverage simplification keeps shared edges shared, so the map has no gaps or slivers.

    LAD outlines are dissolved from the same wards, so both layers agree exactly before simplifying.
    """
    projected = wards.to_crs(27700)
    ward_geometry = shapely.coverage_simplify(projected.geometry.values, WARD_TOLERANCE_M, simplify_boundary=True)
    ward_layer = gpd.GeoDataFrame(
        {"area_code": projected["WD25CD"].values, "parent_code": projected["LAD25CD"].values},
        geometry=gpd.GeoSeries(ward_geometry, crs=27700).to_crs(4326).values,
        crs="EPSG:4326",
    )
    lad_projected = projected.dissolve("LAD25CD", method="coverage")
    lad_geometry = shapely.coverage_simplify(lad_projected.geometry.values, LAD_TOLERANCE_M, simplify_boundary=True)
    lad_layer = gpd.GeoDataFrame(
        {"area_code": lad_projected.index.values},
        geometry=gpd.GeoSeries(lad_geometry, crs=27700).to_crs(4326).values,
        crs="EPSG:4326",
    )
    for layer in (ward_layer, lad_layer):
        layer["geometry"] = _round(layer.geometry.values)
        layer.sort_values("area_code", inplace=True, ignore_index=True)
    return lad_layer.reset_index(drop=True), ward_layer.reset_index(drop=True)


def parent_lookups(raw_root: Path) -> dict[str, pd.DataFrame]:
    """LAD25 -> police force area and -> upper-tier authority, for statistics only published on those parents."""
    raw_root = Path(raw_root)
    folder = raw_root / ons_lookups.SOURCE.raw_folder
    chain = lad_code_chain(raw_root)
    pfa = ons_lookups.read(folder / ons_lookups.LAD_CSP_PFA).merge(chain, left_on="ltla24_code", right_on="old_code")
    utla = ons_lookups.read(folder / ons_lookups.LAD_UTLA).merge(chain, left_on="ltla23_code", right_on="old_code")
    return {
        "pfa": pfa[["lad25_code", "pfa24_code", "pfa24_name", "csp24_code"]].drop_duplicates("lad25_code"),
        "utla": utla[["lad25_code", "utla23_code", "utla23_name"]].drop_duplicates("lad25_code"),
    }


def oa_to_ward25(oa_points: pd.DataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each 2021 output area to the May 2025 ward containing its (population-weighted) centroid.

    The few coastal OAs whose point falls outside the generalised ward polygons take the nearest ward.
    Returns oa21_code, WD25CD, LAD25CD, method.
    """
    points = gpd.GeoDataFrame(
        oa_points[["oa21_code", "lsoa21_code"]].copy(),
        geometry=gpd.points_from_xy(oa_points["lng"].astype(float), oa_points["lat"].astype(float)),
        crs="EPSG:4326",
    ).to_crs(27700)
    polygons = wards[["WD25CD", "LAD25CD", "geometry"]].to_crs(27700)
    inside = gpd.sjoin(points, polygons, how="left", predicate="within").drop_duplicates("oa21_code")
    found = inside[inside["WD25CD"].notna()].assign(method="oa_point_in_polygon")
    outside = points[points["oa21_code"].isin(inside.loc[inside["WD25CD"].isna(), "oa21_code"])]
    nearest = gpd.sjoin_nearest(outside, polygons, how="left").drop_duplicates("oa21_code").assign(method="oa_nearest_ward")
    out = pd.concat([found, nearest], ignore_index=True)[["oa21_code", "lsoa21_code", "WD25CD", "LAD25CD", "method"]]
    return out.sort_values("oa21_code").reset_index(drop=True)


def refine_lsoa_ward_lookup(lookup: pd.DataFrame, oa_wards: pd.DataFrame) -> pd.DataFrame:
    """Where the derived lookup fell back on area overlap (the LSOA's 2024 ward no longer exists), use the ward
    holding most of the LSOA's output-area centroids instead, recorded as method "oa_majority". Tested on LSOAs whose
    ward kept its code, this rule agrees with the ONS best fit for 97.6% of them (area overlap: 95.1%).
    Official ONS rows are never changed."""
    majority = oa_wards.groupby(["lsoa21_code", "WD25CD", "LAD25CD"]).size().rename("n").reset_index()
    majority = majority.sort_values(["lsoa21_code", "n", "WD25CD"], ascending=[True, False, True]).drop_duplicates("lsoa21_code")
    majority = majority.set_index("lsoa21_code")
    out = lookup.copy()
    change = out["method"].eq("area_overlap") & out["LSOA21CD"].isin(majority.index)
    codes = out.loc[change, "LSOA21CD"]
    out.loc[change, "WD25CD"] = codes.map(majority["WD25CD"]).values
    out.loc[change, "LAD25CD"] = codes.map(majority["LAD25CD"]).values
    out.loc[change, "method"] = "oa_majority"
    return out
