"""Fetch every file a source declares into a staging folder, validate all, then swap them in and record them."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Callable

import requests

from data_sources import manifest
from data_sources.base import FetchError, RawFile, SchemaError, Source
from data_sources.http import Downloaded, download, fetch_arcgis_geojson, fetch_arcgis_table, fetch_nomis_csv, gzip_copy, make_session

Converter = Callable[[Path, Path], None]


def fetch_one(source: Source, raw: RawFile, target: Path, validate: Callable[[Path], object], session: requests.Session, convert: Converter | None = None) -> Downloaded:
    if raw.method == "arcgis":
        if target.name.endswith((".geojson", ".geojson.gz")):
            return fetch_arcgis_geojson(raw.service, target, source_id=source.id, validate=validate, session=session)
        return fetch_arcgis_table(raw.service, target, source_id=source.id, validate=validate, session=session)
    if raw.method == "nomis":
        dataset, _, geography = raw.service.partition(":")
        return fetch_nomis_csv(dataset, target, geography=geography, source_id=source.id, validate=validate, session=session)
    if convert is None and target.name.endswith(".gz") and not raw.url.endswith(".gz"):
        convert = gzip_copy
    return download(raw.url, target, source_id=source.id, validate=validate, convert=convert, expected_sha256=raw.sha256 or None, session=session)


def fetch_source(
    source: Source,
    raw_root: Path,
    read: Callable[[Path], object],
    *,
    session: requests.Session | None = None,
    converters: dict[str, Converter] | None = None,
    only: tuple[str, ...] | None = None,
) -> Path:
    """Download the source's files; the held copies change only if every file downloaded and validated."""
    session = session or make_session()
    converters = converters or {}
    folder = raw_root / source.raw_folder
    staging = raw_root / f".staging-{source.id}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    results: list[tuple[RawFile, Downloaded]] = []
    try:
        for raw in source.files:
            if only and raw.name not in only:
                continue
            if not raw.url and raw.method == "direct":
                continue  # derived files have no official URL; they are rebuilt, not fetched
            staged = staging / raw.name

            def validate(path: Path, _name: str = raw.name) -> object:
                return read_as(read, path, _name)

            results.append((raw, fetch_one(source, raw, staged, validate, session, converters.get(raw.name))))
        folder.mkdir(parents=True, exist_ok=True)
        for raw, got in results:
            (folder / raw.name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(got.path, folder / raw.name)
    except FetchError:
        raise
    except Exception as exc:
        raise FetchError(f"{source.id}: fetch failed ({type(exc).__name__}: {exc})") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    record(source, raw_root, [(raw, got) for raw, got in results])
    return folder


def read_as(read: Callable[[Path], object], path: Path, name: str) -> object:
    """Run a reader on a staged file as if it had its final name (readers choose their parser by name)."""
    alias = path.parent / "alias" / name
    alias.parent.mkdir(parents=True, exist_ok=True)
    alias.unlink(missing_ok=True)
    os.link(path, alias)
    try:
        return read(alias)
    except SchemaError as exc:
        # Name the file as the user knows it, not by the scratch alias it was checked under.
        raise SchemaError(str(exc).replace(str(alias), name)) from exc
    finally:
        alias.unlink(missing_ok=True)


def record(source: Source, raw_root: Path, results: list[tuple[RawFile, Downloaded]]) -> None:
    data_dir = raw_root.parent
    manifest_file = data_dir / "manifest.json"
    today = dt.date.today().isoformat()
    entries = [
        manifest.ManifestEntry(
            path=f"raw/{source.raw_folder}/{raw.name}",
            source_id=source.id,
            url=got.url,
            retrieved=today,
            published=source.published,
            sha256=got.sha256,
            bytes=got.bytes,
            licence=source.licence,
            provenance=f"raw/{source.raw_folder}/PROVENANCE.md",
        )
        for raw, got in results
    ]
    manifest.save(manifest_file, manifest.upsert(manifest.load(manifest_file), entries))
