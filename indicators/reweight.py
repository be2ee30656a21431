"""LA-level factor scores and composite under user weights, for the composite builder: fast, pure, and equal to the build at equal weights."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators import scores
from indicators.model import latest_period

FACTOR_NUMBERS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Prepared:
    """The normalised LA matrix for one method (the slow part), computed once and reused for every set of weights."""

    method: str
    normalised: pd.DataFrame  # LAs x scored indicators, higher = better
    factor: pd.Series  # indicator_id -> factor number
    coverage: pd.DataFrame  # LAs x indicators: published for the LA's country


def prepare(lad_values: pd.DataFrame, catalogue: pd.DataFrame, lad_areas: pd.DataFrame, method: str) -> Prepared:
    """Same inputs as the build's `model.score_matrix` for LADs, but from the processed tables instead of the catalogue objects."""
    scored = catalogue[catalogue["scored"] & catalogue["levels"].str.contains("lad", regex=False)]
    index = lad_areas.set_index("area_code").index
    columns, factor, polarity = {}, {}, {}
    for ind in scored.itertuples():
        mine = lad_values[lad_values["indicator_id"] == ind.indicator_id]
        if mine.empty:
            continue
        period = latest_period(mine)
        columns[ind.indicator_id] = mine[mine["period"] == period].set_index("area_code")["value"].reindex(index)
        factor[ind.indicator_id], polarity[ind.indicator_id] = int(ind.factor), ind.polarity
    matrix = pd.DataFrame(columns, index=index)
    country = lad_areas.set_index("area_code")["country"].reindex(index)
    covered = {c: matrix.groupby(country)[c].apply(lambda s: s.notna().any()) for c in matrix.columns}
    coverage = pd.DataFrame({c: country.map(covered[c]).fillna(False).astype(bool) for c in matrix.columns}, index=index)
    normalised = scores.normalise(matrix, pd.Series(polarity), method)
    return Prepared(method=method, normalised=normalised, factor=pd.Series(factor), coverage=coverage)


def reweighted(prepared: Prepared, indicator_weights: dict[str, float] | None = None, factor_weights: dict[int, float] | None = None) -> pd.DataFrame:
    """Factor scores (columns 1-5) and 'composite' per LA, with the composite's rank (1 = best)."""
    table, _counts, _reasons = scores.factor_scores(prepared.normalised, prepared.factor, prepared.coverage, indicator_weights)
    table = table.reindex(columns=[f for f in FACTOR_NUMBERS if f in table.columns])
    table["composite"] = scores.composite(table[[c for c in table.columns if c != "composite"]], factor_weights)
    table["rank"] = scores.rank_best_first(table["composite"])
    return table


def composite_band(
    table: pd.DataFrame,
    factor_weights: dict[int, float] | None = None,
    *,
    draws: int = 100,
    concentration: float = 20.0,
    seed: int = 20121,
    low: float = 5.0,
    high: float = 95.0,
) -> pd.DataFrame:
    """5th-95th percentile composite rank when the factor weights are drawn from a Dirichlet centred on the chosen weights.

    Vectorised: areas x factors matrix times factors x draws. Areas with a missing factor get no band.
    """
    factors = [f for f in FACTOR_NUMBERS if f in table.columns]
    chosen = np.array([(factor_weights or {}).get(f, 1.0) for f in factors], dtype=float)
    active = chosen > 0
    out = pd.DataFrame({"rank_low": np.nan, "rank_high": np.nan}, index=table.index)
    if not active.any():
        return out
    matrix = table[factors].to_numpy()[:, active]
    complete = ~np.isnan(matrix).any(axis=1)
    if complete.sum() < 2:
        return out
    rng = np.random.default_rng(seed)
    share = chosen[active] / chosen[active].sum()
    weights = rng.dirichlet(concentration * len(share) * share, size=draws).T  # factors x draws
    composite = matrix[complete] @ weights  # areas x draws
    # rank 1 = best (highest); ties share the lowest rank, as rank(method="min")
    order = (-composite).argsort(axis=0, kind="stable")
    ranks = np.empty_like(order, dtype=float)
    columns = np.arange(composite.shape[1])
    ranks[order, columns] = np.arange(1, composite.shape[0] + 1)[:, None]
    result = np.vstack([np.percentile(ranks, low, axis=1), np.percentile(ranks, high, axis=1)]).T.round(0)
    out.loc[table.index[complete], ["rank_low", "rank_high"]] = result
    return out


def rank_shift(prepared: Prepared, indicator_weights, factor_weights, *, draws: int = 100) -> pd.DataFrame:
    """Per LA: composite and rank at equal weights, at the chosen weights, the change, and the band at the chosen weights."""
    equal = reweighted(prepared)
    chosen = reweighted(prepared, indicator_weights, factor_weights)
    band = composite_band(chosen, factor_weights, draws=draws)
    out = pd.DataFrame(
        {
            "equal_score": equal["composite"],
            "equal_rank": equal["rank"],
            "score": chosen["composite"],
            "rank": chosen["rank"],
            "rank_low": band["rank_low"],
            "rank_high": band["rank_high"],
        }
    )
    out["change"] = out["equal_rank"] - out["rank"]  # positive: moved up (better)
    for f in FACTOR_NUMBERS:
        if f in chosen.columns:
            out[f"factor_{f}"] = chosen[f]
    return out
