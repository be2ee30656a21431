"""Page logic without Streamlit, on the real processed tables: URL checks, profile tables, comparator series, reweighting, downloads."""
from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

import vocabulary as vocab
from conftest import PROCESSED
from dashboard import map_view, measure_labels, profile_view, scopes, source_lines, trends_view, url_state, ward_profile_view
from outputs import downloads, geojson
from scoring import benchmarks, reweight
from scoring.neighbours import WARD_KNN_KIND

BLACKPOOL = "E06000009"
CARDIFF = "W06000015"
CANTON = "W05001273"  # Canton / Treganna, Cardiff


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "neighbours", "benchmarks", "sources", "coherence", "ward_reliability")
    return {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}


@pytest.fixture(scope="module")
def ward_bench(t):
    return benchmarks.ward_benchmark_table(t["indicator_values"], t["areas"], t["neighbours"], dict(zip(t["indicators"]["indicator_id"], t["indicators"]["polarity"])))


def scoped(t, scope, level="lad"):
    s = t["factor_scores"]
    return s[(s["level"] == level) & (s["scope"] == scope)]


def stored_row(t, code, factor, scope, method="robust_z", level="lad"):
    s = scoped(t, scope, level)
    rows = s[(s["area_code"] == code) & (s["factor"] == factor) & (s["method"] == method)]
    assert len(rows) == 1, rows  # one row per (area, level, scope, factor, method)
    return rows.iloc[0]


# ---- URL parameters

def test_check_area_accepts_lads_and_wards_and_explains_the_rest(t):
    areas = t["areas"]
    assert url_state.check_area("E06000009", areas, "E08000025") == ("E06000009", None)
    assert url_state.check_area(" e06000009 ", areas, "E08000025") == ("E06000009", None)
    assert url_state.check_area(None, areas, "E08000025") == ("E08000025", None)
    assert url_state.check_area(["E06000001", "E06000009"], areas, "E08000025")[0] == "E06000009"
    assert url_state.check_area("E05000932", areas, "E08000025") == ("E05000932", None)
    code, message = url_state.check_area("E05000932", areas, "E08000025", allow_ward=False)
    assert code == "E08000025" and "ward code" in message
    code, message = url_state.check_area("E99999999", areas, "E08000025")
    assert code == "E08000025" and "not one of the 318 local authorities" in message
    code, message = url_state.check_area("W05999999", areas, "E08000025")
    assert code == "E08000025" and "ward code `W05999999` in the link is not one of the 7,588 wards" in message
    code, message = url_state.check_area("<img src=x onerror=alert(1)>[link](http://evil)", areas, "E08000025")
    assert code == "E08000025" and "not a valid ONS code" in message
    assert "<" not in message and "](" not in message and "(http" not in message


def test_check_measure_period_choice_weights_and_lists(t):
    options = measure_labels.measure_options(t["indicators"], "lad")
    assert options[:6] == ["composite", "factor_1", "factor_2", "factor_3", "factor_4", "factor_5"]
    assert "imd_average_score" in options
    assert url_state.check_measure("IMD_AVERAGE_SCORE", options, "composite") == ("imd_average_score", None)
    assert url_state.check_measure("drop table", options, "composite")[1].startswith("The indicator")
    assert url_state.check_measure("not_an_indicator", options, "composite")[0] == "composite"
    ward_options = measure_labels.measure_options(t["indicators"], "ward", score_keys=["1", "3", "composite"])
    assert "gdhi_per_head" not in ward_options and "imd_average_score" in ward_options
    # Which ward scores are offered is read from the data, never written by hand.
    assert ward_options[:3] == ["composite", "factor_1", "factor_3"] and "factor_2" not in ward_options
    assert url_state.check_period("2019", ["2019", "2025"], "2025") == ("2019", None)
    assert url_state.check_period("1850", ["2019", "2025"], "2025")[0] == "2025"
    assert url_state.check_choice("country", profile_view.COMPARATORS, "region", "comparator") == ("country", None)
    assert url_state.check_choice("moon", profile_view.COMPARATORS, "region", "comparator")[0] == "region"
    assert url_state.check_weights("2,1,1,0,1", 5) == ([2.0, 1.0, 1.0, 0.0, 1.0], None)
    assert url_state.check_weights("2,1", 5)[1] and url_state.check_weights("a,b,c,d,e", 5)[1] and url_state.check_weights("9,1,1,1,1", 5)[1]
    assert url_state.check_weights("nan,1,1,1,1", 5)[0] == [1.0] * 5
    assert url_state.check_scope("country") == ("country", None)
    assert url_state.check_scope(" EW_COMMON ") == ("ew_common", None)
    assert url_state.check_scope(None) == (vocab.DEFAULT_SCOPE, None) == ("ew_common", None)
    scope, message = url_state.check_scope("galaxy")
    assert scope == "ew_common" and "`galaxy`" in message and "`country`" in message and "default" in message
    scope, message = url_state.check_scope("<script>x</script>", "country")
    assert scope == "country" and "<" not in message
    codes, message = url_state.check_area_list("E06000009,XYZ,W06000015,E06000009", t["areas"], ["E08000025"])
    assert codes == ["E06000009", "W06000015"] and "XYZ" in message
    codes, message = url_state.check_area_list("E06000009", t["areas"], ["E08000025", "E06000009"])
    assert codes == ["E06000009", "E08000025"] and message


