"""Factor scores: align directions, normalise (robust z or IMD-style exponential), weight, apply the missing-data rule, rank with bands."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAD_SCALE = 1.4826  # makes the median absolute deviation estimate the standard deviation for normal data
EXP_CONSTANT = 23.0
MIN_WEIGHT_SHARE = 0.6
METHODS = ("robust_z", "exponential")
COMPOSITE_CAVEAT = (
    "A composite hides trade-offs: an area can score well overall while doing badly on one factor. "
    "Read the factor scores and the indicators behind them before drawing conclusions."
)


def robust_z(values: pd.Series) -> pd.Series:
    """(x - median) / (1.4826 x MAD), as the ONS subnational indicators explorer standardises metrics."""
    median = values.median()
    mad = (values - median).abs().median()
    if not np.isfinite(mad) or mad == 0:
        spread = values.std()
        mad_scaled = spread if spread and np.isfinite(spread) else 1.0
    else:
        mad_scaled = MAD_SCALE * mad
    return (values - median) / mad_scaled


def exponential_transform(aligned: pd.Series) -> pd.Series:
    """IMD-style: rank so the worst area has R = 1 and the best R = 1/n, then X = -23 ln(1 - R(1 - e^(-100/23))).

    X runs from near 0 (best) to 100 (worst) and stretches the bad end, so one good indicator cannot cancel a bad one.
    aligned: higher is better.
    """
    present = aligned.dropna()
    ranks = present.rank(method="average", ascending=False)  # worst (lowest aligned value) gets the highest rank
    scaled = ranks / len(present)
    transformed = -EXP_CONSTANT * np.log(1 - scaled * (1 - np.exp(-100 / EXP_CONSTANT)))
    return transformed.reindex(aligned.index)


def align(values: pd.Series, polarity: str) -> pd.Series:
    if polarity == "higher_is_better":
        return values
    if polarity == "lower_is_better":
        return -values
    raise ValueError(f"context indicators are never scored (polarity {polarity!r})")


@dataclass(frozen=True)
class ScoreInput:
    """A wide matrix (areas x indicators) of one level's latest values, with each indicator's factor and polarity."""

    values: pd.DataFrame
    factor: pd.Series  # indicator_id -> factor number
    polarity: pd.Series  # indicator_id -> polarity
    coverage: pd.DataFrame  # area x indicator: True where the indicator exists for the area's country


def normalise(matrix: pd.DataFrame, polarity: pd.Series, method: str) -> pd.DataFrame:
    """Each column aligned so higher is better, then on a common scale; for both methods higher means better."""
    out = {}
    for indicator in matrix.columns:
        aligned = align(matrix[indicator], polarity[indicator])
        if method == "robust_z":
            out[indicator] = robust_z(aligned)
        elif method == "exponential":
            out[indicator] = 100 - exponential_transform(aligned)
        else:
            raise ValueError(f"unknown method {method!r}")
    return pd.DataFrame(out, index=matrix.index)


def factor_scores(
    normalised: pd.DataFrame,
    factor: pd.Series,
    coverage: pd.DataFrame,
    indicator_weights: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Weighted mean of normalised indicators per factor.

    A score needs at least 60% of the weight of the indicators that exist for the area's country; the
    shortfall is recorded. Returns (scores, n_indicators, missing_reason), each areas x factors.
    """
    weights = pd.Series({c: (indicator_weights or {}).get(c, 1.0) for c in normalised.columns}, dtype=float)
    scores, counts, reasons = {}, {}, {}
    for number in sorted(factor.unique()):
        members = [c for c in normalised.columns if factor[c] == number and weights[c] > 0]
        if not members:
            continue
        block = normalised[members]
        w = weights[members]
        available_weight = coverage[members].mul(w, axis=1).sum(axis=1)
        present = block.notna()
        present_weight = present.mul(w, axis=1).sum(axis=1)
        weighted = block.fillna(0).mul(w, axis=1).sum(axis=1)
        score = weighted / present_weight.replace(0, np.nan)
        share = present_weight / available_weight.replace(0, np.nan)
        enough = share >= MIN_WEIGHT_SHARE - 1e-12
        scores[number] = score.where(enough)
        counts[number] = present.sum(axis=1)
        reason = pd.Series("", index=block.index, dtype=object)
        reason[~enough] = [
            f"only {s:.0%} of indicator weight present (needs {MIN_WEIGHT_SHARE:.0%})" if np.isfinite(s) else "no indicator for this area"
            for s in share[~enough]
        ]
        partial = enough & (available_weight < w.sum() - 1e-12)
        reason[partial] = "scored on the indicators published for this country"
        reasons[number] = reason
    return pd.DataFrame(scores), pd.DataFrame(counts), pd.DataFrame(reasons)


