"""EU referendum loader: real turnout values, no vote shares, recorded fetch, and clear errors on damaged input."""
from __future__ import annotations

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import eu_referendum as module
from source_contract_checks import Damaged, Sample, assert_fetch_records, cut_after

NAME = module.RESULTS_FILE
URL = "http://www.electoralcommission.org.uk/__data/assets/file/0014/212135/EU-referendum-result-data.csv"
HELD = RAW / module.SOURCE.raw_folder / NAME
FIXTURE = FIXTURES / module.SOURCE.id


def bodies() -> dict[str, bytes]:
    return {URL: (FIXTURE / NAME).read_bytes()}


CONTRACT = contract.Contract(
    samples=(Sample(NAME),),
    damaged=(
        Damaged(NAME, "Area_Code", "Area_code"),
        Damaged(NAME, "Pct_Turnout", "Turnout", cut=cut_after(b"E08000025,Birmingham,707")),
    ),
    urls={NAME: URL},
    recorded=bodies,
)


@pytest.fixture(scope="module")
def tidy():
    return module.read(HELD)


def value(frame, code, measure):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_real_file_turnout_values(tidy):
    assert set(tidy.geography) == {"lad16"} and set(tidy.period) == {"2016"}
    # 326 English + 22 Welsh counting areas; Scotland, Northern Ireland and Gibraltar are dropped.
    assert tidy.area_code.nunique() == 348
    assert tidy.area_code.str[0].isin(["E", "W"]).all()
    assert value(tidy, "E08000025", "pct_turnout") == 63.81  # Birmingham
    assert value(tidy, "E08000025", "electorate") == 707293
    assert value(tidy, "E08000025", "votes_cast") == 451316
    assert value(tidy, "E06000053", "pct_turnout") == 79.16  # Isles of Scilly
    assert value(tidy, "E09000001", "verified_ballot_papers") == 4405  # City of London
    top = tidy[tidy.measure == "pct_turnout"].sort_values("value").iloc[-1]
    assert (top.area_code, top.value) == ("E07000005", 83.57)  # Chiltern: highest turnout in England and Wales
    low = tidy[tidy.measure == "pct_turnout"].sort_values("value").iloc[0]
    assert (low.area_code, low.value) == ("E09000025", 59.25)  # Newham: lowest
    assert not tidy.duplicated(["area_code", "geography", "measure", "period"]).any()
    assert not tidy.value.isna().any()


def test_no_vote_share_measures(tidy):
    assert set(tidy.measure) == {"pct_turnout", "electorate", "votes_cast", "verified_ballot_papers"}
    assert not any("leave" in m or "remain" in m for m in tidy.measure.unique())


def test_cr_line_endings_read():
    data = HELD.read_bytes()
    assert b"\n" not in data and b"\r" in data


@responses.activate
def test_fetch_from_recorded_response(tmp_path):
    body = bodies()[URL]
    folder = assert_fetch_records(module, tmp_path, {URL: body})
    frame = module.read(folder / NAME)
    assert value(frame, "E07000223", "pct_turnout") == 76.4  # Adur, within the recorded rows
    assert (folder / NAME).read_bytes() == body


def test_unknown_file_name(tmp_path):
    from data_sources.base import SchemaError

    other = tmp_path / "other.csv"
    other.write_text("a\n1\n")
    with pytest.raises(SchemaError, match="other.csv"):
        module.read(other)
