"""The Map and Ward map figures on the real processed tables, without a browser: every LA framed whole with a margin
at the laptop's pixel size, diverging colour scales centred on the median (or 0 for robust z-scores), Welsh names
and unit-formatted values in the hover, and the London view of the 33 boroughs."""
from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.colors as plotly_colors
import pytest

import vocabulary as vocab
from conftest import PROCESSED
from dashboard import figures, map_view, maps, measure_labels, source_lines
from outputs import geojson

BIRMINGHAM, BLACKPOOL, ROCHFORD, VALE_OF_GLAMORGAN = "E08000025", "E06000009", "E07000075", "W06000014"
CARDIFF = "W06000015"
LONDON = "E12000007"

# The ward map's chart at 1366x768 with the sidebar open: 906 px wide in headless chromium, 891 beside a classic
# scrollbar. The frame must hold at both.
CHART_WIDTHS = (890, 906)
# What the colour bar took from the map's width when plotly was left to widen the right margin for it (measured in
# chromium on the figures before the fix): the fit never saw it.
COLOUR_BAR_DRAWN = 107
MARGIN = 20  # pixels the framed area keeps clear of every edge of the map


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "sources")
    t = {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}
    t["names"] = dict(zip(t["areas"]["area_code"], t["areas"]["area_name"]))
    t["welsh"] = {c: n for c, n in zip(t["areas"]["area_code"], t["areas"]["area_name_welsh"]) if isinstance(n, str) and n}
    return t


@pytest.fixture(scope="module")
def wards():
    return gpd.read_parquet(PROCESSED / "boundaries_ward.parquet")


@pytest.fixture(scope="module")
def lads():
    return gpd.read_parquet(PROCESSED / "boundaries_lad.parquet")


@pytest.fixture(scope="module")
def static(tmp_path_factory):
    """The map layers published from the processed tables into a scratch static folder, as the app publishes them."""
    folder = tmp_path_factory.mktemp("static")
    return folder, geojson.publish_map_layers(PROCESSED, folder)


@pytest.fixture(scope="module")
def lad_geojson(static):
    """The LA layer's URL, as the Map page passes it: the figure holds values, the browser fetches the outlines."""
    return maps.layer_url(static[1].lad)


def layer_codes(static, url: str) -> list[str]:
    """The area codes of the features in the published file a figure's URL names."""
    folder, _ = static
    assert url.startswith(maps.STATIC_PREFIX), url
    return [f["properties"]["area_code"] for f in json.loads((folder / url.removeprefix(maps.STATIC_PREFIX)).read_bytes())["features"]]


def lad_scores(t, scope=vocab.DEFAULT_SCOPE):
    s = t["factor_scores"]
    return s[(s["level"] == "lad") & (s["scope"] == scope)]


def lad_frame(t, measure, period="latest", method="robust_z", scope=vocab.DEFAULT_SCOPE):
    values = t["indicator_values"]
    mine = values[(values["indicator_id"] == measure) & (values["level"] == "lad")]
    return map_view.measure_frame(measure, period, method, "lad", mine, lad_scores(t, scope), t["indicators"], t["names"], welsh=t["welsh"])


def source_line(t, indicator, period):
    line = source_lines.source_line(indicator, period, t["indicators"], t["sources"])
    return f"{line.text()} · {source_lines.boundary_credit(t['sources'])}"


# ---------------------------------------------------------------- framing (Web Mercator, as MapLibre draws)

def world_xy(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    world = 512 * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180) / 360 * world, (1 - y / math.pi) / 2 * world


def visible_frame(fig, chart_width: int) -> tuple[float, float]:
    m = fig.layout.margin
    right = m.r or 0
    if m.autoexpand is not False:
        right = max(right, COLOUR_BAR_DRAWN)  # plotly widens the margin to fit the colour bar, narrowing the map
    return chart_width - (m.l or 0) - right, fig.layout.height - (m.t or 0) - (m.b or 0)


def box_on_screen(fig, bounds, chart_width: int) -> tuple[float, float, float, float, float, float]:
    """(left, top, right, bottom) of the lon/lat box in the map's pixels, and the map's width and height."""
    width, height = visible_frame(fig, chart_width)
    zoom, centre = fig.layout.map.zoom, fig.layout.map.center
    cx, cy = world_xy(centre.lon, centre.lat, zoom)
    (x0, y1), (x1, y0) = world_xy(bounds[0], bounds[1], zoom), world_xy(bounds[2], bounds[3], zoom)
    return width / 2 + x0 - cx, height / 2 + y0 - cy, width / 2 + x1 - cx, height / 2 + y1 - cy, width, height


