"""Figure builders on the real processed tables, without Streamlit: sizes, hover values, source lines, the static ward layer."""
from __future__ import annotations

import gzip
import json

import geopandas as gpd
import pandas as pd
import plotly.io as pio
import pytest

import figures
from indicators import views

from conftest import PROCESSED

BLACKPOOL = "E06000009"
CARDIFF = "W06000015"
WILTSHIRE = "E06000054"  # the LA with the most wards (98)


@pytest.fixture(scope="module")
def tables():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "sources")
    return {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}


@pytest.fixture(scope="module")
def lad_geojson():
    lad = gpd.read_parquet(PROCESSED / "boundaries_lad.parquet")
    return figures.feature_collection(lad["area_code"], lad.geometry)


@pytest.fixture(scope="module")
def wards():
    return gpd.read_parquet(PROCESSED / "boundaries_ward.parquet")


def names(tables):
    return dict(zip(tables["areas"]["area_code"], tables["areas"]["area_name"]))


def least_deprived_ward(tables, lad):
    """(code, name, IMD 2025 average score) of the LA's least deprived ward, straight from the processed tables."""
    areas, values = tables["areas"], tables["indicator_values"]
    wards = areas[(areas["level"] == "ward") & (areas["parent_code"] == lad)]
    imd = values[(values["indicator_id"] == "imd_average_score") & (values["period"] == "2025") & values["area_code"].isin(wards["area_code"])]
    best = imd.sort_values("value").iloc[0]
    return best["area_code"], wards.set_index("area_code").loc[best["area_code"], "area_name"], best["value"]


def level_scores(tables, level="lad", scope=views.DEFAULT_SCOPE):
    s = tables["factor_scores"]
    return s[(s["level"] == level) & (s["scope"] == (views.WARD_SCOPE if level == "ward" else scope))]


def imd_frame(tables, level="lad"):
    values = tables["indicator_values"]
    mine = values[(values["indicator_id"] == "imd_average_score") & (values["level"] == level)]
    return views.measure_frame("imd_average_score", "2025", "robust_z", level, mine, level_scores(tables, level), tables["indicators"], names(tables))


def test_plotly_json_engine_is_pinned():
    assert pio.json.config.default_engine == "json"


def test_la_map_holds_real_values_in_hover_and_is_small(tables, lad_geojson):
    frame = imd_frame(tables)
    line = views.source_line("imd_average_score", "2025", tables["indicators"], tables["sources"])
    fig = figures.la_choropleth(frame, lad_geojson, unit="score", polarity="lower_is_better", source_line=line.text())
    trace = fig.data[0]
    i = list(trace.locations).index(BLACKPOOL)
    assert trace.z[i] == pytest.approx(43.467)
    assert trace.customdata[i][0] == "Blackpool"
    assert trace.customdata[i][1] == "43.47"
    assert trace.customdata[i][2].startswith("296 of 296")  # the most deprived English LA by average score
    assert len(trace.locations) == 296  # IoD is England only: 296 English LAs, no Welsh
    assert fig.layout.map.style == "white-bg"
    size = figures.figure_bytes(fig)
    assert size <= 600_000, size
    # the embedded outlines are the simplified, 4-decimal boundaries of the processed snapshot
    assert '"coordinates":[[[[-1.2024,54.7061]' in pio.to_json(fig, validate=False).replace(" ", "")


def test_every_figure_carries_source_period_and_licence(tables, lad_geojson, wards):
    frame = imd_frame(tables)
    line = views.source_line("imd_average_score", "2025", tables["indicators"], tables["sources"]).text()
    assert "Source: English Indices of Deprivation 2025" in line and "Period: 2025" in line and "Licence: OGL v3.0" in line
    figs = [
        figures.la_choropleth(frame, lad_geojson, unit="score", polarity="lower_is_better", source_line=line),
        figures.national_ward_choropleth(imd_frame(tables, "ward"), unit="score", polarity="lower_is_better", source_line=line),
        figures.trend_chart(pd.DataFrame({"period": ["2019", "2025"], "series": ["Blackpool"] * 2, "value": [45.039, 43.467]}), ["2019", "2025"], [], unit="score", source_line=line),
    ]
    for fig in figs:
        assert fig.layout.meta["source_line"] == line
        assert any("Source:" in a.text and "Licence:" in a.text for a in fig.layout.annotations)


def test_ward_map_of_the_largest_la_is_small_and_named(tables, wards):
    collections = figures.collections_by_parent(wards)
    bounds = figures.bounds_by_parent(wards)
    assert len(collections[WILTSHIRE]["features"]) == 98
    frame = imd_frame(tables, "ward")
    local = frame[frame["area_code"].isin({f["properties"]["area_code"] for f in collections[WILTSHIRE]["features"]})]
    fig = figures.ward_choropleth(local, collections[WILTSHIRE], bounds[WILTSHIRE], unit="score", polarity="lower_is_better", source_line="Source: x · Period: 2025 · Licence: OGL v3.0")
    size = figures.figure_bytes(fig)
    assert size <= 150_000, size
    trace = fig.data[0]
    code, name, value = least_deprived_ward(tables, WILTSHIRE)
    i = list(trace.locations).index(code)
    assert trace.customdata[i][0] == name
    assert trace.z[i] == pytest.approx(value)
    centre = fig.layout.map.center
    assert bounds[WILTSHIRE][0] < centre.lon < bounds[WILTSHIRE][2] and bounds[WILTSHIRE][1] < centre.lat < bounds[WILTSHIRE][3]


