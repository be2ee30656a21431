"""Ward map page: one LA's wards coloured by a ward-level indicator or score, with a sorted table; optional national ward view from a static file."""
from __future__ import annotations

import streamlit as st

import app_data as data
import figures
from indicators import views

a = data.atlas()
geo = data.geometry()

options = a.measure_options("ward")
default_measure = data.shared("indicator") if data.shared("indicator") in options else "imd_average_score"
c1, c2, c3, c4 = st.columns([2, 2.4, 1, 1.3])
with c1:
    lad = data.lad_picker("Local authority", "wards_area", help="Type part of a name. Its wards are shown.")
    data.publish("area", "wards_area", lad)
with c2:
    measure = data.choose(
        "indicator", "wards_measure", "Ward indicator or score", options, default_measure, what="indicator",
        format_func=lambda m: views.measure_label(m, a.catalogue, "ward", a.score_keys.get("ward")),
        checker=lambda raw: views.check_measure(raw, options, default_measure),
    )
periods = a.periods_for(measure, "ward")
with c3:
    period = data.choose(
        "period", "wards_period", "Period", periods, a.default_period(measure, "ward"), what="period",
        checker=lambda raw: views.check_period(raw, periods, a.default_period(measure, "ward")), disabled=views.is_score(measure),
    )
with c4:
    method = data.choose(
        "method", "wards_method", "Score method", list(views.METHODS), "robust_z", what="method",
        format_func=views.METHODS.get, disabled=not views.is_score(measure),
    )
view, message = views.check_choice(data.param("view"), ("la", "national"), "la", "view")
data.warn(message)
data.bind("view", "wards_national", view == "national")
national = st.toggle(
    "Show all 7,588 wards of England and Wales", key="wards_national",
    help="The national layer is one static file your browser downloads once (about 1 MB compressed).",
)
data.publish("view", "wards_national", "national" if national else "la")

row = views.catalogue_row(a.catalogue, measure)
unit = "score" if views.is_score(measure) else row["unit"]
polarity = "higher_is_better" if views.is_score(measure) else row["polarity"]
line = views.measure_source_line(measure, period, method, a.catalogue, a.sources, views.WARD_SCOPE, "ward")
source_short = f"Source: {line.source[:90]}{'…' if len(line.source) > 90 else ''}"
# Ward scores exist only in the country scope: each ward is ranked among the wards of its own country.
all_wards = views.measure_frame(measure, period, method, "ward", a.indicator_values(measure, "ward"), a.scores_for("ward", views.WARD_SCOPE), a.catalogue, a.names)
ward_codes = {f["properties"]["area_code"] for f in geo.wards_by_lad.get(lad, {"features": []})["features"]}
local = all_wards[all_wards["area_code"].isin(ward_codes)].copy()
# rank within the LA for the local view; the national rank stays in the table
local["national_rank"] = local["rank_text"]
local["rank"] = local["value"].rank(ascending=polarity == "lower_is_better", method="min")
local["rank_text"] = [views.rank_text(r, None, None, len(local)) for r in local["rank"]]

lad_name = a.label(lad)
if national:
    layer = data.static_ward_layer()
    if layer is None:
        st.error("The national ward layer is missing: run `python cli.py build` to write static/wards_ew.geojson.")
    else:
        fig = figures.national_ward_choropleth(all_wards, unit=unit, polarity=polarity, source_line=f"{line.text()} · {views.BOUNDARY_CREDIT}", source_short=source_short)
        st.plotly_chart(fig, key="wards_national_chart", config={"scrollZoom": True, "displaylogo": False})
else:
    if local.empty:
        st.info(f"No ward in {lad_name} has a value for this measure (for example, England-only indicators in Wales). Choose another indicator.")
    fig = figures.ward_choropleth(
        local, geo.wards_by_lad.get(lad, {"type": "FeatureCollection", "features": []}), geo.ward_bounds.get(lad, figures.EW_BOUNDS),
        unit=unit, polarity=polarity, source_line=f"{line.text()} · {views.BOUNDARY_CREDIT}", source_short=source_short,
        title=f"Wards of {lad_name}",
    )
    st.plotly_chart(fig, key="wards_chart", config={"scrollZoom": True, "displaylogo": False})

data.source_caption(line)
lad_country = a.lads.set_index("area_code").at[lad, "country"]
if views.is_score(measure):
    st.caption(a.scope_caption(views.WARD_SCOPE, country=None if national else lad_country, level="ward") + " " + views.NATIONAL_RANK_NOTE)
st.caption(a.ward_note)
if not views.is_score(measure) and row["countries"] != "E+W":
    st.caption({"E": "England only: Welsh wards have no value.", "W": "Wales only: English wards have no value."}[row["countries"]])

st.markdown(f"#### {len(local)} wards of {lad_name}, sorted by value")
columns = {"area_name": "Ward", "area_code": "Code", "value": unit, "rank_text": "Rank in LA (1 = best)"}
if views.is_score(measure):
    columns.update({"national_rank": f"Rank in {views.COUNTRY_NAMES.get(lad_country, 'its country')}", "evidence": "Evidence (indicators · periods · proxy · inherited)"})
else:
    columns["national_rank"] = "Rank in England and Wales" if row["countries"] == "E+W" else f"Rank in {views.COUNTRY_NAMES.get(row['countries'], 'its country')}"
table = local.sort_values("value", ascending=polarity == "lower_is_better")[list(columns)]
st.dataframe(
    table.rename(columns=columns),
    hide_index=True,
    height=320,
    key="wards_table",
    column_config={unit: st.column_config.NumberColumn(format="%.3f")},
)
missing = len(ward_codes) - len(local)
if missing > 0:
    st.caption(f"{missing} ward(s) of {lad_name} have no value for this measure.")
