"""The LA profile's view: factor summary against comparators, indicator rows with flags and trends, scope notes."""
from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

import vocabulary as vocab
from dashboard import figures
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import fmt_value, position_text, sort_periods
from dashboard.scopes import evidence_text
from dashboard.source_lines import scored_at, source_texts
from dashboard.trends_view import lad_table, neighbour_codes
from scoring.benchmarks import NOT_COMPARED
from vocabulary import COUNTRY_NAMES, DEFAULT_SCOPE, FACTORS, SCOPE_LABELS

COMPARATORS = {
    "region": "Region",
    "country": "Country",
    "ons_neighbours": "ONS similar areas",
    "atlas_neighbours": "Our similar areas",
}


COMPARATOR_COLUMNS = {
    "region": "region_value",
    "country": "country_value",
    "ons_neighbours": "ons_neighbours_median",
    "atlas_neighbours": "atlas_neighbours_median",
}


NEIGHBOUR_KINDS = {"ons_neighbours": "ons_global", "atlas_neighbours": "atlas_knn"}


# The flag caption, in the words the cells use (benchmarks.NOT_COMPARED), so a reader can match one to the other.
FLAG_NOTE = (
    "Flag: better / similar / worse where the published 95% confidence interval lies wholly on one side of the region "
    f"or country value; '{NOT_COMPARED}' where no interval is published, for context measures, and always against a "
    "median of similar areas (a median carries no interval)."
)


@per_frames
def factor_note(catalogue: pd.DataFrame, factor: int) -> str:
    """What a factor's evidence cannot say (e.g. factor 5 rests on proxies and dated data), as its declarations state it."""
    if "factor_note" not in catalogue:
        return ""
    notes = catalogue.loc[(catalogue["factor"] == factor) & catalogue["factor_note"].astype(bool), "factor_note"]
    return str(notes.iloc[0]) if len(notes) else ""


def group_rank(scores: pd.Series, area: str, members: list[str]) -> tuple[float, int]:
    """Rank (1 = best) of `area` among `members` (itself included) by score."""
    members = [m for m in dict.fromkeys([area, *members]) if m in scores.index]
    block = scores.reindex(members).dropna()
    if area not in block.index:
        return np.nan, len(block)
    return float((block > block[area]).sum() + 1), len(block)


def group_band(area: str, members: list[str], ranks: pd.Series, low: float, high: float) -> tuple[float, float]:
    """The national rank band carried into a group: 1 + the members (other than the area) ranked better than each end.

    An approximation (the other members' ranks are held at their point values), labelled as such on the page.
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return np.nan, np.nan
    others = ranks.reindex([m for m in dict.fromkeys(members) if m != area]).dropna()
    return float((others < low).sum() + 1), float((others < high).sum() + 1)


@dataclass(frozen=True)
class _FactorBlock:
    block: pd.DataFrame  # one factor's rows of one method and universe, by area code
    score: Mapping[str, float]
    rank: Mapping[str, float]


@per_frames
def factor_blocks(lad_scores: pd.DataFrame, method: str, areas: pd.DataFrame, country: str | None) -> Mapping[str, _FactorBlock]:
    """Per factor (1-5, composite): the rows of one method among the LAs of one universe (a country's, or every LA's
    where country is None), by area code, with their scores and ranks as lookups; shared by every LA of the universe."""
    lads = lad_table(areas)
    universe = lads.index if country is None else lads.index[lads["country"] == country]
    mine = lad_scores[(lad_scores["method"] == method) & lad_scores["area_code"].isin(universe)]
    out = {}
    for factor in [*[str(n) for n in FACTORS], "composite"]:
        block = mine[mine["factor"] == factor].set_index("area_code")
        out[factor] = _FactorBlock(block, MappingProxyType(dict(zip(block.index, block["score"].tolist()))), MappingProxyType(dict(zip(block.index, block["rank"].tolist()))))
    return MappingProxyType(out)


@per_frames
def region_members(areas: pd.DataFrame) -> Mapping[str, list[str]]:
    """Each region's LAs, in the areas table's order."""
    lads = lad_table(areas)
    return MappingProxyType({region: block.index.tolist() for region, block in lads.groupby("region_code", sort=False)})


def _group_rank(scores: Mapping[str, float], area: str, members: list[str]) -> tuple[float, int]:
    """group_rank on a dict of scores (area code -> score, NaN where none)."""
    held = [scores[m] for m in dict.fromkeys([area, *members]) if m in scores]
    held = [v for v in held if v == v]
    mine = scores.get(area, np.nan)
    if mine != mine:
        return np.nan, len(held)
    return float(sum(v > mine for v in held) + 1), len(held)


def _group_band(area: str, members: list[str], ranks: Mapping[str, float], low: float, high: float) -> tuple[float, float]:
    """group_band on a dict of ranks (area code -> rank, NaN where none)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return np.nan, np.nan
    others = [ranks.get(m, np.nan) for m in dict.fromkeys(members) if m != area]
    others = [r for r in others if r == r]
    return float(sum(r < low for r in others) + 1), float(sum(r < high for r in others) + 1)


