"""Benchmark: sizes and ratios measured in one run, each against its target.

    python -m benchmarks                  full run (about 25 minutes), prints a Markdown report
    python -m benchmarks --check --quick  shorter load and soak (under 5 minutes); exits non-zero if a target fails
    python -m benchmarks --out benchmarks/RESULTS.md

No target is an absolute time, because machines differ by 2-3x: times are divided by a floor measured in the same
run (the floor page: one small plotly chart in the app's own shell, served by the same front), by a lone session, by
one replica, or by the full build. Sizes are bytes.

Phases, in order:
1. map figure sizes against naive embedded boundaries (benchmarks.sizes);
2. warm reruns of every page in AppTest, each divided by the floor page's (benchmarks.reruns);
3. first visits in headless chromium through the production front (nginx, 2 replicas) and, for comparison, straight
   to one replica's own port: HTTP bytes of the profile, websocket bytes of the map, main content visible for the
   profile and the map, each divided by the floor page's (benchmarks.first_visit);
4. load through the front by the protocol-level load generator (benchmarks.load_test): a lone session's page time,
   50 sessions (errors, p95 / lone), the replicas' memory during a soak, and the page views per minute of a
   saturated front with 2 replicas against 1;
5. the build: a full build, then the incremental rebuild after one source is refreshed (its cached inputs dropped).
"""
from __future__ import annotations

import argparse
import asyncio
import filecmp
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import settings
from benchmarks import first_visit, reruns, sizes
from benchmarks.results import Result, report

ROOT = Path(__file__).resolve().parents[1]
MB, KB = 1_000_000, 1_000
REFRESHED_SOURCE = "ons_els"  # the source refreshed most often (ONS Explore Local Statistics publishes monthly)


@dataclass(frozen=True)
class Plan:
    """How long each phase runs: the full run as the targets are stated, --quick shortened to fit in 5 minutes."""

    repeats: int
    visits: int
    load_seconds: float
    soak_seconds: float
    soak_from: float  # seconds into the soak at which the memory baseline is taken
    throughput_seconds: float
    sessions: int = 50
    think: float = 10.0  # a reader spends about 10 s on a page (uniform 5-15 s)
    saturating_sessions: int = 8  # back to back, no think time: enough to keep 2 replicas busy
    direct: bool = True  # also visit one replica's own port, bypassing the front (the full run's comparison)


FULL = Plan(repeats=7, visits=5, load_seconds=120, soak_seconds=600, soak_from=120, throughput_seconds=60)
QUICK = Plan(repeats=3, visits=2, load_seconds=20, soak_seconds=30, soak_from=15, throughput_seconds=10, direct=False)


def rerun_results(repeats: int) -> list[Result]:
    times = reruns.run(repeats)
    floor = times.pop("floor")
    out = [Result("Warm rerun: floor page (one small chart)", floor * 1000, "ms", note=f"median of {repeats}; the denominator below")]
    for page, seconds in times.items():
        ratio = seconds / floor
        out.append(Result(f"Warm rerun: {page} ÷ floor", ratio, "x", "<= 2", ratio <= 2, f"{seconds * 1000:.1f} ms"))
    return out


