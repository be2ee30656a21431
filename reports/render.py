"""The area report as HTML and as an A4 PDF: formatting only. Everything shown comes from the Report that
area_report.build_report assembles; this module does no table work.

- report_html(report): one standalone file, its stylesheet inlined, no script and no request of any kind, that opens
  offline in any browser and prints to A4;
- report_html(report, site=SiteLinks(...)): a page of the static site, linking the shared stylesheet and script, the
  other areas' pages and its downloads;
- report_pdf(report): the standalone HTML laid out by WeasyPrint, byte for byte the same for the same data.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from reports.summary import finite
from vocabulary import FACTORS

TEMPLATES = Path(__file__).parent / "templates"
SUMMARY_TOPICS = (
    ("standing", "Where it stands"),
    ("change", "What changed"),
    ("furthest", "Furthest from its comparators"),
    ("limits", "What the evidence cannot say"),
)
CONTEXT_HEADING = "Context: who lives here (shown beside the scores, never scored)"
# An 'in scores' text longer than this is cut to its first word(s) in the table, the reason going to a note under it.
IN_SCORES_INLINE = 34
# The font the SVG text asks for, the same stack as the stylesheet's print font (an SVG in WeasyPrint does not read the
# page's stylesheet, so the charts name it themselves).
SVG_FONT = "Arial, 'Liberation Sans', Helvetica, 'DejaVu Sans', sans-serif"


@dataclass(frozen=True, kw_only=True)
class SiteLinks:
    """How a report page of the static site links out: every href relative, so the folder can be served from anywhere."""

    css_href: str
    script_href: str = ""
    home_href: str
    area_href: Callable[[str], str]  # area code -> relative URL of that area's page ('' when the site holds no page for it)
    downloads: tuple[tuple[str, str], ...] = ()  # (label, href)
    children: tuple[tuple[str, str], ...] = ()  # (code, label) of an LA's wards, listed on its page
    # The site's one methods page: the generic methods and the full source table are written there once, not on
    # 7,906 pages (a page keeps its own scope, notes and the list of its sources).
    methods_href: str = ""


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def report_css() -> str:
    """The report stylesheet: inlined in a standalone report, written once to the static site's assets."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


# ---- small formatting helpers ----------------------------------------------------------------------------------


def _n(value: float) -> str:
    """An SVG coordinate, rounded to 1 decimal with no trailing zero: pages stay small."""
    text = f"{float(value):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _count(value) -> str:
    return f"{int(value):,}"


def _area(km2: float, level: str) -> str:
    if not finite(km2):
        return ""
    return f"{km2:,.0f} km²" if level == "lad" or km2 >= 100 else f"{km2:,.1f} km²"


# ---- SVG helpers -----------------------------------------------------------------------------------------------


def sparkline(values: Sequence[float], *, label: str, width: int = 60, height: int = 16) -> Markup:
    """A tiny line of a series, oldest on the left, its latest value a dot; '' for fewer than two finite values.
    The y scale is the series' own range: it shows the shape of the change, the trend text beside it the values."""
    points = [(i, float(v)) for i, v in enumerate(values) if finite(v)]
    if len(points) < 2:
        return Markup("")
    pad = 2.0
    last = len(values) - 1 or 1
    low, high = min(v for _, v in points), max(v for _, v in points)
    span = high - low

    def xy(i: int, v: float) -> tuple[str, str]:
        x = pad + (width - 2 * pad) * i / last
        y = height / 2 if span == 0 else pad + (height - 2 * pad) * (high - v) / span
        return _n(x), _n(y)

    coords = [xy(i, v) for i, v in points]
    end = coords[-1]
    label = escape(label)
    return Markup(
        f'<svg class="spark" role="img" aria-label="{label}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in coords)}" fill="none" stroke="#000" stroke-width="1.2"/>'
        f'<circle cx="{end[0]}" cy="{end[1]}" r="1.8" fill="#000"/></svg>'
    )


@dataclass(frozen=True)
class RankRow:
    label: str
    rank: float
    low: float
    high: float
    n: int
    text: str  # what the row says at its right, e.g. '304 of 318'


