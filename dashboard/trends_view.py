"""Trends' view: an LA's series against its region, country and similar areas, its rank over time, and series breaks."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

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
def lad_table(areas: pd.DataFrame) -> pd.DataFrame:
    """The areas table's LAs, indexed by area code."""
    return areas[areas["level"] == "lad"].set_index("area_code")


@per_frames
def neighbour_codes(neighbours: pd.DataFrame) -> Mapping[tuple[str, str], list[str]]:
    """Each (area, kind)'s neighbour codes in the table's order: one lookup instead of a filter of the table per area."""
    if neighbours.empty:
        return MappingProxyType({})
    area, kind, code = (neighbours[c].to_numpy(dtype=object) for c in ("area_code", "kind", "neighbour_code"))
    order = np.lexsort((pd.factorize(kind)[0], pd.factorize(area)[0]))  # stable: each group keeps the table's order
    area, kind, code = area[order], kind[order], code[order]
    starts = np.flatnonzero(np.r_[True, (area[1:] != area[:-1]) | (kind[1:] != kind[:-1]), True])
    return MappingProxyType({(area[lo], kind[lo]): code[lo:hi].tolist() for lo, hi in zip(starts[:-1], starts[1:])})


@dataclass(frozen=True)
class _PeriodGroups:
    period: str
    by_code: pd.Series  # value by area code
    values: Mapping[str, float]  # the same as a dict
    region: Mapping[str, float]  # comparator value by region code (absent: no LA of the region holds a value)
    country: Mapping[str, float]


def _group_values(held: pd.DataFrame, column: str, population: pd.Series) -> Mapping[str, float]:
    # One comparator_values call per group on that group's rows alone, as a per-area filter gave them: whether the
    # counts are summed depends on every row of the group holding counts.
    return MappingProxyType({code: _first(comparator_values(mine.reset_index(drop=True), mine.reset_index(drop=True)[column], population))
                             for code, mine in held.groupby(column, sort=False)})


@per_frames
def comparator_groups(indicator_values: pd.DataFrame, areas: pd.DataFrame, population: pd.Series) -> tuple[_PeriodGroups, ...]:
    """Per period (in groupby order): the values by area code and every region's and country's comparator value, the
    same for every LA of a region or country, so worked out once per indicator for all of them."""
    lads = lad_table(areas)
    frame = indicator_values.assign(region=indicator_values["area_code"].map(lads["region_code"]), country=indicator_values["area_code"].map(lads["country"]))
    out = []
    for period, block in frame.groupby("period"):
        held = block[block["value"].notna()]
        by_code = block.set_index("area_code")["value"]
        out.append(_PeriodGroups(period, by_code, MappingProxyType(dict(zip(by_code.index, by_code.tolist()))), _group_values(held, "region", population), _group_values(held, "country", population)))
    return tuple(out)


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
    me = lad_table(areas).loc[area]
    country_name = COUNTRY_NAMES[me["country"]]
    name, region_code, country = str(me["area_name"]), me["region_code"], me["country"]
    region_label, country_label = f"Region: {me['region_name']}", f"Country: {country_name}"
    codes = neighbour_codes(neighbours).get((area, neighbour_kind), []) if neighbours is not None and neighbour_kind else None
    near_label = "ONS similar areas (median)" if neighbour_kind == "ons_global" else "Our similar areas (median)"
    out = []
    for group in comparator_groups(indicator_values, areas, population):
        period, by_code = group.period, group.by_code
        if area in by_code.index:
            out.append((period, name, float(by_code[area])))
        if region_code != WALES_CODE:
            out.append((period, region_label, group.region.get(region_code, np.nan)))
        out.append((period, country_label, group.country.get(country, np.nan)))
        if codes is not None:
            near = [v for v in (group.values.get(c, np.nan) for c in codes) if v == v]
            if near:
                out.append((period, near_label, float(pd.Series(near, dtype=float).median())))
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
