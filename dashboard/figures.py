"""Figure builders: plain data in, plotly figure out (no Streamlit), each with its source, period and licence line."""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

import vocabulary as vocab
from outputs.geojson import WARD_LAYER, feature_collection

# orjson (if ever installed) is slower than json on big nested figures; pin the engine once, here.
pio.json.config.default_engine = "json"

MAP_STYLE = "white-bg"  # no tiles: draws with no internet and no tile server
STATIC_WARD_URL = f"app/static/{WARD_LAYER}"  # relative to the page, served by enableStaticServing
EW_BOUNDS = (-6.42, 49.86, 1.77, 55.82)
MAP_HEIGHT = 520
MAP_WIDTH_GUESS = 900  # main column of a 1366 px screen with the sidebar open
FONT_SMALL = 10
SCALE_BETTER_HIGH = "RdYlBu"  # red = worse, blue = better once reversed for lower-is-better
SCALE_CONTEXT = "Viridis"
LOW_RELIABILITY_LEGEND = "Black outline: value rests on one LSOA or on a poor best fit"
NO_VALUE_LEGEND = "Grey: no value for this measure"
NO_VALUE_FILL = "#d4d4d4"
SINGLE_LEGEND = "Sand: single indicator, not a score (value in the hover)"
SINGLE_FILL = "#e3d3a8"
FLAG_LINE_COLOUR = "#000000"
FLAG_LINE_WIDTH = 3.5  # pixels, on one LA's wards
FLAG_CASING_WIDTH = 1.0  # the white line inside it
FLAG_LINE_WIDTH_NATIONAL = 1.0  # on the national map a ward is a few pixels wide: a thicker line would hide its colour
LEGEND_ROW = 26  # pixels between the map and the source line when the one-row legend sits there
# Each map trace names its layer in trace.meta, so tests and pages find a layer without relying on trace order.
LAYER_VALUES, LAYER_NO_VALUE, LAYER_SINGLE = "values", "no_value", "single_indicator"
LAYER_LOW_RELIABILITY, LAYER_LOW_RELIABILITY_CASING = "low_reliability", "low_reliability_casing"


# ---------------------------------------------------------------- geometry

def collections_by_parent(boundaries: pd.DataFrame) -> dict[str, dict]:
    """Ward GeoJSON per LAD code (wards carry parent_code)."""
    return {
        parent: feature_collection(block["area_code"], block.geometry)
        for parent, block in boundaries.groupby("parent_code", sort=True)
    }


def bounds_by_parent(boundaries: pd.DataFrame) -> dict[str, tuple[float, float, float, float]]:
    return {parent: tuple(float(x) for x in block.total_bounds) for parent, block in boundaries.groupby("parent_code", sort=True)}


def view_for_bounds(bounds, width: int = MAP_WIDTH_GUESS, height: int = MAP_HEIGHT, padding: float = 0.92) -> tuple[dict, float]:
    """Centre and zoom that fit a lon/lat box into a width x height map (512 px world at zoom 0, Web Mercator)."""
    minx, miny, maxx, maxy = bounds

    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(maxx - minx, 1e-6) / 360
    span_y = max(merc(maxy) - merc(miny), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width * padding / (512 * span_x)), math.log2(height * padding / (512 * span_y)))
    mid_y = (merc(maxy) + merc(miny)) / 2
    centre = {"lon": (minx + maxx) / 2, "lat": math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)}
    return centre, round(min(zoom, 14), 2)


# ---------------------------------------------------------------- shared decoration

def _wrap(text: str, width: int = 150) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def add_source(fig: go.Figure, line: str, *, width: int = 150, below: int = 6, left: int = 0) -> go.Figure:
    """The source / period / licence line, inside the figure so it travels with any saved image.

    below: pixels between the plot area and the line (room for tick labels and an axis title on charts);
    left: pixels to shift the line left of the plot area (into a fixed left margin), so narrow charts can use the full width.
    """
    wrapped = _wrap(line, width)
    fig.add_annotation(
        text=wrapped, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-below, xshift=-left,
        showarrow=False, align="left", font={"size": FONT_SMALL, "color": "#444"},
    )
    bottom = max(fig.layout.margin.b or 0, _source_height(line, below, width))
    fig.update_layout(margin={"b": bottom}, meta={"source_line": line})
    return fig


