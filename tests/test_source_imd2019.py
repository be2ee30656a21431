"""IoD2019 loader: real values from the bundled files, offline fetch from recorded downloads, clear errors on damage."""
from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import http, imd2019
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, FetchError, SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = imd2019.SOURCE.raw_folder
FIXTURE = FIXTURES / imd2019.SOURCE.id
ASSETS = "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file"
# Recorded downloads: small workbooks in the official layouts, real rows.
RECORDED = {
    imd2019.FILE10: "file10.xlsx",
    imd2019.FILE1: "file1.xlsx",
    imd2019.FILE2: "file2.xlsx",
    imd2019.FILE6: "file6.xlsx",
    imd2019.FILE8: "file8.xlsx",
}


def bodies() -> dict[str, bytes]:
    return {raw.url: (FIXTURE / RECORDED[raw.name]).read_bytes() for raw in imd2019.SOURCE.files}


CONTRACT = contract.Contract(
    samples=(
        Sample(imd2019.FILE10, rows=12, sheets=("Notes", "IMD", "Income", "Employment", "Education", "Health", "Crime")),
        Sample(imd2019.FILE2),
        Sample(imd2019.FILE8),
    ),
    damaged=(
        Damaged(imd2019.FILE1, "LSOA code (2011)", "LSOA Code 2011"),
        Damaged(imd2019.FILE1, "Index of Multiple Deprivation (IMD) Rank", "IMD Rank"),
        Damaged(imd2019.FILE10, "Crime - Average score", "Crime - Mean score"),
    ),
    urls={
        imd2019.FILE10: f"{ASSETS}/833995/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx",
        imd2019.FILE1: f"{ASSETS}/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
        imd2019.FILE2: f"{ASSETS}/833973/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
        imd2019.FILE6: f"{ASSETS}/833980/File_6_-_IoD2019_Population_Denominators.xlsx",
        imd2019.FILE8: "https://assets.publishing.service.gov.uk/media/5d8b3cd740f0b609909b590a/File_8_-_IoD2019_Underlying_Indicators.xlsx",
    },
    recorded=bodies,
    failing=imd2019.FILE2,  # a converted workbook, fetched after File 10 arrived intact
    html_message="File_2",
)


@pytest.fixture(scope="module")
def frames():
    return {f.name: imd2019.read(RAW / FOLDER / f.name) for f in imd2019.SOURCE.files}


def value(frame: pd.DataFrame, code: str, measure: str) -> float:
    row = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(row) == 1, (code, measure)
    return float(row.value.iloc[0])


def test_every_declared_file_is_bundled_and_official(raw_dir):
    for raw in imd2019.SOURCE.files:
        assert (raw_dir / FOLDER / raw.name).exists(), raw.name
        assert raw.url.startswith("https://assets.publishing.service.gov.uk/"), raw.name
    assert (raw_dir / FOLDER / "PROVENANCE.md").exists()


def test_file10_lad19_summaries(frames):
    frame = frames[imd2019.FILE10]
    assert list(frame.columns) == TIDY_COLUMNS
    assert not frame.duplicated(TIDY_KEY).any()
    assert set(frame.geography) == {"lad19"} and set(frame.period) == {"2019"}
    assert frame.area_code.nunique() == 317 and len(frame) == 317 * 20
    # Checks quoted in PROVENANCE.md.
    assert value(frame, "E06000009", "imd_rank_of_average_score") == 1
    assert value(frame, "E06000009", "imd_average_score") == pytest.approx(45.039)
    assert value(frame, "E08000011", "imd_rank_of_average_score") == 2
    assert value(frame, "E08000011", "imd_average_score") == pytest.approx(43.006)
    assert value(frame, "E08000012", "imd_rank_of_average_score") == 3
    assert value(frame, "E06000009", "imd_extent") == pytest.approx(0.5766)
    assert value(frame, "E06000009", "imd_local_concentration") == pytest.approx(32838.16)
    assert value(frame, "E06000009", "imd_share_lsoas_most_deprived_10pc") == pytest.approx(0.4149)
    # Domain sheets, including Education whose headers lack the trailing space the others have.
    assert value(frame, "E06000001", "education_average_score") == pytest.approx(30.255)
    assert value(frame, "E06000001", "education_share_lsoas_most_deprived_10pc") == pytest.approx(0.2069)
    assert value(frame, "E06000002", "income_rank_of_average_score") == 1
    assert value(frame, "E06000009", "crime_average_score") == pytest.approx(0.815)
    assert value(frame, "E06000009", "health_rank_of_average_score") == 1
    ranks = frame[frame.measure == "imd_rank_of_average_score"].value
    assert ranks.min() == 1 and ranks.max() == 317
    assert frame.value.notna().all()


