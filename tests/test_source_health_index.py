"""Health Index loader: real personal/low-level crime and noise rates per LTLA21, recorded workbook fetch, clear errors."""
from __future__ import annotations

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import health_index as module
from source_contract_checks import Damaged, Sample, assert_fetch_records, cut_after

FILE = RAW / module.SOURCE.raw_folder / module.INDICATORS_FILE
FIXTURE = FIXTURES / module.SOURCE.id
URL = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/datasets/"
    "healthindexunderlyingdataengland/current/healthindexunderlyingdataenglandcanscreenfix.xlsx"
)


def bodies() -> dict[str, bytes]:
    return {URL: (FIXTURE / "healthindexunderlyingdataenglandcanscreenfix.xlsx").read_bytes()}


CONTRACT = contract.Contract(
    samples=(
        Sample(module.INDICATORS_FILE, rows=None, keep=r"^,E0600000[1-3],.*,(Personal crime|Low-level crime|Noise complaints),"),
    ),
    damaged=(
        Damaged(module.INDICATORS_FILE, "ltla21_code", "area_code"),
        Damaged(module.INDICATORS_FILE, "indicator", "indicator_name", cut=cut_after(b"E08000025,2015,Low-level crime,")),
    ),
    urls={module.INDICATORS_FILE: URL},
    recorded=bodies,
    html_message="cannot convert .*Excel file format cannot be determined",
)


@pytest.fixture(scope="module")
def tidy():
    return module.read(FILE)


def value(frame, code, measure, period):
    rows = frame[(frame.area_code == code) & (frame.measure == measure) & (frame.period == period)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_real_values(tidy):
    assert set(tidy.geography) == {"lad21"}
    assert sorted(tidy.period.unique()) == [str(y) for y in range(2015, 2022)]
    assert tidy.area_code.nunique() == 307
    assert tidy.groupby("measure").size().to_dict() == {
        "low_level_crime_rate_per_1000": 2149, "noise_complaints_rate": 2149, "personal_crime_rate_per_1000": 2149,
    }
    assert value(tidy, "E08000025", "personal_crime_rate_per_1000", "2019") == pytest.approx(71.39504088)  # Birmingham
    assert value(tidy, "E08000025", "low_level_crime_rate_per_1000", "2015") == pytest.approx(7.677793252)
    top = tidy[(tidy.measure == "personal_crime_rate_per_1000") & (tidy.period == "2019")].sort_values("value").iloc[-1]
    assert top.area_code == "E09000033"  # Westminster
    assert not tidy.duplicated(["area_code", "geography", "measure", "period"]).any()


def test_2021_repeats_2020(tidy):
    # Documented in the caveats: ONS carried 2020 forward for these indicators.
    a = tidy[tidy.period == "2020"].set_index(["area_code", "measure"]).value
    b = tidy[tidy.period == "2021"].set_index(["area_code", "measure"]).value
    assert (a == b).all()


@responses.activate
def test_fetch_converts_recorded_workbook(tmp_path):
    folder = assert_fetch_records(module, tmp_path, bodies())
    t = module.read(folder / module.INDICATORS_FILE)
    assert value(t, "E08000025", "personal_crime_rate_per_1000", "2019") == pytest.approx(71.39504088)
    assert set(t.area_code) == {"E06000001", "E08000025"}
