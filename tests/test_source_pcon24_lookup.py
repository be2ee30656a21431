"""LSOA21 -> PCON24 lookup loader: the bundled geoportal CSV, a recorded ArcGIS fetch, and damaged input."""
from __future__ import annotations

import functools
import json
import shutil

import pandas as pd
import pytest
import responses
from responses import matchers

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import general_elections, http, oa21_lookup
from data_sources import pcon24_lookup as m
from data_sources.base import FetchError, SchemaError
from data_sources.http import arcgis_query_url
from source_contract_checks import Damaged, Sample, cut_after

HELD = RAW / m.SOURCE.raw_folder / m.LOOKUP
FIXTURE = FIXTURES / m.SOURCE.id
URL = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/LSOA21_PCON24_LAD21_EW_LU/FeatureServer/0/query"

CONTRACT = contract.Contract(
    samples=(Sample(m.LOOKUP),),
    # Renamed code column, a file cut mid-row, an HTML page and an empty file: SchemaError naming the file (and column).
    damaged=(Damaged(m.LOOKUP, "PCON25CD", "PCON25CODE", cut=cut_after(b"E01023096,Rushmoor 004A")),),
    urls={m.LOOKUP: URL},
    html_message="did not return JSON",
)


@pytest.fixture(scope="module")
def lookup():
    return m.read_lookup(HELD)


def test_declaration():
    raw = m.SOURCE.file(m.LOOKUP)
    assert m.SOURCE.id == "pcon24_lookup"
    assert raw.method == "arcgis" and raw.service == "LSOA21_PCON24_LAD21_EW_LU" and not raw.tidy
    assert raw.url == URL == arcgis_query_url(raw.service)  # derived from the service, stated once
    assert "geoportal CSV" in raw.description
    assert m.SOURCE.licence == "Open Government Licence v3.0"


def test_bundled_lookup_real_values(lookup):
    assert list(lookup.columns) == ["lsoa21_code", "pcon24_code", "pcon24_name"]
    assert len(lookup) == 35_672 and lookup.lsoa21_code.is_unique
    assert (lookup.lsoa21_code.str[0] == "W").sum() == 1_917
    seats = lookup.drop_duplicates("pcon24_code")
    assert len(seats) == 575
    assert (seats.pcon24_code.str[:3] == "E14").sum() == 543 and (seats.pcon24_code.str[:3] == "W07").sum() == 32
    assert seats.pcon24_code.min() == "E14001063" and seats.pcon24_code.max() == "W07000112"
    rows = lookup.set_index("lsoa21_code")
    assert tuple(rows.loc["E01023096"]) == ("E14001063", "Aldershot")  # Rushmoor 004A, the file's first row
    assert tuple(rows.loc["W01000008"]) == ("W07000112", "Ynys Môn")  # Isle of Anglesey 008A, its last
    per_seat = lookup.groupby("pcon24_code").size()
    assert per_seat.min() == 41 and per_seat.max() == 90
    assert m.read(HELD).equals(lookup)


def test_lookup_matches_the_2024_results_and_the_oa_lookup(lookup):
    results = general_elections.read(RAW / general_elections.SOURCE.raw_folder / general_elections.GE2024_FILE)
    assert set(lookup.pcon24_code) == set(results.area_code)  # all 575 E&W seats, none missing either way
    oa = oa21_lookup.read_lookup(RAW / oa21_lookup.SOURCE.raw_folder / oa21_lookup.LOOKUP)
    assert set(lookup.lsoa21_code) == set(oa.lsoa21_code)


def test_constituency_fields_named_pcon24_read_the_same(tmp_path, lookup):
    text = HELD.read_text(encoding="utf-8-sig")
    target = tmp_path / m.LOOKUP
    target.write_text(text.replace("PCON25CD,PCON25NM,PCON25NMW", "PCON24CD,PCON24NM,PCON24NMW", 1), encoding="utf-8")
    pd.testing.assert_frame_equal(m.read(target), lookup)


def arcgis_responses(url: str = URL) -> None:
    body = lambda name: (FIXTURE / name).read_text(encoding="utf-8")  # noqa: E731
    responses.add(responses.GET, url, body=body("count.json"), match=[matchers.query_param_matcher({"returnCountOnly": "true"}, strict_match=False)])
    responses.add(responses.GET, url, body=body("page0.json"), match=[matchers.query_param_matcher({"resultOffset": "0"}, strict_match=False)])
    responses.add(responses.GET, url, body=body("page1.json"), match=[matchers.query_param_matcher({"resultOffset": "20"}, strict_match=False)])


