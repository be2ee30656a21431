"""Chart builders and the decoration every figure shares: plain data in, plotly figure out (no Streamlit), each with its source, period and licence line."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

import vocabulary as vocab
from dashboard.frame_memo import per_frames

# orjson (if ever installed) is slower than json on big nested figures; pin the engine once, here.
pio.json.config.default_engine = "json"


FONT_SMALL = 10
SCALE_BETTER_HIGH = "RdYlBu"  # red = worse, blue = better once reversed for lower-is-better
SCALE_CONTEXT = "Viridis"


def wrap_line(text: str, width: int = 150) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def add_source(fig: go.Figure, line: str, *, width: int = 150, below: int = 6, left: int = 0) -> go.Figure:
    """The source / period / licence line, inside the figure so it travels with any saved image.

    below: pixels between the plot area and the line (room for tick labels and an axis title on charts);
    left: pixels to shift the line left of the plot area (into a fixed left margin), so narrow charts can use the full width.
    """
    wrapped = wrap_line(line, width)
    fig.add_annotation(
        text=wrapped, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-below, xshift=-left,
        showarrow=False, align="left", font={"size": FONT_SMALL, "color": "#444"},
    )
    bottom = max(fig.layout.margin.b or 0, source_height(line, below, width))
    fig.update_layout(margin={"b": bottom}, meta={"source_line": line})
    return fig


def source_height(line: str, below: int, width: int = 150) -> int:
    """The bottom margin add_source reserves: the gap, 13 px per wrapped line of the source, and 10 px to spare."""
    return below + 13 * (wrap_line(line, width).count("<br>") + 1) + 10


def colour_scale(polarity: str) -> dict:
    if polarity == "context":
        return {"colorscale": SCALE_CONTEXT, "reversescale": False}
    return {"colorscale": SCALE_BETTER_HIGH, "reversescale": polarity == "lower_is_better"}


def legend_title(unit: str, polarity: str) -> str:
    direction = {"higher_is_better": "higher is better", "lower_is_better": "lower is better"}.get(polarity, "context, not scored")
    return "<br>".join(textwrap.wrap(unit, 18)) + f"<br><i>{direction}</i>"


@per_frames
def trend_chart(series: pd.DataFrame, periods: list[str], breaks: list[tuple[str, str]], *, unit: str, source_line: str, title: str | None = None, highlight: str | None = None, y_title: str | None = None, reverse_y: bool = False, height: int = 420) -> go.Figure:
    """series: period, series, value. Lines are cut at each break, and each break is a dashed line with its reason."""
    order = {p: i for i, p in enumerate(periods)}
    cut_at = {order[p] for p, _ in breaks if p in order}
    fig = go.Figure()
    # Six lines stay apart under deuteranopia, protanopia and tritanopia (tests/test_colour_scales.py)
    palette = ["#1f4e9a", "#d95f02", "#7570b3", "#1b9e77", "#666666", "#b2182b"]
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


@per_frames
def factor_profile_chart(summary: pd.DataFrame, *, source_line: str, height: int = 300) -> go.Figure:
    """National rank of each factor (1 = best, shown on the right) with its 5th-95th percentile rank band."""
    rows = summary[summary["factor"] != "composite"].iloc[::-1]
    sizes = sorted({int(n) for n in rows["n_areas"]}) if len(rows) else [318]
    n = sizes[-1]  # the axis reaches the largest universe; a factor ranked among fewer says so beside its name
    labels = [vocab.FACTOR_SHORT.get(f, f) + (f" (of {int(k)})" if len(sizes) > 1 else "") for f, k in zip(rows["factor"], rows["n_areas"])]
    rank = rows["rank"].to_numpy(dtype=float)
    fig = go.Figure(
        go.Scatter(
            x=rank,
            y=labels,
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
    # The lower half of the ranks is shaded, and says so: a shade without a label reads as a mistake.
    fig.add_vrect(x0=n * 0.5, x1=n + 1, fillcolor="#f2f2f2", line_width=0, layer="below")
    fig.add_annotation(x=n * 0.75, y=1, yref="paper", yanchor="bottom", text="lower half of ranks", showarrow=False, font={"size": FONT_SMALL, "color": "#555"})
    axis_title = f"rank among {n} LAs (1 = best)" if len(sizes) == 1 else f"rank among {sizes[0]}–{n} LAs (1 = best)"
    left = 160 if len(sizes) > 1 else 130  # room for "(of 308)" after a factor's name
    fig.update_layout(
        height=height,
        margin={"l": left, "r": 10, "t": 22, "b": 10},
        xaxis={"title": axis_title, "range": [n + 5, -4]},
        yaxis={"title": None, "automargin": False},
        showlegend=False,
    )
    return add_source(fig, source_line, width=80, below=44, left=left - 4)


@per_frames
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


@per_frames
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
