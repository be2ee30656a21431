"""The GeoJSON download carries its provenance on every feature, where geopandas and QGIS read it as columns."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from conftest import PROCESSED
from dashboard import source_lines
from outputs import downloads, geojson

CARDIFF, BLACKPOOL = "W06000015", "E06000009"
FLOAT_ARTEFACT = re.compile(r"\d\.\d*0000000\d|9999999\d")


@pytest.fixture(scope="module")
def tables():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "sources", "boundaries_lad")
    return {n: (gpd.read_parquet if n.startswith("boundaries") else pd.read_parquet)(PROCESSED / f"{n}.parquet") for n in names}


@pytest.fixture(scope="module")
def geometries(tables):
    lad = tables["boundaries_lad"]
    return {f["properties"]["area_code"]: f["geometry"] for f in geojson.feature_collection(lad["area_code"], lad.geometry)["features"]}


def with_area_names(rows: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """As the Data and export page names its rows."""
    rows = rows.reset_index(drop=True)
    rows.insert(1, "area_name", rows["area_code"].map(dict(zip(areas["area_code"], areas["area_name"]))))
    rows.insert(2, "area_name_welsh", rows["area_code"].map(dict(zip(areas["area_code"], areas["area_name_welsh"]))).fillna(""))
    return rows


def read_back(tmp_path, payload: bytes) -> gpd.GeoDataFrame:
    path = tmp_path / "export.geojson"
    path.write_bytes(payload)
    return gpd.read_file(path).set_index("area_code")


def test_geojson_features_carry_welsh_name_source_licence_and_derivation(tmp_path, tables, geometries):
    catalogue, sources, values = tables["indicators"], tables["sources"], tables["indicator_values"]
    latest = values.merge(catalogue[["indicator_id", "latest_period"]], on="indicator_id")
    rows = latest[(latest["period"] == latest["latest_period"]) & latest["area_code"].isin([CARDIFF, BLACKPOOL])].drop(columns="latest_period")
    rows = rows.merge(catalogue[["indicator_id", "title", "unit"]], on="indicator_id", how="left")
    rows = with_area_names(downloads.with_provenance(rows, catalogue, sources), tables["areas"])
    definitions, used = downloads.selection_metadata(rows["indicator_id"].unique(), catalogue, sources)
    credit = source_lines.boundary_credit(sources)
    payload = downloads.to_geojson_bytes(downloads.geojson_long(rows), geometries, definitions, used, boundaries=credit)
    assert FLOAT_ARTEFACT.findall(payload.decode("utf-8")) == []
    # the boundaries' OS notice travels with the geometries, as their licence asks
    attribution = sources.set_index("source_id").at[source_lines.BOUNDARY_SOURCE, "attribution"]
    assert attribution and json.loads(payload)["metadata"]["boundaries"] == credit and attribution in credit

    frame = read_back(tmp_path, payload)
    cardiff, blackpool = frame.loc[CARDIFF], frame.loc[BLACKPOOL]
    assert cardiff["area_name"] == "Cardiff" and cardiff["area_name_welsh"] == "Caerdydd"
    assert pd.isna(blackpool["area_name_welsh"])
    licence = sources.set_index("source_id")["licence"]
    stored = rows[rows["area_code"] == CARDIFF].set_index("indicator_id")
    # One source (Open Parliament Licence), and several sources under two licences.
    for indicator in ("local_election_turnout", "wimd_score", "general_election_turnout_2024", "bad_health"):
        row = stored.loc[indicator]
        key = f"{indicator}|{row['period']}"
        assert cardiff[key] == pytest.approx(row["value"])
        assert cardiff[f"{indicator}|source_id"] == catalogue.set_index("indicator_id").loc[indicator, "source_id"]
        expected = "; ".join(dict.fromkeys(licence[s] for s in cardiff[f"{indicator}|source_id"].split(", ")))
        assert cardiff[f"{indicator}|licence"] == expected
        assert cardiff[f"{key}|derivation"] == row["derivation"]
    assert cardiff["local_election_turnout|licence"] == "Open Parliament Licence v3.0"
    assert cardiff["general_election_turnout_2024|licence"] == "Open Parliament Licence v3.0; Open Government Licence v3.0"


def test_geojson_of_factor_scores_names_method_scope_and_source(tmp_path, tables, geometries):
    scores = tables["factor_scores"].query("level == 'lad' and scope == 'country' and area_code in (@CARDIFF, @BLACKPOOL)")
    rows = with_area_names(scores.assign(source_id="cohesion_atlas", licence="derived from OGL v3.0 data"), tables["areas"])
    payload = downloads.to_geojson_bytes(downloads.geojson_long(rows), geometries, *downloads.selection_metadata([], tables["indicators"], tables["sources"]))
    cardiff = read_back(tmp_path, payload).loc[CARDIFF]
    assert cardiff["area_name_welsh"] == "Caerdydd"
    stored = scores.query("area_code == @CARDIFF and factor == 'composite' and method == 'robust_z'").iloc[0]
    assert cardiff["score_composite_robust_z|latest"] == pytest.approx(stored["score"])
    assert cardiff["score_composite_robust_z|licence"] == "derived from OGL v3.0 data"
    assert cardiff["score_composite_robust_z|latest|derivation"].startswith("robust_z score, scope country")
