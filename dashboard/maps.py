"""Map figures: LA and ward choropleths (values, no-value, single-indicator and low-reliability layers), no tiles, each with its source line."""
from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.colors as plotly_colors
import plotly.graph_objects as go

from dashboard.figures import add_source, colour_scale, legend_title, source_height, wrap_line
from dashboard.frame_memo import per_frames
from outputs.geojson import WARD_LAYER, feature_collection

if TYPE_CHECKING:
    from dashboard.map_view import ColourCentre

MAP_STYLE = "white-bg"  # no tiles: draws with no internet and no tile server
STATIC_PREFIX = "app/static/"  # relative to the page: static/ served by enableStaticServing
STATIC_WARD_URL = f"{STATIC_PREFIX}{WARD_LAYER}"
EW_BOUNDS = (-6.42, 49.86, 1.77, 55.82)
MAP_HEIGHT = 520
# The chart's width in the main column of a 1366 px screen with the sidebar open: 906 px in headless chromium, less a
# classic 15 px scrollbar. A wider screen only adds room around the framed area.
MAP_FIGURE_WIDTH = 890
# The right margin kept for the colour bar. Fixed (margin autoexpand off) so that the map's own width is known here:
# left to plotly, the bar's labels took 90-120 px from the map, and a wide LA framed for the full width was clipped.
COLOUR_BAR_RESERVE = 130
FRAME_MARGIN = 24  # pixels kept clear on every side of the framed area, so no edge ward touches the frame
MAX_ZOOM = 14
WORLD_PIXELS = 512  # MapLibre's world is 512 px wide at zoom 0
LOW_RELIABILITY_LEGEND = "Black outline: value rests on one LSOA or on a poor best fit"
NO_VALUE_LEGEND = "Grey: no value for this measure"
NO_VALUE_FILL = "#d4d4d4"
SINGLE_LEGEND = "Taupe: single indicator, not a score (value in the hover)"
# Grey taupe: apart from every colour of both scales and from the no-value grey under each colour-vision deficiency
# (tests/test_colour_scales.py); a sand once met the scales' pale yellows under tritanopia.
SINGLE_FILL = "#c3b4a5"
FLAG_LINE_COLOUR = "#000000"
FLAG_LINE_WIDTH = 3.5  # pixels, on one LA's wards
FLAG_CASING_WIDTH = 1.0  # the white line inside it
FLAG_LINE_WIDTH_NATIONAL = 1.0  # on the national map a ward is a few pixels wide: a thicker line would hide its colour
LEGEND_ROW = 26  # pixels between the map and the source line when the one-row legend sits there


# Each map trace names its layer in trace.meta, so tests and pages find a layer without relying on trace order.
LAYER_VALUES, LAYER_NO_VALUE, LAYER_SINGLE = "values", "no_value", "single_indicator"
LAYER_LOW_RELIABILITY, LAYER_LOW_RELIABILITY_CASING = "low_reliability", "low_reliability_casing"


def layer_url(path: str) -> str:
    """The URL of a published layer file (outputs.geojson.MapLayers' paths, relative to static/)."""
    return f"{STATIC_PREFIX}{path}"


def collections_by_parent(boundaries: pd.DataFrame) -> dict[str, dict]:
    """Ward GeoJSON per LAD code (wards carry parent_code), for a map that embeds its outlines."""
    return {
        parent: feature_collection(block["area_code"], block.geometry)
        for parent, block in boundaries.groupby("parent_code", sort=True)
    }


def bounds_by_parent(boundaries: pd.DataFrame) -> dict[str, tuple[float, float, float, float]]:
    return {parent: tuple(float(x) for x in block.total_bounds) for parent, block in boundaries.groupby("parent_code", sort=True)}


def mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view_for_bounds(bounds, width: int = MAP_FIGURE_WIDTH - COLOUR_BAR_RESERVE, height: int = MAP_HEIGHT, margin: int = FRAME_MARGIN) -> tuple[dict, float]:
    """Centre and zoom that fit a lon/lat box into a width x height map (its pixels, colour bar excluded), with
    `margin` pixels clear on every side (Web Mercator, 512 px world at zoom 0). The zoom is rounded down, never up,
    so rounding cannot push an edge out of the frame."""
    minx, miny, maxx, maxy = bounds
    span_x = max(maxx - minx, 1e-6) / 360
    span_y = max(mercator_y(maxy) - mercator_y(miny), 1e-6) / (2 * math.pi)
    room_x, room_y = max(width - 2 * margin, 1), max(height - 2 * margin, 1)
    zoom = min(math.log2(room_x / (WORLD_PIXELS * span_x)), math.log2(room_y / (WORLD_PIXELS * span_y)), MAX_ZOOM)
    mid_y = (mercator_y(maxy) + mercator_y(miny)) / 2
    centre = {"lon": (minx + maxx) / 2, "lat": math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)}
    return centre, math.floor(zoom * 100) / 100


def hover_unit(unit: str) -> str:
    """The unit after a hover value: fmt_value already writes the pound sign, so '£ per week' adds ' per week'."""
    unit = (unit or "").strip()
    rest = unit[1:].strip() if unit.startswith("£") else unit
    return f" {rest}" if rest else ""


