"""Unit tests of the coherence audit on synthetic data whose correlations are known by construction."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scoring.coherence import (
    COHERENCE_COLUMNS,
    coherence_table,
    correlation_with,
    cronbach_alpha,
    diversity_violations,
    high_pairs,
    item_rest_correlations,
)

SEED = 20240611


def rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def areas(n: int) -> pd.Index:
    return pd.Index([f"E{i:08d}" for i in range(n)], name="area_code")


def with_sample_correlation(x: np.ndarray, r: float, generator: np.random.Generator) -> np.ndarray:
    """A vector whose sample Pearson correlation with x is exactly r: r*x plus noise made orthogonal to x."""
    x = (x - x.mean()) / x.std()
    noise = generator.standard_normal(len(x))
    noise = noise - noise.mean()
    noise = noise - (noise @ x) / (x @ x) * x
    noise = noise / noise.std()
    return r * x + math.sqrt(1 - r * r) * noise


def spearman_by_hand(x: pd.Series, y: pd.Series) -> float:
    both = x.notna() & y.notna()
    return float(np.corrcoef(x[both].rank(), y[both].rank())[0, 1])


# --- cronbach_alpha ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [2, 3, 6])
def test_alpha_of_identical_columns_is_one(k):
    x = rng().standard_normal(50)
    frame = pd.DataFrame({f"i{j}": x for j in range(k)})
    assert cronbach_alpha(frame) == pytest.approx(1.0, abs=1e-12)


def test_alpha_of_independent_columns_is_near_zero():
    frame = pd.DataFrame(rng().standard_normal((500, 5)), columns=list("abcde"))
    assert abs(cronbach_alpha(frame)) < 0.15


def test_alpha_matches_a_hand_computed_example():
    # Item variances (ddof=1) 5/3, 4/3, 8/3 sum to 17/3; row sums 4, 7, 10, 13 have variance 15.
    # alpha = 3/2 * (1 - (17/3) / 15) = 14/15.
    frame = pd.DataFrame({"x1": [1, 2, 3, 4], "x2": [2, 2, 4, 4], "x3": [1, 3, 3, 5]})
    assert cronbach_alpha(frame) == pytest.approx(14 / 15, abs=1e-12)


def test_alpha_rises_with_shared_signal():
    generator = rng()
    signal = generator.standard_normal(300)
    weak = pd.DataFrame({f"i{j}": signal + 2.0 * generator.standard_normal(300) for j in range(4)})
    strong = pd.DataFrame({f"i{j}": signal + 0.3 * generator.standard_normal(300) for j in range(4)})
    assert cronbach_alpha(weak) < 0.7 < 0.9 < cronbach_alpha(strong)


def test_alpha_uses_complete_rows_only():
    frame = pd.DataFrame({"x1": [1, 2, 3, 4], "x2": [2, 2, 4, 4], "x3": [1, 3, 3, 5]})
    # Wild values in rows with a gap would move alpha a lot if they were used.
    padded = pd.concat([frame, pd.DataFrame({"x1": [100.0, np.nan], "x2": [np.nan, -50.0], "x3": [-80.0, 90.0]})],
                       ignore_index=True)
    assert cronbach_alpha(padded) == pytest.approx(14 / 15, abs=1e-12)


def test_alpha_is_nan_for_one_column_or_too_few_complete_rows():
    assert math.isnan(cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})))
    two_complete = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [1.0, 3.0, np.nan, 2.0]})
    assert math.isnan(cronbach_alpha(two_complete))
    three_complete = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [1.0, 3.0, 2.0, 2.0]})
    assert not math.isnan(cronbach_alpha(three_complete))


# --- item_rest_correlations -------------------------------------------------------------------------------------

def test_item_rest_of_the_others_mean_is_one():
    generator = rng()
    frame = pd.DataFrame({"a": generator.standard_normal(80), "b": generator.standard_normal(80)})
    frame["c"] = (frame["a"] + frame["b"]) / 2
    result = item_rest_correlations(frame)
    assert list(result.index) == ["a", "b", "c"]
    assert result["c"] == pytest.approx(1.0, abs=1e-12)
    # a against mean(b, c) = (a + 3b) / 4 is positive but far from perfect.
    assert 0.1 < result["a"] < 0.6


def test_item_rest_of_a_reversed_item_is_negative():
    generator = rng()
    signal = generator.standard_normal(200)
    frame = pd.DataFrame({name: signal + 0.2 * generator.standard_normal(200) for name in "abc"})
    frame["flipped"] = -signal  # the rest of a is then (b + c - signal) / 3, still mostly signal
    result = item_rest_correlations(frame)
    assert result["flipped"] < -0.4
    assert result["a"] > 0.4


def test_item_rest_is_nan_for_a_single_column():
    result = item_rest_correlations(pd.DataFrame({"only": [1.0, 2.0, 3.0, 4.0]}))
    assert list(result.index) == ["only"] and math.isnan(result["only"])


def test_item_rest_uses_available_others_per_row():
    frame = pd.DataFrame({
        "a": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan],
        "b": [2.0, np.nan, 1.0, 5.0, 3.0, 4.0],
        "c": [1.0, 4.0, np.nan, 2.0, 6.0, 3.0],
    })
    result = item_rest_correlations(frame)
    rest_of_a = pd.Series([1.5, 4.0, 1.0, 3.5, 4.5, 3.5])  # row means of b and c over whichever is present
    assert result["a"] == pytest.approx(spearman_by_hand(frame["a"], rest_of_a), abs=1e-12)
    # Row 5 has a missing, so it cannot count for a; a row with every other column missing is dropped too.
    lonely = frame.assign(b=[np.nan] * 6, c=[np.nan, 1.0, 2.0, 3.0, 4.0, 5.0])
    assert item_rest_correlations(lonely)["a"] == pytest.approx(spearman_by_hand(lonely["a"], lonely["c"]), abs=1e-12)


# --- high_pairs -------------------------------------------------------------------------------------------------

def planted_frame(n: int = 300) -> pd.DataFrame:
    generator = rng()
    x = generator.standard_normal(n)
    return pd.DataFrame({
        "x": x,
        "y": with_sample_correlation(x, 0.95, generator),  # Spearman about 0.95 too
        "z": generator.standard_normal(n),  # unrelated
    }, index=areas(n))


def test_high_pairs_finds_the_planted_pair_only():
    frame = planted_frame()
    found = high_pairs(frame, threshold=0.9)
    assert list(found.columns) == ["indicator_a", "indicator_b", "rho", "n"]
    assert found[["indicator_a", "indicator_b"]].values.tolist() == [["x", "y"]]
    assert found["rho"].iloc[0] == pytest.approx(spearman_by_hand(frame["x"], frame["y"]), abs=1e-12)
    assert 0.92 < found["rho"].iloc[0] < 0.97
    assert found["n"].iloc[0] == 300


def test_high_pairs_orders_names_and_sorts_by_strength():
    frame = planted_frame()
    generator = np.random.default_rng(SEED + 1)
    # Names chosen so the alphabetical order is the reverse of the column order.
    frame["a_mirror"] = -frame["x"] + 0.01 * generator.standard_normal(len(frame))
    found = high_pairs(frame, threshold=0.9)
    pairs = found[["indicator_a", "indicator_b"]].values.tolist()
    assert pairs[0] == ["a_mirror", "x"]
    assert found["rho"].iloc[0] < -0.99
    assert ["a_mirror", "y"] in pairs and ["x", "y"] in pairs
    assert all(a < b for a, b in pairs)
    assert list(found["rho"].abs()) == sorted(found["rho"].abs(), reverse=True)


def test_high_pairs_threshold_is_strict():
    frame = planted_frame()
    rho = high_pairs(frame, threshold=0.5)["rho"].iloc[0]
    assert high_pairs(frame, threshold=rho).empty
    assert len(high_pairs(frame, threshold=np.nextafter(rho, 0))) == 1


def test_high_pairs_respects_min_overlap_over_pairwise_complete_rows():
    frame = planted_frame(60)
    frame.loc[frame.index[:35], "y"] = np.nan  # 25 areas have both x and y
    assert high_pairs(frame, threshold=0.9, min_overlap=30).empty
    found = high_pairs(frame, threshold=0.9, min_overlap=25)
    assert found[["indicator_a", "indicator_b"]].values.tolist() == [["x", "y"]]
    assert found["n"].iloc[0] == 25
    assert found["rho"].iloc[0] == pytest.approx(spearman_by_hand(frame["x"], frame["y"]), abs=1e-12)


# --- coherence_table --------------------------------------------------------------------------------------------

def two_factor_example() -> tuple[pd.DataFrame, pd.Series]:
    generator = rng()
    n = 200
    one, two = generator.standard_normal(n), generator.standard_normal(n)
    frame = pd.DataFrame({
        "f1_a": one + 0.05 * generator.standard_normal(n),
        "f1_b": one + 0.05 * generator.standard_normal(n),
        "f1_c": one + 1.0 * generator.standard_normal(n),
        "f2_a": two + 0.5 * generator.standard_normal(n),
        "f2_b": two + 0.5 * generator.standard_normal(n),
        "unmapped": generator.standard_normal(n),
    }, index=areas(n))
    frame.iloc[:10, frame.columns.get_loc("f1_c")] = np.nan
    frame.iloc[5:20, frame.columns.get_loc("f2_b")] = np.nan
    factor = pd.Series({"f1_a": 1, "f1_b": 1, "f1_c": 1, "f2_a": 2, "f2_b": 2, "not_in_frame": 2})
    return frame, factor


def test_coherence_table_shape_and_order():
    frame, factor = two_factor_example()
    table = coherence_table(frame, factor, scope="England and Wales", level="lad")
    assert list(table.columns) == COHERENCE_COLUMNS
    assert table[["factor", "indicator_id"]].values.tolist() == [
        [1, ""], [1, "f1_a"], [1, "f1_b"], [1, "f1_c"], [2, ""], [2, "f2_a"], [2, "f2_b"],
    ]
    assert set(table["level"]) == {"lad"} and set(table["scope"]) == {"England and Wales"}


def test_coherence_table_values():
    frame, factor = two_factor_example()
    table = coherence_table(frame, factor, scope="England", level="lad", threshold=0.9).set_index("indicator_id")
    one = frame[["f1_a", "f1_b", "f1_c"]]
    two = frame[["f2_a", "f2_b"]]

    by_factor = table.loc[""].set_index("factor")
    assert by_factor.loc[1, "n_indicators"] == 3 and by_factor.loc[2, "n_indicators"] == 2
    assert by_factor.loc[1, "n_complete_areas"] == 190 and by_factor.loc[2, "n_complete_areas"] == 185
    assert by_factor.loc[1, "cronbach_alpha"] == pytest.approx(cronbach_alpha(one), abs=1e-12)
    assert by_factor.loc[2, "cronbach_alpha"] == pytest.approx(cronbach_alpha(two), abs=1e-12)
    assert by_factor.loc[1, "cronbach_alpha"] > 0.8
    assert math.isnan(by_factor.loc[1, "item_rest_rho"]) and by_factor.loc[1, "max_rho_partner"] == ""

    # Indicator rows carry their factor's alpha and counts.
    assert table.loc["f1_c", "cronbach_alpha"] == by_factor.loc[1, "cronbach_alpha"]
    assert table.loc["f2_a", "n_complete_areas"] == 185 and table.loc["f2_a", "n_indicators"] == 2

    item_rest = item_rest_correlations(one)
    for indicator in one.columns:
        assert table.loc[indicator, "item_rest_rho"] == pytest.approx(item_rest[indicator], abs=1e-12)
    assert table.loc["f1_a", "max_rho_partner"] == "f1_b" and table.loc["f1_b", "max_rho_partner"] == "f1_a"
    rho_ab = spearman_by_hand(frame["f1_a"], frame["f1_b"])
    assert rho_ab > 0.99
    assert table.loc["f1_a", "max_abs_rho_in_factor"] == pytest.approx(rho_ab, abs=1e-12)
    expected_c = max(abs(spearman_by_hand(frame["f1_c"], frame[p])) for p in ("f1_a", "f1_b"))
    assert table.loc["f1_c", "max_abs_rho_in_factor"] == pytest.approx(expected_c, abs=1e-12)
    assert expected_c < 0.9

    # Within factor 2 the only partner is the other indicator, over the 185 areas both have.
    rho_two = spearman_by_hand(frame["f2_a"], frame["f2_b"])
    assert table.loc["f2_a", "max_rho_partner"] == "f2_b"
    assert table.loc["f2_b", "max_abs_rho_in_factor"] == pytest.approx(rho_two, abs=1e-12)
    assert table.loc["f2_a", "item_rest_rho"] == pytest.approx(rho_two, abs=1e-12)

    # Factor rows hold the factor's largest |rho|; the flag is strict against threshold.
    assert by_factor.loc[1, "max_abs_rho_in_factor"] == pytest.approx(rho_ab, abs=1e-12)
    flagged = table.loc[table["exceeds_threshold"]]
    assert sorted(flagged.index) == ["", "f1_a", "f1_b"]
    at_the_maximum = coherence_table(frame, factor, scope="England", level="lad", threshold=by_factor.loc[1, "max_abs_rho_in_factor"])
    assert not at_the_maximum["exceeds_threshold"].any()


def test_coherence_table_single_indicator_factor_is_nan_not_an_error():
    frame, factor = two_factor_example()
    factor = pd.Series({"f1_a": 1, "f1_b": 1, "f2_a": 2, "f2_b": np.nan})
    table = coherence_table(frame, factor, scope="Wales", level="lad")
    lone = table[table["factor"] == 2].set_index("indicator_id")
    assert list(lone.index) == ["", "f2_a"]
    assert math.isnan(lone.loc["", "cronbach_alpha"]) and math.isnan(lone.loc["f2_a", "item_rest_rho"])
    assert math.isnan(lone.loc["f2_a", "max_abs_rho_in_factor"]) and lone.loc["f2_a", "max_rho_partner"] == ""
    assert table["factor"].tolist() == [1, 1, 1, 2, 2]  # NaN in the mapping must not turn factor 1 into 1.0
    assert table["factor"].map(type).eq(int).all()


# --- correlation_with -------------------------------------------------------------------------------------------

def test_correlation_with_aligns_on_areas_and_needs_ten_pairs():
    generator = rng()
    n = 100
    index = areas(n)
    reference = pd.Series(generator.uniform(0, 0.6, n), index=index, name="ethnic_minority_share")
    scores = pd.DataFrame({
        "monotone": np.exp(5 * reference.to_numpy()),
        "unrelated": generator.standard_normal(n),
        "sparse": np.r_[reference.to_numpy()[:9], [np.nan] * (n - 9)],
    }, index=index)
    # Shuffled, with extra areas that scores lacks: the result must not depend on order or on them.
    shuffled = pd.concat([reference, pd.Series([9.0, 9.0], index=["W0000001", "W0000002"])]).sample(frac=1, random_state=1)
    result = correlation_with(scores, shuffled)
    assert list(result.index) == ["monotone", "unrelated", "sparse"]
    assert result["monotone"] == pytest.approx(1.0, abs=1e-12)
    assert abs(result["unrelated"]) < 0.25
    assert math.isnan(result["sparse"])

    pearson = correlation_with(scores, reference, method="pearson")
    assert 0.8 < pearson["monotone"] < 0.999
    assert pearson["monotone"] == pytest.approx(np.corrcoef(scores["monotone"], reference)[0, 1], abs=1e-12)

    ten = scores.assign(sparse=np.r_[reference.to_numpy()[:10], [np.nan] * (n - 10)])
    assert correlation_with(ten, reference)["sparse"] == pytest.approx(1.0, abs=1e-12)


def test_correlation_with_rejects_an_unknown_method():
    frame = pd.DataFrame({"a": range(20)})
    with pytest.raises(ValueError):
        correlation_with(frame, pd.Series(range(20)), method="kendal")


# --- diversity_violations ---------------------------------------------------------------------------------------

def diversity_example(n: int = 318) -> pd.DataFrame:
    generator = rng()
    share = generator.standard_normal(n)
    return pd.DataFrame({
        "minority_share": share,
        "older_share": generator.standard_normal(n),
        "tracks_who_lives_there": with_sample_correlation(share, 0.95, generator),
        "loosely_related": with_sample_correlation(share, 0.5, generator),
        "inverse": with_sample_correlation(share, -0.95, generator),
    }, index=areas(n))


def test_diversity_violations_flags_r_095_and_ignores_r_05():
    frame = diversity_example()
    found = diversity_violations(frame, ["tracks_who_lives_there", "loosely_related", "inverse"],
                                 ["minority_share", "older_share"])
    assert list(found.columns) == ["scored_id", "context_id", "r", "n"]
    assert sorted(found["scored_id"]) == ["inverse", "tracks_who_lives_there"]
    assert set(found["context_id"]) == {"minority_share"}
    by_id = found.set_index("scored_id")
    assert by_id.loc["tracks_who_lives_there", "r"] == pytest.approx(0.95, abs=1e-9)
    assert by_id.loc["inverse", "r"] == pytest.approx(-0.95, abs=1e-9)
    assert (found["n"] == 318).all()


def test_diversity_violations_threshold_is_inclusive_and_overlap_counts_pairs():
    frame = diversity_example()
    r = diversity_violations(frame, ["loosely_related"], ["minority_share"], threshold=0.4)["r"].iloc[0]
    assert r == pytest.approx(0.5, abs=1e-9)
    assert len(diversity_violations(frame, ["loosely_related"], ["minority_share"], threshold=r)) == 1
    assert diversity_violations(frame, ["loosely_related"], ["minority_share"], threshold=np.nextafter(r, 1)).empty

    frame.iloc[:300, frame.columns.get_loc("tracks_who_lives_there")] = np.nan  # 18 areas left
    assert diversity_violations(frame, ["tracks_who_lives_there"], ["minority_share"]).empty
    found = diversity_violations(frame, ["tracks_who_lives_there"], ["minority_share"], min_overlap=18)
    assert found["n"].tolist() == [18]
    both = frame[["tracks_who_lives_there", "minority_share"]].dropna()
    assert found["r"].iloc[0] == pytest.approx(np.corrcoef(both.T.to_numpy())[0, 1], abs=1e-12)


def test_diversity_violations_refuses_unknown_columns():
    with pytest.raises(KeyError):
        diversity_violations(diversity_example(), ["tracks_who_lives_there"], ["renamed_share"])
