"""Area profile page: one LA's five-factor summary with rank bands and every indicator against a chosen comparator;
or, for a ward code (?area=E05... or W05...), the ward's factors and indicators against its LA, its country and its
similar wards."""
from __future__ import annotations

import textwrap

import pandas as pd
import streamlit as st

import vocabulary as vocab
from dashboard import app_data as data
from dashboard import controls, measure_labels, profile_view, scopes, source_lines, ward_profile_view
from dashboard.page_table import PAGES
from scoring.scores import BAND_NOTE, COMPOSITE_CAVEAT

a = data.atlas()
raw_area = str(controls.param("area") or "").strip().upper()


def ward_picker(lad: str, current: str | None, label: str) -> str | None:
    """The wards of the LA by name (Welsh too where a ward has one); '' stands for the LA itself."""
    options = ["", *ward_profile_view.wards_of(lad, a.areas)]
    controls.bind("area", "profile_ward", current or "", options)
    choice = st.selectbox(
        label, options, key="profile_ward", format_func=lambda c: a.label(c) if c else f"Whole authority ({len(options) - 1} wards)",
        help="Type part of an English or Welsh ward name. Choosing a ward opens its profile.",
    )
    return choice or None


def ward_search() -> None:
    """Any ward of England and Wales by part of its English or Welsh name."""
    query = st.text_input("Find any ward by name", key="profile_ward_query", placeholder="e.g. Bloomfield, Treganna")
    matches = ward_profile_view.find_wards(query, a.areas)
    if query and not matches:
        st.caption("No ward of England and Wales (May 2025) has that in its name.")
    if matches:
        pick = st.selectbox("Matching wards", matches, format_func=lambda c: f"{a.label(c)} — {a.label(a.parent_of[c])}", key="profile_ward_pick")
        if st.button("Show this ward", key="profile_ward_go"):
            st.query_params["area"] = pick
            st.rerun()


def show(code: str) -> None:
    """The URL holds the one area shown; both pickers are told, so neither resets to the old link on the next run."""
    controls.publish("area", "profile_area", code)
    controls.publish("area", "profile_ward", code)


def go_to(code: str) -> None:
    """Switch between the LA and a ward profile."""
    show(code)
    st.rerun()


def ward_profile(ward: str, lad: str, method: str) -> None:
    """Header, factors, indicators and similar wards of one ward."""
    me = a.areas.set_index("area_code").loc[ward]
    country = me["country"]
    country_name = vocab.COUNTRY_NAMES[country]
    lad_short = a.names[lad]
    st.subheader(a.label(ward))
    reliability = ward_profile_view.ward_reliability_row(ward, a.ward_reliability)
    rests = f" · {ward_profile_view.rests_on_counts(reliability)}" if reliability else ""
    st.caption(f"{ward} · ward (May 2025 boundaries) in {a.label(lad)} ({lad}) · {country_name} · {me['area_km2']:,.1f} km²{rests}")
    links = st.columns([1.1, 1.1, 2])
    links[0].page_link(PAGES["profile"], label=f"{a.label(lad)}: LA profile", query_params={"area": lad})
    links[1].page_link(PAGES["wards"], label=f"{lad_short} on the ward map", query_params={"area": lad})
    with links[2]:
        controls.report_downloads(ward)
    if reliability and reliability["low_reliability"]:
        st.warning(
            f"Low reliability: {reliability['reliability_note']}. Those values are marked {ward_profile_view.LOW_RELIABILITY_MARK} in the "
            "'Rests on' column below; values summed from output areas are not affected.",
            icon="⚠️",
        )

    ward_scores = a.scores_for("ward", vocab.WARD_SCOPE)
    compared = data.ward_comparisons()
    similar = ward_profile_view.similar_ward_rows(ward, compared.similar, a.areas, a.names, a.welsh)
    ward_factors(ward_profile_view.ward_factor_rows(ward, method, ward_scores, compared.benchmarks, a.catalogue), country)
    single = ward_profile_view.ward_single_indicators(ward, ward_scores)
    rows = ward_profile_view.ward_indicator_rows(ward, compared.benchmarks, a.level_values("ward"), a.catalogue, single, a.source_text)
    ward_indicators(rows, lad, country, len(similar))
    with st.expander(f"Similar wards ({len(similar)}), chosen on context variables", expanded=True):
        similar_wards(similar, country)


