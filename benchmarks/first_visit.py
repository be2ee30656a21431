"""First visits in headless chromium: bytes over HTTP and the websocket, and when the main content is visible.

Every load is a fresh browser context (an empty cache, as a first-time visitor has), at 1366x768. The pages are
alternated, so each meets the same machine state, and each measure is a median. "Main content visible" is the time
from navigation start until the page's main element is on screen: the profile's first factor-rank metric, the map's
drawn map canvas, and the floor page's one chart.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1366, "height": 768}
MAIN_CONTENT = {
    "profile": ("profile?area=E06000009", "[data-testid=stMetric]"),
    "map": ("map", "[data-testid=stPlotlyChart] .maplibregl-canvas"),
    "floor": ("floor", "[data-testid=stPlotlyChart] .main-svg"),
}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@dataclass
class Visit:
    page: str
    visible_ms: float
    http_bytes: int  # bytes on the wire (compressed bodies and headers), every HTTP response of the visit
    http_requests: int
    ws_bytes: int  # websocket frames received
    outside: list[str] = field(default_factory=list)  # requests that left 127.0.0.1


def visit(browser, base: str, page_name: str, timeout_ms: int = 120_000) -> Visit:
    """One fresh-context visit of a page: main content visible (ms from navigation start) and the bytes it took."""
    path, selector = MAIN_CONTENT[page_name]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    wire: dict[str, int] = {}
    urls: dict[str, str] = {}
    ws_bytes = [0]
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: ws_bytes.__setitem__(0, ws_bytes[0] + len(payload))))
    try:
        page.goto(f"{base}/{path}", wait_until="commit", timeout=timeout_ms)
        page.wait_for_selector(selector, state="visible", timeout=timeout_ms)
        visible = page.evaluate("() => performance.now()")
        # What arrives after the main content (the rest of the page's messages) is part of the visit's bytes too.
        page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout_ms)
        page.wait_for_timeout(500)
    finally:
        context.close()
    outside = sorted({u for u in urls.values() if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).hostname not in LOCAL_HOSTS})
    http = {rid: n for rid, n in wire.items() if urlsplit(urls.get(rid, "")).scheme in ("http", "https")}
    return Visit(page_name, visible, sum(http.values()), len(http), ws_bytes[0], outside)


def run(bases: dict[str, str], pages: list[str], loads: int) -> dict[tuple[str, str], list[Visit]]:
    """loads fresh visits of every page at every base URL (e.g. the front and a replica's own port), alternated. The
    servers should be warm (their tables loaded, as for every visitor after a server's first)."""
    from playwright.sync_api import sync_playwright

    visits: dict[tuple[str, str], list[Visit]] = {(b, p): [] for b in bases for p in pages}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(loads):
                for name, base in bases.items():
                    for page_name in pages:
                        visits[(name, page_name)].append(visit(browser, base, page_name))
        finally:
            browser.close()
    return visits


def median(visits: list[Visit], measure: str) -> float:
    return statistics.median(getattr(v, measure) for v in visits)