def rank_band_chart(rows: Iterable[RankRow], *, label: str) -> Markup:
    """One row per factor: a line from 1 (best, left) to n, the rank band a thick grey bar, the rank a black dot and
    the rank in words at the right; a row without a rank says so. Readable in black and white."""
    rows = list(rows)
    width, left, right, row_h, top = 700, 160, 505, 24, 22
    height = top + row_h * len(rows) + 4
    span = right - left
    label = escape(label)
    parts = [
        f'<svg class="rank-chart" role="img" aria-label="{label}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{SVG_FONT}" font-size="11" fill="#000">',
        f"<title>{label}</title>",
        f'<text x="{left}" y="12" font-size="10" fill="#333">1 = best</text>',
        f'<text x="{right}" y="12" font-size="10" fill="#333" text-anchor="end">last</text>',
    ]
    for k, row in enumerate(rows):
        y = top + row_h * k + row_h / 2
        parts.append(f'<text x="0" y="{_n(y + 4)}">{escape(row.label)}</text>')
        if not (finite(row.rank) and finite(row.n) and row.n >= 1):
            parts.append(f'<text x="{left}" y="{_n(y + 4)}" fill="#333" font-style="italic">{escape(row.text or "not ranked")}</text>')
            continue

        def x(r: float) -> str:
            return _n(left + span * ((float(r) - 1) / (row.n - 1) if row.n > 1 else 0.0))

        parts.append(f'<line x1="{left}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}" stroke="#555" stroke-width="1"/>')
        parts.append(f'<line x1="{left}" y1="{_n(y - 4)}" x2="{left}" y2="{_n(y + 4)}" stroke="#555" stroke-width="1"/>')
        parts.append(f'<line x1="{right}" y1="{_n(y - 4)}" x2="{right}" y2="{_n(y + 4)}" stroke="#555" stroke-width="1"/>')
        if finite(row.low) and finite(row.high):
            x1, x2 = float(x(row.low)), float(x(row.high))
            if x2 - x1 < 1:  # a band of one rank still shows
                x1, x2 = x1 - 0.5, x2 + 0.5
            parts.append(f'<line x1="{_n(x1)}" y1="{_n(y)}" x2="{_n(x2)}" y2="{_n(y)}" stroke="#aaa" stroke-width="9"/>')
        parts.append(f'<circle cx="{x(row.rank)}" cy="{_n(y)}" r="4.5" fill="#000" stroke="#fff" stroke-width="1"/>')
        parts.append(f'<text x="{right + 12}" y="{_n(y + 4)}">{escape(row.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# ---- the view: the report's values arranged as the template shows them ---------------------------------------


def _rank_rows(report) -> list[RankRow]:
    rows = []
    for f in report.factors:
        ranked = finite(f.get("rank")) and finite(f.get("n_areas")) and int(f["n_areas"]) > 0
        # The chart says the rank as the table does (the report's rank_text), without the band the bar shows.
        text = str(f.get("rank_text") or "").split(" (")[0] if ranked else "not ranked"
        if ranked and f.get("kind") == "single indicator":
            text += " (one indicator)"
        rows.append(RankRow(label=f["short"] if f["factor"] != "composite" else "Composite", rank=f["rank"] if ranked else math.nan,
                            low=f.get("rank_low", math.nan), high=f.get("rank_high", math.nan),
                            n=int(f["n_areas"]) if ranked else 0, text=text))
    return rows


def _in_scores(text: str) -> tuple[str, str]:
    """('yes', '') or a short answer and the reason for a note: 'no: Shown, not scored: ...' -> ('no', 'Shown, ...')."""
    text = str(text or "").strip()
    if text == "no: context, never scored":
        return "no: context", ""
    if len(text) <= IN_SCORES_INLINE or ": " not in text:
        return text, ""
    short, reason = text.split(": ", 1)
    return short, reason[:1].upper() + reason[1:]


def _sources_line(indicators: list[dict]) -> str:
    return "; ".join(dict.fromkeys(str(i["source"]) for i in indicators if i.get("source")))


def _trend_label(ind: dict) -> str:
    periods = ind.get("trend_periods") or []
    return f"Trend of {ind['title']}, {len(periods)} periods: {ind.get('trend_text') or ''}".rstrip(": ")


def _indicator_groups(report) -> list[dict]:
    groups = []
    for number in (*FACTORS, 0):
        rows = report.indicators_of(number)
        if not rows:
            continue
        notes: dict[str, int] = {}
        shown = []
        for ind in rows:
            short, reason = _in_scores(ind.get("in_scores", ""))
            note = notes.setdefault(reason, len(notes) + 1) if reason else 0
            shown.append({
                **ind,
                "in_scores_short": short,
                "note": note,
                "spark": sparkline(ind.get("trend") or [], label=_trend_label(ind)),
                "flag_class": re.sub(r"[^a-z]+", "-", str(ind.get("flag", "")).lower()).strip("-"),
            })
        groups.append({
            "number": number,
            "id": f"indicators-{number or 'context'}",
            "heading": f"Factor {number}: {FACTORS[number]}" if number else CONTEXT_HEADING,
            "rows": shown,
            "notes": [(n, reason) for reason, n in notes.items()],
            "sources": _sources_line(rows),
        })
    return groups


def _summary(report) -> list[tuple[str, str, list[str]]]:
    out = []
    for topic, heading in SUMMARY_TOPICS:
        texts = [s.text for s in report.summary if s.topic == topic]
        if texts:
            out.append((topic, heading, texts))
    return out


def _place_line(report) -> list[str]:
    """'E06000009 · local authority district · North West, England · 35 km² · data retrieved 2026-11-27'."""
    where = ", ".join(p for p in (report.region_name, report.country_name) if p)
    kind = report.kind
    return [p for p in (report.code, kind, where, _area(report.area_km2, report.level), f"data retrieved {report.snapshot_date}") if p]


def footer_text(report) -> str:
    """The running footer of every printed page, before its 'page N of M'."""
    return f"Cohesion Atlas · {report.title} ({report.code}) · data retrieved {report.snapshot_date}"


def _view(report, site: SiteLinks | None) -> dict:
    lad = report.level == "lad"
    group_name = report.factors[0]["group_name"] if report.factors else (report.region_name or report.parent_name)
    # A Welsh LA's region is Wales itself: one comparator column, not the same value twice.
    show_region = not lad or group_name != report.country_name
    dated = re.fullmatch(r"\d{4}-\d{2}-\d{2}", report.snapshot_date or "") is not None
    return {
        "r": report,
        "lad": lad,
        "site": site,
        "css": None if site else Markup(report_css()),
        "footer": footer_text(report),
        "dated": dated,
        "place": _place_line(report),
        "welsh": report.welsh_name if report.welsh_name and report.welsh_name != report.name else "",
        "summary": _summary(report),
        "group_name": group_name,
        "show_region": show_region,
        "rank_scope": "LAs of England and Wales" if lad else f"wards of {report.country_name}",
        "similar_word": "ONS similar areas" if lad else "similar wards",
        "rank_chart": rank_band_chart(
            _rank_rows(report),
            label=(f"Rank of {report.name} on each factor among the {'LAs of England and Wales' if lad else 'wards of ' + report.country_name}: "
                   "1 = best at the left; the grey bar is the rank band, the dot the rank. "
                   + "; ".join(f"{r.label}: {r.text}" for r in _rank_rows(report))),
        ),
        "groups": _indicator_groups(report),
        "n_cols": 10 + (1 if show_region else 0),
    }


def report_html(report, *, site: SiteLinks | None = None) -> str:
    """The report as one HTML document: standalone (stylesheet inlined, no script, no link, no request) with site=None,
    else a page of the static site."""
    return _environment().get_template("report.html.j2").render(**_view(report, site))


def site_index_html(*, groups, n_lads: int, n_wards: int, snapshot_date: str, css_href: str, script_href: str) -> str:
    """The static site's home page (reports/site.py gives it every LA by country and region)."""
    return _environment().get_template("site_index.html.j2").render(
        groups=groups, n_lads=n_lads, n_wards=n_wards, snapshot_date=snapshot_date, css_href=css_href, script_href=script_href)


def site_methods_html(*, lad_methods: list[str], ward_methods: list[str], sources: list[dict], snapshot_date: str, css_href: str) -> str:
    """The static site's one methods page, which every area page links instead of repeating it."""
    return _environment().get_template("site_methods.html.j2").render(
        lad_methods=lad_methods, ward_methods=ward_methods, sources=sources, snapshot_date=snapshot_date, css_href=css_href)


def report_bytes(report, extension: str) -> bytes:
    """The report as the file a reader downloads: 'pdf' or 'html' (UTF-8). The app and `cli.py report` both call this."""
    return report_pdf(report) if extension == "pdf" else report_html(report).encode("utf-8")


def report_pdf(report) -> bytes:
    """The report as an A4 PDF.

    Deterministic: the same report gives the same bytes. WeasyPrint writes no clock time of its own; the document's
    dates come from its <meta name="dcterms.created"/"dcterms.modified"> (the snapshot's retrieval date, not today), and
    no file identifier is written. That matters because the app's download button, `python cli.py report` and the
    static site must hand out the same file for the same data (a test compares them), and a rebuilt site then changes
    only the PDFs whose data changed.
    """
    from weasyprint import HTML, URLFetcher  # imported here: the app and the site's HTML pages do not need it loaded

    # A fetcher allowing no protocol at all: a report needs no file and no network (its stylesheet is inlined, its charts
    # are inline SVG), so a request would be a bug, and a PDF never depends on what a network answered.
    no_requests = URLFetcher(allowed_protocols=())
    return HTML(string=report_html(report), base_url=None, url_fetcher=no_requests).write_pdf()