def _choropleth(
    frame: pd.DataFrame,
    geojson: str | dict,
    *,
    unit: str,
    polarity: str,
    source_line: str,
    source_short: str,
    bounds: tuple[float, float, float, float],
    width: int,
    height: int,
    title: str | None,
    area_word: str,
    missing: pd.DataFrame | None = None,
    lone: pd.DataFrame | None = None,
    flag_width: float = FLAG_LINE_WIDTH,
    subtitle: str = "",
    centre: ColourCentre | None = None,
) -> go.Figure:
    """frame: area_code, area_name, value, value_text, rank_text (one row per area with a value); optionally
    rank_where, the set the rank is within ('Wales', an LA's name), and national_rank with national_where, a second
    rank line (a ward's rank in its country under its rank in the LA); detail, one more hover line (evidence strength,
    the small-population note, the reliability note); link, the area's profile URL, carried last in customdata so a
    click payload names where it leads; low_reliability, which adds the outline layer. missing: area_code, area_name,
    reason for the areas drawn grey for want of a value. lone: area_code, area_name, text, detail, low_reliability,
    link for wards whose factor rests on a single indicator, drawn in taupe with their own hover (an indicator's value
    never goes on a score's colour scale). centre: where a diverging scale is centred, its symmetric half-range and the
    range drawn (None: the scale runs from the lowest value to the highest, as a sequential context scale should).
    geojson: the layer's URL, given to every trace (plotly.js fetches it once, caches it, and draws only the features
    a trace locates), or a GeoJSON dict embedded in the figure (each layer then holds only its own outlines).

    data[0] is always the coloured trace (one location per area with a value); the grey and outline layers follow it.
    """
    customdata, hover_lines = _customdata(frame, area_word)
    hover = f"<b>%{{customdata[0]}}</b><br>%{{customdata[1]}}{hover_unit(unit)}<br>" + "".join(hover_lines) + f"<i>{source_short}</i><extra></extra>"
    bar_title = legend_title(unit, polarity) + (f"<br>{'<br>'.join(_wrap(centre.label, 18))}" if centre is not None else "")
    scale = colour_scale(polarity) if centre is None else centred_scale(polarity, centre)
    trace = go.Choroplethmap(
        geojson=geojson,
        featureidkey="properties.area_code",
        locations=frame["area_code"].to_numpy(),
        # Single precision: the colours cannot tell the difference, and the figure sends half the bytes per area.
        z=frame["value"].to_numpy(dtype=np.float32),
        customdata=customdata,
        hovertemplate=hover,
        marker={"line": {"width": 0.4, "color": "#ffffff"}, "opacity": 0.9},
        # In the right margin kept for it (x = 1 is the map's right edge), so it never narrows the map.
        colorbar={"title": {"text": bar_title, "font": {"size": 11}}, "thickness": 14, "len": 0.75, "x": 1.0, "xanchor": "left", "xpad": 10},
        name=unit,
        meta={"layer": LAYER_VALUES},
        **scale,
    )
    flagged = frame["low_reliability"].astype(bool).to_numpy() if "low_reliability" in frame else np.zeros(len(frame), dtype=bool)
    with_missing = missing is not None and len(missing) > 0
    with_lone = lone is not None and len(lone) > 0
    flagged_codes = list(frame.loc[flagged, "area_code"]) + (list(lone.loc[lone["low_reliability"].astype(bool), "area_code"]) if with_lone else [])
    legend = with_missing or with_lone or bool(flagged_codes)
    subtitle = wrap_line(subtitle, 140) if subtitle else ""
    top = (30 + 16 * (subtitle.count("<br>") + 1) if subtitle else 30) if title else 4
    below = LEGEND_ROW if legend else 6
    # Fit the bounds into the map itself: the figure less the colour bar's margin, the title above and the legend and
    # source line below.
    centre_lonlat, zoom = view_for_bounds(bounds, width - COLOUR_BAR_RESERVE, height - top - source_height(source_line, below))
    fig = go.Figure(trace)
    if with_lone:
        fig.add_trace(_lone_layer(lone, subset(geojson, lone["area_code"]), source_short))
    if with_missing:
        fig.add_trace(_missing_layer(missing, subset(geojson, missing["area_code"])))
    if flagged_codes:
        outlines = subset(geojson, flagged_codes)
        fig.add_trace(_flag_outline(flagged_codes, outlines, width=flag_width))
        if flag_width >= FLAG_LINE_WIDTH:
            fig.add_trace(_flag_casing(flagged_codes, outlines))
        fig.add_trace(_legend_line(LOW_RELIABILITY_LEGEND, FLAG_LINE_COLOUR, FLAG_LINE_WIDTH, group=LAYER_LOW_RELIABILITY))
    fig.update_layout(
        map={"style": MAP_STYLE, "center": centre_lonlat, "zoom": zoom},
        height=height,
        margin={"l": 0, "r": COLOUR_BAR_RESERVE, "t": top, "b": 0, "autoexpand": False},
        title=_title(title, subtitle),
        clickmode="event+select",
        showlegend=legend,
        # One row just under the map, above the source line: it hides no ward and stays clear of the colour bar.
        legend={"orientation": "h", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top", "font": {"size": 11}, "itemclick": "toggle", "itemdoubleclick": False},
    )
    return add_source(fig, source_line, below=below)


CENTRED_STEPS = 41  # colours sampled along a cropped diverging scale: close enough to the full scale's own stops


def centred_scale(polarity: str, centre: ColourCentre) -> dict:
    """The diverging scale cropped to the drawn range [zmin, zmax] of its symmetric range about the centre: the colours
    are those of the full symmetric scale (the neutral one at the centre), the colour bar shows only values drawn.
    zmid records the centre (plotly uses it only when it picks the bounds itself)."""
    full = colour_scale(polarity)
    stops = plotly_colors.get_colorscale(full["colorscale"])
    if full["reversescale"]:
        stops = [[1 - at, colour] for at, colour in reversed(stops)]
    start, stop = centre.position(centre.zmin), centre.position(centre.zmax)
    colours = plotly_colors.sample_colorscale(stops, list(np.linspace(start, stop, CENTRED_STEPS)))
    steps = np.linspace(0, 1, CENTRED_STEPS)
    return {"colorscale": [[float(at), colour] for at, colour in zip(steps, colours)], "reversescale": False, "zmin": centre.zmin, "zmax": centre.zmax, "zmid": centre.value}


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [text]


def _title(title: str | None, subtitle: str) -> dict | None:
    if not title:
        return None
    out = {"text": title, "font": {"size": 14}, "x": 0.01}
    if subtitle:
        out["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": "#444"}}
    return out


# Plotly's JSON writes every non-ASCII character as a six-byte escape: the hover's separators are sent as ASCII (a
# twentieth of the Map page's websocket bytes); names keep their own letters.
HOVER_ASCII = str.maketrans({"·": "|", "–": "-", "—": "-"})


