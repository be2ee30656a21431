"""What a new user meets first (issue 12): numbers formatted by unit, one flag wording with a position where no interval
allows a test, tables that fit 1366 px, the factor chart's axis, the composite builder's movers and its two bands.
Real values from data/processed and data/raw."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from conftest import PROCESSED, ROOT
from dashboard import compare_view, composite_view, figures, measure_labels, profile_view, source_lines
from scoring import benchmarks, reweight
from scoring.scores import BAND_NOTE

BLACKPOOL = "E06000009"
CARDIFF = "W06000015"
FLAG_WORDS = {"better", "similar", "worse", benchmarks.NOT_COMPARED}


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "neighbours", "benchmarks", "sources")
    tables = {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}
    tables["lad_values"] = tables["indicator_values"][tables["indicator_values"]["level"] == "lad"]
    return tables


def blackpool_rows(t, comparator="region"):
    rows = profile_view.indicator_rows(BLACKPOOL, comparator, t["lad_values"], t["benchmarks"], t["indicators"], t["sources"])
    return rows.set_index("indicator_id")


# ---- numbers by unit

def test_values_are_formatted_by_their_unit(t):
    rows = blackpool_rows(t)
    # published to one decimal place, shown so: not '69.700' or '539.900 £ per week'
    assert rows.loc["employment_rate", "value_text"] == "69.7"
    assert rows.loc["gross_median_weekly_pay", "value_text"] == "£539.90"
    assert rows.loc["gdhi_per_head", "value_text"] == "£18,846"
    assert rows.loc["imd_average_score", "value_text"] == "43.47"
    assert rows.loc["ethnic_diversity", "value_text"] == f"{rows.loc['ethnic_diversity', 'value']:.3f}"
    assert rows.loc["population_density", "value_text"] == "4,044"
    assert measure_labels.number_format("% of adults") == "%.1f" and measure_labels.number_format("index 0-1") == "%.3f"
    # every unit of the catalogue has a rule, rather than falling to the default by accident
    units = set(t["indicators"]["unit"])
    unruled = {u for u in units if not any(u.startswith(prefix) for prefix, _ in measure_labels.UNIT_DECIMALS)}
    assert not unruled, unruled


def test_no_shown_value_carries_three_decimals_unless_its_unit_asks(t):
    rows = blackpool_rows(t)
    three = rows[rows["value_text"].str.fullmatch(r"-?[\d,]+\.\d{3}")]
    assert set(three["unit"]) <= {"index 0-1", "proportion of residents", "proportion of adults 25-64"}, set(three["unit"])


# ---- one flag wording, and a position where no interval allows a test

def test_one_flag_wording_in_the_cells_and_the_caption(t):
    for comparator in profile_view.COMPARATORS:
        flags = set(blackpool_rows(t, comparator)["flag"])
        assert flags <= FLAG_WORDS, flags
    assert set(blackpool_rows(t, "ons_neighbours")["flag"]) == {benchmarks.NOT_COMPARED}
    assert f"'{benchmarks.NOT_COMPARED}'" in profile_view.FLAG_NOTE
    assert set(t["benchmarks"]["flag_vs_region"]) <= FLAG_WORDS and set(t["benchmarks"]["flag_vs_country"]) <= FLAG_WORDS


def test_blackpool_imd_gets_a_position_among_englands_las_from_the_published_ranks(t):
    """No interval is published for the IMD, so no flag: its place among England's LAs instead, as the publisher ranks it."""
    published = pd.read_csv(ROOT / "data" / "raw" / "iod2025" / "iod2025_file10_lad24_summaries.csv").set_index("ltla24_code")
    n = len(published)
    most_deprived_first = int(published.loc[BLACKPOOL, "imd_rank_of_average_score"])
    best_first = n + 1 - most_deprived_first  # the atlas ranks 1 = best (least deprived)
    row = blackpool_rows(t).loc["imd_average_score"]
    assert row["flag"] == benchmarks.NOT_COMPARED
    fifth = measure_labels.FIFTHS[int(np.ceil(5 * best_first / n))]
    assert row["position"] == f"{best_first}/{n} · {fifth}" == "296/296 · worst fifth"
    assert "not a significance test" in measure_labels.position_note("E", "LAs")


