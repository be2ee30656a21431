"""Every page under Streamlit's AppTest: loads without an exception, shows real values from the processed tables, round-trips URL state, and warns on bad input."""
from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import vocabulary as vocab
from conftest import PROCESSED, ROOT
from dashboard import measure_labels, scopes, trends_view, url_state, ward_profile_view
from dashboard.page_table import PAGES  # url path -> page file, as the app navigates
from scoring import reweight
from scoring.scores import COMPOSITE_CAVEAT

TIMEOUT = 30
BLACKPOOL, CARDIFF, WILTSHIRE = "E06000009", "W06000015", "E06000054"
CANTON = "W05001273"  # Canton / Treganna, a ward of Cardiff


CITY_OF_LONDON = "E09000001"
BIRMINGHAM = "E08000025"


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "benchmarks", "sources", "coherence", "neighbours")
    tables = {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}
    tables["universes"] = scopes.universes(tables["areas"], tables["indicators"], tables["coherence"])
    return tables


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def table_with(at, *columns: str) -> pd.DataFrame:
    """The one table on the page holding all these columns (read-only tables carry no key under AppTest)."""
    hits = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(hits) == 1, (columns, len(hits))
    return hits[0]


def open_page(page: str, **params) -> AppTest:
    """A fresh session that lands on `page` with the given query string, as a shared link would."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()  # registers the navigation
    at.query_params.clear()  # a browser drops the first page's parameters when it follows a link to another page
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def frame_with(at, column: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if column in d.value.columns]


def plotly_array(value) -> np.ndarray:
    """Plotly sends numpy arrays as base64 typed arrays ({'dtype', 'bdata'}); lists stay lists."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def least_deprived_ward(t, lad):
    """(code, name, IMD 2025 average score) of the LA's least deprived ward, straight from the processed tables."""
    areas, values = t["areas"], t["indicator_values"]
    wards = areas[(areas["level"] == "ward") & (areas["parent_code"] == lad)]
    imd = values[(values["indicator_id"] == "imd_average_score") & (values["period"] == "2025") & values["area_code"].isin(wards["area_code"])]
    best = imd.sort_values("value").iloc[0]
    return best["area_code"], wards.set_index("area_code").loc[best["area_code"], "area_name"], best["value"]


