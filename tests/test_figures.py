"""Figure builders on the real processed tables, without Streamlit: sizes, hover values, source lines, the static ward layer."""
from __future__ import annotations

import gzip
import json

import geopandas as gpd
import pandas as pd
import plotly.io as pio
import pytest

import vocabulary as vocab
from conftest import PROCESSED
from dashboard import figures, map_view, maps, measure_labels, profile_view, scopes, source_lines, trends_view
from outputs import geojson

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
    return geojson.feature_collection(lad["area_code"], lad.geometry)


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


def level_scores(tables, level="lad", scope=vocab.DEFAULT_SCOPE):
    s = tables["factor_scores"]
    return s[(s["level"] == level) & (s["scope"] == (vocab.WARD_SCOPE if level == "ward" else scope))]


def imd_frame(tables, level="lad"):
    values = tables["indicator_values"]
    mine = values[(values["indicator_id"] == "imd_average_score") & (values["level"] == level)]
    return map_view.measure_frame("imd_average_score", "2025", "robust_z", level, mine, level_scores(tables, level), tables["indicators"], names(tables))


def test_plotly_json_engine_is_pinned():
    assert pio.json.config.default_engine == "json"


def test_la_map_holds_real_values_in_hover_and_is_small(tables, lad_geojson):
    frame = imd_frame(tables)
    line = source_lines.source_line("imd_average_score", "2025", tables["indicators"], tables["sources"])
    fig = maps.la_choropleth(frame, lad_geojson, unit="score", polarity="lower_is_better", source_line=line.text())
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
    line = source_lines.source_line("imd_average_score", "2025", tables["indicators"], tables["sources"]).text()
    assert "Source: English Indices of Deprivation 2025" in line and "Period: 2025" in line and "Licence: OGL v3.0" in line
    figs = [
        maps.la_choropleth(frame, lad_geojson, unit="score", polarity="lower_is_better", source_line=line),
        maps.national_ward_choropleth(imd_frame(tables, "ward"), unit="score", polarity="lower_is_better", source_line=line),
        figures.trend_chart(pd.DataFrame({"period": ["2019", "2025"], "series": ["Blackpool"] * 2, "value": [45.039, 43.467]}), ["2019", "2025"], [], unit="score", source_line=line),
    ]
    for fig in figs:
        assert fig.layout.meta["source_line"] == line
        assert any("Source:" in a.text and "Licence:" in a.text for a in fig.layout.annotations)


def test_ward_map_of_the_largest_la_is_small_and_named(tables, wards):
    collections = maps.collections_by_parent(wards)
    bounds = maps.bounds_by_parent(wards)
    assert len(collections[WILTSHIRE]["features"]) == 98
    frame = imd_frame(tables, "ward")
    local = frame[frame["area_code"].isin({f["properties"]["area_code"] for f in collections[WILTSHIRE]["features"]})]
    fig = maps.ward_choropleth(local, collections[WILTSHIRE], bounds[WILTSHIRE], unit="score", polarity="lower_is_better", source_line="Source: x · Period: 2025 · Licence: OGL v3.0")
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
    fig = maps.national_ward_choropleth(frame, unit="score", polarity="lower_is_better", source_line="Source: x · Period: 2025 · Licence: OGL v3.0")
    assert fig.data[0].geojson == "app/static/wards_ew.geojson"
    text = pio.to_json(fig, validate=False)
    assert "coordinates" not in text
    assert len(fig.data[0].locations) == len(frame) > 6000
    assert len(text) < 1_000_000


def test_write_ward_layer(tmp_path, wards):
    sizes = geojson.write_ward_layer(gpd.read_parquet(PROCESSED / "boundaries_ward.parquet"), tmp_path)
    path = tmp_path / geojson.WARD_LAYER
    raw = path.read_bytes()
    assert sizes["raw_bytes"] == len(raw) <= 6_000_000
    assert sizes["gzip_bytes"] == len(gzip.compress(raw, 6)) <= 1_500_000
    layer = json.loads(raw)
    assert len(layer["features"]) == len(wards) == 7588
    assert {tuple(f["properties"]) for f in layer["features"]} == {("area_code",)}
    assert b", " not in raw[:10000] and b": " not in raw[:10000]  # compact separators
    assert not list(tmp_path.glob("*.part"))


