"""Compare page: two to six LAs side by side across the five factors and every indicator."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import app_data as data
import figures
from indicators import views

a = data.atlas()

first = data.shared("area") if a.level_of.get(data.shared("area")) == "lad" else views.DEFAULT_LAD
defaults = list(dict.fromkeys([first, "E06000009", "W06000015"]))[:3]
codes, message = views.check_area_list(data.param("areas"), a.areas, defaults)
data.warn(message)
c1, c2 = st.columns([4, 1.3])
with c1:
    data.bind("areas", "compare_areas", codes, a.lad_codes)
    chosen = st.multiselect(
        "Local authorities (2 to 6; type to search)", a.lad_codes, key="compare_areas", format_func=a.label, max_selections=6,
    )
with c2:
    method = data.choose("method", "compare_method", "Score method", list(views.METHODS), "robust_z", what="method", format_func=views.METHODS.get)
if len(chosen) < 2:
    st.info("Choose at least two local authorities to compare.")
    st.stop()
data.publish("areas", "compare_areas", chosen)

scores = a.scores_by_level["lad"]
scores = scores[(scores["method"] == method) & scores["area_code"].isin(chosen)]
everyone = a.scores_by_level["lad"]
n_by_factor = everyone[everyone["method"] == method].groupby("factor")["score"].count().to_dict()
long = pd.DataFrame(
    {
        "area": scores["area_code"].map(a.label),
        "code": scores["area_code"],
        "factor": scores["factor"],
        "factor_name": scores["factor"].map(figures.FACTOR_SHORT),
        "score": scores["score"],
        "rank_text": [views.rank_text(r, lo, hi, n_by_factor.get(f, 0)) for r, lo, hi, f in zip(scores["rank"], scores["rank_low"], scores["rank_high"], scores["factor"])],
    }
)
long["order"] = long["code"].map({c: i for i, c in enumerate(chosen)})
long = long.sort_values(["order", "factor"])
line = views.score_source_line("composite", method, a.catalogue, a.sources)
st.plotly_chart(figures.compare_chart(long, source_line=line.text()), key="compare_chart", config={"displaylogo": False})
data.source_caption(line)

ranks = long.pivot_table(index="factor_name", columns="area", values="rank_text", aggfunc="first", sort=False)
ranks = ranks[[a.label(c) for c in chosen if a.label(c) in ranks.columns]]
st.markdown("#### Factor ranks among all LAs (1 = best, with rank band)")
st.dataframe(ranks.reset_index().rename(columns={"factor_name": "Factor"}), hide_index=True, key="compare_ranks")
st.caption(f"{views.NATIONAL_RANK_NOTE} {views.COMPOSITE_CAVEAT}")

st.markdown("#### Every indicator, latest period")
table = views.compare_table(chosen, a.level_values("lad"), a.catalogue, {c: a.label(c) for c in chosen})
table["factor"] = table["factor"].map(lambda f: f"F{f}" if f else "Context")
st.dataframe(
    table.rename(columns={"factor": "Factor", "indicator": "Indicator", "unit": "Unit", "period": "Period"}),
    hide_index=True,
    key="compare_indicators",
    column_config={a.label(c): st.column_config.NumberColumn(format="%.3f") for c in chosen},
)
st.caption("Sources: each indicator's publisher as listed on the Methodology and sources page (mostly Open Government Licence v3.0). Blank: not published for that area (e.g. England-only indicators in Wales).")