def _source_height(line: str, below: int, width: int = 150) -> int:
    """The bottom margin add_source reserves: the gap, 13 px per wrapped line of the source, and 10 px to spare."""
    return below + 13 * (_wrap(line, width).count("<br>") + 1) + 10


def _colour(polarity: str) -> dict:
    if polarity == "context":
        return {"colorscale": SCALE_CONTEXT, "reversescale": False}
    return {"colorscale": SCALE_BETTER_HIGH, "reversescale": polarity == "lower_is_better"}


def _legend_title(unit: str, polarity: str) -> str:
    direction = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}.get(polarity, "context, not scored")
    return "<br>".join(textwrap.wrap(unit, 18)) + f"<br><i>{direction}</i>"


# ---------------------------------------------------------------- maps

def _choropleth(
    frame: pd.DataFrame,
    geojson,
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
) -> go.Figure:
    """frame: area_code, area_name, value, value_text, rank_text (one row per area with a value); optionally detail,
    one more hover line (evidence strength, the small-population note, the reliability note); link, the area's profile
    URL, carried last in customdata so a click payload names where it leads; low_reliability, which adds the outline
    layer. missing: area_code, area_name, reason for the areas drawn grey for want of a value. lone: area_code,
    area_name, text, detail, low_reliability, link for wards whose factor rests on a single indicator, drawn in sand
    with their own hover (an indicator's value never goes on a score's colour scale).

    data[0] is always the coloured trace (one location per area with a value); the grey and outline layers follow it.
    """
    with_detail = "detail" in frame and len(frame) and frame["detail"].astype(bool).any()
    customdata = _customdata(frame, with_detail)
    hover = (
        "<b>%{customdata[0]}</b><br>"
        + f"%{{customdata[1]}} {unit}<br>"
        + f"{area_word} rank %{{customdata[2]}}<br>"
        + ("%{customdata[3]}" if with_detail else "")
        + f"<i>{source_short}</i><extra></extra>"
    )
    trace = go.Choroplethmap(
        geojson=geojson,
        featureidkey="properties.area_code",
        locations=frame["area_code"].to_numpy(),
        z=frame["value"].to_numpy(dtype=float),
        customdata=customdata,
        hovertemplate=hover,
        marker={"line": {"width": 0.4, "color": "#ffffff"}, "opacity": 0.9},
        colorbar={"title": {"text": _legend_title(unit, polarity), "font": {"size": 11}}, "thickness": 14, "len": 0.75},
        name=unit,
        meta={"layer": LAYER_VALUES},
        **_colour(polarity),
    )
    flagged = frame["low_reliability"].astype(bool).to_numpy() if "low_reliability" in frame else np.zeros(len(frame), dtype=bool)
    with_missing = missing is not None and len(missing) > 0
    with_lone = lone is not None and len(lone) > 0
    flagged_codes = list(frame.loc[flagged, "area_code"]) + (list(lone.loc[lone["low_reliability"].astype(bool), "area_code"]) if with_lone else [])
    legend = with_missing or with_lone or bool(flagged_codes)
    subtitle = _wrap(subtitle, 140) if subtitle else ""
    top = (30 + 16 * (subtitle.count("<br>") + 1) if subtitle else 30) if title else 4
    below = LEGEND_ROW if legend else 6
    # Fit the bounds into the map itself: the plot's height less the title above and the legend and source line below.
    centre, zoom = view_for_bounds(bounds, width, height - top - _source_height(source_line, below))
    fig = go.Figure(trace)
    if with_lone:
        fig.add_trace(_lone_layer(lone, _subset(geojson, lone["area_code"]), source_short))
    if with_missing:
        fig.add_trace(_missing_layer(missing, _subset(geojson, missing["area_code"])))
    if flagged_codes:
        outlines = _subset(geojson, flagged_codes)
        fig.add_trace(_flag_outline(flagged_codes, outlines, width=flag_width))
        if flag_width >= FLAG_LINE_WIDTH:
            fig.add_trace(_flag_casing(flagged_codes, outlines))
        fig.add_trace(_legend_line(LOW_RELIABILITY_LEGEND, FLAG_LINE_COLOUR, FLAG_LINE_WIDTH, group=LAYER_LOW_RELIABILITY))
    fig.update_layout(
        map={"style": MAP_STYLE, "center": centre, "zoom": zoom},
        height=height,
        margin={"l": 0, "r": 0, "t": top, "b": 0},
        title=_title(title, subtitle),
        clickmode="event+select",
        showlegend=legend,
        # One row just under the map, above the source line: it hides no ward and stays clear of the colour bar.
        legend={"orientation": "h", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top", "font": {"size": 11}, "itemclick": "toggle", "itemdoubleclick": False},
    )
    return add_source(fig, source_line, below=below)


def _title(title: str | None, subtitle: str) -> dict | None:
    if not title:
        return None
    out = {"text": title, "font": {"size": 14}, "x": 0.01}
    if subtitle:
        out["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": "#444"}}
    return out


