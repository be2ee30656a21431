"""Run the catalogue: indicator values for every LAD and ward, the catalogue table, factor scores, neighbours and benchmarks."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from indicators import benchmarks, neighbours, scores
from indicators.catalogue import CATALOGUE
from indicators.catalogue_base import FACTORS, Indicator
from indicators.context import BuildContext

INDICATOR_VALUE_COLUMNS = ["area_code", "level", "indicator_id", "period", "value", "numerator", "denominator", "lower_ci", "upper_ci", "derivation"]
FACTOR_SCORE_COLUMNS = ["area_code", "level", "factor", "period", "method", "score", "rank", "rank_low", "rank_high", "n_indicators", "missing_reason"]
SCORE_PERIOD = "latest"
# A factor's ward score needs at least this many ward-level indicators behind it.
MIN_WARD_INDICATORS = 2


def compute_values(ctx: BuildContext, catalogue: tuple[Indicator, ...] = CATALOGUE, progress: Callable[[str], None] = lambda _m: None) -> pd.DataFrame:
    frames = []
    valid = {"lad": set(ctx.lad_codes), "ward": set(ctx.ward_codes)}
    for indicator in catalogue:
        progress(f"indicator {indicator.id}")
        result = indicator.compute(ctx)
        for level, frame in result.items():
            if level not in indicator.levels:
                raise ValueError(f"{indicator.id}: computed level {level!r} it does not declare")
            frame = frame[frame["area_code"].isin(valid[level]) & frame["value"].notna()].copy()
            frame["level"] = level
            frame["indicator_id"] = indicator.id
            frames.append(frame[INDICATOR_VALUE_COLUMNS])
    values = pd.concat(frames, ignore_index=True)
    for column in ("numerator", "denominator", "lower_ci", "upper_ci", "value"):
        values[column] = values[column].astype("float64")
    for column in ("area_code", "level", "indicator_id", "period", "derivation"):
        values[column] = values[column].astype(str)
    key = ["area_code", "level", "indicator_id", "period"]
    duplicated = values.duplicated(key, keep=False)
    if duplicated.any():
        raise ValueError(f"indicator values not unique, e.g. {values.loc[duplicated, key].head(2).to_dict('records')}")
    return values.sort_values(key).reset_index(drop=True)


def catalogue_table(values: pd.DataFrame, catalogue: tuple[Indicator, ...] = CATALOGUE) -> pd.DataFrame:
    rows = []
    for ind in catalogue:
        mine = values[values["indicator_id"] == ind.id]
        periods = sorted(mine["period"].unique())
        rows.append(
            {
                "indicator_id": ind.id,
                "title": ind.title,
                "description": ind.description,
                "factor": ind.factor if ind.factor is not None else 0,
                "factor_name": FACTORS.get(ind.factor, "Context (not scored)"),
                "polarity": ind.polarity,
                "unit": ind.unit,
                "source_id": ", ".join(ind.sources),
                "levels": ", ".join(sorted(mine["level"].unique())),
                "periods": ", ".join(periods),
                "latest_period": latest_period(mine) if len(mine) else "",
                "countries": ind.countries,
                "caveats": ind.caveats,
                "derivation": ind.derivation,
                "proxy": ind.proxy,
                "scored": ind.is_scored,
            }
        )
    return pd.DataFrame(rows)


def latest_period(frame: pd.DataFrame) -> str:
    """The most recent period that covers at least half the areas holding the indicator (some series trail by area)."""
    counts = frame.groupby("period")["area_code"].nunique().sort_index()
    wide_enough = counts[counts >= 0.5 * frame["area_code"].nunique()]
    return str((wide_enough if len(wide_enough) else counts).index[-1])


def score_matrix(values: pd.DataFrame, areas: pd.DataFrame, level: str, catalogue: tuple[Indicator, ...] = CATALOGUE) -> scores.ScoreInput:
    scored = [i for i in catalogue if i.is_scored and level in i.levels]
    level_areas = areas[areas["level"] == level].set_index("area_code")
    columns, factor, polarity = {}, {}, {}
    for ind in scored:
        mine = values[(values["indicator_id"] == ind.id) & (values["level"] == level)]
        if mine.empty:
            continue
        period = latest_period(mine)
        columns[ind.id] = mine[mine["period"] == period].set_index("area_code")["value"].reindex(level_areas.index)
        factor[ind.id], polarity[ind.id] = ind.factor, ind.polarity
    matrix = pd.DataFrame(columns, index=level_areas.index)
    country = level_areas["country"]
    covered = {c: matrix.groupby(country)[c].apply(lambda s: s.notna().any()) for c in matrix.columns}
    coverage = pd.DataFrame({c: country.map(covered[c]).fillna(False).astype(bool) for c in matrix.columns}, index=matrix.index)
    return scores.ScoreInput(values=matrix, factor=pd.Series(factor), polarity=pd.Series(polarity), coverage=coverage)


def factor_score_table(values: pd.DataFrame, areas: pd.DataFrame, *, indicator_weights=None, factor_weights=None, bands: bool = True, catalogue=CATALOGUE) -> pd.DataFrame:
    out = []
    for level in ("lad", "ward"):
        data = score_matrix(values, areas, level, catalogue)
        if data.values.empty:
            continue
        factor = data.factor
        if level == "ward":
            counts = factor.value_counts()
            keep = [c for c in data.values.columns if counts[factor[c]] >= MIN_WARD_INDICATORS]
            data = scores.ScoreInput(data.values[keep], factor[keep], data.polarity[keep], data.coverage[keep])
            factor = data.factor
        for method in scores.METHODS:
            normalised = scores.normalise(data.values, data.polarity, method)
            table, counts, reasons = scores.factor_scores(normalised, factor, data.coverage, indicator_weights)
            table["composite"] = scores.composite(table, factor_weights)
            counts["composite"] = counts.sum(axis=1)
            reasons["composite"] = np.where(table["composite"].isna(), "a factor score is missing", "")
            band = scores.rank_bands(normalised, factor, data.coverage, draws=200 if level == "lad" else 60) if bands else {}
            if bands:
                band["composite"] = scores.composite_rank_bands(table.drop(columns=["composite"]), draws=200 if level == "lad" else 60)
            for column in table.columns:
                frame = pd.DataFrame(
                    {
                        "area_code": table.index,
                        "level": level,
                        "factor": str(column),
                        "period": SCORE_PERIOD,
                        "method": method,
                        "score": table[column].values,
                        "rank": scores.rank_best_first(table[column]).values,
                        "n_indicators": counts[column].values,
                        "missing_reason": reasons[column].values,
                    }
                )
                if column in band:
                    frame["rank_low"] = band[column]["rank_low"].values
                    frame["rank_high"] = band[column]["rank_high"].values
                else:
                    frame["rank_low"], frame["rank_high"] = np.nan, np.nan
                out.append(frame[FACTOR_SCORE_COLUMNS])
    result = pd.concat(out, ignore_index=True)
    result.loc[result["score"].isna(), ["rank", "rank_low", "rank_high"]] = np.nan
    result["n_indicators"] = result["n_indicators"].astype("int64")
    result["missing_reason"] = result["missing_reason"].astype(str)
    return result


def build_tables(raw_root: Path, areas: pd.DataFrame, tidy: dict[str, pd.DataFrame], progress: Callable[[str], None] = lambda _m: None) -> dict[str, pd.DataFrame]:
    ctx = BuildContext(raw_root=Path(raw_root), areas=areas, tidy=tidy)
    values = compute_values(ctx, progress=progress)
    progress("factor scores and rank bands")
    factor_table = factor_score_table(values, areas)
    progress("similar areas")
    neighbour_table = neighbours.neighbour_table(ctx, values)
    progress("benchmarks")
    bench = benchmarks.benchmark_table(values, areas, neighbour_table, ctx.lad25_population, CATALOGUE)
    return {
        "indicators": catalogue_table(values),
        "indicator_values": values,
        "factor_scores": factor_table,
        "neighbours": neighbour_table,
        "benchmarks": bench,
    }
