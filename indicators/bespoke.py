"""Bespoke computations: compute functions written for one indicator each, whose data no generic builder fits.

They live apart from the generic builders (indicators/builders.py) so that a builder there can be trusted to serve any
measure of its source, and apart from the catalogue so that it holds declarations only. The two largest bespoke
computations have modules of their own: indicators/apportion.py (general election turnout) and
indicators/ward_elections.py (local election turnout).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from areas.harmonise import _finish, lad_to_lad25
from indicators.context import BuildContext


def imd_history_score(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """IMD average score 2004-2025 on LAD25: 2004-2015 from LAD21 derived files, 2019 and 2025 from the official File 10s."""
    parts = [ctx.lad_values("imd_history", "imd_average_score", "lad21")]
    parts.append(ctx.lad_values("imd2019", "imd_average_score", "lad19"))
    parts.append(ctx.lad_values("iod2025", "imd_average_score", "lad24"))
    lad = pd.concat(parts, ignore_index=True)
    ward = ctx.lsoa21_mean("iod2025", "imd_score")["ward"]
    return {"lad": lad, "ward": ward}


def adult_skills_english(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """The IoD 2019 adult skills indicator, LSOA 2011 scores carried to 2025 wards and LADs; English areas only."""
    out = ctx.lsoa11_mean("imd2019", "adult_skills_and_english_language_proficiency_indicator")
    return {level: frame[frame["area_code"].str.startswith("E")] for level, frame in out.items()}


def eu_referendum_turnout(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """2016 turnout as published per 2016 LAD, recoded to LAD25; votes cast and electorate kept as its counts."""
    votes = ctx.measure("eu_referendum", "votes_cast", "lad16")
    electorate = ctx.measure("eu_referendum", "electorate", "lad16").set_index("area_code")["value"]
    frame = ctx.measure("eu_referendum", "pct_turnout", "lad16")
    frame["numerator"] = frame["area_code"].map(votes.set_index("area_code")["value"])
    frame["denominator"] = frame["area_code"].map(electorate)
    return {"lad": lad_to_lad25(frame, ctx.chain, ctx.old_lad_population, how="mean")}


def ethnic_minority_share(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """2021 from LSOA counts (wards and LADs); 2011 from Census 2011 QS201 LAD counts, summed for later mergers."""
    out = ctx.small_area_share("census2021", "lsoa21", ["ethnic_asian", "ethnic_black", "ethnic_mixed", "ethnic_other"], "ethnic_total")
    total = ctx.lad_values("census2011", "ethnic_total", "lad11", how="sum").set_index(["area_code", "period"])
    white = ctx.lad_values("census2011", "ethnic_white", "lad11", how="sum").set_index(["area_code", "period"])
    frame = pd.DataFrame({"denominator": total["value"], "numerator": total["value"] - white["value"], "derivation": total["derivation"]}).reset_index()
    frame["value"] = 100 * frame["numerator"] / frame["denominator"]
    out["lad"] = pd.concat([out["lad"], _finish(frame)], ignore_index=True)
    return out


def dissimilarity_index(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """Index of dissimilarity between White and all other ethnic groups across a LAD's LSOAs:
    D = 0.5 x sum |w_i / W - m_i / M|; 0 = evenly mixed, 100 = complete separation. Depends on LSOA size (MAUP)."""
    total = ctx.measure("census2021", "ethnic_total", "lsoa21").set_index("area_code")["value"]
    white = ctx.measure("census2021", "ethnic_white", "lsoa21").set_index("area_code")["value"]
    frame = pd.DataFrame({"white": white, "other": total - white})
    frame["lad"] = frame.index.map(ctx.lsoa21_ward.set_index("LSOA21CD")["LAD25CD"])
    frame = frame.dropna(subset=["lad"])
    sums = frame.groupby("lad")[["white", "other"]].transform("sum")
    frame["term"] = (frame["white"] / sums["white"] - frame["other"] / sums["other"]).abs()
    result = frame.groupby("lad")["term"].sum().mul(50).rename("value").reset_index().rename(columns={"lad": "area_code"})
    result["period"] = "2021"
    result["derivation"] = "computed from Census 2021 LSOA ethnic-group counts"
    return {"lad": _finish(result)}


def population_density(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """Census 2021 residents per km2 of each LAD25."""
    areas = ctx.areas.set_index("area_code")
    lad = pd.DataFrame({"area_code": ctx.lad_codes})
    lad["numerator"] = lad["area_code"].map(ctx.lad25_population)
    lad["denominator"] = lad["area_code"].map(areas["area_km2"])
    lad["value"] = lad["numerator"] / lad["denominator"]
    lad["period"] = "2021"
    lad["derivation"] = "Census 2021 residents / area of generalised 2025 boundaries"
    return {"lad": _finish(lad)}


def population_size_log(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """log10 of Census 2021 residents per LAD25: population size on a scale where a city does not swamp the rest."""
    lad = pd.DataFrame({"area_code": ctx.lad_codes})
    lad["numerator"] = lad["area_code"].map(ctx.lad25_population)
    lad["value"] = np.log10(lad["numerator"])
    lad["period"] = "2021"
    lad["derivation"] = "log10 of Census 2021 residents summed from LSOAs"
    return {"lad": _finish(lad)}