def test_trend_chart_cuts_lines_at_breaks(tables):
    periods = ["2004", "2007", "2010", "2015", "2019", "2025"]
    series = pd.DataFrame({"period": periods, "series": "Blackpool", "value": [33.9, 37.66, 40.39, 42.0, 45.039, 43.467]})
    breaks = trends_view.series_breaks(tables["indicators"], "imd_average_score", periods)
    assert len(breaks) == 5
    fig = figures.trend_chart(series, periods, breaks, unit="score", source_line="Source: x · Period: 2004 to 2025 · Licence: OGL v3.0")
    # every IoD edition is its own segment: six one-point traces, one legend entry
    assert len(fig.data) == 6 and sum(bool(t.showlegend) for t in fig.data) == 1
    assert [t.y[0] for t in fig.data][-1] == pytest.approx(43.467)
    assert len([s for s in fig.layout.shapes if s.line.dash == "dash"]) == 5
    level3 = trends_view.series_breaks(tables["indicators"], "level3_qualifications", ["2022", "2023"])
    assert level3 and level3[0][0] == "2022"


@pytest.mark.parametrize("code,scope", [(BLACKPOOL, "ew_common"), (CARDIFF, "country")])
def test_factor_profile_chart_shows_real_ranks_bands_and_evidence(tables, code, scope):
    areas = tables["areas"]
    neighbours = pd.read_parquet(PROCESSED / "neighbours.parquet")
    lad_scores = level_scores(tables, "lad", scope)
    summary = profile_view.factor_summary(code, "robust_z", lad_scores, areas, neighbours, scope=scope)
    fig = figures.factor_profile_chart(summary, source_line="Source: x · Period: latest · Licence: OGL v3.0")
    stored = lad_scores[(lad_scores["area_code"] == code) & (lad_scores["method"] == "robust_z")].set_index("factor")
    trace = fig.data[0]
    shown = {label.split(" (of ")[0]: x for label, x in zip(trace.y, trace.x)}  # "(of 308)" where the factors' universes differ
    assert shown["1 Shared values"] == stored.loc["1", "rank"]
    assert shown["2 Responsibility"] == stored.loc["2", "rank"]
    i = [label.split(" (of ")[0] for label in trace.y].index("1 Shared values")
    low, high, _score, n = trace.customdata[i]
    assert (low, high) == (stored.loc["1", "rank_low"], stored.loc["1", "rank_high"])
    assert n == stored.loc["1", "n_areas"] == (22 if scope == "country" else stored.loc["1", "n_areas"])
    assert scopes.evidence_text(stored.loc["1"]) in trace.text[i]


def test_la_map_hover_carries_evidence_and_the_small_population_note(tables, lad_geojson):
    scores = level_scores(tables, "lad", "country")
    small = scopes.small_population_areas(tables["factor_scores"])
    frame = map_view.measure_frame("factor_2", "latest", "robust_z", "lad", tables["indicator_values"].iloc[0:0], scores, tables["indicators"], names(tables), small)
    fig = maps.la_choropleth(frame, lad_geojson, unit="score", polarity="higher_is_better", source_line="Source: x · Period: latest · Licence: OGL v3.0")
    trace = fig.data[0]
    assert "%{customdata[3]}" in trace.hovertemplate
    stored = scores[(scores["method"] == "robust_z") & (scores["factor"] == "2")].set_index("area_code")
    i = list(trace.locations).index("E09000001")
    assert trace.customdata[i][2].startswith(f"{int(stored.loc['E09000001', 'rank'])} of {stored.loc['E09000001', 'n_areas']}")
    # The hover writes the evidence's separators in ASCII (plotly's JSON escapes every other character in six bytes).
    assert scopes.evidence_text(stored.loc["E09000001"]).translate(maps.HOVER_ASCII) in trace.customdata[i][3]
    assert "·" not in trace.customdata[i][3] and "–" not in trace.customdata[i][2]
    assert scopes.SMALL_POPULATION_TEXT in trace.customdata[i][3]
    j = list(trace.locations).index(CARDIFF)
    assert trace.customdata[j][2].startswith(f"{int(stored.loc[CARDIFF, 'rank'])} of 22")
    assert scopes.SMALL_POPULATION_TEXT not in trace.customdata[j][3]


