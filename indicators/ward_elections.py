"""Local election turnout on May 2025 wards, 2021-2024.

The House of Commons Library codes its 2021, 2022 and 2024 ward results, but names the 2023 wards only (council and
ward name). Those are matched here in two steps: the name to a December 2023 ward of the same council (ONS WD23
lookup), then that ward to a May 2025 ward, by its code where the code is still in use, else by where its LSOAs went
(only when one 2025 ward takes most of them). Every 2023 row keeps how it was matched, or why it was not.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from areas.harmonise import _finish
from areas.ward_matching import LSOA_MAJORITY, METHODS, UNMATCHED, LsoaRoutes, carry_to_2025, holds_most, match_names, name_match_text
from data_sources import local_elections, ons_lookups
from indicators.context import BuildContext

SOURCE_ID = "local_elections"
PERIOD_LABEL = "2021-2024"
CODED_GEOGRAPHIES = ("ward24", "ward22", "ward21")

# ---------------------------------------------------------------------------------------------
# Build context entry points
# ---------------------------------------------------------------------------------------------

def _lookups(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """The ward lookups, read once per build: the 2023 match and the carry of coded results both use them."""
    if "ward_lookups" not in ctx._cache:
        folder = Path(ctx.raw_root) / ons_lookups.SOURCE.raw_folder
        ctx._cache["ward_lookups"] = {
            "wards23": ons_lookups.read(folder / ons_lookups.WARD23_LAD23),
            "lsoa21_ward24": ons_lookups.read(folder / ons_lookups.LSOA21_WARD24),
            "lsoa11_ward17": ons_lookups.read(folder / ons_lookups.LSOA11_WARD17),
        }
    return ctx._cache["ward_lookups"]


def _routes(ctx: BuildContext) -> LsoaRoutes:
    if "ward_routes" not in ctx._cache:
        lookups = _lookups(ctx)
        ctx._cache["ward_routes"] = LsoaRoutes(lookups["lsoa21_ward24"], lookups["lsoa11_ward17"], ctx.lsoa11_lsoa21)
    return ctx._cache["ward_routes"]


def results_2023(ctx: BuildContext) -> pd.DataFrame:
    """The 2023 ward rows as the Library names them (data_sources.local_elections.read_named_wards_2023)."""
    path = Path(ctx.raw_root) / local_elections.SOURCE.raw_folder / local_elections.FILE_2023
    return local_elections.read_named_wards_2023(path)


def election_matches_2023(ctx: BuildContext) -> pd.DataFrame:
    """Every 2023 row with its council, ward name, matched May 2025 ward code ("" if none), method, derivation and,
    for unmatched rows, the reason; columns MATCH_COLUMNS."""
    if "ward_elections_2023" in ctx._cache:
        return ctx._cache["ward_elections_2023"].copy()
    lookups = _lookups(ctx)
    wards25 = ctx.areas.loc[ctx.areas["level"] == "ward", ["area_code", "area_name", "area_name_welsh", "parent_code"]]
    lad23_to_lad25 = ctx.chain.drop_duplicates("old_code").set_index("old_code")["lad25_code"]
    named = match_names(results_2023(ctx), lookups["wards23"], wards25, lad23_to_lad25)
    routes = _routes(ctx)
    lsoa21_ward25 = ctx.lsoa21_ward.set_index("LSOA21CD")["WD25CD"]
    matches = carry_to_2025(named, set(ctx.ward_codes), routes, lsoa21_ward25, wards25.set_index("area_code")["area_name"])
    ctx._cache["ward_elections_2023"] = matches
    return matches.copy()


def match_summary(matches: pd.DataFrame) -> dict[str, int]:
    """Rows per method, and matched / total."""
    counts = {method: int((matches["method"] == method).sum()) for method in METHODS}
    counts["matched"] = len(matches) - counts[UNMATCHED]
    counts["total"] = len(matches)
    return counts


def unmatched_lines(matches: pd.DataFrame) -> list[str]:
    """One line per unmatched 2023 row, 'council, ward: reason', for the build output."""
    unmatched = matches[matches["method"] == UNMATCHED]
    return [f"{la}, {ward}: {reason}" for la, ward, reason in unmatched[["la_name", "ward_name", "reason"]].itertuples(index=False)]


def _coded_wards(ctx: BuildContext) -> pd.DataFrame:
    """Coded results (2021, 2022, 2024): wards whose code is still a May 2025 ward, and changed wards carried to the
    2025 ward that holds most of their LSOAs (as for 2023, see _carried_wards)."""
    parts = []
    for geography in CODED_GEOGRAPHIES:
        try:
            turnout = ctx.measure(SOURCE_ID, "turnout_pct", geography)
            electorate = ctx.measure(SOURCE_ID, "electorate", geography)
        except LookupError:
            continue
        frame = turnout.merge(electorate[["area_code", "value"]].rename(columns={"value": "electorate"}), on="area_code")
        frame["derivation"] = "ward election of May " + frame["period"] + " (code unchanged in 2025)"
        parts.append(frame[["area_code", "period", "value", "electorate", "derivation"]])
    if not parts:
        return pd.DataFrame(columns=["area_code", "period", "value", "electorate", "derivation"])
    frame = pd.concat(parts, ignore_index=True)
    current = frame["area_code"].isin(set(ctx.ward_codes))
    changed = frame[~current & frame["area_code"].str[:3].isin(["E05", "W05"]) & frame["value"].notna()]
    return pd.concat([frame[current], _carried_wards(ctx, changed)], ignore_index=True)


def _carried_wards(ctx: BuildContext, changed: pd.DataFrame) -> pd.DataFrame:
    """Results of wards whose boundaries changed by 2025 (Northumberland, Durham, Wiltshire... voted in 2021 on wards
    redrawn for 2025). A result goes to the 2025 ward holding more than half of the old ward's LSOAs, and counts only
    if the old wards carried there make up more than half of that ward's LSOAs too: else it describes another area."""
    routes = _routes(ctx)
    lsoa21_ward25 = ctx.lsoa21_ward.set_index("LSOA21CD")["WD25CD"]
    ward25_lsoas = lsoa21_ward25.value_counts()
    carried = []
    for row in changed.itertuples(index=False):
        lsoas, route = routes.lsoas(row.area_code)
        successors = lsoa21_ward25.reindex(lsoas).dropna().value_counts()
        if successors.empty or not holds_most(int(successors.iloc[0]), len(lsoas)):
            continue
        carried.append({"old_code": row.area_code, "period": row.period, "wd25_code": successors.index[0], "lsoas_to_wd25": int(successors.iloc[0]), "electorate": row.electorate, "ballots": row.electorate * row.value / 100})
    columns = ["area_code", "period", "value", "electorate", "derivation"]
    if not carried:
        return pd.DataFrame(columns=columns)
    rows = []
    for (code, period), group in pd.DataFrame(carried).groupby(["wd25_code", "period"]):
        from_old, of_new = int(group["lsoas_to_wd25"].sum()), int(ward25_lsoas.get(code, 0))
        if not holds_most(from_old, of_new):
            continue
        # Spelt out, not "LSOA": these are the old wards' own published results, not values summed from LSOAs.
        derivation = (
            f"ward election of May {period} (ward {' and '.join(group['old_code'])}, changed by 2025: {from_old} of this "
            f"ward's {of_new} lower layer super output areas were in it; ONS best-fit lookups)"
        )
        electorate = group["electorate"].sum()
        rows.append({"area_code": code, "period": period, "value": 100 * group["ballots"].sum() / electorate, "electorate": electorate, "derivation": derivation})
    return pd.DataFrame(rows, columns=columns)


