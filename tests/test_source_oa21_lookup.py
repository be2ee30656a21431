"""OA21 -> LSOA21 -> MSOA21 lookup loader: the bundled copy, a recorded Open Geography Portal download, damaged input."""
from __future__ import annotations

import gzip
import json
import re

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import census2021
from data_sources import oa21_lookup as m
from data_sources.base import SchemaError
from source_contract_checks import Damaged, Sample

OFFICIAL_URL = "https://hub.arcgis.com/api/v3/datasets/b9ca90c10aaa4b8d9791e9859a38ca67_0/downloads/data?format=csv&spatialRefId=4326"
HELD = RAW / m.SOURCE.raw_folder / m.LOOKUP
FIXTURE = FIXTURES / m.SOURCE.id

CONTRACT = contract.Contract(
    samples=(Sample(m.LOOKUP),),
    damaged=(
        Damaged(m.LOOKUP, "oa21cd", "oa_code"),
        Damaged(m.LOOKUP, "lsoa21cd", "lsoa_code", cut=lambda text: text[: text.rindex(b"\n", 0, 20_000) - 6]),  # cut in a row
    ),
    urls={m.LOOKUP: OFFICIAL_URL},
)


@pytest.fixture(scope="module")
def lookup():
    return m.read_lookup(HELD)


def test_declaration():
    raw = m.SOURCE.file(m.LOOKUP)
    assert m.SOURCE.id == "oa21_lookup"
    assert not raw.tidy and raw.method == "direct"


def test_bundled_lookup(lookup):
    assert list(lookup.columns) == ["oa21_code", "lsoa21_code", "msoa21_code", "lng", "lat"]
    assert len(lookup) == 188_880 and lookup.oa21_code.is_unique
    assert lookup.lsoa21_code.nunique() == 35_672 and lookup.msoa21_code.nunique() == 7_264
    assert (lookup.oa21_code.str[0] == "W").sum() == 10_275
    row = lookup.set_index("oa21_code").loc["E00060274"]
    assert (row.lsoa21_code, row.msoa21_code, row.lng, row.lat) == ("E01011954", "E02002483", -1.23822, 54.71281)
    # Exact nesting: every LSOA in one MSOA.
    assert lookup.groupby("lsoa21_code").msoa21_code.nunique().max() == 1
    assert m.read(HELD).equals(lookup)


def test_lookup_covers_the_census_oa_tables(lookup):
    oas = pd.read_parquet(RAW / census2021.SOURCE.raw_folder / census2021.F_TS025, columns=["OA"]).OA
    assert set(oas) == set(lookup.oa21_code)


@responses.activate
def test_fetch_converts_the_official_csv(tmp_path, lookup):
    body = (FIXTURE / "oa21_lsoa21_msoa21_lad22_ew_lu.csv").read_bytes()
    responses.add(responses.GET, OFFICIAL_URL, body=body, content_type="text/csv")
    folder = m.fetch(tmp_path / "raw")
    fetched = m.read_lookup(folder / m.LOOKUP)
    assert list(fetched.columns) == ["oa21_code", "lsoa21_code", "msoa21_code", "lad22_code"]
    expected = lookup[lookup.oa21_code.isin(fetched.oa21_code)][["oa21_code", "lsoa21_code", "msoa21_code"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(fetched.drop(columns="lad22_code"), expected)
    assert fetched.set_index("oa21_code").lad22_code["E00000001"] == "E09000001"
    assert len(fetched) == 30
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][0]
    assert entry["path"] == "raw/oa21_lookup/oa21_lsoa21_msoa21_ew.csv.gz"
    assert entry["url"] == OFFICIAL_URL and len(entry["sha256"]) == 64 and entry["source_id"] == "oa21_lookup"


def test_damaged_lookup_names_the_file(tmp_path):
    text = gzip.decompress(HELD.read_bytes()).decode()[:20_000]
    text = text[: text.rindex("\n") + 1]
    target = tmp_path / m.LOOKUP
    target.write_bytes(gzip.compress(text.replace("E01000001", "E02000001", 1).encode()))
    with pytest.raises(SchemaError, match=re.escape(m.LOOKUP) + ".*another geography"):
        m.read(target)
    target.write_bytes(gzip.compress(text.replace("51.52025", "", 1).encode()))
    with pytest.raises(SchemaError, match="'lat'"):
        m.read(target)
