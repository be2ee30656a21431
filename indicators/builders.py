"""Compute-function builders shared by catalogue entries: each returns a function of the build context."""
from __future__ import annotations

import pandas as pd

from indicators.context import BuildContext


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
