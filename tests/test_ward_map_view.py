"""The ward map's view model on the real processed tables: single-indicator factors shown as their indicator (never as
a score), country-aware defaults and labels, the reliability flag and bilingual names in the table, profile links."""
from __future__ import annotations

import pandas as pd
import pytest

import vocabulary as vocab
from conftest import PROCESSED
from dashboard import measure_labels, page_table
from dashboard import ward_map_view as wv

CARDIFF, WILTSHIRE, GWYNEDD = "W06000015", "E06000054", "W06000002"
CANTON = "W05001273"


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "sources", "ward_reliability")
    t = {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}
    t["ward_values"] = t["indicator_values"][t["indicator_values"]["level"] == "ward"]
    s = t["factor_scores"]
    t["ward_scores"] = s[(s["level"] == "ward") & (s["scope"] == vocab.WARD_SCOPE)]
    t["country_of"] = wv.country_of_wards(t["areas"])
    t["periods"] = {(i, "ward"): measure_labels.sort_periods(b["period"].unique()) for i, b in t["ward_values"].groupby("indicator_id")}
    t["names"] = dict(zip(t["areas"]["area_code"], t["areas"]["area_name"]))
    t["welsh"] = {c: n for c, n in zip(t["areas"]["area_code"], t["areas"]["area_name_welsh"]) if isinstance(n, str) and n}
    return t


def wards_of(t, lad):
    return t["areas"].query("level == 'ward' and parent_code == @lad")["area_code"].tolist()


def resolve(t, measure, lad):
    country = t["areas"].set_index("area_code").at[lad, "country"]
    return wv.resolve(measure, country, wards_of(t, lad), catalogue=t["indicators"], ward_scores=t["ward_scores"], periods=t["periods"])


def common(t):
    return {"ward_values": t["ward_values"], "catalogue": t["indicators"], "names": t["names"], "welsh": t["welsh"], "reliability": t["ward_reliability"], "country_of": t["country_of"]}


def frame(t, wm, method="robust_z", links=True):
    values = t["ward_values"][t["ward_values"]["indicator_id"] == wm.indicator_id] if wm.indicator_id else t["ward_values"].iloc[0:0]
    return wv.ward_frame(wm, wm.default_period, method, values=values, ward_scores=t["ward_scores"], links=links, **common(t))


def lone(t, wm, lad, method="robust_z"):
    return wv.lone_wards(wm, wards_of(t, lad), method, ward_scores=t["ward_scores"], periods=t["periods"], **common(t))


def factor_rows(t, factor, method="robust_z"):
    s = t["ward_scores"]
    return s[(s["factor"] == factor) & (s["method"] == method)]


def test_single_indicator_rows_have_no_score_only_the_indicators_rank(t):
    rows = t["ward_scores"][wv.single_column(t["ward_scores"]) != ""]
    assert len(rows) and rows["score"].isna().all() and rows["rank"].notna().any()
    options = wv.measure_options(t["indicators"], set(t["ward_values"]["indicator_id"]), t["ward_scores"])
    # every factor with a score or a single indicator somewhere is offered
    assert {f"factor_{f}" for f in set(rows["factor"]) | set(t["ward_scores"].loc[t["ward_scores"]["score"].notna(), "factor"]) if f != "composite"} <= set(options)


def test_welsh_factor_1_is_offered_under_its_name_and_maps_its_single_indicator(t):
    rows = factor_rows(t, "1")
    welsh_rows = rows[rows["area_code"].isin(wards_of(t, CARDIFF))]
    assert welsh_rows["score"].isna().all() and welsh_rows["single_indicator"].nunique() == 1
    indicator = welsh_rows["single_indicator"].iloc[0]
    wm = resolve(t, "factor_1", CARDIFF)
    row = measure_labels.catalogue_row(t["indicators"], indicator)
    assert wm.kind == "single" and wm.indicator_id == indicator
    assert wm.label == f"{measure_labels.SCORE_MEASURES['factor_1']} (single indicator: {row['title']})"
    assert (wm.unit, wm.polarity) == (row["unit"], row["polarity"]) and wm.fixed_period
    assert wm.value_header.endswith("(single indicator, not a score)")
    shown = frame(t, wm)
    # the wards whose factor 1 rests on that very indicator, with the indicator's own values
    assert set(shown["area_code"]) == set(rows.loc[rows["single_indicator"] == indicator, "area_code"]) & set(shown["area_code"])
    assert set(wards_of(t, CARDIFF)) <= set(shown["area_code"])
    stored = t["ward_values"].query("indicator_id == @indicator and period == @wm.default_period").set_index("area_code")["value"]
    assert shown.set_index("area_code")["value"].to_dict() == pytest.approx(stored.reindex(shown["area_code"]).to_dict())
    # its rank is the one the build stored (the indicator's rank among the country's wards), out of the wards holding it
    canton = shown.set_index("area_code").loc[CANTON]
    n_wales = int(stored[stored.index.map(t["country_of"]) == "W"].notna().sum())
    assert canton["rank_text"] == measure_labels.rank_text(rows.set_index("area_code").at[CANTON, "rank"], None, None, n_wales)
    assert shown["detail"].str.contains(wv.SINGLE_HOVER).all()
    caption = wv.caption(wm, t["indicators"], n_ranked=n_wales)
    assert "It is one indicator, not a factor score." in caption and row["title"] in caption and f"{n_wales:,} wards of Wales" in caption


