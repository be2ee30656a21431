"""Load test, outside the test suite: N simulated users speak Streamlit's websocket protocol to the server, no browser.

    python -m benchmarks.load_test [--url URL | --replicas N] [--sessions 50] [--seconds 120] [--think 0] [--ramp 0]
                                   [--pages-per-session 6] [--country E|W] [--warmup 1] [--lone 0] [--pid PID ...]

Without --url it starts one Streamlit server (app.py) on 127.0.0.1 and a free port; with --replicas N it starts
serving.front.Front with N replicas behind it; with --url it drives a server that is already running (give --pid to
sample its memory). Nothing beyond the given server is contacted.

Each simulated user walks map -> profile?area=LAD -> wards?area=LAD -> profile?area=<a ward of that LAD> ->
trends?area=LAD -> compare?areas=LAD,<another LAD>, with a seeded random LAD per walk (of England and Wales, or of
--country only), after --warmup walks by one session that are not counted, and opens a new session every
--pages-per-session page views. A session is what a browser tab does on a deep link, minus rendering and static
assets: GET the page URL (keeping cookies such as a load balancer's sticky cookie), GET /_stcore/health (which sets
Streamlit's _streamlit_xsrf cookie), then a websocket to /_stcore/stream with those cookies and the subprotocols
["streamlit", <xsrf cookie>]. The first view sends a rerun_script BackMsg with the page's name and no page hash (the
server picks the page by its url path); later views send the page hash from the app's `navigation` message and the
message hashes this client has cached, as a browser does on a page link.

A page view is the time from sending the rerun to the run's script_finished; its size is the sum of the binary
websocket frames received. Errors: a connection failure, a timeout (--page-timeout, 60 s), a compile error, an
exception element in a delta, a page_not_found message, or the websocket closing mid-page. Prints page views,
views/min, errors, median and p95 per page and overall, websocket bytes per page and the servers' RSS (VmRSS of the
pids and their children, sampled every 5 s). Exits non-zero on any error.

Python API for the benchmark: run_load(...) -> LoadResult, lone_page_time(...), measure_page_bytes(...).
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import http.cookiejar
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from serving.front import free_port

ROOT = Path(__file__).resolve().parents[1]
XSRF_COOKIE = "_streamlit_xsrf"
# What the frontend sends as the second subprotocol entry when it has no XSRF cookie.
NO_XSRF_TOKEN = "PLACEHOLDER_AUTH_TOKEN"
# The browser context a rerun carries (ClientState.context_info).
CONTEXT = {"timezone": "Europe/London", "timezone_offset": 0, "locale": "en-GB", "is_embedded": False, "color_scheme": "light"}

Walk = Callable[[random.Random], list[tuple[str, str]]]  # rng -> one walk: (page label, path with query) per view


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_ready(url: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            await asyncio.sleep(0.5)
    raise RuntimeError("server did not start")


# --- servers -----------------------------------------------------------------------------------------------------------


def start_streamlit(script: str = "app.py", *, cwd: Path = ROOT, port: int | None = None, timeout: float = 90,
                    log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run script` on 127.0.0.1 and wait for its health check: (process, base url)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=subprocess.STDOUT,
    )
    if log:
        out.close()
    deadline = time.time() + timeout
    while True:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            raise RuntimeError(f"streamlit exited with {proc.returncode} before answering\n{tail}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            pass
        if time.time() > deadline:
            stop_server(proc)
            raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s")
        time.sleep(0.3)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in children.read_text().split())
            except OSError:
                pass
    return found


def rss_mb(pids) -> float:
    """Total VmRSS of the pids and all their children (each process counted once), in MB."""
    every: set[int] = set()
    for pid in pids:
        every |= _descendants(pid)
    total = 0
    for pid in every:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:  # the process ended between listing and reading
            pass
    return total / 1024


# --- the walk ------------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def atlas_areas() -> tuple[list[str], dict[str, list[str]]]:
    import pandas as pd

    areas = pd.read_parquet(ROOT / "data" / "processed" / "areas.parquet", columns=["area_code", "level", "parent_code"])
    lads = sorted(areas.loc[areas["level"] == "lad", "area_code"])
    wards = areas[areas["level"] == "ward"]
    wards_of = {lad: sorted(codes) for lad, codes in wards.groupby("parent_code")["area_code"]}
    return lads, wards_of


def walk_paths(lad: str, ward: str, other: str) -> list[tuple[str, str]]:
    """One walk's page views, with the query parameters each page reads (dashboard/url_state.py, controls.py)."""
    return [
        ("map", "/map"),
        ("profile", f"/profile?area={lad}"),
        ("wards", f"/wards?area={lad}"),
        ("ward profile", f"/profile?area={ward}"),
        ("trends", f"/trends?area={lad}"),
        ("compare", f"/compare?areas={lad},{other}"),
    ]


