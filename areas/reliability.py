"""How much each ward value rests on: the output areas or LSOAs summed into it, and how well the best-fit LSOAs fit.

A ward's LSOA-based values come from the LSOAs the best-fit lookup gives it. Where wards are small or cut across
LSOAs, those LSOAs hold many residents of other wards, and a ward with one LSOA has one small-area value behind
it. Both are said beside the value and flagged on the ward map; they are never hidden by the score.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the build's input; the app reads only this module's constants and rests_on
    from indicators.context import BuildContext

# Residents per OA (TS037 total: all usual residents) weigh how much of an LSOA lies in each ward.
RESIDENTS_SOURCE, RESIDENTS_MEASURE = "census2021_oa_topics", "health_total"
# Below this share of its LSOAs' residents living in the ward, a ward's LSOA-based values mostly describe neighbours.
MIN_BEST_FIT_SHARE = 0.5
MIN_LSOAS = 2
RELIABILITY_COLUMNS = ["area_code", "n_lsoa", "n_oa", "best_fit_share", "low_reliability", "reliability_note"]
# What a ward value rests on, read from its derivation: OA sums, LSOA aggregates, or the ward itself.
RESTS_ON = (("aggregated from OA 2021", "OA"), ("LSOA", "LSOA"))


def ward_reliability(ctx: BuildContext) -> pd.DataFrame:
    """One row per ward: n_lsoa (best-fit LSOAs), n_oa (OAs placed by centroid), best_fit_share (share of the
    residents of its best-fit LSOAs who live in the ward, by OA placement), low_reliability and why."""
    oa = ctx.oa_ward[["oa21_code", "lsoa21_code", "WD25CD"]].copy()
    residents = ctx.measure(RESIDENTS_SOURCE, RESIDENTS_MEASURE, "oa21").set_index("area_code")["value"]
    oa["residents"] = oa["oa21_code"].map(residents).fillna(0.0)
    lsoa_ward = ctx.lsoa21_ward.set_index("LSOA21CD")["WD25CD"]
    oa["best_fit_ward"] = oa["lsoa21_code"].map(lsoa_ward)
    # Per best-fit ward: residents of its LSOAs, and of those, the ones whose OA lies in that ward.
    of_lsoas = oa.groupby("best_fit_ward")["residents"].sum()
    inside = oa[oa["WD25CD"] == oa["best_fit_ward"]].groupby("best_fit_ward")["residents"].sum()
    wards = pd.Index(ctx.ward_codes, name="area_code")
    frame = pd.DataFrame(index=wards)
    frame["n_lsoa"] = lsoa_ward.groupby(lsoa_ward.values).size().reindex(wards).fillna(0).astype("int64")
    frame["n_oa"] = oa.groupby("WD25CD").size().reindex(wards).fillna(0).astype("int64")
    frame["best_fit_share"] = (inside.reindex(wards).fillna(0.0) / of_lsoas.reindex(wards)).where(frame["n_lsoa"] > 0)
    frame["low_reliability"] = (frame["n_lsoa"] < MIN_LSOAS) | (frame["best_fit_share"] < MIN_BEST_FIT_SHARE)
    frame["reliability_note"] = [_note(n, share) for n, share in zip(frame["n_lsoa"], frame["best_fit_share"])]
    return frame.reset_index()[RELIABILITY_COLUMNS]


def _note(n_lsoa: int, share: float) -> str:
    if n_lsoa == 0:
        return "no LSOA is assigned to this ward by best fit: LSOA-based values are missing"
    parts = []
    if n_lsoa < MIN_LSOAS:
        parts.append("its LSOA-based values rest on a single LSOA")
    if share < MIN_BEST_FIT_SHARE:
        parts.append(f"only {share:.0%} of the residents of its best-fit LSOAs live in the ward")
    return "; ".join(parts)


def rests_on(derivation: pd.Series) -> pd.Series:
    """The small areas a ward value was summed from: 'OA', 'LSOA', or '' for a value published for the ward."""
    out = pd.Series("", index=derivation.index, dtype=object)
    for marker, kind in reversed(RESTS_ON):
        out = out.mask(derivation.str.contains(marker, regex=False), kind)
    return out


def annotate_ward_values(values: pd.DataFrame, reliability: pd.DataFrame) -> pd.DataFrame:
    """Every ward value with n_small_areas (OAs or LSOAs it rests on) and best_fit_share (LSOA-based values only)."""
    out = values.copy()
    out["n_small_areas"] = np.nan
    out["best_fit_share"] = np.nan
    ward = out["level"] == "ward"
    kind = rests_on(out.loc[ward, "derivation"])
    by_code = reliability.set_index("area_code")
    codes = out.loc[ward, "area_code"]
    out.loc[ward, "n_small_areas"] = np.where(kind == "OA", codes.map(by_code["n_oa"]), np.where(kind == "LSOA", codes.map(by_code["n_lsoa"]), np.nan))
    out.loc[ward, "best_fit_share"] = np.where(kind == "LSOA", codes.map(by_code["best_fit_share"]), np.nan)
    return out
