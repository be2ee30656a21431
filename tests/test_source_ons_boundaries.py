"""ONS LAD May 2023 boundaries loader: the Welsh names of the held layer, and damaged features."""
from __future__ import annotations

import gzip
import json

import pytest

import source_contract_checks as contract
from conftest import RAW
from data_sources import ons_boundaries as m
from data_sources.base import SchemaError
from source_contract_checks import Damaged, Sample

HELD = RAW / m.SOURCE.raw_folder / m.LAD23

CONTRACT = contract.Contract(
    samples=(Sample(m.LAD23, rows=8),),
    damaged=(Damaged(m.LAD23, "LAD23CD", "LAD23CODE"),),
    urls={m.LAD23: "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/Local_Authority_Districts_May_2023_UK_BUC/FeatureServer/0/query"},
    html_message="did not return JSON",
)


def test_english_and_welsh_names():
    names = m.read(HELD).set_index("lad23_code")
    assert len(names) == 318 and names.index.str[0].isin(["E", "W"]).all()  # Scotland and Northern Ireland left out
    assert names.loc["W06000015", "lad23_name_welsh"] == "Caerdydd" and names.loc["W06000015", "lad23_name"] == "Cardiff"
    assert names.lad23_name_welsh.notna().sum() == 22  # every Welsh LAD, and no English one, has a Welsh name
    assert names.loc["E06000001", "lad23_name"] == "Hartlepool"


def test_a_feature_without_a_code_is_refused(tmp_path):
    body = json.loads(gzip.decompress(HELD.read_bytes()))
    del body["features"][0]["properties"]["LAD23CD"]
    target = tmp_path / m.LAD23
    target.write_bytes(gzip.compress(json.dumps(body).encode()))
    with pytest.raises(SchemaError, match=f"{m.LAD23}.*LAD23CD"):
        m.read(target)


def test_unknown_file_is_refused(tmp_path):
    with pytest.raises(SchemaError, match="not a file of source ons_boundaries"):
        m.read(tmp_path / "lad_may2024_uk_buc.geojson.gz")
