"""The incremental build: what rests on unchanged raw files is reused from data/.build-cache/, what rests on a changed
one is computed again, and the tables are byte for byte those of a full build (cache=False) of the same raw folder.

Four builds in one temporary data folder, run once for the module (about 6 minutes on 2 cores): a cold build with the
cache, one value of one ONS ELS file changed, an incremental build, a full build without the cache of the same raw
folder (the reference, and the time the incremental build is measured against), then a warm build with nothing changed.
"""
from __future__ import annotations

import io
import shutil
import time

import pandas as pd
import pytest

from conftest import DATA
from pipeline import build, build_cache

pytestmark = pytest.mark.timeout(1200)

ELS_FILE = "ons_els/employment-rate/employment-rate.csv"
# Birmingham's 2023 employment rate, 65.9 as published; changed to a value still inside its interval (62.4-69.4).
OLD_ROW = "E08000025,Birmingham,Local Authority District,Employment rate,2023-01-01/P1Y,65.9,"
NEW_ROW = "E08000025,Birmingham,Local Authority District,Employment rate,2023-01-01/P1Y,68.8,"


def outputs(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def timed(data_dir, **kwargs):
    started = time.perf_counter()
    result = build.run(data_dir, **kwargs)
    return result, time.perf_counter() - started, outputs(result.processed_dir)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    work = tmp_path_factory.mktemp("incremental") / "data"
    shutil.copytree(DATA / "raw", work / "raw")
    shutil.copy2(DATA / "manifest.json", work / "manifest.json")
    out = {"work": work}
    out["cold"] = timed(work)

    csv = work / "raw" / ELS_FILE
    text = csv.read_text(encoding="utf-8")
    assert text.count(OLD_ROW) == 1
    csv.write_text(text.replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    out["changed"] = timed(work)

    # The reference: a full build of the same (changed) raw folder in another folder, without the cache.
    full = work.parent / "full" / "data"
    shutil.copytree(work / "raw", full / "raw")
    shutil.copy2(work / "manifest.json", full / "manifest.json")
    out["full"] = timed(full, cache=False)
    out["full_dir"] = full

    out["warm"] = timed(work)
    return out


def test_cold_build_fills_the_cache(builds):
    """Everything computed, everything kept (nothing refused as uncacheable). That a build equals the shipped tables is
    test_geography_and_build's; here the warm and incremental builds are held to a full build of the same raw files."""
    result, _, files = builds["cold"]
    assert result.cache_used and not result.geography_reused and not result.sources_reused and not result.indicators_reused
    assert not result.indicators_not_cached, result.indicators_not_cached
    assert sorted(result.steps_computed) == sorted(name for _, name in build_cache.CONTEXT_STEPS)
    kept = {p.relative_to(builds["work"] / build_cache.CACHE_FOLDER).as_posix() for p in (builds["work"] / build_cache.CACHE_FOLDER).glob("*/*.json")}
    assert {f"tidy/{s}.json" for s in result.sources_read} | {f"indicators/{i}.json" for i in result.indicators_computed} <= kept
    assert sorted(name for name in files if name.startswith("tidy/")) == sorted(f"tidy/{s}.parquet" for s in result.sources_read)


def test_one_changed_file_rebuilds_only_what_reads_its_source(builds):
    result, _, files = builds["changed"]
    assert result.sources_read == ["ons_els"]
    assert result.geography_reused
    assert "employment_rate" in result.indicators_computed
    assert "imd_average_score" in result.indicators_reused and "local_election_turnout" in result.indicators_reused
    from indicators.catalogue import CATALOGUE

    els = {ind.id for ind in CATALOGUE if "ons_els" in ind.sources}
    assert els <= set(result.indicators_computed)
    assert len(result.indicators_reused) + len(result.indicators_computed) == len(CATALOGUE)
    assert set(result.indicators_reused).isdisjoint(els)

    _, _, reference = builds["full"]
    assert sorted(files) == sorted(reference)
    differing = [name for name in reference if files[name] != reference[name]]
    assert not differing, f"differ from a full build of the same raw files: {differing}"

    values = pd.read_parquet(io.BytesIO(files["indicator_values.parquet"]))
    row = values[(values["indicator_id"] == "employment_rate") & (values["area_code"] == "E08000025") & (values["period"] == "2023")]
    assert row["value"].tolist() == [68.8]


def test_warm_build_reuses_everything_and_matches_a_full_build(builds):
    result, _, files = builds["warm"]
    cold = builds["cold"][0]
    assert result.geography_reused
    assert not result.sources_read and sorted(result.sources_reused) == sorted(cold.sources_read)
    assert not result.indicators_computed
    assert sorted(result.indicators_reused) == sorted(set(cold.indicators_computed) - set(cold.indicators_not_cached))
    _, _, reference = builds["full"]
    assert files == reference


def test_incremental_build_time_against_a_full_build(builds):
    _, changed_seconds, _ = builds["changed"]
    full, full_seconds, _ = builds["full"]
    warm_seconds = builds["warm"][1]
    ratio = changed_seconds / full_seconds
    print(f"\nfull build (cache=False) {full_seconds:.1f} s; one-source rebuild {changed_seconds:.1f} s (ratio {ratio:.2f}); warm rebuild {warm_seconds:.1f} s")
    assert not full.cache_used  # the full build ran cold, without the cache, in this run
    assert ratio <= 0.4


def test_invalidate_source_drops_what_rests_on_it(builds):
    """invalidate_source (for benchmarks) drops the source's tidy entry and every entry reading it, and no other."""
    work = builds["work"]
    dropped = build_cache.invalidate_source(work, "ons_els")
    assert "tidy/ons_els" in dropped and "indicators/employment_rate" in dropped
    assert "indicators/imd_average_score" not in dropped and "geography/areas_and_boundaries" not in dropped
    cache = build_cache.BuildCache(work)
    assert cache.load("tidy", "ons_els", frames=False) is None
    assert cache.load("indicators", "employment_rate", frames=False) is None
    assert cache.load("tidy", "census2021", frames=False) is not None
    assert cache.load("indicators", "imd_average_score", frames=False) is not None


def test_a_build_without_the_cache_leaves_it_alone(builds):
    assert not (builds["full_dir"] / build_cache.CACHE_FOLDER).exists()
