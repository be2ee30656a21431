"""The static site without a browser: which areas it covers, that every link on every page resolves to a written file,
that a failed build leaves the previous site, and the search index. Built for Cardiff (a Welsh LA: Welsh names, no
region) and the City of London (a very small population) with their wards."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pandas as pd
import pytest

from conftest import PROCESSED
from dashboard import tables
from reports import site
from reports.area_report import ReportTables, UnknownArea, build_report

CARDIFF, CITY_OF_LONDON = "W06000015", "E09000001"


@pytest.fixture(scope="module")
def report_tables() -> ReportTables:
    return ReportTables.from_atlas(tables.load_atlas(PROCESSED))


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return pd.read_parquet(PROCESSED / "areas.parquet")


@pytest.fixture(scope="module")
def built(tmp_path_factory, report_tables):
    out = tmp_path_factory.mktemp("site") / "site"
    result = site.build_site(out, report_tables, PROCESSED, lads=[CARDIFF, CITY_OF_LONDON], pdf="none", workers=2)
    return out, result


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_the_whole_site_covers_every_la_and_ward(report_tables, areas):
    codes = site.site_codes(report_tables)
    assert len(codes) == len(set(codes)) == 318 + 7588
    assert set(codes) == set(areas["area_code"])
    assert codes[:318] == report_tables.atlas.lad_codes  # LAs first, so their PDFs start first


def test_an_unknown_la_is_refused_by_name(report_tables):
    with pytest.raises(KeyError, match="E99999999"):
        site.site_codes(report_tables, ["E99999999"])
    with pytest.raises(UnknownArea, match="not an LA or ward code"):
        build_report("NOPE", report_tables)


def test_every_page_of_two_las_and_their_wards_is_written(built, areas):
    out, result = built
    wards = areas[(areas["level"] == "ward") & areas["parent_code"].isin([CARDIFF, CITY_OF_LONDON])]["area_code"]
    assert sorted(p.stem for p in (out / "ward").glob("*.html")) == sorted(wards)
    assert sorted(p.stem for p in (out / "la").glob("*.html")) == sorted([CARDIFF, CITY_OF_LONDON])
    assert result.pages == 2 + 2 + len(wards) and result.pdfs == 0
    assert not list((out / "downloads").glob("*.pdf"))
    assert len(list((out / "downloads").glob("*.csv"))) == 2 + len(wards)
    assert not out.with_name(out.name + ".partial").exists()


def test_every_relative_link_on_every_page_resolves(built):
    out, _ = built
    pages = [out / "index.html", out / site.METHODS_PAGE, *(out / "la").glob("*.html"), *(out / "ward").glob("*.html")]
    checked = 0
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto") or link.startswith("#"):
                continue
            target = (page.parent / parts.path).resolve()
            assert target.exists(), f"{page.relative_to(out)} links {link}, which was not written"
            checked += 1
    assert checked > 5 * len(pages)  # stylesheet, script, home, LA, downloads, methods and similar areas on each


def test_cardiff_page_names_it_in_both_languages_and_lists_its_wards(built, areas):
    out, _ = built
    html = (out / "la" / f"{CARDIFF}.html").read_text(encoding="utf-8")
    assert '<h1>Cardiff / <span lang="cy">Caerdydd</span></h1>' in html  # the Welsh name marked as Welsh for screen readers
    wards = areas[(areas["level"] == "ward") & (areas["parent_code"] == CARDIFF)]
    for code in wards["area_code"]:
        assert f'href="../ward/{code}.html"' in html
    canton = (out / "ward" / "W05001273.html").read_text(encoding="utf-8")
    assert 'Canton / <span lang="cy">Treganna</span>' in canton and f'href="../la/{CARDIFF}.html"' in canton


def test_pages_hold_only_their_own_data(built, areas):
    """Shared text (methods, the full source table, the stylesheet) is written once, not on every page, and an LA page
    names no area but itself, its wards and its similar areas."""
    out, _ = built
    page = (out / "la" / f"{CARDIFF}.html").read_text(encoding="utf-8")
    methods = (out / site.METHODS_PAGE).read_text(encoding="utf-8")
    assert "<style" not in page and "source-table" not in page
    assert "source-table" in methods and "Local authority reports" in methods
    neighbours = pd.read_parquet(PROCESSED / "neighbours.parquet")
    similar = set(neighbours[(neighbours["area_code"] == CARDIFF) & (neighbours["kind"] == "ons_global")]["neighbour_code"])
    wards = set(areas[(areas["level"] == "ward") & (areas["parent_code"] == CARDIFF)]["area_code"])
    named = set(re.findall(r"\b[EW]0[5-9]\d{6}\b", page))
    assert CARDIFF in named and wards <= named
    assert named <= {CARDIFF} | wards | similar


def test_the_search_index_holds_each_built_area_once_with_its_page(built, areas):
    out, _ = built
    rows = json.loads((out / "assets" / "search.json").read_text(encoding="utf-8"))
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes))
    canton = next(r for r in rows if r[0] == "W05001273")
    assert canton[1:5] == ["Canton", "Treganna", "ward", "Cardiff"] and canton[5] == "ward/W05001273.html"
    assert all((out / r[5]).exists() for r in rows)


def test_a_failed_build_leaves_the_previous_site(built, report_tables, tmp_path, monkeypatch):
    out = tmp_path / "site"
    site.build_site(out, report_tables, PROCESSED, lads=[CITY_OF_LONDON], pdf="none", workers=1)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(site, "area_csv", crash)
    with pytest.raises(OSError, match="simulated"):
        site.build_site(out, report_tables, PROCESSED, lads=[CARDIFF], pdf="none", workers=1)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == before


def test_the_report_command_writes_the_file_the_app_hands_out(tmp_path, report_tables, capsys):
    import cli
    from reports import render

    out = tmp_path / "cardiff.html"
    assert cli.main(["--data-dir", str(PROCESSED.parent), "report", CARDIFF.lower(), "--format", "html", "--out", str(out)]) == 0
    assert out.read_bytes() == render.report_html(build_report(CARDIFF, report_tables)).encode("utf-8")
    assert "Cardiff / Caerdydd (W06000015): HTML report" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(PROCESSED.parent), "report", "W99999999", "--out", str(tmp_path / "x.pdf")]) == 2
    assert capsys.readouterr().err.strip() == "error: W99999999 is not an LA or ward code of this atlas (May 2025 boundaries, e.g. E06000009 or W05001273)"
    assert not (tmp_path / "x.pdf").exists()
