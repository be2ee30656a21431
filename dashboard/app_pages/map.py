"""Map page: every England and Wales LA coloured by an indicator or factor score; click an area, or pick it, to open its profile."""
from __future__ import annotations

import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import controls, map_view, maps, measure_labels, scopes, source_lines, url_state
from scoring.scores import COMPOSITE_CAVEAT

a = data.atlas()
geo = data.geometry()

st.subheader("Local authorities of England and Wales")

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
frame = map_view.measure_frame(measure, period, method, "lad", a.indicator_values(measure, "lad"), a.scores_for("lad", scope), a.catalogue, a.names, a.small_areas)
line = source_lines.measure_source_line(measure, period, method, a.catalogue, a.sources, scope)
fig = maps.la_choropleth(
    frame, geo.lad, unit=unit, polarity=polarity, source_line=f"{line.text()} · {source_lines.boundary_credit(a.sources)}",
    source_short=f"Source: {line.source[:90]}{'…' if len(line.source) > 90 else ''}",
)
event = st.plotly_chart(
    fig, key=f"map_chart_{measure}_{period}_{method}_{scope}", on_select="rerun", selection_mode="points",
    config={"scrollZoom": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
)
points = event["selection"]["points"] if event else []
if points:
    point = points[0]
    code = point.get("location")
    if code is None and point.get("point_index") is not None and point["point_index"] < len(frame):
        code = frame["area_code"].iloc[point["point_index"]]
    if code in a.names:
        controls.switch_to("profile", area=code, method=method, scope=scope)

controls.source_caption(line)
notes = []
if not measure_labels.is_score(measure) and row["countries"] != "E+W":
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

small_here = [a.label(c) for c in frame["area_code"] if c in a.small_areas]
if small_here:
    st.caption(f"{' and '.join(small_here)}: {scopes.SMALL_POPULATION_TEXT}; their rates rest on few residents, so their ranks swing.")

with st.expander(f"Table: {len(frame)} local authorities, sorted by rank", expanded=False):
    columns = {"area_name": "Area", "area_code": "Code", "value": unit, "rank_text": "Rank (1 = best)"}
    if measure_labels.is_score(measure):
        columns["evidence"] = "Evidence (indicators · periods · proxy · inherited)"
    columns["note"] = "Note"
    table = frame.sort_values(["n_areas", "rank"], ascending=[False, True])[list(columns)].rename(columns=columns)
    st.dataframe(table, hide_index=True, height=300, key="map_table")
