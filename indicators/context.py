"""What indicator functions compute from: the tidy source frames, the lookups and population weights, with harmonising helpers."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from areas import geography as geo
from areas import harmonise
from data_sources import geography as geo_source
from data_sources import oa21_lookup, pcon24_lookup


class MissingInput(LookupError):
    """An indicator's declared input is not in the tidy tables (a source not held or a renamed measure)."""


# --- what a computation read ---------------------------------------------------------------------
# The incremental build (pipeline/build_cache.py) keeps each indicator's values keyed by what computing them read,
# recorded here while a recording is open: the tidy sources looked up (iterating them = all of them), the files
# opened (an audit hook sees every Python-level open and directory listing), and for the inputs a context computes
# once and shares (the lookups and weights below, the entries of ctx._cache) what computing them read, replayed to
# every later reader, so an indicator's reads do not depend on which indicator happened to compute a lookup first.


class Reads:
    """What was read while a recording was open: tidy source ids, absolute paths opened or listed; everything=True when
    the whole snapshot was (the tidy sources iterated); unknown=True when an input whose reads are unknown was reused."""

    def __init__(self) -> None:
        self.tidy: set[str] = set()
        self.files: set[str] = set()
        self.everything = False
        self.unknown = False

    def add(self, other: Reads) -> None:
        self.tidy |= other.tidy
        self.files |= other.files
        self.everything |= other.everything
        self.unknown |= other.unknown

    def copy(self) -> Reads:
        out = Reads()
        out.add(self)
        return out


# The open recordings, innermost last; a read is noted in every one of them. One process, one build at a time.
_RECORDING: list[Reads] = []
_HOOKED = False


def note_reads(reads: Reads) -> None:
    """Note reads in every open recording (e.g. what a result taken from a cache was computed from)."""
    for active in _RECORDING:
        active.add(reads)



def _note_tidy(source_id: object) -> None:
    if _RECORDING:
        reads = Reads()
        reads.tidy.add(str(source_id))
        note_reads(reads)


def _note_everything() -> None:
    if _RECORDING:
        reads = Reads()
        reads.everything = True
        note_reads(reads)


def _audit(event: str, args: tuple) -> None:
    if not _RECORDING or event not in ("open", "os.listdir", "os.scandir", "glob.glob"):
        return
    target = args[0] if args else None
    if isinstance(target, int) or target is None:  # an open file descriptor: its path was noted when it was opened
        return
    try:
        path = os.path.abspath(os.fsdecode(os.fspath(target)))
    except Exception:  # not a path; an audit hook must never make an open fail
        return
    for active in _RECORDING:
        active.files.add(path)


@contextmanager
def record_reads() -> Iterator[Reads]:
    """Record what is read inside the block (nested recordings each see everything read inside them)."""
    global _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)  # process-wide and permanent; a no-op while nothing records
        _HOOKED = True
    reads = Reads()
    _RECORDING.append(reads)
    try:
        yield reads
    finally:
        _RECORDING.remove(reads)


@contextmanager
def not_recorded() -> Iterator[None]:
    """Reads inside the block are noted in no recording (a cache's own files, read or written mid-computation)."""
    saved = _RECORDING[:]
    _RECORDING.clear()
    try:
        yield
    finally:
        _RECORDING[:] = saved


class RecordedTidy(MutableMapping):
    """The tidy frames by source id, noting each source looked up (`in` too: absence is an input as well)."""

    def __init__(self, frames) -> None:
        self.frames = frames

    def __getitem__(self, source_id: str) -> pd.DataFrame:
        _note_tidy(source_id)
        return self.frames[source_id]

    def __contains__(self, source_id: object) -> bool:
        _note_tidy(source_id)
        return source_id in self.frames

    def __iter__(self):
        _note_everything()
        return iter(self.frames)

    def __len__(self) -> int:
        _note_everything()
        return len(self.frames)

    def __setitem__(self, source_id: str, frame: pd.DataFrame) -> None:
        self.frames[source_id] = frame

    def __delitem__(self, source_id: str) -> None:
        del self.frames[source_id]

    def __repr__(self) -> str:
        return f"RecordedTidy({list(self.frames)})"


