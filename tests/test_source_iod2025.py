"""IoD2025 loader: real values from the bundled files, conversion of the official layouts, and clear errors."""
from __future__ import annotations

import json

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import iod2025
from data_sources.base import SchemaError
from source_contract_checks import Damaged, Sample

FILE10 = "iod2025_file10_lad24_summaries.csv"
FILE7 = "iod2025_file7_lsoa21_scores_ranks_deciles.csv.gz"
FOLDER = RAW / iod2025.SOURCE.raw_folder
FIXTURE = FIXTURES / iod2025.SOURCE.id
MEDIA = "https://assets.publishing.service.gov.uk/media"

CONTRACT = contract.Contract(
    samples=(Sample(FILE10), Sample(FILE7)),
    damaged=(
        Damaged(FILE10, "ltla24_code", "lad24_code"),
        Damaged(FILE10, "imd_average_score", "imd_avg_score", cut=lambda text: text[: len(text) // 3]),
        Damaged(FILE7, "lsoa21_code", "lsoa_code"),
    ),
    urls={
        FILE10: f"{MEDIA}/6917412ebc34c86ce4e6e7fc/File_10_-_IoD2025_Local_Authority_District_Summaries__lower-tier__v2.xlsx",
        FILE7: f"{MEDIA}/68ff5daabcb10f6bf9bef911/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
    },
    html_message="cannot convert .*Excel file format cannot be determined",
)


@pytest.fixture(scope="module")
def lad():
    return iod2025.read(FOLDER / FILE10)


def test_file10_blackpool_middlesbrough_burnley(lad):
    score = lad[lad.measure == "imd_average_score"].set_index("area_code")["value"]
    rank = lad[lad.measure == "imd_rank_of_average_score"].set_index("area_code")["value"]
    assert len(score) == 296 and lad["geography"].eq("lad24").all() and lad["period"].eq("2025").all()
    assert score["E06000009"] == pytest.approx(43.467) and rank["E06000009"] == 1
    assert score["E06000002"] == pytest.approx(40.037) and rank["E06000002"] == 2
    assert rank[rank == 3].index.tolist() == ["E07000117"]  # Burnley, 38.681
    assert score["E07000117"] == pytest.approx(38.681)


def test_file7_lsoa_scores():
    lsoa = iod2025.read(FOLDER / FILE7)
    imd = lsoa[lsoa.measure == "imd_score"].set_index("area_code")["value"]
    assert len(imd) == 33755 and lsoa["geography"].eq("lsoa21").all()
    assert imd["E01000001"] == pytest.approx(8.742)
    ranks = lsoa[lsoa.measure == "imd_rank"]["value"]
    assert ranks.min() == 1 and ranks.max() == 33755


@responses.activate
def test_fetch_converts_the_official_downloads(tmp_path):
    for raw, fixture in zip(iod2025.SOURCE.files, ("file10_official_layout.xlsx", "file7_official_layout.csv")):
        responses.add(responses.GET, raw.url, body=(FIXTURE / fixture).read_bytes())
    folder = iod2025.fetch(tmp_path / "raw")
    held10 = pd.read_csv(FOLDER / FILE10, dtype=str).head(30)
    fetched10 = pd.read_csv(folder / FILE10, dtype=str)
    pd.testing.assert_frame_equal(fetched10[held10.columns], held10)
    fetched7 = pd.read_csv(folder / FILE7, dtype=str)
    assert list(fetched7.columns) == iod2025.FILE7_COLUMNS and len(fetched7) == 40
    entries = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    assert entries[f"raw/{iod2025.SOURCE.id}/{FILE10}"]["url"] == iod2025.SOURCE.files[0].url
    assert len(entries[f"raw/{iod2025.SOURCE.id}/{FILE7}"]["sha256"]) == 64
    assert responses.calls[0].request.url.startswith("https://assets.publishing.service.gov.uk/media/6917412ebc34c86ce4e6e7fc/")


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t.replace("43.467", "n/a%x", 1), "non-numeric"),
    ],
    ids=["garbage-number"],
)
def test_malformed_file10_raises_clear_error(tmp_path, mutate, message):
    text = (FOLDER / FILE10).read_text()
    path = _write(tmp_path / FILE10, mutate(text))
    with pytest.raises(SchemaError, match=message) as info:
        iod2025.read(path)
    assert FILE10 in str(info.value)


def test_truncated_gzip_raises_clear_error(tmp_path):
    data = (FOLDER / FILE7).read_bytes()
    path = tmp_path / FILE7
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SchemaError, match="gzip"):
        iod2025.read(path)


def test_suppressed_cells_are_missing_not_zero(tmp_path):
    text = (FOLDER / FILE10).read_text().replace("43.467", ":", 1)
    frame = iod2025.read(_write(tmp_path / FILE10, text))
    value = frame[(frame.area_code == "E06000009") & (frame.measure == "imd_average_score")]["value"]
    assert value.isna().all()
