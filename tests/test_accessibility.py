"""WCAG 2.2 AA in headless Debian chromium against a real `streamlit run` on 127.0.0.1: axe-core on every page, and the
main path (map -> area profile -> ward map -> export download) by keyboard alone."""
from __future__ import annotations

import time
import urllib.parse

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_browser import BLACKPOOL, CANTON, WILTSHIRE, browser, page, server, wait_for_map  # noqa: F401 (fixtures: one server for this module)

from dashboard.page_table import PAGE_TABLE

pytestmark = pytest.mark.browser

# axe-core rules for WCAG 2.0, 2.1 and 2.2, levels A and AA (axe's best-practice rules are not WCAG and are left out).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
AXE = Axe()  # the axe-core bundled with axe-playwright-python (4.12 when written)

# Every page at its own path, and the deep links that show what the bare paths do not: an LA profile, a Welsh ward's
# profile (bilingual names, single-indicator factors) and one LA's ward map.
PATHS = [p.url_path for p in PAGE_TABLE] + [f"profile?area={BLACKPOOL}", f"profile?area={CANTON}", f"wards?area={WILTSHIRE}"]
# What each page has once it is drawn, beyond the generic wait below (a page missing here gets the generic wait alone).
READY = {
    "map": ".maplibregl-map canvas",
    "profile": "[data-testid='stMetricValue']",
    "wards": ".maplibregl-map canvas",
    "trends": ".js-plotly-plot",
    "compare": ".js-plotly-plot",
    "composite": ".js-plotly-plot",
    "data": "[data-testid='stDownloadButton']",
    "methodology": "[data-testid='stMainBlockContainer'] h1",
}

# The page has finished running and drawing: no "Running..." icon, no skeleton or stale element (a rerun in progress),
# and every plotly figure laid out, each MapLibre map loaded. Returns a signature of the DOM, or null while busy.
SETTLED = """() => {
  if (!document.querySelector("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']")) return null;
  if (document.querySelector("[data-testid='stStatusWidgetRunningIcon'], [data-testid='stSkeleton'], [data-stale='true']")) return null;
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  for (const gd of plots) {
    if (!gd._fullLayout) return null;
    const sub = gd._fullLayout.map && gd._fullLayout.map._subplot;
    if (sub && !(sub.map && sub.map.loaded())) return null;
  }
  return document.querySelectorAll("[data-testid='stElementContainer']").length + ':' + plots.length;
}"""


def wait_until_settled(pg, quiet: float = 1.5, timeout: float = 90.0) -> None:
    """Until SETTLED has held, unchanged, for `quiet` seconds (a script can pause between elements)."""
    deadline = time.time() + timeout
    since, last = None, None
    while time.time() < deadline:
        state = pg.evaluate(SETTLED)
        if state is None or state != last:
            since, last = time.time(), state
        elif time.time() - since >= quiet:
            return
        pg.wait_for_timeout(150)
    raise AssertionError(f"{pg.url} did not settle within {timeout:.0f} s")


def open_page(pg, server_url: str, path: str) -> None:
    pg.goto(f"{server_url}/{path}", wait_until="domcontentloaded")
    ready = READY.get(path.split("?")[0])
    if ready:
        pg.wait_for_selector(ready, state="attached", timeout=60_000)
    wait_until_settled(pg)
    # An error page is not the page under test (and Streamlit's traceback box fails scrollable-region-focusable).
    assert pg.locator("[data-testid='stException']").count() == 0, pg.locator("[data-testid='stException']").first.inner_text()[:600]