def _customdata(frame: pd.DataFrame, area_word: str) -> tuple[np.ndarray | None, list[str]]:
    """The hover's per-area columns and its lines after the value. customdata keeps a fixed head: [0] name, [1] value
    text, [2] rank text, [3] detail when any area has one; link, when given, is last. A rank's set ('Wales') rides in
    the template when it is the same for every area, else in a column of its own."""
    if not len(frame):
        return None, [f"{area_word} rank %{{customdata[2]}}<br>"]
    columns = [frame["area_name"].astype(str), frame["value_text"].astype(str), frame["rank_text"].astype(str).str.translate(HOVER_ASCII)]
    with_detail = "detail" in frame and frame["detail"].astype(bool).any()
    # Where every area has a detail, its line break rides once in the template rather than once per area.
    every_detail = with_detail and frame["detail"].fillna("").astype(bool).all()
    if with_detail:
        columns.append(frame["detail"].fillna("").astype(str).str.translate(HOVER_ASCII).map(lambda d: d if every_detail else (f"{d}<br>" if d else "")))

    def rank_line(where_column: str | None, rank_index: int, fallback: str) -> str:
        if where_column is None or where_column not in frame:
            return f"{fallback} %{{customdata[{rank_index}]}}<br>"
        where = frame[where_column].astype(str)
        if where.nunique() == 1:
            return f"Rank in {where.iloc[0]}: %{{customdata[{rank_index}]}}<br>"
        columns.append(where)
        return f"Rank in %{{customdata[{len(columns) - 1}]}}: %{{customdata[{rank_index}]}}<br>"

    lines = [rank_line("rank_where", 2, f"{area_word} rank")]
    if "national_rank" in frame:
        columns.append(frame["national_rank"].astype(str))
        lines.append(rank_line("national_where", len(columns) - 1, "Rank"))
    if with_detail:
        lines.append("%{customdata[3]}<br>" if every_detail else "%{customdata[3]}")
    if "link" in frame:
        columns.append(frame["link"].astype(str))
    return np.column_stack(columns), lines


def subset(geojson, codes) -> dict | str:
    """Only the outlines of `codes` (a layer, the London view) (a URL stays a URL: the browser fetches and caches it once for every layer)."""
    if isinstance(geojson, str):
        return geojson
    keep = set(codes)
    return {"type": "FeatureCollection", "features": [f for f in geojson["features"] if f["properties"]["area_code"] in keep]}


def _flat_layer(codes, geojson, fill: str, *, line_width: float, line_colour: str, opacity: float, **trace) -> go.Choroplethmap:
    """Areas drawn in one flat colour (or none: fill "rgba(0,0,0,0)"), the base of the no-value, single-indicator and
    low-reliability layers; trace adds hover, legend and meta."""
    return go.Choroplethmap(
        geojson=geojson,
        featureidkey="properties.area_code",
        locations=np.asarray(codes, dtype=object),
        z=np.zeros(len(codes)),
        colorscale=[[0, fill], [1, fill]],
        showscale=False,
        marker={"line": {"width": line_width, "color": line_colour}, "opacity": opacity},
        **trace,
    )


def _missing_layer(missing: pd.DataFrame, geojson) -> go.Choroplethmap:
    """Areas without a value, in flat grey (so a blank is never mistaken for the sea or a missing boundary)."""
    return _flat_layer(
        missing["area_code"].to_numpy(), geojson, NO_VALUE_FILL, line_width=0.4, line_colour="#ffffff", opacity=0.9,
        customdata=np.column_stack([missing["area_name"].astype(str), missing["reason"].astype(str)]),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        name=NO_VALUE_LEGEND,
        showlegend=True,
        meta={"layer": LAYER_NO_VALUE},
    )


def _flag_outline(codes, geojson, *, width: float) -> go.Choroplethmap:
    """The low-reliability layer: no fill, a thick black outline. Black against every colour of the scale and against
    the thin white borders of the other wards, so it reads in black and white too. It takes no hover or click: they
    fall to the ward's own layer underneath, whose hover carries the reason."""
    return _flat_layer(
        codes, geojson, "rgba(0,0,0,0)", line_width=width, line_colour=FLAG_LINE_COLOUR, opacity=1,
        hoverinfo="skip",
        name=LOW_RELIABILITY_LEGEND,
        legendgroup=LAYER_LOW_RELIABILITY,
        showlegend=False,  # a choropleth's legend swatch is its fill, here transparent: _legend_line draws the key
        meta={"layer": LAYER_LOW_RELIABILITY},
    )


