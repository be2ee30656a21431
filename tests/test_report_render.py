"""The area report rendered as HTML and PDF, on the bundled data: Blackpool, Cardiff and a Blackpool ward.

The ranks the PDF must print are read here straight from factor_scores.parquet, not through the report's code, so a
report that drops or garbles a factor fails."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from pypdf import PdfReader

import settings
from dashboard import tables
from reports import render
from reports.area_report import ReportTables, build_report

BLACKPOOL, CARDIFF, ANCHORSHOLME = "E06000009", "W06000015", "E05015186"
FACTOR_KEYS = ("1", "2", "3", "4", "5", "composite")


@pytest.fixture(scope="module")
def reports():
    report_tables = ReportTables.from_atlas(tables.load_atlas(settings.processed_dir()))
    return {code: build_report(code, report_tables) for code in (BLACKPOOL, CARDIFF, ANCHORSHOLME)}


@pytest.fixture(scope="module")
def standalone(reports) -> dict[str, str]:
    return {code: render.report_html(report) for code, report in reports.items()}


def site_links(**extra) -> render.SiteLinks:
    return render.SiteLinks(css_href="../assets/report.css", script_href="../assets/site.js", home_href="../index.html",
                            area_href=lambda c: f"{c}.html", downloads=(("PDF", f"../downloads/{BLACKPOOL}.pdf"),), **extra)


@pytest.fixture(scope="module")
def blackpool_pdf(reports) -> bytes:
    return render.report_pdf(reports[BLACKPOOL])


def pdf_text(pdf: bytes) -> str:
    """Every page's text with runs of whitespace made one space, so a phrase wrapped over two lines still matches."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