def assert_framed(fig, bounds, what: str) -> None:
    for chart_width in CHART_WIDTHS:
        left, top, right, bottom, width, height = box_on_screen(fig, bounds, chart_width)
        clear = {"left": left, "top": top, "right": width - right, "bottom": height - bottom}
        assert min(clear.values()) >= MARGIN, f"{what} at {chart_width} px: {clear} px clear of the map's edges in a {width:.0f}x{height:.0f} map"
        # and framed, not lost in the middle: the box fills the frame in its tighter direction
        assert max((right - left) / width, (bottom - top) / height) > 0.8, (what, chart_width, clear)


def ward_map_of(t, wards, static, lad):
    """The LA's ward map as the Ward map page draws it: its country's deprivation index, the title and full source line."""
    indicator, period = ("wimd_score", "2019") if lad.startswith("W") else ("imd_average_score", "2025")
    mine = wards[wards["parent_code"] == lad]
    values = t["indicator_values"]
    values = values[(values["indicator_id"] == indicator) & (values["level"] == "ward")]
    frame = map_view.measure_frame(indicator, period, "robust_z", "ward", values, t["factor_scores"].iloc[0:0], t["indicators"], t["names"], welsh=t["welsh"])
    frame = frame[frame["area_code"].isin(set(mine["area_code"]))]
    row = measure_labels.catalogue_row(t["indicators"], indicator)
    bounds = maps.bounds_by_parent(mine)[lad]
    fig = maps.ward_choropleth(
        frame, maps.layer_url(static[1].wards[lad]), bounds, unit=row["unit"], polarity=row["polarity"],
        source_line=source_line(t, indicator, period), title=f"Wards of {t['names'][lad]}: click a ward to open its profile",
    )
    return fig, bounds


@pytest.mark.parametrize("lad", [BIRMINGHAM, BLACKPOOL, ROCHFORD, VALE_OF_GLAMORGAN], ids=["Birmingham", "Blackpool-tall", "Rochford-wide", "Vale-of-Glamorgan-wide"])
def test_ward_map_frames_the_whole_la_with_a_margin(t, wards, static, lad):
    fig, bounds = ward_map_of(t, wards, static, lad)
    assert_framed(fig, bounds, t["names"][lad])
    # the frame is the figure's: the colour bar sits in a right margin the fit allowed for, never widened by plotly
    assert fig.layout.margin.autoexpand is False and fig.layout.margin.r == maps.COLOUR_BAR_RESERVE
    assert fig.data[0].colorbar.x == 1.0 and fig.data[0].colorbar.xanchor == "left"
    # every layer points at the LA's own published ward layer, which holds exactly its wards: no geometry in the figure
    url = maps.layer_url(static[1].wards[lad])
    assert {d.geojson for d in fig.data if d.type == "choroplethmap"} == {url} and f"/wards/{lad}-" in url
    assert layer_codes(static, url) == list(wards.loc[wards["parent_code"] == lad, "area_code"])
    assert set(fig.data[0].locations) <= set(layer_codes(static, url))
    assert "coordinates" not in fig.to_json()


def test_every_las_wards_fit_the_frame(t, wards):
    """Every LA, tall or wide, through the zoom/centre function alone, at the map's pixel size."""
    frame = (maps.MAP_FIGURE_WIDTH - maps.COLOUR_BAR_RESERVE, 400)
    for lad, bounds in maps.bounds_by_parent(wards).items():
        centre, zoom = maps.view_for_bounds(bounds, *frame)
        cx, cy = world_xy(centre["lon"], centre["lat"], zoom)
        (x0, y1), (x1, y0) = world_xy(bounds[0], bounds[1], zoom), world_xy(bounds[2], bounds[3], zoom)
        left, top, right, bottom = frame[0] / 2 + x0 - cx, frame[1] / 2 + y0 - cy, frame[0] / 2 + x1 - cx, frame[1] / 2 + y1 - cy
        assert min(left, top, frame[0] - right, frame[1] - bottom) >= maps.FRAME_MARGIN - 1e-6, lad