@per_frames
def factor_summary(
    area: str,
    method: str,
    lad_scores: pd.DataFrame,
    areas: pd.DataFrame,
    neighbours: pd.DataFrame,
    neighbour_kind: str = "ons_global",
    scope: str = DEFAULT_SCOPE,
) -> pd.DataFrame:
    """The five factors and the composite for one LA in one scope: score, rank with band out of its universe
    (n_areas), rank in region and among similar areas, and the evidence behind the score.

    lad_scores holds the rows of this scope. In scope 'country' the region and similar-area groups keep only LAs of
    the area's own country: scores from the two countries' universes are not comparable.
    """
    lads = lad_table(areas)
    known = area in lads.index
    region = lads.loc[area, "region_code"] if known else None
    country = lads.loc[area, "country"] if scope == "country" and known else None
    same_universe = lads.index if country is None else lads.index[lads["country"] == country]
    members = region_members(areas).get(region, []) if region is not None else []
    similar = neighbour_codes(neighbours).get((area, neighbour_kind), [])
    similar = [c for c in similar if c in same_universe]
    rows = []
    for factor, group in factor_blocks(lad_scores, method, areas, country).items():
        if area not in group.score:
            continue
        me = group.block.loc[area]
        region_rank, region_n = _group_rank(group.score, area, members)
        similar_rank, similar_n = _group_rank(group.score, area, similar)
        region_low, region_high = _group_band(area, members, group.rank, me["rank_low"], me["rank_high"])
        similar_low, similar_high = _group_band(area, similar, group.rank, me["rank_low"], me["rank_high"])
        rows.append(
            {
                "factor": factor,
                "name": "Composite" if factor == "composite" else f"{factor}. {FACTORS[int(factor)]}",
                "score": me["score"],
                "rank": me["rank"],
                "rank_low": me["rank_low"],
                "rank_high": me["rank_high"],
                "n_areas": int(me["n_areas"]),
                "region_rank": region_rank,
                "region_n": region_n,
                "region_low": region_low,
                "region_high": region_high,
                "similar_rank": similar_rank,
                "similar_n": similar_n,
                "similar_low": similar_low,
                "similar_high": similar_high,
                "n_indicators": int(me["n_indicators"]),
                "evidence": evidence_text(me),
                "small_population": bool(me.get("small_population", False)),
                "missing_reason": me["missing_reason"],
            }
        )
    return pd.DataFrame(rows)


@per_frames
def similar_left_out(area: str, areas: pd.DataFrame, neighbours: pd.DataFrame, neighbour_kind: str, scope: str) -> list[str]:
    """The area's similar areas that its group ranks leave out: in scope 'country', those in the other country, whose
    scores are on another footing (factor_summary drops them). Empty in the common scope, or when all share its country."""
    if scope != "country":
        return []
    country = areas.set_index("area_code")["country"]
    similar = neighbours[(neighbours["area_code"] == area) & (neighbours["kind"] == neighbour_kind)]["neighbour_code"]
    return [c for c in similar if country.get(c) != country.get(area)]


