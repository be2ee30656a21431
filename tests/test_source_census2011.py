"""Census 2011 QS201EW ethnic group loader: real bundled values, a recorded Nomis bulk CSV, damaged input."""
from __future__ import annotations

import json

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import census2011 as m
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

URL = "https://www.nomisweb.co.uk/api/v01/dataset/NM_522_1.bulk.csv?date=latest&geography=TYPE464&rural_urban=0&measures=20100"
FIXTURE = FIXTURES / m.SOURCE.id

CONTRACT = contract.Contract(
    samples=(Sample(m.QS201EW),),
    damaged=(
        Damaged(m.QS201EW, "geography code", "geography_code"),
        Damaged(m.QS201EW, "Ethnic Group: Asian; measures", "Ethnic Group: Asian/Asian British; measures"),
    ),
    urls={m.QS201EW: URL},
)


@pytest.fixture
def held():
    return RAW / m.SOURCE.raw_folder / m.QS201EW


def test_bundled_file(held):
    frame = m.read(held)
    assert list(frame.columns) == TIDY_COLUMNS and not frame.duplicated(TIDY_KEY).any() and frame.value.notna().all()
    assert len(frame) == 348 * 6 and set(frame.geography) == {"lad11"} and set(frame.period) == {"2011"}
    wide = frame.pivot(index="area_code", columns="measure", values="value")
    assert wide.ethnic_total.sum() == 56_075_912  # England and Wales, census day 2011
    assert (wide.index.str[0] == "W").sum() == 22
    assert wide.loc["E06000005"].to_dict() == {"ethnic_asian": 2205, "ethnic_black": 357, "ethnic_mixed": 1146, "ethnic_other": 261, "ethnic_total": 105564, "ethnic_white": 101595}  # Darlington
    assert wide.loc["E08000025", "ethnic_asian"] == 285_640  # Birmingham
    assert (wide.ethnic_asian / wide.ethnic_total).idxmax() == "E09000025"  # Newham
    assert "E06000057" in wide.index and "E06000048" not in wide.index  # Northumberland's 2013 code


def test_measures_match_census2021_names():
    from data_sources import census2021

    assert set(m.MEASURES.values()) == {"ethnic_total"} | set(census2021.LONG_TABLES[census2021.F_TS021].categories.values())


@responses.activate
def test_fetch_records_the_download(tmp_path, held):
    body = (FIXTURE / "NM_522_1.bulk.head.csv").read_bytes()
    responses.add(responses.GET, URL, body=body, content_type="text/csv")
    folder = m.fetch(tmp_path / "raw")
    assert (folder / m.QS201EW).read_bytes() == body
    fetched = m.read(folder / m.QS201EW)
    full = m.read(held)
    pd.testing.assert_frame_equal(fetched, full[full.area_code.isin(set(fetched.area_code))].reset_index(drop=True))
    assert fetched.area_code.nunique() == 30
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][0]
    assert entry["url"] == URL and entry["path"] == f"raw/{m.SOURCE.id}/{m.QS201EW}" and len(entry["sha256"]) == 64


def test_a_header_without_rows_is_refused(tmp_path, held):
    target = tmp_path / m.QS201EW
    target.write_text(held.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=f"{m.QS201EW}: has a header but no rows"):
        m.read(target)
