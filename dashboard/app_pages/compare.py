"""Compare page: two to six LAs side by side across the five factors and every indicator."""
from __future__ import annotations

import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import compare_view, controls, figures, scopes, source_lines, url_state
from scoring.scores import COMPOSITE_CAVEAT

a = data.atlas()

first = controls.shared("area") if a.level_of.get(controls.shared("area")) == "lad" else url_state.DEFAULT_LAD
defaults = list(dict.fromkeys([first, "E06000009", "W06000015"]))[:3]
codes, message = url_state.check_area_list(controls.param("areas"), a.areas, defaults)
controls.warn(message)
c1, c2, c3 = st.columns([3.6, 1.2, 1.6])
with c1:
    controls.bind("areas", "compare_areas", codes, a.lad_codes)
    chosen = st.multiselect(
        "Local authorities (2 to 6; type to search)", a.lad_codes, key="compare_areas", format_func=a.label, max_selections=6,
    )
with c2:
    method = controls.choose("method", "compare_method", "Score method", list(vocab.METHOD_LABELS), "robust_z", what="method", format_func=vocab.METHOD_LABELS.get)
with c3:
    scope = controls.scope_picker("compare_scope")
if len(chosen) < 2:
    st.info("Choose at least two local authorities to compare.")
    st.stop()
controls.publish("areas", "compare_areas", chosen)

long = compare_view.factor_rows(chosen, a.scores_for("lad", scope), method, a.names, a.welsh)
line = source_lines.score_source_line("composite", method, a.catalogue, a.sources, scope)
st.plotly_chart(figures.compare_chart(long, source_line=line.text()), key="compare_chart", config={"displaylogo": False})
controls.source_caption(line)

countries = {a.lads.set_index("area_code").at[c, "country"] for c in chosen}
scope_text = a.scope_caption(scope, country=next(iter(countries)) if scope == "country" and len(countries) == 1 else None)
columns = [a.label(c) for c in chosen]
ranks = long.pivot_table(index="factor_name", columns="area", values="rank_compact", aggfunc="first", sort=False)
ranks = ranks[[c for c in columns if c in ranks.columns]]
st.markdown("#### Factor ranks (1 = best, with rank band)")
st.dataframe(
    ranks.reset_index().rename(columns={"factor_name": "Factor"}), hide_index=True, key="compare_ranks",
    column_config={"Factor": st.column_config.TextColumn(width=150), **{c: st.column_config.TextColumn(width=max(110, min(200, 720 // len(columns)))) for c in ranks.columns}},
)
small = [a.label(c) for c in chosen if c in a.small_areas]
for name in small:
    st.caption(f"{name} {scopes.SMALL_POPULATION_NOTE}")
st.caption(f"{scope_text} {scopes.NATIONAL_RANK_NOTE} {COMPOSITE_CAVEAT}")
# One row per area and factor: an evidence text is too long for six areas side by side.
st.markdown("#### Evidence behind each score")
st.dataframe(
    long[["area", "factor_name", "evidence"]].rename(columns={"area": "Area", "factor_name": "Factor", "evidence": "Evidence"}),
    hide_index=True, key="compare_evidence",
    column_config={"Area": st.column_config.TextColumn(width=190), "Factor": st.column_config.TextColumn(width=150), "Evidence": st.column_config.TextColumn(width=540)},
)
st.caption("Indicators behind the score · their oldest–newest periods · share of the weight that is a proxy · share inherited from a county, community safety partnership or police force area.")

st.markdown("#### Every indicator, latest period")
table = compare_view.compare_table(chosen, a.level_values("lad"), a.catalogue, {c: a.label(c) for c in chosen}, as_text=True)
table["factor"] = table["factor"].map(lambda f: f"F{f}" if f else "Context")
table_ids = table.pop("indicator_id")
# Narrow fixed columns so six areas fit beside the indicator at 1366 px; the indicator's full title shows on hover.
area_width = max(70, min(160, 500 // len(chosen)))
st.dataframe(
    table.rename(columns={"factor": "Factor", "indicator": "Indicator", "unit": "Unit", "period": "Period"}),
    hide_index=True,
    key="compare_indicators",
    column_config={
        "Factor": st.column_config.TextColumn(width=50),
        "Indicator": st.column_config.TextColumn(width=190),
        "Unit": st.column_config.TextColumn(width=90),
        "Period": st.column_config.TextColumn(width=64),
        **{a.label(c): st.column_config.TextColumn(width=area_width, help=f"{a.label(c)} ({c}), formatted by the row's unit") for c in chosen},
    },
)
st.caption(
    "Values are formatted by each row's unit. Blank (–): not published for that area (e.g. England-only indicators in Wales). "
    + source_lines.sources_line(table_ids, a.catalogue, a.sources)
)
