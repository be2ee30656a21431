"""Compute-function builders shared by catalogue entries: each returns a function of the build context."""
from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.context import BuildContext
from indicators.harmonise import VALUE_COLUMNS, _finish


def lad_measure(source_id: str, measure: str, geography: str, *, how: str = "mean", scale: float = 1.0):
    """A measure published per LAD (any code vintage), harmonised to LAD25."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        frame = ctx.lad_values(source_id, measure, geography, how=how)
        for column in ("value", "lower_ci", "upper_ci"):
            frame[column] = frame[column] * scale
        return {"lad": frame}

    return compute


def lad_measure_multi(source_id: str, measure: str, geographies: tuple[str, ...], *, how: str = "mean"):
    """A LAD series whose periods come on several code vintages (e.g. LAD21 for old years, LAD23 for new)."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        parts = []
        for geography in geographies:
            try:
                parts.append(ctx.lad_values(source_id, measure, geography, how=how))
            except LookupError:
                continue
        frame = pd.concat(parts, ignore_index=True)
        # Where two vintages give the same period, prefer the newer vintage (listed first).
        frame = frame.drop_duplicates(["area_code", "period"], keep="first")
        return {"lad": frame}

    return compute


def lad_and_ward_from_lsoa21(source_id: str, lsoa_measure: str, lad_geography: str | None = None, lad_measure_name: str | None = None):
    """Wards from population-weighted LSOA21 scores; LADs from the publisher's own LAD summary where it exists."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        derived = ctx.lsoa21_mean(source_id, lsoa_measure)
        out = {"ward": derived["ward"]}
        if lad_measure_name:
            out["lad"] = ctx.lad_values(source_id, lad_measure_name, lad_geography, how="mean")
        else:
            out["lad"] = derived["lad"]
        return out

    return compute


def share_from_small_areas(source_id: str, geography: str, numerators: list[str], denominator: str):
    """Numerators and denominator summed from small areas (LSOA or OA) to wards and LADs, then divided."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        return ctx.small_area_share(source_id, geography, numerators, denominator)

    return compute


def lad_share_from_msoa(source_id: str, numerators: list[str], denominator: str):
    """MSOAs nest in LADs exactly (not in wards), so these shares exist for LADs only."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        num = None
        for measure in numerators:
            part = ctx.measure(source_id, measure, "msoa21").set_index(["area_code", "period"])["value"]
            num = part if num is None else num.add(part, fill_value=0)
        den = ctx.measure(source_id, denominator, "msoa21").set_index(["area_code", "period"])["value"]
        frame = pd.DataFrame({"numerator": num, "denominator": den}).reset_index()
        frame = frame.merge(ctx.msoa_to_lad25, left_on="area_code", right_on="msoa21_code")
        grouped = frame.groupby(["lad25_code", "period"])[["numerator", "denominator"]].sum().reset_index()
        grouped["value"] = 100 * grouped["numerator"] / grouped["denominator"]
        grouped["derivation"] = "aggregated from MSOA 2021 (summed counts, exact nesting)"
        return {"lad": _finish(grouped.rename(columns={"lad25_code": "area_code"}))}

    return compute


def inherited(source_id: str, measure: str, geography: str, parent: str, *, scale: float = 1.0):
    """Published only for a parent (county or police force area): each LAD takes its parent's value."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        frame = ctx.measure(source_id, measure, geography)
        for column in ("value", "lower_ci", "upper_ci"):
            frame[column] = frame[column] * scale
        return {"lad": ctx.inherit(frame, parent)}

    return compute


def lad_rate_per_1000(source_id: str, measure: str, geography: str):
    """Counts per 1,000 residents, with Census 2021 residents summed to LAD25 as the denominator."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        counts = ctx.lad_values(source_id, measure, geography, how="sum")
        population = ctx.lad25_population
        counts["numerator"] = counts["value"]
        counts["denominator"] = counts["area_code"].map(population)
        counts["value"] = 1000 * counts["numerator"] / counts["denominator"]
        counts["derivation"] = counts["derivation"] + "; per 1,000 Census 2021 residents"
        return {"lad": counts}

    return compute


def combine(*computes):
    """Several computes of one indicator (e.g. one per period or source vintage) stacked per level."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        out: dict[str, list[pd.DataFrame]] = {}
        for part in computes:
            for level, frame in part(ctx).items():
                out.setdefault(level, []).append(frame)
        return {level: pd.concat(frames, ignore_index=True) for level, frames in out.items()}

    return compute


__all__ = ["lad_measure", "lad_measure_multi", "lad_and_ward_from_lsoa21", "share_from_small_areas", "lad_share_from_msoa", "inherited", "lad_rate_per_1000", "combine", "VALUE_COLUMNS", "np"]
