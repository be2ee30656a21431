"""ONS census-quiz LA file loader: real bundled values, a recorded GitHub download, damaged input."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import census2021_quiz as m
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

URL = "https://raw.githubusercontent.com/ONSvisual/census-quiz/1d7d92645d686f3721f90cca05109ac59068431c/public/data/census-quiz-data-2021-v9.csv"
FIXTURE = FIXTURES / m.SOURCE.id

CONTRACT = contract.Contract(
    samples=(Sample(m.QUIZ),),
    damaged=(
        Damaged(m.QUIZ, "population_total", "population_all"),
        Damaged(m.QUIZ, "no_passport_perc", "no_passport_percent"),
    ),
    urls={m.QUIZ: URL},
)


@pytest.fixture
def held():
    return RAW / m.SOURCE.raw_folder / m.QUIZ


def test_bundled_file(held):
    frame = m.read(held)
    assert list(frame.columns) == TIDY_COLUMNS and not frame.duplicated(TIDY_KEY).any() and frame.value.notna().all()
    assert len(frame) == (331 + 2) * 11
    assert set(frame.loc[frame.geography == "country", "area_code"]) == {"E92000001", "W92000004"}
    assert "K04000001" not in set(frame.area_code)
    wide = frame[frame.geography == "lad21"].pivot(index="area_code", columns="measure", values="value")
    assert len(wide) == 331
    assert wide.loc["E08000025", ["no_passport", "no_passport_pct", "population"]].tolist() == [140_314, 12.3, 1_144_919]  # Birmingham
    assert wide.loc["E06000001", ["identity_uk_only", "identity_uk_only_pct"]].tolist() == [89_926, 97.4]  # Hartlepool
    assert wide.no_passport_pct.idxmax() == "E07000137" and wide.no_passport_pct.max() == 25.8  # East Lindsey
    wales = frame[frame.area_code == "W92000004"].set_index("measure").value
    assert wales["identity_welsh_only"] == 1_715_975 and wales["identity_welsh_only_pct"] == 55.2
    # The published percentages agree with count / population to the file's rounding.
    assert ((wide.no_passport / wide.population * 100 - wide.no_passport_pct).abs() <= 0.15).all()


def test_uk_only_identity_agrees_with_the_oa_tables(held):
    """The quiz's 'AnyUK' is TS027's only-UK identities: LA figures and OA sums differ only by perturbation."""
    from data_sources import census2021 as census
    from data_sources import oa21_lookup as lookup_source

    identity = census.read(RAW / census.SOURCE.raw_folder / census.F_TS027)
    identity = identity[identity.measure == "identity_uk_only"]
    lookup = lookup_source.read_lookup(RAW / lookup_source.SOURCE.raw_folder / lookup_source.LOOKUP)
    msoa = identity.merge(lookup, left_on="area_code", right_on="oa21_code").groupby("msoa21_code").value.sum()
    # City of London's single MSOA is the whole LAD.
    quiz = m.read(held)
    city = quiz[(quiz.area_code == "E09000001") & (quiz.measure == "identity_uk_only")].value.iloc[0]
    assert abs(msoa["E02000001"] - city) <= 20


@responses.activate
def test_fetch_records_the_download(tmp_path, held):
    body = (FIXTURE / "census-quiz-data-2021-v9.head.csv").read_bytes()
    responses.add(responses.GET, URL, body=body, content_type="text/plain")
    folder = m.fetch(tmp_path / "raw")
    assert (folder / m.QUIZ).read_bytes() == body
    fetched = m.read(folder / m.QUIZ)
    full = m.read(held)
    pd.testing.assert_frame_equal(fetched, full[full.area_code.isin(set(fetched.area_code))].reset_index(drop=True))
    assert fetched.area_code.nunique() == 29
    entry = json.loads((tmp_path / "manifest.json").read_text())["files"][0]
    assert entry["url"] == URL and entry["path"] == f"raw/{m.SOURCE.id}/{m.QUIZ}" and len(entry["sha256"]) == 64


def test_a_blank_cell_is_refused(tmp_path, held):
    text = held.read_text(encoding="utf-8")
    assert ',"22.4","20674",' in text
    target = tmp_path / m.QUIZ
    target.write_text(text.replace(',"22.4","20674",', ',"","20674",', 1), encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape(m.QUIZ)):
        m.read(target)