def visit_results(front, plan: Plan) -> list[Result]:
    direct = f"http://127.0.0.1:{front.replica_ports[0]}"
    bases = {"front": front.url, "direct": direct} if plan.direct else {"front": front.url}
    visits = first_visit.run(bases, ["floor", "profile", "map"], plan.visits)
    med = {key: {m: first_visit.median(v, m) for m in ("visible_ms", "http_bytes", "ws_bytes", "http_requests")} for key, v in visits.items()}
    outside = sorted({u for v in visits.values() for visit in v for u in visit.outside})
    floor = med[("front", "floor")]["visible_ms"]
    out = [
        Result("First visit, profile through the front: HTTP bytes", med[("front", "profile")]["http_bytes"] / MB, "MB", "<= 3.0 MB",
               med[("front", "profile")]["http_bytes"] <= 3.0 * MB,
               f"{med[('front', 'profile')]['http_requests']:.0f} requests" + (f"; straight to a replica: {med[('direct', 'profile')]['http_bytes'] / MB:.2f} MB" if plan.direct else "")),
        Result("First visit, map through the front: websocket bytes", med[("front", "map")]["ws_bytes"] / KB, "KB", "<= 100 KB",
               med[("front", "map")]["ws_bytes"] <= 100 * KB, f"HTTP {med[('front', 'map')]['http_bytes'] / MB:.2f} MB"),
        Result("Main content visible: floor page through the front", floor, "ms", note=f"median of {plan.visits} fresh visits; the denominator below"),
    ]
    for page in ("profile", "map"):
        ratio = med[("front", page)]["visible_ms"] / floor
        out.append(Result(f"Main content visible: {page} ÷ floor, through the front", ratio, "x", "<= 1.5", ratio <= 1.5,
                          f"{med[('front', page)]['visible_ms']:,.0f} ms" + (f"; straight to a replica {med[('direct', page)]['visible_ms']:,.0f} ms" if plan.direct else "")))
    out.append(Result("Requests beyond 127.0.0.1 during the visits", len(outside), "", "0", not outside, ", ".join(outside[:3])))
    return out


def load_results(front, plan: Plan) -> list[Result]:
    from benchmarks import load_test

    lone = load_test.lone_page_time(front.url, repeats=3 if plan is QUICK else 5)
    seconds = max(plan.think + plan.load_seconds, plan.soak_seconds)
    # The users arrive over the first think time, as visitors do; the page times are those after every user has arrived.
    run = asyncio.run(load_test.run_load(front.url, plan.sessions, seconds, think=plan.think, pids=front.replica_pids, sample_every=5, ramp=plan.think))
    first = [v for v in run.page_views if plan.think <= v.started_at < plan.think + plan.load_seconds]
    p95 = load_test.LoadResult(page_views=first).p95()
    rss = [(t, mb) for t, mb in run.rss_samples]
    at_start = min(rss, key=lambda s: abs(s[0] - plan.soak_from))
    at_end = rss[-1]
    growth = (at_end[1] - at_start[1]) / at_start[1] if at_start[1] else float("nan")
    out = [
        Result(f"Load: {plan.sessions} sessions for {plan.load_seconds:.0f} s through the front, errors", len(run.errors), "", "0", not run.errors,
               f"{len(first)} page views in {plan.load_seconds:.0f} s after the users arrived over {plan.think:.0f} s ({len(run.page_views)} in {seconds:.0f} s); think time {plan.think:.0f} s (5-15 s); "
               + ("; ".join(run.errors[:2]) if run.errors else "")),
        Result("Load: lone session page time", lone * 1000, "ms", note="median page view of one session alone; the denominator below"),
        Result("Load: p95 page time ÷ lone session", p95 / lone, "x", "<= 4", p95 / lone <= 4, f"p95 {p95 * 1000:,.0f} ms"),
        Result(f"Soak: replicas' RSS growth, {at_start[0]:.0f} s to {at_end[0]:.0f} s of load", growth * 100, "%", "<= 5 %", growth <= 0.05,
               f"{at_start[1]:,.0f} MB to {at_end[1]:,.0f} MB over {len(front.replica_pids)} replicas"),
    ]
    return out


def warm(front) -> None:
    """Every replica loads its tables (a server does once, after it starts) before anything is timed."""
    from benchmarks import load_test

    for port in front.replica_ports:
        load_test.lone_page_time(f"http://127.0.0.1:{port}", repeats=1)


def saturated_views_per_minute(front, plan: Plan) -> float:
    """Page views per minute of a front kept busy (back-to-back sessions, no think time)."""
    from benchmarks import load_test

    run = asyncio.run(load_test.run_load(front.url, plan.saturating_sessions, plan.throughput_seconds, think=0))
    if run.errors:
        raise RuntimeError(f"throughput run with {len(front.replica_ports)} replicas had errors: {run.errors[:3]}")
    return run.views_per_minute


def fresh_front_views_per_minute(replicas: int, plan: Plan) -> float:
    from serving.front import Front

    with Front(replicas=replicas, port=None) as front:
        front.start(timeout=180)
        warm(front)
        return saturated_views_per_minute(front, plan)


