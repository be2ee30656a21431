"""The five-factor model on the real snapshot: catalogue rules, harmonisation, scores, missing-data rule, neighbours."""
from __future__ import annotations

import ast
import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from areas import harmonise
from conftest import PROCESSED, RAW, ROOT
from indicators.catalogue import BY_ID, CATALOGUE, FACTOR_NOTES
from indicators.context import BuildContext
from scoring import neighbours, scores
from vocabulary import FACTORS


@pytest.fixture(scope="module")
def values():
    return pd.read_parquet(PROCESSED / "indicator_values.parquet")


@pytest.fixture(scope="module")
def factor_scores():
    return pd.read_parquet(PROCESSED / "factor_scores.parquet")


@pytest.fixture(scope="module")
def areas():
    return pd.read_parquet(PROCESSED / "areas.parquet")


@pytest.fixture(scope="module")
def ctx(areas):
    tidy = {p.stem: pd.read_parquet(p) for p in (PROCESSED / "tidy").glob("*.parquet")}
    return BuildContext(raw_root=RAW, areas=areas, tidy=tidy)


# ---- catalogue rules ---------------------------------------------------------------------------

def test_every_scored_indicator_has_complete_metadata():
    for ind in CATALOGUE:
        assert ind.title and ind.description and ind.unit and ind.sources and ind.caveats and ind.derivation, ind.id
        assert ind.polarity in ("higher_is_better", "lower_is_better", "context")
        assert set(ind.levels) <= {"lad", "ward"}
    assert len(BY_ID) == len(CATALOGUE), "indicator ids must be unique"


def test_enough_scored_la_indicators_per_factor_and_factor_5_present():
    # Factor 2 keeps one of its four crime measures (they correlate at rho 0.87-0.95) beside persistent absence.
    for factor, least in ((1, 4), (2, 2), (3, 4), (4, 4)):
        scored = [i for i in CATALOGUE if i.factor == factor and i.is_scored and "lad" in i.levels]
        assert len(scored) >= least, factor
    factor5 = [i for i in CATALOGUE if i.factor == 5]
    assert factor5 and all(i.proxy for i in factor5), "factor 5 rests on proxies and must say so"


def test_declared_sources_exist():
    from data_sources import all_modules

    known = {m.SOURCE.id for m in all_modules()}
    for ind in CATALOGUE:
        assert set(ind.sources) <= known, ind.id


def test_diversity_and_identity_are_context_and_leave_share_is_not_used():
    for ind in CATALOGUE:
        text = f"{ind.id} {ind.title}".lower()
        if any(word in text for word in ("ethnic", "religio", "born outside", "identity", "diversity", "segregation")):
            assert ind.polarity == "context" and ind.factor is None, ind.id
        assert "leave" not in text and "remain" not in text


def test_no_context_indicator_enters_any_score(values, areas):
    from scoring.factor_scores import score_matrix

    context_ids = {i.id for i in CATALOGUE if i.polarity == "context"}
    for level in ("lad", "ward"):
        matrix = score_matrix(values, areas, level)
        assert not context_ids & set(matrix.values.columns)
        assert set(matrix.values.columns) <= {i.id for i in CATALOGUE if i.is_scored}


def test_methodology_names_every_indicator():
    text = (PROCESSED / "methodology.md").read_text()
    for ind in CATALOGUE:
        assert f"`{ind.id}`" in text and ind.title in text


# ---- the catalogue holds declarations, and the facts shown with each indicator ---------------------

def test_the_catalogue_module_declares_and_computes_nothing():
    """Compute code lives in indicators/builders.py and indicators/bespoke.py; a lambda in a declaration may only be
    a one-line call of one of them."""
    tree = ast.parse((ROOT / "indicators" / "catalogue.py").read_text(encoding="utf-8"))
    declared = sum(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Indicator" for n in ast.walk(tree))
    assert declared == len(CATALOGUE), "the scan does not see the declarations"
    defined = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    assert not defined, f"catalogue.py defines {defined}: a generic builder goes to builders.py, a one-off to bespoke.py"
    compute_modules = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "indicators"
        for alias in node.names
        if alias.name in ("builders", "bespoke")
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda):
            call = node.body
            calls_builder = isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id in compute_modules
            assert node.lineno == node.end_lineno and calls_builder, f"line {node.lineno}: {ast.unparse(node)}"