def _customdata(frame: pd.DataFrame, with_detail: bool):
    if not len(frame):
        return None
    columns = [frame["area_name"].astype(str), frame["value_text"].astype(str), frame["rank_text"].astype(str)]
    if with_detail:
        columns.append(frame["detail"].fillna("").astype(str).map(lambda d: f"{d}<br>" if d else ""))
    if "link" in frame:
        columns.append(frame["link"].astype(str))
    return np.column_stack(columns)


def _subset(geojson, codes) -> dict | str:
    """Only the outlines a layer draws (a URL stays a URL: the browser fetches and caches it once for every layer)."""
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
    """Wards whose factor rests on one indicator: flat sand, their indicator's value and rank in the hover."""
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


def la_choropleth(frame, geojson, *, unit, polarity, source_line, source_short="", title=None, height=MAP_HEIGHT, width=MAP_WIDTH_GUESS) -> go.Figure:
    """All England and Wales LAs; geometry embedded (318 simplified outlines, well under 0.6 MB)."""
    return _choropleth(
        frame, geojson, unit=unit, polarity=polarity, source_line=source_line, source_short=source_short,
        bounds=EW_BOUNDS, width=width, height=height, title=title, area_word="LA",
    )


def ward_choropleth(frame, geojson, bounds, *, unit, polarity, source_line, source_short="", title=None, subtitle="", missing=None, lone=None, height=MAP_HEIGHT, width=MAP_WIDTH_GUESS) -> go.Figure:
    """The wards of one LA; only that LA's outlines are embedded. Wards in `missing` are drawn grey, wards in `lone`
    (a factor resting on a single indicator) sand; wards with low_reliability get the outline layer."""
    return _choropleth(
        frame, geojson, unit=unit, polarity=polarity, source_line=source_line, source_short=source_short,
        bounds=bounds, width=width, height=height, title=title, area_word="ward", missing=missing, lone=lone, flag_width=FLAG_LINE_WIDTH, subtitle=subtitle,
    )


def national_ward_choropleth(frame, *, unit, polarity, source_line, source_short="", url: str = STATIC_WARD_URL, title=None, subtitle="", height=MAP_HEIGHT, width=MAP_WIDTH_GUESS) -> go.Figure:
    """All 7,588 wards; the outlines are fetched by the browser from a static URL (cached by it), never embedded."""
    return _choropleth(
        frame, url, unit=unit, polarity=polarity, source_line=source_line, source_short=source_short,
        bounds=EW_BOUNDS, width=width, height=height, title=title, area_word="ward", flag_width=FLAG_LINE_WIDTH_NATIONAL, subtitle=subtitle,
    )


