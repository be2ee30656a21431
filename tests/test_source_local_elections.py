"""Local elections loader: real ward electorate/turnout per year and code vintage, the named 2023 wards, recorded
workbook fetch, clear errors."""
from __future__ import annotations

import gzip
import math

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import local_elections as module
from data_sources.base import SchemaError
from source_contract_checks import Damaged, Sample, assert_fetch_records, cut_after

FOLDER = RAW / module.SOURCE.raw_folder
FIXTURE = FIXTURES / module.SOURCE.id
URLS = {
    module.FILE_2021: "https://commonslibrary.parliament.uk/content/uploads/2022/01/local-elections-handbook-2021.xlsx",
    module.FILE_2022: "https://commonslibrary.parliament.uk/content/uploads/2023/02/local-elections-2022.xlsx",
    module.FILE_2023: "https://commonslibrary.parliament.uk/content/uploads/2024/01/LEH-Candidates-2023.xlsx",
    module.FILE_2024: "https://commonslibrary.parliament.uk/content/uploads/2025/03/LEH-2024-results-HoC-version.xlsx",
}
RECORDED = {
    module.FILE_2021: "local-elections-handbook-2021.xlsx",
    module.FILE_2022: "local-elections-2022.xlsx",
    module.FILE_2023: "LEH-Candidates-2023.xlsx",
    module.FILE_2024: "LEH-2024-results-HoC-version.xlsx",
}
KEY = ["area_code", "geography", "measure", "period"]


def bodies() -> dict[str, bytes]:
    return {URLS[name]: (FIXTURE / RECORDED[name]).read_bytes() for name in URLS}


CONTRACT = contract.Contract(
    samples=(Sample(module.FILE_2022, header="Ward code"), Sample(module.FILE_2023)),
    damaged=(
        Damaged(module.FILE_2021, "Ward/ED code", "Ward code (2021)"),
        Damaged(module.FILE_2024, "Turnout (%)", "Turnout", cut=cut_after(b"E05007563,Churchill")),
        Damaged(module.FILE_2023, "TURNOUT", "TURNOUT_PCT", cut=cut_after(b"Berkshire,Reading,Caversham,1,UAT,75")),
    ),
    urls=URLS,
    recorded=bodies,
    failing=module.FILE_2022,  # the second download, after the 2021 workbook arrived intact
    html_message="not a zip file",
)


CODED = [module.FILE_2021, module.FILE_2022, module.FILE_2024]


@pytest.fixture(scope="module")
def years():
    return {name: module.read(FOLDER / name) for name in CODED}


@pytest.fixture(scope="module")
def named_2023():
    return module.read(FOLDER / module.FILE_2023)


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


def test_2023_wards_are_named_not_coded(named_2023):
    t = named_2023
    assert len(t) == 4797 and t.la_name.nunique() == 230  # every row of the file: no repeated council and ward name
    assert list(t.columns) == ["county_name", "la_name", "ward_name", "la_type", "vacancies", "electorate", "turnout_pct", "period"]
    abbey = t[(t.la_name == "Reading") & (t.ward_name == "Abbey")].iloc[0]
    assert (abbey.county_name, abbey.la_type, abbey.vacancies, abbey.electorate, abbey.turnout_pct) == ("Berkshire", "UAT", 1, 6600, 19.2)
    last = t.iloc[-1]  # the file's last line
    assert (last.la_name, last.ward_name, last.electorate, last.turnout_pct) == ("Telford & Wrekin", "Wrockwardine", 2265, 43.6)
    assert set(t.period) == {"2023"} and t.la_type.value_counts().to_dict() == {"SDA": 2310, "UAA": 815, "MB": 745, "SDT": 671, "UAT": 256}
    # Only contested wards are in the file: every one has a turnout, none of them zero.
    assert t.turnout_pct.notna().all() and t.turnout_pct.min() == 10.7 and t.turnout_pct.max() == 61.3
    assert int(t.electorate.sum()) == 27_294_953  # the ELECT column summed with Python's csv module


def test_2023_file_is_declared_but_not_tidy():
    raw = module.SOURCE.file(module.FILE_2023)
    assert raw.tidy is False and "Ward_Level" in raw.official_format_note
    with pytest.raises(SchemaError, match="ward codes"):
        module.read_council_lookup(FOLDER / module.FILE_2023)


def _write_2023(tmp_path, edit) -> object:
    lines = gzip.decompress((FOLDER / module.FILE_2023).read_bytes()).decode("utf-8").split("\n")
    edit(lines)
    path = tmp_path / module.FILE_2023
    path.write_bytes(gzip.compress("\n".join(lines).encode("utf-8"), mtime=0))
    return path


def _cells(lines, line_number, **changes):
    header = lines[0].split(",")
    cells = lines[line_number].split(",")
    for column, value in changes.items():
        cells[header.index(column)] = value
    lines[line_number] = ",".join(cells)


def test_2023_suppression_markers_are_missing_never_zero(tmp_path):
    def edit(lines):
        _cells(lines, 1, TURNOUT="-")  # Reading, Abbey
        _cells(lines, 2, TURNOUT="")  # Reading, Battle
        _cells(lines, 3, VACS="x")  # Reading, Caversham

    t = module.read(_write_2023(tmp_path, edit)).set_index(["la_name", "ward_name"])
    assert math.isnan(t.loc[("Reading", "Abbey"), "turnout_pct"]) and math.isnan(t.loc[("Reading", "Battle"), "turnout_pct"])
    assert math.isnan(t.loc[("Reading", "Caversham"), "vacancies"]) and t.loc[("Reading", "Caversham"), "turnout_pct"] == 39.2
    assert t.loc[("Reading", "Abbey"), "electorate"] == 6600


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"ELECT": ""}, "column 'ELECT' is blank for Reading / Abbey"),
        ({"ELECT": "six"}, "column 'ELECT' has non-numeric values 'six'"),
        ({"TURNOUT": "119.2"}, "column 'TURNOUT' has values outside 0-100"),
        ({"WARDNAME": ""}, "column 'WARDNAME' is blank"),
    ],
)
def test_2023_damaged_cells_raise(tmp_path, changes, message):
    path = _write_2023(tmp_path, lambda lines: _cells(lines, 1, **changes))
    with pytest.raises(SchemaError, match=message) as info:
        module.read(path)
    assert module.FILE_2023 in str(info.value)


def test_2023_repeated_ward_name_is_left_out(tmp_path):
    t = module.read(_write_2023(tmp_path, lambda lines: _cells(lines, 2, WARDNAME="Abbey")))
    assert len(t) == 4795 and not ((t.la_name == "Reading") & t.ward_name.isin(["Abbey", "Battle"])).any()


@responses.activate
def test_fetch_converts_recorded_workbooks(tmp_path):
    folder = assert_fetch_records(module, tmp_path, bodies())
    t = module.read(folder / module.FILE_2024)
    assert value(t, "E05007562", "turnout_pct") == 43.5  # stored as 0.435 with a % format in the workbook
    assert value(t, "E05007562", "electorate") == 3080
    t21 = module.read(folder / module.FILE_2021)
    assert value(t21, "E05010885", "electorate") == 14245
    t23 = module.read(folder / module.FILE_2023)  # the Ward_Level sheet: header on the first row, no title above it
    abbey = t23[(t23.la_name == "Reading") & (t23.ward_name == "Abbey")].iloc[0]
    assert (abbey.electorate, abbey.turnout_pct, abbey.county_name) == (6600, 19.2, "Berkshire")
    assert len(t23) == 30  # the recorded workbook's 30 real rows
