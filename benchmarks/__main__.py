"""Benchmark: figure sizes against a naive baseline, page rerun times, cold start, build time and server memory.

    python -m benchmarks                 full run, prints a Markdown report
    python -m benchmarks --check --quick exits non-zero if a target fails (a few minutes)

Targets are sizes and ratios where possible, which a noisy machine cannot flip; times are medians of repeats.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
import geopandas as gpd
import pandas as pd
import plotly.io as pio

import settings
from benchmarks.load_test import free_port, peak_rss_mb
from dashboard import figures, maps
from dashboard.page_table import PAGES  # url path -> page file
from data_sources import geography as geo_source
from outputs import geojson

MB = 1_000_000


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    note: str = ""


def _frame(codes, names) -> pd.DataFrame:
    frame = pd.DataFrame({"area_code": list(codes)})
    frame["area_name"] = frame["area_code"].map(names)
    frame["value"] = range(len(frame))
    frame["value_text"] = frame["value"].astype(str)
    frame["rank_text"] = "1 (1-2)"
    return frame


def _timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def figure_sizes(processed: Path, raw: Path, repeats: int) -> list[Result]:
    areas = pd.read_parquet(processed / "areas.parquet")
    names = dict(zip(areas["area_code"], areas["area_name"].astype(str)))
    lad = gpd.read_parquet(processed / "boundaries_lad.parquet")
    wards = gpd.read_parquet(processed / "boundaries_ward.parquet")
    line = "Source: benchmark (synthetic values on real boundaries)"
    common = {"unit": "value", "polarity": "higher_is_better", "source_line": line}

    lad_geojson = geojson.feature_collection(lad["area_code"], lad.geometry)
    lad_fig, lad_seconds = _timed(lambda: maps.la_choropleth(_frame(lad["area_code"], names), lad_geojson, **common), repeats)
    lad_bytes = figures.figure_bytes(lad_fig)

    # Naive baseline: the held ward polygons (no display simplification, full precision) dissolved to LADs and embedded.
    raw_wards = geo_source.read(raw / "geography" / geo_source.WARDS_2025)
    naive_lad = raw_wards.dissolve("LAD25CD").reset_index()
    naive_lad_fig = maps.la_choropleth(_frame(naive_lad["LAD25CD"], names), geojson.feature_collection(naive_lad["LAD25CD"], naive_lad.geometry), **common)
    naive_lad_bytes = figures.figure_bytes(naive_lad_fig)

    biggest = wards["parent_code"].value_counts().idxmax()
    mine = wards[wards["parent_code"] == biggest]
    ward_geojson = geojson.feature_collection(mine["area_code"], mine.geometry)
    ward_fig, ward_seconds = _timed(
        lambda: maps.ward_choropleth(_frame(mine["area_code"], names), ward_geojson, tuple(mine.total_bounds), **common), repeats
    )
    ward_bytes = figures.figure_bytes(ward_fig)
    naive_mine = raw_wards[raw_wards["LAD25CD"] == biggest]
    naive_ward_bytes = figures.figure_bytes(
        maps.ward_choropleth(_frame(naive_mine["WD25CD"], names), geojson.feature_collection(naive_mine["WD25CD"], naive_mine.geometry), tuple(naive_mine.total_bounds), **common)
    )

    with tempfile.TemporaryDirectory() as scratch:
        layer = geojson.write_ward_layer(gpd.read_parquet(processed / "boundaries_ward.parquet"), Path(scratch))
    national_fig, national_seconds = _timed(lambda: maps.national_ward_choropleth(_frame(wards["area_code"], names), **common), repeats)
    national_bytes = figures.figure_bytes(national_fig)
    naive_national = geojson.feature_collection(raw_wards["WD25CD"], raw_wards.geometry, arrays=False)
    naive_national_bytes = len(json.dumps(naive_national, separators=(",", ":"))) + national_bytes

    return [
        Result("LA map figure", lad_bytes / MB, "MB", "<= 0.6 MB", lad_bytes <= 0.6 * MB),
        Result("LA map vs naive (unsimplified, embedded)", naive_lad_bytes / lad_bytes, "x smaller", ">= 4x", naive_lad_bytes / lad_bytes >= 4, f"naive {naive_lad_bytes / MB:.2f} MB"),
        Result(f"Ward map of the LA with most wards ({names[biggest]}, {len(mine)} wards)", ward_bytes / MB, "MB", "<= 0.15 MB", ward_bytes <= 0.15 * MB, f"naive {naive_ward_bytes / MB:.3f} MB ({naive_ward_bytes / ward_bytes:.1f}x)"),
        Result("National ward layer (static file), raw", layer["raw_bytes"] / MB, "MB", "<= 6 MB", layer["raw_bytes"] <= 6 * MB),
        Result("National ward layer (static file), gzipped", layer["gzip_bytes"] / MB, "MB", "<= 1.5 MB", layer["gzip_bytes"] <= 1.5 * MB),
        Result("National ward map figure (layer by URL, not embedded)", national_bytes / MB, "MB", "layer never embedded", national_bytes < 0.5 * MB and "coordinates" not in pio.to_json(national_fig), f"naive embedded {naive_national_bytes / MB:.1f} MB ({naive_national_bytes / national_bytes:.0f}x)"),
        Result("Build LA map figure", lad_seconds * 1000, "ms", note=f"median of {repeats}"),
        Result("Build ward map figure", ward_seconds * 1000, "ms", note=f"median of {repeats}"),
        Result("Build national ward map figure", national_seconds * 1000, "ms", note=f"median of {repeats}"),
    ]


def page_reruns(repeats: int) -> list[Result]:
    """Server-side time of a warm rerun of each page (AppTest runs the script as the server would)."""
    from streamlit.testing.v1 import AppTest

    results = []
    for page, page_file in PAGES.items():
        app = AppTest.from_file(str(ROOT / page_file), default_timeout=120)
        app.run()
        if app.exception:
            results.append(Result(f"Warm rerun: {page}", float("nan"), "s", "<= 0.3 s", False, f"exception: {app.exception[0].message[:80]}"))
            continue
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        results.append(Result(f"Warm rerun: {page}", median, "s", "<= 0.3 s", median <= 0.3, f"median of {repeats}"))
    return results


def build_time() -> Result:
    from pipeline import build

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "data"
        shutil.copytree(settings.data_dir() / "raw", work / "raw")
        shutil.copy2(settings.data_dir() / "manifest.json", work / "manifest.json")
        start = time.perf_counter()
        build.run(work)
        seconds = time.perf_counter() - start
    return Result("Full build (raw -> processed)", seconds, "s", "<= 60 s", seconds <= 60)


def browser_runs() -> list[Result]:
    """Cold start of a real server to the first drawn map in headless Debian chromium, then every page; peak RSS."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    start = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            deadline = time.time() + 90
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/map", timeout=10_000)
                    break
                except Exception:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.3)
            page.wait_for_selector(".maplibregl-canvas", timeout=90_000)
            page.wait_for_function("() => document.querySelectorAll('.maplibregl-canvas').length > 0 && !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)
            cold = time.perf_counter() - start
            for url_path in PAGES:
                page.goto(f"http://127.0.0.1:{port}/{url_path}", timeout=60_000)
                page.wait_for_selector("[data-testid=stMain]", timeout=60_000)
                page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000)
            browser.close()
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [
        Result("Cold start to first drawn map (server start + chromium)", cold, "s", note="includes Python start-up and table loading"),
        Result("Server peak RSS after visiting every page", rss, "MB", "<= 1024 MB", rss <= 1024),
    ]


def report(results: list[Result]) -> str:
    lines = [
        f"# Cohesion Atlas benchmark ({time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}",
        "",
        "| measure | value | target | pass | note |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        verdict = "" if r.ok is None else ("yes" if r.ok else "**NO**")
        lines.append(f"| {r.name} | {r.value:.3f} {r.unit} | {r.target} | {verdict} | {r.note} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit non-zero if any target fails")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (finishes in a few minutes)")
    parser.add_argument("--no-browser", action="store_true", help="skip the chromium cold start and server memory")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    processed, raw = settings.processed_dir(), settings.data_dir() / "raw"
    results = figure_sizes(processed, raw, repeats)
    results += page_reruns(repeats)
    results.append(build_time())
    if not args.no_browser:
        results += browser_runs()
    text = report(results)
    print(text)
    if args.out:
        args.out.write_text(text)
    failed = [r for r in results if r.ok is False]
    if args.check and failed:
        print("targets failed: " + "; ".join(r.name for r in failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