# ---------------------------------------------------------------- charts

def trend_chart(series: pd.DataFrame, periods: list[str], breaks: list[tuple[str, str]], *, unit: str, source_line: str, title: str | None = None, highlight: str | None = None, y_title: str | None = None, reverse_y: bool = False, height: int = 420) -> go.Figure:
    """series: period, series, value. Lines are cut at each break, and each break is a dashed line with its reason."""
    order = {p: i for i, p in enumerate(periods)}
    cut_at = {order[p] for p, _ in breaks if p in order}
    fig = go.Figure()
    palette = ["#1f4e9a", "#d95f02", "#7570b3", "#1b9e77", "#666666", "#e7298a"]
    for i, (name, block) in enumerate(series.groupby("series", sort=False)):
        block = block.assign(pos=block["period"].map(order)).dropna(subset=["pos"]).sort_values("pos")
        segment_id = np.searchsorted(sorted(cut_at), block["pos"].to_numpy(), side="right")
        colour = palette[i % len(palette)]
        width = 3.2 if name == highlight else 1.8
        for j, (_, segment) in enumerate(block.groupby(segment_id)):
            fig.add_trace(
                go.Scatter(
                    x=segment["period"], y=segment["value"], name=name, legendgroup=name, showlegend=j == 0,
                    mode="lines+markers", line={"color": colour, "width": width}, marker={"size": 7 if name == highlight else 5},
                    hovertemplate=f"{name}<br>%{{x}}: %{{y:,.3~f}} {unit}<extra></extra>",
                )
            )
    for period, why in breaks:
        if period in order:
            fig.add_vline(x=order[period] - 0.5, line={"dash": "dash", "color": "#999", "width": 1})
            fig.add_annotation(x=order[period] - 0.5, y=1, yref="paper", text="break " + why.split(":")[0], showarrow=False, xanchor="left", yanchor="top", font={"size": 9, "color": "#666"}, hovertext=why)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
        title={"text": title, "font": {"size": 14}, "y": 0.98, "yanchor": "top"} if title else None,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": periods, "title": None},
        yaxis={"title": y_title or unit, "autorange": "reversed" if reverse_y else True},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        hovermode="x unified",
    )
    return add_source(fig, source_line, width=120, below=34)


def factor_profile_chart(summary: pd.DataFrame, *, source_line: str, height: int = 300) -> go.Figure:
    """National rank of each factor (1 = best, shown on the right) with its 5th-95th percentile rank band."""
    rows = summary[summary["factor"] != "composite"].iloc[::-1]
    n = int(summary["n_areas"].max()) if len(summary) else 318  # the axis; each point's hover says its own universe size
    rank = rows["rank"].to_numpy(dtype=float)
    fig = go.Figure(
        go.Scatter(
            x=rank,
            y=[vocab.FACTOR_SHORT.get(f, f) for f in rows["factor"]],
            mode="markers",
            marker={"size": 12, "color": "#1f4e9a"},
            error_x={
                "type": "data", "symmetric": False,
                "array": np.nan_to_num(rows["rank_high"].to_numpy(dtype=float) - rank),
                "arrayminus": np.nan_to_num(rank - rows["rank_low"].to_numpy(dtype=float)),
                "thickness": 6, "width": 0, "color": "rgba(31,78,154,0.35)",
            },
            customdata=np.column_stack([
                rows["rank_low"].to_numpy(dtype=float), rows["rank_high"].to_numpy(dtype=float), rows["score"].to_numpy(dtype=float),
                rows["n_areas"].to_numpy(dtype=float),
            ]),
            text=[f"{name}<br>{evidence}" if evidence else name for name, evidence in zip(rows["name"], rows.get("evidence", pd.Series("", index=rows.index)))],
            hovertemplate="%{text}<br>rank %{x:.0f} of %{customdata[3]:.0f} (band %{customdata[0]:.0f}–%{customdata[1]:.0f})<br>score %{customdata[2]:.3f}<extra></extra>",
        )
    )
    fig.add_vrect(x0=n * 0.5, x1=n + 1, fillcolor="#f2f2f2", line_width=0, layer="below")
    fig.update_layout(
        height=height,
        margin={"l": 130, "r": 10, "t": 10, "b": 10},
        xaxis={"title": f"rank among {n} LAs (1 = best)", "range": [n + 5, -4]},
        yaxis={"title": None, "automargin": False},
        showlegend=False,
    )
    return add_source(fig, source_line, width=80, below=44, left=126)


