"""The static site: an index with client-side search by name and code, one page per LA and per ward, each page's
downloads, and the shared assets (stylesheet, script, search index, boundaries) written once.

Any static host or CDN can serve the folder: every link is relative and no page requests anything outside it. The
site is written into a sibling folder and switched in by rename at the end, so a failed build leaves the last site."""
from __future__ import annotations

import json
import multiprocessing
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from outputs import geojson
from outputs.downloads import to_csv_bytes, with_provenance
from reports import render
from reports.area_report import ReportTables, build_report, methods_text, sources_of

ASSETS = "assets"
DIRS = {"lad": "la", "ward": "ward"}
DOWNLOADS = "downloads"
METHODS_PAGE = "methods.html"
PDF_LEVELS = {"none": (), "lad": ("lad",), "all": ("lad", "ward")}
SITE_SCRIPT = Path(__file__).parent / "templates" / "site.js"
COORDINATE_DECIMALS = 3  # about 100 m: enough for a locator map a few hundred pixels wide, and a third the bytes

_TABLES: ReportTables | None = None  # set in the parent before the workers fork, so each worker inherits it
_BUILT: frozenset[str] = frozenset()  # the codes this build writes a page for, likewise


@dataclass(frozen=True)
class SiteResult:
    folder: Path
    pages: int
    pdfs: int
    total_bytes: int
    largest_page: tuple[str, int]
    seconds: float


def page_href(code: str, level: str, *, from_page: bool = True) -> str:
    """The relative URL of an area's page, from another area page (../la/X.html) or from the index (la/X.html)."""
    return f"{'../' if from_page else ''}{DIRS[level]}/{code}.html"


def _links(report, tables: ReportTables, pdf_levels: tuple[str, ...]) -> render.SiteLinks:
    level_of = tables.atlas.level_of
    downloads = []
    if report.level in pdf_levels:
        downloads.append(("PDF report (A4)", f"../{DOWNLOADS}/{report.file_name('pdf')}"))
    downloads.append(("CSV of every value, with sources (opens in Excel)", f"../{DOWNLOADS}/{report.file_name('csv')}"))
    children = tuple((c, tables.atlas.label(c)) for c in tables.wards_by_lad.get(report.code, [])) if report.level == "lad" else ()
    return render.SiteLinks(
        css_href=f"../{ASSETS}/report.css",
        script_href=f"../{ASSETS}/site.js",
        home_href="../index.html",
        # A site of some LAs only (--lad) links no page it did not write.
        area_href=lambda code: page_href(code, level_of.get(code, "lad")) if code in _BUILT else "",
        downloads=tuple(downloads),
        children=children,
        methods_href=f"../{METHODS_PAGE}",
    )


def area_csv(code: str, tables: ReportTables) -> bytes:
    """Every value held for one area, every period, with its source and licence: the page's own data."""
    a = tables.atlas
    by = tables.lad_values_by if a.level_of.get(code) == "lad" else tables.ward_values_by
    rows = by.get(code, a.values.iloc[0:0])
    rows = rows.merge(a.catalogue[["indicator_id", "title", "unit", "factor"]], on="indicator_id", how="left")
    rows.insert(1, "area_name", a.names.get(code, ""))
    return to_csv_bytes(with_provenance(rows, a.catalogue, a.sources))


def _write_area(code: str, out: Path, pdf_levels: tuple[str, ...]) -> list[tuple[str, int]]:
    tables = _TABLES
    report = build_report(code, tables)
    written = []
    page = out / page_href(code, report.level, from_page=False)
    page.write_text(render.report_html(report, site=_links(report, tables, pdf_levels)), encoding="utf-8")
    written.append((page.relative_to(out).as_posix(), page.stat().st_size))
    csv = out / DOWNLOADS / report.file_name("csv")
    csv.write_bytes(area_csv(code, tables))
    written.append((csv.relative_to(out).as_posix(), csv.stat().st_size))
    if report.level in pdf_levels:
        pdf = out / DOWNLOADS / report.file_name("pdf")
        pdf.write_bytes(render.report_pdf(report))
        written.append((pdf.relative_to(out).as_posix(), pdf.stat().st_size))
    return written


def _write_chunk(args: tuple[list[str], Path, tuple[str, ...]]) -> tuple[int, list[tuple[str, int]]]:
    codes, out, pdf_levels = args
    return len(codes), [item for code in codes for item in _write_area(code, out, pdf_levels)]


def _rounded(value, decimals: int = COORDINATE_DECIMALS):
    if isinstance(value, float):
        return round(value, decimals)
    return [_rounded(v, decimals) for v in value]


def _boundary_file(codes: Iterable[str], geometries: Iterable) -> bytes:
    collection = geojson.feature_collection(list(codes), list(geometries), arrays=False)
    for feature in collection["features"]:
        feature["geometry"]["coordinates"] = _rounded(feature["geometry"]["coordinates"])
    return json.dumps(collection, separators=(",", ":")).encode("utf-8")