def ward_factors(factors: pd.DataFrame, country: str) -> None:
    """Each factor's rank among the country's wards (or its single indicator, or why neither), as metrics and a table."""
    country_name = vocab.COUNTRY_NAMES[country]
    rank_column = f"Rank among {country_name}'s wards"
    metrics = st.columns(len(factors))
    for col, r in zip(metrics, factors.itertuples()):
        label = "Composite" if r.factor == "composite" else f"Factor {r.factor}"
        # Four-digit ranks "6747 / 6792" do not fit a metric at 1366 px: the rank is the value, "of N" goes below it.
        value = f"{int(r.rank):,}" if pd.notna(r.rank) else "–"
        out_of = f"of {int(r.n_areas):,} · " if pd.notna(r.rank) else ""
        if r.kind == "score":
            band = f"band {int(r.rank_low):,}–{int(r.rank_high):,} · " if pd.notna(r.rank_low) else ""
            covers = f"{r.name.removeprefix('Composite ')} · " if r.factor == "composite" else ""
            detail = f"{out_of}{covers}{band}score {r.value:.2f}  \n{r.evidence}"
        elif r.kind == "single indicator":
            detail = f"{out_of}**single indicator**, not a score: {textwrap.shorten(r.indicator_title, 48, placeholder='…')} = {r.value_text}"
        else:
            detail = r.measure
        col.metric(label, value, help=f"{r.name}. {r.measure}. Rank among {country_name}'s wards, 1 = best. {r.evidence}")
        col.caption(detail)
    st.dataframe(
        pd.DataFrame(
            {
                "Factor": [name if f == "composite" else vocab.FACTOR_SHORT.get(f, f) for f, name in zip(factors["factor"], factors["name"])],
                "Shown as": factors["measure"],
                "Value": factors["value_text"],
                rank_column: factors["rank_text"],
                "Evidence": factors["evidence"],
            }
        ),
        hide_index=True,
        key="profile_ward_factors",
        # The first four columns fit a 1366 px screen; the evidence (also under each rank above) scrolls.
        column_config={
            "Factor": st.column_config.TextColumn(width=200),
            "Shown as": st.column_config.TextColumn(width=330),
            "Value": st.column_config.TextColumn(width=140),
            rank_column: st.column_config.TextColumn(width=200),
            "Evidence": st.column_config.TextColumn(width=330),
        },
    )
    st.caption(
        a.scope_caption(vocab.WARD_SCOPE, country=country, level="ward")
        + f" Rank 1 is best. {BAND_NOTE} A factor resting on a single ward indicator in {country_name} gets no score: "
        "that indicator is shown under the factor's name with its value and rank. "
        + f"Composite: {COMPOSITE_CAVEAT}"
    )