def test_file1_imd_ranks(frames):
    frame = frames[imd2019.FILE1]
    assert set(frame.measure) == {"imd_rank", "imd_decile"} and set(frame.geography) == {"lsoa11"}
    ranks = frame[frame.measure == "imd_rank"]
    assert len(ranks) == 32844 and ranks.area_code.is_unique
    assert ranks.value.min() == 1 and ranks.value.max() == 32844
    # The published ranks are not a permutation: 26 pairs of LSOAs share a rank (tied scores) and the next rank is skipped.
    counts = ranks.value.value_counts()
    assert (counts == 2).sum() == 26 and counts.max() == 2
    assert value(frame, "E01009255", "imd_rank") == value(frame, "E01003032", "imd_rank") == 7269
    assert value(frame, "E01021988", "imd_rank") == 1  # Tendring 018A
    assert value(frame, "E01012673", "imd_rank") == 2  # Blackpool 010A
    # Held with thousands separators ("29,199"): must not be lost or misread.
    assert value(frame, "E01000001", "imd_rank") == 29199
    assert value(frame, "E01000001", "imd_decile") == 9
    assert not frame.duplicated(TIDY_KEY).any()


def test_file2_domains_and_agreement_with_file1(frames, raw_dir):
    frame = frames[imd2019.FILE2]
    assert len(frame) == 32844 * 14
    assert "imd_rank" not in set(frame.measure)  # File 1 carries the IMD itself
    assert value(frame, "E01000001", "income_rank") == 32831
    assert value(frame, "E01000001", "crime_rank") == 32662
    assert value(frame, "E01000001", "housing_and_services_rank") == 7319
    assert value(frame, "E01000001", "environment_decile") == 3
    assert value(frame, "E01012673", "employment_rank") == 7
    raw2 = pd.read_csv(raw_dir / FOLDER / imd2019.FILE2, dtype=str)
    file1 = frames[imd2019.FILE1]
    file1_ranks = file1[file1.measure == "imd_rank"].set_index("area_code").value
    file2_ranks = raw2.set_index("LSOA code (2011)")[imd2019.FILE2_IMD_COLUMNS[0]].astype(float)
    assert (file2_ranks.reindex(file1_ranks.index) == file1_ranks).all()


def test_file6_population_denominators(frames):
    frame = frames[imd2019.FILE6]
    assert set(frame.period) == {"2015"}
    assert value(frame, "E01000001", "population_total") == 1296  # held as "1,296"
    assert value(frame, "E01012673", "population_total") == 1264
    totals = frame.groupby("measure").value.sum()
    assert totals["population_total"] == 54_728_204
    assert totals["population_aged_0_15"] + totals["population_aged_16_59"] + totals["population_aged_60_plus"] == 54_728_204


def test_file8_underlying_indicators(frames):
    frame = frames[imd2019.FILE8]
    assert set(frame.measure) == set(imd2019.FILE8_MEASURES.values())
    assert frame.area_code.nunique() == 32844
    assert value(frame, "E01000001", "adult_skills_and_english_language_proficiency_indicator") == pytest.approx(0.032)
    assert value(frame, "E01000001", "staying_on_in_education_post_16_indicator") == pytest.approx(0.13)
    assert value(frame, "E01000001", "homelessness_indicator_rate_per_1000_households") == pytest.approx(4.681)
    assert value(frame, "E01012673", "household_overcrowding_indicator") == pytest.approx(0.189)
    # Blank (suppressed) cells are missing, never zero.
    he = frame[frame.measure == "entry_to_higher_education_indicator"]
    assert he.value.isna().sum() == 20
    assert pd.isna(value(frame, "E01005128", "entry_to_higher_education_indicator"))


def test_unknown_file_name_is_a_schema_error(tmp_path):
    other = tmp_path / "something_else.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(SchemaError, match="something_else.csv"):
        imd2019.read(other)


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------

def _held(raw_dir, name: str) -> bytes:
    return (raw_dir / FOLDER / name).read_bytes()


def test_a_gzip_cut_off_mid_stream_is_refused(tmp_path, raw_dir):
    data = _held(raw_dir, imd2019.FILE1)
    target = tmp_path / imd2019.FILE1
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(SchemaError, match="File_1_.*gzip"):
        imd2019.read(target)


def _regzip_cut(marker: bytes, keep: int):
    """A download cut off mid-row and then stored gzipped: the gzip is sound, the CSV inside is not."""

    def damage(data: bytes) -> bytes:
        text = gzip.decompress(data)
        at = text.index(marker) + len(marker) + keep
        return gzip.compress(text[:at], mtime=0)

    return damage


