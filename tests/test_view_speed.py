"""The profile, trends and compare views answer a new LA fast (after one shared precomputation per table) with exactly
the frames of the straightforward implementations kept here as reference_* (the views' code before they were sped up)."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from conftest import PROCESSED
from dashboard import compare_view, profile_view, tables, trends_view
from dashboard.measure_labels import fmt_value, position_text, sort_periods
from dashboard.scopes import evidence_text
from dashboard.source_lines import source_texts
from scoring.benchmarks import NOT_COMPARED, comparator_values
from vocabulary import COUNTRY_NAMES, DEFAULT_SCOPE, FACTORS, WALES_CODE

SPECIAL = ["E06000009", "E09000001", "E06000053"]  # Blackpool, City of London, Isles of Scilly
SCOPES = ("ew_common", "country")
KINDS = (None, "ons_global", "atlas_knn")


def reference_comparator_series(
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
            out.append((period, f"Region: {me['region_name']}", trends_view._first(comparator_values(mine, mine["region"], population))))
        mine = held[held["country"] == me["country"]].reset_index(drop=True)
        out.append((period, f"Country: {country_name}", trends_view._first(comparator_values(mine, mine["country"], population))))
        if neighbours is not None and neighbour_kind:
            codes = neighbours[(neighbours["area_code"] == area) & (neighbours["kind"] == neighbour_kind)]["neighbour_code"]
            near = by_code.reindex(codes).dropna()
            if len(near):
                label = "ONS similar areas (median)" if neighbour_kind == "ons_global" else "Our similar areas (median)"
                out.append((period, label, float(near.median())))
    result = pd.DataFrame(out, columns=["period", "series", "value"]).dropna(subset=["value"])
    order = {p: i for i, p in enumerate(sort_periods(result["period"]))}
    return result.sort_values(["series", "period"], key=lambda s: s.map(order) if s.name == "period" else s).reset_index(drop=True)


def reference_compare_table(codes: list[str], lad_values: pd.DataFrame, catalogue: pd.DataFrame, names: dict[str, str], *, as_text: bool = False) -> pd.DataFrame:
    """Indicators (rows) x areas (columns) at each indicator's latest period. as_text formats each value by its row's
    unit ('53.0', '£539.90'): one column holds many units, so no single number format fits it."""
    rows = []
    for ind in catalogue.itertuples():
        block = lad_values[(lad_values["indicator_id"] == ind.indicator_id) & (lad_values["period"] == ind.latest_period)]
        if block.empty:
            continue
        by_code = block.set_index("area_code")["value"]
        row = {"indicator_id": ind.indicator_id, "factor": int(ind.factor), "indicator": ind.title, "unit": ind.unit, "period": ind.latest_period}
        for code in codes:
            value = float(by_code[code]) if code in by_code.index else np.nan
            row[names.get(code, code)] = fmt_value(value, ind.unit, missing="–") if as_text else value
        rows.append(row)
    return pd.DataFrame(rows)


def reference_factor_summary(
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
        region_rank, region_n = profile_view.group_rank(block["score"], area, region_members)
        similar_rank, similar_n = profile_view.group_rank(block["score"], area, similar)
        region_low, region_high = profile_view.group_band(area, region_members, block["rank"], me["rank_low"], me["rank_high"])
        similar_low, similar_high = profile_view.group_band(area, similar, block["rank"], me["rank_low"], me["rank_high"])
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


def reference_indicator_rows(
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
    column = profile_view.COMPARATOR_COLUMNS[comparator]
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
                "in_scores": profile_view.in_scores_text(ind._asdict(), scope),
            }
        )
    return pd.DataFrame(rows)

@pytest.fixture(scope="module")
def atlas():
    return tables.load_atlas(PROCESSED)


@pytest.fixture(scope="module")
def sample(atlas):
    """Every Welsh LA's first few, the special cases, and English LAs spread over the list; the rest stay new for the
    timing test."""
    codes = atlas.lad_codes
    welsh = [c for c in codes if c.startswith("W06")]
    english = [c for c in codes if not c.startswith("W06") and c not in SPECIAL]
    return list(dict.fromkeys([*welsh[:4], *SPECIAL, *english[:: max(1, len(english) // 5)][:5]]))


def several_periods(atlas):
    return [m for m in atlas.measure_options("lad", with_scores=False) if len(atlas.periods_for(m, "lad")) > 1]


def assert_rows_equal(new: pd.DataFrame, ref: pd.DataFrame):
    if "trend" in ref:
        assert [list(t) for t in new["trend"]] == [list(t) for t in ref["trend"]]
        new, ref = new.drop(columns="trend"), ref.drop(columns="trend")
    pd.testing.assert_frame_equal(new, ref, check_exact=True)


def test_indicator_rows_and_factor_summary_equal_the_reference(atlas, sample):
    lad_values = atlas.level_values("lad")
    for lad in sample:
        for scope in SCOPES:
            for comparator in profile_view.COMPARATORS:
                args = (lad, comparator, lad_values, atlas.benchmarks, atlas.catalogue, atlas.sources, atlas.source_text)
                assert_rows_equal(profile_view.indicator_rows(*args, scope=scope), reference_indicator_rows(*args, scope=scope))
            for kind in ("ons_global", "atlas_knn"):
                args = (lad, "robust_z", atlas.scores_for("lad", scope), atlas.areas, atlas.neighbours, kind, scope)
                pd.testing.assert_frame_equal(profile_view.factor_summary(*args), reference_factor_summary(*args), check_exact=True)


def test_compare_table_equals_the_reference(atlas, sample):
    lad_values = atlas.level_values("lad")
    for i in range(0, len(sample) - 1, 2):
        codes = sample[i:i + 2] if i % 4 == 0 else sample[i:i + 4]
        names = {c: atlas.label(c) for c in codes}
        for as_text in (True, False):
            new = compare_view.compare_table(codes, lad_values, atlas.catalogue, names, as_text=as_text)
            pd.testing.assert_frame_equal(new, reference_compare_table(codes, lad_values, atlas.catalogue, names, as_text=as_text), check_exact=True)


def test_comparator_series_equal_the_reference(atlas, sample):
    measures = several_periods(atlas)
    assert measures
    for measure in measures[::3]:
        values = atlas.indicator_values(measure, "lad")
        for lad in [sample[0], *SPECIAL[:2]]:
            for kind in KINDS:
                args = (values, lad, atlas.areas, atlas.population, atlas.neighbours if kind else None, kind)
                pd.testing.assert_frame_equal(trends_view.comparator_series(*args), reference_comparator_series(*args), check_exact=True)


def _seconds(fn, codes) -> float:
    start = time.perf_counter()
    for code in codes:
        fn(code)
    return time.perf_counter() - start


def test_a_new_area_costs_a_fraction_of_the_reference(atlas, sample):
    """20 LAs not asked for before: the memoised views (their shared precomputation done on one other LA first) take
    under a third of the reference's time, measured here on the same LAs."""
    fresh = [c for c in atlas.lad_codes if c not in sample][-21:]
    warm, new = fresh[0], fresh[1:]
    lad_values, scores = atlas.level_values("lad"), atlas.scores_for("lad", "country")
    measure = max(several_periods(atlas), key=lambda m: len(atlas.periods_for(m, "lad")))
    values = atlas.indicator_values(measure, "lad")
    other = atlas.lad_codes[0]
    cases = {
        "indicator_rows": (
            lambda c: profile_view.indicator_rows(c, "region", lad_values, atlas.benchmarks, atlas.catalogue, atlas.sources, atlas.source_text, scope="country"),
            lambda c: reference_indicator_rows(c, "region", lad_values, atlas.benchmarks, atlas.catalogue, atlas.sources, atlas.source_text, scope="country"),
        ),
        "factor_summary": (
            lambda c: profile_view.factor_summary(c, "robust_z", scores, atlas.areas, atlas.neighbours, "ons_global", "country"),
            lambda c: reference_factor_summary(c, "robust_z", scores, atlas.areas, atlas.neighbours, "ons_global", "country"),
        ),
        "compare_table": (
            lambda c: compare_view.compare_table([c, other], lad_values, atlas.catalogue, {c: c, other: other}, as_text=True),
            lambda c: reference_compare_table([c, other], lad_values, atlas.catalogue, {c: c, other: other}, as_text=True),
        ),
        "comparator_series": (
            lambda c: trends_view.comparator_series(values, c, atlas.areas, atlas.population, atlas.neighbours, "ons_global"),
            lambda c: reference_comparator_series(values, c, atlas.areas, atlas.population, atlas.neighbours, "ons_global"),
        ),
    }
    for name, (fast, reference) in cases.items():
        fast(warm)
        took, took_reference = _seconds(fast, new), _seconds(reference, new)
        assert took < took_reference / 3, f"{name}: {1000 * took / len(new):.1f} ms per new LA against the reference's {1000 * took_reference / len(new):.1f} ms"
