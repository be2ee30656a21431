"""Each LAD's latest value against its region, its country and the median of its similar areas, with Fingertips-style flags."""
from __future__ import annotations

import numpy as np
import pandas as pd

BENCHMARK_COLUMNS = [
    "area_code", "indicator_id", "period", "value", "lower_ci", "upper_ci",
    "region_value", "country_value", "ons_neighbours_median", "atlas_neighbours_median",
    "flag_vs_country", "flag_vs_region",
]


def _aggregate(frame: pd.DataFrame, group: pd.Series, population: pd.Series) -> pd.Series:
    """Comparator value: summed counts where the indicator is a share of counts, else a population-weighted mean of LADs."""
    has_counts = frame["numerator"].notna() & frame["denominator"].gt(0)
    if has_counts.all() and len(frame):
        from indicators.harmonise import _scale

        ratio = _scale(frame)
        sums = frame.groupby(group)[["numerator", "denominator"]].sum()
        return ratio * sums["numerator"] / sums["denominator"]
    weights = frame["area_code"].map(population).fillna(0)
    present = frame["value"].notna() & (weights > 0)
    weighted = (frame["value"] * weights)[present].groupby(group[present]).sum()
    return weighted / weights[present].groupby(group[present]).sum()


def flag(value_low: float, value_high: float, comparator: float, polarity: str) -> str:
    """better / similar / worse where the confidence interval lies wholly on one side of the comparator."""
    if polarity == "context" or not np.isfinite([value_low, value_high, comparator]).all():
        return "not compared"
    if value_low > comparator:
        return "better" if polarity == "higher_is_better" else "worse"
    if value_high < comparator:
        return "worse" if polarity == "higher_is_better" else "better"
    return "similar"


def benchmark_table(values: pd.DataFrame, areas: pd.DataFrame, neighbours: pd.DataFrame, population: pd.Series, catalogue) -> pd.DataFrame:
    from indicators.model import latest_period

    polarity = {i.id: i.polarity for i in catalogue}
    lads = areas[areas["level"] == "lad"].set_index("area_code")
    out = []
    for indicator_id, frame in values[values["level"] == "lad"].groupby("indicator_id"):
        period = latest_period(frame)
        frame = frame[frame["period"] == period].reset_index(drop=True)
        region = frame["area_code"].map(lads["region_code"])
        country = frame["area_code"].map(lads["country"])
        region_values = _aggregate(frame, region, population)
        country_values = _aggregate(frame, country, population)
        by_code = frame.set_index("area_code")["value"]
        result = frame[["area_code", "indicator_id", "period", "value", "lower_ci", "upper_ci"]].copy()
        result["region_value"] = region.map(region_values).values
        result["country_value"] = country.map(country_values).values
        for kind, column in (("ons_global", "ons_neighbours_median"), ("atlas_knn", "atlas_neighbours_median")):
            mine = neighbours[neighbours["kind"] == kind]
            medians = mine.assign(v=mine["neighbour_code"].map(by_code)).groupby("area_code")["v"].median()
            result[column] = result["area_code"].map(medians)
        p = polarity[indicator_id]
        result["flag_vs_country"] = [flag(lo, hi, c, p) for lo, hi, c in zip(result["lower_ci"], result["upper_ci"], result["country_value"])]
        result["flag_vs_region"] = [flag(lo, hi, c, p) for lo, hi, c in zip(result["lower_ci"], result["upper_ci"], result["region_value"])]
        out.append(result[BENCHMARK_COLUMNS])
    table = pd.concat(out, ignore_index=True)
    return table.sort_values(["indicator_id", "area_code"]).reset_index(drop=True)