def test_sort_periods_and_labels(t):
    assert measure_labels.sort_periods(["2022/23", "2011/12", "2020/21"]) == ["2011/12", "2020/21", "2022/23"]
    assert measure_labels.sort_periods(["2021-2024", "2018-2020"]) == ["2018-2020", "2021-2024"]
    assert measure_labels.fmt_value(43.467) == "43.47" and measure_labels.fmt_value(18846.0, "£ per head") == "£18,846"
    assert measure_labels.rank_text(221.0, 209.0, 229.0, 317) == "221 of 317 (band 209–229)"
    ward_keys = measure_labels.scored_factors(scoped(t, vocab.WARD_SCOPE, "ward"))
    assert ward_keys == ["composite", "1", "3", "4"]  # the factors with ward scores in this build, in menu order
    assert measure_labels.measure_label("composite", t["indicators"], "ward", ward_keys) == "Composite of factors 1, 3 and 4 (the factors with ward data)"
    assert measure_labels.measure_label("composite", t["indicators"], "ward", ["3", "4"]) == "Composite of factors 3 and 4 (the factors with ward data)"
    assert measure_labels.measure_options(t["indicators"], "ward", score_keys=ward_keys)[:4] == ["composite", "factor_1", "factor_3", "factor_4"]


# ---- profile

@pytest.mark.parametrize("scope", ["ew_common", "country"])
def test_factor_summary_matches_factor_scores(t, scope):
    lad_scores = scoped(t, scope)
    summary = profile_view.factor_summary(BLACKPOOL, "exponential", lad_scores, t["areas"], t["neighbours"], "ons_global", scope).set_index("factor")
    for factor in ("1", "2", "3", "4", "5", "composite"):
        stored = stored_row(t, BLACKPOOL, factor, scope, "exponential")
        assert summary.loc[factor, "score"] == pytest.approx(stored["score"], nan_ok=True)
        assert summary.loc[factor, "rank"] == stored["rank"] or np.isnan(stored["rank"])
        assert summary.loc[factor, "n_areas"] == stored["n_areas"]
        assert summary.loc[factor, "evidence"] == scopes.evidence_text(stored)
    # rank within the North West: count of North West LAs with a better factor-2 score, plus one
    lads = t["areas"][t["areas"]["level"] == "lad"]
    north_west = lads[lads["region_code"] == lads.set_index("area_code").loc[BLACKPOOL, "region_code"]]["area_code"]
    f2 = lad_scores[(lad_scores["factor"] == "2") & (lad_scores["method"] == "exponential")].set_index("area_code")["score"]
    expected = int((f2.reindex(north_west) > f2[BLACKPOOL]).sum() + 1)
    assert summary.loc["2", "region_rank"] == expected
    assert summary.loc["2", "region_n"] == f2.reindex(north_west).notna().sum()


def test_country_scope_ranks_cardiff_among_welsh_las_only(t):
    summary = profile_view.factor_summary(CARDIFF, "robust_z", scoped(t, "country"), t["areas"], t["neighbours"], "ons_global", "country").set_index("factor")
    stored = stored_row(t, CARDIFF, "3", "country")
    assert stored["n_areas"] == 22 and summary.loc["3", "n_areas"] == 22
    assert summary.loc["3", "rank"] == stored["rank"] <= 22
    assert measure_labels.rank_text(summary.loc["3", "rank"], None, None, summary.loc["3", "n_areas"]) == f"{int(stored['rank'])} of 22"
    # its similar areas are compared only within Wales: the two countries' country-scope scores are not comparable
    lads = t["areas"][t["areas"]["level"] == "lad"].set_index("area_code")
    ons = t["neighbours"][(t["neighbours"]["area_code"] == CARDIFF) & (t["neighbours"]["kind"] == "ons_global")]["neighbour_code"]
    welsh_similar = [c for c in ons if lads.loc[c, "country"] == "W"]
    assert summary.loc["3", "similar_n"] == len(set([CARDIFF, *welsh_similar]))
    common = profile_view.factor_summary(CARDIFF, "robust_z", scoped(t, "ew_common"), t["areas"], t["neighbours"], "ons_global", "ew_common").set_index("factor")
    assert common.loc["3", "n_areas"] == stored_row(t, CARDIFF, "3", "ew_common")["n_areas"] > 300


def test_scope_rows_are_one_per_area_factor_method(t):
    for scope in vocab.SCOPES:
        rows = scoped(t, scope)
        assert not rows.duplicated(["area_code", "level", "factor", "method"]).any()
        assert rows["area_code"].nunique() == 318
        assert len(scopes.scope_scores(t["factor_scores"], scope)) == (t["factor_scores"]["scope"] == scope).sum()
    assert scoped(t, "ew_common", "ward").empty and len(scoped(t, vocab.WARD_SCOPE, "ward")) > 0