def atlas_walk(rng: random.Random, lad: str | None = None, country: str | None = None) -> list[tuple[str, str]]:
    """The default walk for a random LAD (or the one given; or a random one of `country`, E or W), one of its wards and
    another LAD to compare with."""
    lads, wards_of = atlas_areas()
    lad = lad or rng.choice([code for code in lads if country is None or code.startswith(country)])
    ward = rng.choice(wards_of[lad]) if wards_of.get(lad) else lad
    other = rng.choice([code for code in lads if code != lad])
    return walk_paths(lad, ward, other)


# --- one session -----------------------------------------------------------------------------------------------------------


class PageView(NamedTuple):
    page: str
    seconds: float
    bytes: int
    started_at: float  # seconds after the load began


@dataclass
class ViewResult:
    page: str
    path: str
    seconds: float = float("nan")
    bytes: int = 0
    status: str = ""  # FINISHED_SUCCESSFULLY, FINISHED_WITH_COMPILE_ERROR, timeout, closed
    completed: bool = False  # the run's script_finished arrived
    reruns: int = 0  # FINISHED_EARLY_FOR_RERUN seen on the way (st.rerun, st.switch_page)
    messages: int = 0
    refs: int = 0  # ref_hash messages: elements the server sent by reference to this client's cache
    ran: str | None = None  # url path of the page the server ran (from its navigation message)
    errors: list[str] = field(default_factory=list)
    frames: list[bytes] | None = None  # the raw frames, when the session keeps them (debugging, tests)


def _split(base_url: str) -> tuple[str, str, str]:
    parts = urlsplit(base_url.rstrip("/"))
    return parts.scheme, parts.netloc, parts.path


def _http_get(opener, url: str, timeout: float) -> int:
    with opener.open(url, timeout=timeout) as response:
        response.read()
        return response.status