def composite(scores: pd.DataFrame, factor_weights: dict[int, float] | None = None) -> pd.Series:
    """Weighted mean of factor scores; missing if any factor is missing (no silent re-weighting of factors)."""
    w = pd.Series({f: (factor_weights or {}).get(f, 1.0) for f in scores.columns}, dtype=float)
    w = w[w > 0]
    if w.empty:
        return pd.Series(np.nan, index=scores.index)
    block = scores[w.index]
    return (block.mul(w, axis=1).sum(axis=1) / w.sum()).where(block.notna().all(axis=1))


def rank_best_first(scores: pd.Series) -> pd.Series:
    return scores.rank(ascending=False, method="min")


def rank_bands(
    normalised: pd.DataFrame,
    factor: pd.Series,
    coverage: pd.DataFrame,
    *,
    draws: int = 200,
    concentration: float = 20.0,
    seed: int = 20121,
    low: float = 5.0,
    high: float = 95.0,
) -> dict[int, pd.DataFrame]:
    """5th-95th percentile rank of each area per factor under Dirichlet weight perturbation and leave-one-out.

    Dirichlet(concentration x equal weights) keeps draws centred on equal weights; higher concentration, tighter.
    """
    rng = np.random.default_rng(seed)
    bands = {}
    for number in sorted(factor.unique()):
        members = [c for c in normalised.columns if factor[c] == number]
        if not members:
            continue
        weight_sets = [rng.dirichlet(np.full(len(members), concentration)) for _ in range(draws)]
        if len(members) > 1:
            for left_out in range(len(members)):
                w = np.ones(len(members))
                w[left_out] = 0
                weight_sets.append(w / w.sum())
        ranks = []
        for w in weight_sets:
            scored, _, _ = factor_scores(normalised[members], factor[members], coverage[members], dict(zip(members, w)))
            ranks.append(rank_best_first(scored[number]).to_numpy())
        stacked = np.vstack(ranks)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # areas with no score in any draw: NaN band, as intended
            bands[number] = pd.DataFrame(
                {"rank_low": np.nanpercentile(stacked, low, axis=0), "rank_high": np.nanpercentile(stacked, high, axis=0)},
                index=normalised.index,
            ).round(0)
    return bands


def composite_rank_bands(factor_table: pd.DataFrame, *, draws: int = 200, concentration: float = 20.0, seed: int = 20122, low: float = 5.0, high: float = 95.0) -> pd.DataFrame:
    """Rank band of the composite under Dirichlet perturbation of the factor weights and leaving each factor out."""
    rng = np.random.default_rng(seed)
    factors = list(factor_table.columns)
    weight_sets = [rng.dirichlet(np.full(len(factors), concentration)) for _ in range(draws)]
    for left_out in range(len(factors)):
        w = np.ones(len(factors))
        w[left_out] = 0
        weight_sets.append(w / w.sum())
    ranks = [rank_best_first(composite(factor_table, dict(zip(factors, w)))).to_numpy() for w in weight_sets]
    stacked = np.vstack(ranks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pd.DataFrame(
            {"rank_low": np.nanpercentile(stacked, low, axis=0), "rank_high": np.nanpercentile(stacked, high, axis=0)},
            index=factor_table.index,
        ).round(0)
