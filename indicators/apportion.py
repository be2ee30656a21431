"""Constituency figures apportioned to LSOAs by resident weights, then summed to LADs: GE2024 turnout on 2025 LADs."""
from __future__ import annotations

import numpy as np
import pandas as pd

from areas import harmonise
from indicators.context import BuildContext

GE_SOURCE = "general_elections"
GE_GEOGRAPHY = "pcon24"
GE_PERIOD = "2024"
ADULTS_SOURCE = "census2021_oa_topics"
ADULTS_MEASURE = "qual_total"  # TS067 total: all usual residents aged 16 and over
COUNTS = ("electorate", "valid_votes")
_APPORTIONED = (
    "derived: GE2024 constituency electorate and valid votes apportioned to LSOAs by Census 2021 residents aged 16+ "
    "(ONS LSOA21 -> PCON24 lookup), summed to the "
)
GE2024_DERIVATION = {"lad": _APPORTIONED + "LAD", "ward": _APPORTIONED + "ward over its best-fit LSOAs"}


def general_election_turnout_by_lsoa(results: pd.DataFrame, lookup: pd.DataFrame, adults_by_lsoa: pd.Series) -> pd.DataFrame:
    """Each LSOA's share of its constituency's electorate and valid votes, in proportion to its adult residents.

    results: one row per constituency with area_code (PCON24), electorate, valid_votes.
    lookup: lsoa21_code, pcon24_code (each LSOA in exactly one constituency).
    adults_by_lsoa: residents aged 16+ per LSOA21, indexed by LSOA code.
    Returns lsoa21_code, pcon24_code, adults, constituency_adults, share (= adults / constituency_adults),
    electorate, valid_votes (the apportioned counts). Every constituency's counts are shared out in full, so a
    constituency without LSOAs or adults in the inputs is an error, not a quiet loss.
    """
    for frame, columns, what in ((results, ["area_code", *COUNTS], "results"), (lookup, ["lsoa21_code", "pcon24_code"], "lookup")):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{what} lacks column(s) {missing}")
    if results["area_code"].duplicated().any():
        raise ValueError("results repeat a constituency: give one row per constituency and period")
    if lookup["lsoa21_code"].duplicated().any():
        raise ValueError("lookup assigns an LSOA to more than one constituency")
    frame = lookup[["lsoa21_code", "pcon24_code"]].copy()
    frame["adults"] = frame["lsoa21_code"].map(adults_by_lsoa).astype("float64")
    if frame["adults"].isna().any():
        example = frame.loc[frame["adults"].isna(), "lsoa21_code"].iloc[0]
        raise ValueError(f"no adult residents given for {int(frame['adults'].isna().sum())} LSOAs of the lookup, e.g. {example}")
    frame["constituency_adults"] = frame.groupby("pcon24_code")["adults"].transform("sum")
    covered = frame.groupby("pcon24_code")["adults"].sum()
    uncovered = sorted(set(results["area_code"]) - set(covered[covered > 0].index))
    if uncovered:
        raise ValueError(f"{len(uncovered)} constituencies have no LSOAs with adult residents to share their counts over, e.g. {uncovered[:3]}")
    frame = frame[frame["pcon24_code"].isin(set(results["area_code"]))].copy()
    frame["share"] = frame["adults"] / frame["constituency_adults"]
    per_seat = results.set_index("area_code")
    for column in COUNTS:
        frame[column] = frame["share"] * frame["pcon24_code"].map(per_seat[column]).astype("float64")
    return frame.reset_index(drop=True)


def adults_by_lsoa(ctx: BuildContext) -> pd.Series:
    """Census 2021 usual residents aged 16+ per LSOA21: TS067 OA totals summed over the exact OA -> LSOA nesting."""
    oas = ctx.measure(ADULTS_SOURCE, ADULTS_MEASURE, "oa21").set_index("area_code")["value"]
    lsoa = ctx.oa_lookup.set_index("oa21_code")["lsoa21_code"]
    missing = oas.index.difference(lsoa.index)
    if len(missing):
        raise ValueError(f"{len(missing)} TS067 output areas are not in the OA21 lookup, e.g. {list(missing[:3])}")
    return oas.groupby(lsoa.reindex(oas.index).values).sum()


def ge2024_results(ctx: BuildContext) -> pd.DataFrame:
    """GE2024 electorate and valid votes per July 2024 constituency (England and Wales), one row each."""
    parts = {}
    for measure in COUNTS:
        rows = ctx.measure(GE_SOURCE, measure, GE_GEOGRAPHY)
        rows = rows[rows["period"] == GE_PERIOD]
        parts[measure] = rows.set_index("area_code")["value"]
    results = pd.DataFrame(parts).rename_axis("area_code").reset_index()
    if results[list(COUNTS)].isna().any().any():
        raise ValueError("GE2024 results lack the electorate or valid votes of some constituencies")
    return results


def general_election_turnout(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """GE2024 turnout (valid votes / electorate, %) for 2025 LADs and wards from constituency counts apportioned to
    LSOAs: a ward inside one constituency gets that constituency's turnout, a ward straddling two an adult-weighted mix."""
    shares = general_election_turnout_by_lsoa(ge2024_results(ctx), ctx.pcon24_lookup, adults_by_lsoa(ctx))
    frame = pd.DataFrame(
        {
            "area_code": shares["lsoa21_code"],
            "period": GE_PERIOD,
            "numerator": shares["valid_votes"],
            "denominator": shares["electorate"],
            "value": shares["valid_votes"],
        }
    )
    constituencies = shares.assign(ward=shares["lsoa21_code"].map(ctx.lsoa21_ward.set_index("LSOA21CD")["WD25CD"]))
    seats_per_ward = constituencies.groupby("ward")["pcon24_code"].nunique()
    out = {}
    for level, areas in harmonise.lsoa21_to_areas(frame, ctx.lsoa21_ward, None, how="sum").items():
        areas["value"] = 100 * areas["numerator"] / areas["denominator"].replace(0, np.nan)
        areas["period"] = GE_PERIOD
        areas["derivation"] = GE2024_DERIVATION[level]
        if level == "ward":
            straddles = areas["area_code"].map(seats_per_ward).fillna(1) > 1
            areas["derivation"] = np.where(straddles, GE2024_DERIVATION["ward"] + "; the ward straddles constituencies", GE2024_DERIVATION["ward"] + "; one constituency")
        out[level] = areas[harmonise.VALUE_COLUMNS].reset_index(drop=True)
    return out
