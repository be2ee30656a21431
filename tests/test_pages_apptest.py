"""Every page under Streamlit's AppTest: loads without an exception, shows real values from the processed tables, round-trips URL state, and warns on bad input."""
from __future__ import annotations

import base64
import json

import numpy as np

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from indicators import reweight, views

from conftest import PROCESSED, ROOT

from app_data import PAGES  # noqa: E402  (url path -> page file, as the app navigates)

TIMEOUT = 30
BLACKPOOL, CARDIFF, WILTSHIRE = "E06000009", "W06000015", "E06000054"


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "benchmarks", "sources")
    return {n: pd.read_parquet(PROCESSED / f"{n}.parquet") for n in names}


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


def lad_score(t, code, factor, method="robust_z"):
    s = t["factor_scores"]
    return s[(s["area_code"] == code) & (s["level"] == "lad") & (s["factor"] == factor) & (s["method"] == method)].iloc[0]


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
    assert imd["Value"] == pytest.approx(43.467) and imd["Period"] == "2025"
    bench = t["benchmarks"].set_index(["area_code", "indicator_id"]).loc[(BLACKPOOL, "gross_median_weekly_pay")]
    pay = pd.concat(factor3).set_index("Indicator").loc["Gross median weekly pay (residence-based)"]
    assert pay["Flag"] == bench["flag_vs_region"] == "worse"
    assert pay["North West"] == pytest.approx(bench["region_value"])
    assert at.query_params["area"] == BLACKPOOL
    assert any("Place Survey" in i.value and "2008" in i.value and "hate crime" in i.value.lower() for i in at.info)
    assert any(views.COMPOSITE_CAVEAT in c.value for c in at.caption)


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
    assert rows.loc["Gross median weekly pay (residence-based)", "our similar areas (median)"] == pytest.approx(bench["atlas_neighbours_median"])
    at.segmented_control(key="profile_comparator").set_value("country").run()
    rows = pd.concat(frame_with(at, "Trend")).set_index("Indicator")
    assert rows.loc["Gross median weekly pay (residence-based)", "England"] == pytest.approx(bench["country_value"])
    assert at.query_params["comparator"] == "country"


def test_profile_of_a_welsh_la_names_england_only_indicators(t):
    at = open_page("profile", area=CARDIFF)
    assert at.subheader[0].value == "Cardiff / Caerdydd"
    england_only = (t["indicators"]["countries"] == "E").sum()
    assert any(f"{england_only} indicators are published for England only" in i.value for i in at.info)


def test_profile_ward_link_shows_the_ward_inside_its_la(t):
    code, name, value = least_deprived_ward(t, WILTSHIRE)
    at = open_page("profile", area=code)
    assert at.subheader[0].value == "Wiltshire"
    assert at.query_params["area"] == code
    assert any(name in m.value for m in at.markdown)
    ward_values = frame_with(at, "derivation")[0].set_index("title")
    assert ward_values.loc["Index of Multiple Deprivation (average score)", "value"] == pytest.approx(value)


def test_profile_bad_and_hostile_codes_warn():
    at = open_page("profile", area="E99999999")
    assert any("is not one of the 318 local authorities" in w for w in warnings(at))
    assert at.subheader[0].value == "Birmingham"
    at = open_page("profile", area="<script>alert(1)</script>")
    message = " ".join(warnings(at))
    assert "not a valid ONS code" in message and "<script>" not in message


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
    assert len(spec["data"][0]["locations"]) == 98 and len(spec["data"][0]["geojson"]["features"]) == 98


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
    values = t["indicator_values"]
    lad_values = values[values["level"] == "lad"]
    series = views.comparator_series(lad_values[lad_values["indicator_id"] == "imd_average_score"], BLACKPOOL, t["areas"], views.lad_population(lad_values))
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
    assert ranks.loc["4 Participation", "Cardiff / Caerdydd"].startswith(f"{int(row['rank'])} of ")
    indicators = frame_with(at, "Indicator")[0].set_index("Indicator")
    assert indicators.loc["Index of Multiple Deprivation (average score)", "Blackpool"] == pytest.approx(43.467)
    assert pd.isna(indicators.loc["Index of Multiple Deprivation (average score)", "Cardiff / Caerdydd"])
    assert at.query_params["areas"] == f"{BLACKPOOL},{CARDIFF}"


# ---- composite builder

def test_composite_builder_equal_weights_match_the_published_ranks(t):
    at = open_page("composite", area=BLACKPOOL)
    movers = frame_with(at, "Your weights")[0]
    assert (movers["Your weights"] == movers["Equal weights"]).all()
    assert any(f"rank {int(lad_score(t, BLACKPOOL, 'composite')['rank'])} of" in m.value for m in at.markdown)
    assert any(views.COMPOSITE_CAVEAT in i.value for i in at.info)


def test_composite_builder_weights_from_the_url_move_ranks(t):
    at = open_page("composite", area=BLACKPOOL, weights="3,1,1,1,0", method="exponential")
    assert [at.slider(key=f"composite_w{n}").value for n in range(1, 6)] == [3.0, 1.0, 1.0, 1.0, 0.0]
    lad_values = t["indicator_values"][t["indicator_values"]["level"] == "lad"]
    prepared = reweight.prepare(lad_values, t["indicators"], t["areas"][t["areas"]["level"] == "lad"], "exponential")
    expected = reweight.rank_shift(prepared, {}, {1: 3.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 0.0})
    text = " ".join(m.value for m in at.markdown)
    assert f"rank {int(expected.loc[BLACKPOOL, 'rank'])} of" in text
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
    assert at.subheader[0].value == t["areas"].set_index("area_code").loc[ward["parent_code"], "area_name"]
    assert any(m.value.startswith("#### Ward: Ainsdale") for m in at.markdown)
    at.selectbox(key="profile_area").set_value(BLACKPOOL).run()
    assert at.query_params["area"] == BLACKPOOL and not any(m.value.startswith("#### Ward:") for m in at.markdown)