def test_every_declared_series_break_is_a_period_the_indicator_has(values):
    held = values.groupby("indicator_id")["period"].agg(set)
    declared = [(ind.id, period) for ind in CATALOGUE for period, _ in ind.series_breaks]
    assert declared, "no series break is declared"
    missing = [(i, period) for i, period in declared if period not in held.get(i, set())]
    assert not missing, f"series breaks at periods the values do not have (labels must match as stored): {missing}"


def test_edition_notes_are_on_indicators_with_more_than_one_period(values):
    n_periods = values.groupby("indicator_id")["period"].nunique()
    noted = [ind.id for ind in CATALOGUE if ind.edition_note]
    assert noted, "no edition note is declared"
    assert not [i for i in noted if n_periods.get(i, 0) < 2], "an edition note on a series of one edition says nothing"


def test_factor_notes_are_for_declared_factors():
    assert FACTOR_NOTES and set(FACTOR_NOTES) <= set(FACTORS)
    assert all(note.strip() for note in FACTOR_NOTES.values())


@pytest.mark.parametrize(
    "breaks",
    [(("2021", ""),), (("", "new survey"),), (("2021",),), [("2021", "new survey")], (["2021", "new survey"],), (("2021", "a"), ("2021", "b"))],
    ids=["no reason", "no period", "not a pair", "a list", "pair as list", "two at one period"],
)
def test_a_series_break_is_one_period_label_with_a_reason(breaks):
    with pytest.raises(ValueError, match="series.break"):
        dataclasses.replace(BY_ID["worthwhile"], series_breaks=breaks)
    assert dataclasses.replace(BY_ID["worthwhile"], series_breaks=(("2021", "new survey"),)).series_breaks == (("2021", "new survey"),)


def test_the_catalogue_table_carries_the_breaks_edition_notes_and_factor_notes(values):
    from indicators.values import catalogue_table

    table = catalogue_table(values).set_index("indicator_id")
    for ind in CATALOGUE:
        row = table.loc[ind.id]
        assert [tuple(pair) for pair in json.loads(row["series_breaks"])] == list(ind.series_breaks), ind.id
        assert row["edition_note"] == ind.edition_note, ind.id
        assert row["factor_note"] == FACTOR_NOTES.get(ind.factor, ""), ind.id
    assert (table["factor_note"] != "").sum() == sum(ind.factor in FACTOR_NOTES for ind in CATALOGUE) > 0


def test_methodology_gives_each_indicator_its_breaks_and_edition_note_and_each_factor_its_note():
    from outputs.methodology import render

    text = render()
    for number, note in FACTOR_NOTES.items():
        assert note in text.split(f"### Factor {number}:", 1)[1].split("\n### ", 1)[0]
    for ind in CATALOGUE:
        entry = text.split(f"- id: `{ind.id}`;", 1)[1].split("\n#### ", 1)[0]
        assert all(why in entry for _, why in ind.series_breaks), ind.id
        assert ind.edition_note in entry, ind.id


# ---- real values ---------------------------------------------------------------------------------

def test_iod2025_la_scores_recomputed_from_lsoas_match_file_10(ctx):
    """Population-weighted LSOA scores reproduce the published LA average scores. IoD2025 used mid-2022
    population denominators, which are not held; we weight by Census 2021 residents (TS021 totals), which
    moves scores by at most 0.35 points (City of London) and by 0.03 at the median."""
    derived = ctx.lsoa21_mean("iod2025", "imd_score")["lad"].set_index("area_code")["value"]
    published = ctx.lad_values("iod2025", "imd_average_score", "lad24").set_index("area_code")["value"]
    diff = (derived - published).dropna()
    assert len(diff) == 296
    assert diff.abs().max() < 0.35 and diff.abs().median() < 0.05
    assert published["E06000009"] == pytest.approx(43.467)
    assert derived["E06000009"] == pytest.approx(43.467, abs=0.2)
    assert derived.rank().corr(published.rank()) > 0.999


