"""Factor scores: align directions, normalise and bound, weight, re-standardise for the indicators present, rank with bands."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAD_SCALE = 1.4826  # makes the median absolute deviation estimate the standard deviation for normal data
EXP_CONSTANT = 23.0
MIN_WEIGHT_SHARE = 0.6
# Robust z-scores are winsorised here: beyond 3 robust SDs an area's position is clear, and an unbounded value (City of
# London's 1,025 crimes per 1,000 residents gave z = -13) would swamp every other indicator of its factor. The OECD/JRC
# Handbook on Constructing Composite Indicators (2008, section 5) discusses this choice; the exponential method is
# bounded (0-100) by construction.
WINSOR_BOUND = 3.0
# Two indicators need this many areas in common before their covariance is trusted for re-standardising.
MIN_COVARIANCE_OVERLAP = 20
# LAs below this many Census 2021 residents (City of London 8,583; Isles of Scilly 2,054) are flagged wherever ranked.
SMALL_POPULATION = 10_000
CI_Z = 1.959964  # a published 95% interval spans +-1.96 standard errors
BAND_NOTE = (
    "The band is the 5th-95th percentile rank over 200 draws that perturb the indicator weights and, where a confidence "
    "interval is published, the values within it, and over leaving each indicator out in turn."
)
COMPOSITE_CAVEAT = (
    "A composite hides trade-offs: an area can score well overall while doing badly on one factor. "
    "Read the factor scores and the indicators behind them before drawing conclusions."
)


def robust_z(values: pd.Series) -> pd.Series:
    """(x - median) / (1.4826 x MAD), as the ONS subnational indicators explorer standardises metrics (unbounded)."""
    return pd.Series(_robust_z_array(values.to_numpy(dtype=float)[:, None])[:, 0], index=values.index)


def exponential_transform(aligned: pd.Series) -> pd.Series:
    """IMD-style: rank so the worst area has R = 1 and the best R = 1/n, then X = -23 ln(1 - R(1 - e^(-100/23))).

    X runs from near 0 (best) to 100 (worst) and stretches the bad end, so one good indicator cannot cancel a bad one.
    aligned: higher is better.
    """
    return pd.Series(_exponential_array(aligned.to_numpy(dtype=float)[:, None])[:, 0], index=aligned.index)


def _robust_z_array(aligned: np.ndarray) -> np.ndarray:
    """robust_z of every column at once; a column with no MAD falls back to its standard deviation, then to 1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column stays missing
        median = np.nanmedian(aligned, axis=0)
        mad = np.nanmedian(np.abs(aligned - median), axis=0)
        spread = np.nanstd(aligned, axis=0, ddof=1)
    scale = np.where(np.isfinite(mad) & (mad > 0), MAD_SCALE * mad, np.where(np.isfinite(spread) & (spread > 0), spread, 1.0))
    return (aligned - median) / scale


def _exponential_array(aligned: np.ndarray) -> np.ndarray:
    """exponential_transform of every column at once (worst = highest rank, ties share their average rank)."""
    ranks = pd.DataFrame(aligned).rank(method="average", ascending=False).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = ranks / np.sum(~np.isnan(aligned), axis=0)
    return -EXP_CONSTANT * np.log(1 - scaled * (1 - np.exp(-100 / EXP_CONSTANT)))


@dataclass(frozen=True)
class ScoreInput:
    """A wide matrix (areas x indicators) of one level's latest values, with each indicator's factor and polarity.

    standard_error holds the published sampling error (from the 95% interval) where one exists, else NaN; period and
    derivation say which period of each indicator was used and how each value was derived (for evidence strength).
    """

    values: pd.DataFrame
    factor: pd.Series  # indicator_id -> factor number
    polarity: pd.Series  # indicator_id -> polarity
    coverage: pd.DataFrame  # area x indicator: True where the indicator exists for the area's country
    standard_error: pd.DataFrame | None = None
    period: pd.Series | None = None  # indicator_id -> the period scored
    derivation: pd.DataFrame | None = None  # area x indicator: derivation text of the value scored

    def subset(self, rows: pd.Index | None = None, columns: list[str] | None = None) -> "ScoreInput":
        rows = self.values.index if rows is None else rows
        columns = list(self.values.columns) if columns is None else columns

        def cut(frame: pd.DataFrame | None) -> pd.DataFrame | None:
            return None if frame is None else frame.loc[rows, columns]

        return ScoreInput(
            self.values.loc[rows, columns], self.factor[columns], self.polarity[columns], self.coverage.loc[rows, columns],
            cut(self.standard_error), None if self.period is None else self.period[columns], cut(self.derivation),
        )


SIGNS = {"higher_is_better": 1.0, "lower_is_better": -1.0}


