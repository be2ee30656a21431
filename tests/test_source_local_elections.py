"""Local elections loader: real ward electorate/turnout per year and code vintage, recorded workbook fetch, clear errors."""
from __future__ import annotations

import pytest
import responses

from conftest import RAW
from data_sources import local_elections as module
from source_contract_checks import assert_declared_urls, assert_failed_fetch_keeps_file, assert_fetch_records, assert_malformed_rejected, cut_after

FOLDER = RAW / "local_elections_hoc_ward_results"
URLS = {
    module.FILE_2021: "https://commonslibrary.parliament.uk/content/uploads/2022/01/local-elections-handbook-2021.xlsx",
    module.FILE_2022: "https://commonslibrary.parliament.uk/content/uploads/2023/02/local-elections-2022.xlsx",
    module.FILE_2024: "https://commonslibrary.parliament.uk/content/uploads/2025/03/LEH-2024-results-HoC-version.xlsx",
}
RECORDED = {
    module.FILE_2021: "local-elections-handbook-2021.xlsx",
    module.FILE_2022: "local-elections-2022.xlsx",
    module.FILE_2024: "LEH-2024-results-HoC-version.xlsx",
}
KEY = ["area_code", "geography", "measure", "period"]


@pytest.fixture(scope="module")
def years():
    return {name: module.read(FOLDER / name) for name in URLS}


def value(frame, code, measure):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1, (code, measure)
    return rows.value.iloc[0]


def test_2021_wards_and_divisions(years):
    t = years[module.FILE_2021]
    assert set(t.period) == {"2021"}
    by_geo = t[t.measure == "electorate"].groupby("geography").size().to_dict()
    assert by_geo == {"ward21": 2486, "ced21": 1366}  # 2,497 wards less 11 rows carrying 2022 ward codes
    assert value(t, "E05010885", "electorate") == 14245  # Bristol, Ashley: " \t14,245 " in the file
    assert value(t, "E05010885", "turnout_pct") == 48.4
    assert value(t, "E05010885", "vacancies") == 3
    assert value(t, "E58001712", "turnout_pct") == 25.1  # Worcestershire, Wyre Forest St. Marys division
    assert "E05014152" not in set(t.area_code)  # Bury, Besses: a 2022 code on a 2021 row
    assert t[t.measure == "vacancies"].value.isna().sum() == 71  # 'NA' vacancies stay missing
    assert not t.duplicated(KEY).any()


def test_2022_wards_welsh_uncontested_missing(years):
    t = years[module.FILE_2022]
    assert set(t.geography) == {"ward22"}
    assert t[t.measure == "electorate"].area_code.str[:3].value_counts().to_dict() == {"E05": 2841, "W05": 690}
    assert value(t, "E05013864", "electorate") == 6396  # Reading, Abbey
    assert value(t, "E05013864", "turnout_pct") == 24.3
    # Uncontested wards have no turnout: missing, never zero.
    turnout = t[t.measure == "turnout_pct"]
    assert turnout.value.isna().sum() == 75 and (turnout.value.dropna() > 0).all()
    # Two codes were each given to two wards (Richmond Hampton/Hampton Wick; Tower Hamlets Bethnal Green East/West).
    assert not {"E05013778", "E05009317"} & set(t.area_code)


def test_2024_wards_percent_turnout(years):
    t = years[module.FILE_2024]
    assert set(t.geography) == {"ward24"} and t.area_code.nunique() == 1903
    assert value(t, "E05007562", "electorate") == 3080  # Adur, Buckingham
    assert value(t, "E05007562", "turnout_pct") == 43.5  # "43.5%" in the file


def test_council_lookup_gives_la_codes():
    lookup = module.read_council_lookup(FOLDER / module.FILE_2024)
    row = lookup[lookup.area_code == "E05007562"].iloc[0]
    assert (row.la_code, row.election_type, row.geography) == ("E07000223", "By thirds", "ward24")
    lookup21 = module.read_council_lookup(FOLDER / module.FILE_2021)
    division = lookup21[lookup21.area_code == "E58001712"].iloc[0]
    assert (division.la_code, division.county_code, division.election_type) == ("E07000239", "E10000034", "SC")
    assert lookup21.la_code.notna().all()


def test_declared_urls():
    assert_declared_urls(module, URLS)


def bodies(fixtures_dir):
    return {URLS[name]: (fixtures_dir / "local_elections" / RECORDED[name]).read_bytes() for name in URLS}


@responses.activate
def test_fetch_converts_recorded_workbooks(tmp_path, fixtures_dir):
    folder = assert_fetch_records(module, tmp_path, bodies(fixtures_dir))
    t = module.read(folder / module.FILE_2024)
    assert value(t, "E05007562", "turnout_pct") == 43.5  # stored as 0.435 with a % format in the workbook
    assert value(t, "E05007562", "electorate") == 3080
    t21 = module.read(folder / module.FILE_2021)
    assert value(t21, "E05010885", "electorate") == 14245


def test_malformed_input_raises(tmp_path):
    assert_malformed_rejected(
        module, tmp_path, FOLDER / module.FILE_2024, old="Turnout (%)", new="Turnout", cut=cut_after(b"E05007563,Churchill")
    )


def test_failed_fetch_keeps_files(tmp_path, monkeypatch, fixtures_dir):
    assert_failed_fetch_keeps_file(module, tmp_path, monkeypatch, bodies(fixtures_dir), URLS[module.FILE_2022])