def test_evidence_text_is_the_stored_evidence(t):
    row = stored_row(t, BLACKPOOL, "1", "ew_common")
    shares = f"{row['proxy_share']:.0%} proxy · {row['inherited_share']:.0%} inherited"
    assert scopes.evidence_text(row) == f"{int(row['n_indicators'])} indicators · {row['period_oldest']}–{row['period_newest']} · {shares}"
    assert scopes.evidence_text(row) == "3 indicators · 2021–2022/23 · 67% proxy · 0% inherited"  # the stored row, as read on 1 Dec 2026
    single = stored_row(t, BLACKPOOL, "2", "ew_common")
    assert scopes.evidence_text(single).startswith("1 indicator · YE Jun 2025 · ")  # one period, one indicator: no range, no plural
    assert scopes.evidence_text({"n_indicators": 0}) == "no indicator"
    assert scopes.period_range("2008", "2025") == "2008–2025" and scopes.period_range("2019", "2019") == "2019"
    assert scopes.period_range("2021-2024", "2024") == "2021-2024"  # local election turnout to GE2024: no "2021-2024–2024"


def test_scope_captions_count_the_build_universes(t):
    info = scopes.universes(t["areas"], t["indicators"], t["coherence"])
    factors = t["coherence"][t["coherence"]["indicator_id"] == ""]
    common = int(factors[(factors["level"] == "lad") & (factors["scope"] == "ew_common")]["n_indicators"].sum())
    welsh = int(factors[(factors["level"] == "lad") & (factors["scope"] == "country") & (factors["country"] == "W")]["n_indicators"].sum())
    assert scopes.scope_caption("ew_common", info) == f"Ranked across England and Wales on the {common} indicators published for both countries (318 LAs)."
    assert scopes.scope_caption("country", info, country="W") == f"Ranked within Wales on the {welsh} indicators published for Wales (22 LAs)."
    assert "Each LA is ranked within its own country" in scopes.scope_caption("country", info)
    ward = scopes.scope_caption(vocab.WARD_SCOPE, info, country="E", level="ward")
    assert ward.startswith("Wards are ranked within their own country") and "6,826 wards of England" in ward
    # the catalogue alone gives the same universes as the build's coherence audit
    assert scopes.universes(t["areas"], t["indicators"], None) == info
    assert ("ward", "ew_common", "E+W") not in info


def test_small_population_comes_from_the_scores(t):
    small = scopes.small_population_areas(t["factor_scores"])
    names = t["areas"].set_index("area_code")["area_name"]
    assert sorted(names[list(small)]) == ["City of London", "Isles of Scilly"]
    values = t["indicator_values"]
    frame = map_view.measure_frame("factor_4", "latest", "robust_z", "lad", values.iloc[0:0], scoped(t, "country"), t["indicators"], dict(names), small)
    row = frame.set_index("area_code").loc["E09000001"]
    stored = stored_row(t, "E09000001", "4", "country")
    assert row["note"] == scopes.SMALL_POPULATION_TEXT and scopes.SMALL_POPULATION_TEXT in row["detail"]
    assert row["rank_text"].startswith(f"{int(stored['rank'])} of {stored['n_areas']} ")
    assert row["evidence"] == scopes.evidence_text(stored)
    assert frame.set_index("area_code").loc[CARDIFF, "rank_text"].startswith(f"{int(stored_row(t, CARDIFF, '4', 'country')['rank'])} of 22 ")
    assert frame.set_index("area_code").loc[BLACKPOOL, "note"] == ""


def test_correlations_and_coherence_tables_are_the_stored_audit(t):
    coherence = t["coherence"]
    factors = coherence[coherence["indicator_id"] == ""]
    rho = scopes.factor_correlations(coherence, "country", "W").set_index("factor")
    stored = factors[(factors["level"] == "lad") & (factors["scope"] == "country") & (factors["country"] == "W")].set_index("factor")
    assert list(rho.index) == [1, 2, 3, 4, 5]
    assert rho.loc[3, "rho_wimd"] == pytest.approx(stored.loc[3, "rho_wimd"]) and rho.loc[3, "rho_wimd"] < -0.5
    assert rho["rho_imd"].isna().all()  # Welsh LAs have no IMD
    common = scopes.factor_correlations(coherence, "ew_common", "W").set_index("factor")
    assert common.loc[1, "rho_ethnic_minority"] == pytest.approx(factors[(factors["scope"] == "ew_common") & (factors["factor"] == 1)]["rho_ethnic_minority"].iloc[0])
    factor_table, indicator_table = scopes.coherence_tables(coherence, t["indicators"])
    assert len(factor_table) == len(factors) and len(indicator_table) == (coherence["indicator_id"] != "").sum()
    first = factor_table.iloc[0]
    assert (first["Scope"], first["Country"]) == ("ew_common", "E+W")
    assert first["Cronbach's alpha"] == pytest.approx(factors[(factors["scope"] == "ew_common") & (factors["level"] == "lad") & (factors["factor"] == 1)]["cronbach_alpha"].iloc[0])
    assert scopes.factor_correlations(None, "ew_common").empty