def test_blackpool_is_most_deprived_on_published_imd_in_2019_and_2025(values):
    imd = values[(values.indicator_id == "imd_average_score") & (values.level == "lad")]
    for period, score in (("2019", 45.039), ("2025", 43.467)):
        this = imd[imd.period == period].set_index("area_code")["value"]
        assert this.idxmax() == "E06000009" and this["E06000009"] == pytest.approx(score)
    assert set(imd["period"]) == {"2004", "2007", "2010", "2015", "2019", "2025"}


def test_census_population_sums_to_published_total(ctx):
    assert ctx.lsoa21_population.sum() == pytest.approx(59_597_542, rel=1e-5)


def test_ward_aggregation_conserves_la_totals(values):
    """Ward numerators and denominators sum to the LA's (wards nest in LADs; best fit assigns every LSOA once)."""
    share = values[values.indicator_id == "household_deprivation_any"]
    wards = share[share.level == "ward"].copy()
    lads = share[share.level == "lad"].set_index("area_code")
    areas = pd.read_parquet(PROCESSED / "areas.parquet").set_index("area_code")
    wards["lad"] = wards["area_code"].map(areas["parent_code"])
    summed = wards.groupby("lad")[["numerator", "denominator"]].sum()
    pd.testing.assert_series_equal(summed["denominator"], lads.loc[summed.index, "denominator"], check_names=False)
    pd.testing.assert_series_equal(summed["numerator"], lads.loc[summed.index, "numerator"], check_names=False)
    assert lads["denominator"].sum() == pytest.approx(24_782_778, rel=1e-3)  # households in E&W, Census 2021


def test_merged_districts_are_population_weighted_or_summed(values, ctx):
    """Cumberland (2023) took Allerdale, Carlisle and Copeland: its EU referendum turnout is summed votes / electorate."""
    eu = ctx.measure("eu_referendum", "votes_cast", "lad16").set_index("area_code")["value"]
    electorate = ctx.measure("eu_referendum", "electorate", "lad16").set_index("area_code")["value"]
    parts = ["E07000026", "E07000028", "E07000029"]
    expected = 100 * eu[parts].sum() / electorate[parts].sum()
    row = values[(values.indicator_id == "eu_referendum_turnout") & (values.area_code == "E06000063")].iloc[0]
    assert row["value"] == pytest.approx(expected, rel=1e-9)
    assert "aggregated from LAD16" in row["derivation"]
    barnsley = values[(values.indicator_id == "eu_referendum_turnout") & (values.area_code == "E08000038")].iloc[0]
    assert barnsley["derivation"].startswith("recoded")


def test_lad_merge_rule_in_isolation():
    chain = pd.DataFrame({"old_code": ["A1", "A2", "B1", "C1"], "lad25_code": ["N1", "N1", "B1", "C2"]})
    values = pd.DataFrame({"area_code": ["A1", "A2", "B1", "C1"], "period": "2020", "value": [10.0, 20.0, 5.0, 7.0], "geography": "lad19"})
    weights = pd.Series({"A1": 100.0, "A2": 300.0})
    out = harmonise.lad_to_lad25(values, chain, weights, how="mean").set_index("area_code")
    assert out.loc["N1", "value"] == pytest.approx((10 * 100 + 20 * 300) / 400)
    assert out.loc["B1", "derivation"] == "direct" and out.loc["C2", "derivation"].startswith("recoded")
    incomplete = harmonise.lad_to_lad25(values.drop(index=1), chain.iloc[[0, 2, 3]].assign(lad25_code=["N1", "B1", "C2"]), weights, how="mean")
    assert "N1" in set(incomplete["area_code"])  # only one district of that vintage was ever seen: passes through


# ---- scoring -------------------------------------------------------------------------------------

