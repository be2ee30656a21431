"""OA21 -> LSOA21 -> MSOA21 lookup loader: the bundled copy, a recorded Open Geography Portal download, damaged input."""
from __future__ import annotations

import gzip
import json
import re
import shutil

import pandas as pd
import pytest
import responses

from data_sources import census2021_oa as m
from data_sources.base import FetchError, SchemaError
from data_sources.http import build_request

OFFICIAL_URL = "https://hub.arcgis.com/api/v3/datasets/b9ca90c10aaa4b8d9791e9859a38ca67_0/downloads/data?format=csv&spatialRefId=4326"


@pytest.fixture(scope="module")
def lookup():
    from pathlib import Path

    return m.read_lookup(Path(__file__).resolve().parents[1] / "data" / "raw" / "ons_oa21_lookup" / m.LOOKUP)


def test_declaration():
    raw = m.SOURCE.file(m.LOOKUP)
    assert m.SOURCE.id == "oa21_lookup" and m.SOURCE.raw_folder == "ons_oa21_lookup"
    assert not raw.tidy and raw.method == "direct"
    assert build_request(raw.url).url == OFFICIAL_URL


def test_bundled_lookup(lookup, raw_dir):
    assert list(lookup.columns) == ["oa21_code", "lsoa21_code", "msoa21_code", "lng", "lat"]
    assert len(lookup) == 188_880 and lookup.oa21_code.is_unique
    assert lookup.lsoa21_code.nunique() == 35_672 and lookup.msoa21_code.nunique() == 7_264
    assert (lookup.oa21_code.str[0] == "W").sum() == 10_275
    row = lookup.set_index("oa21_code").loc["E00060274"]
    assert (row.lsoa21_code, row.msoa21_code, row.lng, row.lat) == ("E01011954", "E02002483", -1.23822, 54.71281)
    # Exact nesting: every LSOA in one MSOA.
    assert lookup.groupby("lsoa21_code").msoa21_code.nunique().max() == 1
    assert m.read(raw_dir / "ons_oa21_lookup" / m.LOOKUP).equals(lookup)


def test_lookup_covers_the_census_oa_tables(lookup, raw_dir):
    oas = pd.read_parquet(raw_dir / "census2021" / "census2021_ts025_household_language_oa21.parquet", columns=["OA"]).OA
    assert set(oas) == set(lookup.oa21_code)


@responses.activate
def test_fetch_converts_the_official_csv(tmp_path, fixtures_dir, lookup):
    body = (fixtures_dir / "oa21_lookup" / "oa21_lsoa21_msoa21_lad22_ew_lu.csv").read_bytes()
    responses.add(responses.GET, OFFICIAL_URL, body=body, content_type="text/csv")
    folder = m.fetch(tmp_path / "raw")
    fetched = m.read_lookup(folder / m.LOOKUP)
    assert list(fetched.columns) == ["oa21_code", "lsoa21_code", "msoa21_code", "lad22_code"]
    expected = lookup[lookup.oa21_code.isin(fetched.oa21_code)][["oa21_code", "lsoa21_code", "msoa21_code"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(fetched.drop(columns="lad22_code"), expected)
    assert fetched.set_index("oa21_code").lad22_code["E00000001"] == "E09000001"
    assert len(fetched) == 30
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][0]
    assert entry["path"] == "raw/ons_oa21_lookup/oa21_lsoa21_msoa21_ew.csv.gz"
    assert entry["url"] == OFFICIAL_URL and len(entry["sha256"]) == 64 and entry["source_id"] == "oa21_lookup"


@responses.activate
def test_fetch_failures_keep_the_held_file(tmp_path, raw_dir):
    held = tmp_path / "raw" / "ons_oa21_lookup" / m.LOOKUP
    held.parent.mkdir(parents=True)
    shutil.copy(raw_dir / "ons_oa21_lookup" / m.LOOKUP, held)
    before = held.read_bytes()
    responses.add(responses.GET, OFFICIAL_URL, status=500)
    with pytest.raises(FetchError):
        m.fetch(tmp_path / "raw")
    responses.replace(responses.GET, OFFICIAL_URL, body=b"<!DOCTYPE html><html><body>Maintenance</body></html>", content_type="text/html")
    with pytest.raises(FetchError, match="HTML"):
        m.fetch(tmp_path / "raw")
    assert held.read_bytes() == before


def test_damaged_lookup_names_the_file(tmp_path, raw_dir):
    text = gzip.decompress((raw_dir / "ons_oa21_lookup" / m.LOOKUP).read_bytes()).decode()[:20_000]
    text = text[: text.rindex("\n") + 1]
    target = tmp_path / m.LOOKUP
    cases = {
        "renamed": text.replace("lsoa21cd", "lsoa_code", 1),
        "truncated": text[:-7],
        "html": "<html><body>Error 404</body></html>",
        "empty": "",
    }
    for case, body in cases.items():
        target.write_bytes(gzip.compress(body.encode()))
        with pytest.raises(SchemaError, match=re.escape(m.LOOKUP)):
            m.read(target)
    target.write_bytes(gzip.compress(text.replace("E01000001", "E02000001", 1).encode()))
    with pytest.raises(SchemaError, match="another geography"):
        m.read(target)
    target.write_bytes(gzip.compress(text.replace("51.52025", "", 1).encode()))
    with pytest.raises(SchemaError, match="'lat'"):
        m.read(target)
