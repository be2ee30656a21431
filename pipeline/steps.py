"""The build's steps from tidy tables to the processed tables: values, reliability, scores, audit, similar areas, benchmarks."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from areas import reliability
from data_sources import ons_similar_areas
from indicators import ward_elections
from indicators.catalogue import CATALOGUE
from indicators.context import BuildContext
from indicators.values import catalogue_table, compute_values
from scoring import benchmarks, neighbours
from scoring.factor_scores import coherence_audit, factor_score_table, score_matrices, small_population_areas


def ons_neighbours(ctx: BuildContext) -> pd.DataFrame:
    """ONS's similar-area lists (global, economic, demographic), moved onto 2025 LAD codes."""
    folder = ctx.raw_root / ons_similar_areas.SOURCE.raw_folder
    frames = []
    for raw in ons_similar_areas.SOURCE.files:
        if raw.name.endswith("-neighbours.csv"):
            frames.append(ons_similar_areas.read_neighbours(folder / raw.name))
    frame = pd.concat(frames, ignore_index=True)
    chain = ctx.chain.set_index("old_code")["lad25_code"]
    frame["area_code"] = frame["area_code"].map(chain).fillna(frame["area_code"])
    frame["neighbour_code"] = frame["neighbour_code"].map(chain).fillna(frame["neighbour_code"])
    frame["kind"] = "ons_" + frame["kind"].astype(str)
    frame["level"] = "lad"
    lads = set(ctx.lad_codes)
    frame = frame[frame["area_code"].isin(lads) & frame["neighbour_code"].isin(lads)]
    return frame[neighbours.NEIGHBOUR_COLUMNS].drop_duplicates(["area_code", "neighbour_code", "kind"])


def neighbour_table(ctx: BuildContext, values: pd.DataFrame) -> pd.DataFrame:
    """ONS's similar areas, ours for LAs (kNN on context measures) and similar wards, in one table."""
    ours = neighbours.knn_neighbours(neighbours.context_matrix(values, ctx.lad_codes))
    theirs = ons_neighbours(ctx)
    try:
        wards = neighbours.ward_knn_neighbours(values, ctx.areas)
    except neighbours.MissingContext:
        # A build without a ward context variable still writes the LA neighbours; the ward profile then says that
        # similar wards are not in this build (and the neighbour tests fail), rather than the whole build stopping.
        wards = pd.DataFrame(columns=neighbours.NEIGHBOUR_COLUMNS)
    table = pd.concat([theirs, ours, wards], ignore_index=True)[neighbours.NEIGHBOUR_COLUMNS]
    table["rank"] = table["rank"].astype("int64")
    return table.sort_values(["level", "kind", "area_code", "rank"]).reset_index(drop=True)


def build_tables(raw_root: Path, areas: pd.DataFrame, tidy: dict[str, pd.DataFrame], progress: Callable[[str], None] = lambda _m: None) -> dict[str, pd.DataFrame]:
    ctx = BuildContext(raw_root=Path(raw_root), areas=areas, tidy=tidy)
    values = compute_values(ctx, progress=progress)
    progress("ward reliability")
    ward_reliability = reliability.ward_reliability(ctx)
    values = reliability.annotate_ward_values(values, ward_reliability)
    progress("factor scores and rank bands")
    matrices = score_matrices(values, areas)
    factor_table = factor_score_table(values, areas, small_areas=small_population_areas(areas, ctx.lad25_population), matrices=matrices)
    progress("coherence audit")
    audit = coherence_audit(values, areas, factor_table, matrices=matrices)
    progress("similar areas")
    similar = neighbour_table(ctx, values)
    progress("benchmarks")
    bench = benchmarks.benchmark_table(values, areas, similar, ctx.lad25_population, CATALOGUE)
    return {
        "indicators": catalogue_table(values),
        "indicator_values": values,
        "factor_scores": factor_table,
        "coherence": audit,
        "neighbours": similar,
        "benchmarks": bench,
        "ward_reliability": ward_reliability,
        "election_matches_2023": ward_elections.election_matches_2023(ctx),
    }
