"""Bring values published on older or other geographies onto May 2025 LADs and wards, recording how each was derived.

Every route goes through a versioned lookup file (never code special cases): LAD code chain 2011 -> 2025,
LSOA 2011 -> LSOA 2021, LSOA 2021 -> ward 2025 best fit, and LAD -> county / police force area for inheritance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

VALUE_COLUMNS = ["area_code", "period", "value", "numerator", "denominator", "lower_ci", "upper_ci", "derivation"]

DIRECT = "direct"
RECODED = "recoded to 2025 LAD code"


def _weighted_mean(frame: pd.DataFrame, keys: list[str], value: str = "value", weight: str = "weight") -> pd.DataFrame:
    present = frame[frame[value].notna() & frame[weight].notna()]
    product = (present[value] * present[weight]).groupby([present[k] for k in keys]).sum()
    weights = present[weight].groupby([present[k] for k in keys]).sum()
    counts = present.groupby(keys).size()
    out = pd.DataFrame({"value": product / weights, "weight_sum": weights, "n_parts": counts}).reset_index()
    return out


def lad_to_lad25(values: pd.DataFrame, chain: pd.DataFrame, weights: pd.Series | None, *, how: str, vintage: str) -> pd.DataFrame:
    """LAD values of any vintage -> LAD25. One-to-one codes pass through; merged districts combine.

    how="mean": population-weighted mean (rates, scores); how="sum": sum (counts).
    A 2025 LAD made of several old districts gets a value only if every one of them has one.
    values: area_code, period, value (+ optional numerator, denominator, lower_ci, upper_ci).
    """
    frame = values.merge(chain, left_on="area_code", right_on="old_code", how="inner")
    expected = frame.groupby("lad25_code")["area_code"].nunique()
    frame["n_expected"] = frame["lad25_code"].map(expected)
    single = frame[frame["n_expected"] == 1].copy()
    single["derivation"] = np.where(single["area_code"] == single["lad25_code"], DIRECT, RECODED + f" (from {vintage})")
    single = single.drop(columns=["area_code"]).rename(columns={"lad25_code": "area_code"})
    merged = frame[frame["n_expected"] > 1].copy()
    parts = [single]
    if len(merged):
        if how == "sum":
            grouped = merged.groupby(["lad25_code", "period"]).agg(
                value=("value", lambda s: s.sum(min_count=len(s)) if s.notna().all() else np.nan),
                n_parts=("value", "count"),
                n_expected=("n_expected", "first"),
            ).reset_index()
            if "numerator" in merged:
                sums = merged.groupby(["lad25_code", "period"])[["numerator", "denominator"]].sum(min_count=1).reset_index()
                grouped = grouped.merge(sums, on=["lad25_code", "period"], how="left")
        else:
            if weights is None:
                raise ValueError(f"population weights are needed to combine merged {vintage} districts")
            merged["weight"] = merged["area_code"].map(weights)
            grouped = _weighted_mean(merged, ["lad25_code", "period"])
            grouped["n_expected"] = grouped["lad25_code"].map(expected)
            if "numerator" in merged:
                sums = merged.groupby(["lad25_code", "period"])[["numerator", "denominator"]].sum(min_count=1).reset_index()
                grouped = grouped.merge(sums, on=["lad25_code", "period"], how="left")
                has_counts = grouped["numerator"].notna() & grouped["denominator"].gt(0)
                # Where counts exist a share is recomputed from them, which is exact; weights are only a fallback.
                grouped.loc[has_counts, "value"] = grouped.loc[has_counts, "numerator"] / grouped.loc[has_counts, "denominator"] * _scale(merged)
        grouped.loc[grouped["n_parts"] < grouped["n_expected"], "value"] = np.nan
        weight_note = "summed" if how == "sum" else "population-weighted"
        grouped["derivation"] = f"aggregated from {vintage} districts ({weight_note})"
        parts.append(grouped.rename(columns={"lad25_code": "area_code"}))
    out = pd.concat(parts, ignore_index=True)
    return _finish(out)


def _scale(frame: pd.DataFrame) -> float:
    """Shares are held as percentages or proportions; infer which from the parts so a recomputed share keeps the unit."""
    ratio = (frame["value"] / (frame["numerator"] / frame["denominator"])).replace([np.inf, -np.inf], np.nan).dropna()
    return float(ratio.median()) if len(ratio) else 1.0


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
        fit = "best-fit lookup" if level == "ward" else "exact nesting"
        weighting = "summed" if how == "sum" else "population-weighted mean"
        grouped["derivation"] = f"aggregated from {source_geography} ({weighting}, {fit})"
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
    frame["derivation"] = f"inherited from {parent_label}"
    return _finish(frame)
