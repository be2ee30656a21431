"""The area report's summary: each rule's sentence for Blackpool, Cardiff and a Blackpool ward, asserted against values
the test computes itself from the processed parquet files (not through the report's code)."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from conftest import PROCESSED
from dashboard import tables
from dashboard.measure_labels import sort_periods
from reports import summary
from reports.area_report import ReportTables, build_report
from scoring.benchmarks import fifth_of

BLACKPOOL, CARDIFF, ANCHORSHOLME = "E06000009", "W06000015", "E05015186"
FIFTHS = {1: "best fifth", 2: "second fifth", 3: "middle fifth", 4: "fourth fifth", 5: "worst fifth"}


@pytest.fixture(scope="module")
def report_tables() -> ReportTables:
    return ReportTables.from_atlas(tables.load_atlas(PROCESSED))


@pytest.fixture(scope="module")
def reports(report_tables):
    return {code: build_report(code, report_tables) for code in (BLACKPOOL, CARDIFF, ANCHORSHOLME)}


@pytest.fixture(scope="module")
def parquet():
    return {name: pd.read_parquet(PROCESSED / f"{name}.parquet") for name in ("factor_scores", "areas", "neighbours", "benchmarks", "indicators", "indicator_values")}


def texts(report, topic: str) -> list[str]:
    return [s.text for s in report.summary if s.topic == topic]


def place(rank: int, n: int) -> str:
    return "near the top of" if rank <= n / 3 else ("near the bottom of" if rank > 2 * n / 3 else "in the middle of")


def rank_among(scores: pd.Series, area: str, members) -> tuple[int, int]:
    block = scores.reindex(list(dict.fromkeys([area, *members]))).dropna()
    return int((block > block[area]).sum() + 1), len(block)


def test_blackpool_factor_3_standing_matches_its_scores_region_and_similar_areas(reports, parquet):
    scores = parquet["factor_scores"]
    mine = scores[(scores["level"] == "lad") & (scores["scope"] == "ew_common") & (scores["method"] == "robust_z") & (scores["factor"] == "3")].set_index("area_code")
    me = mine.loc[BLACKPOOL]
    assert (int(me["rank"]), int(me["n_areas"])) == (304, 318)  # known from the bundled build
    areas = parquet["areas"].set_index("area_code")
    region = areas.index[(areas["level"] == "lad") & (areas["region_code"] == areas.loc[BLACKPOOL, "region_code"])]
    region_rank, region_n = rank_among(mine["score"], BLACKPOOL, region)
    n = parquet["neighbours"]
    similar = n[(n["area_code"] == BLACKPOOL) & (n["kind"] == "ons_global")]["neighbour_code"]
    similar_rank, similar_n = rank_among(mine["score"], BLACKPOOL, similar)
    fifth = FIFTHS[math.ceil(5 * me["rank"] / me["n_areas"])]
    expected = (
        f"Factor 3 (social mobility) ranks {int(me['rank'])} of {int(me['n_areas'])} LAs in England and Wales "
        f"(band {int(me['rank_low'])}–{int(me['rank_high'])}), in the {fifth}; {place(region_rank, region_n)} the North West "
        f"({region_rank} of {region_n}) and {place(similar_rank, similar_n)} its ONS similar areas ({similar_rank} of {similar_n})."
    )
    assert expected in texts(reports[BLACKPOOL], "standing")
    assert fifth == "worst fifth" and region_n == 35


def test_every_standing_sentence_of_blackpool_carries_the_rank_in_factor_scores(reports, parquet):
    scores = parquet["factor_scores"]
    mine = scores[(scores["area_code"] == BLACKPOOL) & (scores["scope"] == "ew_common") & (scores["method"] == "robust_z")].set_index("factor")
    standing = texts(reports[BLACKPOOL], "standing")
    assert len(standing) == 6
    for factor, sentence in zip(["1", "2", "3", "4", "5", "composite"], standing):
        assert f"ranks {int(mine.loc[factor, 'rank'])} of {int(mine.loc[factor, 'n_areas'])} LAs" in sentence, sentence


def test_cardiff_is_placed_within_wales_and_its_furthest_indicators_are_recomputed(reports, parquet):
    report = reports[CARDIFF]
    assert report.title == "Cardiff / Caerdydd"
    assert all("Wales (" in s for s in texts(report, "standing"))
    # Furthest from Wales, in spreads (1.4826 x MAD among Welsh LAs), over the indicators scored for both countries.
    cat = parquet["indicators"].set_index("indicator_id")
    bench = parquet["benchmarks"]
    welsh = set(parquet["areas"].query("level == 'lad' and country == 'W'")["area_code"])
    scored = [i for i in cat.index if cat.loc[i, "factor"] > 0 and cat.loc[i, "countries"] == "E+W" and "lad" in str(cat.loc[i, "scored_levels"]).split(", ")]
    gaps = {}
    for i in scored:
        rows = bench[(bench["indicator_id"] == i) & bench["area_code"].isin(welsh)]
        mine = rows[rows["area_code"] == CARDIFF]
        if mine.empty or not np.isfinite(mine["region_value"].iloc[0]):
            continue
        values = rows["value"].dropna()
        spread = np.median(np.abs(values - values.median())) * 1.4826
        if spread > 0:
            gaps[i] = abs(mine["value"].iloc[0] - mine["region_value"].iloc[0]) / spread
    top = sorted(gaps, key=lambda i: -gaps[i])[:2]
    sentence = texts(report, "furthest")[0]
    assert sentence.startswith("Furthest from Wales: ")
    first, second = (cat.loc[i, "title"] for i in top)
    assert sentence.index(first) < sentence.index(second)
    assert f"{gaps[top[0]]:.1f} spreads" in sentence and f"{gaps[top[1]]:.1f} spreads" in sentence
    # Cardiff lacks the England-only indicators, and the summary says so.
    assert any(s.startswith("Welsh authority: ") for s in texts(report, "limits"))


def test_blackpool_changes_are_counted_from_its_own_indicator_values(reports, parquet):
    cat = parquet["indicators"].set_index("indicator_id")
    values = parquet["indicator_values"]
    mine = values[(values["area_code"] == BLACKPOOL) & (values["level"] == "lad")]
    better = worse = same = 0
    for i, rows in mine.groupby("indicator_id"):
        ind = cat.loc[i]
        if ind["factor"] == 0 or ind["countries"] != "E+W" or "lad" not in str(ind["scored_levels"]).split(", "):
            continue  # only what enters Blackpool's scores in the common scope
        periods = sort_periods(rows["period"])
        if len(periods) < 2 or any(str(p) == periods[-1] for p, _ in json.loads(ind["series_breaks"] or "[]")):
            continue
        by = rows.set_index("period")["value"]
        delta = (by[periods[-1]] - by[periods[-2]]) * (1 if ind["polarity"] == "higher_is_better" else -1)
        better, worse, same = better + (delta > 0), worse + (delta < 0), same + (delta == 0)
    n = better + worse + same
    sentence = texts(reports[BLACKPOOL], "change")[1]
    assert sentence.startswith(f"Since their previous period, {better} of the {n} scored indicators with an earlier comparable period "
                               f"moved in the better direction and {worse} in the worse")
    assert n == 10 and better == 5 and worse == 4  # the bundled snapshot
    assert "one edition" in texts(reports[BLACKPOOL], "change")[0]


def test_blackpool_limits_name_the_proxy_factors_and_the_wide_band(reports, parquet):
    scores = parquet["factor_scores"]
    mine = scores[(scores["area_code"] == BLACKPOOL) & (scores["scope"] == "ew_common") & (scores["method"] == "robust_z") & scores["factor"].isin(list("12345"))]
    proxied = mine[mine["proxy_share"] >= 0.5]["factor"].tolist()
    wide = mine[(mine["rank_high"] - mine["rank_low"]) > 0.25 * mine["n_areas"]]
    limits = " ".join(texts(reports[BLACKPOOL], "limits"))
    assert proxied == ["1", "2", "5"] and "Factors 1, 2 and 5 rest mostly on proxies" in limits
    for r in wide.itertuples():
        assert f"factor {r.factor} ({int(r.rank_low)}–{int(r.rank_high)})" in limits
    assert "factor 4 from 2016" in limits  # the EU referendum turnout, ten years before the snapshot


def test_a_ward_is_placed_among_its_countrys_wards_and_its_las_wards(reports, parquet):
    report = reports[ANCHORSHOLME]
    assert (report.name, report.parent_name) == ("Anchorsholme", "Blackpool")
    scores = parquet["factor_scores"]
    wards = scores[(scores["level"] == "ward") & (scores["scope"] == "country") & (scores["method"] == "robust_z") & (scores["factor"] == "3")].set_index("area_code")
    me = wards.loc[ANCHORSHOLME]
    areas = parquet["areas"]
    blackpool_wards = areas[(areas["level"] == "ward") & (areas["parent_code"] == BLACKPOOL)]["area_code"]
    la_rank, la_n = rank_among(wards["score"], ANCHORSHOLME, blackpool_wards)
    fifth = FIFTHS[math.ceil(5 * me["rank"] / me["n_areas"])]
    expected = (f"Factor 3 (social mobility) ranks {int(me['rank']):,} of {int(me['n_areas']):,} wards in England "
                f"(band {int(me['rank_low']):,}–{int(me['rank_high']):,}), in the {fifth}; {place(la_rank, la_n)} Blackpool's wards ({la_rank} of {la_n})")
    assert any(s.startswith(expected) for s in texts(report, "standing")), texts(report, "standing")
    assert la_n == 21
    # Factor 5 has no ward indicator, and the summary says so rather than ranking it.
    assert "Factor 5 (tackling intolerance) has no score: no ward-level indicator of this factor is held here." in texts(report, "standing")


def test_every_sentence_keeps_the_values_it_was_written_from(reports):
    for report in reports.values():
        standing = [s for s in report.summary if s.topic == "standing" and "rank" in s.facts]
        assert standing
        for s in standing:
            assert f"{int(s.facts['rank']):,} of {int(s.facts['n']):,}" in s.text


@pytest.mark.parametrize(("rank", "n", "words"), [(1, 318, "best fifth"), (63, 318, "best fifth"), (64, 318, "second fifth"), (64, 320, "best fifth"), (65, 320, "second fifth"), (318, 318, "worst fifth")])
def test_fifths_split_the_ranks_evenly(rank, n, words):
    assert FIFTHS[int(fifth_of(rank, n))] == words


@pytest.mark.parametrize(("period", "year"), [("2022/23", 2022), ("YE Jun 2025", 2025), ("2021-2024", 2021), ("latest", None)])
def test_year_of_reads_every_period_format_held(period, year):
    assert summary.year_of(period) == year
