"""The benchmark's own plumbing: every page is measured against the floor, targets are ratios or sizes, and it runs."""
from __future__ import annotations

import math
import subprocess
import sys

from benchmarks import reruns
from benchmarks.__main__ import FULL, QUICK
from benchmarks.results import Result, report
from conftest import ROOT
from dashboard.page_table import FLOOR_ENV, FLOOR_PAGE, PAGE_TABLE


def test_every_page_is_rerun_against_the_floor():
    measured = {file for _, file, _ in reruns.CASES}
    assert {page.file for page in PAGE_TABLE} <= measured
    assert reruns.CASES[0] == ("floor", FLOOR_PAGE.file, {})


def test_the_floor_and_a_page_rerun_in_apptest(monkeypatch):
    monkeypatch.setenv(FLOOR_ENV, "1")  # as reruns.run sets it: the floor page is registered only for the benchmark
    floor = reruns.warm_rerun(FLOOR_PAGE.file, {}, 2)
    methodology = reruns.warm_rerun("dashboard/app_pages/methodology.py", {}, 2)
    assert 0 < floor < methodology < 10 and math.isfinite(methodology)


def test_the_full_run_keeps_the_stated_load_and_soak():
    # 50 sessions for 2 minutes; memory compared between minute 2 and minute 10 of load.
    assert (FULL.sessions, FULL.load_seconds, FULL.soak_from, FULL.soak_seconds) == (50, 120, 120, 600)
    assert QUICK.sessions == 50 and QUICK.soak_seconds < FULL.soak_seconds


def test_a_missed_target_is_marked_in_the_report():
    text = report([Result("x ÷ floor", 2.5, "x", "<= 2", False), Result("size", 1.0, "MB", "<= 3 MB", True)], title="t")
    assert "| x ÷ floor | 2.500 x | <= 2 | **NO** |" in text and "| size | 1.000 MB | <= 3 MB | yes |" in text


def test_the_command_explains_itself():
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--quick" in done.stdout and "--check" in done.stdout