class RecordedCache(MutableMapping):
    """ctx._cache, where indicator code keeps what it derived once per build: each entry remembers what had been read
    by the recording open when it was stored (a superset of what it rests on) and notes that on every later read."""

    def __init__(self, entries=None) -> None:
        self.entries: dict = {}
        for key, value in dict(entries or {}).items():
            self[key] = value

    def __setitem__(self, key, value) -> None:
        if _RECORDING:
            reads = _RECORDING[-1].copy()
        else:
            reads = Reads()
            reads.unknown = True  # stored outside any recording: what it rests on was not seen
        self.entries[key] = (value, reads)

    def __getitem__(self, key):
        value, reads = self.entries[key]
        note_reads(reads)
        return value

    def __contains__(self, key: object) -> bool:
        if key in self.entries:
            note_reads(self.entries[key][1])
            return True
        return False

    def __delitem__(self, key) -> None:
        del self.entries[key]

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


class shared_input:
    """Like functools.cached_property (computed once per context, an assignment overrides it), and what computing it
    read is noted again on every access, so each reader of a lookup records the files behind it."""

    def __init__(self, func) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        computed = instance.__dict__.setdefault("_shared_inputs", {})
        if self.name not in computed:
            with record_reads() as reads:
                value = self.func(instance)
            computed[self.name] = (value, reads)
        value, reads = computed[self.name]
        note_reads(reads)
        return value