def test_view_for_bounds_fits_england_and_wales():
    centre, zoom = maps.view_for_bounds(maps.EW_BOUNDS, 900, 520)
    assert -3.0 < centre["lon"] < -2.0 and 52.5 < centre["lat"] < 53.2
    assert 4.5 < zoom < 6.5
    assert maps.view_for_bounds((-1.95, 51.3, -1.5, 51.6), 900, 520)[1] > zoom + 2


# ---------------------------------------------------------------- ward map layers: reliability, Welsh names, profile links

GWYNEDD = "W06000002"  # the LA with the most low-reliability wards (small rural wards of one LSOA)
CANTON = "W05001273"  # English name Canton, Welsh Treganna


@pytest.fixture(scope="module")
def reliability():
    return pd.read_parquet(PROCESSED / "ward_reliability.parquet")


def ward_map(tables, wards, reliability, lad, measure):
    """The ward map of one LA as the page builds it (ward_map_view's frames, figures' layers), from the processed tables."""
    from dashboard import ward_map_view as wv

    areas, values, scores = tables["areas"], tables["indicator_values"], tables["factor_scores"]
    ward_values = values[values["level"] == "ward"]
    ward_scores = scores[(scores["level"] == "ward") & (scores["scope"] == vocab.WARD_SCOPE)]
    country_of = wv.country_of_wards(areas)
    country = areas.set_index("area_code").at[lad, "country"]
    periods = {(i, "ward"): measure_labels.sort_periods(b["period"].unique()) for i, b in ward_values.groupby("indicator_id")}
    collection = maps.collections_by_parent(wards[wards["parent_code"] == lad])[lad]
    codes = [f["properties"]["area_code"] for f in collection["features"]]
    wm = wv.resolve(measure, country, codes, catalogue=tables["indicators"], ward_scores=ward_scores, periods=periods)
    welsh = {c: n for c, n in zip(areas["area_code"], areas["area_name_welsh"]) if isinstance(n, str) and n}
    common = {"ward_values": ward_values, "catalogue": tables["indicators"], "names": names(tables), "welsh": welsh, "reliability": reliability, "country_of": country_of}
    frame = wv.ward_frame(wm, wm.default_period, "robust_z", values=ward_values[ward_values["indicator_id"] == wm.indicator_id], ward_scores=ward_scores, **common)
    local = wv.local_ranks(frame[frame["area_code"].isin(codes)], wm.polarity)
    lone = wv.lone_wards(wm, codes, "robust_z", ward_scores=ward_scores, periods=periods, **common)
    missing = wv.missing_wards(codes, [*local["area_code"], *lone["area_code"]], names(tables), welsh, reliability)
    fig = maps.ward_choropleth(
        local, collection, maps.bounds_by_parent(wards[wards["parent_code"] == lad])[lad], unit=wm.unit, polarity=wm.polarity,
        source_line="Source: x · Period: 2019 · Licence: OGL v3.0", missing=missing, lone=lone,
    )
    return fig, local, missing


def layer(fig, name):
    hits = [t for t in fig.data if (t.meta or {}).get("layer") == name]
    return hits[0] if hits else None


