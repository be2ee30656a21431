"""A generated LA page of the static site against the app's profile of the same LA, in one chromium run.

    python -m benchmarks.report_paint [--area E06000009] [--loads 5]

Each load is a fresh browser context (empty cache), the two alternated, so both meet the same machine state. Measured
from navigation start: first contentful paint (the browser's own paint timing) and main content visible (the area's
factor ranks on screen: the site's factor table; the app's first rank metric). The static page is served by Python's
own static server, the app by its own Streamlit server, both on 127.0.0.1. Prints medians and the app / site ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.first_visit import CHROMIUM, CHROMIUM_ARGS
from serving.front import free_port

ROOT = Path(__file__).resolve().parents[1]
PAINT = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
NOW = "() => performance.now()"
MAIN_CONTENT = {"site": "table.factor-table", "app": "[data-testid=stMetric]"}


def _wait(url: str, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.time() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
            time.sleep(0.3)


def measure(page, url: str, selector: str) -> tuple[float, float]:
    """(first contentful paint, main content visible), in ms from navigation start."""
    page.goto(url, wait_until="commit", timeout=90_000)
    page.wait_for_selector(selector, state="visible", timeout=90_000)
    visible = page.evaluate(NOW)
    page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0", timeout=30_000)
    return page.evaluate(PAINT), visible


def run(area: str, loads: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    from dashboard import tables
    from reports import site
    from reports.area_report import ReportTables

    processed = ROOT / "data" / "processed"
    folder = Path(tempfile.mkdtemp(prefix="atlas-site-")) / "site"
    site.build_site(folder, ReportTables.from_atlas(tables.load_atlas(processed)), processed, lads=[area], pdf="none", workers=1)
    static_port, app_port = free_port(), free_port()
    static = subprocess.Popen([sys.executable, "-m", "http.server", str(static_port), "--bind", "127.0.0.1", "--directory", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(app_port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    urls = {"site": f"http://127.0.0.1:{static_port}/la/{area}.html", "app": f"http://127.0.0.1:{app_port}/profile?area={area}"}
    times: dict[str, dict[str, list[float]]] = {k: {"paint": [], "visible": []} for k in urls}
    try:
        _wait(urls["site"])
        _wait(f"http://127.0.0.1:{app_port}/_stcore/health")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = browser.new_page()  # the app's first session loads its tables: not what a reader's first paint measures
            measure(warm, urls["app"], MAIN_CONTENT["app"])
            warm.close()
            for _ in range(loads):
                for kind, url in urls.items():
                    context = browser.new_context(viewport={"width": 1366, "height": 768})
                    paint, visible = measure(context.new_page(), url, MAIN_CONTENT[kind])
                    times[kind]["paint"].append(paint)
                    times[kind]["visible"].append(visible)
                    context.close()
            browser.close()
    finally:
        for proc in (static, app):
            proc.terminate()
            proc.wait(timeout=30)
    return {kind: {m: statistics.median(v) for m, v in measures.items()} for kind, measures in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--area", default="E06000009")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args(argv)
    medians = run(args.area, args.loads)
    print(f"| median of {args.loads} fresh loads, {args.area} | static site LA page | app profile | app / site |")
    print("|---|---|---|---|")
    for measure_name, label in (("paint", "first contentful paint"), ("visible", "factor ranks visible")):
        site_ms, app_ms = medians["site"][measure_name], medians["app"][measure_name]
        print(f"| {label} | {site_ms:,.0f} ms | {app_ms:,.0f} ms | {app_ms / site_ms:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