def test_english_factor_1_is_a_score_and_the_national_map_says_what_it_leaves_blank(t):
    wm = resolve(t, "factor_1", WILTSHIRE)
    assert wm.kind == "score" and wm.label == measure_labels.SCORE_MEASURES["factor_1"] and wm.unit == "score"
    scored = frame(t, wm, links=False)
    rows = factor_rows(t, "1")
    assert set(scored["area_code"]) == set(rows.loc[rows["score"].notna(), "area_code"])
    blank = wv.national_blanks(wm, t["ward_scores"], t["country_of"], "robust_z")
    single = rows[rows["single_indicator"] != ""]
    assert blank.to_dict() == single["area_code"].map(t["country_of"]).value_counts().to_dict()
    note = wv.caption(wm, t["indicators"], blanks=blank)
    assert "left blank here" in note and f"{blank['W']:,} in Wales" in note


def test_national_map_of_a_single_indicator_factor_leaves_the_scored_wards_blank(t):
    wm = resolve(t, "factor_1", CARDIFF)
    shown = frame(t, wm, links=False)
    rows = factor_rows(t, "1")
    assert set(shown["area_code"]) == set(rows.loc[rows["single_indicator"] == wm.indicator_id, "area_code"]) & set(shown["area_code"])
    assert not set(shown["area_code"]) & set(rows.loc[rows["score"].notna(), "area_code"])  # no score on an indicator's scale
    blank = wv.national_blanks(wm, t["ward_scores"], t["country_of"], "robust_z")
    others = rows[rows["score"].notna() | ((rows["single_indicator"] != "") & (rows["single_indicator"] != wm.indicator_id))]
    assert blank.to_dict() == others["area_code"].map(t["country_of"]).value_counts().to_dict()
    subtitle = wv.map_subtitle(wm, t["indicators"], blanks=blank)
    assert subtitle.startswith("Factor 1 is not scored for these wards: shown as its single indicator, ")
    assert f"{blank['E']:,} in England" in subtitle


def test_lone_wards_of_a_scored_factor_show_their_one_indicator(t):
    wm = resolve(t, "factor_4", WILTSHIRE)
    assert wm.kind == "score"
    rows = factor_rows(t, "4")
    rows = rows[rows["area_code"].isin(wards_of(t, WILTSHIRE))]
    expected = rows[rows["single_indicator"] != ""].set_index("area_code")
    got = lone(t, wm, WILTSHIRE).set_index("area_code")
    assert len(expected) and set(got.index) == set(expected.index)
    for code, r in got.iterrows():
        indicator = expected.at[code, "single_indicator"]
        value = t["ward_values"].query("indicator_id == @indicator and area_code == @code")["value"].iloc[0]
        assert r["indicator_id"] == indicator and r["value"] == pytest.approx(value)
        assert r["text"].startswith(f"{wv.SINGLE_HOVER}: {measure_labels.catalogue_row(t['indicators'], indicator)['title']} = ")
        assert f"rank in England: {int(expected.at[code, 'rank'])} of " in r["text"]  # ranked among England's wards, and says so
    table = wv.table(wv.local_ranks(frame(t, wm)[lambda f: f["area_code"].isin(wards_of(t, WILTSHIRE))], wm.polarity), lone(t, wm, WILTSHIRE), wm, "Rank in England")
    tail = table.tail(len(got))
    assert set(tail["Code"]) == set(got.index) and tail["score"].isna().all() and tail["Note"].str.startswith(wv.SINGLE_HOVER).all()
    assert len(table) == len(wards_of(t, WILTSHIRE)) - int(rows.loc[rows["single_indicator"] == "", "score"].isna().sum())