@pytest.mark.parametrize("lad", [CARDIFF, GWYNEDD])
def test_ward_map_outlines_exactly_the_flagged_wards_with_an_lsoa_based_value(tables, wards, reliability, lad):
    fig, local, missing = ward_map(tables, wards, reliability, lad, "wimd_score")  # WIMD reaches wards through best-fit LSOAs
    in_lad = set(tables["areas"].query("level == 'ward' and parent_code == @lad")["area_code"])
    flagged = set(reliability.loc[reliability["low_reliability"] & reliability["area_code"].isin(in_lad), "area_code"])
    expected = flagged & set(local["area_code"])  # a flagged ward with no LSOA has no WIMD value: it is grey, not outlined
    assert fig.data[0].meta["layer"] == maps.LAYER_VALUES and set(fig.data[0].locations) == set(local["area_code"])
    outline = layer(fig, maps.LAYER_LOW_RELIABILITY)
    legend_names = [t.name for t in fig.data if t.showlegend]
    if not expected:
        assert lad == CARDIFF and outline is None and maps.LOW_RELIABILITY_LEGEND not in legend_names
        return
    assert set(outline.locations) == expected and len(outline.locations) == len(expected)
    assert {f["properties"]["area_code"] for f in outline.geojson["features"]} == expected  # only those outlines embedded
    assert outline.marker.line.color == maps.FLAG_LINE_COLOUR and outline.marker.line.width >= 3
    assert set(layer(fig, "low_reliability_casing").locations) == expected and layer(fig, "low_reliability_casing").hoverinfo == "skip"
    assert legend_names.count(maps.LOW_RELIABILITY_LEGEND) == 1
    assert "rests on one LSOA or on a poor best fit" in maps.LOW_RELIABILITY_LEGEND
    # the outline layers take no hover or click: those fall to the ward's own layer, whose hover carries the note
    assert outline.hoverinfo == "skip" and outline.customdata is None
    notes = reliability.set_index("area_code")["reliability_note"]
    for code, row in zip(fig.data[0].locations, fig.data[0].customdata):
        assert (f"Low reliability: {notes[code]}" in row[3]) == (code in expected), code
    # flagged wards with no LSOA at all: grey, with the reason
    no_lsoa = set(reliability.loc[reliability["area_code"].isin(in_lad) & (reliability["n_lsoa"] == 0), "area_code"])
    grey = layer(fig, maps.LAYER_NO_VALUE)
    assert no_lsoa <= set(grey.locations) and flagged == expected | no_lsoa
    reasons = dict(zip(grey.locations, (row[1] for row in grey.customdata)))
    assert all(notes[c] in reasons[c] for c in no_lsoa)
    assert figures.figure_bytes(fig) <= 250_000


def test_an_output_area_measure_is_not_flagged(tables, wards, reliability):
    # Census counts summed from output areas reach the ward directly, whatever its LSOAs.
    fig, local, _ = ward_map(tables, wards, reliability, GWYNEDD, "cannot_speak_english_well")
    assert layer(fig, maps.LAYER_LOW_RELIABILITY) is None and not local["low_reliability"].any()


def test_ward_hover_carries_the_welsh_name_and_the_click_leads_to_the_profile(tables, wards, reliability):
    from dashboard import ward_map_view as wv

    fig, local, _ = ward_map(tables, wards, reliability, CARDIFF, "wimd_score")
    trace = fig.data[0]
    i = list(trace.locations).index(CANTON)
    areas = tables["areas"].set_index("area_code")
    assert areas.at[CANTON, "area_name"] == "Canton" and areas.at[CANTON, "area_name_welsh"] == "Treganna"
    assert trace.customdata[i][0] == "Canton / Treganna" and "%{customdata[0]}" in trace.hovertemplate
    stored = tables["indicator_values"].query("indicator_id == 'wimd_score' and area_code == @CANTON").iloc[0]
    assert trace.z[i] == pytest.approx(stored["value"])
    # the profile link rides last in the click payload, and the page reads the ward from it
    assert trace.customdata[i][-1] == "profile?area=W05001273"
    point = {"curve_number": 0, "point_index": i, "location": CANTON, "customdata": list(trace.customdata[i])}
    assert wv.clicked_ward([point], set(local["area_code"])) == CANTON
    assert wv.clicked_ward([{"customdata": list(trace.customdata[i])}], set(local["area_code"])) == CANTON
    assert fig.layout.clickmode == "event+select"