def test_scope_notes_and_in_scores(t):
    catalogue = t["indicators"]
    rows = {r["indicator_id"]: r for r in catalogue.to_dict("records")}
    assert profile_view.in_scores_text(rows["ethnic_minority_share"], "ew_common") == "no: context, never scored"
    england_only = catalogue[catalogue["scored"] & (catalogue["countries"] == "E") & (catalogue["factor"] > 0)]["indicator_id"].iloc[0]
    assert profile_view.in_scores_text(rows[england_only], "ew_common") == "not in this scope (England only)"
    assert profile_view.in_scores_text(rows[england_only], "country") == "yes"
    unscored = catalogue[~catalogue["scored"] & (catalogue["factor"] > 0)]
    if len(unscored):
        assert profile_view.in_scores_text(rows[unscored["indicator_id"].iloc[0]], "country").startswith("no: ")
    assert "published for England only" in profile_view.scope_note(catalogue, "country", "W")
    assert profile_view.scope_note(catalogue, "country", "E") == ""
    assert "published for both countries" in profile_view.scope_note(catalogue, "ew_common", "E")


def test_indicator_rows_use_benchmarks_for_each_comparator(t):
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    bench = t["benchmarks"].set_index(["area_code", "indicator_id"])
    for comparator, column in profile_view.COMPARATOR_COLUMNS.items():
        rows = profile_view.indicator_rows(BLACKPOOL, comparator, lad_values, t["benchmarks"], t["indicators"], t["sources"]).set_index("indicator_id")
        assert rows.loc["imd_average_score", "value"] == pytest.approx(43.467)
        assert rows.loc["imd_average_score", "period"] == "2025"
        assert rows.loc["gross_median_weekly_pay", "comparator"] == pytest.approx(bench.loc[(BLACKPOOL, "gross_median_weekly_pay"), column])
    rows = profile_view.indicator_rows(BLACKPOOL, "country", lad_values, t["benchmarks"], t["indicators"], t["sources"]).set_index("indicator_id")
    assert rows.loc["gross_median_weekly_pay", "flag"] == bench.loc[(BLACKPOOL, "gross_median_weekly_pay"), "flag_vs_country"] == "worse"
    assert rows.loc["imd_average_score", "trend"] == pytest.approx([33.90366, 37.658405, 40.388849, 41.996625, 45.039, 43.467], abs=1e-5)
    assert "English Indices of Deprivation 2025" in rows.loc["imd_average_score", "source"]


def test_welsh_las_are_told_which_indicators_are_england_only(t):
    missing = profile_view.unavailable_for_country(t["indicators"], "W")
    assert set(missing["indicator_id"]) == set(t["indicators"][t["indicators"]["countries"] == "E"]["indicator_id"])
    assert "imd_average_score" in set(missing["indicator_id"]) and "wimd_score" not in set(missing["indicator_id"])


def test_find_wards_by_english_or_welsh_name(t):
    hits = ward_profile_view.find_wards("ainsdale", t["areas"])
    assert hits[0] == "E05000932"
    welsh = t["areas"][(t["areas"]["level"] == "ward") & t["areas"]["area_name_welsh"].notna()].iloc[0]
    assert welsh["area_code"] in ward_profile_view.find_wards(welsh["area_name_welsh"], t["areas"], limit=200)
    assert ward_profile_view.find_wards("x", t["areas"]) == []


# ---- ward profile

def ward_value(t, ward, indicator_id):
    v = t["indicator_values"]
    rows = v[(v["level"] == "ward") & (v["area_code"] == ward) & (v["indicator_id"] == indicator_id)]
    return rows.sort_values("period", key=lambda p: p.map({x: i for i, x in enumerate(measure_labels.sort_periods(p))})).iloc[-1]


def test_ward_factor_rows_show_single_indicators_under_the_factor_never_as_scores(t, ward_bench):
    ward_scores = scoped(t, vocab.WARD_SCOPE, "ward")
    rows = ward_profile_view.ward_factor_rows(CANTON, "robust_z", ward_scores, ward_bench, t["indicators"]).set_index("factor")
    assert list(rows.index) == ["1", "2", "3", "4", "5", "composite"]
    # Wales: factor 2 rests on the WIMD community safety domain alone, factor 1 on English proficiency alone
    for factor, indicator in (("2", "wimd_community_safety_score"), ("1", "cannot_speak_english_well")):
        stored = stored_row(t, CANTON, factor, vocab.WARD_SCOPE, level="ward")
        assert stored["single_indicator"] == indicator and np.isnan(stored["score"])
        row = rows.loc[factor]
        title = measure_labels.catalogue_row(t["indicators"], indicator)["title"]
        assert row["kind"] == "single indicator" and row["measure"] == f"single indicator, not a score: {title}"
        assert row["value"] == pytest.approx(ward_value(t, CANTON, indicator)["value"])
        assert row["rank_text"] == f"{int(stored['rank']):,} of {int(stored['n_areas']):,}"
    stored = stored_row(t, CANTON, "3", vocab.WARD_SCOPE, level="ward")
    assert rows.loc["3", "kind"] == "score" and rows.loc["3", "value"] == pytest.approx(stored["score"])
    assert rows.loc["3", "rank_text"] == measure_labels.rank_text(stored["rank"], stored["rank_low"], stored["rank_high"], int(stored["n_areas"]))
    assert rows.loc["5", "kind"] == "none" and rows.loc["5", "rank_text"] == "not ranked"
    # the composite names the factors it covers: those with a score for this ward
    mine = ward_scores[(ward_scores["area_code"] == CANTON) & (ward_scores["method"] == "robust_z") & ward_scores["score"].notna()]
    assert sorted(set(mine["factor"]) - {"composite"}) == ["3", "4"]
    assert rows.loc["composite", "name"] == "Composite of factors 3 and 4"