def test_the_composite_label_names_the_factors_scored_for_the_las_wards(t):
    for lad in (WILTSHIRE, CARDIFF):
        held = t["ward_scores"][t["ward_scores"]["score"].notna() & t["ward_scores"]["area_code"].isin(wards_of(t, lad))]
        numbers = sorted(set(held["factor"]) - {"composite"})
        assert resolve(t, "composite", lad).label == measure_labels.measure_label("composite", t["indicators"], "ward", numbers)
    assert "1" not in resolve(t, "composite", CARDIFF).label  # Welsh wards have no factor 1 score


def test_default_measure_has_values_in_the_las_country(t):
    options = wv.measure_options(t["indicators"], set(t["ward_values"]["indicator_id"]), t["ward_scores"])
    assert wv.default_measure("W", options, None, t["indicators"]) == "wimd_score"
    assert wv.default_measure("E", options, None, t["indicators"]) == "imd_average_score"
    # an England-only choice carried over from another page does not open a Welsh LA on an empty map
    assert measure_labels.catalogue_row(t["indicators"], "imd_average_score")["countries"] == "E"
    assert wv.default_measure("W", options, "imd_average_score", t["indicators"]) == "wimd_score"
    assert wv.default_measure("W", options, "household_deprivation_any", t["indicators"]) == "household_deprivation_any"
    assert not frame(t, resolve(t, "wimd_score", CARDIFF))[lambda f: f["area_code"].isin(wards_of(t, CARDIFF))].empty


def test_ward_table_has_bilingual_names_the_flag_and_profile_links(t):
    wm = resolve(t, "wimd_score", GWYNEDD)
    local = wv.local_ranks(frame(t, wm)[lambda f: f["area_code"].isin(wards_of(t, GWYNEDD))], wm.polarity)
    table = wv.table(local, lone(t, wm, GWYNEDD), wm, wv.national_rank_label(local, wm))
    assert {"Ward", "Code", wm.unit, "Rank in LA (1 = best)", "Rank in Wales", "Low reliability", "Why (reliability)", "Profile"} <= set(table.columns)
    reliability = t["ward_reliability"].set_index("area_code")
    flagged = table[table["Low reliability"]]
    assert len(flagged) and set(flagged["Code"]) <= set(reliability.index[reliability["low_reliability"]])
    assert (flagged["Why (reliability)"] == reliability.loc[flagged["Code"], "reliability_note"].to_numpy()).all()
    assert (table.loc[~table["Low reliability"], "Why (reliability)"] == "").all()
    assert (table["Profile"] == "profile?area=" + table["Code"]).all()
    # best first: the WIMD is lower-is-better
    assert table[wm.unit].is_monotonic_increasing
    cardiff = wv.table(wv.local_ranks(frame(t, wm)[lambda f: f["area_code"].isin(wards_of(t, CARDIFF))], wm.polarity), lone(t, wm, CARDIFF), wm, "Rank in Wales")
    assert cardiff.set_index("Code").at[CANTON, "Ward"] == "Canton / Treganna"


def test_wards_without_a_value_are_listed_with_the_reason(t):
    wm = resolve(t, "wimd_score", GWYNEDD)
    codes = wards_of(t, GWYNEDD)
    local = frame(t, wm)[lambda f: f["area_code"].isin(codes)]
    missing = wv.missing_wards(codes, local["area_code"], t["names"], t["welsh"], t["ward_reliability"])
    assert set(missing["area_code"]) == set(codes) - set(local["area_code"]) and len(missing)
    no_lsoa = t["ward_reliability"].query("n_lsoa == 0").set_index("area_code")["reliability_note"]
    for code, reason in zip(missing["area_code"], missing["reason"]):
        assert reason.startswith(wv.NO_VALUE) and ((no_lsoa.get(code, "") or "∅") in reason) == (code in no_lsoa.index)


def test_profile_link_points_at_the_profile_page():
    assert wv.PROFILE_URL_PATH in page_table.PAGES and page_table.PAGES[wv.PROFILE_URL_PATH].endswith("profile.py")
    assert wv.profile_link(CANTON) == "profile?area=W05001273"
    assert wv.clicked_ward([{"location": "E99999999"}], {CANTON}) is None
    assert wv.clicked_ward([], {CANTON}) is None


# ---------------------------------------------------------------- ranks name their set; Welsh names in hover and table

BIRMINGHAM = "E08000025"


