"""Ward map page: one LA's wards coloured by a ward-level indicator or score, low-reliability wards outlined, a sorted
table, and a way to each ward's profile (click the map, or pick the ward); optional national ward view from a static file."""
from __future__ import annotations

import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import controls, map_view, maps, measure_labels, scopes, source_lines, url_state
from dashboard import ward_map_view as wv
from dashboard.page_table import PAGES

a = data.atlas()
layers = data.map_layers()  # codes and bounds; the outlines are static files fetched by URL
ward_scores = a.scores_for("ward", vocab.WARD_SCOPE)
country_of = wv.country_of_wards(a.areas)

held = {ind for (ind, lvl) in a.values_by if lvl == "ward" and ind != "*"}
options = wv.measure_options(a.catalogue, held, ward_scores, a.score_keys.get("ward"))
c1, c2, c3, c4 = st.columns([2, 2.4, 1, 1.3])
with c1:
    lad = controls.lad_picker("Local authority", "wards_area", help="Type part of an English or Welsh name. Its wards are shown.")
    controls.publish("area", "wards_area", lad)
lad_country = a.lads.set_index("area_code").at[lad, "country"]
default_measure = wv.default_measure(lad_country, options, controls.shared("indicator"), a.catalogue)
ward_codes = list(layers.ward_codes.get(lad, ()))
resolved = wv.resolve_all(options, lad_country, ward_codes, catalogue=a.catalogue, ward_scores=ward_scores, periods=a.periods)

with c2:
    measure = controls.choose(
        "indicator", "wards_measure", "Ward indicator or score", options, default_measure, what="indicator",
        format_func=lambda m: resolved[m].label,
        checker=lambda raw: url_state.check_measure(raw, options, default_measure),
    )
wm = resolved[measure]
periods = list(wm.periods)
with c3:
    period = controls.choose(
        "period", "wards_period", "Period", periods, wm.default_period, what="period",
        # A score or single-indicator factor has one fixed period: whatever the link says, there is nothing to warn about.
        checker=lambda raw: (wm.default_period, None) if wm.fixed_period else url_state.check_period(raw, periods, wm.default_period),
        disabled=wm.fixed_period,
    )
with c4:
    method = controls.choose(
        "method", "wards_method", "Score method", list(vocab.METHOD_LABELS), "robust_z", what="method",
        format_func=vocab.METHOD_LABELS.get, disabled=wm.kind != "score",
    )
view, message = url_state.check_choice(controls.param("view"), ("la", "national"), "la", "view")
controls.warn(message)
controls.bind("view", "wards_national", view == "national")
national = st.toggle(
    "Show all 7,588 wards of England and Wales", key="wards_national",
    help="The national layer is one static file your browser downloads once (about 1 MB compressed).",
)
controls.publish("view", "wards_national", "national" if national else "la")

line = wv.source_line(wm, period, method, a.catalogue, a.sources, national=national)
source_short = f"Source: {line.source[:90]}{'…' if len(line.source) > 90 else ''}"
source_long = f"{line.text()} · {source_lines.boundary_credit(a.sources)}"

# The national view needs every ward's row; the LA view only its own (ranks are stored or taken over all wards first).
shown = wv.ward_frame(
    wm, period, method, values=a.indicator_values(wm.indicator_id, "ward") if wm.indicator_id else a.no_values,
    ward_scores=ward_scores, ward_values=a.level_values("ward"), catalogue=a.catalogue, names=a.names, welsh=a.welsh,
    reliability=a.ward_reliability, country_of=country_of, links=not national, codes=None if national else ward_codes,
)
lad_name = a.label(lad)
local = wv.local_ranks(wv.rows_of(shown, ward_codes), wm.polarity, lad_name)
lone = wv.lone_wards(
    wm, ward_codes, method, ward_scores=ward_scores, ward_values=a.level_values("ward"), catalogue=a.catalogue, periods=a.periods,
    names=a.names, welsh=a.welsh, reliability=a.ward_reliability, country_of=country_of,
)

