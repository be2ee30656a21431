"""Data and export page: filter indicator values or factor scores, preview, and download CSV, XLSX (with metadata) or GeoJSON."""
from __future__ import annotations

import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import controls, export_view, measure_labels, scopes, source_lines, url_state
from outputs import downloads

a = data.atlas()
geo = data.geometry()

c1, c2, c3, c4 = st.columns([1.3, 1, 1.2, 1.5])
with c1:
    dataset = controls.choose("dataset", "data_dataset", "Table", ["values", "scores"], "values", what="table",
                          format_func={"values": "Indicator values", "scores": "Factor scores"}.get, widget="radio", horizontal=True)
with c2:
    level = controls.choose("level", "data_level", "Level", ["lad", "ward"], "lad", what="level",
                        format_func={"lad": "Local authorities", "ward": "Wards"}.get, widget="radio", horizontal=True)
with c3:
    method = controls.choose("method", "data_method", "Score method", ["both", *vocab.METHOD_LABELS], "both", what="method",
                         format_func=lambda m: "Both methods" if m == "both" else vocab.METHOD_LABELS[m], disabled=dataset != "scores")
with c4:
    # Wards are scored only within their own country, so at ward level the scope is fixed (and said below).
    scope = controls.scope_picker("data_scope", disabled=dataset != "scores" or level == "ward")
score_scope = vocab.WARD_SCOPE if level == "ward" else scope

factor_options = [1, 2, 3, 4, 5, 0]
raw_factors = [f.strip() for f in str(controls.param("factor") or "").split(",") if f.strip()]
factors = [int(f) for f in raw_factors if f.isdigit() and int(f) in factor_options]
if len(factors) != len(raw_factors):
    controls.warn(f"Ignored factors in the link that do not exist: {url_state.safe_echo(','.join(raw_factors))}. Factors are 1-5, and 0 for context.")
d1, d2 = st.columns([1.4, 3])
with d1:
    controls.bind("factor", "data_factors", factors, factor_options)
    chosen_factors = st.multiselect("Factors (none = all)", factor_options, key="data_factors", format_func=lambda f: f"{f}. {vocab.FACTORS[f][:34]}" if f else "Context (not scored)")
    controls.publish("factor", "data_factors", [str(f) for f in chosen_factors])

catalogue = a.catalogue
indicator_options = [m for m in a.measure_options(level, with_scores=False)]
if chosen_factors:
    in_factor = set(catalogue[catalogue["factor"].isin(chosen_factors)]["indicator_id"])
    indicator_options = [m for m in indicator_options if m in in_factor]
raw_inds = [i.strip().lower() for i in str(controls.param("indicator") or "").split(",") if i.strip()]
inds = [i for i in raw_inds if i in indicator_options]
if len(inds) != len(raw_inds):
    controls.warn(f"Ignored indicators in the link that are not in the catalogue for this level and factor: {url_state.safe_echo(','.join(i for i in raw_inds if i not in inds))}.")
with d2:
    controls.bind("indicator", "data_indicators", inds, indicator_options)
    chosen_inds = st.multiselect("Indicators (none = all listed)", indicator_options, key="data_indicators",
                                 format_func=lambda m: measure_labels.measure_label(m, catalogue), disabled=dataset == "scores")
    controls.publish("indicator", "data_indicators", chosen_inds)
use_inds = chosen_inds or indicator_options

e1, e2 = st.columns([1, 3])
period_options = ["latest", "all"] + measure_labels.sort_periods({p for i in use_inds for p in a.periods_for(i, level)})
with e1:
    period = controls.choose("period", "data_period", "Period", period_options, "latest", what="period",
                         format_func=lambda p: {"latest": "Latest for each indicator", "all": "All periods"}.get(p, p), disabled=dataset == "scores")
codes, message = url_state.check_area_list(controls.param("areas"), a.areas, [], low=0, high=400)
controls.warn(message)
with e2:
    controls.bind("areas", "data_areas", codes, a.lad_codes)
    chosen_areas = st.multiselect("Local authorities (none = all; at ward level, their wards)", a.lad_codes, key="data_areas", format_func=a.label)
    controls.publish("areas", "data_areas", chosen_areas)

# ---- the selection (filters run on the cached tables, outside the cache)
export = export_view.export_rows(a, dataset, level, method, score_scope, chosen_factors, use_inds, period, chosen_areas)
rows, export_ids = export.rows, export.indicator_ids

st.markdown(f"**{len(rows):,} rows** · {rows['area_code'].nunique():,} areas" + (f" · {rows['indicator_id'].nunique()} indicators" if "indicator_id" in rows else ""))
if dataset == "scores":
    st.caption(
        f"Scope `{score_scope}`: {a.scope_caption(score_scope, level=level)} "
        + ("There is no common England and Wales scope for wards. " if level == "ward" else "")
        + "n_areas is how many areas the rank is out of; period_oldest–period_newest, proxy_share and inherited_share say how strong the evidence is"
        + (f"; {' and '.join(sorted(a.names[c] for c in a.small_areas))} have a {scopes.SMALL_POPULATION_TEXT} (small_population, note)." if level == "lad" and a.small_areas else ".")
    )
st.dataframe(export.preview, hide_index=True, height=300, key="data_preview")  # as the downloads write them
if len(rows) > 1000:
    st.caption("Preview shows the first 1,000 rows; the downloads hold them all.")
definitions, used_sources = export.definitions, export.sources
st.caption(
    "Every export carries its provenance: CSV rows name their source and licence; the XLSX has a 'metadata' sheet with "
    "definitions, sources, licences and retrieved dates; each GeoJSON feature gives the area's Welsh name and each value's "
    "source, licence and derivation, and the file holds the same metadata. Text that a spreadsheet could run as a formula is quoted."
)

stem = f"{dataset}_{level}_{period if dataset == 'values' else f'{method}_{score_scope}'}"
b1, b2, b3 = st.columns(3)
with b1:
    st.download_button("Download CSV", data=lambda: downloads.to_csv_bytes(rows), file_name=downloads.download_name(stem, "csv"),
                       mime="text/csv", key="data_csv", disabled=rows.empty, on_click="ignore")
with b2:
    st.download_button("Download XLSX (with metadata)", data=lambda: downloads.to_xlsx_bytes(rows, definitions, used_sources),
                       file_name=downloads.download_name(stem, "xlsx"), mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="data_xlsx", disabled=rows.empty, on_click="ignore")
with b3:
    too_big = rows["area_code"].nunique() > 8000
    st.download_button("Download GeoJSON", data=lambda: downloads.to_geojson_bytes(downloads.geojson_long(rows), geo.by_code, definitions, used_sources, boundaries=source_lines.boundary_credit(a.sources)),
                       file_name=downloads.download_name(stem, "geojson"), mime="application/geo+json", key="data_geojson",
                       disabled=rows.empty or too_big, on_click="ignore")

with st.expander("Definitions and sources of this selection"):
    st.dataframe(definitions, hide_index=True, key="data_definitions")
    st.dataframe(used_sources, hide_index=True, key="data_sources")
