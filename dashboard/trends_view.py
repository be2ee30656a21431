"""Trends' view: an LA's series against its region, country and similar areas, its rank over time, and series breaks."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import figures
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import catalogue_row, sort_periods
from scoring.benchmarks import comparator_values
from vocabulary import COUNTRY_NAMES, WALES_CODE


@per_frames
def series_breaks(catalogue: pd.DataFrame, indicator_id: str, periods: list[str]) -> list[tuple[str, str]]:
    """The indicator's declared series breaks (period, why) that fall among these periods, from the catalogue table."""
    row = catalogue_row(catalogue, indicator_id)
    declared = json.loads(row.get("series_breaks") or "[]") if row else []
    present = set(periods)
    return [(period, why) for period, why in declared if period in present]


@per_frames
def edition_note(catalogue: pd.DataFrame, indicator_id: str) -> str:
    row = catalogue_row(catalogue, indicator_id)
    return str(row.get("edition_note") or "") if row else ""


@per_frames
def lad_population(lad_values: pd.DataFrame) -> pd.Series:
    """Census 2021 residents per LA, from the population_size_log indicator (log10 residents)."""
    rows = lad_values[lad_values["indicator_id"] == "population_size_log"]
    return pd.Series(10 ** rows["value"].to_numpy(), index=rows["area_code"].to_numpy())


def _first(values: pd.Series) -> float:
    return float(values.iloc[0]) if len(values) else np.nan


@per_frames
def comparator_series(
    indicator_values: pd.DataFrame,
    area: str,
    areas: pd.DataFrame,
    population: pd.Series,
    neighbours: pd.DataFrame | None = None,
    neighbour_kind: str | None = None,
) -> pd.DataFrame:
    """Long frame (period, series, value) for one LA against its region and country in each period, by the atlas's one
    comparator (scoring.benchmarks.comparator_values: summed counts for shares of counts, else the mean of the LAs
    holding a value, weighted by Census 2021 residents); optionally the median of similar areas."""
    lads = areas[areas["level"] == "lad"].set_index("area_code")
    me = lads.loc[area]
    frame = indicator_values.assign(region=indicator_values["area_code"].map(lads["region_code"]), country=indicator_values["area_code"].map(lads["country"]))
    country_name = COUNTRY_NAMES[me["country"]]
    out = []
    for period, block in frame.groupby("period"):
        by_code = block.set_index("area_code")["value"]
        if area in by_code.index:
            out.append((period, str(me["area_name"]), float(by_code[area])))
        held = block[block["value"].notna()]
        if me["region_code"] != WALES_CODE:
            mine = held[held["region"] == me["region_code"]].reset_index(drop=True)
            out.append((period, f"Region: {me['region_name']}", _first(comparator_values(mine, mine["region"], population))))
        mine = held[held["country"] == me["country"]].reset_index(drop=True)
        out.append((period, f"Country: {country_name}", _first(comparator_values(mine, mine["country"], population))))
        if neighbours is not None and neighbour_kind:
            codes = neighbours[(neighbours["area_code"] == area) & (neighbours["kind"] == neighbour_kind)]["neighbour_code"]
            near = by_code.reindex(codes).dropna()
            if len(near):
                label = "ONS similar areas (median)" if neighbour_kind == "ons_global" else "Our similar areas (median)"
                out.append((period, label, float(near.median())))
    result = pd.DataFrame(out, columns=["period", "series", "value"]).dropna(subset=["value"])
    order = {p: i for i, p in enumerate(sort_periods(result["period"]))}
    return result.sort_values(["series", "period"], key=lambda s: s.map(order) if s.name == "period" else s).reset_index(drop=True)


@per_frames
def rank_series(indicator_values: pd.DataFrame, area: str, polarity: str) -> pd.DataFrame:
    """The LA's rank among all LAs holding a value, per period (1 = best; for context, 1 = highest)."""
    out = []
    for period, block in indicator_values.groupby("period"):
        ranks = block.set_index("area_code")["value"].rank(ascending=polarity == "lower_is_better", method="min")
        if area in ranks.index:
            out.append((period, float(ranks[area]), int(ranks.notna().sum())))
    frame = pd.DataFrame(out, columns=["period", "rank", "n_areas"])
    order = {p: i for i, p in enumerate(sort_periods(frame["period"]))}
    return frame.sort_values("period", key=lambda s: s.map(order)).reset_index(drop=True)


@dataclass(frozen=True)
class TrendView:
    figure: object  # plotly Figure
    table: pd.DataFrame  # the chart's values, one row per period
    series_names: frozenset[str]


@per_frames
def trend_view(atlas, measure: str, lad: str, comparator: str, show: str, neighbour_kind: str | None, source_line: str) -> TrendView:
    """The Trends page's chart and table for one LA and indicator: its values against its region, country and similar
    areas (show='value'), or its rank among LAs each period (show='rank')."""
    row = catalogue_row(atlas.catalogue, measure)
    values = atlas.indicator_values(measure, "lad")
    periods = atlas.periods_for(measure, "lad")
    breaks = series_breaks(atlas.catalogue, measure, periods)
    name = atlas.names[lad]
    if show == "rank":
        ranks = rank_series(values, lad, row["polarity"])
        series = ranks.assign(series=name, value=ranks["rank"])[["period", "series", "value"]]
        fig = figures.trend_chart(series, periods, breaks, unit="rank", source_line=source_line, highlight=name, y_title="rank among LAs (1 = best)", reverse_y=True,
                                  title=f"{row['title']}: rank of {name}")
        table = ranks.rename(columns={"period": "Period", "rank": "Rank (1 = best)", "n_areas": "LAs ranked"})
    else:
        series = comparator_series(values, lad, atlas.areas, atlas.population, atlas.neighbours if neighbour_kind else None, neighbour_kind)
        if comparator == "country":
            series = series[~series["series"].str.startswith("Region:")]
        fig = figures.trend_chart(series, periods, breaks, unit=row["unit"], source_line=source_line, highlight=name, title=f"{row['title']}: {name}")
        table = series.pivot_table(index="period", columns="series", values="value", sort=False).reindex([p for p in periods if p in set(series["period"])])
        table = table.reset_index().rename(columns={"period": "Period"})
    return TrendView(fig, table, frozenset(series["series"]))