blank = wv.national_blanks(wm, ward_scores, country_of, method) if national else None
subtitle = wv.map_subtitle(wm, a.catalogue, blanks=blank)
centre = wv.colour_centre(
    wm, method, shown if national else local, values=a.indicator_values(wm.indicator_id, "ward") if wm.indicator_id else a.no_values,
    period=period, ward_scores=ward_scores, national=national,
)
picked = None
if national:
    layer = data.static_ward_layer()
    if layer is None:
        st.error("The national ward layer is missing: run `python cli.py build` to write static/wards_ew.geojson.")
    else:
        # No profile links in the national hover data (links=False): 7,588 of them would add a fifth to what the
        # browser receives; a click still names the ward by its location.
        fig = maps.national_ward_choropleth(
            shown, unit=wm.unit, polarity=wm.polarity, source_line=source_long, source_short=source_short,
            title="All wards of England and Wales: click a ward to open its profile" if subtitle else None, subtitle=subtitle, centre=centre,
        )
        event = st.plotly_chart(
            fig, key=f"wards_national_chart_{measure}_{period}_{method}", on_select="rerun", selection_mode="points",
            config={"scrollZoom": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
        )
        picked = wv.clicked_ward(event["selection"]["points"] if event else [], a.level_of)
else:
    if local.empty:
        st.info(f"No ward in {lad_name} has a value for this measure (for example, England-only indicators in Wales). Choose another indicator.")
    fig = maps.ward_choropleth(
        local, data.ward_layer(lad), layers.ward_bounds.get(lad, maps.EW_BOUNDS), unit=wm.unit, polarity=wm.polarity,
        source_line=source_long, source_short=source_short, title=f"Wards of {lad_name}: click a ward to open its profile", subtitle=subtitle,
        missing=wv.missing_wards(ward_codes, [*local["area_code"], *lone["area_code"]], a.names, a.welsh, a.ward_reliability), lone=lone,
        centre=centre,
    )
    event = st.plotly_chart(
        fig, key=f"wards_chart_{lad}_{measure}_{period}_{method}", on_select="rerun", selection_mode="points",
        config={"scrollZoom": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
    )
    picked = wv.clicked_ward(event["selection"]["points"] if event else [], set(ward_codes))
if picked is not None and a.level_of.get(picked) == "ward":
    controls.switch_to("profile", area=picked, method=method)

controls.source_caption(line)
single_note = wv.caption(wm, a.catalogue, n_ranked=int(local["n_areas"].max()) if len(local) else None, lone=None if national else lone, blanks=blank)
if single_note:
    st.caption(single_note)
beyond = map_view.beyond_note(centre, "wards")
if beyond:
    st.caption(beyond)
if wm.kind == "score":
    st.caption(a.scope_caption(vocab.WARD_SCOPE, country=None if national else lad_country, level="ward") + " " + scopes.NATIONAL_RANK_NOTE)
n_flagged = int(local["low_reliability"].sum() + lone["low_reliability"].sum())
st.caption(
    f"Black outline: the value rests on one LSOA, or on best-fit LSOAs most of whose residents live in other wards "
    f"({n_flagged} of the {len(ward_codes)} wards here; the reason is in the hover and the table). Grey: no value. "
    + a.ward_note
    if not national else "Black outline: the value rests on one LSOA or on a poor best fit (the reason is in the hover). " + a.ward_note
)
if wm.kind == "indicator":
    countries = measure_labels.catalogue_row(a.catalogue, measure)["countries"]
    if countries != "E+W":
        st.caption({"E": "England only: Welsh wards have no value.", "W": "Wales only: English wards have no value."}[countries])

k1, k2 = st.columns([3, 1], vertical_alignment="bottom")
with k1:
    target = st.selectbox(
        f"Open the profile of a ward of {lad_name} (keyboard alternative to clicking the map)",
        sorted(ward_codes, key=lambda c: a.names.get(c, c)), index=None, format_func=a.label,
        placeholder="Type a ward name, in English or Welsh", key="wards_open",
    )
with k2:
    st.page_link(
        PAGES["profile"], label="Open the ward profile", icon=":material/arrow_forward:", disabled=target is None,
        query_params=controls.page_link_params(area=target or "", method=method),
    )

st.markdown(f"#### {len(local) + len(lone)} wards of {lad_name}, sorted by value")
table = wv.table(local, lone, wm, wv.national_rank_label(local, wm))
st.dataframe(
    table,
    hide_index=True,
    height=320,
    key="wards_table",
    column_config={
        wm.value_header: st.column_config.NumberColumn(format=measure_labels.number_format(map_view.SCORE_UNIT if wm.kind == "score" else wm.unit)),
        "Code": st.column_config.TextColumn(width="small"),
        "Note": st.column_config.TextColumn(width="medium"),
        "Low reliability": st.column_config.CheckboxColumn(help="The value rests on one LSOA or on a poor best fit (see Why)."),
        "Profile": st.column_config.LinkColumn(display_text="Open", width="small", help="The ward's profile, inside its LA's profile."),
    },
)
missing = len(ward_codes) - len(local) - len(lone)
if missing > 0:
    st.caption(f"{missing} ward(s) of {lad_name} have no value for this measure (grey on the map).")
