"""Area profile page: one LA's five-factor summary with rank bands, and every indicator against a chosen comparator; wards by name."""
from __future__ import annotations

import textwrap

import pandas as pd
import streamlit as st

import app_data as data
import figures
from indicators import views

a = data.atlas()

c1, c2, c3 = st.columns([2, 2.6, 1.2])
with c1:
    lad = data.lad_picker("Local authority", "profile_area", help="Type part of an English or Welsh name. Ward names: use 'Find a ward' below.")
with c2:
    comparator = data.choose(
        "comparator", "profile_comparator", "Compare with", list(views.COMPARATORS), "region", what="comparator",
        format_func={"region": "Region", "country": "Country", "ons_neighbours": "ONS similar", "atlas_neighbours": "Our similar"}.get, widget="segmented",
    )
with c3:
    method = data.choose("method", "profile_method", "Score method", list(views.METHODS), "robust_z", what="method", format_func=views.METHODS.get)

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
summary = views.factor_summary(lad, method, a.scores_by_level["lad"], a.areas, a.neighbours, kind)
score_line = views.score_source_line("composite", method, a.catalogue, a.sources)
metrics = st.columns(len(summary)) if len(summary) else []
for col, r in zip(metrics, summary.itertuples()):
    label = "Composite" if r.factor == "composite" else f"Factor {r.factor}"
    value = f"{int(r.rank)} / {r.n_areas}" if pd.notna(r.rank) else "no score"
    band = f"band {int(r.rank_low)}–{int(r.rank_high)}" if pd.notna(r.rank_low) else "no band"
    col.metric(label, value, help=f"{r.name}. Rank among all LAs (1 = best); {band}. Score {r.score:.3f} ({views.METHODS[method]}).")
    col.caption(band)

left, right = st.columns([1.15, 1.4])
with left:
    if len(summary):
        st.plotly_chart(figures.factor_profile_chart(summary, source_line=score_line.text()), key="profile_factors", config={"displaylogo": False})
with right:
    similar_label = "ONS similar areas" if kind == "ons_global" else "our similar areas"
    table = pd.DataFrame(
        {
            "Factor": summary["factor"].map(figures.FACTOR_SHORT),
            "All LAs": [views.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["rank"], summary["rank_low"], summary["rank_high"], summary["n_areas"])],
            "In region" if me["country"] == "E" else "In Wales": [
                views.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["region_rank"], summary["region_low"], summary["region_high"], summary["region_n"])
            ],
            f"Similar ({'ONS' if kind == 'ons_global' else 'ours'})": [
                views.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["similar_rank"], summary["similar_low"], summary["similar_high"], summary["similar_n"])
            ],
        }
    )
    st.dataframe(table, hide_index=True, key="profile_factor_table")
    st.caption(
        "Rank/areas (band). " + views.NATIONAL_RANK_NOTE + " Region and similar-area ranks place this LA among that group by score; their bands carry "
        "the national band into the group (approximate: the other members are held at their own ranks)."
    )
    notes = [r.missing_reason for r in summary.itertuples() if r.missing_reason]
    if me["country"] == "W":
        missing = views.unavailable_for_country(a.catalogue, "W")
        st.info(
            f"Welsh authority: {len(missing)} indicators are published for England only and are not in these scores "
            f"({'; '.join(textwrap.shorten(t, 60, placeholder='…') for t in missing['title'])}). Deprivation uses the Welsh Index (WIMD), never compared with the English IoD.",
        )
    elif notes:
        st.caption("; ".join(sorted(set(notes))))

st.info(views.FACTOR5_NOTE, icon="ℹ️")
st.caption(f"Composite: {views.COMPOSITE_CAVEAT}")
data.source_caption(score_line)

neighbours = a.neighbours[(a.neighbours["area_code"] == lad) & (a.neighbours["kind"] == kind)].sort_values("rank")
with st.expander(f"{similar_label.capitalize()} ({len(neighbours)})"):
    st.write(", ".join(a.label(c) for c in neighbours["neighbour_code"]) or "None published for this authority.")
    st.caption("ONS: statistical nearest neighbours from Explore Local Statistics (OGL v3.0). Ours: nearest neighbours on context variables (see Methodology).")

# ---- every indicator
st.markdown(f"#### Indicators against {views.COMPARATORS[comparator].lower()}")
rows = views.indicator_rows(lad, comparator, a.level_values("lad"), a.benchmarks, a.catalogue, a.sources, a.source_text)
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
    ward_scores = a.scores_by_level["ward"]
    ward_scores = ward_scores[(ward_scores["area_code"] == ward) & (ward_scores["method"] == method)]
    n_wards = int(a.scores_by_level["ward"].query("factor == 'composite' and method == @method")["score"].notna().sum())
    st.dataframe(
        pd.DataFrame(
            {
                "Score": ward_scores["factor"].map(lambda f: "Composite (factors 1 and 3)" if f == "composite" else f"Factor {f}"),
                "Value": ward_scores["score"].round(3),
                "Rank among wards": [views.rank_text(r, lo, hi, n_wards) for r, lo, hi in zip(ward_scores["rank"], ward_scores["rank_low"], ward_scores["rank_high"])],
            }
        ),
        hide_index=True,
        key="profile_ward_scores",
    )
    st.dataframe(views.ward_rows(ward, a.level_values("ward"), a.catalogue), hide_index=True, key="profile_ward_values")
    st.caption(a.ward_note)