def test_national_map_frames_england_and_wales(t, lad_geojson, lads):
    frame = lad_frame(t, "composite")
    fig = maps.la_choropleth(frame, lad_geojson, unit="score", polarity="higher_is_better", source_line=source_line(t, "imd_average_score", "2025"))
    assert_framed(fig, tuple(lads.total_bounds), "England and Wales")


# ---------------------------------------------------------------- diverging colour scales, centred

NEUTRAL = (255, 255, 191)  # RdYlBu's middle colour


def colour_at(trace, z: float) -> tuple[float, ...]:
    """The colour the trace gives a value z (its colour scale runs from zmin to zmax)."""
    at = (z - trace.zmin) / (trace.zmax - trace.zmin)
    stops = [list(stop) for stop in trace.colorscale]
    return plotly_colors.unlabel_rgb(plotly_colors.sample_colorscale(stops, [at])[0])


def full_scale_at(polarity: str, at: float) -> tuple[float, ...]:
    """The full RdYlBu scale, reversed for lower-is-better, at position 0-1."""
    at = 1 - at if polarity == "lower_is_better" else at
    return plotly_colors.unlabel_rgb(plotly_colors.sample_colorscale(plotly_colors.get_colorscale("RdYlBu"), [at])[0])


def assert_centred(trace, centre, polarity: str, steps) -> None:
    """The neutral colour at the centre, and a step d above it coloured as strongly as the step d below it: each is the
    full scale's colour at 0.5 ± d / (2 × half-range), whatever part of that range the map draws."""
    assert trace.zmin <= centre.value <= trace.zmax
    assert colour_at(trace, centre.value) == pytest.approx(NEUTRAL, abs=3)
    for d in steps:
        for sign in (1, -1):
            z = centre.value + sign * d
            if trace.zmin <= z <= trace.zmax:
                assert colour_at(trace, z) == pytest.approx(full_scale_at(polarity, 0.5 + sign * d / (2 * centre.half)), abs=4), (z, sign)

def test_indicator_scale_is_centred_on_the_median_of_las(t, lad_geojson):
    frame = lad_frame(t, "imd_average_score", "2025")
    values = t["indicator_values"].query("indicator_id == 'imd_average_score' and level == 'lad' and period == '2025'")["value"]
    centre = map_view.colour_centre("imd_average_score", "robust_z", "lower_is_better", frame["value"])
    fig = maps.la_choropleth(frame, lad_geojson, unit="score", polarity="lower_is_better", source_line="Source: x · Period: 2025 · Licence: OGL v3.0", centre=centre)
    trace = fig.data[0]
    assert len(values) == 296 and trace.zmid == pytest.approx(values.median()) == pytest.approx(19.0105, abs=1e-3)
    assert centre.half == pytest.approx(max(values.max() - values.median(), values.median() - values.min()))  # symmetric about it
    assert_centred(trace, centre, "lower_is_better", steps=(2, 5, 10, 15))
    # the colour bar spans the LAs' own values: no negative deprivation score offered
    assert (trace.zmin, trace.zmax) == pytest.approx((values.min(), values.max()))
    assert colour_at(trace, values.max())[1] < 60  # the most deprived LA is red (lower is better)
    assert "centre = median of LAs" in trace.colorbar.title.text.replace("<br>", " ")


@pytest.mark.parametrize("scope", ["ew_common", "country"])
def test_robust_z_scores_are_centred_on_zero(t, lad_geojson, scope):
    frame = lad_frame(t, "composite", scope=scope)
    centre = map_view.colour_centre("composite", "robust_z", "higher_is_better", frame["value"])
    fig = maps.la_choropleth(frame, lad_geojson, unit="score", polarity="higher_is_better", source_line="Source: x · Period: latest · Licence: OGL v3.0", centre=centre)
    trace = fig.data[0]
    assert trace.zmid == 0
    assert_centred(trace, centre, "higher_is_better", steps=(0.5, 1, 1.5))
    stored = lad_scores(t, scope).query("factor == 'composite' and method == 'robust_z'")["score"].dropna()
    assert abs(stored.median()) < 0.05  # 0 is the average LA by construction, as the stored scores bear out
    assert "centre = 0, the average" in trace.colorbar.title.text.replace("<br>", " ")


def test_exponential_scores_are_centred_on_their_median_not_zero(t):
    frame = lad_frame(t, "factor_3", method="exponential")
    centre = map_view.colour_centre("factor_3", "exponential", "higher_is_better", frame["value"])
    stored = lad_scores(t).query("factor == '3' and method == 'exponential'")["score"].dropna()
    assert centre.value == pytest.approx(stored.median()) and centre.value > 50
    assert centre.label == "centre = median of LAs"


