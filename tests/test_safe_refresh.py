"""Safe refresh, end to end: `cli.py refresh SOURCE` against a local server that misbehaves on purpose.

Every source with something to download is refreshed into a copy of the real data folder while a server on
127.0.0.1 times out, answers HTTP 500, sends an HTML page, cuts the body short, sends bytes that fail a pinned
checksum, renames a column, or (ArcGIS) returns an error document or fewer records than it counts. Each time the
command must exit non-zero with one line naming the source, and every raw file, the manifest and every processed
table must be byte-identical afterwards. One successful refresh checks that the processed tables switch together.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import gzip
import hashlib
import io
import json
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

import cli
import source_contract_checks as contract
from data_sources import fetching, http, load_module, module_names
from pipeline import build
from source_contract_checks import fetchable, renamed_copy

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"
HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body><h1>Sorry</h1></body></html>\n"
# Seconds, set in the timeout cases only, where the stalled request is the only one sent (ArcGIS stalls its first,
# the count), so no good reply can be caught by it. The stalled server holds its reply far longer.
READ_TIMEOUT = "0.1"

# ---------------------------------------------------------------------------------------------
# The misbehaving server
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    stall: bool = False  # send nothing at all until the test is over, so the client's read timeout fires
    send: int | None = None  # bytes actually sent while Content-Length announces the whole body


Route = Callable[[dict], Reply] | Reply


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        owner: LocalServer = self.server.owner
        parts = urlsplit(self.path)
        route = owner.routes.get(parts.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        reply = Reply(status=404, body=b"no such file") if route is None else (route(query) if callable(route) else route)
        owner.seen.append(parts.path)
        if reply.stall:
            owner.released.wait(30)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body if reply.send is None else reply.body[: reply.send])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # clients that gave up (timeouts) leave broken pipes behind; that is the point


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[str] = []
        self.released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def server():
    running = LocalServer()
    yield running
    running.close()


@pytest.fixture
def local(server, monkeypatch):
    """The server with no routes, ArcGIS pointed at it, no retries, and a short read timeout."""
    server.routes.clear()
    server.seen.clear()
    monkeypatch.setenv("ATLAS_HTTP_RETRIES", "0")
    monkeypatch.setenv("ATLAS_HTTP_READ_TIMEOUT", "20")
    monkeypatch.setenv("ATLAS_HTTP_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(http, "ARCGIS_BASE", f"{server.url}/arcgis")
    return server


# ---------------------------------------------------------------------------------------------
# The data folder copy and its fingerprint
# ---------------------------------------------------------------------------------------------


def copy_data(target: Path) -> Path:
    shutil.copytree(DATA / "raw", target / "raw")
    shutil.copytree(DATA / "processed", target / "processed")
    shutil.copy2(DATA / "manifest.json", target / "manifest.json")
    return target


def sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under folder, by relative path (hidden leftovers included)."""
    return {path.relative_to(folder).as_posix(): sha256(path) for path in sorted(folder.rglob("*")) if path.is_file()}


def stat_print(folder: Path, hashed: Callable[[str], bool]) -> dict[str, tuple]:
    """Every file's size, inode and mtime (any write or replacement changes one of them), plus sha256 where hashed()."""
    prints = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            key, stat = path.relative_to(folder).as_posix(), path.stat()
            prints[key] = (stat.st_size, stat.st_ino, stat.st_mtime_ns, sha256(path) if hashed(key) else None)
    return prints


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory):
    """One copy of the real data folder for all failure cases (a failing case restores it for the next).

    Each case hashes the manifest, every processed table and the raw files of its source, and compares size, inode
    and mtime of all other files; when the module ends, every file of the copy is hashed again.
    """
    data = copy_data(tmp_path_factory.mktemp("safe-refresh") / "data")
    baseline = stat_print(data, lambda _key: True)
    yield data, baseline
    assert fingerprint(data) == {key: value[3] for key, value in baseline.items()}, "the failure cases left the data folder changed"


# ---------------------------------------------------------------------------------------------
# Sources and what the server sends for them
# ---------------------------------------------------------------------------------------------


