"""Area profile page: one LA's five-factor summary with rank bands, and every indicator against a chosen comparator; wards by name."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import app_data as data
import figures
from indicators import views

a = data.atlas()

c1, c2, c3, c4 = st.columns([1.8, 2.3, 1.2, 1.6])
with c1:
    lad = data.lad_picker("Local authority", "profile_area", help="Type part of an English or Welsh name. Ward names: use 'Find a ward' below.")
with c2:
    comparator = data.choose(
        "comparator", "profile_comparator", "Compare with", list(views.COMPARATORS), "region", what="comparator",
        format_func={"region": "Region", "country": "Country", "ons_neighbours": "ONS similar", "atlas_neighbours": "Our similar"}.get, widget="segmented",
    )
with c3:
    method = data.choose("method", "profile_method", "Score method", list(views.METHODS), "robust_z", what="method", format_func=views.METHODS.get)
with c4:
    scope = data.scope_picker("profile_scope")

# A ward code in the URL shows that ward inside its LA's profile, and stays in the link.
raw_area = str(data.param("area") or "").strip().upper()
ward = raw_area if a.level_of.get(raw_area) == "ward" and a.parent_of.get(raw_area) == lad else None
data.publish("area", "profile_area", ward or lad)

with st.expander("Find a ward by name", expanded=ward is not None):
    query = st.text_input("Ward name", key="profile_ward_query", placeholder="e.g. Bloomfield, Treganna")
    matches = views.find_wards(query, a.areas)
    if query and not matches:
        st.caption("No ward of England and Wales (May 2025) has that in its name.")
    if matches:
        pick = st.selectbox("Matching wards", matches, format_func=lambda c: f"{a.label(c)} — {a.names[a.parent_of[c]]}", key="profile_ward_pick")
        if st.button("Show this ward", key="profile_ward_go"):
            st.query_params["area"] = pick
            st.rerun()

me = a.lads[a.lads["area_code"] == lad].iloc[0]
welsh = a.welsh.get(lad)
title = me["area_name"] + (f" / {welsh}" if welsh and welsh != me["area_name"] else "")
st.subheader(title)
country = "Wales" if me["country"] == "W" else "England"
region = "" if me["country"] == "W" else f"{me['region_name']}, "
st.caption(f"{lad} · {region}{country} · {me['area_km2']:,.0f} km² · local authority district (May 2025)")

# ---- five-factor summary
kind = views.NEIGHBOUR_KINDS.get(comparator, "ons_global")
summary = views.factor_summary(lad, method, a.scores_for("lad", scope), a.areas, a.neighbours, kind, scope)
score_line = views.score_source_line("composite", method, a.catalogue, a.sources, scope, country=me["country"])
scope_text = a.scope_caption(scope, country=me["country"] if scope == "country" else None)
if lad in a.small_areas:
    st.info(f"{me['area_name']} {views.SMALL_POPULATION_NOTE}", icon="ℹ️")
metrics = st.columns(len(summary)) if len(summary) else []
for col, r in zip(metrics, summary.itertuples()):
    label = "Composite" if r.factor == "composite" else f"Factor {r.factor}"
    value = f"{int(r.rank)} / {r.n_areas}" if pd.notna(r.rank) else "no score"
    band = f"band {int(r.rank_low)}–{int(r.rank_high)}" if pd.notna(r.rank_low) else "no band"
    col.metric(label, value, help=f"{r.name}. {scope_text} Rank 1 = best; {band}. Score {r.score:.3f} ({views.METHODS[method]}). Evidence: {r.evidence}.")
    # The evidence sits under each rank too: at 1366 px the table's Evidence column can fall off its right edge.
    col.caption(f"{band}  \n{r.evidence}")
st.caption(f"{scope_text} Ranks are out of the LAs with a score for that factor.")

left, right = st.columns([1.15, 1.4])
with left:
    if len(summary):
        st.plotly_chart(figures.factor_profile_chart(summary, source_line=score_line.text()), key="profile_factors", config={"displaylogo": False})
with right:
    similar_label = "ONS similar areas" if kind == "ons_global" else "our similar areas"
    own_country = "In Wales" if me["country"] == "W" else "In England"
    columns = {
        "Factor": summary["factor"].map(figures.FACTOR_SHORT),
        ("All LAs" if scope == "ew_common" else own_country): [
            views.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["rank"], summary["rank_low"], summary["rank_high"], summary["n_areas"])
        ],
    }
    if me["country"] == "E" or scope == "ew_common":
        columns["In region" if me["country"] == "E" else "In Wales"] = [
            views.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["region_rank"], summary["region_low"], summary["region_high"], summary["region_n"])
        ]
    columns[f"Similar ({'ONS' if kind == 'ons_global' else 'ours'})"] = [
        views.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["similar_rank"], summary["similar_low"], summary["similar_high"], summary["similar_n"])
    ]
    columns["Evidence"] = summary["evidence"]
    if lad in a.small_areas:
        columns["Note"] = views.SMALL_POPULATION_TEXT
    st.dataframe(pd.DataFrame(columns), hide_index=True, key="profile_factor_table", column_config={"Evidence": st.column_config.TextColumn(width="medium")})
    st.caption(
        "Rank/areas (band). " + views.NATIONAL_RANK_NOTE + " Region and similar-area ranks place this LA among that group by score; their bands carry "
        "the national band into the group (approximate: the other members are held at their own ranks)."
        + (" Similar areas in the other country are left out: the two countries' scores are not comparable in this scope." if scope == "country" else "")
        + " Evidence: indicators behind the score · their oldest–newest periods · share of the weight that is a proxy · share inherited from a county, community safety partnership or police force area."
    )
    correlations = views.factor_correlations(a.coherence, scope, me["country"])
    with st.expander("How each factor tracks demography and deprivation"):
        if correlations.empty:
            st.caption("The coherence audit (coherence.parquet) is missing from this build: run `python cli.py build`.")
        else:
            shown = correlations.dropna(axis=1, how="all").drop(columns="factor").rename(columns={"name": "Factor", **views.CORRELATION_COLUMNS})
            st.dataframe(shown, hide_index=True, key="profile_correlations", column_config={c: st.column_config.NumberColumn(format="%.2f") for c in shown.columns if c != "Factor"})
            st.caption(
                f"Spearman correlation of each factor score (robust z-score) with the ethnic-minority share (Census 2021, context only) and the "
                f"published deprivation score, across the LAs of this scope ({views.universe_label(scope, me['country'] if scope == 'country' else 'E+W')}). "
                "A strong correlation with deprivation is expected for social mobility; one with ethnicity would mean a factor measures who lives somewhere. "
                "Deprivation is the English IMD for English LAs and the WIMD for Welsh LAs, never compared with each other."
            )
    notes = [r.missing_reason for r in summary.itertuples() if r.missing_reason]
    if notes:
        st.caption("; ".join(sorted(set(notes))))
    note = views.scope_note(a.catalogue, scope, me["country"])
    if note:
        st.info(note)

st.info(views.FACTOR5_NOTE, icon="ℹ️")
st.caption(f"Composite: {views.COMPOSITE_CAVEAT}")
data.source_caption(score_line)

neighbours = a.neighbours[(a.neighbours["area_code"] == lad) & (a.neighbours["kind"] == kind)].sort_values("rank")
with st.expander(f"{similar_label.capitalize()} ({len(neighbours)})"):
    st.write(", ".join(a.label(c) for c in neighbours["neighbour_code"]) or "None published for this authority.")
    st.caption("ONS: statistical nearest neighbours from Explore Local Statistics (OGL v3.0). Ours: nearest neighbours on context variables (see Methodology).")

# ---- every indicator
st.markdown(f"#### Indicators against {views.COMPARATORS[comparator].lower()}")
rows = views.indicator_rows(lad, comparator, a.level_values("lad"), a.benchmarks, a.catalogue, a.sources, a.source_text, scope=scope)
comparator_label = {
    "region": me["region_name"] if me["country"] == "E" else "Wales",
    "country": country,
    "ons_neighbours": "ONS similar areas (median)",
    "atlas_neighbours": "our similar areas (median)",
}[comparator]
factor_tabs = [n for n in (1, 2, 3, 4, 5, 0) if n in set(rows["factor"])] if len(rows) else []
tabs = st.tabs([f"Factor {n}" if n else "Context" for n in factor_tabs]) if factor_tabs else []
for tab, number in zip(tabs, factor_tabs):
    with tab:
        block = rows[rows["factor"] == number]
        show = pd.DataFrame(
            {
                "Indicator": [t if (not proxy or "proxy" in t.lower()) else f"{t} (proxy)" for t, proxy in zip(block["title"], block["proxy"])],
                "Value": block["value"],
                "Unit": block["unit"],
                "Period": block["period"],
                comparator_label: block["comparator"],
                "Flag": block["flag"],
                "Trend": block["trend"],
                "Trend periods": block["trend_periods"],
                "In scores": block["in_scores"],
                "Source": block["source"],
            }
        )
        st.dataframe(
            show,
            hide_index=True,
            key=f"profile_indicators_{number}",
            column_config={
                "Value": st.column_config.NumberColumn(format="%.3f"),
                comparator_label: st.column_config.NumberColumn(format="%.3f"),
                "Trend": st.column_config.LineChartColumn(width="small"),
                "Source": st.column_config.TextColumn(width="medium"),
                "In scores": st.column_config.TextColumn(width="small"),
            },
        )
        if number == 5:
            st.caption(views.FACTOR5_NOTE)
st.caption(
    "Flag: better / similar / worse where the published 95% confidence interval lies wholly on one side of the region or "
    "country value; 'not compared' where no interval is published. Each row names its source; licences are on the Methodology and sources page."
)

# ---- the ward asked for in the link
if ward:
    st.markdown(f"#### Ward: {a.label(ward)} ({ward})")
    ward_scores = a.scores_for("ward", views.WARD_SCOPE)
    ward_scores = ward_scores[(ward_scores["area_code"] == ward) & (ward_scores["method"] == method)]
    ward_scores = ward_scores[ward_scores["score"].notna() | (ward_scores["factor"] != "composite")]
    ward_factors = a.score_keys.get("ward", [])
    st.dataframe(
        pd.DataFrame(
            {
                "Score": ward_scores["factor"].map(lambda f: views.measure_label("composite", a.catalogue, "ward", ward_factors) if f == "composite" else f"Factor {f}"),
                "Value": ward_scores["score"].round(3),
                "Rank among wards of its country": [
                    views.rank_text(r, lo, hi, int(n)) for r, lo, hi, n in zip(ward_scores["rank"], ward_scores["rank_low"], ward_scores["rank_high"], ward_scores["n_areas"])
                ],
                "Evidence": [views.evidence_text(r) for r in ward_scores.to_dict("records")],
                "Note": [reason if pd.isna(score) else "" for reason, score in zip(ward_scores["missing_reason"], ward_scores["score"])],
            }
        ),
        hide_index=True,
        key="profile_ward_scores",
    )
    st.caption(a.scope_caption(views.WARD_SCOPE, country=a.areas.set_index("area_code").at[ward, "country"], level="ward"))
    st.dataframe(views.ward_rows(ward, a.level_values("ward"), a.catalogue), hide_index=True, key="profile_ward_values")
    st.caption(a.ward_note)
