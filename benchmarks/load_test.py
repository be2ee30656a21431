"""Load test, outside the test suite: N concurrent headless browser sessions walk map -> profile -> ward map.

    python -m benchmarks.load_test [--sessions 20] [--seconds 120]

Starts the app on 127.0.0.1 (nothing else is contacted), drives Debian chromium with one browser context per
session, and reports the error count, page-time percentiles and the server's peak RSS. Exits non-zero on any error.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IDLE = "() => !document.querySelector('[data-testid=stStatusWidget]')"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_ready(url: str, timeout: float = 90) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            await asyncio.sleep(0.5)
    raise RuntimeError("server did not start")


async def session(number: int, browser, base: str, lads: list[str], until: float, times: list[tuple[str, float]], errors: list[str]) -> None:
    rng = random.Random(number)
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"session {number}: page error {exc}"))
    steps = [("map", "/map", ".maplibregl-canvas"), ("profile", "/profile?area={lad}", "[data-testid=stMetric]"), ("ward map", "/wards?area={lad}", ".maplibregl-canvas")]
    try:
        while time.time() < until:
            lad = rng.choice(lads)
            for name, path, selector in steps:
                start = time.perf_counter()
                try:
                    await page.goto(base + path.format(lad=lad), timeout=120_000)
                    await page.wait_for_selector(selector, timeout=120_000)
                    await page.wait_for_function(IDLE, timeout=120_000)
                    if await page.locator("[data-testid=stException]").count():
                        errors.append(f"session {number}: exception on {name} for {lad}")
                except Exception as exc:  # a timeout or navigation failure is what this test counts
                    errors.append(f"session {number}: {name} {lad}: {type(exc).__name__}: {str(exc)[:120]}")
                times.append((name, time.perf_counter() - start))
    finally:
        await context.close()


async def run(sessions: int, seconds: float) -> int:
    from playwright.async_api import async_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    lads = pd.read_parquet(ROOT / "data" / "processed" / "areas.parquet").query("level == 'lad'")["area_code"].tolist()
    times: list[tuple[str, float]] = []
    errors: list[str] = []
    try:
        await wait_ready(base)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            until = time.time() + seconds
            await asyncio.gather(*(session(n, browser, base, lads, until, times, errors) for n in range(sessions)))
            await browser.close()
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"sessions: {sessions}, duration: {seconds:.0f} s, page loads: {len(times)}, errors: {len(errors)}")
    for name in ("map", "profile", "ward map"):
        mine = sorted(t for n, t in times if n == name)
        if mine:
            p95 = mine[min(len(mine) - 1, int(0.95 * len(mine)))]
            print(f"  {name:9} n={len(mine):4}  median {statistics.median(mine):6.2f} s  p95 {p95:6.2f} s")
    every = sorted(t for _, t in times)
    if every:
        print(f"  all       p95 {every[min(len(every) - 1, int(0.95 * len(every)))]:.2f} s")
    print(f"server peak RSS: {rss:.0f} MB")
    for error in errors[:20]:
        print("  " + error)
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_test", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.sessions, args.seconds))


if __name__ == "__main__":
    raise SystemExit(main())