def _wards_2023(matches: pd.DataFrame) -> pd.DataFrame:
    """2023 turnout per matched May 2025 ward. Changed wards whose LSOAs went mostly to one 2025 ward are summed
    there, and counted only if they make up most of that ward too: else the figure would describe another area."""
    matched = matches[matches["method"] != UNMATCHED].copy()
    matched["ballots"] = matched["electorate"] * matched["turnout_pct"] / 100
    rows = []
    for code, group in matched.groupby("wd25_code", sort=True):
        electorate = group["electorate"].sum()
        ballots = group["ballots"].sum(min_count=len(group))
        if (group["method"] == LSOA_MAJORITY).all():
            from_old = int(group["lsoas_to_wd25"].sum())
            of_new = int(group["wd25_lsoas"].iloc[0])
            if not holds_most(from_old, of_new):
                continue
        # Spelt out, not "LSOA": the build's reliability annotation reads that token as "summed from LSOA values",
        # and these are the old wards' own published results.
        if len(group) > 1:
            wards = " and ".join(f"{n} ({c})" for n, c in zip(group["wd23_name"], group["wd23_code"]))
            derivation = (
                f"ward election of May 2023 (December 2023 wards {wards} summed: each changed by 2025 and has most of its "
                f"lower layer super output areas in this ward, together {from_old} of its {of_new}; ONS best-fit lookups)"
            )
        elif group["method"].iloc[0] == LSOA_MAJORITY:
            old = group.iloc[0]
            derivation = (
                f"ward election of May 2023 ({name_match_text(old)} December 2023 ward {old['wd23_name']} ({old['wd23_code']}), "
                f"changed by 2025: {old['lsoas_to_wd25']} of its {old['lsoas_in_ward']} lower layer super output areas are "
                f"in this ward, which has {old['wd25_lsoas']}; ONS best-fit lookups)"
            )
        else:
            derivation = f"ward election of May 2023 ({group['derivation'].iloc[0]})"
        rows.append({"area_code": code, "period": "2023", "value": 100 * ballots / electorate, "electorate": electorate, "derivation": derivation})
    return pd.DataFrame(rows, columns=["area_code", "period", "value", "electorate", "derivation"])


