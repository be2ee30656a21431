"""Bring values published on older or other geographies onto May 2025 LADs and wards, recording how each was derived.

Every route goes through a versioned lookup file (never code special cases): LAD code chain 2011 -> 2025,
LSOA 2011 -> LSOA 2021, LSOA 2021 -> ward 2025 best fit, and LAD -> county / police force area for inheritance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

VALUE_COLUMNS = ["area_code", "period", "value", "numerator", "denominator", "lower_ci", "upper_ci", "derivation"]

DIRECT = "direct"
# Short, stable names for each way a value was inherited, so evidence strength and exports can count them.
INHERITED_CODES = {"utla23_code": "county", "pfa24_code": "pfa"}
RECODED = "recoded to 2025 LAD code"


def _weighted_mean(frame: pd.DataFrame, keys: list[str], value: str = "value", weight: str = "weight") -> pd.DataFrame:
    present = frame[frame[value].notna() & frame[weight].notna()]
    product = (present[value] * present[weight]).groupby([present[k] for k in keys]).sum()
    weights = present[weight].groupby([present[k] for k in keys]).sum()
    counts = present.groupby(keys).size()
    out = pd.DataFrame({"value": product / weights, "weight_sum": weights, "n_parts": counts}).reset_index()
    return out


def lad_to_lad25(values: pd.DataFrame, chain: pd.DataFrame, weights: pd.Series | None, *, how: str, vintage: str | None = None) -> pd.DataFrame:
    """LAD values of any code vintage -> LAD25. One-to-one codes pass through; merged districts combine.

    how="mean": population-weighted mean (rates, scores), or a share recomputed from summed counts where
    numerator and denominator are given; how="sum": sum (counts). A 2025 LAD made of several old districts
    gets a value for a period only if every one of those districts (as seen in that vintage) has one.
    values: area_code, period, value, optional geography (the code vintage label, e.g. "lad21"), numerator,
    denominator, lower_ci, upper_ci. Where several vintages give one LAD25 and period, the newest wins.
    """
    frame = values.copy()
    if "geography" not in frame.columns:
        frame["geography"] = vintage or "lad"
    frame = frame.merge(chain, left_on="area_code", right_on="old_code", how="inner")
    expected = frame.groupby(["lad25_code", "geography"])["area_code"].nunique().rename("n_expected").reset_index()
    frame = frame.merge(expected, on=["lad25_code", "geography"])
    single = frame[frame["n_expected"] == 1].copy()
    label = single["geography"].str.upper()
    single["derivation"] = np.where(single["area_code"] == single["lad25_code"], DIRECT, RECODED + " (from " + label + ")")
    single = single.drop(columns=["area_code"]).rename(columns={"lad25_code": "area_code"})
    merged = frame[frame["n_expected"] > 1].copy()
    parts = [single]
    keys = ["lad25_code", "period", "geography"]
    if len(merged):
        has_counts = "numerator" in merged and merged["numerator"].notna().all() and merged["denominator"].notna().all()
        if how == "sum":
            grouped = merged.groupby(keys).agg(value=("value", "sum"), n_parts=("value", "count"), n_expected=("n_expected", "first")).reset_index()
        else:
            if weights is None or weights.empty:
                raise ValueError("population weights are needed to combine merged districts")
            merged["weight"] = merged["area_code"].map(weights)
            grouped = _weighted_mean(merged, keys)
            grouped = grouped.merge(merged.groupby(keys)["n_expected"].first().reset_index(), on=keys)
        if has_counts:
            sums = merged.groupby(keys)[["numerator", "denominator"]].sum().reset_index()
            grouped = grouped.merge(sums, on=keys, how="left")
            if how != "sum":
                # A share recomputed from summed counts is exact; population weights are only the fallback.
                grouped["value"] = grouped["numerator"] / grouped["denominator"] * _scale(merged)
        grouped.loc[grouped["n_parts"] < grouped["n_expected"], "value"] = np.nan
        weight_note = "summed" if how == "sum" or has_counts else "population-weighted"
        grouped["derivation"] = "aggregated from " + grouped["geography"].str.upper() + f" districts ({weight_note})"
        parts.append(grouped.rename(columns={"lad25_code": "area_code"}))
    out = pd.concat(parts, ignore_index=True)
    out = out[out["value"].notna()]
    out = out.sort_values("geography", ascending=False, kind="stable").drop_duplicates(["area_code", "period"], keep="first")
    return _finish(out)


def _scale(frame: pd.DataFrame) -> float:
    """Shares are held as percentages or proportions; infer which from the parts so a recomputed share keeps the unit."""
    ratio = (frame["value"] / (frame["numerator"] / frame["denominator"])).replace([np.inf, -np.inf], np.nan).dropna()
    if not len(ratio):
        return 1.0
    # Published shares are rounded, so the ratio is only near 1, 100 or 1000: take the nearest of those.
    candidates = np.array([1.0, 100.0, 1000.0])
    return float(candidates[np.argmin(np.abs(np.log(candidates) - np.log(float(ratio.median()))))])


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    for column in VALUE_COLUMNS:
        if column not in frame.columns:
            frame[column] = np.nan
    return frame[VALUE_COLUMNS].reset_index(drop=True)


def lsoa21_to_areas(values: pd.DataFrame, lookup: pd.DataFrame, weights: pd.Series | None, *, how: str, source_geography: str = "LSOA 2021") -> dict[str, pd.DataFrame]:
    """LSOA21 values -> ward25 and LAD25 via the best-fit lookup.

    how="sum": values are counts (numerator/denominator sums); how="mean": population-weighted mean of scores.
    Returns {"ward": frame, "lad": frame}.
    """
    frame = values.merge(lookup[["LSOA21CD", "WD25CD", "LAD25CD"]], left_on="area_code", right_on="LSOA21CD", how="inner")
    out = {}
    for level, key in (("ward", "WD25CD"), ("lad", "LAD25CD")):
        if how == "sum":
            columns = [c for c in ("value", "numerator", "denominator") if c in frame]
            grouped = frame.groupby([key, "period"])[columns].sum(min_count=1).reset_index()
        else:
            frame = frame.assign(weight=frame["area_code"].map(weights) if weights is not None else 1.0)
            grouped = _weighted_mean(frame, [key, "period"])
        weighting = "summed" if how == "sum" else "population-weighted mean"
        # The LSOA -> 2025 ward lookup is a best fit (derived where wards changed), so LADs built from it are too.
        grouped["derivation"] = f"aggregated from {source_geography} ({weighting}, LSOA best-fit lookup: lsoa_best_fit)"
        out[level] = _finish(grouped.rename(columns={key: "area_code"}))
    return out


def lsoa11_to_lsoa21(values: pd.DataFrame, lookup: pd.DataFrame, weights11: pd.Series) -> pd.DataFrame:
    """LSOA11 scores -> LSOA21. Unchanged and split LSOAs inherit their parent's value; merged and complex ones
    take the population-weighted mean of their parents (mid-2015 populations of the 2011 LSOAs)."""
    frame = values.merge(lookup[["LSOA11CD", "LSOA21CD"]], left_on="area_code", right_on="LSOA11CD", how="inner")
    frame = frame.assign(weight=frame["area_code"].map(weights11).fillna(0.0) + 1e-9)
    grouped = _weighted_mean(frame, ["LSOA21CD", "period"])
    return grouped.rename(columns={"LSOA21CD": "area_code"})[["area_code", "period", "value"]]


def inherit_from_parent(values: pd.DataFrame, parent_lookup: pd.DataFrame, *, parent_column: str, parent_label: str) -> pd.DataFrame:
    """Every LAD25 takes its parent's value (a county's, or a police force area's), marked as inherited."""
    frame = parent_lookup[["lad25_code", parent_column]].merge(values, left_on=parent_column, right_on="area_code", how="inner")
    frame = frame.drop(columns=["area_code"]).rename(columns={"lad25_code": "area_code"})
    frame["derivation"] = f"inherited from {parent_label} (inherited_{INHERITED_CODES.get(parent_column, parent_column)})"
    return _finish(frame)