MODULES = {name: load_module(name) for name in module_names()}  # by source id: the module name is the id
DIRECT = [name for name, m in MODULES.items() if fetchable(m.SOURCE) and all(r.method == "direct" for r in fetchable(m.SOURCE))]
ARCGIS = [name for name, m in MODULES.items() if any(r.method == "arcgis" for r in fetchable(m.SOURCE))]
MULTI_FILE = [name for name in DIRECT if len(fetchable(MODULES[name].SOURCE)) > 1]

# A column each reader requires, renamed in a real held file: (file, header as held, as the server renames it), the
# first damaged header each source's test module declares in its CONTRACT. ArcGIS layers rename a field in the records
# the server pages out.
RENAMED = {name: contract.contract_of(name).renamed for name in DIRECT + ARCGIS}


def held(source, name: str) -> bytes:
    return (RAW / source.raw_folder / name).read_bytes()


def text_of(name: str, data: bytes) -> bytes:
    return gzip.decompress(data) if name.endswith(".gz") else data


def tampered(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _copy(downloaded: Path, target: Path) -> None:
    shutil.copyfile(downloaded, target)


def serve_held_layout(monkeypatch) -> None:
    """The server sends files as they are held, so the official-format converters step aside (a plain copy).

    The official workbooks and zips are not part of the snapshot; the cases that go through the real converters are
    the transport failures and the HTML page, which every converter meets first.
    """
    real = fetching.fetch_one

    def fetch_one(source, raw, target, validate, session, convert=None):
        return real(source, raw, target, validate, session, _copy if convert is not None else None)

    monkeypatch.setattr(fetching, "fetch_one", fetch_one)


def direct_path(source, raw) -> str:
    return f"/direct/{source.id}/{raw.name}"


def point_at_server(module, server: LocalServer, monkeypatch, pins: dict[str, str] | None = None):
    """Replace the source's declaration by one whose URLs are the local server's (and with checksum pins, if any)."""
    pins = pins or {}
    files = []
    for raw in module.SOURCE.files:
        if raw.method == "arcgis":
            raw = dataclasses.replace(raw, url=http.arcgis_query_url(raw.service))
        elif raw.url:
            raw = dataclasses.replace(raw, url=server.url + direct_path(module.SOURCE, raw), sha256=pins.get(raw.name, raw.sha256))
        files.append(raw)
    source = dataclasses.replace(module.SOURCE, files=tuple(files))
    monkeypatch.setattr(module, "SOURCE", source)
    return source


# ---------------------------------------------------------------------------------------------
# Running the command and checking nothing moved
# ---------------------------------------------------------------------------------------------


def refresh(data: Path, source_id: str, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = cli.main(["--data-dir", str(data), "refresh", source_id])
    err = capsys.readouterr().err
    # Progress lines start with "  …"; anything else is what the user is told.
    told = [line for line in err.splitlines() if line.strip() and not line.startswith("  …")]
    return code, told


def assert_refused_and_untouched(data_copy, source, capsys, reason: str) -> None:
    data, baseline = data_copy
    source_id = source.id
    code, told = refresh(data, source_id, capsys)
    hashed = lambda key: key == "manifest.json" or key.startswith(("processed/", f"raw/{source.raw_folder}/"))  # noqa: E731
    after = stat_print(data, hashed)
    before = {key: (*value[:3], value[3] if hashed(key) else None) for key, value in baseline.items()}
    leftovers = sorted(p.name for p in data.parent.iterdir() if p.name != "data")
    if after != before or leftovers:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        shutil.rmtree(data.parent)  # put the copy back for the cases that follow
        copy_data(data)
        pytest.fail(f"refresh of {source_id} changed the data folder: {changed[:10]} leftovers {leftovers}")
    assert code != 0, f"refresh of {source_id} claimed success"
    assert len(told) == 1, told
    assert source_id in told[0], told[0]
    assert re.search(reason, told[0]), f"expected /{reason}/ in: {told[0]}"


# ---------------------------------------------------------------------------------------------
# Direct downloads: every source x every failure
# ---------------------------------------------------------------------------------------------

DIRECT_MODES = ["timeout", "http500", "html", "truncated", "checksum", "renamed"]
REASONS = {
    "timeout": r"timed out",
    "http500": r"HTTP 500",
    "html": r"HTML|not a zip|workbook|Excel|cannot convert",
    "truncated": r"truncated|broke off",
    "checksum": r"checksum mismatch",
}


@pytest.mark.parametrize("mode", DIRECT_MODES)
@pytest.mark.parametrize("name", DIRECT)
def test_failed_download_leaves_everything_untouched(name, mode, local, data_copy, monkeypatch, capsys):
    module = MODULES[name]
    first = fetchable(module.SOURCE)[0]
    pins = {}
    routes: dict[str, Route] = {}
    if mode == "timeout":
        monkeypatch.setenv("ATLAS_HTTP_READ_TIMEOUT", READ_TIMEOUT)
        routes[first.name] = Reply(stall=True)
    elif mode == "http500":
        routes[first.name] = Reply(status=500, body=b"Internal Server Error", content_type="text/plain")
    elif mode == "html":
        routes[first.name] = Reply(body=HTML_PAGE, content_type="text/html")
    elif mode == "truncated":
        body = held(module.SOURCE, first.name)
        routes[first.name] = Reply(body=body, send=len(body) // 2)
    elif mode == "checksum":
        # The declaration pins the checksum of the held file; one byte differs in what arrives.
        serve_held_layout(monkeypatch)
        pins[first.name] = hashlib.sha256(held(module.SOURCE, first.name)).hexdigest()
        routes[first.name] = Reply(body=tampered(held(module.SOURCE, first.name)))
    elif mode == "renamed":
        serve_held_layout(monkeypatch)
        target, old, new = RENAMED[name]
        for raw in fetchable(module.SOURCE):
            body = held(module.SOURCE, raw.name)
            routes[raw.name] = Reply(body=renamed_copy(raw.name, body, old, new) if raw.name == target else body)
            if raw.name == target:
                break
    source = point_at_server(module, local, monkeypatch, pins)
    local.routes.update({direct_path(source, source.file(n)): reply for n, reply in routes.items()})
    reason = re.escape(RENAMED[name][1]) if mode == "renamed" else REASONS[mode]
    assert_refused_and_untouched(data_copy, source, capsys, reason)


@pytest.mark.parametrize("name", MULTI_FILE)
def test_failure_after_a_good_file_discards_the_one_already_fetched(name, local, data_copy, monkeypatch, capsys):
    """The first file arrives intact and passes validation; the second fails: neither may be swapped in."""
    module = MODULES[name]
    serve_held_layout(monkeypatch)
    source = point_at_server(module, local, monkeypatch)
    good, bad = fetchable(source)[:2]
    local.routes[direct_path(source, good)] = Reply(body=held(source, good.name))
    local.routes[direct_path(source, bad)] = Reply(status=500, body=b"Internal Server Error")
    assert_refused_and_untouched(data_copy, source, capsys, r"HTTP 500")
    assert local.seen == [direct_path(source, good), direct_path(source, bad)]


# ---------------------------------------------------------------------------------------------
# ArcGIS FeatureServer layers (geography, lookups, boundaries)
# ---------------------------------------------------------------------------------------------

SAMPLE = 50  # records the fake layer holds: enough for several pages of 20


@functools.lru_cache(maxsize=None)
def layer_records(name: str) -> tuple[list[dict], bool]:
    """The first SAMPLE records of the held copy of an ArcGIS layer, as the FeatureServer pages them out."""
    module = MODULES[name]
    raw = fetchable(module.SOURCE)[0]
    data = held(module.SOURCE, raw.name)
    if ".geojson" in raw.name:
        return json.loads(text_of(raw.name, data))["features"][:SAMPLE], True
    rows = list(csv.DictReader(io.StringIO(text_of(raw.name, data).decode("utf-8-sig"))))[:SAMPLE]
    return rows, False


def arcgis_layer(records: list[dict], geometry: bool, *, count: int | None = None, page: Reply | None = None, first: Reply | None = None) -> Callable[[dict], Reply]:
    def route(query: dict) -> Reply:
        if first is not None:
            return first
        if query.get("returnCountOnly") == "true":
            return Reply(body=json.dumps({"count": len(records) if count is None else count}).encode(), content_type="application/json")
        if page is not None:
            return page
        offset, size = int(query["resultOffset"]), int(query["resultRecordCount"])
        chunk, more = records[offset : offset + size], offset + size < len(records)
        if geometry:
            body = {"type": "FeatureCollection", "features": chunk, "properties": {"exceededTransferLimit": more}}
        else:
            body = {"features": [{"attributes": row} for row in chunk], "exceededTransferLimit": more}
        return Reply(body=json.dumps(body).encode(), content_type="application/json")

    return route


def renamed_records(records: list[dict], geometry: bool, old: str, new: str) -> list[dict]:
    rename = lambda row: {new if key == old else key: value for key, value in row.items()}  # noqa: E731
    if geometry:
        return [{**feature, "properties": rename(feature["properties"])} for feature in records]
    return [rename(row) for row in records]


ARCGIS_ERROR = {"error": {"code": 400, "message": "Cannot perform query. Invalid query parameters.", "details": ["Unable to perform query."]}}
ARCGIS_MODES = {
    "timeout": r"timed out",
    "http500": r"HTTP 500",
    "html": r"did not return JSON",
    "truncated": r"IncompleteRead|ended prematurely|truncated|broke off",
    "arcgis_error": r"ArcGIS error",
    "count_mismatch": rf"returned {SAMPLE} records but reports {SAMPLE + 1}",
    "renamed": None,
}


@pytest.mark.parametrize("mode", list(ARCGIS_MODES))
@pytest.mark.parametrize("name", ARCGIS)
def test_failed_arcgis_layer_leaves_everything_untouched(name, mode, local, data_copy, monkeypatch, capsys):
    module = MODULES[name]
    source = point_at_server(module, local, monkeypatch)
    layer = fetchable(source)[0]
    records, geometry = layer_records(name)
    monkeypatch.setattr(http, "arcgis_records", functools.partial(http.arcgis_records, page_size=20))
    if mode == "timeout":
        monkeypatch.setenv("ATLAS_HTTP_READ_TIMEOUT", READ_TIMEOUT)
    good_page = arcgis_layer(records, geometry)({"resultOffset": "0", "resultRecordCount": "20"}).body
    layers = {
        "timeout": arcgis_layer(records, geometry, first=Reply(stall=True)),
        "http500": arcgis_layer(records, geometry, page=Reply(status=500, body=b"Internal Server Error")),
        "html": arcgis_layer(records, geometry, page=Reply(body=HTML_PAGE, content_type="text/html")),
        "truncated": arcgis_layer(records, geometry, page=Reply(body=good_page, send=len(good_page) // 2)),
        "arcgis_error": arcgis_layer(records, geometry, page=Reply(body=json.dumps(ARCGIS_ERROR).encode(), content_type="application/json")),
        "count_mismatch": arcgis_layer(records, geometry, count=SAMPLE + 1),
        "renamed": arcgis_layer(renamed_records(records, geometry, *RENAMED[name][1:]), geometry),
    }
    local.routes[urlsplit(http.arcgis_query_url(layer.service)).path] = layers[mode]
    reason = ARCGIS_MODES[mode] or re.escape(RENAMED[name][1])
    assert_refused_and_untouched(data_copy, source, capsys, reason)


def test_every_fetchable_source_is_covered():
    assert set(DIRECT) | set(ARCGIS) == {name for name, m in MODULES.items() if fetchable(m.SOURCE)}
    assert not set(DIRECT) & set(ARCGIS)
    for name in ARCGIS:  # the renamed field is one of the layer the server pages out: the first fetched file
        assert RENAMED[name][0] == fetchable(MODULES[name].SOURCE)[0].name, name
    assert "geography" in ARCGIS and "eu_referendum" in DIRECT and len(DIRECT) + len(ARCGIS) == 23


# ---------------------------------------------------------------------------------------------
# A successful refresh: the build runs on the scratch copy, then everything switches in together
# ---------------------------------------------------------------------------------------------

HARTLEPOOL_TURNOUT = (b",E06000001,Hartlepool,70341,46137,46134,65.59,", b",E06000001,Hartlepool,70341,46137,46134,66.59,")


def test_successful_refresh_switches_all_tables_together(local, tmp_path, monkeypatch, capsys):
    data = copy_data(tmp_path / "data")
    before = fingerprint(data)
    old_entries = {e["path"]: e for e in json.loads((data / "manifest.json").read_text())["files"]}
    module = MODULES["eu_referendum"]
    source = point_at_server(module, local, monkeypatch)
    raw = source.files[0]
    old, new = HARTLEPOOL_TURNOUT
    real = held(source, raw.name)
    assert real.count(old) == 1
    served = real.replace(old, new)
    local.routes[direct_path(source, raw)] = Reply(body=served, content_type="text/csv")

    observed = {}
    real_build, real_switch = build.run, build.switch_in

    def fake_build(data_dir, progress=lambda _m: None):
        result = real_build(data_dir, progress)
        observed["live after build"] = fingerprint(data)  # the build ran on the scratch copy only
        return result

    def switch_in(staging, processed):
        if Path(processed) == data / "processed":
            observed["live before switch"] = fingerprint(processed)
            observed["staged"] = fingerprint(staging)
        real_switch(staging, processed)

    monkeypatch.setattr(build, "run", fake_build)
    monkeypatch.setattr(build, "switch_in", switch_in)
    code, told = refresh(data, source.id, capsys)
    assert code == 0, told
    after = fingerprint(data)

    # Nothing in the live folder moved while the build ran.
    assert observed["live after build"] == before
    # Until the one switch, the live tables were all the old ones; after it, exactly the staged set, all new together.
    old_processed = {k.removeprefix("processed/"): v for k, v in before.items() if k.startswith("processed/")}
    new_processed = {k.removeprefix("processed/"): v for k, v in after.items() if k.startswith("processed/")}
    assert observed["live before switch"] == old_processed
    assert observed["staged"] == new_processed
    built = json.loads((data / "processed" / "build_info.json").read_text())["tables"]
    assert set(new_processed) == set(built) | {"build_info.json", "methodology.md"}
    changed = {k for k in new_processed if old_processed.get(k) != new_processed[k]}
    assert {"tidy/eu_referendum.parquet", "indicator_values.parquet", "factor_scores.parquet"} <= changed
    tidy = pd.read_parquet(data / "processed" / "tidy" / "eu_referendum.parquet")
    assert tidy.query("area_code == 'E06000001' and measure == 'pct_turnout'")["value"].item() == 66.59
    values = pd.read_parquet(data / "processed" / "indicator_values.parquet")
    assert values.query("area_code == 'E06000001' and indicator_id == 'eu_referendum_turnout'")["value"].item() == 66.59

    # Raw: only the refreshed file changed, to exactly what was served; the manifest records it.
    raw_key = f"raw/{source.raw_folder}/{raw.name}"
    assert (data / raw_key).read_bytes() == served
    assert {k for k in after if k.startswith("raw/") and before.get(k) != after[k]} == {raw_key}
    assert {k for k in after if k.startswith("raw/")} == {k for k in before if k.startswith("raw/")}
    entries = {e["path"]: e for e in json.loads((data / "manifest.json").read_text())["files"]}
    assert entries[raw_key]["sha256"] == hashlib.sha256(served).hexdigest()
    assert entries[raw_key]["url"] == raw.url and entries[raw_key]["retrieved"] == dt.date.today().isoformat()
    assert {k: v for k, v in entries.items() if k != raw_key} == {k: v for k, v in old_entries.items() if k != raw_key}
    # No scratch, staging or old-table folders left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    assert sorted(p.name for p in data.iterdir()) == ["manifest.json", "processed", "raw"]
