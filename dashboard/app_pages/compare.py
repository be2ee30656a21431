"""Compare page: two to six LAs side by side across the five factors and every indicator."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import compare_view, controls, figures, measure_labels, scopes, source_lines, url_state
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

scores = a.scores_for("lad", scope)
scores = scores[(scores["method"] == method) & scores["area_code"].isin(chosen)]
long = pd.DataFrame(
    {
        "area": scores["area_code"].map(a.label),
        "code": scores["area_code"],
        "factor": scores["factor"],
        "factor_name": scores["factor"].map(vocab.FACTOR_SHORT),
        "score": scores["score"],
        "rank_text": [measure_labels.rank_text(r, lo, hi, int(n)) for r, lo, hi, n in zip(scores["rank"], scores["rank_low"], scores["rank_high"], scores["n_areas"])],
        "evidence": [scopes.evidence_text(r) for r in scores.to_dict("records")],
    }
)
long["order"] = long["code"].map({c: i for i, c in enumerate(chosen)})
long = long.sort_values(["order", "factor"])
line = source_lines.score_source_line("composite", method, a.catalogue, a.sources, scope)
st.plotly_chart(figures.compare_chart(long, source_line=line.text()), key="compare_chart", config={"displaylogo": False})
controls.source_caption(line)

countries = {a.lads.set_index("area_code").at[c, "country"] for c in chosen}
scope_text = a.scope_caption(scope, country=next(iter(countries)) if scope == "country" and len(countries) == 1 else None)
columns = [a.label(c) for c in chosen]
ranks = long.pivot_table(index="factor_name", columns="area", values="rank_text", aggfunc="first", sort=False)
ranks = ranks[[c for c in columns if c in ranks.columns]]
st.markdown("#### Factor ranks (1 = best, with rank band)")
st.dataframe(ranks.reset_index().rename(columns={"factor_name": "Factor"}), hide_index=True, key="compare_ranks")
small = [a.label(c) for c in chosen if c in a.small_areas]
for name in small:
    st.caption(f"{name} {scopes.SMALL_POPULATION_NOTE}")
st.caption(f"{scope_text} {scopes.NATIONAL_RANK_NOTE} {COMPOSITE_CAVEAT}")
evidence = long.pivot_table(index="factor_name", columns="area", values="evidence", aggfunc="first", sort=False)
evidence = evidence[[c for c in columns if c in evidence.columns]]
st.markdown("#### Evidence behind each score")
st.dataframe(evidence.reset_index().rename(columns={"factor_name": "Factor"}), hide_index=True, key="compare_evidence")
st.caption("Indicators behind the score · their oldest–newest periods · share of the weight that is a proxy · share inherited from a county, community safety partnership or police force area.")

st.markdown("#### Every indicator, latest period")
table = compare_view.compare_table(chosen, a.level_values("lad"), a.catalogue, {c: a.label(c) for c in chosen})
table["factor"] = table["factor"].map(lambda f: f"F{f}" if f else "Context")
st.dataframe(
    table.rename(columns={"factor": "Factor", "indicator": "Indicator", "unit": "Unit", "period": "Period"}),
    hide_index=True,
    key="compare_indicators",
    column_config={a.label(c): st.column_config.NumberColumn(format="%.3f") for c in chosen},
)
st.caption("Sources: each indicator's publisher as listed on the Methodology and sources page (mostly Open Government Licence v3.0). Blank: not published for that area (e.g. England-only indicators in Wales).")