def test_robust_z_and_exponential_transform_by_hand(values):
    """Robust z for Blackpool and Knowsley on IMD 2025, and the exponential transform of their ranks."""
    imd = values[(values.indicator_id == "imd_average_score") & (values.level == "lad") & (values.period == "2025")].set_index("area_code")["value"]
    aligned = -imd
    median = aligned.median()
    mad = (aligned - median).abs().median()
    z = scores.robust_z(aligned)
    for code in ("E06000009", "E08000011"):
        assert z[code] == pytest.approx((aligned[code] - median) / (1.4826 * mad))
    assert z["E06000009"] == pytest.approx((-43.467 - median) / (1.4826 * mad))
    x = scores.exponential_transform(aligned)
    n = len(aligned)
    for code in ("E06000009", "E08000011"):
        rank_worst_first = aligned.rank(ascending=False)[code]
        r = rank_worst_first / n
        assert x[code] == pytest.approx(-23 * np.log(1 - r * (1 - np.exp(-100 / 23))))
    assert x["E06000009"] == pytest.approx(100.0)  # the worst area maps to the top of the scale


def test_missing_data_rule_needs_sixty_percent_of_weight():
    normalised = pd.DataFrame({"a": [1.0, 1.0, np.nan], "b": [1.0, np.nan, np.nan], "c": [1.0, np.nan, 1.0]}, index=["x", "y", "z"])
    factor = pd.Series({"a": 1, "b": 1, "c": 1})
    coverage = pd.DataFrame(True, index=normalised.index, columns=normalised.columns)
    result, counts, reasons = scores.factor_scores(normalised, factor, coverage)
    assert result.loc["x", 1] == 1.0
    assert np.isnan(result.loc["y", 1]) and "33%" in reasons.loc["y", 1]
    weighted, _, _ = scores.factor_scores(normalised, factor, coverage, {"a": 3.0})
    assert weighted.loc["y", 1] == 1.0  # a carries 3/5 = 60% of the weight
    coverage.loc["z", ["a", "b"]] = False  # indicators not published for z's country do not count against it
    result, _, reasons = scores.factor_scores(normalised, factor, coverage)
    assert result.loc["z", 1] == 1.0 and reasons.loc["z", 1] == ""


def test_every_la_has_every_factor_score_or_a_recorded_reason(factor_scores, areas):
    lad = factor_scores[(factor_scores.level == "lad") & (factor_scores.factor.isin(list("12345")))]
    assert lad.groupby(["scope", "method", "factor"])["area_code"].nunique().eq(318).all()
    missing = lad[lad["score"].isna()]
    assert (missing["missing_reason"].str.len() > 0).all()
    # Only the smallest LA, the Isles of Scilly (2,100 residents), falls below 60% in the country scope: its survey
    # estimates are suppressed and several series leave it out. (The City of London, 8,600, is scored since the census
    # output-area indicators reach it.)
    country = lad[lad["scope"] == "country"]
    assert set(country.loc[country["score"].isna(), "area_code"]) == {"E06000053"}
    # On the common footing, factor 1 has three indicators; ten LAs whose 2022/23 well-being estimates are suppressed
    # hold one of them (33%) and are not scored.
    common = lad[(lad["scope"] == "ew_common") & lad["score"].isna()]
    f1 = common[common["factor"] == "1"]
    assert f1["area_code"].nunique() == 10 and f1["missing_reason"].str.contains("33%").all()
    assert common[common["factor"] != "1"].empty  # every other factor scores all 318, the Isles of Scilly included
    welsh = lad[lad.area_code.str.startswith("W") & (lad.method == "robust_z")]
    assert welsh["score"].notna().all()


