"""Command line (`atlas` once installed, or `python cli.py`): build processed tables, refresh sources, verify checksums, export tables.

    python cli.py build            raw snapshot -> data/processed
    python cli.py refresh [SOURCE] fetch from the official URLs, then build
    python cli.py verify           check every raw file against data/manifest.json
    python cli.py export DIR       indicator values and factor scores as CSV and parquet, with a metric dictionary
    python cli.py report CODE --format pdf|html --out FILE
                                   the area report of one LA or ward
    python cli.py site OUTDIR      the static site: an index with search and a report page for every LA and ward
    python cli.py serve [--replicas N] [--port P] [--site DIR]
                                   the production front: nginx in front of N Streamlit replicas, until Ctrl-C
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import settings
from data_sources import all_modules, manifest
from data_sources.base import DataSourceError


def _say(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    from pipeline import build

    result = build.run(args.data_dir, progress=_say, cache=not args.no_cache)
    reused = f" (reused {len(result.sources_reused)} sources and {len(result.indicators_reused)} indicators from data/.build-cache)" if result.cache_used else ""
    print(f"built {len(result.tables)} tables in {result.seconds:.1f} s{reused} -> {result.processed_dir}")
    _report_election_matches(result.processed_dir)
    from outputs.geojson import WARD_LAYER

    layer = result.processed_dir / WARD_LAYER
    print(f"national ward layer: {layer.stat().st_size / 1e6:.1f} MB")
    return 0


def _report_election_matches(processed: Path) -> None:
    """The 2023 local elections are matched to 2025 wards by name: say how many matched and list those that did not."""
    import pandas as pd

    from indicators import ward_elections

    path = processed / "election_matches_2023.parquet"
    if not path.exists():
        return
    matches = pd.read_parquet(path)
    summary = ward_elections.match_summary(matches)
    print(f"2023 local elections: {summary['matched']:,} of {summary['total']:,} wards matched to May 2025 wards ({summary['matched'] / summary['total']:.1%}); unmatched:")
    for line in ward_elections.unmatched_lines(matches):
        print(f"  {line}")


def cmd_verify(args: argparse.Namespace) -> int:
    entries = manifest.load(args.data_dir / "manifest.json")
    if not entries:
        print(f"error: no manifest at {args.data_dir / 'manifest.json'}", file=sys.stderr)
        return 1
    problems = manifest.verify(args.data_dir, entries)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(entries)} files checked, {len(problems)} problem(s)")
    return 1 if problems else 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Fetch into a copy of the data folder; the real one changes only when fetch and build both succeed."""
    from pipeline import refresh

    modules = refresh.modules_for(args.sources)
    try:
        refresh.refresh(args.data_dir, modules, progress=_say)
    except refresh.RefreshFailed as exc:
        print(f"refresh failed: {exc}", file=sys.stderr)
        return 2
    print(f"refreshed {', '.join(m.SOURCE.id for m in modules)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from outputs import export

    written = export.export_tables(args.data_dir / "processed", args.out)
    for path in written:
        print(path)
    return 0


def _report_tables(data_dir: Path):
    from dashboard import tables
    from reports.area_report import ReportTables

    processed = data_dir / "processed"
    if not (processed / "build_info.json").exists():
        raise DataSourceError(f"no processed tables in {processed}: run `python cli.py build` first")
    return ReportTables.from_atlas(tables.load_atlas(processed))


def cmd_report(args: argparse.Namespace) -> int:
    from reports import render
    from reports.area_report import build_report

    code = args.code.strip().upper()
    report = build_report(code, _report_tables(args.data_dir))
    out = args.out or Path(report.file_name(args.format))
    payload = render.report_bytes(report, args.format)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(payload)
    partial.replace(out)
    print(f"{report.title} ({code}): {args.format.upper()} report, {len(payload) / 1e3:,.0f} KB -> {out}")
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from reports import site

    tables = _report_tables(args.data_dir)
    result = site.build_site(args.out, tables, args.data_dir / "processed", lads=args.lad or None, pdf=args.pdf, workers=args.workers, progress=True)
    page, size = result.largest_page
    print(
        f"site: {result.pages:,} pages and {result.pdfs:,} PDFs, {result.total_bytes / 1e6:,.1f} MB in {result.seconds:.0f} s -> {result.folder}\n"
        f"largest page: {page} ({size / 1e3:,.0f} KB); open {result.folder / 'index.html'} through any static web server"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from serving import front

    return front.serve(replicas=args.replicas, port=args.port, address=args.address, site_dir=args.site, env={"ATLAS_DATA_DIR": str(args.data_dir.resolve())})


def cmd_sources(args: argparse.Namespace) -> int:
    for module in all_modules():
        source = module.SOURCE
        flag = " (optional)" if source.optional else ""
        print(f"{source.id:24} {source.title}{flag}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--data-dir", type=Path, default=settings.data_dir(), help="data folder (default: %(default)s; env ATLAS_DATA_DIR)")
    commands = top.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="rebuild data/processed from data/raw (no network)")
    build.add_argument("--no-cache", action="store_true", help="rebuild everything, without reading or writing data/.build-cache")
    build.set_defaults(func=cmd_build)
    refresh = commands.add_parser("refresh", help="fetch sources from their official URLs, then build; nothing changes on failure")
    refresh.add_argument("sources", nargs="*", help="source ids (default: all); see `python cli.py sources`")
    refresh.set_defaults(func=cmd_refresh)
    verify = commands.add_parser("verify", help="check every raw file's sha256 and size against data/manifest.json")
    verify.set_defaults(func=cmd_verify)
    export = commands.add_parser("export", help="write indicator values and factor scores as CSV and parquet with a metric dictionary")
    export.add_argument("out", type=Path, help="folder to write into")
    export.set_defaults(func=cmd_export)
    report = commands.add_parser("report", help="write the area report of one LA or ward as PDF or HTML")
    report.add_argument("code", help="an LA or ward code (May 2025), e.g. E06000009")
    report.add_argument("--format", choices=("pdf", "html"), default="pdf", help="default: %(default)s")
    report.add_argument("--out", type=Path, help="file to write (default: named after the area and the data's date, in the current folder)")
    report.set_defaults(func=cmd_report)
    site = commands.add_parser("site", help="write the static site: index with search, a page per LA and ward, downloads")
    site.add_argument("out", type=Path, help="folder to write (replaced only when the whole site is written)")
    site.add_argument("--lad", action="append", metavar="CODE", help="only this LA and its wards (repeatable; default: every area)")
    site.add_argument("--pdf", choices=("none", "lad", "all"), default="lad", help="which pages get a PDF beside them (default: %(default)s; 'all' adds 7,588 ward PDFs, about 70 min more on 2 cores)")
    site.add_argument("--workers", type=int, default=None, help="processes (default: up to 2)")
    site.set_defaults(func=cmd_site)
    serve = commands.add_parser("serve", help="the production front: nginx in front of N Streamlit replicas (cookie affinity, websockets, precompressed assets)")
    serve.add_argument("--replicas", type=int, default=None, metavar="N", help="Streamlit processes behind nginx (default: one per CPU core)")
    serve.add_argument("--port", type=int, default=8080, metavar="P", help="nginx's port (default: %(default)s)")
    serve.add_argument("--address", default="127.0.0.1", help="where nginx listens (default: %(default)s, this machine only; 0.0.0.0 for the network)")
    serve.add_argument("--site", type=Path, metavar="DIR", help="also serve the static site written by `python cli.py site DIR`, under /site/")
    serve.set_defaults(func=cmd_serve)
    sources = commands.add_parser("sources", help="list the source ids")
    sources.set_defaults(func=cmd_sources)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataSourceError, KeyError) as exc:
        from pipeline.refresh import one_line

        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
