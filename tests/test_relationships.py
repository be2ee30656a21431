"""The relationship explorer: its view logic on the real processed tables (no Streamlit), and the page under AppTest,
with the IMD 2025 / employment rate correlation checked against the published files in data/raw."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import PROCESSED, RAW, ROOT
from dashboard import relationship_view as rv
from dashboard import source_lines, url_state
from dashboard.page_table import PAGES
from scoring.neighbours import WARD_KNN_KIND

TIMEOUT = 30
BIRMINGHAM, CARDIFF = url_state.DEFAULT_LAD, "W06000015"
IMD, WIMD, EMPLOYMENT = "imd_average_score", "wimd_score", "employment_rate"
STATS = re.compile(r"Spearman ρ = (-?\d+\.\d\d), Pearson r = (-?\d+\.\d\d), n = ([\d,]+) (areas|wards)")


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "neighbours", "sources")
    return {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}


def values_of(t, indicator_id, level="lad"):
    v = t["indicator_values"]
    return v[(v["indicator_id"] == indicator_id) & (v["level"] == level)]


def latest(t, indicator_id):
    return t["indicators"].set_index("indicator_id").loc[indicator_id, "latest_period"]


def build(t, x_id, y_id, level="lad", chosen=BIRMINGHAM, lad=None):
    """The view as the page builds it, from the processed tables."""
    names = dict(zip(t["areas"]["area_code"], t["areas"]["area_name"]))
    return rv.relationship(
        x_id, y_id, level, x_values=values_of(t, x_id, level), y_values=values_of(t, y_id, level),
        x_period=latest(t, x_id), y_period=latest(t, y_id), catalogue=t["indicators"], sources=t["sources"], areas=t["areas"],
        neighbours=t["neighbours"], names=names, chosen=chosen, lad=lad,
    )


def rank_correlation(x, y) -> float:
    """Spearman's rho worked out here: Pearson's r of the average ranks (numpy, not the view's pandas call)."""
    return float(np.corrcoef(pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy())[0, 1])


def both_held(t, x_id, y_id, level="lad", codes=None) -> pd.DataFrame:
    """area_code, country, x, y of the areas holding both latest values, straight from the processed tables."""
    x = values_of(t, x_id, level).query("period == @latest(@t, @x_id)").set_index("area_code")["value"]
    y = values_of(t, y_id, level).query("period == @latest(@t, @y_id)").set_index("area_code")["value"]
    both = pd.concat({"x": x, "y": y}, axis=1, join="inner").dropna()
    if codes is not None:
        both = both[both.index.isin(codes)]
    country = t["areas"].set_index("area_code")["country"]
    return both.assign(country=both.index.map(country))


def raw_imd_against_employment() -> pd.DataFrame:
    """IMD 2025 average score (MHCLG File 10, LAD 2024) against the APS employment rate (ONS Explore Local Statistics)
    in its latest published year, joined on the LA code as each file publishes it."""
    iod = pd.read_csv(RAW / "iod2025" / "iod2025_file10_lad24_summaries.csv", usecols=["ltla24_code", "imd_average_score"])
    els = pd.read_csv(RAW / "ons_els" / "employment-rate" / "employment-rate.csv", usecols=["areacd", "indicator", "period", "observation"])
    els = els[els["indicator"] == "Employment rate"]
    newest = els[els["period"] == max(els["period"])]  # ISO periods ('2023-01-01/P1Y') sort as dates
    joined = iod.merge(newest, left_on="ltla24_code", right_on="areacd", how="inner")
    return joined.dropna(subset=["imd_average_score", "observation"])


# ---- the view, without Streamlit


def test_the_pair_is_plotted_only_where_both_countries_publish_it(t):
    assert build(t, IMD, EMPLOYMENT).countries == ("E",)
    assert build(t, WIMD, EMPLOYMENT).countries == ("W",)
    assert build(t, IMD, WIMD).countries == ()
    assert build(t, rv.DEFAULT_X, rv.DEFAULT_Y).countries == ("E", "W")
    pairs = build(t, WIMD, EMPLOYMENT).pairs
    assert set(pairs["country"]) == {"W"} and set(pairs["area_code"].str[0]) == {"W"}


def test_imd_against_employment_matches_the_published_files(t):
    raw = raw_imd_against_employment()
    rel = build(t, IMD, EMPLOYMENT)
    assert rel.stats.n == len(raw)
    assert rel.stats.spearman == pytest.approx(rank_correlation(raw["imd_average_score"], raw["observation"]), abs=1e-9)
    assert rel.stats.pearson == pytest.approx(np.corrcoef(raw["imd_average_score"], raw["observation"])[0, 1], abs=1e-9)
    assert (rel.x.period, rel.y.period) == ("2025", "2023")


def test_n_counts_only_areas_holding_both_values(t):
    rel = build(t, rv.DEFAULT_X, EMPLOYMENT)
    held = both_held(t, rv.DEFAULT_X, EMPLOYMENT)
    assert rel.stats.n == len(held) < rel.universe == int((t["areas"]["level"] == "lad").sum())
    missing = set(t["areas"].query("level == 'lad'")["area_code"]) - set(rel.pairs["area_code"])
    assert missing and missing.isdisjoint(held.index)
    assert rel.stats.spearman == pytest.approx(rank_correlation(held["x"], held["y"]), abs=1e-9)


def test_the_chosen_la_and_its_ons_similar_areas_are_marked(t):
    rel = build(t, rv.DEFAULT_X, rv.DEFAULT_Y)
    nb = t["neighbours"]
    expected = nb[(nb["area_code"] == BIRMINGHAM) & (nb["kind"] == "ons_global")].sort_values("rank")["neighbour_code"].tolist()
    assert expected and rel.similar == expected
    roles = rel.pairs.set_index("area_code")["role"]
    assert roles[BIRMINGHAM] == rv.ROLE_CHOSEN
    assert set(roles[roles == rv.ROLE_SIMILAR].index) == set(expected) & set(roles.index)
    assert (roles == rv.ROLE_OTHER).sum() == len(roles) - 1 - len(set(expected) & set(roles.index))


def test_wards_of_one_la_with_similar_wards_elsewhere_left_out_of_n(t):
    areas = t["areas"]
    ward = areas[(areas["parent_code"] == BIRMINGHAM) & (areas["area_name"] == "Acocks Green")]["area_code"].iloc[0]
    rel = build(t, rv.DEFAULT_X, rv.DEFAULT_Y, level="ward", chosen=ward, lad=BIRMINGHAM)
    own = set(areas[(areas["level"] == "ward") & (areas["parent_code"] == BIRMINGHAM)]["area_code"])
    held = both_held(t, rv.DEFAULT_X, rv.DEFAULT_Y, "ward", own)
    assert rel.stats.n == len(held) and rel.universe == len(own)
    assert rel.stats.spearman == pytest.approx(rank_correlation(held["x"], held["y"]), abs=1e-9)
    nb = t["neighbours"]
    similar = nb[(nb["area_code"] == ward) & (nb["kind"] == WARD_KNN_KIND)].sort_values("rank")["neighbour_code"].tolist()
    assert rel.similar == similar
    counted = rel.pairs[rel.pairs["in_correlation"]]
    away = rel.pairs[~rel.pairs["in_correlation"]]
    assert set(counted["area_code"]) <= own and len(away) and set(away["area_code"]).isdisjoint(own)
    assert set(away["area_code"]) <= set(similar) and set(away["role"]) == {rv.ROLE_ELSEWHERE}
    assert "not counted" in rv.coverage_note(rel)


def test_a_ward_view_of_a_welsh_la_holds_no_english_indicator(t):
    rel = build(t, IMD, rv.DEFAULT_Y, level="ward", chosen=None, lad=CARDIFF)
    assert rel.countries == () and rel.stats.n == 0 and rel.pairs.empty
    note = rv.country_note(rel)
    assert "Cardiff is in Wales" in note and "England only" in note
    assert "Too few wards" in rel.stats.text(rel.noun)


def test_notes_say_when_the_scatter_holds_one_country_or_none(t):
    assert rv.country_note(build(t, rv.DEFAULT_X, rv.DEFAULT_Y)) == ""
    england = rv.country_note(build(t, IMD, EMPLOYMENT))
    assert england.startswith("Only the LAs of England are plotted") and "never one scale" in england
    wales = rv.country_note(build(t, WIMD, EMPLOYMENT))
    assert wales.startswith("Only the LAs of Wales are plotted")
    neither = rv.country_note(build(t, IMD, WIMD))
    assert neither.startswith("No area holds both") and "England only" in neither and "Wales only" in neither


def test_context_measures_are_labelled_context(t):
    rel = build(t, "ethnic_diversity", EMPLOYMENT)
    assert rel.x.context and not rel.y.context
    assert rel.x.label.startswith("Context · ") and rel.x.axis_title().startswith("Context · ")
    assert rv.context_note(rel).startswith("Context: Ethnic") and rv.context_note(build(t, IMD, EMPLOYMENT)) == ""


def test_too_few_areas_give_no_correlation(t):
    pairs = build(t, IMD, EMPLOYMENT).pairs.head(rv.MIN_AREAS - 1)
    stats = rv.correlation(pairs)
    assert stats.n == rv.MIN_AREAS - 1 and np.isnan(stats.spearman) and np.isnan(stats.pearson)
    assert stats.text().startswith("Too few areas")
    assert not np.isnan(rv.correlation(build(t, IMD, EMPLOYMENT).pairs.head(rv.MIN_AREAS)).spearman)


def test_the_table_holds_the_plotted_values_with_names_codes_units_and_periods(t):
    rel = build(t, IMD, EMPLOYMENT)
    table = rv.table(rel)
    x_column = "x (2025): Index of Multiple Deprivation (average score) (score (higher = more deprived))"
    y_column = "y (2023): Employment rate, aged 16-64 (% of residents aged 16-64)"
    assert list(table.columns) == ["Area", "Code", "Country", "Marked", x_column, y_column]
    assert len(table) == rel.stats.n and table.iloc[0]["Code"] == BIRMINGHAM and table.iloc[0]["Marked"] == "chosen"
    held = both_held(t, IMD, EMPLOYMENT).loc[BIRMINGHAM]
    row = table.set_index("Code").loc[BIRMINGHAM]
    assert row["Area"] == "Birmingham" and row[x_column] == pytest.approx(held["x"]) and row[y_column] == pytest.approx(held["y"])


def test_the_figure_carries_the_correlation_axes_with_units_and_both_sources(t):
    rel = build(t, IMD, EMPLOYMENT)
    fig = rv.scatter(rel)
    assert fig.layout.title.text == rel.stats.text() == f"Spearman ρ = {rel.stats.spearman:.2f}, Pearson r = {rel.stats.pearson:.2f}, n = {rel.stats.n} areas"
    assert "score (higher = more deprived), 2025" in fig.layout.xaxis.title.text
    assert "% of residents aged 16-64, 2023" in fig.layout.yaxis.title.text
    source = fig.layout.meta["source_line"]
    for indicator_id, period in ((IMD, "2025"), (EMPLOYMENT, "2023")):
        assert source_lines.source_line(indicator_id, period, t["indicators"], t["sources"]).text() in source
    traces = {trace.name: trace for trace in fig.data}
    assert list(traces["Birmingham"].x) == [pytest.approx(both_held(t, IMD, EMPLOYMENT).loc[BIRMINGHAM, "x"])]
    assert traces["Birmingham"].marker.symbol == "star"
    assert len(traces["similar areas"].x) == (rel.pairs["role"] == rv.ROLE_SIMILAR).sum() > 0
    assert sum(len(trace.x) for trace in fig.data) == len(rel.pairs)
    assert "LAs of Wales" not in traces  # England only


# ---- the page


def open_page(**params) -> AppTest:
    """A fresh session that lands on the relationship explorer with this query string, as a shared link would."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.query_params.clear()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGES["relationships"]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_stats(at) -> tuple[float, float, int, str]:
    hits = [STATS.search(m.value) for m in at.markdown]
    hits = [h for h in hits if h]
    assert len(hits) == 1, [m.value for m in at.markdown]
    rho, r, n, noun = hits[0].groups()
    return float(rho), float(r), int(n.replace(",", "")), noun


def figure(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def plotted_table(at) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if {"Area", "Code", "Marked"} <= set(d.value.columns)]
    assert len(tables) == 1
    return tables[0]


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def infos(at) -> str:
    return " ".join(i.value for i in at.info)


def test_the_default_view_shows_the_correlation_a_table_and_the_link(t):
    at = open_page()
    assert not warnings(at)
    assert dict(at.query_params) == {"level": "lad", "area": BIRMINGHAM, "x": rv.DEFAULT_X, "y": rv.DEFAULT_Y}
    held = both_held(t, rv.DEFAULT_X, rv.DEFAULT_Y)
    rho, r, n, noun = shown_stats(at)
    assert (rho, n, noun) == (round(rank_correlation(held["x"], held["y"]), 2), len(held), "areas")
    assert r == round(float(np.corrcoef(held["x"], held["y"])[0, 1]), 2)
    assert [tab.label for tab in at.tabs] == ["Chart", "Table of the plotted values"]
    table = plotted_table(at)
    assert len(table) == n and set(table["Country"]) == {"England", "Wales"}
    assert any(c.value == rv.NOT_CAUSE_NOTE for c in at.caption) and any("correlation is not cause" in m.value for m in at.markdown)
    assert "Source: Census 2021" in figure(at)["layout"]["annotations"][-1]["text"]
    assert not infos(at)  # both indicators are published for both countries


def test_imd_2025_against_the_employment_rate_across_english_las():
    raw = raw_imd_against_employment()
    expected_rho = rank_correlation(raw["imd_average_score"], raw["observation"])
    at = open_page(x=IMD, y=EMPLOYMENT)
    assert not warnings(at)
    rho, r, n, _ = shown_stats(at)
    assert rho == round(expected_rho, 2)
    assert r == round(float(np.corrcoef(raw["imd_average_score"], raw["observation"])[0, 1]), 2)
    # The IoD's 296 English districts, less the two whose APS estimate ONS suppressed (City of London, Isles of Scilly).
    assert n == len(raw) == 294
    assert figure(at)["layout"]["title"]["text"].startswith(f"Spearman ρ = {expected_rho:.2f}, ")
    table = plotted_table(at)
    assert len(table) == 294 and set(table["Country"]) == {"England"} and table["Code"].str.startswith("E").all()
    assert "Only the LAs of England are plotted" in infos(at)
    assert (at.query_params["x"], at.query_params["y"]) == (IMD, EMPLOYMENT)


def test_a_bad_x_warns_and_falls_back_to_the_default():
    at = open_page(x="no_such_indicator", y=EMPLOYMENT)
    assert any("indicator `no_such_indicator` is not in the catalogue" in w for w in warnings(at))
    assert at.selectbox(key="rel_x").value == rv.DEFAULT_X and at.query_params["x"] == rv.DEFAULT_X
    assert at.selectbox(key="rel_y").value == EMPLOYMENT
    at = open_page(x="<script>alert(1)</script>", level="county")
    text = " ".join(warnings(at))
    assert "malformed" in text and "<script>" not in text and "level `county`" in text
    assert at.query_params["level"] == "lad" and at.query_params["x"] == rv.DEFAULT_X


def test_a_wales_only_indicator_restricts_the_scatter_to_wales_and_says_so(t):
    at = open_page(x=WIMD, y=EMPLOYMENT, area=CARDIFF)
    assert not warnings(at)
    assert "Only the LAs of Wales are plotted" in infos(at) and "Welsh Index of Multiple Deprivation" in infos(at)
    held = both_held(t, WIMD, EMPLOYMENT)
    _, _, n, _ = shown_stats(at)
    assert n == len(held) == (held["country"] == "W").sum()
    assert set(plotted_table(at)["Country"]) == {"Wales"}
    assert plotted_table(at).iloc[0]["Code"] == CARDIFF


def test_england_only_against_wales_only_plots_nothing_and_says_why():
    at = open_page(x=IMD, y=WIMD)
    assert "No area holds both" in infos(at) and "never one scale" in infos(at)
    assert any("Too few areas hold both values for a correlation (n = 0 areas)" in m.value for m in at.markdown)
    assert plotted_table(at).empty


def test_the_ward_view_comes_from_the_link_and_goes_back_to_it(t):
    areas = t["areas"]
    own = areas[(areas["level"] == "ward") & (areas["parent_code"] == BIRMINGHAM)]
    ward = own[own["area_name"] == "Acocks Green"]["area_code"].iloc[0]
    at = open_page(area=ward)  # a ward code opens the ward view
    assert at.segmented_control(key="rel_level").value == "ward" and at.selectbox(key="rel_ward").value == ward
    held = both_held(t, rv.DEFAULT_X, rv.DEFAULT_Y, "ward", set(own["area_code"]))
    rho, _, n, noun = shown_stats(at)
    assert (rho, n, noun) == (round(rank_correlation(held["x"], held["y"]), 2), len(held), "wards")
    assert plotted_table(at).iloc[0]["Code"] == ward
    other = own[own["area_name"] != "Acocks Green"]["area_code"].iloc[0]
    at.selectbox(key="rel_ward").set_value(other).run()
    assert at.query_params["area"] == other and plotted_table(at).iloc[0]["Code"] == other
    at.segmented_control(key="rel_level").set_value("lad").run()
    assert at.query_params["level"] == "lad" and at.query_params["area"] == BIRMINGHAM
    assert shown_stats(at)[3] == "areas"


def test_choosing_an_axis_writes_it_to_the_link_and_changes_the_figure():
    at = open_page()
    before = shown_stats(at)
    at.selectbox(key="rel_y").set_value(EMPLOYMENT).run()
    assert at.query_params["y"] == EMPLOYMENT and shown_stats(at) != before
    at.selectbox(key="rel_area").set_value(CARDIFF).run()
    assert at.query_params["area"] == CARDIFF and plotted_table(at).iloc[0]["Code"] == CARDIFF