def test_wards_are_scored_for_factors_with_two_ward_indicators_in_their_country(factor_scores):
    wards = factor_scores[(factor_scores.level == "ward") & (factor_scores.method == "robust_z")]
    assert set(wards["scope"]) == {"country"}  # wards are ranked within their own country
    english = wards[wards["area_code"].str.startswith("E")]
    welsh = wards[wards["area_code"].str.startswith("W")]
    scored = lambda rows, f: rows[(rows["factor"] == f) & rows["score"].notna()]["area_code"].nunique()  # noqa: E731
    # England: F1 = English proficiency + IoD adult skills; F3 = census qualifications, NS-SeC L14, household
    # deprivation, IoD education; F4 = local and general election turnout. Each covers at least 95% of 6,826 wards.
    for factor in ("1", "3", "4"):
        assert scored(english, factor) >= 0.95 * 6_826, factor
    # Wales: F3 and F4 are scored; F1 rests on English proficiency alone and F2 on the WIMD community safety domain.
    for factor in ("3",):
        assert scored(welsh, factor) >= 0.95 * 762
    single = wards[wards["single_indicator"] != ""]
    assert set(single.loc[single["area_code"].str.startswith("W") & (single["factor"] == "1"), "single_indicator"]) == {"cannot_speak_english_well"}
    assert set(single.loc[single["area_code"].str.startswith("W") & (single["factor"] == "2"), "single_indicator"]) == {"wimd_community_safety_score"}
    assert set(single.loc[single["area_code"].str.startswith("E") & (single["factor"] == "2"), "single_indicator"]) == {"imd_crime_score"}
    assert single["score"].isna().all() and single["missing_reason"].str.startswith("single indicator, not a score").all()
    assert welsh.loc[welsh["factor"] == "1", "score"].isna().all() and english.loc[english["factor"] == "2", "score"].isna().all()
    # The composite says which factors it covers.
    composite = wards[(wards["factor"] == "composite") & wards["score"].notna()]
    assert composite.loc[composite["area_code"].str.startswith("W"), "missing_reason"].eq("composite of factors 3, 4 (the factors with ward data)").all()
    assert composite.loc[composite["area_code"].str.startswith("E"), "missing_reason"].eq("composite of factors 1, 3, 4 (the factors with ward data)").all()


def test_a_ward_single_indicator_rank_is_the_indicator_rank_among_its_country(factor_scores, values):
    canton = factor_scores[(factor_scores.area_code == "W05001273") & (factor_scores.factor == "1") & (factor_scores.method == "robust_z")].iloc[0]
    proficiency = values[(values.indicator_id == "cannot_speak_english_well") & (values.level == "ward") & values.area_code.str.startswith("W")].set_index("area_code")["value"]
    assert canton["single_indicator"] == "cannot_speak_english_well"
    assert canton["rank"] == proficiency.rank(method="min")["W05001273"]  # lower is better: rank 1 = smallest share
    assert canton["n_areas"] == proficiency.notna().sum()


def test_rank_bands_contain_the_rank(factor_scores):
    scored = factor_scores[factor_scores["score"].notna() & (factor_scores.level == "lad")]
    assert (scored["rank_low"] <= scored["rank"]).mean() > 0.97
    assert (scored["rank_high"] >= scored["rank"]).mean() > 0.97
    assert (scored["rank_high"] - scored["rank_low"]).median() > 0


def test_composite_is_missing_when_a_factor_is():
    table = pd.DataFrame({1: [1.0, 2.0], 2: [3.0, np.nan]}, index=["a", "b"])
    out = scores.composite(table)
    assert out["a"] == 2.0 and np.isnan(out["b"])
    assert scores.composite(table, {1: 1.0, 2: 0.0})["b"] == 2.0


def test_user_weights_change_ranks(values, areas):
    from scoring.factor_scores import factor_score_table

    lad_values = values[values.level == "lad"]
    equal = factor_score_table(lad_values, areas, bands=False)
    tilted = factor_score_table(lad_values, areas, factor_weights={1: 0.0, 2: 0.0, 3: 1.0, 4: 0.0, 5: 0.0}, bands=False)
    pick = lambda t: t[(t.factor == "composite") & (t.method == "robust_z") & (t.scope == "ew_common")].set_index("area_code")["score"]
    only3 = equal[(equal.factor == "3") & (equal.method == "robust_z") & (equal.scope == "ew_common")].set_index("area_code")["score"]
    pd.testing.assert_series_equal(pick(tilted).dropna(), only3.loc[pick(tilted).dropna().index], check_names=False)
    assert not pick(tilted).equals(pick(equal))


# ---- neighbours and benchmarks -----------------------------------------------------------------