def ward_map(t, lad, measure, values=None):
    """The LA's ward map (frame, table, figure) as the Ward map page builds them."""
    from dashboard import maps

    wm = resolve(t, measure, lad)
    if values is None:
        values = t["ward_values"][t["ward_values"]["indicator_id"] == wm.indicator_id] if wm.indicator_id else t["ward_values"].iloc[0:0]
    codes = wards_of(t, lad)
    shown = wv.ward_frame(wm, wm.default_period, "robust_z", values=values, ward_scores=t["ward_scores"], codes=codes, **common(t))
    label = measure_labels.area_label(lad, t["names"], t["welsh"])
    local = wv.local_ranks(shown, wm.polarity, label)
    held = lone(t, wm, lad)
    table = wv.table(local, held, wm, wv.national_rank_label(local, wm))
    missing = wv.missing_wards(codes, [*local["area_code"], *held["area_code"]], t["names"], t["welsh"], t["ward_reliability"])
    # The page passes the LA's published ward layer by URL; the figure never reads the file, so any URL of that form serves.
    fig = maps.ward_choropleth(local, maps.layer_url(f"boundaries/wards/{lad}-00000000.geojson"), maps.EW_BOUNDS, unit=wm.unit, polarity=wm.polarity, source_line="Source: x · Period: 2019 · Licence: OGL v3.0", missing=missing, lone=held)
    return wm, local, table, fig


def test_the_national_rank_names_the_set_the_wards_were_ranked_within(t):
    # Wales-only: the WIMD, ranked among Wales's 752 wards with a value
    assert measure_labels.catalogue_row(t["indicators"], "wimd_score")["countries"] == "W"
    _, local, table, fig = ward_map(t, CARDIFF, "wimd_score")
    n_wales = int(t["ward_values"].query("indicator_id == 'wimd_score'")["value"].notna().sum())
    assert n_wales == 752
    assert "Rank in Wales" in table.columns and "Rank in England and Wales" not in table.columns
    assert table["Rank in Wales"].str.endswith(f" of {n_wales}").all()
    hover = fig.data[0].hovertemplate
    assert "Rank in Cardiff / Caerdydd: %{customdata[2]}" in hover and "Rank in Wales: %{customdata[" in hover
    canton = dict(zip(fig.data[0].locations, fig.data[0].customdata))[CANTON]
    assert canton[2].endswith(f" of {len(local)}") and f" of {n_wales}" in " ".join(canton)
    # England-only: the IMD, ranked among England's wards
    assert measure_labels.catalogue_row(t["indicators"], "imd_average_score")["countries"] == "E"
    _, _, table, fig = ward_map(t, BIRMINGHAM, "imd_average_score")
    assert "Rank in England" in table.columns and "Rank in England: %{customdata[" in fig.data[0].hovertemplate
    # both countries ranked together: only then 'England and Wales'
    _, _, table, fig = ward_map(t, CARDIFF, "bad_health")
    assert "Rank in England and Wales" in table.columns and table["Rank in England and Wales"].str.endswith(" of 7,572").all()
    # the label follows the set ranked, not the catalogue: an indicator published for both countries, ranked here
    # among Wales's wards alone, says 'Rank in Wales' (it said 'Rank in England and Wales' beside '12 of 752')
    welsh_only = t["ward_values"].query("indicator_id == 'household_deprivation_any'")
    welsh_only = welsh_only[welsh_only["area_code"].str.startswith("W")]
    assert measure_labels.catalogue_row(t["indicators"], "household_deprivation_any")["countries"] == "E+W"
    _, _, table, _ = ward_map(t, CARDIFF, "household_deprivation_any", values=welsh_only)
    assert "Rank in Wales" in table.columns and table["Rank in Wales"].str.endswith(" of 752").all()


def test_scores_and_single_indicators_are_ranked_in_the_wards_country(t):
    wm, _, table, fig = ward_map(t, CARDIFF, "factor_2")  # Wales: one indicator (WIMD community safety), ranked in Wales
    assert wm.kind == "single" and "Rank in Wales" in table.columns and "Rank in Wales: %{customdata[" in fig.data[0].hovertemplate
    wm, _, table, fig = ward_map(t, WILTSHIRE, "factor_4")
    assert wm.kind == "score" and "Rank in England" in table.columns
    sand = [d for d in fig.data if (d.meta or {}).get("layer") == "single_indicator"][0]
    assert all(", rank in England: " in row[1] for row in sand.customdata)


def test_canton_is_named_in_english_and_welsh_in_every_ward_layer_and_the_table(t):
    assert (t["names"][CANTON], t["welsh"][CANTON]) == ("Canton", "Treganna")
    for measure in ("wimd_score", "factor_3", "factor_2", "bad_health"):
        _, _, table, fig = ward_map(t, CARDIFF, measure)
        names = {code: row[0] for code, row in zip(fig.data[0].locations, fig.data[0].customdata)}
        assert names[CANTON] == "Canton / Treganna", measure
        assert table.set_index("Code").at[CANTON, "Ward"] == "Canton / Treganna", measure
    wm = resolve(t, "factor_3", CARDIFF)
    national = frame(t, wm, links=False)
    assert national.set_index("area_code").at[CANTON, "area_name"] == "Canton / Treganna"