def test_national_ward_map_references_the_static_url_not_geometry(tables):
    frame = imd_frame(tables, "ward")
    fig = figures.national_ward_choropleth(frame, unit="score", polarity="lower_is_better", source_line="Source: x · Period: 2025 · Licence: OGL v3.0")
    assert fig.data[0].geojson == "app/static/wards_ew.geojson"
    text = pio.to_json(fig, validate=False)
    assert "coordinates" not in text
    assert len(fig.data[0].locations) == len(frame) > 6000
    assert len(text) < 1_000_000


def test_write_static_layers(tmp_path, wards):
    sizes = figures.write_static_layers(PROCESSED, tmp_path)
    path = tmp_path / figures.STATIC_WARD_LAYER
    raw = path.read_bytes()
    assert sizes["raw_bytes"] == len(raw) <= 6_000_000
    assert sizes["gzip_bytes"] == len(gzip.compress(raw, 6)) <= 1_500_000
    layer = json.loads(raw)
    assert len(layer["features"]) == len(wards) == 7588
    assert {tuple(f["properties"]) for f in layer["features"]} == {("area_code",)}
    assert b", " not in raw[:10000] and b": " not in raw[:10000]  # compact separators
    assert not list(tmp_path.glob("*.part"))


def test_trend_chart_cuts_lines_at_breaks():
    periods = ["2004", "2007", "2010", "2015", "2019", "2025"]
    series = pd.DataFrame({"period": periods, "series": "Blackpool", "value": [33.9, 37.66, 40.39, 42.0, 45.039, 43.467]})
    breaks = views.series_breaks("imd_average_score", periods)
    assert len(breaks) == 5
    fig = figures.trend_chart(series, periods, breaks, unit="score", source_line="Source: x · Period: 2004 to 2025 · Licence: OGL v3.0")
    # every IoD edition is its own segment: six one-point traces, one legend entry
    assert len(fig.data) == 6 and sum(bool(t.showlegend) for t in fig.data) == 1
    assert [t.y[0] for t in fig.data][-1] == pytest.approx(43.467)
    assert len([s for s in fig.layout.shapes if s.line.dash == "dash"]) == 5
    level3 = views.series_breaks("level3_qualifications", ["2022", "2023"])
    assert level3 and level3[0][0] == "2022"


@pytest.mark.parametrize("code,scope", [(BLACKPOOL, "ew_common"), (CARDIFF, "country")])
def test_factor_profile_chart_shows_real_ranks_bands_and_evidence(tables, code, scope):
    areas = tables["areas"]
    neighbours = pd.read_parquet(PROCESSED / "neighbours.parquet")
    lad_scores = level_scores(tables, "lad", scope)
    summary = views.factor_summary(code, "robust_z", lad_scores, areas, neighbours, scope=scope)
    fig = figures.factor_profile_chart(summary, source_line="Source: x · Period: latest · Licence: OGL v3.0")
    stored = lad_scores[(lad_scores["area_code"] == code) & (lad_scores["method"] == "robust_z")].set_index("factor")
    trace = fig.data[0]
    shown = dict(zip(trace.y, trace.x))
    assert shown["1 Shared values"] == stored.loc["1", "rank"]
    assert shown["2 Responsibility"] == stored.loc["2", "rank"]
    i = list(trace.y).index("1 Shared values")
    low, high, _score, n = trace.customdata[i]
    assert (low, high) == (stored.loc["1", "rank_low"], stored.loc["1", "rank_high"])
    assert n == stored.loc["1", "n_areas"] == (22 if scope == "country" else stored.loc["1", "n_areas"])
    assert views.evidence_text(stored.loc["1"]) in trace.text[i]


def test_la_map_hover_carries_evidence_and_the_small_population_note(tables, lad_geojson):
    scores = level_scores(tables, "lad", "country")
    small = views.small_population_areas(tables["factor_scores"])
    frame = views.measure_frame("factor_2", "latest", "robust_z", "lad", tables["indicator_values"].iloc[0:0], scores, tables["indicators"], names(tables), small)
    fig = figures.la_choropleth(frame, lad_geojson, unit="score", polarity="higher_is_better", source_line="Source: x · Period: latest · Licence: OGL v3.0")
    trace = fig.data[0]
    assert "%{customdata[3]}" in trace.hovertemplate
    stored = scores[(scores["method"] == "robust_z") & (scores["factor"] == "2")].set_index("area_code")
    i = list(trace.locations).index("E09000001")
    assert trace.customdata[i][2].startswith(f"{int(stored.loc['E09000001', 'rank'])} of {stored.loc['E09000001', 'n_areas']}")
    assert views.evidence_text(stored.loc["E09000001"]) in trace.customdata[i][3]
    assert views.SMALL_POPULATION_TEXT in trace.customdata[i][3]
    j = list(trace.locations).index(CARDIFF)
    assert trace.customdata[j][2].startswith(f"{int(stored.loc[CARDIFF, 'rank'])} of 22")
    assert views.SMALL_POPULATION_TEXT not in trace.customdata[j][3]


def test_view_for_bounds_fits_england_and_wales():
    centre, zoom = figures.view_for_bounds(figures.EW_BOUNDS, 900, 520)
    assert -3.0 < centre["lon"] < -2.0 and 52.5 < centre["lat"] < 53.2
    assert 4.5 < zoom < 6.5
    assert figures.view_for_bounds((-1.95, 51.3, -1.5, 51.6), 900, 520)[1] > zoom + 2
