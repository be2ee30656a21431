"""Geography loader: real lookups and ward boundaries, paged ArcGIS fetches from recorded responses, and clear errors."""
from __future__ import annotations

import csv
import json

import pytest
import responses
from responses import matchers

import source_contract_checks as contract
from conftest import FIXTURES
from data_sources import geography
from data_sources.base import FetchError, SchemaError
from data_sources.http import arcgis_query_url
from source_contract_checks import Damaged, Sample

FIXTURE = FIXTURES / geography.SOURCE.id
ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"

CONTRACT = contract.Contract(
    samples=(Sample(geography.LSOA11_LSOA21), Sample(geography.LAD_ALL_CODES), Sample(geography.WARDS_2025, rows=8)),
    damaged=(
        Damaged(geography.WARDS_2025, "WD25CD", "WD25CODE"),
        Damaged(geography.LSOA21_WD25_DERIVED, "WD25CD", "WARD"),
    ),
    urls={
        geography.WARDS_2025: f"{ARCGIS}/Wards_May_2025_Boundaries_UK_BGC/FeatureServer/0/query",
        geography.LSOA21_WD25_DERIVED: "",  # derived here: no download
        geography.LSOA21_WD25_OFFICIAL: f"{ARCGIS}/LSOA21_WD25_LAD25_EW_LU_v2/FeatureServer/0/query",
        geography.LSOA11_LSOA21: f"{ARCGIS}/LSOA11_LSOA21_LAD22_EW_LU/FeatureServer/0/query",
        geography.LAD_TO_REGION: f"{ARCGIS}/LAD24_RGN24_EN_LU/FeatureServer/0/query",
        geography.LAD_ALL_CODES: "",  # drkane/geo-lookups, built from the ONS Code History Database: no download
    },
    html_message="did not return JSON",
)


def test_derived_ward_lookup_covers_every_lsoa_with_a_method(raw_dir):
    lookup = geography.read(raw_dir / geography.SOURCE.raw_folder / geography.LSOA21_WD25_DERIVED)
    assert len(lookup) == 35672 and lookup["LSOA21CD"].is_unique
    assert lookup["method"].value_counts().to_dict() == {"ons_wd24": 34062, "area_overlap": 1610}
    assert lookup["LAD25CD"].nunique() == 318 and lookup["WD25CD"].nunique() == 7545
    assert set(lookup.loc[lookup.LSOA21CD == "E01000001", "WD25CD"]) == {"E05009288"}  # Aldersgate, City of London


def test_lsoa_2011_to_2021_changes(raw_dir):
    lookup = geography.read(raw_dir / geography.SOURCE.raw_folder / geography.LSOA11_LSOA21)
    assert lookup["CHGIND"].value_counts().to_dict() == {"U": 33647, "S": 1900, "M": 239, "X": 9}


def test_code_history_maps_old_codes_to_2025(raw_dir):
    chain = geography.read(raw_dir / geography.SOURCE.raw_folder / geography.LAD_ALL_CODES).set_index("LADCD")["LADCD_ACTIVE"]
    assert chain["E08000016"] == "E08000038" and chain["E08000019"] == "E08000039"
    assert chain["E07000026"] == "E06000063"  # Allerdale -> Cumberland


def test_wards_2025_layer(raw_dir):
    wards = geography.read(raw_dir / geography.SOURCE.raw_folder / geography.WARDS_2025)
    assert len(wards) == 7588 and wards.crs.to_epsg() == 4326
    assert wards.set_index("WD25CD").loc["E05000932", "WD25NM"] == "Ainsdale"


@responses.activate
def test_arcgis_fetch_pages_and_writes_the_held_layout(tmp_path):
    url = arcgis_query_url("LAD24_RGN24_EN_LU")
    body = lambda name: (FIXTURE / name).read_text()
    responses.add(responses.GET, url, body=body("lad24_rgn24_count.json"), match=[matchers.query_param_matcher({"returnCountOnly": "true"}, strict_match=False)])
    responses.add(responses.GET, url, body=body("lad24_rgn24_page0.json"), match=[matchers.query_param_matcher({"resultOffset": "0"}, strict_match=False)])
    responses.add(responses.GET, url, body=body("lad24_rgn24_page1.json"), match=[matchers.query_param_matcher({"resultOffset": "3"}, strict_match=False)])
    from data_sources.fetching import fetch_one
    from data_sources.http import make_session

    raw = geography.SOURCE.file(geography.LAD_TO_REGION)
    target = tmp_path / "lad_to_region.csv"
    validated = []
    got = fetch_one(geography.SOURCE, raw, target, validated.append, make_session())
    rows = list(csv.DictReader(target.open()))
    assert [r["LAD24CD"] for r in rows] == ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005"]
    assert rows[0]["RGN24NM"] == "North East" and got.bytes == target.stat().st_size and validated


@pytest.mark.parametrize(
    "page, message",
    [
        ({"error": {"code": 400, "message": "Invalid query parameters"}}, "ArcGIS error"),
        ({"features": []}, "reports 4"),
    ],
    ids=["arcgis-error", "count-mismatch"],
)
@responses.activate
def test_arcgis_failures_leave_the_held_lookup(tmp_path, raw_dir, page, message):
    service = "LSOA21_WD25_LAD25_EW_LU_v2"
    url = arcgis_query_url(service)
    responses.add(responses.GET, url, json={"count": 4}, match=[matchers.query_param_matcher({"returnCountOnly": "true"}, strict_match=False)])
    responses.add(responses.GET, url, json=page)
    root = tmp_path / "raw"
    held = root / geography.SOURCE.raw_folder / geography.LSOA21_WD25_OFFICIAL
    held.parent.mkdir(parents=True)
    held.write_text("LSOA21CD,WD25CD,WD25NM,LAD25CD,LAD25NM\nE01000001,E05009288,Aldersgate,E09000001,City of London\n")
    before = held.read_bytes()
    from data_sources.fetching import fetch_source

    with pytest.raises(FetchError, match=message):
        fetch_source(geography.SOURCE, root, geography.read, only=(geography.LSOA21_WD25_OFFICIAL,))
    assert held.read_bytes() == before
    assert not list(root.glob(".staging-*"))


def test_a_lookup_code_that_is_not_a_gss_code_is_refused(tmp_path):
    path = tmp_path / "lsoa21_wd25_lad25_ew_bestfit_derived.csv"
    path.write_text("LSOA21CD,WD25CD,WD25NM,LAD25CD,LAD25NM,method\nE01000001,Aldersgate,A,E09000001,C,ons_wd24\n")
    with pytest.raises(SchemaError, match="not GSS codes") as info:
        geography.read(path)
    assert path.name in str(info.value)


def test_malformed_boundaries_raise_clear_error(tmp_path):
    path = tmp_path / "wards_2025_may_bgc_ew.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"WD25CD": "E05000932"}, "geometry": None}]}))
    with pytest.raises(SchemaError, match="missing column"):
        geography.read(path)
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(SchemaError, match="cannot parse as JSON"):
        geography.read(path)