def run_axe(pg) -> list[dict]:
    results = AXE.run(pg, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        lines.append(f"{v['id']} [{v['impact']}] x{len(v['nodes'])}: {v['help']} -> {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("path", PATHS)
def test_axe_finds_no_serious_or_critical_wcag_violation(page, server, path):  # noqa: F811 (the imported fixtures)
    open_page(page, server, path)
    violations = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not violations, f"/{path}: axe-core found WCAG 2.2 A/AA violations:\n{describe(violations)}"


def test_axe_catches_an_injected_violation(page, server):  # noqa: F811 (the imported fixtures)
    """The check can fail: an unlabelled text field (critical) and grey-on-white text (serious) added to a real page."""
    open_page(page, server, "methodology")
    page.evaluate(
        """() => { const main = document.querySelector("[data-testid='stMainBlockContainer']");
                   main.insertAdjacentHTML('afterbegin', '<input type="text" id="a11y-probe-input"><p id="a11y-probe-text" style="color:#bbbbbb;background:#ffffff">faint text</p>'); }"""
    )
    found = {v["id"]: v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS}
    assert {"label", "color-contrast"} <= set(found), describe(list(found.values()))
    assert any("#a11y-probe-input" in n["target"] for n in found["label"]["nodes"])
    assert any("#a11y-probe-text" in n["target"] for n in found["color-contrast"]["nodes"])


# ---- keyboard only: Tab, Shift+Tab, Enter and typing; no click, no mouse.

FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null; const s = getComputedStyle(e);
  return {tag: e.tagName, role: e.getAttribute('role'), name: (e.getAttribute('aria-label') || e.innerText || '').replace(/\\s+/g, ' ').trim().slice(0, 80),
          sidebar: !!e.closest("[data-testid='stSidebar']"), outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor}; }"""


def tab_to(pg, wanted, *, key: str = "Tab", limit: int = 80) -> dict:
    """Press Tab (or Shift+Tab) until the focused element's accessible name satisfies `wanted`; the stops passed are in the error."""
    seen = []
    for _ in range(limit):
        pg.keyboard.press(key)
        focused = pg.evaluate(FOCUSED)
        if focused and wanted(focused["name"]):
            return focused
        seen.append(focused and focused["name"][:40])
    raise AssertionError(f"not reached by {key} in {limit} presses; focus went through {seen}")


def assert_focus_visible(focused: dict) -> None:
    """2.4.7 Focus visible, 1.4.11 non-text contrast: a link or button shows keyboard focus with a real outline
    (dashboard/accessible.py FOCUS_RING). Text fields show focus by their own border and are not held to this."""
    assert focused["outline"] not in ("none", "hidden") and focused["outlineWidth"] >= 2, focused


def nav_link(title: str):
    return lambda name: name.endswith(title)  # the sidebar link's text is its icon's ligature, then the page title


def test_keyboard_alone_reaches_a_profile_the_ward_map_and_a_download(page, server):  # noqa: F811 (the imported fixtures)
    page.goto(f"{server}/", wait_until="domcontentloaded")
    wait_for_map(page, 300)
    wait_until_settled(page)

    # Map -> Blackpool's profile: the picker under the map is the keyboard alternative to clicking an area.
    tab_to(page, lambda name: name.startswith("Open the profile of"))
    page.keyboard.type("Blackpool", delay=20)
    page.wait_for_selector("[role='option']:has-text('Blackpool')", timeout=10_000)
    page.keyboard.press("Enter")
    wait_until_settled(page, quiet=1.0)
    button = tab_to(page, lambda name: name == "Open profile", limit=5)
    assert_focus_visible(button)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/profile?**area={BLACKPOOL}**", timeout=30_000)
    page.wait_for_selector("h3:has-text('Blackpool')", timeout=30_000)
    wait_until_settled(page)

    # -> the ward map, by the sidebar: it opens on the LA last seen, Blackpool.
    link = tab_to(page, nav_link("Ward map"))
    assert link["sidebar"]
    assert_focus_visible(link)
    page.keyboard.press("Enter")
    page.wait_for_url("**/wards?**", timeout=30_000)
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query).get("area") == [BLACKPOOL], page.url
    page.wait_for_selector("h4:has-text('wards of Blackpool')", timeout=60_000)
    assert wait_for_map(page, 10) >= 10
    wait_until_settled(page)

    # -> Data and export, down the sidebar (focus stayed on the Ward map link), and a CSV download.
    link = tab_to(page, nav_link("Data and export"), limit=12)
    assert_focus_visible(link)
    page.keyboard.press("Enter")
    page.wait_for_url("**/data**", timeout=30_000)
    page.wait_for_selector("[data-testid='stDownloadButton']", timeout=60_000)
    wait_until_settled(page)
    button = tab_to(page, lambda name: name == "Download CSV")
    assert_focus_visible(button)
    # one step on and back again, as a reader checking where they are
    tab_to(page, lambda name: name.startswith("Download XLSX"), limit=1)
    assert tab_to(page, lambda name: name == "Download CSV", key="Shift+Tab", limit=1)
    with page.expect_download(timeout=30_000) as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename.startswith("cohesion-atlas_") and info.value.suggested_filename.endswith(".csv")
    assert not page.errors, page.errors