class Outline(HTMLParser):
    """The tags, attributes and h1 text of a page, to check its structure without a browser."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.h1: list[str] = []
        self._in_h1 = False
        self._in_thead = False
        self.thead_th: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        elif tag == "thead":
            self._in_thead = True
        elif tag == "th" and self._in_thead:
            self.thead_th.append(attrs)

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        elif tag == "thead":
            self._in_thead = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("code", [BLACKPOOL, CARDIFF, ANCHORSHOLME])
def test_the_standalone_report_makes_no_request_and_has_one_titled_h1(code, reports, standalone):
    html = standalone[code]
    lowered = html.lower()
    for external in ("<script", "<link", 'src="http', "src='http", "url(http", "url('http", 'url("http', "@import"):
        assert external not in lowered, external
    # The only URLs are text links to licences and landing pages (a reader's click, never a request of the page).
    assert {t for t, a in outline(html).tags if any(k in a for k in ("src", "srcset", "data", "poster"))} == set()
    assert '<html lang="en">' in html
    page = outline(html)
    assert page.count("h1") == 1
    assert page.h1[0].strip() == reports[code].title
    assert "<style>" in html and ".indicator-table" in html  # the stylesheet is inlined
    assert ' style="' not in html  # classes only: no inline styles repeated on 7,906 pages


@pytest.mark.parametrize("code", [BLACKPOOL, ANCHORSHOLME])
def test_the_report_is_accessible_in_structure(code, standalone):
    page = outline(standalone[code])
    levels = [int(t[1]) for t, _ in page.tags if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels  # no heading level skipped
    assert page.thead_th and all(a.get("scope") == "col" for a in page.thead_th)
    assert page.count("table") == page.count("caption") > 0
    svgs = [a for t, a in page.tags if t == "svg"]
    assert svgs and all(a.get("role") == "img" and a.get("aria-label") for a in svgs)


def test_the_blackpool_pdf_prints_its_ranks_from_the_scores_table(reports, blackpool_pdf):
    scores = pd.read_parquet(settings.processed_dir() / "factor_scores.parquet")
    mine = scores[(scores["area_code"] == BLACKPOOL) & (scores["level"] == "lad") & (scores["scope"] == "ew_common")
                  & (scores["method"] == "robust_z")].set_index("factor")
    assert set(FACTOR_KEYS) <= set(mine.index)
    text = pdf_text(blackpool_pdf)
    assert "Blackpool" in text and BLACKPOOL in text
    for factor in FACTOR_KEYS:
        row = mine.loc[factor]
        rank = f"{int(row['rank'])} of {int(row['n_areas'])}"
        assert rank in text, (factor, rank)
        assert f"{rank} (band {int(row['rank_low'])}–{int(row['rank_high'])})" in text, factor
    assert "304 of 318" in text  # factor 3, as the snapshot holds it
    assert "Summary" in text and "Sources and licences" in text
    topics = {s.topic for s in reports[BLACKPOOL].summary}
    assert topics == {"standing", "change", "furthest", "limits"}
    for topic in topics:  # each topic's first sentence is printed (its opening words, which no line wrap can split)
        first = next(s.text for s in reports[BLACKPOOL].summary if s.topic == topic)
        assert " ".join(first.split()[:4]) in text, first
    assert "Open Government Licence" in text
    assert "page 1 of" in text  # the running footer


def test_the_pdf_is_a4_on_every_page(blackpool_pdf):
    reader = PdfReader(io.BytesIO(blackpool_pdf))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=1)
    assert reader.metadata.title.startswith("Blackpool (E06000009)")


def test_the_pdf_is_the_same_bytes_every_time(reports, blackpool_pdf):
    # The app's download button, `cli.py report` and the static site must hand out the same file for the same data.
    assert render.report_pdf(reports[BLACKPOOL]) == blackpool_pdf
    # Its date is the snapshot's, never the day it was made.
    created = PdfReader(io.BytesIO(blackpool_pdf)).metadata.get("/CreationDate", "")
    assert created.startswith("D:" + reports[BLACKPOOL].snapshot_date.replace("-", ""))


def test_cardiff_has_its_welsh_name_and_the_ward_names_its_la(reports, standalone):
    assert "Caerdydd" in standalone[CARDIFF]
    assert '<span lang="cy">Caerdydd</span>' in standalone[CARDIFF]
    ward = standalone[ANCHORSHOLME]
    assert reports[ANCHORSHOLME].parent_name == "Blackpool"
    assert "Ward of Blackpool (E06000009)" in ward
    assert ">Blackpool</th>" in ward  # the LA is the first comparator column of every indicator table


def test_the_site_version_links_the_css_similar_areas_and_has_the_locator(reports, standalone):
    report = reports[BLACKPOOL]
    page = render.report_html(report, site=site_links())
    assert '<link rel="stylesheet" href="../assets/report.css">' in page
    assert '<script src="../assets/site.js" defer></script>' in page
    assert "<style" not in page
    assert '<div id="locator" data-area="E06000009" data-level="lad" data-parent=""></div>' in page
    assert report.similar
    for similar in report.similar:
        assert f'href="{similar["code"]}.html"' in page, similar
        assert f'href="{similar["code"]}.html"' not in standalone[BLACKPOOL]
    assert 'href="../index.html"' in page and f'href="../downloads/{BLACKPOOL}.pdf"' in page
    assert 'id="locator"' not in standalone[BLACKPOOL] and "../index.html" not in standalone[BLACKPOOL]
    ward = render.report_html(reports[ANCHORSHOLME], site=site_links())
    assert f'<a href="{BLACKPOOL}.html">Blackpool</a>' in ward  # the way up to its LA
    assert f'data-area="{ANCHORSHOLME}" data-level="ward" data-parent="{BLACKPOOL}"' in ward


def test_an_la_page_lists_its_wards_when_the_site_gives_them(reports):
    page = render.report_html(reports[BLACKPOOL], site=site_links(children=((ANCHORSHOLME, "Anchorsholme"),)))
    assert f'<a href="{ANCHORSHOLME}.html">Anchorsholme</a>' in page
    assert "Wards of Blackpool (1)" in page


def test_the_svg_helpers_escape_text_and_round_numbers():
    spark = render.sparkline([1.0, 2.123456, float("nan"), 3.0], label="A <b> & c")
    assert "A &lt;b&gt; &amp; c" in spark and "<b>" not in spark
    assert not re.search(r"\d\.\d{2,}", spark)  # 1 decimal at most
    assert render.sparkline([5.0], label="one") == ""
    rows = [render.RankRow("best", 1, 1, 1, 100, "1 of 100"), render.RankRow("worst", 100, 90, 100, 100, "100 of 100"),
            render.RankRow("<none>", float("nan"), float("nan"), float("nan"), 0, "not ranked")]
    chart = render.rank_band_chart(rows, label="ranks")
    dots = re.findall(r'<circle cx="([\d.]+)"', chart)
    assert len(dots) == 2 and float(dots[0]) < float(dots[1])  # 1 = best on the left
    assert "&lt;none&gt;" in chart and "not ranked" in chart
    assert not re.search(r"\d\.\d{2,}", chart)