def test_ward_benchmarks_against_la_country_and_similar_wards(t, ward_bench):
    values = t["indicator_values"]
    me = ward_bench[ward_bench["area_code"] == CANTON].set_index("indicator_id")
    # a share of counts: the country value sums the counts of the country's wards, and matches the LA page's country value
    share = values[(values["level"] == "ward") & (values["indicator_id"] == "owner_occupied_households") & values["area_code"].str.startswith("W")]
    assert me.loc["owner_occupied_households", "country_value"] == pytest.approx(100 * share["numerator"].sum() / share["denominator"].sum())
    lad_bench = t["benchmarks"].set_index(["area_code", "indicator_id"])
    assert me.loc["owner_occupied_households", "country_value"] == pytest.approx(lad_bench.loc[(CARDIFF, "owner_occupied_households"), "country_value"], rel=1e-6)
    # its LA: the same indicator and period at LA level
    lad_value = values[(values["level"] == "lad") & (values["area_code"] == CARDIFF) & (values["indicator_id"] == "wimd_score") & (values["period"] == me.loc["wimd_score", "period"])]
    assert me.loc["wimd_score", "lad_value"] == pytest.approx(lad_value["value"].iloc[0])
    # its similar wards: the median of their values
    nb = t["neighbours"]
    similar = nb[(nb["kind"] == WARD_KNN_KIND) & (nb["area_code"] == CANTON)]["neighbour_code"]
    bad_health = values[(values["level"] == "ward") & (values["indicator_id"] == "bad_health")].set_index("area_code")["value"]
    assert me.loc["bad_health", "similar_wards_median"] == pytest.approx(bad_health.reindex(similar).median())
    assert me.loc["bad_health", "similar_wards_n"] == len(similar) == 10
    # its position: rank among Wales's wards, best first by polarity (a lower WIMD score is better)
    wimd = values[(values["level"] == "ward") & (values["indicator_id"] == "wimd_score") & values["area_code"].str.startswith("W")].set_index("area_code")["value"]
    assert me.loc["wimd_score", "country_rank"] == (wimd < wimd[CANTON]).sum() + 1
    assert me.loc["wimd_score", "country_n"] == wimd.notna().sum()
    assert me.loc["wimd_score", "country_fifth"] == np.ceil(5 * me.loc["wimd_score", "country_rank"] / me.loc["wimd_score", "country_n"])
    # context measures are placed highest first
    speakers = values[(values["level"] == "ward") & (values["indicator_id"] == "welsh_speakers")].set_index("area_code")["value"]
    assert me.loc["welsh_speakers", "country_rank"] == (speakers > speakers[CANTON]).sum() + 1


def test_ward_indicator_rows_flag_low_reliability_and_say_what_is_scored(t, ward_bench):
    ward_scores = scoped(t, vocab.WARD_SCOPE, "ward")
    rel = t["ward_reliability"]
    flagged = rel[rel["low_reliability"] & (rel["n_lsoa"] == 1)]["area_code"].iloc[0]
    rows = ward_profile_view.ward_indicator_rows(flagged, ward_bench, t["indicator_values"][t["indicator_values"]["level"] == "ward"], t["indicators"], ward_profile_view.ward_single_indicators(flagged, ward_scores)).set_index("indicator_id")
    lsoa_based = rows.loc["household_deprivation_any"]
    assert lsoa_based["low_reliability"] and lsoa_based["rests_on"].startswith("1 LSOA") and ward_profile_view.LOW_RELIABILITY_MARK in lsoa_based["rests_on"]
    assert not rows.loc["bad_health", "low_reliability"] and rows.loc["bad_health", "rests_on"].endswith("OAs")  # summed from output areas
    canton = ward_profile_view.ward_indicator_rows(CANTON, ward_bench, t["indicator_values"][t["indicator_values"]["level"] == "ward"], t["indicators"], ward_profile_view.ward_single_indicators(CANTON, ward_scores)).set_index("indicator_id")
    assert not canton["low_reliability"].any()
    assert canton.loc["wimd_community_safety_score", "in_scores"].startswith("no: factor 2's only ward indicator here")
    assert canton.loc["wimd_education_score", "in_scores"] == "yes"
    assert canton.loc["households_multiple_ethnic_groups", "in_scores"] == "no: context, never scored"
    assert canton.loc["wimd_score", "position"].endswith("fifth") and "/752 · " in canton.loc["wimd_score", "position"]
    assert ward_profile_view.rests_on_text(3, 0.45) == ("3 LSOAs · 45% in ward · ⚠ low reliability", True)
    assert ward_profile_view.rests_on_text(np.nan, np.nan) == ("the ward itself", False)


