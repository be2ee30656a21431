"""Shared checks for the loader contract (bad input raises SchemaError, failed fetches keep the last good file)."""
from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest
import responses

from data_sources import http
from data_sources.base import FetchError, SchemaError

HTML_PAGE = b"<!DOCTYPE html><html><head><title>Service unavailable</title></head><body>Sorry</body></html>"


def _pack(name: str, text: bytes) -> bytes:
    # Held .gz files must stay gzipped so that the reader meets the damage after decompressing, as it would in use.
    return gzip.compress(text, mtime=0) if name.endswith(".gz") else text


def _unpack(name: str, data: bytes) -> bytes:
    return gzip.decompress(data) if name.endswith(".gz") else data


def write_variant(tmp_path: Path, kind: str, name: str, data: bytes) -> Path:
    target = tmp_path / kind / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def malformed_variants(real: Path, *, old: str, new: str, cut: Callable[[bytes], bytes]) -> dict[str, bytes]:
    """The four damaged copies every reader must reject: renamed column, truncated, HTML page, empty file."""
    name = real.name
    text = _unpack(name, real.read_bytes())
    assert old.encode() in text, f"{old!r} not in {name}"
    return {
        "renamed": _pack(name, text.replace(old.encode(), new.encode(), 1)),
        "truncated": _pack(name, cut(text)),
        "html": _pack(name, HTML_PAGE),
        "empty": b"" if not name.endswith(".gz") else gzip.compress(b"", mtime=0),
    }


def assert_malformed_rejected(module: ModuleType, tmp_path: Path, real: Path, *, old: str, new: str, cut: Callable[[bytes], bytes]) -> None:
    for kind, data in malformed_variants(real, old=old, new=new, cut=cut).items():
        path = write_variant(tmp_path, kind, real.name, data)
        with pytest.raises(SchemaError) as info:
            module.read(path)
        assert real.name in str(info.value), (kind, str(info.value))
        if kind == "renamed":
            assert old in str(info.value) or old.lower().replace(" ", "_") in str(info.value), str(info.value)


def cut_after(marker: bytes, keep: int = 0) -> Callable[[bytes], bytes]:
    """A truncation that ends the file `keep` bytes after the first occurrence of marker (mid-row)."""

    def cut(text: bytes) -> bytes:
        at = text.index(marker)
        return text[: at + len(marker) + keep]

    return cut


def register(bodies: dict[str, bytes]) -> None:
    for url, body in bodies.items():
        responses.add(responses.GET, url, body=body, status=200)


def assert_fetch_records(module: ModuleType, tmp_path: Path, bodies: dict[str, bytes]) -> Path:
    """fetch() lands every fetchable file, each reads, and the manifest records its url and sha256."""
    raw_root = tmp_path / "raw"
    register(bodies)
    folder = module.fetch(raw_root)
    assert folder == raw_root / module.SOURCE.raw_folder
    entries = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    fetched = [raw for raw in module.SOURCE.files if raw.url]
    assert len(entries) == len(fetched)
    for raw in fetched:
        path = folder / raw.name
        assert path.exists(), raw.name
        frame = module.read(path)
        assert len(frame) > 0
        entry = entries[f"raw/{module.SOURCE.raw_folder}/{raw.name}"]
        assert entry["url"] == raw.url
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["source_id"] == module.SOURCE.id
        assert entry["provenance"] == f"raw/{module.SOURCE.raw_folder}/PROVENANCE.md"
    return folder


def assert_failed_fetch_keeps_file(module: ModuleType, tmp_path: Path, monkeypatch, good_bodies: dict[str, bytes], failing_url: str) -> None:
    """An HTTP 500 or an HTML page for one file raises FetchError and leaves every held file byte-identical."""
    monkeypatch.setenv("ATLAS_HTTP_RETRIES", "0")
    raw_root = tmp_path / "raw"
    folder = raw_root / module.SOURCE.raw_folder
    folder.mkdir(parents=True)
    held = {}
    for raw in module.SOURCE.files:
        if raw.url:
            (folder / raw.name).parent.mkdir(parents=True, exist_ok=True)
            (folder / raw.name).write_bytes(b"last good copy of " + raw.name.encode())
            held[raw.name] = (folder / raw.name).read_bytes()
    for failure in ({"status": 500, "body": b"Internal Server Error"}, {"status": 200, "body": HTML_PAGE, "content_type": "text/html"}):
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            for url, body in good_bodies.items():
                if url != failing_url:
                    mock.add(responses.GET, url, body=body, status=200)
            mock.add(responses.GET, failing_url, **failure)
            with pytest.raises(FetchError) as info:
                module.fetch(raw_root)
        assert module.SOURCE.id in str(info.value)
        for name, before in held.items():
            assert (folder / name).read_bytes() == before
        assert not (tmp_path / "manifest.json").exists()
        assert not list(raw_root.glob(".staging-*"))


def assert_declared_urls(module: ModuleType, expected: dict[str, str]) -> None:
    """The declared URL of each file is the official one, and the request fetch() sends is exactly that URL."""
    for name, url in expected.items():
        raw = module.SOURCE.file(name)
        assert raw.url == url
        if url:
            assert http.build_request(raw.url).url == url


def assert_500_and_html_keep_held_file(module: ModuleType, tmp_path: Path, held: Path, url: str, html_message: str) -> None:
    """A 500 and then an HTML page from the publisher each raise FetchError and leave the held copy byte-identical.

    Call inside @responses.activate."""
    import shutil

    import pytest
    import responses

    from data_sources.base import FetchError

    target = tmp_path / "raw" / module.SOURCE.raw_folder / held.name
    target.parent.mkdir(parents=True)
    shutil.copy(held, target)
    before = target.read_bytes()
    responses.add(responses.GET, url, status=500)
    with pytest.raises(FetchError, match="500"):
        module.fetch(tmp_path / "raw")
    responses.replace(responses.GET, url, body=b"<!DOCTYPE html><html><body>Service unavailable</body></html>")
    with pytest.raises(FetchError, match=html_message):
        module.fetch(tmp_path / "raw")
    assert target.read_bytes() == before