@per_frames
def area_series(lad_values: pd.DataFrame) -> Mapping[str, Mapping[str, tuple[list[str], list[float]]]]:
    """Each area's series of each indicator, (periods in chronological order, their values), from one sort of
    lad_values instead of filtering it by area and indicator per profile. sort_periods orders by a total key, so the
    order of all periods restricted to one series is that series' own order."""
    if lad_values.empty:
        return MappingProxyType({})
    periods = lad_values["period"].astype(str).to_numpy()
    chronological = sort_periods(periods)
    rank = pd.Series(np.arange(len(chronological)), index=chronological).reindex(periods).to_numpy()
    areas = lad_values["area_code"].to_numpy()
    indicators = lad_values["indicator_id"].to_numpy()
    order = np.lexsort((rank, pd.factorize(indicators)[0], pd.factorize(areas)[0]))
    areas, indicators, periods, values = areas[order], indicators[order], periods[order], lad_values["value"].to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, (areas[1:] != areas[:-1]) | (indicators[1:] != indicators[:-1]), True])
    out: dict[str, dict[str, tuple[list[str], list[float]]]] = {}
    for lo, hi in zip(starts[:-1], starts[1:]):
        out.setdefault(areas[lo], {})[indicators[lo]] = (periods[lo:hi].tolist(), values[lo:hi].tolist())
    return MappingProxyType(out)


@per_frames
def area_benchmarks(benchmarks: pd.DataFrame) -> Mapping[str, Mapping[str, dict]]:
    """Each area's benchmark row (as a dict) of each indicator: one lookup instead of a filter per profile."""
    out: dict[str, dict[str, dict]] = {}
    for record in benchmarks.to_dict("records"):
        out.setdefault(record["area_code"], {}).setdefault(record["indicator_id"], record)  # the first row wins, as .loc's did
    return MappingProxyType(out)


@per_frames
def catalogue_rows(catalogue: pd.DataFrame) -> tuple[tuple[tuple, dict], ...]:
    """The catalogue's rows as (named tuple, dict), read once."""
    return tuple((ind, ind._asdict()) for ind in catalogue.itertuples())


@per_frames
def indicator_rows(
    area: str,
    comparator: str,
    lad_values: pd.DataFrame,
    benchmarks: pd.DataFrame,
    catalogue: pd.DataFrame,
    sources: pd.DataFrame,
    source_text: dict[str, str] | None = None,
    scope: str = DEFAULT_SCOPE,
) -> pd.DataFrame:
    """Every indicator held for one LA: latest value, its comparator, the benchmark flag, a trend list, the source and
    whether it enters the factor scores of the scope (in_scores). position places the value among its country's LAs
    (rank and fifth): what a reader gets where no interval allows a flag."""
    source_text = source_text or source_texts(catalogue, sources)
    mine = area_series(lad_values).get(area, {})
    bench = area_benchmarks(benchmarks).get(area, {})
    column = COMPARATOR_COLUMNS[comparator]
    flag_column = {"region": "flag_vs_region", "country": "flag_vs_country"}.get(comparator)
    rows = []
    for ind, as_dict in catalogue_rows(catalogue):
        held = mine.get(ind.indicator_id)
        if held is None:
            continue
        order, series = held
        b = bench.get(ind.indicator_id)
        if b is not None:
            period, value, comp = b["period"], b["value"], b[column]
            flag = b[flag_column] if flag_column else NOT_COMPARED
            position = position_text(b.get("country_rank"), b.get("country_n"), b.get("country_fifth"), ind.polarity, compact=True)
        else:
            period, value, comp, flag, position = order[-1], series[-1], np.nan, NOT_COMPARED, "not placed"
        comp = float(comp) if comp is not None and np.isfinite(comp) else np.nan
        rows.append(
            {
                "factor": int(ind.factor),
                "indicator_id": ind.indicator_id,
                "title": ind.title,
                "value": float(value),
                "value_text": fmt_value(float(value), ind.unit),
                "unit": ind.unit,
                "period": period,
                "comparator": comp,
                "comparator_text": fmt_value(comp, ind.unit, missing="–"),
                "flag": flag,
                "position": position,
                "trend": list(series) if len(series) > 1 else [],
                "trend_periods": f"{order[0]} to {order[-1]}" if len(order) > 1 else "",
                "source": source_text.get(ind.indicator_id, ""),
                "polarity": ind.polarity,
                "proxy": bool(ind.proxy),
                "countries": ind.countries,
                "in_scores": in_scores_text(as_dict, scope),
            }
        )
    return pd.DataFrame(rows)


