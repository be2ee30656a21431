"""The relationship explorer's view: two indicators across LAs (or the wards of one LA) on one common footing, their
Spearman and Pearson correlations with n, the chosen area and its similar areas marked, and the scatter itself."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import figures
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import area_label, catalogue_row, fmt_value, measure_label, unit_suffix
from dashboard.profile_view import NEIGHBOUR_KINDS
from dashboard.source_lines import SourceLine, source_line
from dashboard.ward_profile_view import similar_ward_rows, wards_of
from vocabulary import COUNTRY_NAMES, LEVELS

# Both published for England and Wales, at LA and ward level, and both a matter of the five factors (deprivation, factor 3;
# turnout, factor 4): the default pair shows the page working at either level without a country restriction.
DEFAULT_X = "household_deprivation_any"
DEFAULT_Y = "general_election_turnout_2024"
LEVEL_LABELS = {"lad": "LAs", "ward": "Wards"}  # short: the control sits in a narrow column; its help says the rest
LEVEL_HELP = "LAs: every local authority of the countries publishing both indicators. Wards: the wards of one LA."
# The LA similar areas the profile's "ONS similar areas" comparator uses; wards use the atlas's ward neighbours.
LA_SIMILAR_KIND = NEIGHBOUR_KINDS["ons_neighbours"]
# Below this many areas a correlation is not reported: with two points any line fits.
MIN_AREAS = 3

ROLE_CHOSEN, ROLE_SIMILAR, ROLE_OTHER, ROLE_ELSEWHERE = "chosen", "similar", "other", "similar_elsewhere"
COUNTRY_ONLY = {"E": "England only", "W": "Wales only"}

NOT_CAUSE_SHORT = "correlation is not cause (see the note under the chart)"
NOT_CAUSE_NOTE = (
    "Correlation is not cause: areas that differ on one measure differ on many others (age, income, how urban they are), "
    "so two measures can move together because both follow a third; and a pattern across areas need not hold for the "
    "people living in them."
)


@dataclass(frozen=True)
class Axis:
    """One indicator as an axis: what it is, its unit and period, which countries publish it, and its source line."""

    indicator_id: str
    label: str  # "F3 · title" or "Context · title", as every menu names it
    title: str
    unit: str
    period: str
    countries: str  # "E", "W" or "E+W"
    context: bool
    source: SourceLine

    def axis_title(self, width: int = 70) -> str:
        """The axis title: the indicator, then its unit and period (wrapped for plotly, which does not wrap)."""
        name = "<br>".join(textwrap.wrap(self.label, width))
        return f"{name}<br>{self.unit}, {self.period}"

    def column(self, which: str) -> str:
        """A table header naming the axis, its period, the indicator and its unit ('x (2021): title (unit)'): axis and
        period come first, so they still read when a narrow column cuts the header short."""
        return f"{which} ({self.period}): {self.title} ({self.unit})"


@dataclass(frozen=True)
class Correlation:
    spearman: float
    pearson: float
    n: int

    def text(self, noun: str = "areas") -> str:
        if self.n < MIN_AREAS:
            return f"Too few {noun} hold both values for a correlation (n = {self.n} {noun})"
        return f"Spearman ρ = {self.spearman:.2f}, Pearson r = {self.pearson:.2f}, n = {self.n:,} {noun}"


@dataclass(frozen=True)
class Relationship:
    """Everything the page lays out: the axes, the plotted pairs (with each area's role) and the correlation."""

    x: Axis
    y: Axis
    level: str
    countries: tuple[str, ...]  # the countries plotted: those publishing both indicators (for wards, the LA's too)
    pairs: pd.DataFrame  # area_code, name, country, x, y, role, in_correlation
    stats: Correlation
    chosen: str | None
    similar: list[str]  # the chosen area's similar areas, nearest first, plotted or not
    universe: int  # areas of the plotted countries (or the LA's wards) that could have held both values
    lad: str | None = None  # ward level: the LA whose wards are plotted
    lad_name: str = ""
    lad_country: str = ""

    @property
    def noun(self) -> str:
        return "wards" if self.level == "ward" else "areas"


def axis(indicator_id: str, period: str, catalogue: pd.DataFrame, sources: pd.DataFrame) -> Axis:
    row = catalogue_row(catalogue, indicator_id) or {}
    return Axis(
        indicator_id=indicator_id,
        label=measure_label(indicator_id, catalogue),
        title=str(row.get("title", indicator_id)),
        unit=str(row.get("unit", "")),
        period=str(period),
        countries=str(row.get("countries", "E+W")),
        context=int(row.get("factor", 0) or 0) == 0,
        source=source_line(indicator_id, period, catalogue, sources),
    )


def option_label(indicator_id: str, catalogue: pd.DataFrame) -> str:
    """A menu entry that says up front when an indicator is published for one country only."""
    row = catalogue_row(catalogue, indicator_id) or {}
    only = COUNTRY_ONLY.get(row.get("countries"))
    return measure_label(indicator_id, catalogue) + (f" ({only})" if only else "")


def published_for(countries: str) -> set[str]:
    """'E+W' -> {'E', 'W'}; 'E' -> {'E'}."""
    return {c for c in str(countries).split("+") if c in COUNTRY_NAMES}


def common_countries(x: Axis, y: Axis) -> tuple[str, ...]:
    """The countries publishing both indicators: the only ones on a common footing for this pair (IMD and WIMD, for
    instance, are each one country's own scale and never share an axis)."""
    return tuple(c for c in COUNTRY_NAMES if c in published_for(x.countries) & published_for(y.countries))


def period_values(values: pd.DataFrame, period: str) -> pd.Series:
    """area_code -> value of one indicator in one period (areas with no value left out)."""
    block = values[(values["period"] == period) & values["value"].notna()]
    return pd.Series(block["value"].to_numpy(dtype=float), index=block["area_code"].to_numpy()).groupby(level=0).first()


def pair_values(x_values: pd.Series, y_values: pd.Series, country_of: pd.Series, countries: tuple[str, ...], codes=None) -> pd.DataFrame:
    """area_code, country, x, y for the areas of these countries (and, if given, among these codes) holding both values."""
    pairs = pd.concat({"x": x_values, "y": y_values}, axis=1, join="inner").dropna()
    pairs.index.name = "area_code"
    pairs = pairs.reset_index()
    pairs["country"] = pairs["area_code"].map(country_of)
    keep = pairs["country"].isin(countries)
    if codes is not None:
        keep &= pairs["area_code"].isin(set(codes))
    return pairs[keep].reset_index(drop=True)[["area_code", "country", "x", "y"]]


def correlation(pairs: pd.DataFrame) -> Correlation:
    """Spearman and Pearson correlations of x and y over the rows counted, and how many rows that is. pandas ranks for
    Spearman itself (average ranks for ties), so no scipy is needed."""
    counted = pairs[pairs["in_correlation"]] if "in_correlation" in pairs else pairs
    n = len(counted)
    if n < MIN_AREAS:
        return Correlation(np.nan, np.nan, n)
    xy = counted[["x", "y"]].astype(float)
    return Correlation(float(xy.corr(method="spearman").iloc[0, 1]), float(xy.corr(method="pearson").iloc[0, 1]), n)


def similar_areas(area: str | None, level: str, neighbours: pd.DataFrame, areas: pd.DataFrame) -> list[str]:
    """The area's similar areas, nearest first: ONS similar areas for an LA (as the profile compares it), the atlas's
    similar wards of the same country for a ward (as the ward profile lists them)."""
    if not area:
        return []
    if level == "ward":
        return similar_ward_rows(area, neighbours, areas, {}, {})["area_code"].tolist()
    mine = neighbours[(neighbours["area_code"] == area) & (neighbours["kind"] == LA_SIMILAR_KIND)].sort_values("rank")
    return mine["neighbour_code"].tolist()


@per_frames
def relationship(
    x_id: str,
    y_id: str,
    level: str,
    *,
    x_values: pd.DataFrame,
    y_values: pd.DataFrame,
    x_period: str,
    y_period: str,
    catalogue: pd.DataFrame,
    sources: pd.DataFrame,
    areas: pd.DataFrame,
    neighbours: pd.DataFrame,
    names: dict[str, str],
    welsh: dict[str, str] | None = None,
    chosen: str | None = None,
    lad: str | None = None,
) -> Relationship:
    """Two indicators across the LAs of the countries publishing both, or across the wards of one LA.

    x_values / y_values: the indicator_values rows of each indicator at this level (every period). chosen: the area to
    mark (an LA, or a ward of `lad`). At ward level the similar wards of the chosen ward that lie in other LAs are
    plotted too, marked, and left out of the correlation and n, which describe the LA's own wards.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    x, y = axis(x_id, x_period, catalogue, sources), axis(y_id, y_period, catalogue, sources)
    countries = common_countries(x, y)
    level_areas = areas[areas["level"] == level]
    country_of = level_areas.set_index("area_code")["country"]
    lad_country = str(areas.set_index("area_code")["country"].get(lad, "")) if level == "ward" else ""
    if level == "ward":
        countries = tuple(c for c in countries if c == lad_country)
        codes = wards_of(lad, areas) if lad else []
    else:
        codes = None
    xs, ys = period_values(x_values, x_period), period_values(y_values, y_period)
    pairs = pair_values(xs, ys, country_of, countries, codes)
    pairs["in_correlation"] = True
    similar = similar_areas(chosen, level, neighbours, areas)
    if level == "ward" and similar:
        elsewhere = [c for c in similar if c not in set(codes)]
        away = pair_values(xs, ys, country_of, countries, elsewhere).assign(in_correlation=False)
        pairs = pd.concat([pairs, away], ignore_index=True) if len(away) else pairs
    role = pd.Series(ROLE_OTHER, index=pairs.index)
    role[pairs["area_code"].isin(similar)] = ROLE_SIMILAR
    role[pairs["area_code"].isin(similar) & ~pairs["in_correlation"]] = ROLE_ELSEWHERE
    role[pairs["area_code"] == chosen] = ROLE_CHOSEN
    pairs["role"] = role
    pairs["name"] = [area_label(c, names, welsh) for c in pairs["area_code"]]
    if level == "ward":
        # A similar ward from another LA is named with its LA: ward names repeat across the country.
        parent = areas.set_index("area_code")["parent_code"]
        away = pairs["role"] == ROLE_ELSEWHERE
        pairs.loc[away, "name"] = [
            f"{area_label(c, names, welsh)} ({area_label(parent.get(c, ''), names, welsh)})" for c in pairs.loc[away, "area_code"]
        ]
    universe = len(codes) if codes is not None else int(country_of.isin(countries).sum())
    return Relationship(
        x=x, y=y, level=level, countries=countries, pairs=pairs[["area_code", "name", "country", "x", "y", "role", "in_correlation"]],
        stats=correlation(pairs), chosen=chosen, similar=similar, universe=universe, lad=lad,
        lad_name=area_label(lad, names, welsh) if lad else "", lad_country=lad_country,
    )


# ---- what the page says beside the chart


def country_note(rel: Relationship) -> str:
    """Why the scatter holds one country, or none ('' when both countries are plotted, or a ward view fits its LA)."""
    x, y = rel.x, rel.y
    only = [(a.title, COUNTRY_ONLY[a.countries]) for a in (x, y) if a.countries in COUNTRY_ONLY]
    footing = "England and Wales are compared only on a common footing: the English IMD and the Welsh WIMD are never one scale."
    if not common_countries(x, y):
        return (
            f"No area holds both: {only[0][0]} is published for {only[0][1]} and {only[1][0]} for {only[1][1]}. {footing} "
            "Choose two indicators published for the same country."
        )
    if rel.level == "ward":
        if rel.countries:
            return ""
        missing = "; ".join(f"{title} is published for {where}" for title, where in only)
        return f"{rel.lad_name} is in {COUNTRY_NAMES.get(rel.lad_country, rel.lad_country)}, and {missing}: none of its wards holds both values. {footing}"
    if len(rel.countries) == 1:
        country = COUNTRY_NAMES[rel.countries[0]]
        titles = " and ".join(title for title, _ in only)
        return f"Only the LAs of {country} are plotted: {titles} {'is' if len(only) == 1 else 'are'} published for {country} alone. {footing}"
    return ""


def context_note(rel: Relationship) -> str:
    """Context measures may be plotted; the page says they are context, described and never scored."""
    titles = [a.title for a in (rel.x, rel.y) if a.context]
    if not titles:
        return ""
    titles = list(dict.fromkeys(titles))
    return (
        f"Context: {' and '.join(titles)} {'describes' if len(titles) == 1 else 'describe'} who lives in an area and how. "
        "Context measures are never scored; a correlation "
        "with one is a description, not a judgement on the people counted."
    )


def coverage_note(rel: Relationship) -> str:
    """How many of the areas that could have held both values do (n), and what is not in n."""
    counted = int(rel.pairs["in_correlation"].sum())
    where = " and ".join(COUNTRY_NAMES[c] for c in rel.countries)
    if rel.level == "ward":
        text = f"n counts the wards of {rel.lad_name} holding both values: {counted} of its {rel.universe} wards."
        away = int((~rel.pairs["in_correlation"]).sum())
        if away:
            text += f" The {away} similar ward(s) in other LAs (hollow markers) are shown for comparison, not counted."
        return text
    if not where:
        return "n = 0: no LA holds both values."
    return f"n counts the LAs of {where} holding both values for these periods: {counted} of {rel.universe}."


def chosen_note(rel: Relationship, names: dict[str, str], welsh: dict[str, str] | None = None) -> str:
    """Where the chosen area and its similar areas are, in words (what the chart shows by colour)."""
    if not rel.chosen:
        return "Choose a ward to mark it and its similar wards." if rel.level == "ward" else ""
    name = area_label(rel.chosen, names, welsh)
    me = rel.pairs[rel.pairs["area_code"] == rel.chosen]
    kind = "similar wards (atlas, same country)" if rel.level == "ward" else "ONS similar areas"
    plotted = int(rel.pairs["area_code"].isin(rel.similar).sum())
    similar = f"its {len(rel.similar)} {kind} in orange ({plotted} plotted)" if rel.similar else f"no {kind} are published for it"
    if me.empty:
        return f"{name} does not hold both values in these periods, so it is not plotted; {similar}."
    row = me.iloc[0]
    return (
        f"{name} (black star): {fmt_value(row['x'], rel.x.unit)}{unit_suffix(rel.x.unit)} and "
        f"{fmt_value(row['y'], rel.y.unit)}{unit_suffix(rel.y.unit)}; {similar}."
    )


def source_text(rel: Relationship) -> str:
    """Both axes' source, period and licence, as one line for the figure."""
    return f"x: {rel.x.source.text()} | y: {rel.y.source.text()}"


# ---- the table and the chart


@per_frames
def table(rel: Relationship) -> pd.DataFrame:
    """The plotted values with area names and codes: the chart's data, for keyboards, screen readers and copying."""
    pairs = rel.pairs
    marks = {ROLE_CHOSEN: "chosen", ROLE_SIMILAR: "similar", ROLE_ELSEWHERE: "similar, other LA (not in n)", ROLE_OTHER: ""}
    order = pairs["role"].map({ROLE_CHOSEN: 0, ROLE_SIMILAR: 1, ROLE_ELSEWHERE: 2, ROLE_OTHER: 3})
    out = pd.DataFrame(
        {
            "Area": pairs["name"],
            "Code": pairs["area_code"],
            "Country": pairs["country"].map(COUNTRY_NAMES),
            "Marked": pairs["role"].map(marks),
            rel.x.column("x"): pairs["x"],
            rel.y.column("y"): pairs["y"],
        }
    )
    return out.assign(_order=order).sort_values(["_order", "Area"], kind="stable").drop(columns="_order").reset_index(drop=True)


COLOURS = {"E": "rgba(31,78,154,0.55)", "W": "rgba(27,158,119,0.7)", ROLE_SIMILAR: "#d95f02", ROLE_CHOSEN: "#000000"}


def _hover(block: pd.DataFrame, rel: Relationship) -> np.ndarray:
    return np.column_stack(
        [
            block["name"],
            block["area_code"],
            [fmt_value(v, rel.x.unit) + unit_suffix(rel.x.unit) for v in block["x"]],
            [fmt_value(v, rel.y.unit) + unit_suffix(rel.y.unit) for v in block["y"]],
        ]
    ) if len(block) else np.empty((0, 4))


def _axis_format(unit: str) -> dict:
    return {"tickprefix": "£"} if unit.startswith("£") else {}


@per_frames
def scatter(rel: Relationship, *, height: int = 430) -> go.Figure:
    """x against y, one marker per area: others by country, similar areas orange, the chosen area a black star with its
    name; the correlation is the title and both axes' sources sit under the plot, so a saved image keeps them."""
    fig = go.Figure()
    hover = (
        "<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
        + f"{textwrap.shorten(rel.x.title, 60, placeholder='…')}: %{{customdata[2]}}<br>"
        + f"{textwrap.shorten(rel.y.title, 60, placeholder='…')}: %{{customdata[3]}}<extra></extra>"
    )
    pairs = rel.pairs
    noun = "wards" if rel.level == "ward" else "LAs"
    for country in rel.countries:
        block = pairs[(pairs["role"] == ROLE_OTHER) & (pairs["country"] == country)]
        name = f"{noun} of {COUNTRY_NAMES[country]}" if rel.level == "lad" else f"wards of {rel.lad_name}"
        fig.add_trace(go.Scatter(
            x=block["x"], y=block["y"], mode="markers", name=name, customdata=_hover(block, rel), hovertemplate=hover,
            marker={"size": 7, "color": COLOURS[country], "line": {"width": 0.5, "color": "white"}},
        ))
    similar = pairs[pairs["role"] == ROLE_SIMILAR]
    if len(similar):
        fig.add_trace(go.Scatter(
            x=similar["x"], y=similar["y"], mode="markers", name="similar areas" if rel.level == "lad" else "similar wards, this LA",
            customdata=_hover(similar, rel), hovertemplate=hover, marker={"size": 10, "color": COLOURS[ROLE_SIMILAR], "line": {"width": 1, "color": "white"}},
        ))
    elsewhere = pairs[pairs["role"] == ROLE_ELSEWHERE]
    if len(elsewhere):
        fig.add_trace(go.Scatter(
            x=elsewhere["x"], y=elsewhere["y"], mode="markers", name="similar wards, other LAs (not in n)",
            customdata=_hover(elsewhere, rel), hovertemplate=hover,
            marker={"size": 10, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": COLOURS[ROLE_SIMILAR]}},
        ))
    chosen = pairs[pairs["role"] == ROLE_CHOSEN]
    if len(chosen):
        me = chosen.iloc[0]
        fig.add_trace(go.Scatter(
            x=chosen["x"], y=chosen["y"], mode="markers", name=me["name"], customdata=_hover(chosen, rel), hovertemplate=hover,
            marker={"size": 16, "symbol": "star", "color": COLOURS[ROLE_CHOSEN], "line": {"width": 1, "color": "white"}},
        ))
        # A label on a white ground reads over the markers around it, where plain scatter text would not.
        fig.add_annotation(
            x=me["x"], y=me["y"], text=f"<b>{me['name']}</b>", showarrow=True, arrowhead=0, arrowcolor="#000", ax=28, ay=-28,
            bgcolor="rgba(255,255,255,0.85)", bordercolor="#000", borderwidth=1, font={"size": 12, "color": "#000"},
        )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title={"text": rel.stats.text(rel.noun), "font": {"size": 14}, "x": 0, "xanchor": "left", "y": 0.99, "yanchor": "top"},
        xaxis={"title": {"text": rel.x.axis_title(110)}, "zeroline": False, **_axis_format(rel.x.unit)},
        yaxis={"title": {"text": rel.y.axis_title(48)}, "zeroline": False, **_axis_format(rel.y.unit)},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right", "font": {"size": 11}},
        hovermode="closest",
    )
    # below: room for the tick labels and a two-line x title between the plot and the source line
    return figures.add_source(fig, source_text(rel), width=170, below=80)