def test_context_measures_keep_a_sequential_scale(t, lad_geojson):
    frame = lad_frame(t, "ethnic_minority_share", "2021")
    assert map_view.colour_centre("ethnic_minority_share", "robust_z", "context", frame["value"]) is None
    fig = maps.la_choropleth(frame, lad_geojson, unit="%", polarity="context", source_line="Source: x · Period: 2021 · Licence: OGL v3.0", centre=None)
    trace = fig.data[0]
    assert trace.zmid is None and trace.zmin is None and "centre" not in trace.colorbar.title.text
    assert [colour for _, colour in trace.colorscale] == [colour for _, colour in plotly_colors.get_colorscale("Viridis")]  # sequential, uncropped


def test_a_far_outlier_takes_the_end_colour_and_the_caption_says_so(t):
    frame = lad_frame(t, "recorded_crime_rate", measure_labels.catalogue_row(t["indicators"], "recorded_crime_rate")["latest_period"])
    centre = map_view.colour_centre("recorded_crime_rate", "robust_z", "lower_is_better", frame["value"])
    city = frame.set_index("area_code").at["E09000001", "value"]
    assert centre.value == pytest.approx(frame["value"].median()) and centre.zmax < city  # the City of London does not stretch the scale
    assert centre.zmax == pytest.approx(centre.value + centre.half) and centre.half < (city - centre.value) / 2
    assert centre.beyond >= 1 and "drawn in the colour scale's end colour" in map_view.beyond_note(centre)
    assert map_view.beyond_note(map_view.colour_centre("imd_average_score", "robust_z", "lower_is_better", lad_frame(t, "imd_average_score", "2025")["value"])) == ""


# ---------------------------------------------------------------- hover: names and values

def test_la_hover_names_welsh_authorities_in_both_languages_and_formats_by_unit(t, lad_geojson):
    frame = lad_frame(t, "gdhi_per_head", "2019")
    fig = maps.la_choropleth(frame, lad_geojson, unit="£ per head", polarity="higher_is_better", source_line="Source: x · Period: 2019 · Licence: OGL v3.0")
    trace = fig.data[0]
    i = list(trace.locations).index(CARDIFF)
    stored = t["indicator_values"].query("indicator_id == 'gdhi_per_head' and level == 'lad' and period == '2019' and area_code == @CARDIFF")["value"].iloc[0]
    assert trace.customdata[i][0] == "Cardiff / Caerdydd"
    assert trace.customdata[i][1] == measure_labels.fmt_value(stored, "£ per head") and trace.customdata[i][1].startswith("£")
    assert "%{customdata[1]} per head<br>" in trace.hovertemplate and "£ per head" not in trace.hovertemplate  # no '£18,846 £ per head'
    assert "Rank in England and Wales: %{customdata[2]}" in trace.hovertemplate


def test_la_hover_names_the_country_a_score_is_ranked_within(t, lad_geojson):
    frame = lad_frame(t, "factor_3", scope="country")
    fig = maps.la_choropleth(frame, lad_geojson, unit="score", polarity="higher_is_better", source_line="Source: x · Period: latest · Licence: OGL v3.0")
    trace = fig.data[0]
    where = {code: row for code, row in zip(trace.locations, trace.customdata)}
    assert "Rank in %{customdata[" in trace.hovertemplate
    column = int(trace.hovertemplate.split("Rank in %{customdata[")[1].split("]")[0])
    assert where[CARDIFF][column] == "Wales" and where[BIRMINGHAM][column] == "England"
    assert where[CARDIFF][2].endswith(f"of 22 (band {where[CARDIFF][2].split('(band ')[1]}")


# ---------------------------------------------------------------- London

