"""The one HTTP helper every loader uses: timeouts, retries with backoff, progress, checksums, atomic writes."""
from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

import settings
from data_sources.base import ARCGIS_BASE, FetchError, SchemaError, arcgis_layer_query_url

NOMIS_BASE = "https://www.nomisweb.co.uk/api/v01/dataset"
NOMIS_PAGE_ROWS = 25_000  # Nomis serves at most 25,000 rows per call to users without an API key
PROGRESS_THRESHOLD_BYTES = 2_000_000
CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    bytes: int
    url: str


def timeouts() -> tuple[float, float]:
    return (float(settings.get("ATLAS_HTTP_CONNECT_TIMEOUT")), float(settings.get("ATLAS_HTTP_READ_TIMEOUT")))


def make_session() -> requests.Session:
    """A session that retries connection errors and 429/5xx with exponential backoff."""
    retry = Retry(
        total=int(settings.get("ATLAS_HTTP_RETRIES")),
        backoff_factor=float(settings.get("ATLAS_HTTP_BACKOFF")),
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = settings.get("ATLAS_USER_AGENT")
    return session


def build_request(url: str, params: dict | None = None) -> requests.PreparedRequest:
    """The exact request a fetch will send, so tests can check URLs without a network."""
    return requests.Request("GET", url, params=params or {}, headers={"User-Agent": settings.get("ATLAS_USER_AGENT")}).prepare()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_target(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside dest; it replaces dest only if the block finishes without error."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def _get(session: requests.Session, request: requests.PreparedRequest, source_id: str) -> requests.Response:
    try:
        response = session.send(request, stream=True, timeout=timeouts())
    except requests.RequestException as exc:
        raise FetchError(f"{source_id}: request to {request.url} failed ({type(exc).__name__}: {exc})") from exc
    if response.status_code != 200:
        response.close()
        raise FetchError(f"{source_id}: {request.url} answered HTTP {response.status_code}")
    return response


def _stream_to(response: requests.Response, target: Path, source_id: str, label: str) -> int:
    expected = response.headers.get("Content-Length")
    expected_bytes = int(expected) if expected and expected.isdigit() else None
    show_progress = sys.stderr.isatty() and (expected_bytes or 0) >= PROGRESS_THRESHOLD_BYTES
    progress = None
    if show_progress:
        from tqdm import tqdm

        progress = tqdm(total=expected_bytes, unit="B", unit_scale=True, desc=label, file=sys.stderr)
    written = 0
    try:
        with open(target, "wb") as out:
            for chunk in response.iter_content(CHUNK_BYTES):
                out.write(chunk)
                written += len(chunk)
                if progress:
                    progress.update(len(chunk))
    except requests.RequestException as exc:
        raise FetchError(f"{source_id}: download of {response.url} broke off after {written} bytes ({exc})") from exc
    finally:
        response.close()
        if progress:
            progress.close()
    if expected_bytes is not None and written != expected_bytes:
        raise FetchError(f"{source_id}: {response.url} sent {written} of {expected_bytes} bytes (truncated)")
    if written == 0:
        raise FetchError(f"{source_id}: {response.url} sent an empty body")
    return written


def download(
    url: str,
    dest: Path,
    *,
    source_id: str,
    validate: Callable[[Path], object],
    convert: Callable[[Path, Path], None] | None = None,
    expected_sha256: str | None = None,
    session: requests.Session | None = None,
    params: dict | None = None,
) -> Downloaded:
    """GET url into dest atomically: validate() must accept the new file before it replaces the old one.

    convert(downloaded, target) turns the publisher's format into the held one (e.g. gzip a CSV).
    """
    session = session or make_session()
    request = build_request(url, params)
    with atomic_target(dest) as tmp:
        response = _get(session, request, source_id)
        if convert is None:
            _stream_to(response, tmp, source_id, dest.name)
        else:
            with tempfile.NamedTemporaryFile(dir=dest.parent, prefix=".dl.", delete=False) as raw_handle:
                raw_tmp = Path(raw_handle.name)
            try:
                _stream_to(response, raw_tmp, source_id, dest.name)
                try:
                    convert(raw_tmp, tmp)
                except SchemaError as exc:
                    detail = str(exc).replace(str(raw_tmp), "the download")
                    raise FetchError(f"{source_id}: {url} cannot be converted to {dest.name}: {detail}") from exc
                except Exception as exc:
                    raise FetchError(f"{source_id}: cannot convert {url} to {dest.name} ({type(exc).__name__}: {exc})") from exc
            finally:
                raw_tmp.unlink(missing_ok=True)
        digest = sha256_of(tmp)
        if expected_sha256 and digest != expected_sha256:
            raise FetchError(f"{source_id}: checksum mismatch for {dest.name}: expected {expected_sha256[:12]}…, got {digest[:12]}…")
        try:
            validate(tmp)
        except SchemaError as exc:
            raise FetchError(f"{source_id}: downloaded {dest.name} failed validation: {exc}") from exc
        size = tmp.stat().st_size
    return Downloaded(path=dest, sha256=digest, bytes=size, url=request.url)


def gzip_copy(source: Path, target: Path) -> None:
    """Convert hook: the publisher serves plain text, we hold it gzipped (deterministic: no mtime)."""
    with open(source, "rb") as raw, open(target, "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as zipped:
            for block in iter(lambda: raw.read(CHUNK_BYTES), b""):
                zipped.write(block)


# ---------------------------------------------------------------------------------------------
# ONS ArcGIS FeatureServer (Open Geography Portal): lookups and boundaries, paged
# ---------------------------------------------------------------------------------------------

def arcgis_query_url(service: str) -> str:
    # Read at call time, so a test can point ARCGIS_BASE at a local server.
    return arcgis_layer_query_url(service, ARCGIS_BASE)


def arcgis_page_request(service: str, *, offset: int, page_size: int, geometry: bool) -> requests.PreparedRequest:
    params = {
        "where": "1=1",
        "outFields": "*",
        "resultOffset": offset,
        "resultRecordCount": page_size,
        "orderByFields": "FID" if geometry else "ObjectId",
    }
    if geometry:
        params.update({"outSR": 4326, "f": "geojson"})
    else:
        params.update({"returnGeometry": "false", "f": "json"})
    return build_request(arcgis_query_url(service), params)


def arcgis_count_request(service: str) -> requests.PreparedRequest:
    return build_request(arcgis_query_url(service), {"where": "1=1", "returnCountOnly": "true", "f": "json"})


def _json_body(response: requests.Response, source_id: str) -> dict:
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise FetchError(f"{source_id}: {response.url} did not return JSON") from exc
    finally:
        response.close()
    if isinstance(body, dict) and "error" in body:
        raise FetchError(f"{source_id}: {response.url} returned an ArcGIS error: {body['error']}")
    return body


def arcgis_records(service: str, *, source_id: str, geometry: bool, session: requests.Session | None = None, page_size: int = 2000) -> list[dict]:
    """All records of a FeatureServer layer, paging until the server says no more, checked against its count."""
    session = session or make_session()
    expected = _json_body(_get(session, arcgis_count_request(service), source_id), source_id).get("count")
    records: list[dict] = []
    offset = 0
    while True:
        body = _json_body(_get(session, arcgis_page_request(service, offset=offset, page_size=page_size, geometry=geometry), source_id), source_id)
        page = body.get("features", [])
        records.extend(page if geometry else [f.get("attributes", {}) for f in page])
        more = body.get("exceededTransferLimit") or body.get("properties", {}).get("exceededTransferLimit")
        if not page or not more:
            break
        offset += len(page)
    if expected is not None and len(records) != expected:
        raise FetchError(f"{source_id}: {service} returned {len(records)} records but reports {expected}")
    return records


def write_records_csv(records: list[dict], target: Path, columns: list[str] | None = None) -> None:
    columns = columns or (list(records[0].keys()) if records else [])
    with open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def fetch_arcgis_table(service: str, dest: Path, *, source_id: str, validate: Callable[[Path], object], columns: list[str] | None = None, session=None) -> Downloaded:
    records = arcgis_records(service, source_id=source_id, geometry=False, session=session)
    with atomic_target(dest) as tmp:
        if dest.suffix == ".gz":
            buffer = io.StringIO()
            columns = columns or list(records[0].keys())
            writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
            with gzip.GzipFile(tmp, mode="wb", mtime=0) as zipped:
                zipped.write(buffer.getvalue().encode("utf-8"))
        else:
            write_records_csv(records, tmp, columns)
        try:
            validate(tmp)
        except SchemaError as exc:
            raise FetchError(f"{source_id}: {service} failed validation: {exc}") from exc
        digest, size = sha256_of(tmp), tmp.stat().st_size
    return Downloaded(path=dest, sha256=digest, bytes=size, url=arcgis_query_url(service))


def fetch_arcgis_geojson(service: str, dest: Path, *, source_id: str, validate: Callable[[Path], object], session=None) -> Downloaded:
    features = arcgis_records(service, source_id=source_id, geometry=True, session=session)
    with atomic_target(dest) as tmp:
        payload = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode("utf-8")
        if dest.suffix == ".gz":
            with gzip.GzipFile(tmp, mode="wb", mtime=0) as zipped:
                zipped.write(payload)
        else:
            tmp.write_bytes(payload)
        try:
            validate(tmp)
        except SchemaError as exc:
            raise FetchError(f"{source_id}: {service} failed validation: {exc}") from exc
        digest, size = sha256_of(tmp), tmp.stat().st_size
    return Downloaded(path=dest, sha256=digest, bytes=size, url=arcgis_query_url(service))


# ---------------------------------------------------------------------------------------------
# Nomis API (census tables): CSV pages of at most 25,000 rows
# ---------------------------------------------------------------------------------------------

def nomis_page_request(dataset: str, *, geography: str, offset: int, extra: dict | None = None) -> requests.PreparedRequest:
    params = {"date": "latest", "geography": geography, "measures": "20100", "recordoffset": offset, "recordlimit": NOMIS_PAGE_ROWS}
    params.update(extra or {})
    return build_request(f"{NOMIS_BASE}/{dataset}.data.csv", params)


def fetch_nomis_csv(dataset: str, dest: Path, *, geography: str, source_id: str, validate: Callable[[Path], object], extra: dict | None = None, session=None) -> Downloaded:
    """Page through a Nomis dataset and write one CSV (gzipped if dest ends .gz), header once."""
    session = session or make_session()
    with atomic_target(dest) as tmp:
        opener = (lambda p: gzip.GzipFile(p, mode="wb", mtime=0)) if dest.suffix == ".gz" else (lambda p: open(p, "wb"))
        offset, header = 0, None
        with opener(tmp) as out:
            while True:
                response = _get(session, nomis_page_request(dataset, geography=geography, offset=offset, extra=extra), source_id)
                text = response.content.decode("utf-8-sig")
                response.close()
                lines = text.splitlines()
                if not lines:
                    break
                if header is None:
                    header = lines[0]
                    out.write((header + "\n").encode("utf-8"))
                elif lines[0] != header:
                    raise FetchError(f"{source_id}: Nomis {dataset} changed its columns between pages")
                rows = lines[1:]
                if rows:
                    out.write(("\n".join(rows) + "\n").encode("utf-8"))
                if len(rows) < NOMIS_PAGE_ROWS:
                    break
                offset += len(rows)
        if header is None:
            raise FetchError(f"{source_id}: Nomis {dataset} returned nothing")
        try:
            validate(tmp)
        except SchemaError as exc:
            raise FetchError(f"{source_id}: Nomis {dataset} failed validation: {exc}") from exc
        digest, size = sha256_of(tmp), tmp.stat().st_size
    return Downloaded(path=dest, sha256=digest, bytes=size, url=f"{NOMIS_BASE}/{dataset}.data.csv")