def ward_indicators(rows: pd.DataFrame, lad: str, country: str, n_similar: int) -> None:
    """Every indicator of the ward beside its LA, its country and its similar wards, a tab per factor and one for context."""
    country_name = vocab.COUNTRY_NAMES[country]
    lad_short = a.names[lad]
    st.markdown(f"#### Indicators against {lad_short}, {country_name} and similar wards")
    factor_tabs = [n for n in (1, 2, 3, 4, 5, 0) if n in set(rows["factor"])] if len(rows) else []
    tabs = st.tabs([f"Factor {n}" if n else "Context" for n in factor_tabs]) if factor_tabs else []
    similar_column = "Similar wards"
    for tab, number in zip(tabs, factor_tabs):
        with tab:
            block = rows[rows["factor"] == number]
            if number == 0:
                st.caption("Context: who lives here and how (household mixing, tenure, health, language). Described, never scored.")
            st.dataframe(
                pd.DataFrame(
                    {
                        "Indicator": [f"⚠ {t}" if low else t for t, low in zip(block["title"], block["low_reliability"])],
                        "Value": block["value_text"],
                        "Unit": block["unit"],
                        "Period": block["period"],
                        "LA": block["lad_text"],
                        country_name: block["country_text"],
                        similar_column: block["similar_text"],
                        f"Position in {country_name}": block["position"],
                        "Rests on": block["rests_on"],
                        "In ward scores": block["in_scores"],
                    }
                ),
                hide_index=True,
                key=f"profile_ward_indicators_{number}",
                # Sized so every column fits a 1366 px screen; the sources are the line below the table.
                column_config={
                    "Indicator": st.column_config.TextColumn(width=180),
                    "Value": st.column_config.TextColumn(width=56, help="Formatted by its unit"),
                    "Unit": st.column_config.TextColumn(width=90),
                    "Period": st.column_config.TextColumn(width=60),
                    "LA": st.column_config.TextColumn(width=64, help=f"{a.label(lad)}: the same indicator and period"),
                    country_name: st.column_config.TextColumn(width=64, help=f"{country_name}: the same indicator and period"),
                    similar_column: st.column_config.TextColumn(width=68, help=f"Median of the {n_similar} similar wards (below) holding a value"),
                    f"Position in {country_name}": st.column_config.TextColumn(width=140, help=measure_labels.position_note(country)),
                    "Rests on": st.column_config.TextColumn(width=100),
                    "In ward scores": st.column_config.TextColumn(width=56),
                },
            )
            st.caption(source_lines.sources_line(block["indicator_id"], a.catalogue, a.sources))
    st.caption(
        f"LA ({lad_short}) and {country_name}: the same indicator and period for the LA and for the country (the country sums its wards' "
        "counts where the indicator is a share of counts, else weights its wards by Census 2021 residents). "
        + measure_labels.position_note(country) + " " + ward_profile_view.WARD_NOT_COMPARED
        + f" Similar wards: the median of the {n_similar} similar wards listed below. Rests on: the output areas (OAs) or best-fit "
        f"LSOAs a value is summed from; {ward_profile_view.LOW_RELIABILITY_MARK} (and ⚠ before the indicator) marks one LSOA, or LSOAs fewer than half of whose residents live in the ward. Each tab names its sources; full licences are on the Methodology and sources page."
    )
    st.caption(a.ward_note)


def similar_wards(similar: pd.DataFrame, country: str) -> None:
    """The similar wards, nearest first, with a link to each profile, and the variables they were chosen on."""
    if similar.empty:
        st.caption("No similar wards for this ward: it lacks a value for one of the context variables (or this build has no similar wards).")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Rank": similar["rank"],
                    "Ward": similar["ward"],
                    "Local authority": similar["la"],
                    "Profile": [f"profile?area={c}" for c in similar["area_code"]],
                }
            ),
            hide_index=True,
            key="profile_similar_wards",
            column_config={"Profile": st.column_config.LinkColumn("Profile", display_text="open profile")},
        )
    st.caption(ward_profile_view.similar_wards_note(country))


c1, c2, c3, c4 = st.columns([1.45, 2.9, 1.1, 1.45])  # "Compare with" holds four segments at 1366 px
with c1:
    lad = controls.lad_picker("Local authority", "profile_area", help="Type part of an English or Welsh name.")
# A ward code in the URL opens that ward's profile, unless the LA picker has just moved to another LA.
url_ward = raw_area if a.level_of.get(raw_area) == "ward" and a.parent_of.get(raw_area) == lad else None

if url_ward:
    with c2:
        ward = ward_picker(lad, url_ward, "Ward")
    with c3:
        method = controls.choose("method", "profile_method", "Score method", list(vocab.METHOD_LABELS), "robust_z", what="method", format_func=vocab.METHOD_LABELS.get)
    with c4:
        st.caption("Wards are ranked within their own country only (no England and Wales scope for wards).")
    if ward is None:
        go_to(lad)
    show(ward)
    with st.expander("Find a ward anywhere by name"):
        ward_search()
    ward_profile(ward, lad, method)
    st.stop()

with c2:
    comparator = controls.choose(
        "comparator", "profile_comparator", "Compare with", list(profile_view.COMPARATORS), "region", what="comparator",
        format_func={"region": "Region", "country": "Country", "ons_neighbours": "ONS similar", "atlas_neighbours": "Our similar"}.get, widget="segmented",
    )
with c3:
    method = controls.choose("method", "profile_method", "Score method", list(vocab.METHOD_LABELS), "robust_z", what="method", format_func=vocab.METHOD_LABELS.get)
with c4:
    scope = controls.scope_picker("profile_scope")
show(lad)

with st.expander(f"Open a ward profile: a ward of {a.names[lad]}, or any ward by name"):
    w1, w2 = st.columns(2)
    with w1:
        picked = ward_picker(lad, None, f"Wards of {a.names[lad]}")
    with w2:
        ward_search()
if picked:
    go_to(picked)

