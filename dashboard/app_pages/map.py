"""Map page: every England and Wales LA coloured by an indicator or factor score; click an area, or pick it, to open its profile."""
from __future__ import annotations

import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import controls, map_view, maps, measure_labels, scopes, source_lines, url_state
from scoring.scores import COMPOSITE_CAVEAT

a = data.atlas()
# Values only: the outlines are a static file the browser fetches once by URL (data.lad_layer()).
layers = data.map_layers()

h1, h2 = st.columns([2.4, 1.6], vertical_alignment="bottom")
with h2:
    # London's 33 boroughs are a few pixels each at national scale; this frames them, and the link keeps it (?view=london).
    view = controls.choose(
        "view", "map_view", "Map view", list(map_view.VIEWS), map_view.DEFAULT_VIEW, what="view", widget="segmented",
        format_func=map_view.VIEWS.get, checker=lambda raw: url_state.check_choice(raw, list(map_view.VIEWS), map_view.DEFAULT_VIEW, "view"),
    )
london = view == "london"
with h1:
    st.subheader("London's 33 boroughs" if london else "Local authorities of England and Wales")

options = a.measure_options("lad")
default_measure = controls.shared("indicator") if controls.shared("indicator") in options else "composite"
c1, c2, c3, c4 = st.columns([2.6, 1.1, 1.4, 1.9])
with c1:
    measure = controls.choose(
        "indicator", "map_measure", "Indicator or factor score", options, default_measure, what="indicator",
        format_func=lambda m: measure_labels.measure_label(m, a.catalogue),
        checker=lambda raw: url_state.check_measure(raw, options, default_measure),
    )
periods = a.periods_for(measure, "lad")
with c2:
    period = controls.choose(
        "period", "map_period", "Period", periods, a.default_period(measure, "lad"), what="period",
        checker=lambda raw: url_state.check_period(raw, periods, a.default_period(measure, "lad")),
        disabled=measure_labels.is_score(measure), help="Factor scores use each indicator's latest period.",
    )
with c3:
    method = controls.choose(
        "method", "map_method", "Score method", list(vocab.METHOD_LABELS), "robust_z", what="method",
        format_func=vocab.METHOD_LABELS.get, disabled=not measure_labels.is_score(measure),
        help="How indicators are put on one scale before averaging (see Methodology).",
    )
with c4:
    scope = controls.scope_picker("map_scope", disabled=not measure_labels.is_score(measure))

row = measure_labels.catalogue_row(a.catalogue, measure)
unit = "score" if measure_labels.is_score(measure) else row["unit"]
polarity = "higher_is_better" if measure_labels.is_score(measure) else row["polarity"]
frame = map_view.measure_frame(
    measure, period, method, "lad", a.indicator_values(measure, "lad"), a.scores_for("lad", scope), a.catalogue, a.names, a.small_areas, welsh=a.welsh,
)
# Centred, and bounded, on all the LAs ranked: the London view keeps the national scale, so a colour means the same in both.
centre = map_view.colour_centre(measure, method, polarity, frame["value"])
line = source_lines.measure_source_line(measure, period, method, a.catalogue, a.sources, scope)
boroughs = map_view.london_boroughs(a.areas)
shown = frame[frame["area_code"].isin(set(boroughs))].reset_index(drop=True) if london else frame
layer = data.lad_layer()
fig = maps.la_choropleth(
    shown, maps.subset(layer, boroughs) if london else layer, unit=unit, polarity=polarity,
    source_line=f"{line.text()} · {source_lines.boundary_credit(a.sources)}",
    source_short=f"Source: {line.source[:90]}{'…' if len(line.source) > 90 else ''}",
    bounds=map_view.union_bounds(layers.lad_bounds, boroughs) if london else maps.EW_BOUNDS, centre=centre,
    missing=map_view.missing_areas(measure, method, boroughs, shown, a.scores_for("lad", scope), a.names, a.welsh) if london else None,
    title="London's 33 boroughs, on the colour scale of all LAs: click one to open its profile" if london else None,
)
event = st.plotly_chart(
    fig, key=f"map_chart_{measure}_{period}_{method}_{scope}_{view}", on_select="rerun", selection_mode="points",
    config={"scrollZoom": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
)
points = event["selection"]["points"] if event else []
if points:
    point = points[0]
    code = point.get("location")
    if code is None and point.get("point_index") is not None and point["point_index"] < len(shown):
        code = shown["area_code"].iloc[point["point_index"]]
    if code in a.names:
        controls.switch_to("profile", area=code, method=method, scope=scope)

controls.source_caption(line)
beyond = map_view.beyond_note(centre)
notes = [beyond] if beyond else []
if not measure_labels.is_score(measure) and row["countries"] != "E+W" and not london:
    notes.append({"E": "England only: Welsh authorities have no value and are left blank.", "W": "Wales only: English authorities are left blank."}[row["countries"]])
if measure_labels.is_score(measure):
    notes.append(a.scope_caption(scope))
    notes.append(scopes.NATIONAL_RANK_NOTE)
    if measure == "composite":
        notes.append(COMPOSITE_CAVEAT)
if notes:
    st.caption(" ".join(notes))

k1, k2 = st.columns([3, 1], vertical_alignment="bottom")
with k1:
    target = st.selectbox(
        "Open the profile of (keyboard alternative to clicking the map)", a.lad_codes, index=None,
        format_func=a.label, placeholder="Type a local authority name", key="map_open",
    )
with k2:
    if st.button("Open profile", disabled=target is None, key="map_open_button"):
        controls.switch_to("profile", area=target, method=method, scope=scope)

small_here = [a.label(c) for c in shown["area_code"] if c in a.small_areas]
if small_here:
    st.caption(f"{' and '.join(small_here)}: {scopes.SMALL_POPULATION_TEXT}; their rates rest on few residents, so their ranks swing.")

if london:
    heading = f"Table: London's {len(shown)} boroughs" if len(shown) == len(boroughs) else f"Table: {len(shown)} of London's {len(boroughs)} boroughs (those with a value)"
else:
    heading = f"Table: {len(shown)} local authorities"
with st.expander(f"{heading}, sorted by rank", expanded=london):
    columns = {"area_name": "Area", "area_code": "Code", "value": unit, "rank_text": "Rank (1 = best)", "rank_where": "Ranked in"}
    if measure_labels.is_score(measure):
        columns["evidence"] = "Evidence (indicators · periods · proxy · inherited)"
    columns["note"] = "Note"
    table = shown.sort_values(["n_areas", "rank"], ascending=[False, True])[list(columns)].rename(columns=columns)
    table = map_view.compact_text_columns(table)
    value_unit = map_view.SCORE_UNIT if measure_labels.is_score(measure) else unit
    st.dataframe(
        table, hide_index=True, height=300, key="map_table",
        column_config={unit: st.column_config.NumberColumn(format=measure_labels.number_format(value_unit))},
    )