def test_la_positions_are_within_the_country_and_context_is_placed_highest_first(t):
    bench = t["benchmarks"]
    cardiff = bench[(bench["area_code"] == CARDIFF)].set_index("indicator_id")
    # a Welsh LA is placed among Wales's 22, never among all 318
    assert cardiff.loc["employment_rate", "country_n"] <= 22
    wales = bench[(bench["indicator_id"] == "ethnic_minority_share") & bench["area_code"].str.startswith("W")]
    highest = wales.loc[wales["value"].idxmax()]
    assert highest["country_rank"] == 1 and highest["country_fifth"] == 1
    assert "(highest first)" in measure_labels.position_text(highest["country_rank"], highest["country_n"], highest["country_fifth"], "context")


# ---- sources visible without scrolling sideways

def test_each_factor_tab_names_its_sources_once_with_licences(t):
    rows = blackpool_rows(t)
    factor3 = rows[rows["factor"] == 3].index
    line = source_lines.sources_line(factor3, t["indicators"], t["sources"])
    assert line.startswith("Sources: ") and "Licence: " in line and "OGL v3.0" in line
    # weekly pay (ONS Explore Local Statistics) and the IMD 2025 (MHCLG) are both in factor 3
    assert "Explore Local Statistics" in line and "English Indices of Deprivation 2025" in line
    named = line.removeprefix("Sources: ").split(". Licence")[0].split("; ")
    assert len(named) == len(set(named))


def test_compare_table_formats_each_row_by_its_unit(t):
    codes = [BLACKPOOL, CARDIFF]
    table = compare_view.compare_table(codes, t["lad_values"], t["indicators"], {BLACKPOOL: "Blackpool", CARDIFF: "Cardiff"}, as_text=True)
    table = table.set_index("indicator_id")
    assert table.loc["gross_median_weekly_pay", "Blackpool"] == "£539.90"
    assert table.loc["imd_average_score", "Cardiff"] == "–"  # England only
    assert not table[["Blackpool", "Cardiff"]].stack().str.contains(r"\.\d{4,}").any()


# ---- the factor chart

def test_factor_chart_names_each_universe_and_labels_its_shade(t):
    scores = t["factor_scores"]
    lad_scores = scores[(scores["level"] == "lad") & (scores["scope"] == "ew_common")]
    summary = profile_view.factor_summary(BLACKPOOL, "robust_z", lad_scores, t["areas"], t["neighbours"], scope="ew_common")
    sizes = {f: int(n) for f, n in zip(summary["factor"], summary["n_areas"])}
    assert sizes["1"] == 308 and sizes["2"] == 318  # factor 1 ranks fewer LAs than the others
    fig = figures.factor_profile_chart(summary, source_line="Source: x · Period: latest · Licence: OGL v3.0")
    labels = list(fig.data[0].y)
    assert "1 Shared values (of 308)" in labels and "2 Responsibility (of 318)" in labels
    assert "of 318 LAs" not in fig.layout.xaxis.title.text and "308–318" in fig.layout.xaxis.title.text
    assert any(a.text == "lower half of ranks" for a in fig.layout.annotations)


def test_factor_chart_with_one_universe_keeps_the_plain_axis(t):
    scores = t["factor_scores"]
    lad_scores = scores[(scores["level"] == "lad") & (scores["scope"] == "country")]
    summary = profile_view.factor_summary(CARDIFF, "robust_z", lad_scores, t["areas"], t["neighbours"], scope="country")
    fig = figures.factor_profile_chart(summary, source_line="Source: x · Period: latest · Licence: OGL v3.0")
    assert fig.layout.xaxis.title.text == "rank among 22 LAs (1 = best)"
    assert not any(re.search(r"\(of \d+\)", y) for y in fig.data[0].y)