me = a.lads[a.lads["area_code"] == lad].iloc[0]
welsh = a.welsh.get(lad)
title = me["area_name"] + (f" / {welsh}" if welsh and welsh != me["area_name"] else "")
st.subheader(title)
country = "Wales" if me["country"] == "W" else "England"
region = "" if me["country"] == "W" else f"{me['region_name']}, "
head, downloads = st.columns([1.2, 1])
head.caption(f"{lad} · {region}{country} · {me['area_km2']:,.0f} km² · local authority district (May 2025)")
with downloads:
    controls.report_downloads(lad)

# ---- five-factor summary
kind = profile_view.NEIGHBOUR_KINDS.get(comparator, "ons_global")
summary = profile_view.factor_summary(lad, method, a.scores_for("lad", scope), a.areas, a.neighbours, kind, scope)
score_line = source_lines.score_source_line("composite", method, a.catalogue, a.sources, scope, country=me["country"])
scope_text = a.scope_caption(scope, country=me["country"] if scope == "country" else None)
if lad in a.small_areas:
    st.info(f"{me['area_name']} {scopes.SMALL_POPULATION_NOTE}", icon="ℹ️")
metrics = st.columns(len(summary)) if len(summary) else []
for col, r in zip(metrics, summary.itertuples()):
    label = "Composite" if r.factor == "composite" else f"Factor {r.factor}"
    value = f"{int(r.rank)} / {r.n_areas}" if pd.notna(r.rank) else "no score"
    band = f"band {int(r.rank_low)}–{int(r.rank_high)}" if pd.notna(r.rank_low) else "no band"
    col.metric(label, value, help=f"{r.name}. {scope_text} Rank 1 = best; {band}. Score {r.score:.3f} ({vocab.METHOD_LABELS[method]}). Evidence: {r.evidence}.")
    # The evidence sits under each rank too: at 1366 px the table's Evidence column can fall off its right edge.
    col.caption(f"{band}  \n{r.evidence}")
st.caption(f"{scope_text} Ranks are out of the LAs with a score for that factor.")

left, right = st.columns([1.15, 1.4])
with left:
    if len(summary):
        chart = profile_view.factor_chart(lad, method, a.scores_for("lad", scope), a.areas, a.neighbours, kind, scope, score_line.text())
        st.plotly_chart(chart, key="profile_factors", config={"displaylogo": False})
with right:
    similar_label = "ONS similar areas" if kind == "ons_global" else "our similar areas"
    own_country = "In Wales" if me["country"] == "W" else "In England"
    columns = {
        "Factor": summary["factor"].map(vocab.FACTOR_SHORT),
        ("All LAs" if scope == "ew_common" else own_country): [
            measure_labels.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["rank"], summary["rank_low"], summary["rank_high"], summary["n_areas"])
        ],
    }
    if me["country"] == "E" or scope == "ew_common":
        columns["In region" if me["country"] == "E" else "In Wales"] = [
            measure_labels.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["region_rank"], summary["region_low"], summary["region_high"], summary["region_n"])
        ]
    columns[f"Similar ({'ONS' if kind == 'ons_global' else 'ours'})"] = [
        measure_labels.rank_text(r, lo, hi, n, compact=True) for r, lo, hi, n in zip(summary["similar_rank"], summary["similar_low"], summary["similar_high"], summary["similar_n"])
    ]
    # The evidence of each factor is under its rank above: a fifth column would fall off the right edge at 1366 px.
    left_out = profile_view.similar_left_out(lad, a.areas, a.neighbours, kind, scope)
    if lad in a.small_areas:
        columns["Note"] = scopes.SMALL_POPULATION_TEXT
    st.dataframe(pd.DataFrame(columns), hide_index=True, key="profile_factor_table")
    st.caption(
        "Rank/areas (band). " + scopes.NATIONAL_RANK_NOTE + " Region and similar-area ranks place this LA among that group by score; their bands carry "
        "the national band into the group (approximate: the other members are held at their own ranks)."
        + (f" {len(left_out)} of the similar areas are in {vocab.COUNTRY_NAMES['W' if me['country'] == 'E' else 'E']} and are left out of the "
           "similar-area ranks: the two countries' scores are not comparable in this scope." if left_out else "")
        + " Evidence (under each rank above): indicators behind the score · their oldest–newest periods · share of the weight that is a proxy · share inherited from a county, community safety partnership or police force area."
    )
    correlations = scopes.factor_correlations(a.coherence, scope, me["country"])
    with st.expander("How each factor tracks demography and deprivation"):
        if correlations.empty:
            st.caption("The coherence audit (coherence.parquet) is missing from this build: run `python cli.py build`.")
        else:
            shown = correlations.dropna(axis=1, how="all").drop(columns="factor").rename(columns={"name": "Factor", **scopes.CORRELATION_COLUMNS})
            st.dataframe(shown, hide_index=True, key="profile_correlations", column_config={c: st.column_config.NumberColumn(format="%.2f") for c in shown.columns if c != "Factor"})
            st.caption(
                f"Spearman correlation of each factor score (robust z-score) with the ethnic-minority share (Census 2021, context only) and the "
                f"published deprivation score, across the LAs of this scope ({scopes.universe_label(scope, me['country'] if scope == 'country' else 'E+W')}). "
                "A strong correlation with deprivation is expected for social mobility; one with ethnicity would mean a factor measures who lives somewhere. "
                "Deprivation is the English IMD for English LAs and the WIMD for Welsh LAs, never compared with each other."
            )
    notes = [r.missing_reason for r in summary.itertuples() if r.missing_reason]
    if notes:
        st.caption("; ".join(sorted(set(notes))))
    note = profile_view.scope_note(a.catalogue, scope, me["country"])
    if note:
        st.info(note)