class Session:
    """One browser tab's conversation with the server over one websocket, without rendering anything.

    `jar` is the user's cookie jar (kept across sessions, as a browser keeps its cookies). With `keep_frames` each
    ViewResult carries its raw frames. With `cache` the client remembers cacheable messages' hashes and sends them with
    later reruns, as the frontend's ForwardMsg cache does, so the server may answer with ref_hash references.
    """

    def __init__(self, base_url: str, *, jar: http.cookiejar.CookieJar | None = None, page_timeout: float = 60.0,
                 keep_frames: bool = False, cache: bool = True, executor: ThreadPoolExecutor | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.page_timeout = page_timeout
        self.keep_frames = keep_frames
        self.use_cache = cache
        self.executor = executor
        self.ws = None
        self.pages: dict[str, str] = {}  # url_pathname -> page_script_hash, from the `navigation` message
        self.session_pages: dict[str, str] = {}  # the same from new_session.app_pages (fallback)
        self.views = 0
        self._cache: dict[str, int] = {}  # cacheable message hash -> script run count when last seen
        self._exception_hashes: set[str] = set()
        self._runs = 0
        self._max_age = 2

    @property
    def open(self) -> bool:
        from websockets.protocol import State

        return self.ws is not None and self.ws.state is State.OPEN

    async def connect(self, path: str = "/") -> None:
        """GET the page and the health check (cookies), then open the websocket. Raises on any failure."""
        from websockets.asyncio.client import connect

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, _http_get, self.opener, self.base_url + path, self.page_timeout)
        await loop.run_in_executor(self.executor, _http_get, self.opener, self.base_url + "/_stcore/health", self.page_timeout)
        scheme, netloc, prefix = _split(self.base_url)
        stream = urlunsplit(("wss" if scheme == "https" else "ws", netloc, prefix + "/_stcore/stream", "", ""))
        probe = urllib.request.Request(urlunsplit((scheme, netloc, prefix + "/_stcore/stream", "", "")))
        self.jar.add_cookie_header(probe)
        cookie = probe.get_header("Cookie")
        xsrf = next((c.value for c in self.jar if c.name == XSRF_COOKIE), None)
        self.ws = await connect(
            stream, subprotocols=["streamlit", xsrf or NO_XSRF_TOKEN], additional_headers={"Cookie": cookie} if cookie else None,
            origin=f"{scheme}://{netloc}", max_size=None, open_timeout=self.page_timeout, ping_interval=None,
            compression="deflate",
        )

    async def close(self) -> None:
        if self.ws is not None:
            ws, self.ws = self.ws, None
            try:
                await asyncio.wait_for(ws.close(), 10)
            except Exception:  # closing a broken connection: nothing left to measure
                pass

    def _rerun(self, path: str):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        parts = urlsplit(path)
        name = parts.path.strip("/")
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = parts.query
        wanted = None
        known = self.pages or self.session_pages
        if self.views == 0 or name not in known:
            rerun.page_name = name  # first load of a tab: the server resolves the page by its url path
        else:
            rerun.page_script_hash = known[name]  # a page link: the browser sends the page's hash and no name
            wanted = known[name]
        if self.use_cache:
            rerun.cached_message_hashes.extend(self._cache)
        context = rerun.context_info
        for key, value in CONTEXT.items():
            setattr(context, key, value)
        context.url = self.base_url + path
        return msg.SerializeToString(), wanted

    async def view(self, path: str, page: str | None = None) -> ViewResult:
        """One page view: send the rerun, read ForwardMsgs until this run's script_finished."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.exceptions import ConnectionClosed

        result = ViewResult(page or path, path, frames=[] if self.keep_frames else None)
        if not self.open:
            result.status = "closed"
            result.errors.append("websocket not open")
            return result
        payload, wanted = self._rerun(path)
        self.views += 1
        started_run = False
        navigations = 0
        start = time.perf_counter()
        try:
            async with asyncio.timeout(self.page_timeout):
                await self.ws.send(payload)
                while True:
                    frame = await self.ws.recv()
                    if isinstance(frame, str):
                        frame = frame.encode()
                    result.bytes += len(frame)
                    result.messages += 1
                    if result.frames is not None:
                        result.frames.append(frame)
                    msg = ForwardMsg()
                    msg.ParseFromString(frame)
                    kind = msg.WhichOneof("type")
                    if kind == "delta":
                        if msg.metadata.cacheable and msg.hash:
                            self._cache[msg.hash] = self._runs
                        if msg.delta.WhichOneof("type") == "new_element" and msg.delta.new_element.WhichOneof("type") == "exception":
                            exc = msg.delta.new_element.exception
                            result.errors.append(f"exception {exc.type}: {exc.message[:200]}")
                            if msg.metadata.cacheable and msg.hash:
                                self._exception_hashes.add(msg.hash)
                    elif kind == "ref_hash":
                        result.refs += 1
                        if msg.ref_hash not in self._cache:
                            result.errors.append(f"ref_hash {msg.ref_hash} to a message this client never had")
                        else:
                            self._cache[msg.ref_hash] = self._runs
                        if msg.ref_hash in self._exception_hashes:
                            result.errors.append("exception (a cached exception element, sent again by reference)")
                    elif kind == "new_session":
                        started_run = True
                        self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
                        if not self.session_pages:
                            self.session_pages = {p.url_pathname: p.page_script_hash for p in msg.new_session.app_pages}
                    elif kind == "navigation":
                        self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                        ran = msg.navigation.page_script_hash
                        result.ran = next((name for name, h in self.pages.items() if h == ran), ran)
                        navigations += 1
                        if navigations == 1 and wanted and ran != wanted:  # an unknown hash silently falls back to the default page
                            result.errors.append(f"asked for page hash {wanted}, the server ran {result.ran!r}")
                    elif kind == "page_not_found":
                        result.errors.append(f"page_not_found (page_name {msg.page_not_found.page_name!r})")
                    elif kind == "script_finished" and started_run:  # a finish before this run's new_session is stale
                        status = msg.script_finished
                        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            result.reruns += 1
                            started_run = False
                            continue
                        if status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                            continue  # a fragment's own run (run_every): not the end of the page's run
                        result.status = ForwardMsg.ScriptFinishedStatus.Name(status)
                        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                            result.errors.append("script finished with a compile error")
                        break
            result.seconds = time.perf_counter() - start
            result.completed = True
            self._end_run()
        except TimeoutError:
            result.status = "timeout"
            result.errors.append(f"timeout after {self.page_timeout:g} s ({result.messages} messages, {result.bytes:,} bytes)")
            await self.close()
        except ConnectionClosed as exc:
            result.status = "closed"
            result.errors.append(f"websocket closed mid-page ({exc})")
            await self.close()
        return result

    def _end_run(self) -> None:
        """The frontend's cache ageing: after each finished run, forget messages not seen for max_cached_message_age runs."""
        self._runs += 1
        for key in [k for k, seen in self._cache.items() if self._runs - seen > self._max_age]:
            del self._cache[key]
            self._exception_hashes.discard(key)