# ---- the composite builder

@pytest.fixture(scope="module")
def prepared(t):
    lads = t["areas"][t["areas"]["level"] == "lad"]
    return reweight.prepare(t["lad_values"], t["indicators"], lads, "robust_z", "ew_common")


def test_biggest_moves_lists_only_areas_that_moved(prepared):
    equal = reweight.rank_shift(prepared, {}, {f: 1.0 for f in range(1, 6)}, draws=20)
    assert composite_view.biggest_moves(equal).empty
    tilted = reweight.rank_shift(prepared, {}, {1: 1.0, 2: 1.0, 3: 3.0, 4: 1.0, 5: 1.0}, draws=20)
    moves = composite_view.biggest_moves(tilted)
    assert len(moves) and (moves["change"] != 0).all()
    up, down = moves[moves["change"] > 0], moves[moves["change"] < 0]
    assert list(up["change"]) == sorted(up["change"], reverse=True) and list(down["change"]) == sorted(down["change"])
    assert up["change"].iloc[0] == tilted["change"].max()


def test_two_band_methods_are_named_where_both_appear(t):
    stored = t["factor_scores"].query("area_code == @BLACKPOOL and level == 'lad' and scope == 'ew_common' and factor == 'composite' and method == 'robust_z'").iloc[0]
    text = composite_view.band_comparison(300, 310, stored["rank_low"], stored["rank_high"])
    assert "weight band 300–310" in text and f"published band at equal weights {int(stored['rank_low'])}–{int(stored['rank_high'])}" in text
    assert reweight.BUILDER_BAND_NOTE in composite_view.BAND_METHODS_NOTE and BAND_NOTE in composite_view.BAND_METHODS_NOTE
    # and the methodology explains both in one place
    methodology = (PROCESSED / "methodology.md").read_text(encoding="utf-8")
    assert BAND_NOTE in methodology and reweight.BUILDER_BAND_NOTE in methodology and "'weight band'" in methodology


# ---- the ward composite's source line

@pytest.mark.parametrize("lad,country_name", [(CARDIFF, "Wales"), ("E06000054", "England")])
def test_ward_composite_source_line_names_the_ward_indicators_of_its_country_and_factors(t, lad, country_name):
    """Not the LA indicators: the ward indicators of the factors the ward composite covers, published for the country."""
    from dashboard import ward_map_view as wv

    areas, scores, catalogue = t["areas"], t["factor_scores"], t["indicators"]
    wards = areas[(areas["level"] == "ward") & (areas["parent_code"] == lad)]["area_code"]
    ward_scores = scores[(scores["level"] == "ward") & (scores["scope"] == "country")]
    mine = ward_scores[ward_scores["area_code"].isin(set(wards)) & (ward_scores["method"] == "robust_z") & ward_scores["score"].notna()]
    covered = sorted({int(f) for f in mine["factor"] if f != "composite"})
    country = "W" if country_name == "Wales" else "E"
    levels = catalogue["scored_levels"].str.split(", ")
    expected = catalogue[levels.map(lambda held: "ward" in held) & catalogue["countries"].isin(["E+W", country]) & catalogue["factor"].isin(covered)]
    wm = wv.resolve("composite", country, list(wards), catalogue=catalogue, ward_scores=ward_scores, periods={})
    line = wv.source_line(wm, "latest", "robust_z", catalogue, t["sources"]).source
    assert f"scores from {len(expected)} indicators published for {country_name}" in line
    lad_count = len(catalogue[catalogue["scored_levels"].str.contains("lad")])
    assert len(expected) < lad_count
    national = wv.source_line(wm, "latest", "robust_z", catalogue, t["sources"], national=True).source
    assert "(each country on its own)" in national