def local_election_turnout(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """Turnout at each ward's most recent borough, district or unitary election of 2021-2024 that went to a poll
    (county divisions left out; a ward uncontested in its latest election keeps its latest polled one).

    Coded results (2021, 2022, 2024) count where the code is still a May 2025 ward. 2023 results are matched by name
    and carried to 2025 wards as election_matches_2023 records; each ward's derivation says which. LAD turnout sums
    ballots and electorate over the wards of the council's most recent election year.
    """
    coded = _coded_wards(ctx)
    named = _wards_2023(election_matches_2023(ctx))
    frame = pd.concat([coded, named], ignore_index=True)
    frame = frame[frame["value"].notna()]
    frame = frame.sort_values(["period", "area_code"], ascending=[False, True], kind="stable").drop_duplicates("area_code", keep="first")
    frame["numerator"] = frame["electorate"] * frame["value"] / 100
    frame["denominator"] = frame["electorate"]
    frame["year"] = frame["period"]
    frame["period"] = PERIOD_LABEL
    parent = ctx.areas.set_index("area_code")["parent_code"]
    frame["lad"] = frame["area_code"].map(parent)
    latest_year = frame.groupby("lad")["year"].max()
    lad = frame[frame["year"] == frame["lad"].map(latest_year)]
    lad = lad.groupby("lad").agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"), year=("year", "first"), wards=("area_code", "count")).reset_index()
    lad["value"] = 100 * lad["numerator"] / lad["denominator"]
    lad["period"] = PERIOD_LABEL
    lad["derivation"] = "summed over " + lad["wards"].astype(str) + " wards of the May " + lad["year"] + " election"
    ward = frame.sort_values("area_code").reset_index(drop=True)
    return {"ward": _finish(ward), "lad": _finish(lad.rename(columns={"lad": "area_code"}))}
