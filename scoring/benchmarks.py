"""Each LAD's latest value against its region, its country and the median of its similar areas, with Fingertips-style
flags; each ward's latest value against its LA, its country and its similar wards, with its position in the country."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from areas.harmonise import _scale
from scoring.matrix import latest_period
from scoring.neighbours import WARD_KNN_KIND, ward_residents

BENCHMARK_COLUMNS = [
    "area_code", "indicator_id", "period", "value", "lower_ci", "upper_ci",
    "region_value", "country_value", "ons_neighbours_median", "atlas_neighbours_median",
    "flag_vs_country", "flag_vs_region", "country_rank", "country_n", "country_fifth",
]

# How comparator_values works, in the words pages and the methodology show beside its values.
COMPARATOR_METHOD = (
    "Region and country values: summed counts where the indicator is a share of counts, otherwise the mean of their "
    "LAs weighted by Census 2021 residents"
)


def comparator_values(frame: pd.DataFrame, group: pd.Series, population: pd.Series) -> pd.Series:
    """The value of each group of areas (a region, a country) for one indicator and period: its summed counts where the
    indicator is a share of counts, else the mean of its areas weighted by residents. The one comparator of the atlas:
    the benchmarks, the profile and the trends all use it, so they never disagree.

    frame: one row per area (area_code, value, numerator, denominator); group: each row's group, aligned with frame;
    population: residents per area code, the weights where there are no counts."""
    has_counts = frame["numerator"].notna() & frame["denominator"].gt(0)
    if has_counts.all() and len(frame):
        ratio = _scale(frame)
        sums = frame.groupby(group)[["numerator", "denominator"]].sum()
        return ratio * sums["numerator"] / sums["denominator"]
    # As floats even for no rows: pandas 3 maps an empty text column to text, and a value times text raises (the trends
    # of a Welsh LA for an England-only indicator compare an empty Wales).
    weights = frame["area_code"].map(population).fillna(0).astype(float)
    present = frame["value"].notna() & (weights > 0)
    weighted = (frame["value"] * weights)[present].groupby(group[present]).sum()
    return weighted / weights[present].groupby(group[present]).sum()


# The one word for a value that is not tested against a comparator: no published interval, a context measure, or a
# median of similar areas (a median carries no interval). Pages and their captions use this word, never another.
NOT_COMPARED = "not compared"


def fifth_of(rank, n):
    """The fifth (1 = the best or highest) that rank falls in among n: ceil(5 x rank / n), so ranks 1-63 of 318 are the
    first fifth. Scalars or aligned frames."""
    return np.clip(np.ceil(5 * rank / n), 1, 5)


def country_position(values: pd.DataFrame, country: pd.Series, polarity: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each area's place among its country's areas holding a value, per indicator (areas x indicators): rank (1 = best;
    for context measures 1 = highest), how many were placed, and the fifth it falls in (1 = the best or highest fifth).
    Fingertips' practice where no interval allows a significance test: a position, never called one."""
    sign = pd.Series([-1.0 if polarity.get(i) == "lower_is_better" else 1.0 for i in values.columns], index=values.columns)
    rank = (values * sign).groupby(country).rank(ascending=False, method="min")
    n = values.notna().groupby(country).transform("sum")
    return rank, n, fifth_of(rank, n.where(n > 0))


def flag(value_low: float, value_high: float, comparator: float, polarity: str) -> str:
    """better / similar / worse where the confidence interval lies wholly on one side of the comparator."""
    if polarity == "context" or not np.isfinite([value_low, value_high, comparator]).all():
        return NOT_COMPARED
    if value_low > comparator:
        return "better" if polarity == "higher_is_better" else "worse"
    if value_high < comparator:
        return "worse" if polarity == "higher_is_better" else "better"
    return "similar"


def benchmark_table(values: pd.DataFrame, areas: pd.DataFrame, neighbours: pd.DataFrame, population: pd.Series, catalogue) -> pd.DataFrame:

    polarity = {i.id: i.polarity for i in catalogue}
    lads = areas[areas["level"] == "lad"].set_index("area_code")
    out = []
    for indicator_id, frame in values[values["level"] == "lad"].groupby("indicator_id"):
        period = latest_period(frame)
        frame = frame[frame["period"] == period].reset_index(drop=True)
        region = frame["area_code"].map(lads["region_code"])
        country = frame["area_code"].map(lads["country"])
        region_values = comparator_values(frame, region, population)
        country_values = comparator_values(frame, country, population)
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
        rank, n, fifth = country_position(frame.set_index("area_code")[["value"]], country.set_axis(frame["area_code"]), {"value": p})
        result["country_rank"], result["country_fifth"] = rank["value"].values, fifth["value"].values
        result["country_n"] = n["value"].values.astype("int64")
        out.append(result[BENCHMARK_COLUMNS])
    table = pd.concat(out, ignore_index=True)
    return table.sort_values(["indicator_id", "area_code"]).reset_index(drop=True)


