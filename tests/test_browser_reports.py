"""Area reports in the browser: the static site (Blackpool and its 21 wards) served by a local static web server, its
figures checked against the tables; and the app's 'Download report' button, whose file must be the one the report
command writes."""
from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from test_browser import BLACKPOOL, VIEWPORT, browser, free_port, no_exception, page, server  # noqa: F401 (fixtures)

from conftest import PROCESSED
from dashboard import tables
from reports import render, site
from reports.area_report import ReportTables, build_report

pytestmark = pytest.mark.browser

ANCHORSHOLME = "E05015186"


@pytest.fixture(scope="module")
def report_tables() -> ReportTables:
    return ReportTables.from_atlas(tables.load_atlas(PROCESSED))


@pytest.fixture(scope="module")
def built_site(tmp_path_factory, report_tables):
    out = tmp_path_factory.mktemp("site") / "atlas-site"
    result = site.build_site(out, report_tables, PROCESSED, lads=[BLACKPOOL], pdf="lad", workers=2)
    return out, result


@pytest.fixture(scope="module")
def static_server(built_site):
    """Python's own static file server: any static host serves the site the same way."""
    folder, _ = built_site
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/index.html", timeout=1).close()
            break
        except OSError:
            if time.time() > deadline:
                proc.kill()
                raise RuntimeError("the static server did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def site_page(browser):  # noqa: F811
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    external: list[str] = []
    context.on("request", lambda r: external.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    yield pg
    context.close()
    assert not errors, errors
    assert not external, f"the static site made requests beyond 127.0.0.1: {external[:3]}"


@pytest.fixture(scope="module")
def scores():
    s = pd.read_parquet(PROCESSED / "factor_scores.parquet")
    return s[s["method"] == "robust_z"]


def test_the_site_holds_a_page_for_the_la_and_each_of_its_wards(built_site):
    folder, result = built_site
    wards = pd.read_parquet(PROCESSED / "areas.parquet").query("parent_code == @BLACKPOOL and level == 'ward'")["area_code"]
    assert len(wards) == 21
    assert (folder / "la" / f"{BLACKPOOL}.html").exists()
    assert sorted(p.stem for p in (folder / "ward").glob("*.html")) == sorted(wards)
    assert result.pages == 2 + 1 + 21  # index and methods pages, the LA, its wards
    assert result.pdfs == 1
    # Shared assets are written once, and no page carries another area's data.
    assert {p.name for p in (folder / "assets").iterdir()} >= {"report.css", "site.js", "search.json", "boundaries"}
    assert (folder / "assets" / "boundaries" / "wards" / f"{BLACKPOOL}.json").exists()
    page_text = (folder / "ward" / f"{ANCHORSHOLME}.html").read_text(encoding="utf-8")
    assert "<style" not in page_text and 'href="../assets/report.css"' in page_text


def test_the_la_page_shows_blackpools_ranks_and_links_its_wards_and_downloads(site_page, static_server, scores):
    site_page.goto(f"{static_server}/la/{BLACKPOOL}.html")
    text = site_page.inner_text("body")
    mine = scores[(scores["area_code"] == BLACKPOOL) & (scores["scope"] == "ew_common")].set_index("factor")
    for factor in ("1", "2", "3", "4", "5", "composite"):
        assert f"{int(mine.loc[factor, 'rank'])} of {int(mine.loc[factor, 'n_areas'])}" in text, factor
    assert "Summary" in text and "Sources and licences" in text
    # The locator is drawn from the shared LA boundaries, with Blackpool filled.
    site_page.wait_for_selector("#locator svg path.focus", timeout=15_000)
    # Every ward is one click away, and the downloads are served.
    site_page.get_by_role("link", name="Anchorsholme").first.click()
    site_page.wait_for_url(f"**/ward/{ANCHORSHOLME}.html")
    site_page.go_back()
    hrefs = [link.get_attribute("href") for link in site_page.locator("a[href*='downloads/']").all()]
    assert len(hrefs) == 2, hrefs  # the PDF and the CSV
    for href in hrefs:
        with urllib.request.urlopen(urllib.parse.urljoin(f"{static_server}/la/{BLACKPOOL}.html", href), timeout=30) as response:
            body = response.read()
        assert body[:4] == b"%PDF" or body.startswith(b"\xef\xbb\xbf"), href


def test_the_ward_page_shows_its_ranks_among_englands_wards(site_page, static_server, scores):
    site_page.goto(f"{static_server}/ward/{ANCHORSHOLME}.html")
    text = site_page.inner_text("body")
    mine = scores[(scores["area_code"] == ANCHORSHOLME) & (scores["scope"] == "country")].set_index("factor")
    for factor in ("1", "3", "4"):
        assert f"{int(mine.loc[factor, 'rank']):,} of {int(mine.loc[factor, 'n_areas']):,}" in text, factor
    assert "Blackpool" in text
    site_page.wait_for_selector("#locator svg path.focus", timeout=15_000)


def test_the_index_search_finds_a_ward_by_name_and_by_code(site_page, static_server):
    site_page.goto(f"{static_server}/index.html")
    box = site_page.get_by_label("Find an area by name or code (English or Welsh)")
    box.fill("anchors")
    site_page.wait_for_selector("#search-results a", timeout=10_000)
    first = site_page.locator("#search-results a").first
    assert first.inner_text() == "Anchorsholme"
    box.fill(ANCHORSHOLME.lower())
    site_page.wait_for_function("() => document.querySelectorAll('#search-results a').length === 1")
    site_page.locator("#search-results a").first.press("Enter")  # keyboard only
    site_page.wait_for_url(f"**/ward/{ANCHORSHOLME}.html")


def test_the_app_download_button_gives_the_file_the_report_command_writes(page, server, report_tables):  # noqa: F811
    expected = render.report_pdf(build_report(BLACKPOOL, report_tables))
    page.goto(f"{server}/profile?area={BLACKPOOL}", wait_until="domcontentloaded")
    button = page.get_by_role("button", name="Download report")
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == build_report(BLACKPOOL, report_tables).file_name("pdf")
    assert Path(download.path()).read_bytes() == expected
    no_exception(page)
