"""The honest-scores rules held against the real tables: publisher directions, diversity as context, one footing for
England and Wales, uncertainty from the data, bounded and non-redundant factors, labels that say what was done."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import PROCESSED
from data_sources import publisher_direction
from data_sources.base import HIGHER_FAVOURABLE, LOWER_FAVOURABLE, NOT_STATED
from indicators.catalogue import BY_ID, CATALOGUE
from scoring import coherence, scores
from scoring.matrix import latest_period

POLARITY_OF = {HIGHER_FAVOURABLE: "higher_is_better", LOWER_FAVOURABLE: "lower_is_better"}
# The measures that say who lives somewhere: a scored indicator must not mostly measure any of them.
DIVERSITY_CONTEXT = [
    "ethnic_minority_share", "born_outside_uk", "religious_diversity", "ethnic_diversity", "non_uk_identity_only",
    "households_multiple_ethnic_groups", "households_multiple_main_languages", "households_multiple_religions",
]
NEWHAM, COUNTY_DURHAM, CITY_OF_LONDON, SCILLY = "E09000025", "E06000047", "E09000001", "E06000053"


@pytest.fixture(scope="module")
def t():
    names = ("areas", "indicators", "indicator_values", "factor_scores", "coherence")
    return {name: pd.read_parquet(PROCESSED / f"{name}.parquet") for name in names}


def latest_wide(values: pd.DataFrame, level: str) -> pd.DataFrame:
    out = {}
    for indicator, block in values[values["level"] == level].groupby("indicator_id"):
        out[indicator] = block[block["period"] == latest_period(block)].set_index("area_code")["value"]
    return pd.DataFrame(out)


# ---------------------------------------------------------------- 1. directions from the publisher

@pytest.mark.parametrize("indicator", [i for i in CATALOGUE if i.is_scored], ids=lambda i: i.id)
def test_scored_polarity_agrees_with_the_publisher(indicator):
    if indicator.publisher_measure is None:
        assert indicator.direction_note, f"{indicator.id}: no publisher measure, so the polarity needs a stated reason"
        return
    direction = publisher_direction(*indicator.publisher_measure)
    if direction.favourable == NOT_STATED:
        assert indicator.direction_note, f"{indicator.id}: the publisher states no direction, so the polarity needs a stated reason"
    else:
        assert indicator.polarity == POLARITY_OF[direction.favourable], (indicator.id, direction.evidence)


def test_smc_promising_prospects_scores_newham_above_county_durham(t):
    values = t["indicator_values"]
    smc = values[(values["indicator_id"] == "smc_promising_prospects") & (values["period"] == "2021-2024")].set_index("area_code")["value"]
    assert (smc[NEWHAM], smc[COUNTY_DURHAM]) == (7, 1)  # 7 = "Most Favourable", 1 = "Least Favourable" as published
    assert BY_ID["smc_promising_prospects"].polarity == "higher_is_better"
    normalised = scores.normalise(smc.to_frame("smc"), pd.Series({"smc": "higher_is_better"}), "robust_z")["smc"]
    assert normalised[NEWHAM] > normalised[COUNTY_DURHAM]


# ---------------------------------------------------------------- 2. diversity is context, by rule

@pytest.mark.parametrize("level", ["lad", "ward"])
def test_no_scored_indicator_mostly_measures_who_lives_somewhere(t, level):
    wide = latest_wide(t["indicator_values"], level)
    scored = [i.id for i in CATALOGUE if i.is_scored and i.id in wide]
    context = [c for c in DIVERSITY_CONTEXT if c in wide]
    assert len(context) >= (5 if level == "lad" else 4) and len(scored) >= (20 if level == "lad" else 3)
    violations = coherence.diversity_violations(wide, scored, context, threshold=0.9)
    assert violations.empty, violations.to_string()


def test_household_language_is_context_and_proficiency_says_what_it_measures():
    assert BY_ID["household_no_english_main_language"].polarity == "context"
    assert BY_ID["household_no_english_main_language"].factor is None
    proficiency = BY_ID["cannot_speak_english_well"]
    assert proficiency.is_scored and proficiency.factor == 1
    assert "self-reported spoken English" in proficiency.caveats


def test_household_language_would_fail_the_rule_if_scored(t):
    """The rule can fail: the measure made context in this change correlates r >= 0.9 with birthplace across LAs."""
    wide = latest_wide(t["indicator_values"], "lad")
    violations = coherence.diversity_violations(wide, ["household_no_english_main_language"], DIVERSITY_CONTEXT, threshold=0.9)
    assert set(violations["context_id"]) >= {"ethnic_minority_share", "born_outside_uk"}


# ---------------------------------------------------------------- 3. one footing for England and Wales

def test_default_scope_ranks_all_318_las_on_indicators_published_for_both_countries(t):
    lad = t["factor_scores"][(t["factor_scores"]["level"] == "lad") & (t["factor_scores"]["method"] == "robust_z")]
    assert set(lad["scope"]) == {"ew_common", "country"}
    common = lad[lad["scope"] == "ew_common"]
    assert common.groupby("factor")["area_code"].nunique().eq(318).all()
    both = {i.id for i in CATALOGUE if i.is_scored and i.countries == "E+W" and "lad" in i.levels}
    england_only = {i.id for i in CATALOGUE if i.is_scored and i.countries == "E"}
    audit = t["coherence"]
    used = set(audit[(audit["level"] == "lad") & (audit["scope"] == "ew_common") & (audit["indicator_id"] != "")]["indicator_id"])
    assert used and used <= both and not used & england_only


def test_country_scope_ranks_each_country_within_itself(t):
    lad = t["factor_scores"][(t["factor_scores"]["level"] == "lad") & (t["factor_scores"]["scope"] == "country") & (t["factor_scores"]["method"] == "robust_z")]
    welsh = lad[lad["area_code"].str.startswith("W") & (lad["factor"] == "3")]
    assert len(welsh) == 22 and sorted(welsh["rank"].astype(int)) == list(range(1, 23))
    assert (welsh["n_areas"] == 22).all()
    english = lad[lad["area_code"].str.startswith("E") & (lad["factor"] == "3")]
    assert english["rank"].max() <= 296 and (english["n_areas"] <= 296).all()


def test_restandardised_scores_keep_their_spread_when_indicators_are_missing(t):
    """Areas holding every indicator of a factor lose some at random (as missing data would); the re-standardised
    scores on what is left keep the robust SD of the full-set scores within 10%."""
    wide = latest_wide(t["indicator_values"], "lad")
    ids = [i.id for i in CATALOGUE if i.is_scored and i.factor == 3 and i.countries == "E+W" and i.id in wide]
    polarity = pd.Series({i: BY_ID[i].polarity for i in ids})
    complete = wide[ids].dropna()
    assert len(ids) >= 8 and len(complete) >= 250
    normalised = scores.normalise(complete, polarity, "robust_z")
    spread = scores.spread_of(normalised, "robust_z")
    factor = pd.Series(3, index=ids)
    coverage = pd.DataFrame(True, index=normalised.index, columns=ids)
    full, _, _ = scores.factor_scores(normalised, factor, coverage, spread=spread)
    rng = np.random.default_rng(7)
    reduced = normalised.copy()
    for row in range(len(reduced)):
        drop = rng.choice(len(ids), size=rng.integers(1, 4), replace=False)  # keep at least 60% of the weight
        reduced.iloc[row, drop] = np.nan
    dropped, _, _ = scores.factor_scores(reduced, factor, coverage, spread=spread)
    assert robust_sd(dropped[3]) == pytest.approx(robust_sd(full[3]), rel=0.10)


def test_restandardising_removes_the_spread_that_fewer_indicators_add():
    """Synthetic, independent indicators: a mean of 2 spreads twice as wide as a mean of 8; re-standardised, not."""
    rng = np.random.default_rng(11)
    normalised = pd.DataFrame(rng.standard_normal((4000, 8)), columns=list("abcdefgh"))
    factor = pd.Series(1, index=normalised.columns)
    coverage = pd.DataFrame(True, index=normalised.index, columns=normalised.columns)
    few = normalised.copy()
    few.iloc[:, 2:] = np.nan
    coverage_few = coverage.copy()
    coverage_few.iloc[:, 2:] = False  # as if published only for the other country
    spread = scores.spread_of(normalised, "robust_z")
    plain_all, _, _ = scores.factor_scores(normalised, factor, coverage)
    plain_few, _, _ = scores.factor_scores(few, factor, coverage_few)
    assert robust_sd(plain_few[1]) / robust_sd(plain_all[1]) == pytest.approx(2.0, rel=0.1)
    all_, _, _ = scores.factor_scores(normalised, factor, coverage, spread=spread)
    few_, _, _ = scores.factor_scores(few, factor, coverage_few, spread=spread)
    assert robust_sd(few_[1]) / robust_sd(all_[1]) == pytest.approx(1.0, rel=0.1)


def robust_sd(series: pd.Series) -> float:
    series = series.dropna()
    return scores.MAD_SCALE * (series - series.median()).abs().median()


def test_welsh_las_stay_more_alike_than_english_ones_on_the_common_indicators(t):
    lad = t["factor_scores"][(t["factor_scores"]["level"] == "lad") & (t["factor_scores"]["scope"] == "ew_common") & (t["factor_scores"]["method"] == "robust_z")]
    for factor in ("1", "3"):
        block = lad[lad["factor"] == factor].set_index("area_code")["score"].dropna()
        ratio = robust_sd(block[block.index.str.startswith("W")]) / robust_sd(block[block.index.str.startswith("E")])
        assert 0.2 < ratio < 0.8, (factor, ratio)


# ---------------------------------------------------------------- 4. uncertainty from the data

def test_every_band_holds_its_rank_and_stays_within_the_areas_ranked(t):
    scored = t["factor_scores"][t["factor_scores"]["score"].notna()]
    assert (scored["rank_low"] <= scored["rank"]).all() and (scored["rank"] <= scored["rank_high"]).all()
    assert (scored["rank_high"] <= scored["n_areas"]).all()
    lad = scored[(scored["level"] == "lad") & (scored["scope"] == "ew_common")]
    assert lad["rank_high"].max() <= 318 and lad.groupby("factor")["n_areas"].first().le(318).all()


def test_published_confidence_intervals_widen_the_bands(t):
    """Factor 1 holds two survey estimates with 95% intervals: bands drawn with them are wider than weight-only bands."""
    from scoring.factor_scores import score_matrix, universes

    data = score_matrix(t["indicator_values"], t["areas"], "lad")
    scope, universe = universes(data, t["areas"], "lad")[0]
    assert scope == "ew_common"
    f1 = universe.subset(columns=[c for c in universe.values.columns if universe.factor[c] == 1])
    assert f1.standard_error.notna().any().any()
    normalised = scores.normalise(f1.values, f1.polarity, "robust_z")
    spread = scores.spread_of(normalised, "robust_z")
    point, _, _ = scores.factor_scores(normalised, f1.factor, f1.coverage, spread=spread)
    with_ci = scores.rank_bands(f1, "robust_z", point, spread, draws=60)[1]
    without = scores.rank_bands(scores.ScoreInput(f1.values, f1.factor, f1.polarity, f1.coverage, None), "robust_z", point, spread, draws=60)[1]
    width = lambda band: (band["rank_high"] - band["rank_low"]).median()  # noqa: E731
    assert width(with_ci) > 1.5 * width(without)


# ---------------------------------------------------------------- 5. bounded, non-redundant factors

def test_normalised_values_are_winsorised_and_city_of_london_is_bounded(t):
    wide = latest_wide(t["indicator_values"], "lad")
    crime = scores.normalise(wide[["recorded_crime_rate"]], pd.Series({"recorded_crime_rate": "lower_is_better"}), "robust_z")["recorded_crime_rate"]
    raw = scores.robust_z(-wide["recorded_crime_rate"])
    assert raw[CITY_OF_LONDON] < -10  # unbounded, City of London's 1,000+ crimes per 1,000 residents would swamp factor 2
    assert crime[CITY_OF_LONDON] == -scores.WINSOR_BOUND and crime.abs().max() <= scores.WINSOR_BOUND
    lad = t["factor_scores"][(t["factor_scores"]["level"] == "lad") & (t["factor_scores"]["method"] == "robust_z") & (t["factor_scores"]["factor"] != "composite")]
    assert lad["score"].abs().max() < 2 * scores.WINSOR_BOUND


def test_very_small_populations_are_flagged_wherever_ranked(t):
    flagged = set(t["factor_scores"].loc[t["factor_scores"]["small_population"], "area_code"])
    assert flagged == {CITY_OF_LONDON, SCILLY}


def test_coherence_audit_is_published_with_alpha_and_no_redundant_pair_left(t):
    audit = t["coherence"]
    lad = audit[(audit["level"] == "lad") & (audit["scope"] == "ew_common")]
    factor_rows = lad[lad["indicator_id"] == ""]
    assert set(factor_rows["factor"]) == {1, 2, 3, 4, 5}
    f3 = factor_rows[factor_rows["factor"] == 3].iloc[0]
    assert 0.5 < f3["cronbach_alpha"] < 1 and f3["n_indicators"] >= 8
    indicator_rows = audit[audit["indicator_id"] != ""]
    assert indicator_rows["item_rest_rho"].notna().sum() > 20
    assert (audit["max_abs_rho_in_factor"].dropna() <= 0.9).all(), audit.loc[audit["max_abs_rho_in_factor"] > 0.9].to_string()
    for column in ("rho_ethnic_minority", "rho_imd", "rho_wimd"):
        assert factor_rows[column].notna().any()


def test_each_redundant_measure_is_shown_but_not_scored_with_its_reason():
    for indicator in ("imd_crime_score", "crime_severity_score", "personal_crime_rate", "imd_average_score", "imd_income_score", "wimd_score", "nssec_higher_occupations", "no_qualifications_census"):
        assert not BY_ID[indicator].is_scored_at("lad") and "keeps" in BY_ID[indicator].unscored_reason
    # Among wards the IoD crime domain is the only crime measure held, so there it is scored.
    assert BY_ID["imd_crime_score"].is_scored_at("ward") and BY_ID["no_qualifications_census"].is_scored_at("ward")
    assert "public order" in BY_ID["recorded_crime_rate"].title  # taken out of factor 2: factor 5 scores it


# ---------------------------------------------------------------- 6. labels that tell the truth

def test_every_proxy_says_what_it_stands_in_for():
    proxies = {i.id for i in CATALOGUE if i.proxy}
    assert {"life_satisfaction", "worthwhile", "recorded_crime_rate", "public_library_use", "public_order_offence_rate"} <= proxies
    assert all(BY_ID[i].proxy_reason for i in proxies)


def test_evidence_strength_is_stored_with_every_factor_score(t):
    lad = t["factor_scores"][(t["factor_scores"]["level"] == "lad") & (t["factor_scores"]["scope"] == "ew_common") & (t["factor_scores"]["method"] == "robust_z")]
    blackpool_f1 = lad[(lad["area_code"] == "E06000009") & (lad["factor"] == "1")].iloc[0]
    values = t["indicator_values"]
    held = [i for i in ("cannot_speak_english_well", "life_satisfaction", "worthwhile") if ((values["indicator_id"] == i) & (values["area_code"] == "E06000009")).any()]
    assert blackpool_f1["n_indicators"] == len(held) == 3
    assert blackpool_f1["proxy_share"] == pytest.approx(2 / 3)  # life satisfaction and worthwhile are proxies
    scored = lad[lad["score"].notna()]
    assert scored[["period_oldest", "period_newest"]].ne("").all().all()
    # persistent absence is inherited from the county by two-tier districts (factor 2, country scope)
    country = t["factor_scores"][(t["factor_scores"]["scope"] == "country") & (t["factor_scores"]["factor"] == "2") & (t["factor_scores"]["level"] == "lad")]
    assert country.set_index("area_code").loc["E07000105", "inherited_share"].max() > 0  # Ashford, Kent


def test_derivations_say_what_was_done(t):
    values = t["indicator_values"]
    assert not values["derivation"].str.contains("exact nesting").any()
    smc = values[(values["indicator_id"] == "smc_promising_prospects") & (values["period"] == "2021-2024")].set_index("area_code")["derivation"]
    assert "inherited_county" in smc["E07000105"]  # Ashford takes Kent's group
    assert "inherited_smc_area" in smc[CITY_OF_LONDON]  # the SMC merges the City with Camden
    assert smc["E06000009"] == "SMC area = this LAD"
    oa = values[(values["indicator_id"] == "born_outside_uk") & (values["level"] == "lad")]["derivation"]
    assert oa.str.contains("oa_centroid").all()
