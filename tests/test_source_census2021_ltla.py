"""Census 2021 TS012 country of birth by LTLA: real bundled values, a recorded Nomis bulk zip, damaged input."""
from __future__ import annotations

import gzip
import json
import re

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import census2021_ltla as m
from data_sources import census2021_quiz
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

URL = "https://www.nomisweb.co.uk/output/census/2021/census2021-ts012.zip"
FIXTURE = FIXTURES / m.SOURCE.id

CONTRACT = contract.Contract(
    samples=(Sample(m.TS012, rows=None, keep=r",E0600000[12],"),),
    damaged=(
        Damaged(m.TS012, "ltla21_code", "ltla_code"),
        Damaged(m.TS012, m.TOTAL, "total", cut=lambda text: text[: len(text) // 3 + 5]),  # cut mid-row
    ),
    urls={m.TS012: URL},
    html_message="not a zip",
)


@pytest.fixture
def held():
    return RAW / m.SOURCE.raw_folder / m.TS012


def test_bundled_file(held):
    frame = m.read(held)
    assert list(frame.columns) == TIDY_COLUMNS and not frame.duplicated(TIDY_KEY).any()
    assert set(frame.geography) == {"lad21"} and set(frame.period) == {"2021"} and set(frame.measure) == {"cob_total", "born_outside_uk"}
    assert frame.area_code.nunique() == 331 and frame.value.notna().all()
    wide = frame.pivot(index="area_code", columns="measure", values="value")
    assert wide.loc["E06000001"].tolist() == [92340 - 88675, 92340]  # Hartlepool: total minus born in the UK
    assert wide.loc["E08000025", "born_outside_uk"] == 305_960  # Birmingham
    assert wide.loc["E09000030", "born_outside_uk"] == 145_225  # Tower Hamlets
    assert wide.cob_total.sum() == 59_597_554
    assert wide.born_outside_uk.sum() == 10_017_977
    assert wide.born_outside_uk.idxmax() == "E08000025"


def test_born_outside_uk_equals_the_ons_census_quiz_figures(held):
    wide = m.read(held).pivot(index="area_code", columns="measure", values="value")
    quiz = pd.read_csv(RAW / census2021_quiz.SOURCE.raw_folder / census2021_quiz.QUIZ).set_index("code")
    assert (wide.born_outside_uk == quiz.born_outside_UK_total.reindex(wide.index)).all()


@responses.activate
def test_fetch_converts_the_bulk_zip(tmp_path, held):
    responses.add(responses.GET, URL, body=(FIXTURE / "census2021-ts012.zip").read_bytes(), content_type="application/zip")
    folder = m.fetch(tmp_path / "raw")
    fetched = m.read(folder / m.TS012)
    full = m.read(held)
    expected = full[full.area_code.isin(set(fetched.area_code))].reset_index(drop=True)
    pd.testing.assert_frame_equal(fetched, expected)
    assert fetched.area_code.nunique() == 30
    long = pd.read_csv(folder / m.TS012)
    assert set(long.country_of_birth) <= set(pd.read_csv(held).country_of_birth)  # same snake_case names as the held file
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][0]
    assert entry["url"] == URL and len(entry["sha256"]) == 64 and entry["path"] == f"raw/{m.SOURCE.id}/{m.TS012}"


def test_damaged_input_names_the_file(tmp_path, held):
    text = gzip.decompress(held.read_bytes()).decode()
    target = tmp_path / m.TS012
    cases = {
        "truncated at a row end": text[: len(text) // 3],
        "uk category renamed": text.replace(",europe_united_kingdom,", ",united_kingdom,"),
    }
    for case, body in cases.items():
        target.write_bytes(gzip.compress(body.encode()))
        with pytest.raises(SchemaError, match=re.escape(m.TS012)):
            m.read(target)
    target.write_bytes(held.read_bytes()[:50_000])  # a cut-off gzip
    with pytest.raises(SchemaError, match=re.escape(m.TS012)):
        m.read(target)
