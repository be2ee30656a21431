"""IMD time-series loader: real values from the bundled files, offline fetch of IMD 2015 from a recorded download, clear errors."""
from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import http, imd_history
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = imd_history.SOURCE.raw_folder
FIXTURE = FIXTURES / imd_history.SOURCE.id
LAD2004 = "derived_imd2004_england_lad21_popweighted.csv"
LAD2015 = "derived_imd2015_england_lad21_popweighted.csv"
FILE7_URL = (
    "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/467774/"
    "File_7_ID_2015_All_ranks__deciles_and_scores_for_the_Indices_of_Deprivation__and_population_denominators.csv"
)

CONTRACT = contract.Contract(
    samples=(Sample("derived_imd2007_england_lad21_popweighted.csv", rows=None), Sample(imd_history.LSOA2015)),
    damaged=(
        Damaged(imd_history.LSOA2015, "lsoa11_code", "lsoa_code", cut=lambda text: text[:5000]),  # rows cut inside a sound gzip
        Damaged(LAD2015, "Proportion", "Share"),
    ),
    # Only the 2015 LSOA file is an official download (File 7); the LA summaries are derived (humaniverse/IMD).
    urls={raw.name: FILE7_URL if raw.name == imd_history.LSOA2015 else "" for raw in imd_history.SOURCE.files},
)


@pytest.fixture(scope="module")
def frames():
    return {f.name: imd_history.read(RAW / FOLDER / f.name) for f in imd_history.SOURCE.files}


def value(frame: pd.DataFrame, code: str, measure: str) -> float:
    row = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(row) == 1, (code, measure)
    return float(row.value.iloc[0])


def test_declared_files_are_bundled(raw_dir):
    for raw in imd_history.SOURCE.files:
        assert (raw_dir / FOLDER / raw.name).exists(), raw.name
    assert (raw_dir / FOLDER / "PROVENANCE.md").exists()
    derived = [f for f in imd_history.SOURCE.files if f.name.startswith("derived_")]
    assert len(derived) == 4 and all(f.url == "" and "humaniverse" in f.description for f in derived)


def test_lad21_summaries_each_year(frames):
    for name, year in imd_history.LAD_FILES.items():
        frame = frames[name]
        assert list(frame.columns) == TIDY_COLUMNS
        assert set(frame.geography) == {"lad21"} and set(frame.period) == {year}
        assert len(frame) == 309 * 3 and not frame.duplicated(TIDY_KEY).any()
        assert frame.value.notna().all()
    # Blackpool's population-weighted IMD score rising 2004 -> 2015 (values as held).
    blackpool = [value(frames[n], "E06000009", "imd_average_score") for n in imd_history.LAD_FILES]
    assert blackpool == pytest.approx([33.90366, 37.658405, 40.388849, 41.996625])
    assert value(frames[LAD2004], "E08000011", "imd_average_score") == pytest.approx(46.578399)
    assert value(frames[LAD2015], "E06000001", "imd_share_lsoas_most_deprived_10pc") == pytest.approx(0.3275862068965517)
    assert value(frames[LAD2015], "E06000002", "imd_extent") == pytest.approx(0.5603659864286212)


def test_imd2015_lsoa11(frames):
    frame = frames[imd_history.LSOA2015]
    assert set(frame.geography) == {"lsoa11"} and set(frame.period) == {"2015"}
    assert set(frame.measure) == {"imd_score", "imd_rank", "imd_decile"}
    assert frame[frame.measure == "imd_rank"].area_code.nunique() == 32844
    assert value(frame, "E01021988", "imd_rank") == 1  # Tendring 018A, most deprived in 2015 as in 2019
    assert value(frame, "E01021988", "imd_score") == pytest.approx(92.601)
    assert value(frame, "E01012673", "imd_rank") == 2
    assert value(frame, "E01031349", "imd_score") == pytest.approx(12.389)
    assert value(frame, "E01031349", "imd_decile") == 7
    assert not frame.duplicated(TIDY_KEY).any()


def test_unknown_file_name_is_a_schema_error(tmp_path):
    other = tmp_path / "derived_imd2019_england_lad21_popweighted.csv"
    other.write_text("ltla21_code,Score\nE06000001,1\n")
    with pytest.raises(SchemaError, match="derived_imd2019"):
        imd_history.read(other)


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------

def _held(name: str) -> bytes:
    return (RAW / FOLDER / name).read_bytes()


@pytest.mark.parametrize(
    "name, damage",
    [
        (LAD2015, lambda data: data.replace(b"E06000009", b"Blackpool")),
        (imd_history.LSOA2015, lambda data: data[: len(data) - 500]),
    ],
    ids=["csv-bad-code", "gz-truncated"],
)
def test_damaged_files_raise_schema_error_naming_the_file(tmp_path, name, damage):
    target = tmp_path / name
    target.write_bytes(damage(_held(name)))
    with pytest.raises(SchemaError, match=name.split(".")[0]):
        imd_history.read(target)


# ---------------------------------------------------------------------------------------------
# Fetch, offline: only the 2015 LSOA file has an official download (File 7); the derived files are never fetched
# ---------------------------------------------------------------------------------------------

@responses.activate
def test_fetch_from_recorded_download(tmp_path):
    body = (FIXTURE / "file7_2015_head.csv").read_bytes()
    responses.add(responses.GET, FILE7_URL, body=body, status=200)
    folder = imd_history.fetch(tmp_path / "raw")
    assert [call.request.url for call in responses.calls] == [FILE7_URL]
    assert sorted(p.name for p in folder.iterdir()) == [imd_history.LSOA2015]
    frame = imd_history.read(folder / imd_history.LSOA2015)
    assert value(frame, "E01021988", "imd_rank") == 1
    assert value(frame, "E01021988", "imd_score") == pytest.approx(92.601)
    assert value(frame, "E01031350", "imd_decile") == 3
    held_header = gzip.open(RAW / FOLDER / imd_history.LSOA2015, "rt").readline()
    assert gzip.open(folder / imd_history.LSOA2015, "rt").readline() == held_header
    entries = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert len(entries) == 1
    assert entries[0]["path"] == f"raw/{FOLDER}/{imd_history.LSOA2015}"
    assert entries[0]["url"] == FILE7_URL
    assert entries[0]["sha256"] == http.sha256_of(folder / imd_history.LSOA2015)
