"""The canonical geography and the build: every 2025 LAD and ward, boundaries, and a rebuild identical to what ships."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from conftest import DATA, PROCESSED, ROOT

AREA_COLUMNS = ["area_code", "area_name", "area_name_welsh", "level", "parent_code", "region_code", "country"]


@pytest.fixture(scope="module")
def areas():
    return pd.read_parquet(PROCESSED / "areas.parquet")


def test_areas_hold_every_2025_lad_and_ward(areas):
    assert set(AREA_COLUMNS) <= set(areas.columns)
    lads, wards = areas[areas["level"] == "lad"], areas[areas["level"] == "ward"]
    assert len(lads) == 318 and (lads["country"] == "E").sum() == 296 and (lads["country"] == "W").sum() == 22
    assert len(wards) == 7588 and (wards["country"] == "E").sum() == 6826 and (wards["country"] == "W").sum() == 762
    assert areas["area_code"].is_unique
    assert wards["parent_code"].isin(set(lads["area_code"])).all()
    assert lads.groupby("country")["region_code"].nunique().to_dict() == {"E": 9, "W": 1}


def test_2025_recodes_and_welsh_names(areas):
    by_code = areas.set_index("area_code")
    assert by_code.loc["E08000038", "area_name"] == "Barnsley" and by_code.loc["E08000039", "area_name"] == "Sheffield"
    assert "E08000016" not in by_code.index
    assert by_code.loc["E08000038", "region_name"] == "Yorkshire and The Humber"
    assert by_code.loc["W06000001", "area_name_welsh"] == "Ynys Môn"
    assert by_code.loc["W06000015", "area_name_welsh"] == "Caerdydd"
    assert pd.isna(by_code.loc["E06000009", "area_name_welsh"])
    assert (areas[(areas.level == "ward") & (areas.country == "W")]["area_name_welsh"].notna()).mean() > 0.5


def test_boundary_layers_cover_every_area_in_wgs84(areas):
    lad = gpd.read_parquet(PROCESSED / "boundaries_lad.parquet")
    ward = gpd.read_parquet(PROCESSED / "boundaries_ward.parquet")
    assert lad.crs.to_epsg() == 4326 and ward.crs.to_epsg() == 4326
    assert set(lad["area_code"]) == set(areas.loc[areas.level == "lad", "area_code"])
    assert set(ward["area_code"]) == set(areas.loc[areas.level == "ward", "area_code"])
    assert lad.is_valid.all() and not ward.is_empty.any()
    minx, miny, maxx, maxy = ward.total_bounds
    assert -6.5 < minx < -5 and 49.8 < miny < 50.1 and 1.6 < maxx < 1.9 and 55.7 < maxy < 55.9


def test_manifest_lists_every_raw_file_with_checksum():
    result = subprocess.run([sys.executable, "cli.py", "verify"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    entries = json.loads((DATA / "manifest.json").read_text())["files"]
    assert len(entries) >= 100
    for entry in entries:
        assert entry["url"] and len(entry["sha256"]) == 64 and entry["bytes"] > 0 and entry["licence"]
        assert (DATA / entry["provenance"]).exists()
    assert sum(e["bytes"] for e in entries) < 100 * 1024 * 1024


def test_verify_fails_on_a_changed_file(tmp_path):
    shutil.copytree(DATA / "raw" / "eu_referendum", tmp_path / "raw" / "eu_referendum")
    entries = [e for e in json.loads((DATA / "manifest.json").read_text())["files"] if e["source_id"] == "eu_referendum"]
    (tmp_path / "manifest.json").write_text(json.dumps({"files": entries}))
    target = tmp_path / entries[0]["path"]
    target.write_bytes(target.read_bytes().replace(b"Hartlepool", b"Hartlepoo1"))
    result = subprocess.run([sys.executable, "cli.py", "--data-dir", str(tmp_path), "verify"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "sha256 differs" in result.stderr


def test_cli_commands_have_help():
    for command in ("build", "refresh", "verify", "export"):
        result = subprocess.run([sys.executable, "cli.py", command, "--help"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0 and "usage" in result.stdout


def test_rebuild_from_raw_matches_the_shipped_tables(tmp_path):
    """The processed tables are a pure function of data/raw: rebuilding gives the same tables."""
    from pipeline import build

    work = tmp_path / "data"
    shutil.copytree(DATA / "raw", work / "raw")
    shutil.copy2(DATA / "manifest.json", work / "manifest.json")
    result = build.run(work)
    shipped = sorted(p.relative_to(PROCESSED).as_posix() for p in PROCESSED.rglob("*.parquet"))
    rebuilt = sorted(p.relative_to(result.processed_dir).as_posix() for p in result.processed_dir.rglob("*.parquet"))
    assert rebuilt == shipped
    for name in shipped:
        if name.startswith("boundaries_"):
            a, b = gpd.read_parquet(PROCESSED / name), gpd.read_parquet(result.processed_dir / name)
            assert a["area_code"].tolist() == b["area_code"].tolist()
            assert a.geometry.to_wkb().tolist() == b.geometry.to_wkb().tolist(), name
        else:
            pd.testing.assert_frame_equal(pd.read_parquet(PROCESSED / name), pd.read_parquet(result.processed_dir / name), obj=name)
    assert (PROCESSED / "methodology.md").read_text() == (result.processed_dir / "methodology.md").read_text()
