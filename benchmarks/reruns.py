"""Warm reruns in AppTest: the server's time to rerun each page of a session that has already run it once.

Every page runs through app.py (its page configuration, navigation and sidebar), as the server runs it, and is divided
by the floor page (benchmarks/floor_page.py: one small plotly chart in the same shell) measured in the same run.
"""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from dashboard.page_table import FLOOR_ENV, FLOOR_PAGE, PAGES

ROOT = Path(__file__).resolve().parents[1]
BLACKPOOL, ANCHORSHOLME = "E06000009", "E05015186"  # an LA and one of its wards
CASES = [
    ("floor", FLOOR_PAGE.file, {}),
    *((page, file, {"area": BLACKPOOL} if page in ("profile", "wards", "trends") else {}) for page, file in PAGES.items()),
    ("profile (ward)", PAGES["profile"], {"area": ANCHORSHOLME}),
]


def warm_rerun(page_file: str, params: dict[str, str], repeats: int) -> float:
    """Median seconds of `repeats` reruns of one page in one session, after two runs that warm it."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page_file)
    app.run()
    if app.exception:
        raise RuntimeError(f"{page_file}: {app.exception[0].message[:200]}")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(repeats: int) -> dict[str, float]:
    """page name -> median warm rerun seconds, the floor first."""
    os.environ[FLOOR_ENV] = "1"
    return {name: warm_rerun(file, params, repeats) for name, file, params in CASES}
