"""The processed tables of one build and the lookups the pages, reports and static site read, loaded by plain functions
(no Streamlit): the app caches them once per process (dashboard.app_data); the report and site commands load them once per run."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

import vocabulary as vocab
from dashboard import measure_labels, scopes, source_lines, trends_view, ward_profile_view
from scoring import benchmarks
from scoring.neighbours import WARD_KNN_KIND

TABLES = ("areas", "indicators", "indicator_values", "factor_scores", "neighbours", "benchmarks", "sources")
OPTIONAL_TABLES = ("coherence", "ward_reliability")  # read when the build wrote it; the pages that use it say so when it is missing


@dataclass(frozen=True)
class Atlas:
    """Every processed table and the lookups pages need. Read-only by contract: pages filter (pandas copy-on-write
    makes every derived frame independent) and never assign into these frames."""

    areas: pd.DataFrame
    catalogue: pd.DataFrame
    values: pd.DataFrame
    scores: pd.DataFrame
    neighbours: pd.DataFrame
    benchmarks: pd.DataFrame
    sources: pd.DataFrame
    methodology: str
    names: dict[str, str]
    welsh: dict[str, str]
    level_of: dict[str, str]
    parent_of: dict[str, str]
    lad_codes: list[str]
    lads: pd.DataFrame
    values_by: dict[tuple[str, str], pd.DataFrame] = field(repr=False)
    scores_by: dict[tuple[str, str], pd.DataFrame] = field(repr=False)  # (level, scope) -> one row per area, factor, method
    periods: dict[tuple[str, str], list[str]] = field(repr=False)
    population: pd.Series = field(repr=False)
    source_text: dict[str, str] = field(repr=False)
    coherence: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    universes: dict[tuple[str, str, str], scopes.Universe] = field(repr=False, default_factory=dict)
    small_areas: frozenset[str] = frozenset()
    score_keys: dict[str, list[str]] = field(repr=False, default_factory=dict)  # level -> factor keys with scores
    ward_note: str = ""
    # One row per ward: n_lsoa, n_oa, best_fit_share, low_reliability, reliability_note (areas.reliability).
    ward_reliability: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    # One empty frame each, the same object on every call: the views memoised on their frames then answer an empty
    # selection from their cache as well.
    @cached_property
    def no_values(self) -> pd.DataFrame:
        return self.values.iloc[0:0]

    @cached_property
    def no_scores(self) -> pd.DataFrame:
        return self.scores.iloc[0:0]

    def scores_for(self, level: str, scope: str) -> pd.DataFrame:
        """The scores of one level in one scope (the only place scores are split by scope). Wards exist only in
        vocab.WARD_SCOPE."""
        return self.scores_by.get((level, scope), self.no_scores)

    def scope_caption(self, scope: str, *, country: str | None = None, level: str = "lad") -> str:
        return scopes.scope_caption(scope, self.universes, country=country, level=level)

    def indicator_values(self, indicator_id: str, level: str) -> pd.DataFrame:
        return self.values_by.get((indicator_id, level), self.no_values)

    def level_values(self, level: str) -> pd.DataFrame:
        return self.values_by.get(("*", level), self.no_values)

    def periods_for(self, measure: str, level: str) -> list[str]:
        if measure_labels.is_score(measure):
            return [vocab.SCORE_PERIOD]
        return self.periods.get((measure, level), [])

    def default_period(self, measure: str, level: str) -> str:
        periods = self.periods_for(measure, level)
        if not periods:
            return ""
        row = measure_labels.catalogue_row(self.catalogue, measure)
        latest = row["latest_period"] if row else None
        return latest if latest in periods else periods[-1]

    def measure_options(self, level: str, *, with_scores: bool = True) -> list[str]:
        held = {ind for (ind, lvl) in self.values_by if lvl == level and ind != "*"}
        return measure_labels.measure_options(self.catalogue, level, with_scores=with_scores, available=held, score_keys=self.score_keys.get(level, []))

    def label(self, code: str) -> str:
        return measure_labels.area_label(code, self.names, self.welsh)


def load_atlas(folder: Path) -> Atlas:
    """Every processed table of one build folder and the lookups built from them."""
    t = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
    for name in OPTIONAL_TABLES:
        path = folder / f"{name}.parquet"
        t[name] = pd.read_parquet(path) if path.exists() else pd.DataFrame()
    areas = t["areas"]
    values = t["indicator_values"]
    values_by: dict[tuple[str, str], pd.DataFrame] = {}
    periods: dict[tuple[str, str], list[str]] = {}
    for (indicator_id, level), block in values.groupby(["indicator_id", "level"], sort=False):
        block = block.reset_index(drop=True)
        values_by[(indicator_id, level)] = block
        periods[(indicator_id, level)] = measure_labels.sort_periods(block["period"].unique())
    for level, block in values.groupby("level"):
        values_by[("*", level)] = block.reset_index(drop=True)
    scores = t["factor_scores"]
    welsh = {c: str(n) for c, n in zip(areas["area_code"], areas["area_name_welsh"]) if isinstance(n, str) and n}
    lads = areas[areas["level"] == "lad"].sort_values("area_name").reset_index(drop=True)
    methodology_path = folder / "methodology.md"
    return Atlas(
        areas=areas,
        catalogue=t["indicators"],
        values=values,
        scores=scores,
        neighbours=t["neighbours"],
        benchmarks=t["benchmarks"],
        sources=t["sources"],
        methodology=methodology_path.read_text(encoding="utf-8") if methodology_path.exists() else "",
        names=dict(zip(areas["area_code"], areas["area_name"].astype(str))),
        welsh=welsh,
        level_of=dict(zip(areas["area_code"], areas["level"])),
        parent_of=dict(zip(areas["area_code"], areas["parent_code"])),
        lad_codes=lads["area_code"].tolist(),
        lads=lads,
        values_by=values_by,
        scores_by={key: block.reset_index(drop=True) for key, block in scores.groupby(["level", "scope"])},
        periods=periods,
        population=trends_view.lad_population(values_by.get(("*", "lad"), values)),
        source_text=source_lines.source_texts(t["indicators"], t["sources"]),
        coherence=t["coherence"],
        ward_reliability=t["ward_reliability"],
        universes=scopes.universes(areas, t["indicators"], t["coherence"]),
        small_areas=scopes.small_population_areas(scores),
        score_keys={level: measure_labels.scored_factors(block) for level, block in scores.groupby("level")},
        ward_note=ward_profile_view.ward_lookup_note(t["sources"], values_by.get(("*", "ward"), values.iloc[0:0]), int((areas["level"] == "ward").sum())),
    )


@dataclass(frozen=True)
class WardComparisons:
    """What the ward profile compares a ward with, worked out once per process on first use (not at start-up, so the
    LA pages do not wait for it)."""

    similar: pd.DataFrame  # neighbour rows of kind atlas_ward_knn: each ward's similar wards, nearest first
    benchmarks: pd.DataFrame  # each ward's latest value of each indicator against its LA, country and similar wards


def ward_comparisons(a: Atlas) -> WardComparisons:
    """Each ward's similar wards and its latest values against its LA, country and similar wards."""
    wards = a.neighbours[a.neighbours["kind"] == WARD_KNN_KIND].reset_index(drop=True)
    polarity = dict(zip(a.catalogue["indicator_id"], a.catalogue["polarity"]))
    return WardComparisons(similar=wards, benchmarks=benchmarks.ward_benchmark_table(a.values, a.areas, wards, polarity))