def compare_chart(long: pd.DataFrame, *, source_line: str, height: int = 340) -> go.Figure:
    """long: area, factor_name, score, rank_text, optionally evidence. One marker per area per factor (higher score = better)."""
    fig = go.Figure()
    symbols = ["circle", "diamond", "square", "triangle-up", "x", "star"]
    for i, (area, block) in enumerate(long.groupby("area", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=block["score"], y=block["factor_name"], name=area, mode="markers",
                marker={"size": 12, "symbol": symbols[i % len(symbols)]},
                customdata=block[["rank_text", "evidence"] if "evidence" in block else ["rank_text"]].to_numpy(),
                hovertemplate=f"{area}<br>%{{y}}<br>score %{{x:.3f}}<br>rank %{{customdata[0]}}"
                + ("<br>%{customdata[1]}" if "evidence" in block else "") + "<extra></extra>",
            )
        )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "factor score (higher = better)", "zeroline": True},
        yaxis={"title": None, "autorange": "reversed"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return add_source(fig, source_line, width=120, below=44)


def rank_shift_chart(table: pd.DataFrame, *, source_line: str, highlight: str | None = None, height: int = 460) -> go.Figure:
    """table: area_code, area_name, equal_rank, rank, rank_low, rank_high. Above the diagonal = moved up under your weights."""
    data = table.dropna(subset=["rank", "equal_rank"])
    n = int(max(data["rank"].max(), data["equal_rank"].max())) if len(data) else 318
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[1, n], y=[1, n], mode="lines", line={"color": "#bbb", "dash": "dot"}, hoverinfo="skip", showlegend=False))
    fig.add_trace(
        go.Scatter(
            x=data["equal_rank"], y=data["rank"], mode="markers", name="local authorities",
            marker={"size": 6, "color": data["change"], "colorscale": "RdBu", "cmin": -max(5.0, float(data["change"].abs().max() or 0)), "cmax": max(5.0, float(data["change"].abs().max() or 0)), "colorbar": {"title": {"text": "places<br>moved up"}, "thickness": 12}},
            error_y={"type": "data", "symmetric": False, "array": (data["rank_high"] - data["rank"]).fillna(0), "arrayminus": (data["rank"] - data["rank_low"]).fillna(0), "thickness": 1, "width": 0, "color": "rgba(0,0,0,0.15)"},
            customdata=np.column_stack([data["area_name"], data["rank_low"].fillna(-1), data["rank_high"].fillna(-1)]),
            hovertemplate="<b>%{customdata[0]}</b><br>equal weights: %{x:.0f}<br>your weights: %{y:.0f} (band %{customdata[1]:.0f}–%{customdata[2]:.0f})<extra></extra>",
            showlegend=False,
        )
    )
    if highlight is not None and highlight in set(data["area_code"]):
        me = data[data["area_code"] == highlight]
        fig.add_trace(go.Scatter(x=me["equal_rank"], y=me["rank"], mode="markers+text", text=me["area_name"], textposition="top center", marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "#000"}}, hoverinfo="skip", showlegend=False))
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": "composite rank at equal weights (1 = best)", "range": [n + 5, -4]},
        yaxis={"title": "composite rank at your weights", "range": [n + 5, -4]},
    )
    return add_source(fig, source_line, width=110, below=44)


def figure_bytes(fig: go.Figure) -> int:
    """Size of the figure as sent to the browser."""
    return len(pio.to_json(fig, validate=False))