def lad_score(t, code, factor, method="robust_z", scope=vocab.DEFAULT_SCOPE):
    s = t["factor_scores"]
    rows = s[(s["area_code"] == code) & (s["level"] == "lad") & (s["scope"] == scope) & (s["factor"] == factor) & (s["method"] == method)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_loads(page):
    at = open_page(page)
    assert not warnings(at), warnings(at)
    assert len(at.dataframe) >= 1  # every page shows a table of real values (a keyboard and screen-reader path)


# ---- map

def test_map_indicator_choice_shows_real_values_and_goes_to_the_url(t):
    at = open_page("map")
    assert at.query_params["indicator"] == "composite"
    table = frame_with(at, "Rank (1 = best)")[0].set_index("Code")
    assert table.loc[BLACKPOOL, "score"] == pytest.approx(lad_score(t, BLACKPOOL, "composite")["score"])
    at.selectbox(key="map_measure").set_value("imd_average_score").run()
    table = frame_with(at, "Rank (1 = best)")[0].set_index("Code")
    assert table.loc[BLACKPOOL, "score (higher = more deprived)"] == pytest.approx(43.467)
    assert table.loc[BLACKPOOL, "Rank (1 = best)"] == "296 of 296"
    assert at.query_params["indicator"] == "imd_average_score" and at.query_params["period"] == "2025"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = spec["data"][0]
    assert plotly_array(trace["z"])[list(trace["locations"]).index(BLACKPOOL)] == pytest.approx(43.467)
    assert "Source: English Indices of Deprivation 2025" in spec["layout"]["annotations"][0]["text"]


def test_map_url_round_trip(t):
    at = open_page("map", indicator="gdhi_per_head", period="2019")
    assert at.selectbox(key="map_measure").value == "gdhi_per_head"
    assert at.selectbox(key="map_period").value == "2019"
    assert (at.query_params["indicator"], at.query_params["period"]) == ("gdhi_per_head", "2019")
    values = t["indicator_values"]
    expected = values[(values["area_code"] == CARDIFF) & (values["indicator_id"] == "gdhi_per_head") & (values["period"] == "2019") & (values["level"] == "lad")]["value"].iloc[0]
    table = frame_with(at, "Rank (1 = best)")[0].set_index("Code")
    assert table.loc[CARDIFF, "£ per head"] == pytest.approx(expected)
    assert not warnings(at)


def test_map_bad_params_warn_and_fall_back():
    at = open_page("map", indicator="no_such_thing", period="1066", method="astrology")
    messages = " ".join(warnings(at))
    assert "not in the catalogue" in messages and "method" in messages
    assert at.selectbox(key="map_measure").value == "composite"
    assert at.selectbox(key="map_method").value == "robust_z"
    assert at.query_params["indicator"] == "composite"


# ---- area profile

def test_profile_of_blackpool_from_the_url(t):
    at = open_page("profile", area=BLACKPOOL)
    assert at.subheader[0].value == "Blackpool"
    metrics = {m.label: m.value for m in at.metric}
    for factor in ("1", "2", "3", "4", "5"):
        row = lad_score(t, BLACKPOOL, factor)
        assert metrics[f"Factor {factor}"].startswith(f"{int(row['rank'])} / ")
    assert metrics["Composite"].startswith(f"{int(lad_score(t, BLACKPOOL, 'composite')['rank'])} / ")
    factor3 = frame_with(at, "Trend")
    imd = pd.concat(factor3).set_index("Indicator").loc["Index of Multiple Deprivation (average score)"]
    # formatted by its unit (a score to two places), placed among England's LAs where no interval allows a flag
    assert imd["Value"] == "43.47" and imd["Period"] == "2025"
    assert imd["Flag"] == "not compared" and imd["Position in England"] == "296/296 · worst fifth"
    bench = t["benchmarks"].set_index(["area_code", "indicator_id"]).loc[(BLACKPOOL, "gross_median_weekly_pay")]
    pay = pd.concat(factor3).set_index("Indicator").loc["Gross median weekly pay (residence-based)"]
    assert pay["Flag"] == bench["flag_vs_region"] == "worse"
    assert pay["Value"] == "£539.90" and pay["North West"] == f"£{bench['region_value']:,.2f}"
    assert at.query_params["area"] == BLACKPOOL
    assert any("Place Survey" in i.value and "2008" in i.value and "hate crime" in i.value.lower() for i in at.info)
    assert any(COMPOSITE_CAVEAT in c.value for c in at.caption)


def test_profile_choosing_an_area_changes_the_values(t):
    at = open_page("profile")
    assert at.subheader[0].value == "Birmingham"
    before = {m.label: m.value for m in at.metric}
    at.selectbox(key="profile_area").set_value(BLACKPOOL).run()
    assert at.subheader[0].value == "Blackpool"
    after = {m.label: m.value for m in at.metric}
    assert after != before
    assert after["Factor 2"].startswith(f"{int(lad_score(t, BLACKPOOL, '2')['rank'])} / ")
    assert at.query_params["area"] == BLACKPOOL


def test_profile_comparator_switch_uses_neighbour_medians(t):
    at = open_page("profile", area=BLACKPOOL, comparator="atlas_neighbours")
    assert at.segmented_control(key="profile_comparator").value == "atlas_neighbours"
    rows = pd.concat(frame_with(at, "Trend")).set_index("Indicator")
    bench = t["benchmarks"].set_index(["area_code", "indicator_id"]).loc[(BLACKPOOL, "gross_median_weekly_pay")]
    assert rows.loc["Gross median weekly pay (residence-based)", "our similar areas (median)"] == f"£{bench['atlas_neighbours_median']:,.2f}"
    assert rows.loc["Gross median weekly pay (residence-based)", "Flag"] == "not compared"  # a median carries no interval
    at.segmented_control(key="profile_comparator").set_value("country").run()
    rows = pd.concat(frame_with(at, "Trend")).set_index("Indicator")
    assert rows.loc["Gross median weekly pay (residence-based)", "England"] == f"£{bench['country_value']:,.2f}"
    assert at.query_params["comparator"] == "country"


def test_profile_of_a_welsh_la_names_england_only_indicators(t):
    at = open_page("profile", area=CARDIFF)
    assert at.subheader[0].value == "Cardiff / Caerdydd"
    england_only = (t["indicators"]["countries"] == "E").sum()
    assert any(f"{england_only} indicators are published for England only" in i.value for i in at.info)


def ward_label(t, code):
    """'English / Welsh' where a ward has a Welsh name, as every page names it."""
    row = t["areas"].set_index("area_code").loc[code]
    welsh = row["area_name_welsh"]
    return f"{row['area_name']} / {welsh}" if isinstance(welsh, str) and welsh and welsh != row["area_name"] else row["area_name"]


def ward_score(t, code, factor, method="robust_z"):
    s = t["factor_scores"]
    rows = s[(s["area_code"] == code) & (s["level"] == "ward") & (s["scope"] == vocab.WARD_SCOPE) & (s["factor"] == factor) & (s["method"] == method)]
    assert len(rows) == 1
    return rows.iloc[0]


def latest_ward_value(t, code, indicator_id):
    v = t["indicator_values"]
    rows = v[(v["level"] == "ward") & (v["area_code"] == code) & (v["indicator_id"] == indicator_id)]
    return rows.set_index("period")["value"][measure_labels.sort_periods(rows["period"])[-1]], measure_labels.sort_periods(rows["period"])[-1]


def covered_factors(t, code):
    s = t["factor_scores"]
    mine = s[(s["area_code"] == code) & (s["level"] == "ward") & (s["scope"] == vocab.WARD_SCOPE) & (s["method"] == "robust_z") & s["score"].notna()]
    return measure_labels.and_join(sorted(set(mine["factor"]) - {"composite"}))


def indicator_table(at, title):
    """The ward indicator table (of any tab) holding this indicator, indexed by indicator title."""
    for frame in frame_with(at, "Rests on"):
        frame = frame.assign(Indicator=frame["Indicator"].str.removeprefix("⚠ ")).set_index("Indicator")
        if title in frame.index:
            return frame
    raise AssertionError(title)


def test_ward_profile_of_canton_treganna(t):
    at = open_page("profile", area=CANTON)
    assert ward_label(t, CANTON) == "Canton / Treganna"
    assert at.subheader[0].value == "Canton / Treganna"
    assert at.query_params["area"] == CANTON and not warnings(at)
    assert any(c.value.startswith(f"{CANTON} · ward (May 2025 boundaries) in Cardiff / Caerdydd ({CARDIFF}) · Wales") for c in at.caption)
    assert at.selectbox(key="profile_ward").value == CANTON and "Canton / Treganna" in at.selectbox(key="profile_ward").options
    factors = table_with(at, "Shown as", "Rank among Wales's wards").set_index("Factor")
    stored = ward_score(t, CANTON, "3")
    assert factors.loc["3 Social mobility", "Rank among Wales's wards"] == measure_labels.rank_text(stored["rank"], stored["rank_low"], stored["rank_high"], int(stored["n_areas"]))
    assert factors.loc["3 Social mobility", "Value"] == f"{stored['score']:.3f}"
    # Wales: factor 2 rests on one ward indicator, shown as that indicator, never as a score
    single = ward_score(t, CANTON, "2")
    value, _ = latest_ward_value(t, CANTON, single["single_indicator"])
    title = t["indicators"].set_index("indicator_id").loc[single["single_indicator"], "title"]
    assert factors.loc["2 Responsibility", "Shown as"] == f"single indicator, not a score: {title}"
    assert factors.loc["2 Responsibility", "Value"].startswith(measure_labels.fmt_value(value))
    assert factors.loc["2 Responsibility", "Rank among Wales's wards"] == f"{int(single['rank'])} of {int(single['n_areas'])}"
    composite = f"Composite of factors {covered_factors(t, CANTON)}"
    assert composite == "Composite of factors 3 and 4" and composite in factors.index
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Factor 3"] == f"{int(stored['rank']):,}" and metrics["Factor 5"] == "–"
    assert any(c.value.startswith(f"of {int(stored['n_areas']):,} · band") for c in at.caption)  # "of N" under the rank
    # every indicator beside Cardiff, Wales and the similar wards
    value, period = latest_ward_value(t, CANTON, "household_deprivation_any")
    rows = indicator_table(at, "Households deprived in one or more dimensions")
    row = rows.loc["Households deprived in one or more dimensions"]
    assert row["Value"] == f"{value:.1f}" and row["Period"] == period  # a share, to one place
    v = t["indicator_values"]
    lad = v[(v["level"] == "lad") & (v["area_code"] == CARDIFF) & (v["indicator_id"] == "household_deprivation_any") & (v["period"] == period)]["value"].iloc[0]
    assert row["LA"] == f"{lad:.1f}"
    wales = v[(v["level"] == "ward") & (v["indicator_id"] == "household_deprivation_any") & (v["period"] == period) & v["area_code"].str.startswith("W")]
    assert row["Wales"] == f"{100 * wales['numerator'].sum() / wales['denominator'].sum():.1f}"
    assert row["Position in Wales"].endswith("fifth") and row["In ward scores"] == "yes"
    context = indicator_table(at, "Multi-person households whose members are of different ethnic groups")
    assert context.loc["Multi-person households whose members are of different ethnic groups", "In ward scores"] == "no: context, never scored"
    # similar wards, named in both languages, with the variables they were chosen on
    nb = t["neighbours"]
    nearest = nb[(nb["kind"] == "atlas_ward_knn") & (nb["area_code"] == CANTON)].sort_values("rank")["neighbour_code"]
    similar = table_with(at, "Rank", "Ward", "Local authority")
    assert similar["Ward"].tolist() == [ward_label(t, c) for c in nearest] and len(similar) == 10
    assert any(" / " in w for w in similar["Ward"])  # Welsh names beside English ones
    assert row["Similar wards"] == f'{v[(v["level"] == "ward") & (v["indicator_id"] == "household_deprivation_any") & (v["period"] == period)].set_index("area_code")["value"].reindex(nearest).median():.1f}'
    assert any(c.value.startswith("Similar wards: the 10 wards of Wales nearest to this one") and "can speak Welsh" in c.value for c in at.caption)
    assert any("not a significance test" in c.value and "Flags: not compared" in c.value for c in at.caption)


def test_ward_profile_of_a_birmingham_ward(t):
    areas = t["areas"]
    code = areas[(areas["level"] == "ward") & (areas["parent_code"] == url_state.DEFAULT_LAD) & (areas["area_name"] == "Acocks Green")]["area_code"].iloc[0]
    at = open_page("profile", area=code)
    assert at.subheader[0].value == "Acocks Green"
    factors = table_with(at, "Shown as", "Rank among England's wards").set_index("Factor")
    for factor, label in (("1", "1 Shared values"), ("3", "3 Social mobility")):
        stored = ward_score(t, code, factor)
        assert factors.loc[label, "Value"] == f"{stored['score']:.3f}"
        assert factors.loc[label, "Rank among England's wards"] == measure_labels.rank_text(stored["rank"], stored["rank_low"], stored["rank_high"], int(stored["n_areas"]))
    crime = ward_score(t, code, "2")
    assert crime["single_indicator"] == "imd_crime_score" and factors.loc["2 Responsibility", "Shown as"].startswith("single indicator, not a score:")
    assert f"Composite of factors {covered_factors(t, code)}" == "Composite of factors 1, 3 and 4"
    assert factors.loc["Composite of factors 1, 3 and 4", "Value"] == f"{ward_score(t, code, 'composite')['score']:.3f}"
    value, _ = latest_ward_value(t, code, "imd_education_score")
    title = t["indicators"].set_index("indicator_id").loc["imd_education_score", "title"]
    rows = indicator_table(at, title)
    assert rows.loc[title, "Value"] == f"{value:.2f}" and "England" in rows.columns  # a domain score, to two places
    assert any(c.value.startswith("Wards are ranked within their own country: among the 6,826 wards of England") for c in at.caption)


def test_ward_profile_flags_a_low_reliability_ward(t):
    rel = pd.read_parquet(PROCESSED / "ward_reliability.parquet")
    row = rel[rel["low_reliability"] & (rel["n_lsoa"] == 1) & rel["area_code"].str.startswith("W")].iloc[0]
    at = open_page("profile", area=row["area_code"])
    assert at.subheader[0].value == ward_label(t, row["area_code"])
    assert any(w.startswith(f"Low reliability: {row['reliability_note']}") for w in warnings(at))
    flagged = [f for f in frame_with(at, "Rests on") if f["Rests on"].str.contains(ward_profile_view.LOW_RELIABILITY_MARK).any()]
    assert flagged and all(f.loc[f["Rests on"].str.contains(ward_profile_view.LOW_RELIABILITY_MARK), "Indicator"].str.startswith("⚠ ").all() for f in flagged)
    canton = open_page("profile", area=CANTON)
    assert not any(w.startswith("Low reliability") for w in warnings(canton))


def test_ward_picker_moves_between_wards_and_back_to_the_la(t):
    at = open_page("profile", area=CANTON)
    other = [c for c in ward_profile_view.wards_of(CARDIFF, t["areas"]) if c != CANTON][0]
    at.selectbox(key="profile_ward").set_value(other).run()
    assert at.query_params["area"] == other and at.subheader[0].value == ward_label(t, other)
    at.selectbox(key="profile_ward").set_value("").run()
    assert at.query_params["area"] == CARDIFF and at.subheader[0].value == "Cardiff / Caerdydd"
    # from the LA profile, the ward picker opens a ward
    at.selectbox(key="profile_ward").set_value(CANTON).run()
    assert at.query_params["area"] == CANTON and at.subheader[0].value == "Canton / Treganna"
    # moving the LA picker leaves the ward for that LA's profile
    at.selectbox(key="profile_area").set_value(BLACKPOOL).run()
    assert at.query_params["area"] == BLACKPOOL and at.subheader[0].value == "Blackpool"


def test_a_bad_ward_code_warns_and_shows_a_default():
    at = open_page("profile", area="W05999999")
    assert any("ward code `W05999999` in the link is not one of the 7,588 wards" in w for w in warnings(at))
    assert at.subheader[0].value == "Birmingham"


def test_profile_bad_and_hostile_codes_warn():
    at = open_page("profile", area="E99999999")
    assert any("is not one of the 318 local authorities" in w for w in warnings(at))
    assert at.subheader[0].value == "Birmingham"
    at = open_page("profile", area="<script>alert(1)</script>")
    message = " ".join(warnings(at))
    assert "not a valid ONS code" in message and "<script>" not in message


# ---- scope and evidence strength

def test_profile_of_blackpool_says_its_scope_and_evidence(t):
    at = open_page("profile", area=BLACKPOOL)
    assert at.selectbox(key="profile_scope").value == "ew_common" and at.query_params["scope"] == "ew_common"
    scope_text = scopes.scope_caption("ew_common", t["universes"])
    assert scope_text.startswith("Ranked across England and Wales on the ") and "indicators published for both countries (318 LAs)" in scope_text
    assert scope_text in captions(at)
    metrics = {m.label: m.value for m in at.metric}
    table = table_with(at, "Factor", "All LAs").set_index("Factor")
    # the evidence sits under each rank, not in a table column that would fall off a 1366 px screen
    assert "Evidence" not in table.columns
    for factor in ("1", "2", "3", "4", "5", "composite"):
        row = lad_score(t, BLACKPOOL, factor)
        label = "Composite" if factor == "composite" else f"Factor {factor}"
        assert metrics[label] == (f"{int(row['rank'])} / {row['n_areas']}" if np.isfinite(row["rank"]) else "no score")
        assert f"band {int(row['rank_low'])}–{int(row['rank_high'])}  \n{scopes.evidence_text(row)}" in captions(at)
    assert scopes.evidence_text(lad_score(t, BLACKPOOL, "1")) == "3 indicators · 2021–2022/23 · 67% proxy · 0% inherited"  # the stored row, 1 Dec 2026
    assert "Note" not in table.columns  # Blackpool is not a very small authority
    correlations = table_with(at, "Factor", "ρ with ethnic-minority share").set_index("Factor")
    stored = t["coherence"].query("level == 'lad' and scope == 'ew_common' and indicator_id == ''").set_index("factor")
    assert correlations.iloc[2]["ρ with IMD score (English LAs)"] == pytest.approx(stored.loc[3, "rho_imd"])
    assert correlations.iloc[0]["ρ with ethnic-minority share"] == pytest.approx(stored.loc[1, "rho_ethnic_minority"])


def test_an_english_la_gets_no_caption_meant_for_another_country(t):
    """Issue 12: captions under the factor table must be about this LA. An English LA whose similar areas are all
    English is told nothing about Wales in either scope; one with Welsh similar areas is told how many are left out."""
    nb = t["neighbours"][t["neighbours"]["kind"] == "ons_global"]
    country = t["areas"].set_index("area_code")["country"]
    welsh_similar = nb.assign(w=nb["neighbour_code"].map(country) == "W").groupby("area_code")["w"].sum()
    all_english = welsh_similar[(welsh_similar == 0) & (welsh_similar.index.map(country) == "E")].index
    assert BIRMINGHAM in all_english
    for scope in ("ew_common", "country"):
        text = captions(at := open_page("profile", area=BIRMINGHAM, scope=scope))
        assert "this country" not in text and "left out" not in text
        assert not any("Wales only" in i.value or "Welsh authority" in i.value for i in at.info)
    crossing = nb[(nb["area_code"].map(country) == "E") & (nb["neighbour_code"].map(country) == "W")]["area_code"]
    assert len(crossing)  # English LAs with a Welsh similar area, read from the ONS table
    code = crossing.iloc[0]
    n = int(((nb["area_code"] == code) & (nb["neighbour_code"].map(country) == "W")).sum())
    assert f"{n} of the similar areas are in Wales and are left out" in captions(open_page("profile", area=code, scope="country"))


def test_profile_of_cardiff_in_the_country_scope_ranks_it_among_22(t):
    at = open_page("profile", area=CARDIFF, scope="country")
    assert not warnings(at)
    assert at.selectbox(key="profile_scope").value == "country" and at.query_params["scope"] == "country"
    metrics = {m.label: m.value for m in at.metric}
    row = lad_score(t, CARDIFF, "3", scope="country")
    assert row["n_areas"] == 22
    assert metrics["Factor 3"] == f"{int(row['rank'])} / 22"
    table = table_with(at, "Factor", "In Wales").set_index("Factor")
    assert table.loc["3 Social mobility", "In Wales"] == measure_labels.rank_text(row["rank"], row["rank_low"], row["rank_high"], 22, compact=True)
    assert table.loc["3 Social mobility", "In Wales"].startswith(f"{int(row['rank'])}/22")
    assert scopes.evidence_text(row) in captions(at)
    assert scopes.scope_caption("country", t["universes"], country="W") in captions(at)
    assert "Ranked within Wales on the " in captions(at) and "(22 LAs)" in captions(at)
    correlations = table_with(at, "Factor", "ρ with ethnic-minority share")
    assert "ρ with WIMD score (Welsh LAs)" in correlations.columns and "ρ with IMD score (English LAs)" not in correlations.columns
    at.selectbox(key="profile_scope").set_value("ew_common").run()
    metrics = {m.label: m.value for m in at.metric}
    common = lad_score(t, CARDIFF, "3")
    assert metrics["Factor 3"] == f"{int(common['rank'])} / {common['n_areas']}" and common["n_areas"] > 300
    assert at.query_params["scope"] == "ew_common"


@pytest.mark.parametrize("page", ["profile", "map", "compare", "composite", "data"])
def test_a_bad_scope_warns_and_falls_back_to_the_default(page):
    at = open_page(page, scope="galaxy")
    text = " ".join(warnings(at))
    assert "ranking scope `galaxy`" in text and "`ew_common`" in text and "`country`" in text
    key = {"profile": "profile_scope", "map": "map_scope", "compare": "compare_scope", "composite": "composite_scope", "data": "data_scope"}[page]
    assert at.selectbox(key=key).value == vocab.DEFAULT_SCOPE
    assert at.query_params["scope"] == vocab.DEFAULT_SCOPE


def test_city_of_london_carries_the_small_population_note(t):
    assert bool(lad_score(t, CITY_OF_LONDON, "2")["small_population"])
    at = open_page("profile", area=CITY_OF_LONDON)
    assert any("City of London" in i.value and scopes.SMALL_POPULATION_TEXT in i.value for i in at.info)
    table = table_with(at, "Factor", "Note")
    assert set(table["Note"]) == {scopes.SMALL_POPULATION_TEXT}
    at = open_page("map", indicator="factor_2", scope="country")
    rows = table_with(at, "Code", "Rank (1 = best)").set_index("Code")
    assert rows.loc[CITY_OF_LONDON, "Note"] == scopes.SMALL_POPULATION_TEXT and rows.loc[BLACKPOOL, "Note"] == ""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = spec["data"][0]
    i = list(trace["locations"]).index(CITY_OF_LONDON)
    assert scopes.SMALL_POPULATION_TEXT in trace["customdata"][i][3]


def test_map_in_the_country_scope_ranks_welsh_las_of_22(t):
    at = open_page("map", indicator="factor_3", scope="country")
    assert at.selectbox(key="map_scope").value == "country"
    rows = table_with(at, "Code", "Rank (1 = best)").set_index("Code")
    row = lad_score(t, CARDIFF, "3", scope="country")
    assert rows.loc[CARDIFF, "score"] == pytest.approx(row["score"])
    assert rows.loc[CARDIFF, "Rank (1 = best)"] == measure_labels.rank_text(row["rank"], row["rank_low"], row["rank_high"], 22)
    assert rows.loc[CARDIFF, "Evidence (indicators · periods · proxy · inherited)"] == scopes.evidence_text(row)
    assert scopes.scope_caption("country", t["universes"]) in captions(at)
    at.selectbox(key="map_measure").set_value("imd_average_score").run()
    assert at.selectbox(key="map_scope").disabled  # indicators are not scoped


def test_compare_in_the_country_scope(t):
    at = open_page("compare", areas=f"{BLACKPOOL},{CARDIFF}", scope="country")
    ranks = frame_with(at, "Factor")[0].set_index("Factor")
    row = lad_score(t, CARDIFF, "1", scope="country")
    assert ranks.loc["1 Shared values", "Cardiff / Caerdydd"] == measure_labels.rank_text(row["rank"], row["rank_low"], row["rank_high"], 22, compact=True)
    evidence = table_with(at, "Area", "Factor", "Evidence").set_index(["Area", "Factor"])
    assert evidence.loc[("Blackpool", "1 Shared values"), "Evidence"] == scopes.evidence_text(lad_score(t, BLACKPOOL, "1", scope="country"))
    assert "Each LA is ranked within its own country" in captions(at)


def test_composite_builder_in_the_country_scope_matches_the_build(t):
    at = open_page("composite", area=CARDIFF, scope="country")
    ranks = frame_with(at, "Your weights")[0]  # the chart's table: at equal weights nobody moves, so no movers table
    s = t["factor_scores"]
    scored = s[(s["level"] == "lad") & (s["scope"] == "country") & (s["factor"] == "composite") & (s["method"] == "robust_z") & s["rank"].notna()]
    assert len(ranks) == len(scored) and (ranks["Your weights"] == ranks["Equal weights"]).all()
    assert ranks.set_index("Code").at[CARDIFF, "Your weights"] == lad_score(t, CARDIFF, "composite", scope="country")["rank"]
    row = lad_score(t, CARDIFF, "composite", scope="country")
    assert any(f"rank {int(row['rank'])} of 22 LAs in Wales under your weights" in m.value for m in at.markdown)


def test_data_export_scores_in_a_scope(t):
    at = open_page("data", dataset="scores", areas=CARDIFF, scope="country", method="robust_z")
    preview = frame_with(at, "score")[0]
    assert set(preview["scope"]) == {"country"} and set(preview["n_areas"]) == {22} and len(preview) == 6
    stored = lad_score(t, CARDIFF, "3", scope="country")
    three = preview.set_index("factor").loc["3"]
    assert three["score"] == pytest.approx(stored["score"]) and three["evidence"] == scopes.evidence_text(stored)
    at = open_page("data", dataset="scores", level="ward", areas=WILTSHIRE, scope="ew_common")
    assert at.selectbox(key="data_scope").disabled
    assert set(frame_with(at, "score")[0]["scope"]) == {vocab.WARD_SCOPE}
    assert "Wards are ranked within their own country" in captions(at)


def test_methodology_shows_the_stored_coherence_audit(t):
    at = open_page("methodology")
    factors = table_with(at, "Cronbach's alpha")
    stored = t["coherence"].query("level == 'lad' and scope == 'country' and country == 'E' and indicator_id == ''").set_index("factor")
    shown = factors[(factors["Level"] == "lad") & (factors["Scope"] == "country") & (factors["Country"] == "E")].set_index("Factor")
    assert len(shown) == len(stored) == 5
    assert shown.loc["3. Social mobility and realising potential", "Cronbach's alpha"] == pytest.approx(stored.loc[3, "cronbach_alpha"])
    assert shown.loc["3. Social mobility and realising potential", "ρ with IMD score (English LAs)"] == pytest.approx(stored.loc[3, "rho_imd"])
    items = table_with(at, "Item-rest ρ").set_index(["Universe", "indicator_id"])
    item = t["coherence"].query("level == 'lad' and scope == 'ew_common' and indicator_id == 'life_satisfaction'").iloc[0]
    assert items.loc[(scopes.universe_label("ew_common", "E+W"), "life_satisfaction"), "Item-rest ρ"] == pytest.approx(item["item_rest_rho"])


# ---- ward map

def test_ward_map_of_wiltshire(t):
    at = open_page("wards", area=WILTSHIRE, indicator="imd_average_score")
    table = frame_with(at, "Rank in LA (1 = best)")[0]
    wards = t["areas"][(t["areas"]["level"] == "ward") & (t["areas"]["parent_code"] == WILTSHIRE)]
    assert len(table) == len(wards) == 98
    code, name, value = least_deprived_ward(t, WILTSHIRE)
    assert table.iloc[0]["Code"] == code and table.iloc[0]["Ward"] == name  # least deprived first (lower is better)
    assert table.iloc[0]["score (higher = more deprived)"] == pytest.approx(value)
    assert any("lookup is derived" in c.value and "agreement" in c.value for c in at.caption)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    # The outlines are a static file by URL (the browser caches it): the figure carries the 98 wards' values only.
    assert len(spec["data"][0]["locations"]) == 98 and "/boundaries/wards/E06000054-" in spec["data"][0]["geojson"]
    assert "coordinates" not in at.get("plotly_chart")[0].proto.spec


def test_ward_scores_are_ranked_within_their_own_country(t):
    at = open_page("wards", area=WILTSHIRE, indicator="factor_3")
    table = frame_with(at, "Rank in LA (1 = best)")[0].set_index("Code")
    s = t["factor_scores"]
    wards = s[(s["level"] == "ward") & (s["scope"] == vocab.WARD_SCOPE) & (s["factor"] == "3") & (s["method"] == "robust_z")].set_index("area_code")
    code = table.index[0]
    row = wards.loc[code]
    assert table.loc[code, "Rank in England"] == measure_labels.rank_text(row["rank"], row["rank_low"], row["rank_high"], int(row["n_areas"]))
    assert row["n_areas"] < 7000  # English wards only
    assert table.loc[code, "Evidence (indicators · periods · proxy · inherited)"] == scopes.evidence_text(row)
    assert "Wards are ranked within their own country" in captions(at)


def test_ward_map_national_view_uses_the_static_layer():
    at = open_page("wards", area=WILTSHIRE, indicator="imd_average_score", view="national")
    assert at.toggle(key="wards_national").value is True
    spec_text = at.get("plotly_chart")[0].proto.spec
    spec = json.loads(spec_text)
    assert spec["data"][0]["geojson"] == "app/static/wards_ew.geojson"
    assert "coordinates" not in spec_text
    assert (ROOT / "static" / "wards_ew.geojson").exists()
    at.toggle(key="wards_national").set_value(False).run()
    assert at.query_params["view"] == "la"


def test_ward_map_bad_view_warns():
    at = open_page("wards", view="everything")
    assert any("view" in w for w in warnings(at))


# ---- trends

def test_trends_of_blackpool_against_region_and_country(t):
    at = open_page("trends", area=BLACKPOOL, indicator="imd_average_score")
    table = frame_with(at, "Period")[0].set_index("Period")
    assert list(table.index) == ["2004", "2007", "2010", "2015", "2019", "2025"]
    assert table.loc["2025", "Blackpool"] == pytest.approx(43.467)
    shown = json.loads(next(d for d in at.dataframe if "Blackpool" in d.value.columns).proto.columns)
    assert shown["Blackpool"]["type_config"]["format"] == "%.2f"  # a deprivation score to two places, not three
    values = t["indicator_values"]
    lad_values = values[values["level"] == "lad"]
    series = trends_view.comparator_series(lad_values[lad_values["indicator_id"] == "imd_average_score"], BLACKPOOL, t["areas"], trends_view.lad_population(lad_values))
    expected = series[(series["period"] == "2025") & (series["series"] == "Region: North West")]["value"].iloc[0]
    assert table.loc["2025", "Region: North West"] == pytest.approx(expected)
    assert any("series breaks" in c.value for c in at.caption)
    at.radio(key="trends_show").set_value("rank").run()
    ranks = frame_with(at, "Rank (1 = best)")[0].set_index("Period")
    assert ranks.loc["2025", "Rank (1 = best)"] == 296
    assert at.query_params["show"] == "rank"


def test_trends_rejects_single_period_indicators():
    at = open_page("trends", indicator="eu_referendum_turnout")
    assert any("not in the catalogue" in w for w in warnings(at))


# ---- compare

def test_compare_two_areas(t):
    at = open_page("compare", areas=f"{BLACKPOOL},{CARDIFF},NOPE")
    assert at.multiselect(key="compare_areas").value == [BLACKPOOL, CARDIFF]
    assert any("NOPE" in w for w in warnings(at))
    ranks = frame_with(at, "Factor")[0].set_index("Factor")
    row = lad_score(t, CARDIFF, "4")
    assert ranks.loc["4 Participation", "Cardiff / Caerdydd"].startswith(f"{int(row['rank'])}/{int(row['n_areas'])} (")
    indicators = frame_with(at, "Indicator")[0].set_index("Indicator")
    assert indicators.loc["Index of Multiple Deprivation (average score)", "Blackpool"] == "43.47"  # by its unit
    assert indicators.loc["Index of Multiple Deprivation (average score)", "Cardiff / Caerdydd"] == "–"  # England only
    assert indicators.loc["Gross median weekly pay (residence-based)", "Blackpool"] == "£539.90"
    assert at.query_params["areas"] == f"{BLACKPOOL},{CARDIFF}"


# ---- composite builder

def test_composite_builder_equal_weights_match_the_published_ranks(t):
    at = open_page("composite", area=BLACKPOOL)
    tables = frame_with(at, "Your weights")
    assert len(tables) == 1  # the chart's table only: "Biggest moves" lists nobody when nobody moved
    assert (tables[0]["Your weights"] == tables[0]["Equal weights"]).all()
    assert "No LA changes rank" in captions(at)
    assert any(f"rank {int(lad_score(t, BLACKPOOL, 'composite')['rank'])} of" in m.value for m in at.markdown)
    assert any(COMPOSITE_CAVEAT in i.value for i in at.info)


def test_composite_builder_weights_from_the_url_move_ranks(t):
    at = open_page("composite", area=BLACKPOOL, weights="3,1,1,1,0", method="exponential")
    assert [at.slider(key=f"composite_w{n}").value for n in range(1, 6)] == [3.0, 1.0, 1.0, 1.0, 0.0]
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    prepared = reweight.prepare(lad_values, t["indicators"], t["areas"][t["areas"]["level"] == "lad"], "exponential")
    expected = reweight.rank_shift(prepared, {}, {1: 3.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 0.0})
    text = " ".join(m.value for m in at.markdown)
    assert f"rank {int(expected.loc[BLACKPOOL, 'rank'])} of" in text
    movers = frame_with(at, "Places up")[1]  # [0] is the chart's table
    assert len(movers) and (movers["Places up"] != 0).all()
    published = lad_score(t, BLACKPOOL, "composite", method="exponential")
    assert f"published band at equal weights {int(published['rank_low'])}–{int(published['rank_high'])}" in text
    at.slider(key="composite_w2").set_value(2.0).run()
    assert at.query_params["weights"] == "3,2,1,1,0"


def test_composite_builder_bad_weights_warn():
    at = open_page("composite", weights="1,1,banana", iw="imd_average_score:9,nope:1")
    text = " ".join(warnings(at))
    assert "not numbers" in text and "Ignored indicator weights" in text


# ---- data and export

def test_data_export_filters_to_real_rows():
    at = open_page("data", indicator="imd_average_score", areas=BLACKPOOL)
    preview = frame_with(at, "indicator_id")[0]
    assert len(preview) == 1
    assert preview.iloc[0]["value"] == pytest.approx(43.467) and preview.iloc[0]["period"] == "2025"
    assert preview.iloc[0]["licence"] == "Open Government Licence v3.0"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download XLSX (with metadata)", "Download GeoJSON"]
    at.selectbox(key="data_period").set_value("all").run()
    assert len(frame_with(at, "indicator_id")[0]) == 6
    assert at.query_params["period"] == "all"


def test_data_export_ward_level_scores():
    at = open_page("data", dataset="scores", level="ward", areas=WILTSHIRE, method="robust_z")
    preview = frame_with(at, "score")[0]
    assert preview["area_code"].nunique() == 98 and set(preview["method"]) == {"robust_z"}
    assert set(preview["local_authority"]) == {"Wiltshire"}


def test_data_export_bad_filters_warn():
    at = open_page("data", factor="9", indicator="nope", level="county")
    text = " ".join(warnings(at))
    assert "factors" in text.lower() and "indicators" in text.lower() and "level" in text


# ---- methodology

def test_methodology_lists_sources_with_licences(t):
    at = open_page("methodology")
    assert any("Cohesion Atlas: methodology" in m.value for m in at.markdown)
    sources = frame_with(at, "licence")[0]
    assert len(sources) == len(t["sources"])
    assert sources.set_index("source_id").loc["iod2025", "retrieved"] == t["sources"].set_index("source_id").loc["iod2025", "retrieved"]


# ---- keyboard paths (no mouse needed)

def test_map_keyboard_alternative_opens_a_profile(t):
    at = open_page("map")
    at.selectbox(key="map_open").set_value(BLACKPOOL).run()
    at.button(key="map_open_button").click().run()
    assert not at.exception
    assert at.subheader[0].value == "Blackpool"
    assert at.query_params["area"] == BLACKPOOL


def test_profile_finds_a_ward_by_name_and_keeps_it_in_the_link(t):
    at = open_page("profile")
    at.text_input(key="profile_ward_query").input("Ainsdale").run()
    pick = at.selectbox(key="profile_ward_pick")
    ward = t["areas"].set_index("area_code").loc[pick.value]
    assert ward["area_name"] == "Ainsdale"
    at.button(key="profile_ward_go").click().run()
    assert at.query_params["area"] == pick.value
    assert at.subheader[0].value == "Ainsdale"
    assert any(c.value.startswith(f"{pick.value} · ward (May 2025 boundaries) in {t['areas'].set_index('area_code').loc[ward['parent_code'], 'area_name']}") for c in at.caption)
    at.selectbox(key="profile_area").set_value(BLACKPOOL).run()
    assert at.query_params["area"] == BLACKPOOL and at.subheader[0].value == "Blackpool"
    # a Welsh name finds the ward too
    at.text_input(key="profile_ward_query").input("Treganna").run()
    assert at.selectbox(key="profile_ward_pick").value == CANTON


def test_profile_names_ons_in_capitals_wherever_it_labels_similar_areas():
    """Issue 12: 'Ons similar areas (20)' and 'Indicators against ons similar areas' said ONS wrongly."""
    at = open_page("profile", area=BLACKPOOL, comparator="ons_neighbours")
    labels = [e.label for e in at.expander] + [m.value for m in at.markdown]
    assert "ONS similar areas (20)" in labels
    assert "#### Indicators against ONS similar areas" in labels
    assert not [text for text in labels if "Ons " in text or "ons similar" in text]


@pytest.mark.parametrize("page,prefix", [("map", "map"), ("wards", "wards")])
def test_changing_the_indicator_warns_of_no_period_the_user_never_chose(page, prefix):
    """Issue 12: after a score (period 'latest'), choosing an indicator warned 'The period latest is not published'."""
    at = open_page(page)
    assert at.query_params.get("period") in (None, vocab.SCORE_PERIOD)
    at.selectbox(key=f"{prefix}_measure").set_value("imd_average_score").run()
    assert not [w for w in warnings(at) if "not published" in w]
    assert at.selectbox(key=f"{prefix}_period").value == "2025"
    # A period the user did choose, and that the indicator lacks, still gets its message.
    bad = open_page(page, indicator="imd_average_score", period="1850")
    assert any("not published" in w for w in warnings(bad))