def normalise(matrix: pd.DataFrame, polarity: pd.Series, method: str) -> pd.DataFrame:
    """Each column aligned so higher is better, then on a common bounded scale; for both methods higher means better."""
    return pd.DataFrame(_normalise_array(matrix.to_numpy(dtype=float) * _signs(polarity, matrix.columns), method), index=matrix.index, columns=matrix.columns)


def _signs(polarity: pd.Series, columns) -> np.ndarray:
    unknown = [c for c in columns if polarity[c] not in SIGNS]
    if unknown:
        raise ValueError(f"context indicators are never scored (polarity of {unknown[0]!r} is {polarity[unknown[0]]!r})")
    return np.array([SIGNS[polarity[c]] for c in columns])


def _normalise_array(aligned: np.ndarray, method: str) -> np.ndarray:
    """Column by column as robust_z (winsorised) or 100 - exponential_transform, for a whole matrix at once."""
    if method == "robust_z":
        return np.clip(_robust_z_array(aligned), -WINSOR_BOUND, WINSOR_BOUND)
    if method == "exponential":
        return 100 - _exponential_array(aligned)
    raise ValueError(f"unknown method {method!r}")


@dataclass(frozen=True)
class Spread:
    """What re-standardising needs: each normalised indicator's centre and the covariance between indicators.

    A mean of k indicators has a smaller spread than one indicator, by an amount that depends on k and on how the
    indicators correlate. Dividing each area's deviation by the spread predicted for its own set of indicators puts
    every score on the scale of one indicator, whether an area has all of its factor's indicators or only some.
    """

    centre: pd.Series
    covariance: pd.DataFrame
    reference_centre: float
    reference_sd: float


def spread_of(normalised: pd.DataFrame, method: str) -> Spread:
    centre = normalised.median() if method == "robust_z" else normalised.mean()
    # Indicators never published together (IMD and WIMD) have no covariance; no area ever holds both, so 0 is harmless.
    covariance = normalised.cov(min_periods=MIN_COVARIANCE_OVERLAP).fillna(0.0)
    sds = np.sqrt(np.diag(covariance.to_numpy()))
    reference = float(np.median(sds[sds > 0])) if (sds > 0).any() else 1.0
    return Spread(centre=centre, covariance=covariance, reference_centre=float(centre.median()), reference_sd=reference)


def _weighted(block: np.ndarray, present: np.ndarray, w: np.ndarray, spread: tuple | None):
    """Weighted mean of the present columns per row, re-standardised when a spread is given. Returns (score, present weight)."""
    weight_matrix = present * w
    present_weight = weight_matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, block, 0.0) @ w / present_weight
        if spread is None:
            return mean, present_weight
        centre, covariance, reference_centre, reference_sd = spread
        centre_of_set = weight_matrix @ centre / present_weight
        variance = np.einsum("ij,jk,ik->i", weight_matrix, covariance, weight_matrix) / present_weight**2
        sd_of_set = np.sqrt(np.where(variance > 0, variance, np.nan))
        score = reference_centre + (mean - centre_of_set) * reference_sd / sd_of_set
        # A single indicator with no spread (or a set of them) cannot be re-standardised: keep its mean.
        score = np.where(np.isfinite(sd_of_set), score, mean)
    return score, present_weight


def _packed(spread: Spread | None, members: list[str]) -> tuple | None:
    if spread is None:
        return None
    return (spread.centre[members].to_numpy(), spread.covariance.loc[members, members].to_numpy(), spread.reference_centre, spread.reference_sd)


