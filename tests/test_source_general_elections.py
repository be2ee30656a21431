"""General elections loader: real electorate/vote totals and turnout per constituency, recorded fetch, clear errors."""
from __future__ import annotations

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import general_elections as module
from source_contract_checks import Damaged, Sample, assert_fetch_records, cut_after

FOLDER = RAW / module.SOURCE.raw_folder
FIXTURE = FIXTURES / module.SOURCE.id
URLS = {
    module.GE2019_FILE: "https://researchbriefings.files.parliament.uk/documents/CBP-8749/HoC-GE2019-results-by-constituency.csv",
    module.GE2024_FILE: "https://researchbriefings.files.parliament.uk/documents/CBP-10009/HoC-GE2024-results-by-constituency.csv",
}


def bodies() -> dict[str, bytes]:
    return {URLS[name]: (FIXTURE / name).read_bytes() for name in URLS}


CONTRACT = contract.Contract(
    samples=(Sample(module.GE2024_FILE),),
    damaged=(
        Damaged(module.GE2019_FILE, "Electorate", "Electorate 2019", cut=cut_after(b"W07000049,W92000004,Aberavon,West Glamorgan")),
        Damaged(module.GE2024_FILE, "Valid votes", "Valid", cut=cut_after(b"E14001096,E12000005,Birmingham Ladywood")),
    ),
    urls=URLS,
    recorded=bodies,
    failing=module.GE2024_FILE,  # the second download, after the 2019 file arrived intact
)


@pytest.fixture(scope="module")
def ge2019():
    return module.read(FOLDER / module.GE2019_FILE)


@pytest.fixture(scope="module")
def ge2024():
    return module.read(FOLDER / module.GE2024_FILE)


def value(frame, code, measure):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_ge2019_real_values(ge2019):
    assert set(ge2019.geography) == {"pcon10"} and set(ge2019.period) == {"2019"}
    assert ge2019.area_code.nunique() == 573  # 533 English + 40 Welsh seats
    assert value(ge2019, "W07000049", "electorate") == 50750  # Aberavon
    assert value(ge2019, "W07000049", "valid_votes") == 31598
    assert value(ge2019, "W07000049", "invalid_votes") == 82
    assert value(ge2019, "W07000049", "turnout_pct") == pytest.approx(100 * 31598 / 50750)
    totals = ge2019[ge2019.measure == "electorate"].value.sum()
    assert totals == 42215675
    assert not ge2019.duplicated(["area_code", "geography", "measure", "period"]).any()


def test_ge2024_real_values_with_thousands_separators(ge2024):
    assert set(ge2024.geography) == {"pcon24"} and set(ge2024.period) == {"2024"}
    assert ge2024.area_code.nunique() == 575  # 543 English + 32 Welsh seats
    assert value(ge2024, "E14001096", "electorate") == 83693  # Birmingham Ladywood, "83,693" in the file
    assert value(ge2024, "E14001096", "valid_votes") == 36579
    low = ge2024[ge2024.measure == "turnout_pct"].sort_values("value").iloc[0]
    assert low.area_code == "E14001353"  # Manchester Rusholme, lowest valid-vote turnout
    assert set(ge2024.measure) == {"electorate", "valid_votes", "invalid_votes", "turnout_pct"}
    assert not ge2024.area_code.str[0].isin(["S", "N"]).any()


@responses.activate
def test_fetch_from_recorded_responses(tmp_path):
    folder = assert_fetch_records(module, tmp_path, bodies())
    frame = module.read(folder / module.GE2024_FILE)
    assert value(frame, "W07000081", "electorate") == 72580  # Aberafan Maesteg, within the recorded rows