WARD_BENCHMARK_COLUMNS = [
    "area_code", "indicator_id", "period", "value", "lad_value", "country_value",
    "similar_wards_median", "similar_wards_n", "country_rank", "country_n", "country_fifth",
]
# No confidence interval is published for a ward value, so a ward is never flagged better or worse than a comparator
# ('not compared', as flag() says of LA values without an interval); its position among its country's wards is given.


def ward_benchmark_table(values: pd.DataFrame, areas: pd.DataFrame, neighbours: pd.DataFrame, polarity: dict[str, str]) -> pd.DataFrame:
    """Each ward's latest value of each indicator against: its LA (the same indicator and period at LA level); its
    country (summed counts where the indicator is a share of counts, else a mean of wards weighted by Census 2021
    residents, as LA comparators are computed); the median of its similar wards (neighbours of kind atlas_ward_knn)
    holding a value. country_rank places it among its country's wards holding a value (1 = best; for context
    measures 1 = highest) and country_fifth is the fifth of them it falls in (1 = the best or highest fifth).

    Worked on a wards x indicators matrix, so all 7,588 wards take well under a second."""

    ward_rows = values[values["level"] == "ward"]
    if ward_rows.empty:
        return pd.DataFrame(columns=WARD_BENCHMARK_COLUMNS)
    periods = {i: latest_period(frame) for i, frame in ward_rows.groupby("indicator_id")}
    latest = ward_rows[ward_rows["period"] == ward_rows["indicator_id"].map(periods)]
    wards = areas[areas["level"] == "ward"].set_index("area_code")
    wide = latest.pivot(index="area_code", columns="indicator_id", values="value").reindex(wards.index)
    indicators = wide.columns
    country = wards["country"]

    # its LA: the same indicator and period at LA level
    lad_rows = values[(values["level"] == "lad") & values["indicator_id"].isin(indicators)]
    lad_rows = lad_rows[lad_rows["period"] == lad_rows["indicator_id"].map(periods)]
    lad_wide = lad_rows.pivot(index="area_code", columns="indicator_id", values="value").reindex(columns=indicators)
    lad_value = lad_wide.reindex(wards["parent_code"]).set_axis(wards.index)

    # its country, computed as for LAs
    residents = ward_residents(values)
    country_value = pd.DataFrame(np.nan, index=wards.index, columns=indicators)
    for indicator_id, frame in latest.groupby("indicator_id"):
        frame = frame.reset_index(drop=True)
        by_country = comparator_values(frame, frame["area_code"].map(country), residents)
        country_value[indicator_id] = country.map(by_country).astype(float)

    # its similar wards: the median of those holding a value
    similar = neighbours[neighbours["kind"] == WARD_KNN_KIND] if "kind" in neighbours else neighbours.iloc[0:0]
    position = pd.Series(np.arange(len(wards)), index=wards.index)
    matrix = np.vstack([wide.to_numpy(dtype=float), np.full((1, len(indicators)), np.nan)])  # last row: no neighbour
    k = int(similar["rank"].max()) if len(similar) else 0
    slots = np.full((len(wards), k), len(wards), dtype=np.int64)
    if k:
        rows = position.reindex(similar["area_code"]).to_numpy()
        cols = similar["rank"].to_numpy(dtype=np.int64) - 1
        targets = position.reindex(similar["neighbour_code"]).fillna(len(wards)).to_numpy(dtype=np.int64)
        keep = ~np.isnan(rows)
        slots[rows[keep].astype(np.int64), cols[keep]] = targets[keep]
    near = matrix[slots]  # wards x k x indicators
    held_near = (~np.isnan(near)).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a ward none of whose similar wards holds the value: NaN
        median_near = np.nanmedian(near, axis=1) if k else np.full((len(wards), len(indicators)), np.nan)

    # its position among its country's wards: 1 = best (context: 1 = highest)
    rank, n, fifth = country_position(wide, country, polarity)

    columns = {
        "value": wide,
        "lad_value": lad_value,
        "country_value": country_value,
        "similar_wards_median": median_near,
        "similar_wards_n": held_near,
        "country_rank": rank,
        "country_n": n,
        "country_fifth": fifth,
    }
    table = pd.DataFrame(
        {name: np.asarray(block, dtype=float).ravel() for name, block in columns.items()},
        index=pd.MultiIndex.from_product([wards.index, indicators], names=["area_code", "indicator_id"]),
    ).reset_index()
    table = table[table["value"].notna()].copy()
    table["period"] = table["indicator_id"].map(periods)
    table["similar_wards_n"] = table["similar_wards_n"].astype("int64")
    table["country_n"] = table["country_n"].astype("int64")
    return table[WARD_BENCHMARK_COLUMNS].sort_values(["indicator_id", "area_code"]).reset_index(drop=True)
