"""The incremental build's cache, data/<data dir>/.build-cache/: what the build computed from raw files, kept per input.

Four kinds of entry, each keyed by what it was computed from:

- geography: the areas table and the LAD and ward boundary frames (the writers still run every build);
- tidy/<source id>: a source's tidy frame, as the exact parquet file the build writes to processed/tidy/;
- indicators/<indicator id>: what the indicator's compute function returned, one parquet file per level;
- steps/<function>: the build steps computed from the context alone (ward reliability, the 2023 election matches).

Factor scores, coherence, neighbours and benchmarks depend on all the values and are computed every build.

An entry's key is a sha256 over the code fingerprint (every .py file of the packages that read and compute, settings.py,
vocabulary.py, the Python and library versions) and the sha256 of every top-level raw folder (or file) the computation
read, as recorded while it ran (indicators.context.record_reads: the tidy sources looked up, the files opened, and the
reads behind the shared lookups and weights). A tidy source always depends on its own folder, an indicator also on the
geography's folders and its declared sources. An entry is reused only when its stored key equals the key recomputed
from the raw files on disk now, so a changed file invalidates exactly the entries that read its folder, and any code
change invalidates all of them. What cannot be told (a file outside raw/ read, an input of unknown origin) or would
not come back from parquet exactly as computed is not cached: it is computed every build.

Reused frames are checked at store time to read back identical (dtypes, index, values, object types, geometry and
its precision) to what the computation returned, so the build downstream sees exactly what a full build sees.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import settings
from indicators.context import Reads, not_recorded, note_reads, record_reads

CACHE_FOLDER = ".build-cache"
FORMAT = 1  # bump when the layout of an entry changes
# The code whose change can change a cached frame: the readers, lookups, indicators, scoring helpers and the build.
CODE_PACKAGES = ("data_sources", "indicators", "areas", "scoring", "pipeline")
CODE_MODULES = ("settings.py", "vocabulary.py")
# The libraries that read, compute and write those frames (pyproj: the reprojections; openpyxl, xlrd: the workbooks).
LIBRARIES = ("pandas", "numpy", "pyarrow", "geopandas", "shapely", "pyproj", "pyogrio", "openpyxl", "xlrd", "scipy")
EVERYTHING = "*"  # a dependency on the whole raw folder (the tidy sources iterated, raw/ itself listed)
GEOGRAPHY = "geography"
# Build steps that read only the context (raw files through it), never the indicator values: cached like indicators.
# ward_elections.local_election_turnout calls election_matches_2023 as well, and gets the cached table too.
CONTEXT_STEPS = (("areas.reliability", "ward_reliability"), ("indicators.ward_elections", "election_matches_2023"))
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def cache_dir(data_dir: Path) -> Path:
    return Path(data_dir) / CACHE_FOLDER


@functools.lru_cache(maxsize=None)
def code_fingerprint(root: Path = settings.PROJECT_ROOT) -> str:
    """A hash of the code that computes the cached frames, taken once per process: the code a process runs is the code
    it imported, whatever is edited on disk while it runs."""
    digest = hashlib.sha256(f"format {FORMAT}\0python {sys.version}\0".encode())
    files = [path for package in CODE_PACKAGES for path in sorted((root / package).rglob("*")) if _is_code(path)]
    files += [root / name for name in CODE_MODULES]
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps([[name, _version(name)] for name in LIBRARIES]).encode())
    return digest.hexdigest()


def _is_code(path: Path) -> bool:
    """A file of a code package (any file: a package may ship data it reads), not Python's bytecode cache."""
    return path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def raw_hashes(raw_root: Path) -> dict[str, str]:
    """sha256 of each top-level entry of raw/ (a source's folder: every file in it, by relative path), and of all."""
    raw_root = Path(raw_root)
    out: dict[str, str] = {}
    if raw_root.is_dir():
        for entry in sorted(raw_root.iterdir()):
            if entry.is_dir():
                digest = hashlib.sha256(b"folder\0")
                for path in sorted(p for p in entry.rglob("*") if p.is_file()):
                    digest.update(f"{path.relative_to(entry).as_posix()}\0{_file_sha256(path)}\0".encode())
                out[entry.name] = digest.hexdigest()
            elif entry.is_file():
                out[entry.name] = "file " + _file_sha256(entry)
    out[EVERYTHING] = hashlib.sha256(json.dumps(sorted(out.items())).encode()).hexdigest()
    return out


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