def test_national_ward_map_hover_has_welsh_names_and_outlines(tables, reliability):
    from dashboard import ward_map_view as wv

    areas, values, scores = tables["areas"], tables["indicator_values"], tables["factor_scores"]
    ward_values = values[values["level"] == "ward"]
    ward_scores = scores[(scores["level"] == "ward") & (scores["scope"] == vocab.WARD_SCOPE)]
    country_of = wv.country_of_wards(areas)
    cardiff = areas.query("level == 'ward' and parent_code == @CARDIFF")["area_code"]
    wm = wv.resolve("factor_3", "W", cardiff, catalogue=tables["indicators"], ward_scores=ward_scores, periods={})
    assert wm.kind == "score"
    welsh = {c: n for c, n in zip(areas["area_code"], areas["area_name_welsh"]) if isinstance(n, str) and n}
    frame = wv.ward_frame(
        wm, "latest", "robust_z", values=ward_values.iloc[0:0], ward_scores=ward_scores, ward_values=ward_values, catalogue=tables["indicators"],
        names=names(tables), welsh=welsh, reliability=reliability, country_of=country_of, links=False,
    )
    fig = maps.national_ward_choropleth(frame, unit="score", polarity="higher_is_better", source_line="Source: x · Period: latest · Licence: OGL v3.0")
    trace = fig.data[0]
    assert trace.customdata[list(trace.locations).index(CANTON)][0] == "Canton / Treganna"
    outline = layer(fig, maps.LAYER_LOW_RELIABILITY)
    scored = set(frame["area_code"])
    flagged = set(reliability.loc[reliability["low_reliability"], "area_code"]) & scored
    assert set(outline.locations) == flagged and outline.geojson == maps.STATIC_WARD_URL
    assert outline.marker.line.width == maps.FLAG_LINE_WIDTH_NATIONAL
    assert len(pio.to_json(fig, validate=False)) < 1_000_000


def test_wards_whose_factor_rests_on_one_indicator_are_drawn_apart_from_the_scores(tables, wards, reliability):
    # Wiltshire, factor 4: wards with no contested local election hold general-election turnout only, so no score.
    fig, local, _ = ward_map(tables, wards, reliability, WILTSHIRE, "factor_4")
    s = tables["factor_scores"]
    rows = s[(s["level"] == "ward") & (s["scope"] == vocab.WARD_SCOPE) & (s["factor"] == "4") & (s["method"] == "robust_z")]
    rows = rows[rows["area_code"].isin(set(tables["areas"].query("parent_code == @WILTSHIRE")["area_code"]))]
    single = rows[rows["single_indicator"] != ""]
    assert len(single) and single["score"].isna().all()
    assert set(fig.data[0].locations) == set(rows.loc[rows["score"].notna(), "area_code"])  # scores only on the colour scale
    sand = layer(fig, maps.LAYER_SINGLE)
    assert set(sand.locations) == set(single["area_code"]) and not set(sand.locations) & set(fig.data[0].locations)
    assert maps.SINGLE_LEGEND in [t.name for t in fig.data if t.showlegend]
    values = tables["indicator_values"]
    for code, row in zip(sand.locations, sand.customdata):
        indicator = single.set_index("area_code").at[code, "single_indicator"]
        stored = values[(values["indicator_id"] == indicator) & (values["area_code"] == code)].iloc[0]
        unit = tables["indicators"].set_index("indicator_id").at[indicator, "unit"]
        assert row[1].startswith("single indicator, not a factor score: ") and measure_labels.fmt_value(stored["value"], unit) in row[1]
        assert row[-1] == f"profile?area={code}"
    # both turnouts' inputs: general-election turnout is apportioned through best-fit LSOAs, so flagged wards of either
    # layer are outlined
    assert "LSOA" in values.query("indicator_id == 'general_election_turnout_2024'")["derivation"].iloc[0]
    low = set(reliability.loc[reliability["low_reliability"], "area_code"])
    outline = layer(fig, maps.LAYER_LOW_RELIABILITY)
    assert set(outline.locations if outline is not None else []) == low & (set(fig.data[0].locations) | set(sand.locations))