def in_scores_text(row: dict, scope: str, level: str = "lad") -> str:
    """Whether an indicator enters the factor scores of a scope at a level, and if not why (catalogue row as a dict)."""
    if not row.get("factor"):
        return "no: context, never scored"
    scored_levels = str(row.get("scored_levels", row.get("levels", "") if row.get("scored", True) else ""))
    if not bool(row.get("scored", True)) or level not in scored_levels.split(", "):
        reason = str(row.get("unscored_reason") or "").strip()
        return f"no: {reason}" if reason else "no: shown but not scored"
    if scope == "ew_common" and row.get("countries") != "E+W":
        only = COUNTRY_NAMES.get(row.get("countries"), row.get("countries"))
        return f"not in this scope ({only} only)"
    return "yes"


@per_frames
def scope_note(catalogue: pd.DataFrame, scope: str, country: str) -> str:
    """What the scores of an LA of this country leave out in this scope ('' when nothing needs saying)."""
    scored = catalogue[scored_at(catalogue, "lad") & (catalogue["factor"] > 0)]
    own_only = scored[scored["countries"] == country]
    other_only = unavailable_for_country(catalogue, country)
    shorten = lambda titles: "; ".join(textwrap.shorten(t, 60, placeholder="…") for t in titles)  # noqa: E731
    if country == "W":
        text = (
            f"Welsh authority: {len(other_only)} indicators are published for England only and are not in these scores "
            f"({shorten(other_only['title'])}). Deprivation uses the Welsh Index (WIMD), never compared with the English IoD."
        )
        if scope == "ew_common" and len(own_only):
            text += f" In this scope the {len(own_only)} indicator(s) published for Wales only ({shorten(own_only['title'])}) are left out too."
        return text
    if scope == "ew_common" and len(own_only):
        return (
            f"These scores use only the indicators published for both countries: {len(own_only)} published for "
            f"{COUNTRY_NAMES[country]} only ({shorten(own_only['title'])}) are shown below but not scored here. "
            f"Choose '{SCOPE_LABELS['country']}' to rank this LA among {COUNTRY_NAMES[country]}'s LAs on all of them."
        )
    return ""


@per_frames
def unavailable_for_country(catalogue: pd.DataFrame, country: str) -> pd.DataFrame:
    """Indicators published only for the other country (e.g. England-only for a Welsh LA)."""
    other = "E" if country == "W" else "W"
    return catalogue[catalogue["countries"] == other][["indicator_id", "title", "factor"]]


@per_frames
def factor_chart(area: str, method: str, lad_scores: pd.DataFrame, areas: pd.DataFrame, neighbours: pd.DataFrame, neighbour_kind: str, scope: str, source_line: str):
    """The factor-rank chart of factor_summary's rows, kept with them so a rerun reuses the figure."""
    return figures.factor_profile_chart(factor_summary(area, method, lad_scores, areas, neighbours, neighbour_kind, scope), source_line=source_line)


@per_frames
def indicator_tables(area: str, comparator: str, lad_values: pd.DataFrame, benchmarks: pd.DataFrame, catalogue: pd.DataFrame, sources: pd.DataFrame, source_text: dict[str, str], scope: str, comparator_label: str, position_column: str) -> tuple[tuple[int, pd.DataFrame, tuple[str, ...]], ...]:
    """The profile's indicator tables, one per factor tab (1-5, then context): (factor, the rows as shown, their indicator ids)."""
    rows = indicator_rows(area, comparator, lad_values, benchmarks, catalogue, sources, source_text, scope=scope)
    present = set(rows["factor"]) if len(rows) else set()
    tables = []
    for number in (n for n in (1, 2, 3, 4, 5, 0) if n in present):
        block = rows[rows["factor"] == number]
        shown = pd.DataFrame(
            {
                "Indicator": [vocab.proxy_title(t, proxy) for t, proxy in zip(block["title"], block["proxy"])],
                "Value": block["value_text"],
                "Unit": block["unit"],
                "Period": block["period"],
                comparator_label: block["comparator_text"],
                "Flag": block["flag"],
                position_column: block["position"],
                "Trend": block["trend"],
                "In scores": block["in_scores"],
            }
        )
        tables.append((number, shown, tuple(block["indicator_id"])))
    return tuple(tables)