@responses.activate
def test_fetch_pages_the_arcgis_layer_and_records_it(tmp_path, lookup, monkeypatch):
    # Pages of 20, so the 30 recorded records come in two pages as the fixtures hold them.
    monkeypatch.setattr(http, "arcgis_records", functools.partial(http.arcgis_records, page_size=20))
    arcgis_responses()
    folder = m.fetch(tmp_path / "raw")
    assert folder == tmp_path / "raw" / m.SOURCE.id
    fetched = m.read(folder / m.LOOKUP)
    expected = pd.concat([lookup.head(25), lookup.tail(5)], ignore_index=True)
    pd.testing.assert_frame_equal(fetched, expected)
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][0]
    assert entry["path"] == f"raw/pcon24_lookup/{m.LOOKUP}" and entry["source_id"] == "pcon24_lookup"
    assert entry["url"] == URL and len(entry["sha256"]) == 64 and entry["provenance"] == "raw/pcon24_lookup/PROVENANCE.md"


@pytest.mark.parametrize(
    "page, message",
    [
        ({"error": {"code": 400, "message": "Invalid query parameters"}}, "ArcGIS error"),
        ({"features": [], "exceededTransferLimit": False}, "reports 30"),
    ],
    ids=["arcgis-error", "count-mismatch"],
)
@responses.activate
def test_failed_fetch_keeps_the_held_lookup(tmp_path, page, message, monkeypatch):
    monkeypatch.setenv("ATLAS_HTTP_RETRIES", "0")
    responses.add(responses.GET, URL, body=(FIXTURE / "count.json").read_text(), match=[matchers.query_param_matcher({"returnCountOnly": "true"}, strict_match=False)])
    responses.add(responses.GET, URL, json=page)
    target = tmp_path / "raw" / m.SOURCE.raw_folder / m.LOOKUP
    target.parent.mkdir(parents=True)
    shutil.copy(HELD, target)
    before = target.read_bytes()
    with pytest.raises(FetchError, match=message):
        m.fetch(tmp_path / "raw")
    assert target.read_bytes() == before
    assert not (tmp_path / "manifest.json").exists() and not list((tmp_path / "raw").glob(".staging-*"))


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("E01023096,Rushmoor 004A,,E14001063", "E01023096,Rushmoor 004A,,E05001063", "another geography.*'E05001063'"),
        ("E01022891,Hart 001B", "E01023096,Hart 001B", "repeats an LSOA.*E01023096"),
        ("E01023096,Rushmoor 004A,,E14001063", "E01023096,Rushmoor 004A,,W07000112", "other country"),
        ("E01023096,Rushmoor 004A,,E14001063,Aldershot", "E01023096,Rushmoor 004A,,E14001063,", "blank constituency names"),
        ("E01022891,Hart 001B,,E14001063,Aldershot", "E01022891,Hart 001B,,E14001063,Aldershott", "more than one name"),
        ("E01023096,Rushmoor", "E1023096,Rushmoor", "not GSS codes"),
    ],
    ids=["ward-code", "duplicate-lsoa", "crossed-country", "blank-name", "two-names", "bad-code"],
)
def test_damaged_rows_are_refused(tmp_path, old, new, message):
    text = HELD.read_bytes()
    assert old.encode() in text
    target = tmp_path / m.LOOKUP
    target.write_bytes(text.replace(old.encode(), new.encode(), 1))
    with pytest.raises(SchemaError, match=message) as info:
        m.read(target)
    assert m.LOOKUP in str(info.value)


def test_a_file_cut_inside_its_last_row_is_refused(tmp_path):
    target = tmp_path / m.LOOKUP
    target.write_bytes(HELD.read_bytes()[:-3])  # "...,35672\n" -> "...,356": every field present, no final newline
    with pytest.raises(SchemaError, match="truncated"):
        m.read(target)


def test_unknown_file_is_refused(tmp_path):
    with pytest.raises(SchemaError, match="not a file of source pcon24_lookup"):
        m.read(tmp_path / "Rural_Urban_Classification.csv")
