"""Relationship explorer page: any two indicators across LAs, or across the wards of one LA, as a scatter with the
chosen area and its similar areas marked, Spearman and Pearson correlations with n, and the plotted values as a table."""
from __future__ import annotations

import streamlit as st

from dashboard import app_data as data
from dashboard import controls, measure_labels, url_state, ward_profile_view
from dashboard import relationship_view as rv

a = data.atlas()
raw_area = str(controls.param("area") or "").strip().upper()
# A link to a ward (e.g. from a ward profile) opens the ward view unless it says otherwise.
default_level = "ward" if a.level_of.get(raw_area) == "ward" else "lad"


def ward_picker(lad: str) -> str | None:
    """The ward of the LA to mark, by name (Welsh too where a ward has one); '' marks none."""
    options = ["", *ward_profile_view.wards_of(lad, a.areas)]
    current = raw_area if a.level_of.get(raw_area) == "ward" and a.parent_of.get(raw_area) == lad else ""
    controls.bind("area", "rel_ward", current, options)
    choice = st.selectbox(
        "Ward to mark", options, key="rel_ward", format_func=lambda c: a.label(c) if c else f"None ({len(options) - 1} wards)",
        help="Type part of an English or Welsh ward name: it and its similar wards are marked.",
    )
    return choice or None


def indicator_picker(name: str, key: str, label: str, options: list[str], default: str) -> str:
    fallback = controls.shared(name) if controls.shared(name) in options else default
    return controls.choose(
        name, key, label, options, fallback, what="indicator", format_func=lambda m: rv.option_label(m, a.catalogue),
        checker=lambda raw: url_state.check_measure(raw, options, fallback),
        help="Indicators published for one country only say so; the scatter then holds that country alone.",
    )


def level_in_view() -> str:
    """The level this run shows, known before its control is drawn so the row of controls is laid out for it: the
    control's own value unless the link changed since (controls.bind's rule), else the link's checked value."""
    raw = controls.param("level")
    held = st.session_state.get("rel_level")
    if held in rv.LEVEL_LABELS and st.session_state.get("_seen_rel_level") == raw:
        return held
    return url_state.check_choice(raw, list(rv.LEVEL_LABELS), default_level, "level")[0]


widths = [1.35, 1.45, 1.45, 2.05, 2.05] if level_in_view() == "ward" else [1.25, 1.7, 2.3, 2.3]
columns = st.columns(widths)
with columns[0]:
    level = controls.choose(
        "level", "rel_level", "Areas", list(rv.LEVEL_LABELS), default_level, what="level", format_func=rv.LEVEL_LABELS.get,
        widget="segmented", help=rv.LEVEL_HELP, checker=lambda raw: url_state.check_choice(raw, list(rv.LEVEL_LABELS), default_level, "level"),
    )
with columns[1]:
    lad = controls.lad_picker("Local authority" if level == "ward" else "Local authority to mark", "rel_area")
ward = None
if level == "ward" and len(columns) == 5:
    with columns[2]:
        ward = ward_picker(lad)
options = a.measure_options(level, with_scores=False)
with columns[-2]:
    x_id = indicator_picker("x", "rel_x", "Horizontal axis (x)", options, rv.DEFAULT_X)
with columns[-1]:
    y_id = indicator_picker("y", "rel_y", "Vertical axis (y)", options, rv.DEFAULT_Y)
shown = ward or lad
controls.publish("area", "rel_area", shown)
controls.publish("area", "rel_ward", shown)

rel = rv.relationship(
    x_id, y_id, level, x_values=a.indicator_values(x_id, level), y_values=a.indicator_values(y_id, level),
    x_period=a.default_period(x_id, level), y_period=a.default_period(y_id, level), catalogue=a.catalogue, sources=a.sources,
    areas=a.areas, neighbours=a.neighbours, names=a.names, welsh=a.welsh, chosen=ward if level == "ward" else lad,
    lad=lad if level == "ward" else None,
)

if note := rv.country_note(rel):
    st.info(note, icon="ℹ️")
st.markdown(f"**{rel.stats.text(rel.noun)}** · {rv.NOT_CAUSE_SHORT}")

chart_tab, table_tab = st.tabs(["Chart", "Table of the plotted values"])
with chart_tab:
    st.plotly_chart(rv.scatter(rel), key="rel_chart", config={"displaylogo": False})
with table_tab:
    st.dataframe(
        rv.table(rel), hide_index=True, key="rel_table", height=380,
        # Sized so both value columns fit a 1366 px screen; each header's help holds the full indicator name.
        column_config={
            rel.x.column("x"): st.column_config.NumberColumn(format=measure_labels.number_format(rel.x.unit), width=195, help=rel.x.column("x")),
            rel.y.column("y"): st.column_config.NumberColumn(format=measure_labels.number_format(rel.y.unit), width=195, help=rel.y.column("y")),
            "Area": st.column_config.TextColumn(width=170),
            "Code": st.column_config.TextColumn(width=90),
            "Country": st.column_config.TextColumn(width=70),
            "Marked": st.column_config.TextColumn(width=180),
        },
    )
st.caption(rv.NOT_CAUSE_NOTE)
controls.source_caption(rel.x.source)
if rel.y.indicator_id != rel.x.indicator_id:
    controls.source_caption(rel.y.source)
st.caption(" ".join(text for text in (rv.chosen_note(rel, a.names, a.welsh), rv.coverage_note(rel), rv.context_note(rel)) if text))
