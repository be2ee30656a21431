"""Trends page: an indicator with several periods for one LA against its region, country and similar areas, with series breaks marked."""
from __future__ import annotations

import streamlit as st

from dashboard import app_data as data
from dashboard import controls, measure_labels, profile_view, scopes, source_lines, trends_view, url_state
from scoring.benchmarks import COMPARATOR_METHOD

a = data.atlas()

options = [m for m in a.measure_options("lad", with_scores=False) if len(a.periods_for(m, "lad")) > 1]
default_measure = controls.shared("indicator") if controls.shared("indicator") in options else "imd_average_score"
c1, c2, c3, c4 = st.columns([1.8, 2.4, 1.6, 1.1])
with c1:
    lad = controls.lad_picker("Local authority", "trends_area")
    controls.publish("area", "trends_area", lad)
with c2:
    measure = controls.choose(
        "indicator", "trends_measure", "Indicator (with several periods)", options, default_measure, what="indicator",
        format_func=lambda m: f"{measure_labels.measure_label(m, a.catalogue)} ({len(a.periods_for(m, 'lad'))} periods)",
        checker=lambda raw: url_state.check_measure(raw, options, default_measure),
    )
with c3:
    comparator = controls.choose(
        "comparator", "trends_comparator", "Also show", list(profile_view.COMPARATORS), "region", what="comparator",
        format_func=lambda c: {"region": "Region and country", "country": "Country only"}.get(c, profile_view.COMPARATORS[c] + " (median)"),
    )
with c4:
    show = controls.choose("show", "trends_show", "Show", ["value", "rank"], "value", what="view", format_func={"value": "Values", "rank": "Rank among LAs"}.get, widget="radio")

row = measure_labels.catalogue_row(a.catalogue, measure)
periods = a.periods_for(measure, "lad")
breaks = trends_view.series_breaks(a.catalogue, measure, periods)
line = source_lines.source_line(measure, f"{periods[0]} to {periods[-1]}", a.catalogue, a.sources)
name = a.names[lad]
view = trends_view.trend_view(a, measure, lad, comparator, show, profile_view.NEIGHBOUR_KINDS.get(comparator) if show == "value" else None, line.text())
fig, table = view.figure, view.table

if name not in view.series_names:
    st.info(f"{a.label(lad)} has no value for this indicator ({ {'E': 'England only', 'W': 'Wales only'}.get(row['countries'], 'not published for this area') }). Comparators are still shown.")
st.plotly_chart(fig, key="trends_chart", config={"displaylogo": False})
controls.source_caption(line)
notes = [f"Dashed lines mark series breaks: {'; '.join(why for _, why in breaks)}." if breaks else "No series break is recorded for this indicator."]
if edition := trends_view.edition_note(a.catalogue, measure):
    notes.append(edition)
if show == "value":
    notes.append(f"{COMPARATOR_METHOD}, among LAs with a value that period; similar areas are a median.")
if lad in a.small_areas:
    notes.append(f"{name} {scopes.SMALL_POPULATION_NOTE}")
st.caption(" ".join(notes))
# One unit per table here, so one number format: the unit's own decimals (ranks as whole numbers).
number_format = "%d" if show == "rank" else measure_labels.number_format(row["unit"])
st.dataframe(table, hide_index=True, key="trends_table", column_config={c: st.column_config.NumberColumn(format=number_format) for c in table.columns if c != "Period"})
