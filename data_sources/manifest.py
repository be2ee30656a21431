"""The bundled snapshot's manifest: one entry per raw file with its source, official URL, dates, licence and sha256."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from data_sources.http import atomic_target, sha256_of

# Documentation kept beside the data (provenance, licence texts, the geography build's own checksums), not data.
DOC_FILES = frozenset({"PROVENANCE.md", "LICENSE.md", "MANIFEST.json"})
MANIFEST_COLUMNS = ["path", "source_id", "url", "retrieved", "published", "sha256", "bytes", "licence", "provenance"]


@dataclass(frozen=True)
class ManifestEntry:
    path: str  # relative to the data folder, e.g. raw/iod2025/iod2025_file10_lad24_summaries.csv (raw/<source id>/<file>)
    source_id: str
    url: str
    retrieved: str
    published: str
    sha256: str
    bytes: int
    licence: str
    provenance: str  # the PROVENANCE.md kept beside the file


def load(manifest_file: Path) -> list[ManifestEntry]:
    if not manifest_file.exists():
        return []
    body = json.loads(manifest_file.read_text(encoding="utf-8"))
    return [ManifestEntry(**entry) for entry in body["files"]]


def save(manifest_file: Path, entries: list[ManifestEntry]) -> None:
    ordered = sorted(entries, key=lambda e: e.path)
    text = json.dumps({"files": [asdict(e) for e in ordered]}, indent=1, ensure_ascii=False) + "\n"
    with atomic_target(manifest_file) as tmp:
        tmp.write_text(text, encoding="utf-8")


def upsert(entries: list[ManifestEntry], new: list[ManifestEntry]) -> list[ManifestEntry]:
    by_path = {e.path: e for e in entries}
    by_path.update({e.path: e for e in new})
    return list(by_path.values())


def verify(data_dir: Path, entries: list[ManifestEntry]) -> list[str]:
    """Problems found: files missing, changed, or present under raw/ but not listed."""
    problems = []
    listed = set()
    for entry in entries:
        listed.add(entry.path)
        path = data_dir / entry.path
        if not path.exists():
            problems.append(f"missing: {entry.path}")
            continue
        if path.stat().st_size != entry.bytes:
            problems.append(f"size differs: {entry.path} ({path.stat().st_size} bytes, manifest {entry.bytes})")
            continue
        if sha256_of(path) != entry.sha256:
            problems.append(f"sha256 differs: {entry.path}")
    for path in sorted((data_dir / "raw").rglob("*")):
        relative = path.relative_to(data_dir).as_posix()
        if path.is_file() and path.name not in DOC_FILES and not path.name.startswith(".") and relative not in listed:
            problems.append(f"not in manifest: {relative}")
    return problems