def test_similar_wards_are_named_in_both_languages(t):
    names = dict(zip(t["areas"]["area_code"], t["areas"]["area_name"]))
    welsh = {c: n for c, n in zip(t["areas"]["area_code"], t["areas"]["area_name_welsh"]) if isinstance(n, str)}
    rows = ward_profile_view.similar_ward_rows(CANTON, t["neighbours"], t["areas"], names, welsh)
    assert len(rows) == 10 and list(rows["rank"]) == list(range(1, 11))
    first = rows.iloc[0]
    assert first["ward"] == measure_labels.area_label(first["area_code"], names, welsh) and first["area_code"].startswith("W05")
    assert "Residents per km²" in ward_profile_view.similar_wards_note("W") and "Welsh" in ward_profile_view.similar_wards_note("W") and "Welsh" not in ward_profile_view.similar_wards_note("E")


# ---- trends

def test_comparator_series_weight_by_population_where_there_are_no_counts(t):
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    population = trends_view.lad_population(lad_values)
    assert population[BLACKPOOL] == pytest.approx(10 ** lad_values[(lad_values["area_code"] == BLACKPOOL) & (lad_values["indicator_id"] == "population_size_log")]["value"].iloc[0])
    imd = lad_values[lad_values["indicator_id"] == "imd_average_score"]
    series = trends_view.comparator_series(imd, BLACKPOOL, t["areas"], population, t["neighbours"], "ons_global")
    lads = t["areas"][t["areas"]["level"] == "lad"].set_index("area_code")
    nw = lads.index[lads["region_code"] == "E12000002"]
    block = imd[(imd["period"] == "2025") & imd["area_code"].isin(nw)].set_index("area_code")["value"]
    expected = float((block * population.reindex(block.index)).sum() / population.reindex(block.index).sum())
    got = series[(series["period"] == "2025") & (series["series"] == "Region: North West")]["value"].iloc[0]
    assert got == pytest.approx(expected)
    assert series[(series["period"] == "2025") & (series["series"] == "Blackpool")]["value"].iloc[0] == pytest.approx(43.467)
    assert {"Country: England", "ONS similar areas (median)"} <= set(series["series"])
    ranks = trends_view.rank_series(imd, BLACKPOOL, "lower_is_better").set_index("period")
    assert ranks.loc["2025", "rank"] == 296 and ranks.loc["2025", "n_areas"] == 296



@pytest.mark.parametrize("indicator", ["imd_average_score", "level4_qualifications_census", "life_satisfaction", "local_election_turnout"])
def test_trend_comparators_are_the_benchmark_comparators(t, indicator):
    """One comparator for the atlas: the trend's latest region and country values are the benchmarks table's."""
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    series = trends_view.comparator_series(lad_values[lad_values["indicator_id"] == indicator], BLACKPOOL, t["areas"], trends_view.lad_population(lad_values))
    bench = pd.read_parquet(PROCESSED / "benchmarks.parquet").query("indicator_id == @indicator and area_code == @BLACKPOOL").iloc[0]
    at = series[series["period"] == bench["period"]].set_index("series")["value"]
    assert at["Region: North West"] == pytest.approx(bench["region_value"], rel=1e-12)
    assert at["Country: England"] == pytest.approx(bench["country_value"], rel=1e-12)


def test_comparator_of_a_share_of_counts_sums_the_counts(t):
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    level4 = lad_values[(lad_values["indicator_id"] == "level4_qualifications_census") & (lad_values["period"] == "2021")]
    lads = t["areas"][t["areas"]["level"] == "lad"].set_index("area_code")
    nw = level4[level4["area_code"].map(lads["region_code"]) == "E12000002"]
    expected = 100 * nw["numerator"].sum() / nw["denominator"].sum()
    series = trends_view.comparator_series(level4, BLACKPOOL, t["areas"], trends_view.lad_population(lad_values))
    got = series[series["series"] == "Region: North West"]["value"].iloc[0]
    assert got == pytest.approx(expected)
    # A population-weighted mean of the LA shares would differ: the comparator is not that.
    weights = trends_view.lad_population(lad_values).reindex(nw["area_code"]).to_numpy()
    assert abs(float((nw["value"].to_numpy() * weights).sum() / weights.sum()) - got) > 1e-6

# ---- composite builder