if factor5_note := profile_view.factor_note(a.catalogue, 5):
    st.info(factor5_note, icon="ℹ️")
st.caption(f"Composite: {COMPOSITE_CAVEAT}")
controls.source_caption(score_line)

neighbours = a.neighbours[(a.neighbours["area_code"] == lad) & (a.neighbours["kind"] == kind)].sort_values("rank")
with st.expander(f"{measure_labels.sentence_start(similar_label)} ({len(neighbours)})"):
    st.write(", ".join(a.label(c) for c in neighbours["neighbour_code"]) or "None published for this authority.")
    st.caption("ONS: statistical nearest neighbours from Explore Local Statistics (OGL v3.0). Ours: nearest neighbours on context variables (see Methodology).")

# ---- every indicator
st.markdown(f"#### Indicators against {measure_labels.mid_sentence(profile_view.COMPARATORS[comparator])}")
comparator_label = {
    "region": me["region_name"] if me["country"] == "E" else "Wales",
    "country": country,
    "ons_neighbours": "ONS similar areas (median)",
    "atlas_neighbours": "our similar areas (median)",
}[comparator]
position_column = f"Position in {country}"
tables = profile_view.indicator_tables(
    lad, comparator, a.level_values("lad"), a.benchmarks, a.catalogue, a.sources, a.source_text, scope, comparator_label, position_column
)
tabs = st.tabs([f"Factor {n}" if n else "Context" for n, _, _ in tables]) if tables else []
for tab, (number, shown_rows, indicator_ids) in zip(tabs, tables):
    with tab:
        # Sized so every column fits the 1366 px screen, the commonest council laptop; the sources are the line below.
        st.dataframe(
            shown_rows,
            hide_index=True,
            key=f"profile_indicators_{number}",
            column_config={
                "Indicator": st.column_config.TextColumn(width=220),
                "Value": st.column_config.TextColumn(width=58, help="Formatted by its unit"),
                "Unit": st.column_config.TextColumn(width=100),
                "Period": st.column_config.TextColumn(width=66),
                comparator_label: st.column_config.TextColumn(width=72, help=f"{comparator_label}: the same indicator and period"),
                "Flag": st.column_config.TextColumn(width=92, help=profile_view.FLAG_NOTE),
                position_column: st.column_config.TextColumn(width=150, help=measure_labels.position_note(me["country"], "LAs")),
                "Trend": st.column_config.LineChartColumn(width=70, help="Every published period, oldest to latest (the Trends page names them)"),
                "In scores": st.column_config.TextColumn(width=60),
            },
        )
        st.caption(source_lines.sources_line(indicator_ids, a.catalogue, a.sources))
        if tab_note := profile_view.factor_note(a.catalogue, number):
            st.caption(tab_note)
st.caption(
    f"{profile_view.FLAG_NOTE} {measure_labels.position_note(me['country'], 'LAs')} Trend: every published period, "
    "oldest to latest (the Trends page names them and marks series breaks). Each tab names its sources; full licences are on "
    "the Methodology and sources page."
)
