"""Compute-function builders shared by catalogue entries: each returns a function of the build context."""
from __future__ import annotations

import pandas as pd

from indicators.context import BuildContext
from indicators.harmonise import _finish


def lad_measure(source_id: str, measure: str, geography: str, *, how: str = "mean", scale: float = 1.0):
    """A measure published per LAD (any code vintage), harmonised to LAD25."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        frame = ctx.lad_values(source_id, measure, geography, how=how)
        for column in ("value", "lower_ci", "upper_ci"):
            frame[column] = frame[column] * scale
        return {"lad": frame}

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
        grouped["derivation"] = "aggregated from MSOA 2021 (summed counts, each MSOA to the LAD holding most of its LSOAs)"
        return {"lad": _finish(grouped.rename(columns={"lad25_code": "area_code"}))}

    return compute