def test_neighbours_include_ons_published_and_our_own():
    nb = pd.read_parquet(PROCESSED / "neighbours.parquet")
    assert set(nb["kind"]) == {"ons_global", "ons_economic", "ons_demographic", "atlas_knn", neighbours.WARD_KNN_KIND}
    westminster = nb[(nb.kind == "ons_global") & (nb.area_code == "E09000033")].sort_values("rank")
    assert westminster.iloc[0]["neighbour_code"] == "E09000007"  # Camden, as ONS publishes
    ours = nb[nb.kind == "atlas_knn"]
    assert ours.groupby("area_code").size().eq(20).all() and len(ours["area_code"].unique()) == 318
    assert not (ours["area_code"] == ours["neighbour_code"]).any()
    assert set(nb.loc[nb.kind != neighbours.WARD_KNN_KIND, "level"]) == {"lad"}


def test_similar_wards_are_the_nearest_of_their_own_country_on_context_only(values, areas):
    nb = pd.read_parquet(PROCESSED / "neighbours.parquet")
    wards = nb[nb.kind == neighbours.WARD_KNN_KIND]
    assert set(wards["level"]) == {"ward"}
    assert wards.groupby("area_code").size().eq(neighbours.K_WARD_NEIGHBOURS).all()
    assert wards["area_code"].nunique() > 7500  # all but the few wards missing a context variable
    assert not (wards["area_code"] == wards["neighbour_code"]).any()
    assert (wards["area_code"].str[0] == wards["neighbour_code"].str[0]).all()  # never across the border
    # neighbours are never chosen by an outcome: every variable is a context measure (or density from residents)
    for country, variables in neighbours.WARD_KNN_VARIABLES_BY_COUNTRY.items():
        for indicator_id in set(variables) - {neighbours.WARD_DENSITY}:
            assert BY_ID[indicator_id].polarity == "context" and not BY_ID[indicator_id].is_scored, indicator_id
    assert BY_ID[neighbours.WARD_RESIDENTS_FROM].polarity == "context"
    # Canton / Treganna: the stored list is the brute-force nearest ten on z-scored Welsh context variables
    matrix = neighbours.ward_context_matrix(values, areas, "W").dropna()
    z = (matrix - matrix.mean()) / matrix.std(ddof=0)
    distance = np.sqrt(((z - z.loc["W05001273"]) ** 2).sum(axis=1)).drop("W05001273").sort_values(kind="stable")
    stored = wards[wards.area_code == "W05001273"].sort_values("rank")["neighbour_code"].tolist()
    assert stored == distance.index[: neighbours.K_WARD_NEIGHBOURS].tolist()
    assert set(matrix.columns) == set(neighbours.WARD_KNN_VARIABLES_BY_COUNTRY["W"])


def test_nearest_matches_a_full_distance_matrix():
    rng = np.random.default_rng(7)
    z = rng.normal(size=(300, 4))
    indices, distances = neighbours.nearest(z, 5, chunk=64)
    full = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(full, np.inf)
    assert (indices == np.argsort(full, axis=1, kind="stable")[:, :5]).all()
    assert np.allclose(distances, np.sort(full, axis=1)[:, :5])


def test_benchmarks_compare_with_region_country_and_neighbours():
    bench = pd.read_parquet(PROCESSED / "benchmarks.parquet")
    row = bench[(bench.indicator_id == "household_deprivation_any") & (bench.area_code == "E06000009")].iloc[0]
    assert row["country_value"] == pytest.approx(51.6, abs=0.3)  # England: 51.6% of households deprived in 1+ dimensions
    assert row["value"] > row["region_value"] > 0
    flagged = bench[bench.indicator_id == "life_satisfaction"]["flag_vs_country"]
    assert set(flagged) <= {"better", "similar", "worse", "not compared"} and (flagged == "worse").any()


def test_census_2011_to_2021_ethnic_change_for_trends(values, ctx):
    """Tower Hamlets: 2011 share from QS201EW LAD counts and 2021 from LSOA counts, both on the 2025 code."""
    share = values[(values.indicator_id == "ethnic_minority_share") & (values.area_code == "E09000030")].set_index("period")["value"]
    total = ctx.measure("census2011", "ethnic_total", "lad11").set_index("area_code")["value"]["E09000030"]
    white = ctx.measure("census2011", "ethnic_white", "lad11").set_index("area_code")["value"]["E09000030"]
    assert share["2011"] == pytest.approx(100 * (total - white) / total)
    assert 50 < share["2011"] < share["2021"] < 80
