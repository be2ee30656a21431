"""WIMD 2019 loader: real values from the bundled files, clear errors on damage, and a fetch that has nothing official to download."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import responses

from data_sources import wimd
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError

FOLDER = "wimd"


@pytest.fixture(scope="module")
def frames():
    raw = Path(__file__).resolve().parents[1] / "data" / "raw" / FOLDER
    return {f.name: wimd.read(raw / f.name) for f in wimd.SOURCE.files}


def value(frame: pd.DataFrame, code: str, measure: str) -> float:
    row = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(row) == 1, (code, measure)
    return float(row.value.iloc[0])


def test_declared_files_are_bundled(raw_dir):
    for raw in wimd.SOURCE.files:
        assert (raw_dir / FOLDER / raw.name).exists(), raw.name
    assert (raw_dir / FOLDER / "PROVENANCE.md").exists()
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

def _held(raw_dir, name: str) -> bytes:
    return (raw_dir / FOLDER / name).read_bytes()


def test_renamed_column(tmp_path, raw_dir):
    target = tmp_path / wimd.LSOA_FILE
    target.write_bytes(_held(raw_dir, wimd.LSOA_FILE).replace(b"Crime_rank", b"Community_Safety_rank", 1))
    with pytest.raises(SchemaError, match=r"wimd2019_lsoa11.*'Crime_rank'"):
        wimd.read(target)


@pytest.mark.parametrize(
    "name, damage",
    [
        (wimd.LSOA_FILE, lambda data: data[: len(data) // 2]),
        (wimd.LSOA_FILE, lambda data: data[: data.rindex(b"\n", 0, len(data) - 1) + 1]),  # last row cut off cleanly
        (wimd.LSOA_FILE, lambda data: b"<!DOCTYPE html><html><body>Error</body></html>"),
        (wimd.LSOA_FILE, lambda data: b""),
        (wimd.LSOA_FILE, lambda data: data.replace(b"W01000001,", b"E01000001,", 1)),
        (wimd.LAD_FILE, lambda data: data[: len(data) // 2]),
        (wimd.LAD_FILE, lambda data: b"<html><head></head></html>"),
        (wimd.LAD_FILE, lambda data: b"   \n"),
        (wimd.LAD_FILE, lambda data: data.replace(b"W06000001,18.26", b"W06000001,x18.26", 1)),
    ],
    ids=["lsoa-truncated", "lsoa-last-row-missing", "lsoa-html", "lsoa-empty", "lsoa-english-code",
         "lad-truncated", "lad-html", "lad-blank", "lad-non-numeric"],
)
def test_damaged_files_raise_schema_error_naming_the_file(tmp_path, raw_dir, name, damage):
    target = tmp_path / name
    target.write_bytes(damage(_held(raw_dir, name)))
    with pytest.raises(SchemaError, match=name.split(".")[0]):
        wimd.read(target)


# ---------------------------------------------------------------------------------------------
# Fetch: neither held file is one official download, so fetch sends nothing and changes nothing
# ---------------------------------------------------------------------------------------------

def test_no_file_claims_an_official_url():
    assert all(raw.url == "" for raw in wimd.SOURCE.files)
    lsoa = wimd.SOURCE.file(wimd.LSOA_FILE)
    assert wimd.RANKS_ODS in lsoa.official_format_note and wimd.SCORES_ODS in lsoa.official_format_note


@responses.activate
def test_fetch_sends_nothing_and_keeps_held_files(tmp_path, raw_dir):
    folder = tmp_path / "raw" / FOLDER
    folder.mkdir(parents=True)
    for raw in wimd.SOURCE.files:
        shutil.copyfile(raw_dir / FOLDER / raw.name, folder / raw.name)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert wimd.fetch(tmp_path / "raw") == folder
    assert len(responses.calls) == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert json.loads((tmp_path / "manifest.json").read_text())["files"] == []