@pytest.mark.parametrize("scope", ["ew_common", "country"])
@pytest.mark.parametrize("method", ["robust_z", "exponential"])
def test_reweighting_at_equal_weights_reproduces_the_build(t, scope, method):
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    lads = t["areas"][t["areas"]["level"] == "lad"]
    prepared = reweight.prepare(lad_values, t["indicators"], lads, method, scope)
    assert [u.country for u in prepared.universes] == (["E+W"] if scope == "ew_common" else ["E", "W"])
    equal = reweight.reweighted(prepared)
    stored = scoped(t, scope)
    stored = stored[stored["method"] == method]
    for factor in ("1", "2", "3", "4", "5", "composite"):
        block = stored[stored["factor"] == factor].set_index("area_code")
        column = "composite" if factor == "composite" else int(factor)
        assert np.allclose(equal[column].reindex(block.index), block["score"], equal_nan=True, rtol=0, atol=1e-9), factor
    composite = stored[stored["factor"] == "composite"].set_index("area_code")
    assert (equal["rank"].reindex(composite.index).fillna(-1) == composite["rank"].fillna(-1)).all()
    ranked = composite["score"].notna()
    assert (equal["n_areas"].reindex(composite.index)[ranked] == composite["n_areas"][ranked]).all()


def test_reweighting_moves_ranks_within_each_universe(t):
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    lads = t["areas"][t["areas"]["level"] == "lad"]
    prepared = reweight.prepare(lad_values, t["indicators"], lads, "robust_z", "ew_common")
    stored = scoped(t, "ew_common")
    composite = stored[(stored["method"] == "robust_z") & (stored["factor"] == "composite")].set_index("area_code")
    shift = reweight.rank_shift(prepared, {}, {1: 3.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 0.0})
    assert (shift["change"].abs() > 0).any()
    complete = shift.dropna(subset=["rank"])
    assert ((complete["rank_low"] <= complete["rank"] + 1) & (complete["rank"] - 1 <= complete["rank_high"])).mean() > 0.9
    assert shift.loc[BLACKPOOL, "equal_rank"] == composite.loc[BLACKPOOL, "rank"]
    # weight 0 on factor 5 removes it: the composite is then the weighted mean of factors 1-4
    manual = (3 * shift.loc[BLACKPOOL, "factor_1"] + shift.loc[BLACKPOOL, "factor_2"] + shift.loc[BLACKPOOL, "factor_3"] + shift.loc[BLACKPOOL, "factor_4"]) / 6
    assert shift.loc[BLACKPOOL, "score"] == pytest.approx(manual)
    # in the country scope Welsh LAs are ranked 1..22 among themselves, bands included
    by_country = reweight.rank_shift(reweight.prepare(lad_values, t["indicators"], lads, "robust_z", "country"), {}, {1: 2.0})
    wales = by_country[by_country["universe"] == "W"].dropna(subset=["rank"])
    assert sorted(wales["rank"].astype(int)) == list(range(1, len(wales) + 1)) and (wales["n_areas"] == len(wales)).all()
    assert wales["rank_high"].max() <= len(wales)
    assert by_country.loc[CARDIFF, "equal_rank"] == stored_row(t, CARDIFF, "composite", "country")["rank"]
    with pytest.raises(ValueError):
        reweight.prepare(lad_values, t["indicators"], lads, "robust_z", "galaxy")


# ---- downloads

@pytest.fixture(scope="module")
def selection(t):
    values = t["indicator_values"]
    rows = values[(values["indicator_id"] == "imd_average_score") & (values["level"] == "lad") & (values["period"] == "2025")].copy()
    rows.insert(1, "area_name", rows["area_code"].map(dict(zip(t["areas"]["area_code"], t["areas"]["area_name"]))))
    rows = downloads.with_provenance(rows, t["indicators"], t["sources"])
    # a hostile name, as if a publisher's text held a formula
    rows.loc[rows.index[0], "area_name"] = '=HYPERLINK("http://evil","x")'
    return rows.reset_index(drop=True)


def test_csv_has_bom_quotes_formulas_and_keeps_numbers(selection):
    data = downloads.to_csv_bytes(selection)
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert frame.loc[0, "area_name"].startswith("'=HYPERLINK")
    assert frame.set_index("area_code").loc["E06000009", "value"] == pytest.approx(43.467)
    assert frame.set_index("area_code").loc["E06000009", "licence"] == "Open Government Licence v3.0"
    assert "iod2025" in frame.loc[0, "source_id"]


def test_xlsx_has_data_and_metadata_sheets(t, selection):
    definitions, used = downloads.selection_metadata(["imd_average_score"], t["indicators"], t["sources"])
    book = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(selection, definitions, used)))
    assert book.sheetnames == ["data", "metadata"]
    data = book["data"]
    header = [c.value for c in data[1]]
    rows = {r[header.index("area_code")]: r for r in data.iter_rows(min_row=2, values_only=True)}
    assert rows["E06000009"][header.index("value")] == pytest.approx(43.467)
    assert isinstance(rows["E06000009"][header.index("value")], float)
    assert data.cell(row=2, column=header.index("area_name") + 1).value.startswith("'=")
    assert data.cell(row=2, column=header.index("area_name") + 1).data_type == "s"
    meta = [[c for c in row if c is not None] for row in book["metadata"].iter_rows(values_only=True)]
    flat = " ".join(str(c) for row in meta for c in row)
    assert "Indicator definitions" in flat and "Sources, licences and retrieved dates" in flat
    assert "Index of Multiple Deprivation" in flat and "Open Government Licence v3.0" in flat
    retrieved = t["sources"].set_index("source_id").loc["iod2025", "retrieved"]
    assert retrieved and retrieved in flat


