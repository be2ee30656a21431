"""WIMD 2019 loader: real values from the bundled files and clear errors on damage.

Neither file is one official download: the contract (CONTRACT, run by test_source_contract.py) checks that fetch sends nothing."""
from __future__ import annotations

import pandas as pd
import pytest

import source_contract_checks as contract
from conftest import RAW
from data_sources import wimd2019 as wimd
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = RAW / wimd.SOURCE.raw_folder

CONTRACT = contract.Contract(
    samples=(Sample(wimd.LAD_FILE, rows=None),),
    damaged=(
        Damaged(wimd.LSOA_FILE, "Crime_rank", "Community_Safety_rank"),
        Damaged(wimd.LAD_FILE, "ltla22_code", "lad22_code"),
    ),
    # Neither held file is one official download (see the loader): nothing to fetch.
    urls={wimd.LSOA_FILE: "", wimd.LAD_FILE: ""},
)


@pytest.fixture(scope="module")
def frames():
    return {f.name: wimd.read(FOLDER / f.name) for f in wimd.SOURCE.files}


def value(frame: pd.DataFrame, code: str, measure: str) -> float:
    row = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(row) == 1, (code, measure)
    return float(row.value.iloc[0])


def test_declared_files_are_bundled():
    for raw in wimd.SOURCE.files:
        assert (FOLDER / raw.name).exists(), raw.name
    assert (FOLDER / "PROVENANCE.md").exists()
    assert wimd.SOURCE.id == "wimd2019"


def test_every_measure_is_on_the_wimd_scale(frames):
    for frame in frames.values():
        assert list(frame.columns) == TIDY_COLUMNS
        assert frame.measure.str.startswith("wimd_").all()
        assert frame.area_code.str.startswith("W").all()
        assert not frame.duplicated(TIDY_KEY).any()
        assert set(frame.period) == {"2019"}


def test_lsoa11_ranks_scores_deciles(frames):
    frame = frames[wimd.LSOA_FILE]
    assert set(frame.geography) == {"lsoa11"}
    assert len(frame) == 1909 * 27 and frame.value.notna().all()
    ranks = frame[frame.measure == "wimd_rank"].value
    assert sorted(ranks.astype(int)) == list(range(1, 1910))
    assert value(frame, "W01000240", "wimd_rank") == 1
    assert value(frame, "W01000240", "wimd_score") == pytest.approx(86.63135728)
    assert value(frame, "W01000240", "wimd_decile") == 1
    assert value(frame, "W01000001", "wimd_rank") == 885
    assert value(frame, "W01000001", "wimd_community_safety_rank") == 914
    assert value(frame, "W01000001", "wimd_access_to_services_score") == pytest.approx(47.51867456)
    assert value(frame, "W01000001", "wimd_housing_score") == pytest.approx(16.13325862)
    assert value(frame, "W01000001", "wimd_physical_environment_decile") == 10
    deciles = frame[frame.measure == "wimd_decile"].value.value_counts().sort_index()
    assert deciles.tolist() == [191] * 9 + [190]


def test_lad22_derived_summaries(frames):
    frame = frames[wimd.LAD_FILE]
    assert set(frame.geography) == {"lad22"}
    assert frame.area_code.nunique() == 22 and len(frame) == 22 * 27
    assert value(frame, "W06000001", "wimd_average_score") == pytest.approx(18.267542359739032)
    assert value(frame, "W06000001", "wimd_share_lsoas_most_deprived_10pc") == pytest.approx(0.022727272727272728)
    assert value(frame, "W06000015", "wimd_extent") == pytest.approx(0.2735643093391814)
    assert value(frame, "W06000001", "wimd_income_average_score") == pytest.approx(19.24785268630016)
    assert value(frame, "W06000001", "wimd_physical_environment_extent") == 0


def test_unknown_file_name_is_a_schema_error(tmp_path):
    other = tmp_path / "wimd2011_lsoa01_ranks_deciles_derived.csv"
    other.write_text("lsoa01_code,IMD_rank\nW01000001,1\n")
    with pytest.raises(SchemaError, match="wimd2011"):
        wimd.read(other)


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------

def _held(name: str) -> bytes:
    return (FOLDER / name).read_bytes()


@pytest.mark.parametrize(
    "name, damage",
    [
        (wimd.LSOA_FILE, lambda data: data[: data.rindex(b"\n", 0, len(data) - 1) + 1]),  # last row cut off cleanly
        (wimd.LSOA_FILE, lambda data: data.replace(b"W01000001,", b"E01000001,", 1)),
        (wimd.LAD_FILE, lambda data: b"   \n"),
        (wimd.LAD_FILE, lambda data: data.replace(b"W06000001,18.26", b"W06000001,x18.26", 1)),
    ],
    ids=["lsoa-last-row-missing", "lsoa-english-code", "lad-blank", "lad-non-numeric"],
)
def test_damaged_files_raise_schema_error_naming_the_file(tmp_path, name, damage):
    target = tmp_path / name
    data = _held(name)
    assert damage(data) != data
    target.write_bytes(damage(data))
    with pytest.raises(SchemaError, match=name.split(".")[0]):
        wimd.read(target)


# ---------------------------------------------------------------------------------------------
# Fetch: neither held file is one official download, so fetch sends nothing (checked in test_source_contract.py)
# ---------------------------------------------------------------------------------------------

def test_the_official_workbooks_are_named_in_the_declaration():
    lsoa = wimd.SOURCE.file(wimd.LSOA_FILE)
    assert wimd.RANKS_ODS in lsoa.official_format_note and wimd.SCORES_ODS in lsoa.official_format_note