# --- load ----------------------------------------------------------------------------------------------------------------------


def _quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile (p95 of 20 values is the 19th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class LoadResult:
    page_views: list[PageView] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duration: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds after start, total RSS MB over the pids)
    sessions: int = 0

    def times(self, page: str | None = None) -> list[float]:
        return [v.seconds for v in self.page_views if page is None or v.page == page]

    @property
    def pages(self) -> list[str]:
        return list(dict.fromkeys(v.page for v in self.page_views))

    @property
    def views_per_minute(self) -> float:
        return 60 * len(self.page_views) / self.duration if self.duration > 0 else 0.0

    def p95(self, page: str | None = None) -> float:
        return _quantile(self.times(page), 0.95)

    def median(self, page: str | None = None) -> float:
        times = self.times(page)
        return statistics.median(times) if times else float("nan")

    @property
    def bytes_by_page(self) -> dict[str, int]:
        """Median websocket bytes received per view, by page."""
        return {page: int(statistics.median(v.bytes for v in self.page_views if v.page == page)) for page in self.pages}


async def _user(number: int, base_url: str, *, walk: Walk, rng: random.Random, until: float, cycles: int | None,
                think: float, pages_per_session: int, page_timeout: float, t0: float, out: LoadResult,
                executor: ThreadPoolExecutor | None, start_after: float = 0.0) -> None:
    """One simulated user: arrives start_after seconds in, walks until `until` (monotonic) or `cycles` walks, a new
    session every pages_per_session."""
    jar = http.cookiejar.CookieJar()
    session: Session | None = None
    done = 0
    if start_after > 0:
        await asyncio.sleep(start_after)
    try:
        while cycles is None or done < cycles:
            done += 1
            for page, path in walk(rng):
                if time.monotonic() >= until:
                    return
                if session is not None and (not session.open or session.views >= pages_per_session):
                    await session.close()
                    session = None
                if session is None:
                    session = Session(base_url, jar=jar, page_timeout=page_timeout, executor=executor)
                    try:
                        await session.connect(path)
                    except Exception as exc:  # a failed connection is what this test counts
                        out.errors.append(f"user {number} {page} {path}: connection failed: {type(exc).__name__}: {str(exc)[:160]}")
                        await session.close()
                        session = None
                        await asyncio.sleep(1)
                        continue
                started = time.monotonic() - t0
                view = await session.view(path, page)
                out.errors.extend(f"user {number} {page} {path}: {error}" for error in view.errors)
                if view.completed:
                    out.page_views.append(PageView(page, view.seconds, view.bytes, started))
                if think > 0:
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    finally:
        if session is not None:
            await session.close()


async def _sample(pids, every: float, t0: float, out: LoadResult, stop: asyncio.Event) -> None:
    while True:
        out.rss_samples.append((time.monotonic() - t0, rss_mb(pids)))
        try:
            await asyncio.wait_for(stop.wait(), every)
            return
        except TimeoutError:
            pass