@pytest.mark.parametrize(
    "name, marker",
    [(imd2019.FILE1, b"E01000005,"), (imd2019.FILE2, b"E01000005,"), (imd2019.FILE6, b"E01033768,"), (imd2019.FILE8, b"E01000005,")],
)
def test_rows_cut_off_inside_a_sound_gzip_are_refused(tmp_path, raw_dir, name, marker):
    target = tmp_path / name
    target.write_bytes(_regzip_cut(marker, 3)(_held(raw_dir, name)))
    with pytest.raises(SchemaError, match=rf"{name.split('_-_')[0].split('.')[0]}.*truncated"):
        imd2019.read(target)


def test_last_row_cut_inside_its_last_field_is_refused(tmp_path, raw_dir):
    # File 6 as held has no final line break; losing the end of its last row must not read as a blank cell.
    text = gzip.decompress(_held(raw_dir, imd2019.FILE6))
    assert not text.endswith(b"\n")
    target = tmp_path / imd2019.FILE6
    target.write_bytes(gzip.compress(text[: text.rindex(b',"') + 1], mtime=0))  # keep the comma before the last quoted field
    with pytest.raises(SchemaError, match="File_6_.*truncated"):
        imd2019.read(target)


def test_file10_renamed_column_names_file_and_sheet(tmp_path):
    import openpyxl

    workbook = openpyxl.load_workbook(FIXTURE / "file10.xlsx")
    workbook["Crime"]["E1"] = "Crime - Mean score"
    target = tmp_path / imd2019.FILE10
    workbook.save(target)
    with pytest.raises(SchemaError, match=r"File_10_.*sheet Crime.*'Crime - Average score'"):
        imd2019.read(target)


# ---------------------------------------------------------------------------------------------
# Fetch, offline, from recorded downloads (small workbooks in the official layouts, real rows)
# ---------------------------------------------------------------------------------------------

def _register(overrides: dict[str, dict] | None = None) -> None:
    overrides = overrides or {}
    for raw in imd2019.SOURCE.files:
        body = (FIXTURE / RECORDED[raw.name]).read_bytes()
        responses.add(responses.GET, raw.url, **overrides.get(raw.name, {"body": body, "status": 200}))


@responses.activate
def test_fetch_from_recorded_downloads(tmp_path):
    _register()
    folder = imd2019.fetch(tmp_path / "raw")
    assert folder == tmp_path / "raw" / FOLDER
    assert [call.request.url for call in responses.calls] == [raw.url for raw in imd2019.SOURCE.files]
    lad = imd2019.read(folder / imd2019.FILE10)
    assert value(lad, "E06000009", "imd_average_score") == pytest.approx(45.039)
    assert value(lad, "E08000011", "imd_rank_of_average_score") == 2
    ranks = imd2019.read(folder / imd2019.FILE1)
    assert value(ranks, "E01021988", "imd_rank") == 1
    assert value(imd2019.read(folder / imd2019.FILE2), "E01000001", "income_rank") == 32831
    assert value(imd2019.read(folder / imd2019.FILE6), "E01000001", "population_total") == 1296
    indicators = imd2019.read(folder / imd2019.FILE8)
    assert value(indicators, "E01000001", "adult_skills_and_english_language_proficiency_indicator") == pytest.approx(0.032)
    assert indicators.value.isna().sum() == 1  # the blank entry-to-HE cell survives as missing
    # The converted File 8 has the held copy's snake_case header, column for column.
    held_header = gzip.open(RAW / FOLDER / imd2019.FILE8, "rt").readline()
    assert gzip.open(folder / imd2019.FILE8, "rt").readline() == held_header
    entries = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    for raw in imd2019.SOURCE.files:
        entry = entries[f"raw/{FOLDER}/{raw.name}"]
        assert entry["url"] == raw.url
        assert entry["sha256"] == http.sha256_of(folder / raw.name)
        assert entry["source_id"] == "imd2019"
    # File 10 is held byte for byte as published.
    assert (folder / imd2019.FILE10).read_bytes() == (FIXTURE / "file10.xlsx").read_bytes()


def _seed(tmp_path, raw_dir) -> Path:
    folder = tmp_path / "raw" / FOLDER
    folder.mkdir(parents=True)
    for raw in imd2019.SOURCE.files:
        shutil.copyfile(raw_dir / FOLDER / raw.name, folder / raw.name)
    return folder


@responses.activate
def test_an_html_page_for_the_workbook_held_as_published_names_it(tmp_path, raw_dir):
    """File 10 is held byte for byte, so the HTML page meets the reader (File 2's meets the converter)."""
    folder = _seed(tmp_path, raw_dir)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    page = {"body": b"<!DOCTYPE html><html><body>Page not found</body></html>", "status": 200, "content_type": "text/html"}
    _register({imd2019.FILE10: page})
    with pytest.raises(FetchError, match="File_10.*HTML"):
        imd2019.fetch(tmp_path / "raw")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
