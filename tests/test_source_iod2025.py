"""IoD2025 loader: real values from the bundled files, conversion of the official layouts, and clear errors."""
from __future__ import annotations

import json

import pandas as pd
import pytest
import responses

from data_sources import iod2025
from data_sources.base import FetchError, SchemaError

FILE10 = "iod2025_file10_lad24_summaries.csv"
FILE7 = "iod2025_file7_lsoa21_scores_ranks_deciles.csv.gz"


@pytest.fixture(scope="module")
def lad(raw_dir):
    return iod2025.read(raw_dir / "iod2025_england" / FILE10)


def test_file10_blackpool_middlesbrough_burnley(lad):
    score = lad[lad.measure == "imd_average_score"].set_index("area_code")["value"]
    rank = lad[lad.measure == "imd_rank_of_average_score"].set_index("area_code")["value"]
    assert len(score) == 296 and lad["geography"].eq("lad24").all() and lad["period"].eq("2025").all()
    assert score["E06000009"] == pytest.approx(43.467) and rank["E06000009"] == 1
    assert score["E06000002"] == pytest.approx(40.037) and rank["E06000002"] == 2
    assert rank[rank == 3].index.tolist() == ["E07000117"]  # Burnley, 38.681
    assert score["E07000117"] == pytest.approx(38.681)


def test_file7_lsoa_scores(raw_dir):
    lsoa = iod2025.read(raw_dir / "iod2025_england" / FILE7)
    imd = lsoa[lsoa.measure == "imd_score"].set_index("area_code")["value"]
    assert len(imd) == 33755 and lsoa["geography"].eq("lsoa21").all()
    assert imd["E01000001"] == pytest.approx(8.742)
    ranks = lsoa[lsoa.measure == "imd_rank"]["value"]
    assert ranks.min() == 1 and ranks.max() == 33755


@responses.activate
def test_fetch_converts_the_official_downloads(tmp_path, fixtures_dir, raw_dir):
    for raw, fixture in zip(iod2025.SOURCE.files, ("file10_official_layout.xlsx", "file7_official_layout.csv")):
        responses.add(responses.GET, raw.url, body=(fixtures_dir / "iod2025" / fixture).read_bytes())
    folder = iod2025.fetch(tmp_path / "raw")
    held10 = pd.read_csv(raw_dir / "iod2025_england" / FILE10, dtype=str).head(30)
    fetched10 = pd.read_csv(folder / FILE10, dtype=str)
    pd.testing.assert_frame_equal(fetched10[held10.columns], held10)
    fetched7 = pd.read_csv(folder / FILE7, dtype=str)
    assert list(fetched7.columns) == iod2025.FILE7_COLUMNS and len(fetched7) == 40
    entries = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    assert entries[f"raw/iod2025_england/{FILE10}"]["url"] == iod2025.SOURCE.files[0].url
    assert len(entries[f"raw/iod2025_england/{FILE7}"]["sha256"]) == 64
    assert responses.calls[0].request.url.startswith("https://assets.publishing.service.gov.uk/media/6917412ebc34c86ce4e6e7fc/")


@pytest.mark.parametrize("status, body", [(500, b"server error"), (200, b"<!DOCTYPE html><html>Page not found</html>")])
@responses.activate
def test_failed_fetch_keeps_held_files(tmp_path, raw_dir, monkeypatch, status, body):
    monkeypatch.setenv("ATLAS_HTTP_RETRIES", "0")
    folder = tmp_path / "raw" / "iod2025_england"
    folder.mkdir(parents=True)
    (folder / FILE10).write_bytes((raw_dir / "iod2025_england" / FILE10).read_bytes())
    before = (folder / FILE10).read_bytes()
    responses.add(responses.GET, iod2025.SOURCE.files[0].url, body=body, status=status)
    with pytest.raises(FetchError, match="iod2025"):
        iod2025.fetch(tmp_path / "raw")
    assert (folder / FILE10).read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == ["iod2025_england"]


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t.replace("imd_average_score", "imd_avg_score", 1), "missing column.*imd_average_score"),
        (lambda t: t[: len(t) // 3], "fields .file truncated|non-numeric"),
        (lambda t: "<!DOCTYPE html><html><body>Not found</body></html>", "HTML"),
        (lambda t: "", "empty"),
        (lambda t: t.replace("43.467", "n/a%x", 1), "non-numeric"),
    ],
    ids=["renamed-column", "truncated", "html", "empty", "garbage-number"],
)
def test_malformed_file10_raises_clear_error(tmp_path, raw_dir, mutate, message):
    text = (raw_dir / "iod2025_england" / FILE10).read_text()
    path = _write(tmp_path / FILE10, mutate(text))
    with pytest.raises(SchemaError, match=message) as info:
        iod2025.read(path)
    assert FILE10 in str(info.value)


def test_truncated_gzip_raises_clear_error(tmp_path, raw_dir):
    data = (raw_dir / "iod2025_england" / FILE7).read_bytes()
    path = tmp_path / FILE7
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SchemaError, match="gzip"):
        iod2025.read(path)


def test_suppressed_cells_are_missing_not_zero(tmp_path, raw_dir):
    text = (raw_dir / "iod2025_england" / FILE10).read_text().replace("43.467", ":", 1)
    frame = iod2025.read(_write(tmp_path / FILE10, text))
    value = frame[(frame.area_code == "E06000009") & (frame.measure == "imd_average_score")]["value"]
    assert value.isna().all()