def write_assets(out: Path, tables: ReportTables, codes: list[str], boundaries: Path) -> None:
    """The files every page shares, written once: stylesheet, script, search index and boundaries (LAs, and each
    LA's wards)."""
    import geopandas as gpd

    assets = out / ASSETS
    (assets / "boundaries" / "wards").mkdir(parents=True, exist_ok=True)
    (assets / "report.css").write_text(render.report_css(), encoding="utf-8")
    shutil.copyfile(SITE_SCRIPT, assets / "site.js")
    a = tables.atlas
    parent = a.parent_of
    search = [[c, a.names.get(c, ""), a.welsh.get(c, ""), a.level_of[c], a.names.get(parent.get(c) or "", "") if a.level_of[c] == "ward" else "",
               page_href(c, a.level_of[c], from_page=False)] for c in codes]
    (assets / "search.json").write_text(json.dumps(search, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    lad = gpd.read_parquet(boundaries / "boundaries_lad.parquet")
    (assets / "boundaries" / "lad.json").write_bytes(_boundary_file(lad["area_code"], lad.geometry))
    wards = gpd.read_parquet(boundaries / "boundaries_ward.parquet")
    wanted = {parent.get(c) for c in codes if a.level_of[c] == "ward"} | {c for c in codes if a.level_of[c] == "lad"}
    for lad_code, block in wards.groupby("parent_code"):
        if lad_code in wanted:
            (assets / "boundaries" / "wards" / f"{lad_code}.json").write_bytes(_boundary_file(block["area_code"], block.geometry))


def index_html(tables: ReportTables, codes: list[str]) -> str:
    """The home page: a search box (client-side, over the search index) and every LA by country and region, so the
    site is browsable with no script at all (each LA page lists its wards)."""
    a = tables.atlas
    built = set(codes)
    lads = a.lads[a.lads["area_code"].isin(built)].copy()
    lads["group"] = lads.apply(lambda r: "Wales" if r["country"] == "W" else f"England: {r['region_name']}", axis=1)
    groups = [(name, [(c, a.label(c), page_href(c, "lad", from_page=False), len(tables.wards_by_lad.get(c, [])))
                      for c in block.sort_values("area_name")["area_code"]])
              for name, block in sorted(lads.groupby("group"), key=lambda g: (g[0] == "Wales", g[0]))]
    n_wards = sum(1 for c in codes if a.level_of[c] == "ward")
    return render.site_index_html(groups=groups, n_lads=len(lads), n_wards=n_wards, snapshot_date=tables.snapshot_date,
                                  css_href=f"{ASSETS}/report.css", script_href=f"{ASSETS}/site.js")


def methods_html(tables: ReportTables) -> str:
    return render.site_methods_html(
        lad_methods=methods_text("lad", "E"), ward_methods=methods_text("ward", "E"),
        sources=sources_of(list(tables.atlas.catalogue["indicator_id"]), tables), snapshot_date=tables.snapshot_date, css_href=f"{ASSETS}/report.css",
    )


def site_codes(tables: ReportTables, lads: list[str] | None = None) -> list[str]:
    """Every LA and ward code, or only the given LAs and their wards; LAs first, each followed by its wards."""
    chosen = tables.atlas.lad_codes if not lads else [c for c in tables.atlas.lad_codes if c in set(lads)]
    unknown = sorted(set(lads or []) - set(chosen))
    if unknown:
        raise KeyError(f"not LA codes of this atlas: {', '.join(unknown)}")
    return [*chosen, *[w for c in chosen for w in tables.wards_by_lad.get(c, [])]]


def _stage(staging: Path, tables: ReportTables, codes: list[str], boundaries: Path, pdf_levels: tuple[str, ...], workers: int,
           progress: bool, chunk: int) -> list[tuple[str, int]]:
    """Every file of the site, written into staging; returns (path, bytes) of each area's files."""
    global _TABLES, _BUILT
    for folder in (*DIRS.values(), DOWNLOADS):
        (staging / folder).mkdir(parents=True, exist_ok=True)
    write_assets(staging, tables, codes, boundaries)
    (staging / "index.html").write_text(index_html(tables, codes), encoding="utf-8")
    (staging / METHODS_PAGE).write_text(methods_html(tables), encoding="utf-8")
    _TABLES, _BUILT = tables, frozenset(codes)
    # The per-area splits are made before the fork, so every worker shares them instead of making its own.
    tables.compute_all()
    # A PDF takes about 2 s and a page about 0.1 s: areas with a PDF go in small chunks, so the bar moves evenly.
    jobs = []
    for level in ("lad", "ward"):
        mine = [c for c in codes if tables.atlas.level_of[c] == level]
        size = max(1, chunk // 10) if level in pdf_levels else chunk
        jobs.extend((mine[i:i + size], staging, pdf_levels) for i in range(0, len(mine), size))
    written: list[tuple[str, int]] = []
    bar = tqdm(total=len(codes), unit="area", desc="area pages", disable=not progress, file=sys.stderr)
    try:
        if workers > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for done, items in pool.imap_unordered(_write_chunk, jobs):
                    written.extend(items)
                    bar.update(done)
        else:
            for job in jobs:
                done, items = _write_chunk(job)
                written.extend(items)
                bar.update(done)
    finally:
        bar.close()
        _TABLES, _BUILT = None, frozenset()
    return written


def build_site(
    out: Path,
    tables: ReportTables,
    boundaries: Path,
    *,
    lads: list[str] | None = None,
    pdf: str = "lad",
    workers: int | None = None,
    progress: bool = False,
    chunk: int = 40,
) -> SiteResult:
    """Write the site for every area (or the given LAs and their wards) into out, replacing it only on success: a build
    that fails leaves the previous site as it was and no half-written folder."""
    started = time.perf_counter()
    codes = site_codes(tables, lads)
    out = Path(out)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        written = _stage(staging, tables, codes, boundaries, PDF_LEVELS[pdf], workers or min(2, multiprocessing.cpu_count()), progress, chunk)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = out.with_name(out.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)
    pages = [(p, s) for p, s in written if p.endswith(".html")]
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return SiteResult(
        folder=out,
        pages=len(pages) + 2,  # and the index and methods pages
        pdfs=sum(1 for p, _ in written if p.endswith(".pdf")),
        total_bytes=total,
        largest_page=max(pages, key=lambda item: item[1]) if pages else ("", 0),
        seconds=time.perf_counter() - started,
    )
