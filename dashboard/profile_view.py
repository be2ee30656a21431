"""The LA profile's view: factor summary against comparators, indicator rows with flags and trends, scope notes."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

import vocabulary as vocab
from dashboard import figures
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import fmt_value, position_text, sort_periods
from dashboard.scopes import evidence_text
from dashboard.source_lines import scored_at, source_texts
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
    lads = areas[areas["level"] == "lad"].set_index("area_code")
    region = lads.loc[area, "region_code"] if area in lads.index else None
    same_universe = lads.index if scope != "country" or area not in lads.index else lads.index[lads["country"] == lads.loc[area, "country"]]
    region_members = lads.index[lads["region_code"] == region].tolist()
    similar = neighbours[(neighbours["area_code"] == area) & (neighbours["kind"] == neighbour_kind)]["neighbour_code"]
    similar = [c for c in similar if c in same_universe]
    mine = lad_scores[(lad_scores["method"] == method) & lad_scores["area_code"].isin(same_universe)]
    rows = []
    for factor in [*[str(n) for n in FACTORS], "composite"]:
        block = mine[mine["factor"] == factor].set_index("area_code")
        if area not in block.index:
            continue
        me = block.loc[area]
        region_rank, region_n = group_rank(block["score"], area, region_members)
        similar_rank, similar_n = group_rank(block["score"], area, similar)
        region_low, region_high = group_band(area, region_members, block["rank"], me["rank_low"], me["rank_high"])
        similar_low, similar_high = group_band(area, similar, block["rank"], me["rank_low"], me["rank_high"])
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
    mine = lad_values[lad_values["area_code"] == area]
    bench = benchmarks[benchmarks["area_code"] == area].set_index("indicator_id")
    column = COMPARATOR_COLUMNS[comparator]
    flag_column = {"region": "flag_vs_region", "country": "flag_vs_country"}.get(comparator)
    rows = []
    for ind in catalogue.itertuples():
        series = mine[mine["indicator_id"] == ind.indicator_id]
        if series.empty:
            continue
        order = sort_periods(series["period"])
        series = series.set_index("period").reindex(order)
        if ind.indicator_id in bench.index:
            b = bench.loc[ind.indicator_id]
            period, value, comp = b["period"], b["value"], b[column]
            flag = b[flag_column] if flag_column else NOT_COMPARED
            position = position_text(b.get("country_rank"), b.get("country_n"), b.get("country_fifth"), ind.polarity, compact=True)
        else:
            period, value, comp, flag, position = order[-1], series["value"].iloc[-1], np.nan, NOT_COMPARED, "not placed"
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
                "trend": [float(v) for v in series["value"]] if len(series) > 1 else [],
                "trend_periods": f"{order[0]} to {order[-1]}" if len(order) > 1 else "",
                "source": source_text.get(ind.indicator_id, ""),
                "polarity": ind.polarity,
                "proxy": bool(ind.proxy),
                "countries": ind.countries,
                "in_scores": in_scores_text(ind._asdict(), scope),
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