def _flag_casing(codes, geojson) -> go.Choroplethmap:
    """A thin white line down the middle of the black outline: black-white-black stands out from dark fills as well as
    light ones, and in greyscale print."""
    return _flat_layer(
        codes, geojson, "rgba(0,0,0,0)", line_width=FLAG_CASING_WIDTH, line_colour="#ffffff", opacity=1,
        hoverinfo="skip",
        legendgroup=LAYER_LOW_RELIABILITY,
        showlegend=False,
        meta={"layer": LAYER_LOW_RELIABILITY_CASING},
    )


def _lone_layer(lone: pd.DataFrame, geojson, source_short: str) -> go.Choroplethmap:
    """Wards whose factor rests on one indicator: flat taupe, their indicator's value and rank in the hover."""
    return _flat_layer(
        lone["area_code"].to_numpy(), geojson, SINGLE_FILL, line_width=0.4, line_colour="#ffffff", opacity=0.9,
        customdata=np.column_stack([lone["area_name"].astype(str), lone["text"].astype(str), lone["detail"].fillna("").astype(str).map(lambda d: f"{d}<br>" if d else ""), lone["link"].astype(str)]),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}" + (f"<i>{source_short}</i>" if source_short else "") + "<extra></extra>",
        name=SINGLE_LEGEND,
        showlegend=True,
        meta={"layer": LAYER_SINGLE},
    )


def _legend_line(name: str, colour: str, width: float, *, group: str) -> go.Scattermap:
    """A legend key only (no point on the map): a line in the outline's colour and width, toggling its group."""
    return go.Scattermap(
        lon=[None], lat=[None], mode="lines", line={"color": colour, "width": width}, name=name, legendgroup=group,
        showlegend=True, hoverinfo="skip", meta={"layer": "legend"},
    )


@per_frames
def la_choropleth(frame, layer: str | dict, *, unit, polarity, source_line, source_short="", title=None, bounds=EW_BOUNDS, missing=None, centre=None, height=MAP_HEIGHT, width=MAP_FIGURE_WIDTH) -> go.Figure:
    """LAs, all of England and Wales by default (bounds frames a part, e.g. London, where `missing` draws the LAs
    without a value grey rather than as a hole). layer: the LA layer's URL (layer_url of the published LA layer: the
    figure carries values, never geometry, and the browser fetches the outlines once), or a GeoJSON dict to embed."""
    return _choropleth(
        frame, layer, unit=unit, polarity=polarity, source_line=source_line, source_short=source_short,
        bounds=bounds, width=width, height=height, title=title, area_word="LA", missing=missing, centre=centre,
    )


@per_frames
def ward_choropleth(frame, layer: str | dict, bounds, *, unit, polarity, source_line, source_short="", title=None, subtitle="", missing=None, lone=None, centre=None, height=MAP_HEIGHT, width=MAP_FIGURE_WIDTH) -> go.Figure:
    """The wards of one LA. layer: the URL of that LA's ward layer (layer_url of the published file), or a GeoJSON dict
    to embed; bounds (bounds_by_parent, from the tables, never the layer) frame the map. Wards in `missing` are drawn
    grey, wards in `lone` (a factor resting on a single indicator) taupe; wards with low_reliability get the outline layer."""
    return _choropleth(
        frame, layer, unit=unit, polarity=polarity, source_line=source_line, source_short=source_short,
        bounds=bounds, width=width, height=height, title=title, area_word="ward", missing=missing, lone=lone, flag_width=FLAG_LINE_WIDTH, subtitle=subtitle,
        centre=centre,
    )


@per_frames
def national_ward_choropleth(frame, *, unit, polarity, source_line, source_short="", url: str = STATIC_WARD_URL, title=None, subtitle="", centre=None, height=MAP_HEIGHT, width=MAP_FIGURE_WIDTH) -> go.Figure:
    """All 7,588 wards; the outlines are fetched by the browser from a static URL (cached by it), never embedded."""
    return _choropleth(
        frame, url, unit=unit, polarity=polarity, source_line=source_line, source_short=source_short,
        bounds=EW_BOUNDS, width=width, height=height, title=title, area_word="ward", flag_width=FLAG_LINE_WIDTH_NATIONAL, subtitle=subtitle,
        centre=centre,
    )