@dataclass
class BuildContext:
    raw_root: Path
    areas: pd.DataFrame
    tidy: dict[str, pd.DataFrame]
    _cache: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.tidy, RecordedTidy):
            self.tidy = RecordedTidy(self.tidy)
        if not isinstance(self._cache, RecordedCache):
            self._cache = RecordedCache(self._cache)

    # --- raw inputs ---------------------------------------------------------------------------
    def measure(self, source_id: str, measure: str, geography: str | None = None) -> pd.DataFrame:
        if source_id not in self.tidy:
            raise MissingInput(f"source {source_id!r} is not in the snapshot")
        frame = self.tidy[source_id]
        rows = frame[frame["measure"] == measure]
        if geography is not None and geography.endswith("*"):
            rows = rows[rows["geography"].str.startswith(geography[:-1])]
        elif geography is not None:
            rows = rows[rows["geography"] == geography]
        if rows.empty:
            raise MissingInput(f"{source_id}: no rows for measure {measure!r}" + (f" on {geography}" if geography else ""))
        return rows[["area_code", "geography", "period", "value", "lower_ci", "upper_ci"]].reset_index(drop=True)

    # --- lookups -------------------------------------------------------------------------------
    @shared_input
    def chain(self) -> pd.DataFrame:
        return geo.lad_code_chain(self.raw_root)

    @shared_input
    def wards(self):
        return geo.read_wards(self.raw_root)

    @shared_input
    def oa_ward(self) -> pd.DataFrame:
        """OA21 -> WD25 by point in polygon (OA centroids from the OA lookup)."""
        return geo.oa_to_ward25(self.oa_lookup, self.wards)

    @shared_input
    def lsoa21_ward(self) -> pd.DataFrame:
        """LSOA21 -> WD25 best fit: official if fetched; else derived, with area-overlap rows refined by OA majority."""
        lookup = geo_source.lsoa21_to_ward25(self.raw_root)
        if (lookup["method"] == "ons_official").all():
            return lookup
        return geo.refine_lsoa_ward_lookup(lookup, self.oa_ward)

    @shared_input
    def lsoa11_lsoa21(self) -> pd.DataFrame:
        return geo_source.read(self.raw_root / "geography" / geo_source.LSOA11_LSOA21)

    @shared_input
    def parents(self) -> dict[str, pd.DataFrame]:
        return geo.parent_lookups(self.raw_root)

    @shared_input
    def lad_codes(self) -> pd.Index:
        return pd.Index(self.areas.loc[self.areas["level"] == "lad", "area_code"])

    @shared_input
    def ward_codes(self) -> pd.Index:
        return pd.Index(self.areas.loc[self.areas["level"] == "ward", "area_code"])

    @shared_input
    def pcon24_lookup(self) -> pd.DataFrame:
        """LSOA21 -> July 2024 Westminster constituency (ONS best-fit lookup): lsoa21_code, pcon24_code, pcon24_name."""

        return pcon24_lookup.read_lookup(self.raw_root / pcon24_lookup.SOURCE.raw_folder / pcon24_lookup.LOOKUP)

    @shared_input
    def oa_lookup(self) -> pd.DataFrame:

        folder = self.raw_root / oa21_lookup.SOURCE.raw_folder
        return oa21_lookup.read_lookup(folder / oa21_lookup.SOURCE.files[0].name)

    # --- population weights ---------------------------------------------------------------------
    @shared_input
    def lsoa21_population(self) -> pd.Series:
        """Census 2021 usual residents per LSOA21 (TS021 total): the weights for LSOA21 scores."""
        frame = self.measure("census2021", "ethnic_total", "lsoa21")
        return frame.set_index("area_code")["value"]

    @shared_input
    def lsoa11_population(self) -> pd.Series:
        """Mid-2015 population per LSOA11 (IoD2019 File 6), the denominators the IoD2019 itself uses."""
        frame = self.measure("imd2019", "population_total", "lsoa11")
        return frame.set_index("area_code")["value"]

    @shared_input
    def old_lad_population(self) -> pd.Series:
        """Population of every pre-2025 LAD code, for weighting merged districts: mid-2020 (LAD21 codes), mid-2019
        (LAD19), then Census 2011 residents for districts abolished before 2019 (Dorset, Suffolk, Somerset West...)."""
        parts = []
        for source_id, measure, geography in (
            ("population_estimates", "population_total", "lad21"),
            ("population_estimates", "population_total", "lad19"),
            ("census2011", "ethnic_total", "lad11"),
        ):
            try:
                parts.append(self.measure(source_id, measure, geography).set_index("area_code")["value"])
            except MissingInput:
                continue
        if not parts:
            return pd.Series(dtype=float)
        combined = pd.concat(parts)
        return combined[~combined.index.duplicated()]

    @shared_input
    def lad25_population(self) -> pd.Series:
        """Census 2021 residents per LAD25 summed from LSOAs (exact nesting)."""
        frame = pd.DataFrame({"area_code": self.lsoa21_population.index, "period": "2021", "value": self.lsoa21_population.values})
        return harmonise.lsoa21_to_areas(frame, self.lsoa21_ward, None, how="sum")["lad"].set_index("area_code")["value"]

    # --- harmonising helpers -------------------------------------------------------------------
    def lad_values(self, source_id: str, measure: str, geography: str = "lad*", *, how: str = "mean") -> pd.DataFrame:
        """A LAD-level measure of any code vintage (or every vintage with "lad*"), on LAD25."""
        frame = self.measure(source_id, measure, geography)
        return harmonise.lad_to_lad25(frame, self.chain, self.old_lad_population, how=how)

    def lsoa21_mean(self, source_id: str, measure: str) -> dict[str, pd.DataFrame]:
        frame = self.measure(source_id, measure, "lsoa21")
        return harmonise.lsoa21_to_areas(frame, self.lsoa21_ward, self.lsoa21_population, how="mean")

    def lsoa11_mean(self, source_id: str, measure: str) -> dict[str, pd.DataFrame]:
        """LSOA11 scores carried to LSOA21 (population-weighted where LSOAs merged), then to wards and LADs."""
        frame = self.measure(source_id, measure, "lsoa11")
        on21 = harmonise.lsoa11_to_lsoa21(frame, self.lsoa11_lsoa21, self.lsoa11_population)
        out = harmonise.lsoa21_to_areas(on21, self.lsoa21_ward, self.lsoa21_population, how="mean", source_geography="LSOA 2011 via LSOA 2021")
        return out

    def small_area_share(self, source_id: str, geography: str, numerators: list[str], denominator: str | list[str], *, scale: float = 100.0) -> dict[str, pd.DataFrame]:
        """A share from counts: numerators and denominator summed over small areas, then divided (never averaged).
        denominator: one count, or the categories that add up to it (e.g. the multi-person households of a table)."""
        num = self._summed(source_id, geography, numerators)
        den = self._summed(source_id, geography, [denominator] if isinstance(denominator, str) else denominator)
        frame = pd.DataFrame({"numerator": num, "denominator": den}).reset_index()
        if geography == "oa21":
            return self._oa_share(frame, scale)
        frame["value"] = frame["numerator"]
        out = harmonise.lsoa21_to_areas(frame, self.lsoa21_ward, None, how="sum", source_geography=geography.upper())
        for level_frame in out.values():
            level_frame["value"] = scale * level_frame["numerator"] / level_frame["denominator"].replace(0, np.nan)
        return out

    def _summed(self, source_id: str, geography: str, measures: list[str]) -> pd.Series:
        total = None
        for measure in measures:
            part = self.measure(source_id, measure, geography).set_index(["area_code", "period"])["value"]
            total = part if total is None else total.add(part, fill_value=0)
        return total

    def _oa_share(self, frame: pd.DataFrame, scale: float) -> dict[str, pd.DataFrame]:
        """OA counts summed straight to wards and LADs, each OA placed by its centroid in a 2025 ward."""
        placed = frame.merge(self.oa_ward[["oa21_code", "WD25CD", "LAD25CD"]], left_on="area_code", right_on="oa21_code")
        out = {}
        for level, key in (("ward", "WD25CD"), ("lad", "LAD25CD")):
            grouped = placed.groupby([key, "period"])[["numerator", "denominator"]].sum().reset_index()
            grouped["value"] = scale * grouped["numerator"] / grouped["denominator"].replace(0, np.nan)
            # Placed by point in polygon on generalised 2025 ward boundaries, not by ONS's own nesting (10 LADs differ).
            grouped["derivation"] = "aggregated from OA 2021 (summed, each OA placed by its centroid: oa_centroid)"
            out[level] = harmonise._finish(grouped.rename(columns={key: "area_code"}))
        return out

    def lad_values_or_county(self, source_id: str, measure: str, lad_geography: str, county_geography: str) -> pd.DataFrame:
        """LAD values where the publisher gives them; elsewhere (two-tier districts) the county's value, marked inherited."""
        lad = self.lad_values(source_id, measure, lad_geography)
        inherited = self.inherit(self.measure(source_id, measure, county_geography), "utla")
        have = set(zip(lad["area_code"], lad["period"]))
        inherited = inherited[[(a, p) not in have for a, p in zip(inherited["area_code"], inherited["period"])]]
        return pd.concat([lad, inherited], ignore_index=True)

    def inherit(self, frame: pd.DataFrame, parent: str) -> pd.DataFrame:
        """Values published for counties (UTLA) or police force areas, given to each LAD25 in them."""
        if parent == "utla":
            lookup, column, label = self.parents["utla"], "utla23_code", "county or unitary authority (UTLA 2023)"
        elif parent == "pfa":
            lookup, column, label = self.parents["pfa"], "pfa24_code", "police force area"
        else:
            raise ValueError(parent)
        return harmonise.inherit_from_parent(frame, lookup, parent_column=column, parent_label=label)