def test_geojson_export_of_a_selection(t, selection):
    import geopandas as gpd


    lad = gpd.read_parquet(PROCESSED / "boundaries_lad.parquet")
    geometries = {f["properties"]["area_code"]: f["geometry"] for f in geojson.feature_collection(lad["area_code"], lad.geometry)["features"]}
    definitions, used = downloads.selection_metadata(["imd_average_score"], t["indicators"], t["sources"])
    collection = json.loads(downloads.to_geojson_bytes(selection, geometries, definitions, used))
    assert len(collection["features"]) == len(selection) == 296
    blackpool = next(f for f in collection["features"] if f["properties"]["area_code"] == BLACKPOOL)
    assert blackpool["properties"]["imd_average_score|2025"] == pytest.approx(43.467)
    assert blackpool["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert collection["metadata"]["sources"][0]["licence"]
    scores = scoped(t, "ew_common")
    long = downloads.geojson_long(scores[scores["area_code"] == BLACKPOOL])
    assert set(long["indicator_id"]) >= {"score_composite_robust_z", "score_1_exponential"}


def test_download_names_are_safe():
    name = downloads.download_name("../../etc/passwd values", "CSV")
    assert "/" not in name and ".." not in name and name.endswith(".csv") and name.startswith("cohesion-atlas_")
    assert downloads.download_name("", "xlsx").startswith("cohesion-atlas_export_")


def test_group_band_carries_the_national_band_into_a_group():
    ranks = pd.Series({"A": 10.0, "B": 50.0, "C": 120.0, "D": 200.0})
    assert profile_view.group_band("A", ["A", "B", "C", "D"], ranks, 40.0, 130.0) == (1.0, 3.0)
    assert np.isnan(profile_view.group_band("A", ["B"], ranks, np.nan, 5.0)[0])


def test_score_source_line_counts_the_indicators_of_the_scope_and_country(t):
    coherence = pd.read_parquet(PROCESSED / "coherence.parquet")
    wales = coherence[(coherence["level"] == "lad") & (coherence["scope"] == "country") & (coherence["country"] == "W") & (coherence["indicator_id"] != "")]
    line = source_lines.score_source_line("composite", "robust_z", t["indicators"], t["sources"], "country", country="W").source
    assert f"from {len(wales)} indicators published for Wales" in line and "iod2025" not in line
    common = source_lines.score_source_line("composite", "robust_z", t["indicators"], t["sources"], "ew_common").source
    n_common = coherence[(coherence["level"] == "lad") & (coherence["scope"] == "ew_common") & (coherence["indicator_id"] != "")]
    assert f"from {len(n_common)} indicators (" in common and "place_survey_2008" not in common


def test_every_map_carries_the_boundary_sources_own_attribution(t):
    sources = pd.read_parquet(PROCESSED / "sources.parquet")
    line = source_lines.boundary_credit(sources)
    assert "Contains OS data © Crown copyright and database right" in line and "Open Government Licence" in line
    # The text comes from the source declaration, not from the dashboard.
    held = sources.loc[sources["source_id"] == source_lines.BOUNDARY_SOURCE, "attribution"].iloc[0]
    assert held and held in line


def test_a_proxy_is_labelled_a_proxy_once(t):
    import vocabulary as vocab

    assert vocab.proxy_title("Life satisfaction (mean score, 0-10)", True) == "Life satisfaction (mean score, 0-10) (proxy)"
    assert vocab.proxy_title("Public order offences per 1,000 residents (proxy)", True) == "Public order offences per 1,000 residents (proxy)"
    assert vocab.proxy_title("Claimant count", False) == "Claimant count"
    # Every proxy in the shipped catalogue reads as one, and the methodology names none twice.
    proxies = t["indicators"][t["indicators"]["proxy"]]
    assert len(proxies) >= 10 and all("proxy" in vocab.proxy_title(x, True).lower() for x in proxies["title"])
    assert "(proxy) (proxy)" not in (PROCESSED / "methodology.md").read_text(encoding="utf-8")


def test_labels_keep_their_acronyms_inside_a_sentence(t):
    """Issue 12: lower-casing a label turned 'ONS' into 'ons' and 'IMD' into 'imd'."""
    assert measure_labels.mid_sentence("ONS similar areas") == "ONS similar areas"
    assert measure_labels.mid_sentence("Our similar areas") == "our similar areas"
    assert measure_labels.mid_sentence("Exponential (IMD style)") == "exponential (IMD style)"
    assert measure_labels.sentence_start("our similar areas") == "Our similar areas"
    line = source_lines.score_source_line("composite", "exponential", t["indicators"], pd.read_parquet(PROCESSED / "sources.parquet"))
    assert "exponential (IMD style) scores" in line.text()