def test_london_view_holds_exactly_the_33_boroughs_and_frames_them(t, lad_geojson, lads, static):
    areas = t["areas"]
    expected = set(areas.loc[(areas["level"] == "lad") & (areas["region_code"] == LONDON), "area_code"])
    boroughs = map_view.london_boroughs(areas)
    assert len(boroughs) == 33 and set(boroughs) == expected and "E09000001" in boroughs  # the City of London with them
    frame = lad_frame(t, "imd_average_score", "2025")
    centre = map_view.colour_centre("imd_average_score", "robust_z", "lower_is_better", frame["value"])
    london = frame[frame["area_code"].isin(set(boroughs))]
    bounds = map_view.union_bounds({c: tuple(g.bounds) for c, g in zip(lads["area_code"], lads.geometry)}, boroughs)
    fig = maps.la_choropleth(
        london, maps.subset(lad_geojson, boroughs), unit="score", polarity="lower_is_better",
        source_line=source_line(t, "imd_average_score", "2025"), bounds=bounds, centre=centre, title="London's 33 boroughs",
    )
    trace = fig.data[0]
    # the figure points at the national LA layer and locates only the boroughs: plotly.js draws only those features
    assert sorted(trace.locations) == boroughs and trace.geojson == lad_geojson and expected <= set(layer_codes(static, lad_geojson))
    assert tuple(lads[lads["area_code"].isin(expected)].total_bounds) == pytest.approx(bounds)
    assert_framed(fig, bounds, "London")
    # coloured on the scale of all LAs, so a colour reads the same as on the national map
    assert (trace.zmid, trace.zmin, trace.zmax) == (centre.value, centre.zmin, centre.zmax) and trace.zmid == pytest.approx(frame["value"].median())
    assert figures.figure_bytes(fig) < 30_000  # values only: the outlines are the static file


def test_a_borough_without_a_value_is_grey_in_the_london_view_not_a_hole(t, lad_geojson, static):
    boroughs = map_view.london_boroughs(t["areas"])
    frame = lad_frame(t, "composite")
    assert "E09000001" not in set(frame["area_code"])  # the City of London: too few of factor 1's indicators for a score
    london = frame[frame["area_code"].isin(set(boroughs))]
    missing = map_view.missing_areas("composite", "robust_z", boroughs, london, lad_scores(t), t["names"])
    fig = maps.la_choropleth(london, maps.subset(lad_geojson, boroughs), unit="score", polarity="higher_is_better", source_line="Source: x · Period: latest · Licence: OGL v3.0", missing=missing)
    grey = [d for d in fig.data if (d.meta or {}).get("layer") == maps.LAYER_NO_VALUE][0]
    assert list(grey.locations) == ["E09000001"] and grey.customdata[0][1] == "no value for this measure: a factor score is missing"
    assert set(fig.data[0].locations) | set(grey.locations) == set(boroughs)
    assert grey.geojson == fig.data[0].geojson == lad_geojson and "E09000001" in layer_codes(static, grey.geojson)  # the same file


# ---------------------------------------------------------------- the pages, as a shared link opens them

def test_map_page_centres_its_diverging_scale(t):
    from test_pages_apptest import open_page

    at = open_page("map", indicator="imd_average_score", period="2025")
    trace = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    values = t["indicator_values"].query("indicator_id == 'imd_average_score' and level == 'lad' and period == '2025'")["value"]
    assert trace["zmid"] == pytest.approx(values.median()) and trace["zmin"] < values.median() < trace["zmax"]
    middle = plotly_colors.sample_colorscale(trace["colorscale"], [(values.median() - trace["zmin"]) / (trace["zmax"] - trace["zmin"])])[0]
    assert plotly_colors.unlabel_rgb(middle) == pytest.approx(NEUTRAL, abs=3)  # the median LA is drawn neutral
    assert "centre = median of LAs" in trace["colorbar"]["title"]["text"].replace("<br>", " ")


def test_the_london_view_opens_from_the_link_and_keeps_the_national_scale(t):
    from test_pages_apptest import open_page, plotly_array

    at = open_page("map", indicator="composite", view="london")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = spec["data"][0]
    areas = t["areas"]
    drawn = {c for d in spec["data"] if (d.get("meta") or {}).get("layer") in (maps.LAYER_VALUES, maps.LAYER_NO_VALUE) for c in d["locations"]}
    assert drawn == set(areas.loc[(areas["level"] == "lad") & (areas["region_code"] == LONDON), "area_code"])
    assert at.query_params["view"] == "london"  # the link keeps the view
    assert trace["zmid"] == 0
    table = [d.value for d in at.dataframe if "Rank (1 = best)" in d.value.columns][0]
    assert len(table) == 32 and set(table["Ranked in"]) == {"England and Wales"}  # the City of London has no composite
    assert np.isfinite(plotly_array(trace["z"])).all()
    bad = open_page("map", view="paris")
    assert any("view" in w.value for w in bad.warning) and bad.query_params["view"] == "ew"
