"""Composite builder page: choose factor and indicator weights and the method; see how LA ranks move, with rank bands."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import composite_view, controls, measure_labels, scopes, source_lines, url_state
from scoring import reweight
from scoring.scores import BAND_NOTE, COMPOSITE_CAVEAT

a = data.atlas()

st.subheader("Build your own composite")
c1, c2 = st.columns([1.2, 3])
with c1:
    method = controls.choose("method", "composite_method", "Method", list(vocab.METHOD_LABELS), "robust_z", what="method", format_func=vocab.METHOD_LABELS.get, widget="radio")
    scope = controls.scope_picker("composite_scope")
    lad = controls.lad_picker("Highlight a local authority", "composite_area")
    controls.publish("area", "composite_area", lad)

prepared = data.prepared(method, scope)
weights, message = url_state.check_weights(controls.param("weights"), len(vocab.FACTOR_NUMBERS))
controls.warn(message)
with c2:
    st.markdown("**Factor weights** (0 leaves a factor out; the composite is the weighted mean of the factor scores)")
    columns = st.columns(len(vocab.FACTOR_NUMBERS))
    factor_weights = {}
    for col, number, start in zip(columns, vocab.FACTOR_NUMBERS, weights):
        key = f"composite_w{number}"
        controls.bind("weights", key, float(start))
        with col:
            factor_weights[number] = st.slider(f"F{number}", 0.0, 5.0, step=0.5, key=key, help=vocab.FACTORS[number])
    controls.publish("weights", "composite_weights", ",".join(f"{w:g}" for w in factor_weights.values()))
    for number in vocab.FACTOR_NUMBERS:
        st.session_state[f"_seen_composite_w{number}"] = st.session_state["_seen_composite_weights"]

    indicator_ids = prepared.indicators
    iw_raw = str(controls.param("iw") or "")
    parsed_iw: dict[str, float] = {}
    bad = []
    for part in filter(None, iw_raw.split(",")):
        ind, _, w = part.partition(":")
        try:
            value = float(w)
        except ValueError:
            value = -1
        if ind in indicator_ids and 0 <= value <= 3:
            parsed_iw[ind] = value
        else:
            bad.append(part)
    if bad:
        controls.warn(f"Ignored indicator weights in the link that are unknown or outside 0-3: {url_state.safe_echo(','.join(bad))}.")
    indicator_weights = {}
    with st.expander("Indicator weights within each factor (0-3; 1 = equal)"):
        tabs = st.tabs([f"Factor {n}" for n in vocab.FACTOR_NUMBERS])
        factor_of = prepared.factor
        for tab, number in zip(tabs, vocab.FACTOR_NUMBERS):
            with tab:
                for ind in [i for i in indicator_ids if factor_of[i] == number]:
                    key = f"composite_iw_{ind}"
                    controls.bind("iw", key, parsed_iw.get(ind, 1.0))
                    only = prepared.countries_of(ind)
                    suffix = f" ({vocab.COUNTRY_NAMES[only[0]]} only)" if scope == "country" and len(only) == 1 and only[0] in vocab.COUNTRY_NAMES else ""
                    indicator_weights[ind] = st.slider(measure_labels.measure_label(ind, a.catalogue) + suffix, 0.0, 3.0, step=0.5, key=key)
    changed = {k: v for k, v in indicator_weights.items() if v != 1.0}
    controls.publish("iw", "composite_iw", ",".join(f"{k}:{v:g}" for k, v in changed.items()))
    for ind in indicator_ids:
        st.session_state[f"_seen_composite_iw_{ind}"] = st.session_state["_seen_composite_iw"]

if sum(factor_weights.values()) == 0:
    st.warning("All factor weights are 0, so there is no composite. Give at least one factor a weight.")
    st.stop()

weights = (prepared, tuple(sorted(changed.items())), tuple(sorted(factor_weights.items())), a.names, a.welsh, a.small_areas)
table = composite_view.shift_table(*weights)
country_of = a.lads.set_index("area_code")["country"]
score_line = source_lines.score_source_line("composite", method, a.catalogue, a.sources, scope)  # the same indicators and licences
line = source_lines.SourceLine(
    source=f"Cohesion Atlas composite under your weights ({vocab.METHOD_LABELS[method]}), from {len(indicator_ids)} indicators; see Methodology and sources",
    period=score_line.period,
    licence=score_line.licence,
)

st.plotly_chart(composite_view.shift_chart(*weights, line.text(), lad), key="composite_chart", config={"displaylogo": False})
controls.source_caption(line)
whole_numbers = {c: st.column_config.NumberColumn(format="%d") for c in composite_view.RANK_COLUMNS.values()}
with st.expander("The chart as a table: every LA's rank at equal and at your weights"):
    ranked = table.dropna(subset=["rank"]).sort_values(["universe", "rank"])
    st.dataframe(
        ranked[["area_name", "area_code", *composite_view.RANK_COLUMNS]].rename(columns={"area_name": "Area", "area_code": "Code", **composite_view.RANK_COLUMNS}),
        hide_index=True,
        key="composite_chart_table",
        column_config=whole_numbers,
    )
st.caption(a.scope_caption(scope) + (" The chart puts both countries' ranks on one pair of axes; each is out of its own country's LAs." if scope == "country" else ""))

me = table[table["area_code"] == lad]
if len(me) and pd.notna(me["rank"].iloc[0]):
    r = me.iloc[0]
    moved = int(r["change"])
    among = "" if scope == "ew_common" else f" LAs in {vocab.COUNTRY_NAMES.get(country_of.get(lad), 'its country')}"
    published = a.scores_for("lad", scope)
    published = published[(published["area_code"] == lad) & (published["method"] == method) & (published["factor"] == "composite")]
    published_band = (published["rank_low"].iloc[0], published["rank_high"].iloc[0]) if len(published) else (None, None)
    st.markdown(
        f"**{a.label(lad)}**: rank {int(r['rank'])} of {int(r['n_areas'])}{among} under your weights "
        f"({composite_view.band_comparison(r['rank_low'], r['rank_high'], *published_band)}); {int(r['equal_rank'])} at equal weights "
        f"({'up' if moved > 0 else 'down' if moved < 0 else 'no change'}{f' {abs(moved)}' if moved else ''})."
        + (f" {a.names[lad]} {scopes.SMALL_POPULATION_NOTE}" if lad in a.small_areas else "")
    )
elif len(me):
    st.markdown(f"**{a.label(lad)}** has no composite in this scope: a factor score is missing.")

show = composite_view.biggest_moves(table)
st.markdown("#### Biggest moves against equal weights")
if show.empty:
    st.caption("No LA changes rank: these weights give the equal-weight ranks. Move a slider above to see who moves.")
else:
    st.dataframe(
        show.assign(universe=show["universe"].map(lambda u: {"E+W": "England and Wales", **vocab.COUNTRY_NAMES}.get(u, u)))[
            ["area_name", *composite_view.RANK_COLUMNS, "universe", "score", "note"]
        ].rename(
            columns={"area_name": "Area", **composite_view.RANK_COLUMNS, "universe": "Ranked among", "score": "Composite score", "note": "Note"}
        ),
        hide_index=True,
        key="composite_movers",
        column_config={"Composite score": st.column_config.NumberColumn(format="%.2f"), **whole_numbers},
    )
    st.caption("Up to eight LAs that moved up most, then eight that moved down most; an LA whose rank did not change is not listed.")
st.caption(composite_view.BAND_METHODS_NOTE)

with st.expander("How weights become the index", expanded=False):
    st.markdown(
        f"""
1. The scope sets which LAs are ranked together and on which indicators: {vocab.SCOPE_LABELS['ew_common']} puts all 318 LAs on
   the indicators published for both countries; {vocab.SCOPE_LABELS['country']} normalises and ranks each country on its own indicators.
2. Within that set, each indicator is put on one scale ({measure_labels.mid_sentence(vocab.METHOD_LABELS[method])}) with higher meaning better, exactly as in the published scores.
3. Within each factor, the factor score is the weighted mean of its indicators' normalised values, using the indicator
   weights above (1 = equal), re-standardised for the indicators each LA has, as the build does. A factor needs 60% of the
   weight of the indicators published for the area's country, or it is missing.
4. The composite is the weighted mean of the five factor scores with your factor weights; an LA with any weighted factor missing has no composite.
5. LAs are ranked on the composite (1 = best) within their set. The weight band on this page is {reweight.BUILDER_BAND_NOTE}
   The published band on the Area profile is a different method: {BAND_NOTE}
6. At equal weights this page reproduces the published composite of the chosen scope exactly.
"""
    )
st.info(COMPOSITE_CAVEAT, icon="ℹ️")