def _factor_arrays(block: np.ndarray, cover: np.ndarray, w: np.ndarray, packed: tuple | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One factor's scores (NaN below the weight rule), the share of weight present and the count present, per row."""
    present = ~np.isnan(block)
    score, present_weight = _weighted(block, present, w, packed)
    available_weight = cover @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        share = present_weight / np.where(available_weight > 0, available_weight, np.nan)
    enough = share >= MIN_WEIGHT_SHARE - 1e-12
    return np.where(enough, score, np.nan), share, present.sum(axis=1)


def factor_scores(
    normalised: pd.DataFrame,
    factor: pd.Series,
    coverage: pd.DataFrame,
    indicator_weights: dict[str, float] | None = None,
    spread: Spread | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Weighted mean of normalised indicators per factor, re-standardised for each area's set of indicators if a spread is given.

    A score needs at least 60% of the weight of the indicators that exist for the area's country; the
    shortfall is recorded. Returns (scores, n_indicators, missing_reason), each areas x factors.
    """
    weights = pd.Series({c: (indicator_weights or {}).get(c, 1.0) for c in normalised.columns}, dtype=float)
    scores, counts, reasons = {}, {}, {}
    for number in sorted(factor.unique()):
        members = [c for c in normalised.columns if factor[c] == number and weights[c] > 0]
        if not members:
            continue
        score, share, count = _factor_arrays(
            normalised[members].to_numpy(dtype=float), coverage[members].to_numpy(dtype=float), weights[members].to_numpy(), _packed(spread, members)
        )
        scores[number] = pd.Series(score, index=normalised.index)
        counts[number] = pd.Series(count, index=normalised.index)
        reason = pd.Series("", index=normalised.index, dtype=object)
        missing = np.isnan(score)
        reason[missing] = [
            f"only {s:.0%} of indicator weight present (needs {MIN_WEIGHT_SHARE:.0%})" if np.isfinite(s) and s > 0 else "no indicator for this area"
            for s in share[missing]
        ]
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


def _ranks(matrix: np.ndarray) -> np.ndarray:
    """Rank 1 = highest per column, ties at the lowest rank, NaN stays NaN (as rank(method='min') column by column)."""
    return pd.DataFrame(matrix).rank(ascending=False, method="min").to_numpy()


def rank_bands(
    data: ScoreInput,
    method: str,
    point: pd.DataFrame,
    spread: Spread,
    *,
    draws: int = 200,
    concentration: float = 20.0,
    seed: int = 20121,
    low: float = 5.0,
    high: float = 95.0,
) -> dict[object, pd.DataFrame]:
    """5th-95th percentile rank per factor and for the composite, over draws that perturb weights and sampled values.

    Each draw takes Dirichlet(concentration x equal) indicator weights and factor weights and, where a standard
    error is published, a value drawn from a normal distribution on the published interval; the drawn values are
    normalised afresh. Leave-one-out draws drop each indicator of a factor in turn at the published values. Ranks
    are among the areas scored at the point estimate, so a band never runs past the number of areas ranked, and each
    band is widened to hold its own point rank.
    """
    rng = np.random.default_rng(seed)
    columns = list(data.values.columns)
    factors = [f for f in point.columns if f != "composite"]
    plan = {}
    for f in factors:
        members = [c for c in columns if data.factor[c] == f]
        plan[f] = ([columns.index(c) for c in members], data.coverage[members].to_numpy(dtype=float), _packed(spread, members))
    signs = _signs(data.polarity, columns)
    raw = data.values.to_numpy(dtype=float)
    se = data.standard_error[columns].to_numpy(dtype=float) if data.standard_error is not None else np.zeros(raw.shape)
    se = np.where(np.isfinite(se) & (se > 0), se, 0.0)
    has_composite = "composite" in point.columns and point["composite"].notna().any()

    def one_draw(values: np.ndarray, weights: dict, factor_weights: np.ndarray, only=None) -> np.ndarray:
        normalised = _normalise_array(values * signs, method)
        out = np.full((raw.shape[0], len(point.columns)), np.nan)
        for j, f in enumerate(factors):
            if only is not None and f != only:
                continue
            idx, cover, packed = plan[f]
            out[:, j] = _factor_arrays(normalised[:, idx], cover, weights[f], packed)[0]
        if has_composite and only is None:
            block = out[:, : len(factors)]
            out[:, list(point.columns).index("composite")] = block @ factor_weights / factor_weights.sum()
        return out

    results = []
    for _ in range(draws):
        weights = {f: rng.dirichlet(np.full(len(plan[f][0]), concentration)) for f in factors}
        noisy = raw + rng.standard_normal(raw.shape) * se
        results.append(one_draw(noisy, weights, rng.dirichlet(np.full(len(factors), concentration))))
    for f in factors:
        n = len(plan[f][0])
        for left_out in range(n if n > 1 else 0):
            weights = {f: np.where(np.arange(n) == left_out, 0.0, 1.0)}
            results.append(one_draw(raw, weights, np.ones(len(factors)), only=f))
    stacked = np.stack(results, axis=2)  # areas x columns x draws
    scored = point.notna().to_numpy()
    stacked = np.where(scored[:, :, None], stacked, np.nan)
    point_rank = _ranks(np.where(scored, point.to_numpy(), np.nan))
    n_scored = scored.sum(axis=0)
    bands = {}
    for j, column in enumerate(point.columns):
        ranks = _ranks(stacked[:, j, :])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # areas with no draw: NaN band, as intended
            lower = np.nanpercentile(ranks, low, axis=1).round(0)
            upper = np.nanpercentile(ranks, high, axis=1).round(0)
        lower = np.fmin(lower, point_rank[:, j])
        upper = np.minimum(np.fmax(upper, point_rank[:, j]), n_scored[j])
        bands[column] = pd.DataFrame({"rank_low": lower, "rank_high": upper}, index=point.index)
    return bands