async def run_load(base_url: str, sessions: int, seconds: float, *, think: float = 0.0, seed: int = 0, pids=(),
                   sample_every: float = 5.0, page_timeout: float = 60, pages_per_session: int = 6,
                   walk: Walk | None = None, ramp: float = 0.0) -> LoadResult:
    """`sessions` concurrent users walk the pages for `seconds` (a view under way then finishes); RSS of `pids` sampled.
    ramp: the users arrive evenly over the first `ramp` seconds, as visitors do, rather than all in the same instant."""
    walk = walk or atlas_walk
    out = LoadResult(sessions=sessions)
    t0 = time.monotonic()
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(tuple(pids), sample_every, t0, out, stop)) if pids else None
    with ThreadPoolExecutor(max_workers=max(4, min(sessions, 64)), thread_name_prefix="load-http") as executor:
        users = [
            _user(n, base_url, walk=walk, rng=random.Random(f"{seed}:{n}"), until=t0 + seconds, cycles=None, think=think,
                  pages_per_session=pages_per_session, page_timeout=page_timeout, t0=t0, out=out, executor=executor,
                  start_after=ramp * n / sessions)
            for n in range(sessions)
        ]
        await asyncio.gather(*users)
    out.duration = time.monotonic() - t0
    if sampler is not None:
        stop.set()
        await sampler
        out.rss_samples.append((time.monotonic() - t0, rss_mb(pids)))
    return out


async def walk_once(base_url: str, *, lad: str | None = None, seed: int = 0, keep_frames: bool = False,
                    page_timeout: float = 60) -> list[ViewResult]:
    """One fresh session walking the default pages once (for `lad`, or a seeded random LAD). Raises if it cannot connect."""
    steps = atlas_walk(random.Random(seed), lad)
    session = Session(base_url, page_timeout=page_timeout, keep_frames=keep_frames)
    try:
        await session.connect(steps[0][1])
        return [await session.view(path, page) for page, path in steps]
    finally:
        await session.close()


async def first_view(base_url: str, path: str, *, keep_frames: bool = False, page_timeout: float = 60) -> ViewResult:
    """A fresh session's first view of one page (no cached messages, so every message arrives whole)."""
    session = Session(base_url, page_timeout=page_timeout, keep_frames=keep_frames)
    try:
        await session.connect(path)
        return await session.view(path)
    finally:
        await session.close()


def lone_page_time(base_url: str, repeats: int = 5, *, seed: int = 0, page_timeout: float = 60, walk: Walk | None = None) -> float:
    """Median page-view time of one session alone walking the same pages `repeats` times (the denominator of p95 ÷ lone).

    Runs its own event loop (call it outside one). Raises if any view fails: a broken denominator is no denominator.
    """
    out = LoadResult(sessions=1)

    async def go() -> None:
        await _user(0, base_url, walk=walk or atlas_walk, rng=random.Random(f"{seed}:lone"), until=math.inf, cycles=repeats,
                    think=0.0, pages_per_session=6, page_timeout=page_timeout, t0=time.monotonic(), out=out, executor=None)

    asyncio.run(go())
    if out.errors or not out.page_views:
        raise RuntimeError(f"the lone walk had errors: {out.errors[:5]}")
    return out.median()


def measure_page_bytes(base_url: str, path_with_query: str) -> int:
    """Websocket bytes of one fresh session's first view of the page (e.g. '/profile?area=E06000009')."""
    view = asyncio.run(first_view(base_url, path_with_query))
    if view.errors:
        raise RuntimeError(f"{path_with_query}: {view.errors}")
    return view.bytes


# --- command line -------------------------------------------------------------------------------------------------------------