# ---------------------------------------------------------------------------------------------
# Frames, stored and compared exactly
# ---------------------------------------------------------------------------------------------

def _same_index(a: pd.Index, b: pd.Index) -> bool:
    if type(a) is not type(b) or a.dtype != b.dtype or list(a.names) != list(b.names) or not a.equals(b):
        return False
    if a.dtype == object:
        return [type(v) for v in a] == [type(v) for v in b]
    return True


def _same_column(a: pd.Series, b: pd.Series) -> bool:
    if a.dtype != b.dtype:
        return False
    if isinstance(a.dtype, gpd.array.GeometryDtype):
        left, right = np.asarray(a.values), np.asarray(b.values)
        return (
            a.values.crs == b.values.crs
            and list(shapely.to_wkb(left)) == list(shapely.to_wkb(right))
            and np.array_equal(shapely.get_precision(left), shapely.get_precision(right), equal_nan=True)
        )
    if not a.equals(b):
        return False
    if a.dtype == object:  # equals() takes None for NaN; a later astype(str) does not
        return [type(v) for v in a] == [type(v) for v in b]
    return True


def identical(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same frame for every purpose of the build: class, index, columns, dtypes, values, the Python types in object
    columns, geometry (as WKB, with its precision grid), CRS and attrs."""
    if type(a) is not type(b) or a.shape != b.shape or not _same_index(a.index, b.index) or not _same_index(a.columns, b.columns):
        return False
    if isinstance(a, gpd.GeoDataFrame) and (a._geometry_column_name != b._geometry_column_name or a.crs != b.crs):
        return False
    if repr(a.attrs) != repr(b.attrs):
        return False
    return all(_same_column(a.iloc[:, i], b.iloc[:, i]) for i in range(a.shape[1]))


def _precision(frame: pd.DataFrame) -> dict[str, float]:
    out = {}
    for column in frame.columns:
        if isinstance(frame[column].dtype, gpd.array.GeometryDtype):
            grids = np.unique(shapely.get_precision(np.asarray(frame[column].values)))
            out[column] = float(grids[0]) if len(grids) == 1 else float("nan")
    return out


def _write_frame(frame: pd.DataFrame, path: Path) -> dict:
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(path)
        return {"file": path.name, "geo": True, "precision": _precision(frame)}
    frame.to_parquet(path)
    return {"file": path.name, "geo": False}


def _read_frame(folder: Path, part: dict) -> pd.DataFrame:
    path = folder / part["file"]
    if not part.get("geo"):
        return pd.read_parquet(path)
    frame = gpd.read_parquet(path)
    # WKB keeps coordinates exactly but not the precision grid the build set (areas.geography._round): put it back.
    for column, grid in part.get("precision", {}).items():
        if grid:
            grid_geometry = shapely.set_precision(np.asarray(frame[column].values), grid, mode="pointwise")
            frame[column] = gpd.GeoSeries(grid_geometry, index=frame.index, crs=frame[column].crs)
    return frame


# ---------------------------------------------------------------------------------------------
# The cache of one build
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Tally:
    geography_reused: bool = False
    sources_reused: list[str] = dataclasses.field(default_factory=list)
    sources_read: list[str] = dataclasses.field(default_factory=list)
    indicators_reused: list[str] = dataclasses.field(default_factory=list)
    indicators_computed: list[str] = dataclasses.field(default_factory=list)
    # Computed every build, with why they are not cached.
    indicators_not_cached: dict[str, str] = dataclasses.field(default_factory=dict)
    steps_reused: list[str] = dataclasses.field(default_factory=list)
    steps_computed: list[str] = dataclasses.field(default_factory=list)


class BuildCache:
    """The cache of one build of data_dir; entries are read and written under data_dir/.build-cache/."""

    def __init__(self, data_dir: Path, progress: Callable[[str], None] = lambda _m: None):
        self.data_dir = Path(data_dir)
        self.raw_root = self.data_dir / "raw"
        self.folder = cache_dir(self.data_dir)
        self.progress = progress
        self.fingerprint = code_fingerprint()
        self.hashes = raw_hashes(self.raw_root)
        self.tally = Tally()
        self.touched: set[tuple[str, str]] = set()
        # The raw folders each tidy source's frame rests on (None: not known), filled as the sources are read.
        self.tidy_deps: dict[str, set[str] | None] = {}
        self.geography_deps: set[str] | None = None
        self.last_refusal = ""
        self._roots = {os.path.abspath(self.raw_root), os.path.realpath(self.raw_root)}
        self._data_roots = {os.path.abspath(self.data_dir), os.path.realpath(self.data_dir)}
        project = settings.PROJECT_ROOT
        self._project_roots = {os.path.abspath(project), os.path.realpath(project)}
        code = [project / name for name in (*CODE_PACKAGES, *CODE_MODULES)] + [Path(sys.prefix), Path(sys.base_prefix)]
        self._code_roots = {str(root) for path in code for root in (os.path.abspath(path), os.path.realpath(path))}

    # --- keys and dependencies ------------------------------------------------------------------
    def key(self, kind: str, name: str, deps: set[str] | list[str]) -> str:
        parts = [[dep, self.hashes.get(dep, "absent")] for dep in sorted(set(deps))]
        return hashlib.sha256(json.dumps([FORMAT, self.fingerprint, kind, name, parts]).encode()).hexdigest()

    def _raw_entry(self, path: str) -> str | None:
        """The top-level raw entry a path opened lies in, EVERYTHING for raw/ itself; "" for what the keys cover
        otherwise (the fingerprinted code) or what no build input is (the Python installation, files outside the
        project and the data folder); None for anything else (another file of the data folder or the project)."""
        candidates = (path, os.path.realpath(path))
        for candidate in candidates:
            for root in self._roots:
                if candidate == root:
                    return EVERYTHING
                if candidate.startswith(root + os.sep):
                    return candidate[len(root) + 1 :].split(os.sep, 1)[0]
        if any(_under(candidate, root) for candidate in candidates for root in self._data_roots):
            return None
        if any(_under(candidate, root) for candidate in candidates for root in self._code_roots):
            return ""
        if any(_under(candidate, root) for candidate in candidates for root in self._project_roots):
            return None
        return ""

    def folders_of(self, reads: Reads) -> set[str] | None:
        """The raw entries what was read rests on; None if that cannot be told."""
        if reads.unknown:
            return None
        out = {EVERYTHING} if reads.everything else set()
        for source_id in reads.tidy:
            deps = self.tidy_deps.get(source_id, {source_id})
            if deps is None:
                return None
            out |= deps
        for path in reads.files:
            entry = self._raw_entry(path)
            if entry is None:
                return None
            if entry:
                out.add(entry)
        return out

    # --- entries ----------------------------------------------------------------------------------
    def _paths(self, kind: str, name: str) -> tuple[Path, Path]:
        if not _NAME.fullmatch(name):
            raise ValueError(f"cache entry name {name!r}")
        return self.folder / kind / f"{name}.json", self.folder / kind / name

    def drop(self, kind: str, name: str) -> None:
        meta_path, parts = self._paths(kind, name)
        meta_path.unlink(missing_ok=True)
        shutil.rmtree(parts, ignore_errors=True)

    def load(self, kind: str, name: str, frames: bool = True) -> tuple[dict, list[pd.DataFrame]] | None:
        """The entry's metadata and frames (if frames) if it is valid for the raw files and code of this build, else None."""
        with not_recorded():  # the cache's files are no input of what is being computed
            return self._load(kind, name, frames)

    def _load(self, kind: str, name: str, frames: bool) -> tuple[dict, list[pd.DataFrame]] | None:
        self.touched.add((kind, name))
        meta_path, parts = self._paths(kind, name)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT or meta["key"] != self.key(kind, name, meta["deps"]):
                return None
            return meta, [_read_frame(parts, part) for part in meta["parts"]] if frames else []
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry is a miss, never an error: drop it and compute
            self.drop(kind, name)
            return None

    def store(self, kind: str, name: str, deps: set[str], frames: dict[str, pd.DataFrame], extra: dict | None = None) -> bool:
        """Keep frames under the key of deps; False (and nothing kept) if they would not read back identical."""
        with not_recorded():
            return self._store(kind, name, deps, frames, extra)

    def _store(self, kind: str, name: str, deps: set[str], frames: dict[str, pd.DataFrame], extra: dict | None) -> bool:
        self.touched.add((kind, name))
        self.drop(kind, name)
        meta_path, parts = self._paths(kind, name)
        try:
            parts.mkdir(parents=True)
            stored = []
            for index, (label, frame) in enumerate(frames.items()):
                if not isinstance(frame, pd.DataFrame):
                    raise _NotCacheable(f"{label} is a {type(frame).__name__}, not a DataFrame")
                part = {"label": label, **_write_frame(frame, parts / f"{index}.parquet")}
                if not identical(frame, _read_frame(parts, part)):
                    raise _NotCacheable(f"{label} does not come back from parquet identical")
                stored.append(part)
            meta = {"format": FORMAT, "kind": kind, "name": name, "key": self.key(kind, name, deps), "deps": sorted(deps), "parts": stored, **(extra or {})}
            tmp = meta_path.with_name(meta_path.name + ".part")
            tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, meta_path)  # the entry exists only once its frames are all written
            return True
        except Exception as exc:  # a frame parquet cannot hold (or not exactly) is computed every build instead
            self.drop(kind, name)
            self.last_refusal = str(exc) if isinstance(exc, _NotCacheable) else f"it cannot be stored ({type(exc).__name__}: {exc})"
            return False

    def prune(self) -> None:
        """Remove entries this build did not look at (sources or indicators no longer declared)."""
        if not self.folder.exists():
            return
        for meta_path in self.folder.glob("*/*.json"):
            if (meta_path.parent.name, meta_path.stem) not in self.touched:
                self.drop(meta_path.parent.name, meta_path.stem)

    # --- the build's stages ---------------------------------------------------------------------
    def geography(self, compute: Callable[[], tuple[pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]]):
        """(areas, lad layer, ward layer), reused while the raw folders they were built from are unchanged."""
        hit = self.load(GEOGRAPHY, "areas_and_boundaries")
        if hit is not None:
            meta, frames = hit
            self.geography_deps = set(meta["deps"])
            self.tally.geography_reused = True
            return tuple(frames)
        with record_reads() as reads:
            areas, lad_layer, ward_layer = compute()
        deps = self.folders_of(reads)
        if deps is not None:
            deps.add(GEOGRAPHY)
            if self.store(GEOGRAPHY, "areas_and_boundaries", deps, {"areas": areas, "lad": lad_layer, "ward": ward_layer}):
                self.geography_deps = deps
        return areas, lad_layer, ward_layer

    def tidy(self, source, target: Path, read: Callable[[], pd.DataFrame | None], write: Callable[[pd.DataFrame], None]) -> pd.DataFrame | CachedFrame | None:
        """A source's tidy frame with its parquet file written to target: when its raw files are unchanged the cached
        file is copied there and a CachedFrame returned (read when first used); else read() and write(), then kept."""
        if not any(raw.tidy and raw.held for raw in source.files):
            self.tidy_deps[source.id] = {source.raw_folder}
            return read()
        hit = self.load("tidy", source.id, frames=False)
        if hit is not None:
            meta, _ = hit
            self.tidy_deps[source.id] = set(meta["deps"])
            self.tally.sources_reused.append(source.id)
            if not meta["parts"]:
                return None
            cached = self.folder / "tidy" / source.id / meta["parts"][0]["file"]
            shutil.copyfile(cached, target)
            return CachedFrame(cached, int(meta["rows"]))
        with record_reads() as reads:
            frame = read()
        self.tally.sources_read.append(source.id)
        deps = self.folders_of(reads)
        if deps is not None:
            deps.add(source.raw_folder)
        self.tidy_deps[source.id] = deps
        if frame is not None:
            write(frame)
        if deps is not None:
            if frame is None:
                self.store("tidy", source.id, deps, {})
            else:
                self._store_tidy_file(source.id, deps, frame, target)
        return frame

    def _store_tidy_file(self, source_id: str, deps: set[str], frame: pd.DataFrame, written: Path) -> None:
        """Keep the very file written to processed/tidy/ (so a reuse copies bytes), if it reads back as frame."""
        with not_recorded():
            self._store_tidy(source_id, deps, frame, written)

    def _store_tidy(self, source_id: str, deps: set[str], frame: pd.DataFrame, written: Path) -> None:
        self.touched.add(("tidy", source_id))
        self.drop("tidy", source_id)
        meta_path, parts = self._paths("tidy", source_id)
        try:
            parts.mkdir(parents=True)
            shutil.copyfile(written, parts / "0.parquet")
            if not identical(frame, pd.read_parquet(parts / "0.parquet")):
                raise _NotCacheable(f"tidy {source_id} does not come back from parquet identical")
            meta = {
                "format": FORMAT, "kind": "tidy", "name": source_id, "key": self.key("tidy", source_id, deps), "deps": sorted(deps),
                "parts": [{"label": "tidy", "file": "0.parquet", "geo": False}], "rows": len(frame),
            }
            tmp = meta_path.with_name(meta_path.name + ".part")
            tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, meta_path)
        except Exception as exc:  # not kept: the source is read again next build
            self.drop("tidy", source_id)
            self.progress(f"tidy {source_id} not cached: {exc}")

    # --- indicators -------------------------------------------------------------------------------
    def cached_indicator(self, indicator, duplicated: bool = False):
        """The indicator with a compute function that reuses its cached result or records, computes and keeps it."""
        tally = self.tally

        def compute(ctx):
            if not duplicated:
                hit = self.load("indicators", indicator.id)
                if hit is not None:
                    meta, frames = hit
                    tally.indicators_reused.append(indicator.id)
                    return {part["label"]: frame for part, frame in zip(meta["parts"], frames)}
            with record_reads() as reads:
                result = indicator.compute(ctx)
            tally.indicators_computed.append(indicator.id)
            why = self._keep_indicator(indicator, reads, result, duplicated)
            if why:
                tally.indicators_not_cached[indicator.id] = why
            return result

        return dataclasses.replace(indicator, compute=compute)

    def _keep_indicator(self, indicator, reads: Reads, result, duplicated: bool) -> str:
        """Store the result; "" if kept, else why not."""
        if duplicated:
            return "its id is declared twice"
        if self.geography_deps is None:
            return "the geography it is filtered by is not cached"
        if not isinstance(result, dict):
            return f"its compute function returned a {type(result).__name__}"
        deps = self.folders_of(reads)
        for source_id in indicator.sources:
            declared = self.tidy_deps.get(source_id, {source_id})
            deps = None if deps is None or declared is None else deps | declared
        if deps is None:
            return "it read an input whose raw files are not known"
        if not self.store("indicators", indicator.id, deps | self.geography_deps, result):
            return self.last_refusal
        return ""

    # --- steps computed from the context alone ---------------------------------------------------------
    def cached_step(self, name: str, function: Callable):
        """function(ctx) -> DataFrame, reused like an indicator while what it read is unchanged. A reuse notes what
        it rests on to any recording open, so a caller computing inside a recording still records those reads."""
        tally = self.tally

        def step(ctx, *args, **kwargs):
            if args or kwargs:  # only the one-argument form is cached
                return function(ctx, *args, **kwargs)
            hit = self.load("steps", name) if self.geography_deps is not None else None
            if hit is not None:
                meta, frames = hit
                note_reads(self.reads_of(meta["deps"]))
                if name not in tally.steps_reused:
                    tally.steps_reused.append(name)
                return frames[0]
            with record_reads() as reads:
                frame = function(ctx)
            if name not in tally.steps_computed:
                tally.steps_computed.append(name)
            deps = self.folders_of(reads)
            if deps is not None and self.geography_deps is not None and isinstance(frame, pd.DataFrame):
                self.store("steps", name, deps | self.geography_deps, {"frame": frame})
            return frame

        return step

    def reads_of(self, deps: list[str]) -> Reads:
        """Reads that folders_of maps back to deps: the raw entries themselves (EVERYTHING: raw/)."""
        reads = Reads()
        root = os.path.abspath(self.raw_root)
        reads.files = {root if dep == EVERYTHING else os.path.join(root, dep) for dep in deps}
        return reads

    @contextmanager
    def cached_steps(self, steps_module):
        """While open, steps_module.compute_values runs each indicator through cached_indicator (the catalogue's
        compute functions, and everything compute_values does around them, are unchanged), and the CONTEXT_STEPS
        functions through cached_step. Each is put back when the block ends."""
        real = steps_module.compute_values
        signature = inspect.signature(real)

        def compute_values(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            catalogue = tuple(bound.arguments["catalogue"])
            counts = Counter(indicator.id for indicator in catalogue)
            bound.arguments["catalogue"] = tuple(self.cached_indicator(ind, counts[ind.id] > 1) for ind in catalogue)
            return real(*bound.args, **bound.kwargs)

        replaced = [(steps_module, "compute_values", real, compute_values)]
        for module_name, function_name in CONTEXT_STEPS:
            module = importlib.import_module(module_name)
            function = getattr(module, function_name, None)
            if callable(function):
                replaced.append((module, function_name, function, self.cached_step(function_name, function)))
        for module, function_name, _, replacement in replaced:
            setattr(module, function_name, replacement)
        try:
            yield
        finally:
            for module, function_name, original, _ in replaced:
                setattr(module, function_name, original)


class _NotCacheable(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class CachedFrame:
    """A tidy frame kept in the cache, not yet read: its parquet file and row count."""

    path: Path
    rows: int


class TidyFrames(Mapping):
    """The tidy frames by source id, in the build's order; a cached one is read from its file when first looked up
    (most are not: the indicators reading them were reused)."""

    def __init__(self) -> None:
        self._entries: dict[str, pd.DataFrame | CachedFrame] = {}

    def add(self, source_id: str, frame: pd.DataFrame | CachedFrame) -> None:
        self._entries[source_id] = frame

    def __getitem__(self, source_id: str) -> pd.DataFrame:
        entry = self._entries[source_id]
        if isinstance(entry, CachedFrame):
            with not_recorded():  # the cache's file; the source itself is noted by the context's RecordedTidy
                entry = self._entries[source_id] = pd.read_parquet(entry.path)
        return entry

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._entries

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def invalidate_source(data_dir: Path, source_id: str) -> list[str]:
    """Drop the source's tidy entry and every entry that rests on its raw folder, as if its files had changed.
    Returns the entries dropped, as kind/name."""
    folder = cache_dir(data_dir)
    dropped = []
    for meta_path in sorted(folder.glob("*/*.json")) if folder.exists() else []:
        kind, name = meta_path.parent.name, meta_path.stem
        try:
            deps = json.loads(meta_path.read_text(encoding="utf-8")).get("deps", [])
        except (OSError, ValueError):
            deps = [EVERYTHING]
        if (kind == "tidy" and name == source_id) or source_id in deps or EVERYTHING in deps:
            meta_path.unlink(missing_ok=True)
            shutil.rmtree(meta_path.with_suffix(""), ignore_errors=True)
            dropped.append(f"{kind}/{name}")
    return dropped