def build_results(plan: Plan) -> list[Result]:
    """A full build, then the rebuild after REFRESHED_SOURCE is refreshed (its files as if changed: its cached tidy
    table and every entry that read it dropped), in one temporary copy of data/. The full run divides by a build
    without the cache (cache=False, what `python cli.py build --no-cache` does); --quick by the cold build that also
    fills the cache, one build fewer."""
    from pipeline import build, build_cache

    with tempfile.TemporaryDirectory(prefix="atlas-bench-build-") as scratch:
        work = Path(scratch) / "data"
        shutil.copytree(settings.data_dir() / "raw", work / "raw")
        shutil.copy2(settings.data_dir() / "manifest.json", work / "manifest.json")
        out = []
        if plan is not QUICK:
            start = time.perf_counter()
            build.run(work, cache=False)
            no_cache = time.perf_counter() - start
            out.append(Result("Full build without the cache (raw -> processed)", no_cache, "s", note="the denominator below"))
        start = time.perf_counter()
        build.run(work)
        cold = time.perf_counter() - start
        full = cold if plan is QUICK else no_cache
        out.append(Result("Cold build, filling the cache", cold, "s", note="the denominator below" if plan is QUICK else ""))
        shutil.copytree(work / "processed", Path(scratch) / "full")
        dropped = build_cache.invalidate_source(work, REFRESHED_SOURCE)
        start = time.perf_counter()
        result = build.run(work)
        incremental = time.perf_counter() - start
        same = _identical(filecmp.dircmp(Path(scratch) / "full", work / "processed"))
    ratio = incremental / full
    out.append(Result(f"Incremental build after refreshing {REFRESHED_SOURCE} ÷ full build", ratio, "x", "<= 0.4", ratio <= 0.4 and same,
                      f"{incremental:.1f} s; {len(dropped)} cache entries dropped; {_reuse(result)}; tables {'identical' if same else 'DIFFERENT'} to the full build's"))
    return out


def _identical(compare: filecmp.dircmp) -> bool:
    if compare.left_only or compare.right_only or compare.diff_files or compare.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(compare.left, compare.right, compare.common_files, shallow=False)
    return not mismatch and not errors and all(_identical(sub) for sub in compare.subdirs.values())


def _reuse(result) -> str:
    return (f"sources reused {len(result.sources_reused)}, re-read {len(result.sources_read)}; "
            f"indicators reused {len(result.indicators_reused)}, recomputed {len(result.indicators_computed) + len(result.indicators_not_cached)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit non-zero if any target fails")
    parser.add_argument("--quick", action="store_true", help="shorter load and soak, fewer repeats (under 5 minutes)")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    from serving.front import Front

    results = sizes.figure_sizes(settings.processed_dir(), settings.data_dir() / "raw", plan.repeats)
    results += rerun_results(plan.repeats)
    from dashboard.page_table import FLOOR_ENV

    with Front(replicas=2, port=None, env={FLOOR_ENV: "1"}) as front:
        front.start(timeout=180)
        warm(front)
        results += visit_results(front, plan)
        results += load_results(front, plan)
    # Both on fresh fronts, each warmed the same way: the front above has caches warmed by the whole load.
    one, two = fresh_front_views_per_minute(1, plan), fresh_front_views_per_minute(2, plan)
    results.append(Result("Load: page views per minute, 2 replicas ÷ 1 (saturated)", two / one, "x", ">= 1.4", two / one >= 1.4,
                          f"{one:,.0f} and {two:,.0f} views/min, {plan.saturating_sessions} back-to-back sessions for {plan.throughput_seconds:.0f} s each"))
    results += build_results(plan)
    elapsed = time.perf_counter() - started
    mode = "--quick" if args.quick else "full run"
    text = report(results, title="Cohesion Atlas benchmark", preamble=f"`python -m benchmarks{' --quick' if args.quick else ''}` ({mode}), {elapsed / 60:.1f} minutes.")
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    failed = [r for r in results if r.ok is False]
    if args.check and failed:
        print("targets failed: " + "; ".join(r.name for r in failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