def report(result: LoadResult, *, seconds: float, think: float, pages_per_session: int) -> str:
    lines = [
        f"sessions: {result.sessions}, duration: {result.duration:.1f} s (load {seconds:g} s), think: {think:g} s, "
        f"pages per session: {pages_per_session}",
        f"page views: {len(result.page_views)}, views/min: {result.views_per_minute:.1f}, errors: {len(result.errors)}",
        f"  {'page':13} {'n':>5} {'median':>9} {'p95':>9} {'ws bytes/view':>14}",
    ]
    sizes = result.bytes_by_page
    for page in result.pages:
        lines.append(f"  {page:13} {len(result.times(page)):5} {result.median(page):8.2f}s {result.p95(page):8.2f}s {sizes[page]:14,}")
    if result.page_views:
        every = int(statistics.median(v.bytes for v in result.page_views))
        lines.append(f"  {'all':13} {len(result.page_views):5} {result.median():8.2f}s {result.p95():8.2f}s {every:14,}")
    if result.rss_samples:
        first, last = result.rss_samples[0][1], result.rss_samples[-1][1]
        top = max(mb for _, mb in result.rss_samples)
        lines.append(f"server RSS (pids and children): first sample {first:.0f} MB, last {last:.0f} MB, max {top:.0f} MB "
                     f"({len(result.rss_samples)} samples)")
    for error in result.errors[:20]:
        lines.append("  " + error)
    if len(result.errors) > 20:
        lines.append(f"  ... and {len(result.errors) - 20} more")
    return "\n".join(lines)


def _drive(url: str, pids, args) -> int:
    walk = functools.partial(atlas_walk, country=args.country) if args.country else atlas_walk
    if args.warmup:
        warm = LoadResult(sessions=1)

        async def go() -> None:
            await _user(0, url, walk=walk, rng=random.Random(f"{args.seed}:warmup"), until=math.inf, cycles=args.warmup,
                        think=0.0, pages_per_session=6, page_timeout=args.page_timeout, t0=time.monotonic(), out=warm, executor=None)

        start = time.perf_counter()
        asyncio.run(go())
        print(f"warm-up: {args.warmup} walk(s) by one session, {time.perf_counter() - start:.1f} s, errors: {len(warm.errors)}")
    lone = lone_page_time(url, args.lone, seed=args.seed, page_timeout=args.page_timeout, walk=walk) if args.lone else None
    cpu = time.process_time()
    result = asyncio.run(run_load(url, args.sessions, args.seconds, think=args.think, seed=args.seed, pids=pids,
                                  sample_every=args.sample_every, page_timeout=args.page_timeout,
                                  pages_per_session=args.pages_per_session, walk=walk, ramp=args.ramp))
    cpu = time.process_time() - cpu
    print(report(result, seconds=args.seconds, think=args.think, pages_per_session=args.pages_per_session))
    print(f"load generator CPU: {cpu:.1f} s ({100 * cpu / max(result.duration, 1e-9):.0f}% of one core)")
    if lone is not None:
        print(f"lone session median page view: {lone:.2f} s; p95 under load / lone: {result.p95() / lone:.1f}")
    return 1 if result.errors or not result.page_views else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_test", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--url", help="a running server's base URL (default: start one Streamlit server here)")
    target.add_argument("--replicas", type=int, help="start serving.front.Front with this many replicas and load it")
    parser.add_argument("--pid", type=int, action="append", default=[], help="with --url: a server pid whose RSS to sample")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=0.0, help="mean think time between views, s (uniform 0.5x-1.5x)")
    parser.add_argument("--ramp", type=float, default=0.0, help="the users arrive evenly over this many seconds (default: all at once)")
    parser.add_argument("--pages-per-session", type=int, default=6, help="page views per websocket session")
    parser.add_argument("--page-timeout", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--country", choices=["E", "W"], help="walk only the LAs of England (E) or Wales (W); default both")
    parser.add_argument("--sample-every", type=float, default=5.0, help="RSS sampling interval, s")
    parser.add_argument("--warmup", type=int, default=1, help="walks by one session before the load, not counted")
    parser.add_argument("--lone", type=int, default=0, help="also time N walks of one lone session and print p95 / lone")
    args = parser.parse_args(argv)
    if args.url:
        return _drive(args.url.rstrip("/"), args.pid, args)
    if args.replicas:
        from serving.front import Front  # written alongside; only this branch needs it

        with Front(replicas=args.replicas, port=None) as front:
            front.start(timeout=120)
            return _drive(front.url.rstrip("/"), list(front.replica_pids), args)
    with tempfile.TemporaryDirectory() as scratch:
        proc, url = start_streamlit(log=Path(scratch) / "streamlit.log")
        try:
            code = _drive(url, [proc.pid], args)
            print(f"server peak RSS (VmHWM): {peak_rss_mb(proc.pid):.0f} MB")
        finally:
            stop_server(proc)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
