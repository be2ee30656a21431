"""The loader contract: what each source test module declares about its source, and the checks run on it.

Every tests/test_source_<id>.py declares at module level

    CONTRACT = contract.Contract(samples=(Sample(...), ...), damaged=(Damaged(...), ...), urls={...})

and tests/test_source_contract.py runs the shared checks on every source from it: a renamed header, a truncated
file, an HTML page and an empty file raise SchemaError naming the file; every declared URL is the official one and is
sent exactly; a failed fetch (HTTP 500, an HTML page) raises FetchError and keeps the held files byte-identical; a
source with nothing to download sends no request. tests/test_fuzz_readers.py fuzzes the samples, and
tests/test_safe_refresh.py serves the first damaged header renamed in a refresh. The per-source modules keep what is
particular to their source: the real values, the converters, the checks of their own damage.
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import importlib
import io
import json
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import responses

from conftest import RAW
from data_sources import all_modules, http
from data_sources.base import FetchError, SchemaError

HTML_PAGE = b"<!DOCTYPE html><html><head><title>Service unavailable</title></head><body>Sorry</body></html>"
DAMAGE_KINDS = ("renamed", "truncated", "html", "empty")


def halve(text: bytes) -> bytes:
    """The first half of the content: for a workbook, a parquet or a JSON document that is a broken file."""
    return text[: len(text) // 2]


def cut_mid_row(text: bytes) -> bytes:
    """The default truncation: a download that broke off inside the first field of a row half way through the file.

    A cut inside a row's last value could leave a shorter number that still reads, and one just after a delimiter an
    empty last cell that reads as suppressed; a row cut inside its first field is short of fields in any layout.
    Binary and JSON content is halved.
    """
    if text[:4] in (b"PAR1", b"PK\x03\x04") or text.lstrip()[:1] in (b"{", b"["):
        return halve(text)
    line = re.compile(rb"[\r\n]+").search(text, len(text) // 2)
    if line is None or line.end() >= len(text) - 1:
        return halve(text)
    first = re.compile(rb"[,\r\n]").search(text, line.end() + 1)
    field = (first.start() if first else len(text)) - line.end()
    return text[: line.end() + max(1, field // 2)]


def cut_after(marker: bytes, keep: int = 0) -> Callable[[bytes], bytes]:
    """A truncation that ends the file `keep` bytes after the first occurrence of marker (mid-row)."""

    def cut(text: bytes) -> bytes:
        at = text.index(marker)
        return text[: at + len(marker) + keep]

    return cut


@dataclasses.dataclass(frozen=True)
class Sample:
    """A real held file the fuzzed readers start from, sliced small."""

    name: str  # as held, relative to the source's raw folder
    rows: int | None = 50  # data records (or features) kept; None keeps them all
    header: str | None = None  # a cell of the header row, where title rows sit above it
    keep: str | None = None  # regex: keep only data records matching it (a filtered real slice)
    beside: tuple[str, ...] = ()  # held files the reader needs next to it, copied whole
    sheets: tuple[str, ...] = ()  # workbook: the sheets kept (all when empty)
    source: str = ""  # the source id, filled in from the declaring module when the contracts are collected

    def __str__(self) -> str:
        return f"{self.source}:{Path(self.name).name}"


@dataclasses.dataclass(frozen=True)
class Damaged:
    """A header the reader requires in a held file, and how a copy of that file is damaged."""

    name: str  # the held file, relative to the source's raw folder
    old: str  # a required header as held (for JSON: a property key of every record)
    new: str  # what the damaged copy calls it instead
    cut: Callable[[bytes], bytes] = cut_mid_row  # the truncated copy: applied to the unzipped content
    beside: tuple[str, ...] = ()  # held files the reader needs next to it, copied whole


@dataclasses.dataclass(frozen=True)
class Contract:
    """What the shared checks need to know about one source."""

    samples: tuple[Sample, ...]  # at least one real held file to fuzz
    # At least one. The first names a file the source fetches (if it fetches any): the one a refresh serves renamed.
    damaged: tuple[Damaged, ...]
    urls: Mapping[str, str]  # every declared file -> its official URL, exactly; "" where there is no official download
    # The recorded good responses (URL -> body), read from tests/fixtures/<id>/, so that the failing file of the
    # failed-fetch check can be one that is fetched after others succeeded.
    recorded: Callable[[], dict[str, bytes]] | None = None
    failing: str = ""  # the file whose download fails in the failed-fetch check; default the first one fetched
    html_message: str = "HTML"  # regex: what the FetchError says when an HTML page arrives in place of `failing`

    @property
    def renamed(self) -> tuple[str, str, str]:
        """(file, header as held, header as renamed) for the refresh that serves a renamed header."""
        first = self.damaged[0]
        return first.name, first.old, first.new


# ---------------------------------------------------------------------------------------------
# Collecting the declarations
# ---------------------------------------------------------------------------------------------


def source_ids() -> list[str]:
    return [module.SOURCE.id for module in all_modules()]


def source_test_module(source_id: str) -> ModuleType:
    """tests/test_source_<id>.py, imported by id (pytest puts tests/ on the path, so it is the module pytest runs)."""
    return importlib.import_module(f"test_source_{source_id}")


@functools.cache
def contract_of(source_id: str) -> Contract:
    declared = source_test_module(source_id).CONTRACT
    assert isinstance(declared, Contract), f"test_source_{source_id}.CONTRACT is not a Contract"
    return dataclasses.replace(declared, samples=tuple(dataclasses.replace(s, source=source_id) for s in declared.samples))


def contracts() -> dict[str, Contract]:
    """Every source's contract, by source id, in the registry's order."""
    return {source_id: contract_of(source_id) for source_id in source_ids()}


def fetchable(source) -> list:
    """The declared files a fetch downloads: ArcGIS and Nomis layers, and direct files with an official URL."""
    return [raw for raw in source.files if raw.method != "direct" or raw.url]


# ---------------------------------------------------------------------------------------------
# Damaged copies of real held files
# ---------------------------------------------------------------------------------------------


def _pack(name: str, text: bytes) -> bytes:
    # Held .gz files must stay gzipped so that the reader meets the damage after decompressing, as it would in use.
    return gzip.compress(text, compresslevel=1, mtime=0) if name.endswith(".gz") else text


def _unpack(name: str, data: bytes) -> bytes:
    return gzip.decompress(data) if name.endswith(".gz") else data


def renamed_copy(name: str, data: bytes, old: str, new: str) -> bytes:
    """The held bytes with one required header renamed, as a publisher renaming it would send them."""
    if name.endswith(".parquet"):
        # A parquet file names each column in several places; rewrite it as a server with a renamed column would send it.
        frame = pd.read_parquet(io.BytesIO(data))
        assert old in frame.columns, f"{old!r} not in {name}"
        buffer = io.BytesIO()
        frame.rename(columns={old: new}).to_parquet(buffer, index=False)
        return buffer.getvalue()
    if name.endswith(".xlsx"):
        # A workbook header cell (held headers may carry a trailing space): the first cell reading `old` is renamed.
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        cell = next((c for sheet in book.worksheets for row in sheet.iter_rows(max_row=5) for c in row if str(c.value).strip() == old), None)
        assert cell is not None, f"{old!r} not in {name}"
        cell.value = new
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    text = _unpack(name, data)
    if ".json" in name or ".geojson" in name:
        # A property key of every record: rename it in all of them, as a renamed field would arrive.
        key = json.dumps(old).encode() + b":"
        assert key in text, f"{old!r} is not a key in {name}"
        return _pack(name, text.replace(key, json.dumps(new).encode() + b":"))
    assert old.encode() in text, f"{old!r} not in {name}"
    return _pack(name, text.replace(old.encode(), new.encode(), 1))


def damaged_copies(real: Path, damaged: Damaged) -> dict[str, bytes]:
    """The four damaged copies every reader must reject: renamed header, truncated, HTML page, empty file."""
    name = real.name
    data = real.read_bytes()
    return {
        "renamed": renamed_copy(name, data, damaged.old, damaged.new),
        "truncated": _pack(name, damaged.cut(_unpack(name, data))),
        "html": _pack(name, HTML_PAGE),
        "empty": _pack(name, b""),
    }


def write_variant(tmp_path: Path, kind: str, name: str, data: bytes, beside: tuple[Path, ...] = ()) -> Path:
    target = tmp_path / kind / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    for path in beside:
        shutil.copyfile(path, target.parent / path.name)
    return target


def assert_damage_rejected(module: ModuleType, tmp_path: Path, damaged: Damaged, kinds: tuple[str, ...] = DAMAGE_KINDS) -> None:
    """Each damaged copy of the held file raises SchemaError naming the file, and saying what is wrong where it can:
    the renamed header it misses, that an HTML page is no data, that the file is empty."""
    real = RAW / module.SOURCE.raw_folder / damaged.name
    beside = tuple(real.parent / name for name in damaged.beside)
    copies = damaged_copies(real, damaged)
    for kind in kinds:
        path = write_variant(tmp_path, kind, damaged.name, copies[kind], beside)
        try:
            module.read(path)
        except SchemaError as exc:
            message = str(exc)
        else:
            raise AssertionError(f"{module.SOURCE.id}: the {kind} copy of {damaged.name} was read without a SchemaError")
        assert real.name in message, (kind, message)
        if kind == "renamed":
            assert damaged.old in message or damaged.old.lower().replace(" ", "_") in message, message
        elif kind == "html":
            assert "HTML" in message, message
        elif kind == "empty":
            assert "empty" in message, message


# ---------------------------------------------------------------------------------------------
# Declared URLs and fetches
# ---------------------------------------------------------------------------------------------


def assert_declared_urls(module: ModuleType, expected: Mapping[str, str]) -> None:
    """Every declared file has exactly the expected official URL, and the request fetch() sends is exactly that URL."""
    assert {raw.name: raw.url for raw in module.SOURCE.files} == dict(expected)
    for url in expected.values():
        if url:
            assert http.build_request(url).url == url


def register(bodies: dict[str, bytes]) -> None:
    for url, body in bodies.items():
        responses.add(responses.GET, url, body=body, status=200)


def assert_fetch_records(module: ModuleType, tmp_path: Path, bodies: dict[str, bytes]) -> Path:
    """fetch() lands every fetchable file, each reads, and the manifest records its url and sha256."""
    raw_root = tmp_path / "raw"
    register(bodies)
    folder = module.fetch(raw_root)
    assert folder == raw_root / module.SOURCE.id
    entries = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    fetched = fetchable(module.SOURCE)
    assert len(entries) == len(fetched)
    for raw in fetched:
        path = folder / raw.name
        assert path.exists(), raw.name
        frame = module.read(path)
        assert len(frame) > 0
        entry = entries[f"raw/{module.SOURCE.id}/{raw.name}"]
        assert entry["url"] == raw.url
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["source_id"] == module.SOURCE.id
        assert entry["provenance"] == f"raw/{module.SOURCE.id}/PROVENANCE.md"
    return folder


def assert_failed_fetch_keeps_files(module: ModuleType, tmp_path: Path, monkeypatch, good_bodies: dict[str, bytes], failing_url: str, html_message: str = "HTML") -> None:
    """An HTTP 500, then an HTML page, for one file: each raises FetchError naming the source and saying what went
    wrong, leaves every held file byte-identical, writes no manifest and leaves no staging folder."""
    monkeypatch.setenv("ATLAS_HTTP_RETRIES", "0")
    raw_root = tmp_path / "raw"
    folder = raw_root / module.SOURCE.raw_folder
    folder.mkdir(parents=True)
    held = {}
    for raw in fetchable(module.SOURCE):
        (folder / raw.name).parent.mkdir(parents=True, exist_ok=True)
        (folder / raw.name).write_bytes(b"last good copy of " + raw.name.encode())
        held[raw.name] = (folder / raw.name).read_bytes()
    failures = (
        ({"status": 500, "body": b"Internal Server Error"}, "HTTP 500"),
        ({"status": 200, "body": HTML_PAGE, "content_type": "text/html"}, html_message),
    )
    for failure, message in failures:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            for url, body in good_bodies.items():
                if url != failing_url:
                    mock.add(responses.GET, url, body=body, status=200)
            mock.add(responses.GET, failing_url, **failure)
            with pytest.raises(FetchError, match=message) as info:
                module.fetch(raw_root)
            assert any(call.request.url.split("?")[0] == failing_url.split("?")[0] for call in mock.calls), "the failing file was never requested"
        assert module.SOURCE.id in str(info.value)
        for name, before in held.items():
            assert (folder / name).read_bytes() == before, name
        assert not (tmp_path / "manifest.json").exists()
        assert not list(raw_root.glob(".staging-*"))


def assert_fetch_sends_nothing(module: ModuleType, tmp_path: Path) -> None:
    """A source with no official download: fetch() sends no request, changes no held file and records nothing."""
    folder = tmp_path / "raw" / module.SOURCE.raw_folder
    for raw in module.SOURCE.files:
        (folder / raw.name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(RAW / module.SOURCE.raw_folder / raw.name, folder / raw.name)
    before = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with responses.RequestsMock() as mock:  # nothing is registered: any request would fail
        assert module.fetch(tmp_path / "raw") == folder
        assert len(mock.calls) == 0, [call.request.url for call in mock.calls]
    assert {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert json.loads((tmp_path / "manifest.json").read_text())["files"] == []
