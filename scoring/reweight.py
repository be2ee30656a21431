"""LA-level factor scores and composite under user weights, for the composite builder: fast, pure, and equal to the build at equal weights in each scope."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import vocabulary as vocab
from scoring import matrix, scores
from vocabulary import FACTOR_NUMBERS


@dataclass(frozen=True)
class _CatalogueRow:
    """The fields of a catalogue Indicator that matrix.score_matrix reads, taken from the processed catalogue table,
    so the app scores the indicators that the build it reads actually scored."""

    id: str
    factor: int
    polarity: str
    scored_levels: tuple[str, ...]

    def is_scored_at(self, level: str) -> bool:
        return level in self.scored_levels


@dataclass(frozen=True)
class Universe:
    """One set of LAs ranked together (all LAs, or one country's), normalised once for one method."""

    country: str  # 'E+W', 'E' or 'W'
    normalised: pd.DataFrame  # LAs x the universe's indicators, higher = better
    factor: pd.Series  # indicator_id -> factor number
    coverage: pd.DataFrame  # LAs x indicators: published for the LA's country
    spread: scores.Spread  # for re-standardising each LA's set of indicators, as the build does


@dataclass(frozen=True)
class Prepared:
    """The normalised universes of one scope and method (the slow part), computed once and reused for every set of weights."""

    method: str
    scope: str
    universes: tuple[Universe, ...]

    @property
    def indicators(self) -> list[str]:
        """Every indicator scored in this scope, in catalogue order (a country scope holds each country's own)."""
        return list(dict.fromkeys(c for u in self.universes for c in u.normalised.columns))

    @property
    def factor(self) -> pd.Series:
        parts = [u.factor for u in self.universes]
        merged = pd.concat(parts) if parts else pd.Series(dtype=int)
        return merged[~merged.index.duplicated()].reindex(self.indicators)

    def countries_of(self, indicator_id: str) -> list[str]:
        """The universes (by country) that score an indicator, e.g. ['E'] for an England-only one in scope 'country'."""
        return [u.country for u in self.universes if indicator_id in u.normalised.columns]


def prepare(lad_values: pd.DataFrame, catalogue: pd.DataFrame, lad_areas: pd.DataFrame, method: str, scope: str = vocab.DEFAULT_SCOPE) -> Prepared:
    """The build's own steps on the processed tables: matrix.score_matrix for LADs, matrix.universes for the scope, then
    normalise and the spread within each universe (scope ew_common: all LAs on the E+W indicators; country: each
    country on its own)."""
    if scope not in vocab.SCOPES:
        raise ValueError(f"unknown scope {scope!r}; expected one of {tuple(vocab.SCOPES)}")
    rows = tuple(
        _CatalogueRow(r.indicator_id, int(r.factor), r.polarity, tuple(str(r.scored_levels).split(", ")))
        for r in catalogue.itertuples()
        if r.scored
    )
    lad_areas = lad_areas[lad_areas["level"] == "lad"] if "level" in lad_areas else lad_areas.assign(level="lad")
    values = lad_values if "level" in lad_values else lad_values.assign(level="lad")
    data = matrix.score_matrix(values[values["level"] == "lad"], lad_areas, "lad", rows)
    country = lad_areas.set_index("area_code")["country"]
    universes = []
    for name, universe in matrix.universes(data, lad_areas, "lad"):
        if name != scope:
            continue
        normalised = scores.normalise(universe.values, universe.polarity, method)
        label = "+".join(sorted(country.reindex(universe.values.index).dropna().unique()))
        universes.append(Universe(label, normalised, universe.factor, universe.coverage, scores.spread_of(normalised, method)))
    return Prepared(method=method, scope=scope, universes=tuple(universes))


def reweighted(prepared: Prepared, indicator_weights: dict[str, float] | None = None, factor_weights: dict[int, float] | None = None) -> pd.DataFrame:
    """Factor scores (columns 1-5) and 'composite' per LA, with the composite's rank (1 = best) within the LA's
    universe, n_areas (LAs ranked in it) and universe ('E+W', 'E' or 'W')."""
    parts = []
    for u in prepared.universes:
        weights = {k: v for k, v in (indicator_weights or {}).items() if k in u.normalised.columns}
        table, _counts, _reasons = scores.factor_scores(u.normalised, u.factor, u.coverage, weights, u.spread)
        factors = [f for f in FACTOR_NUMBERS if f in table.columns]
        table = table[factors]
        if len(factors) >= matrix.MIN_COMPOSITE_FACTORS:
            table["composite"] = scores.composite(table, factor_weights)
        else:
            table["composite"] = np.nan
        table["rank"] = scores.rank_best_first(table["composite"])
        table["n_areas"] = int(table["composite"].notna().sum())
        table["universe"] = u.country
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=[*FACTOR_NUMBERS, "composite", "rank", "n_areas", "universe"])
    out = pd.concat(parts)
    return out.reindex(columns=[*[f for f in FACTOR_NUMBERS if f in out.columns], "composite", "rank", "n_areas", "universe"])


# The composite builder's band: this many draws of the factor weights, described in the words it shows beside its
# bands; the published bands are scores.BAND_NOTE's, a different method, and the page names both.
BUILDER_DRAWS = 100
BUILDER_BAND_NOTE = (
    f"the 5th-95th percentile rank over {BUILDER_DRAWS} draws of the factor weights from a Dirichlet distribution centred on your "
    "weights (fixed seed): how much the rank rests on the exact factor weights. Values and indicator weights are held."
)


def composite_band(
    table: pd.DataFrame,
    factor_weights: dict[int, float] | None = None,
    *,
    draws: int = BUILDER_DRAWS,
    concentration: float = 20.0,
    seed: int = 20121,
    low: float = 5.0,
    high: float = 95.0,
) -> pd.DataFrame:
    """5th-95th percentile composite rank when the factor weights are drawn from a Dirichlet centred on the chosen weights.

    Ranked within each universe (the table's 'universe' column, if any). Vectorised: areas x factors matrix times
    factors x draws. Areas with a missing factor get no band.
    """
    if "universe" in table and table["universe"].nunique() > 1:
        return pd.concat([composite_band(block, factor_weights, draws=draws, concentration=concentration, seed=seed, low=low, high=high)
                          for _, block in table.groupby("universe", sort=False)]).reindex(table.index)
    factors = [f for f in FACTOR_NUMBERS if f in table.columns]
    chosen = np.array([(factor_weights or {}).get(f, 1.0) for f in factors], dtype=float)
    active = chosen > 0
    out = pd.DataFrame({"rank_low": np.nan, "rank_high": np.nan}, index=table.index)
    if not active.any():
        return out
    matrix = table[factors].to_numpy(dtype=float)[:, active]
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


def rank_shift(prepared: Prepared, indicator_weights, factor_weights, *, draws: int = BUILDER_DRAWS) -> pd.DataFrame:
    """Per LA: composite and rank at equal weights, at the chosen weights, the change, and the band at the chosen
    weights; ranks are within the LA's universe (n_areas of them)."""
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
            "n_areas": chosen["n_areas"],
            "universe": chosen["universe"],
        }
    )
    out["change"] = out["equal_rank"] - out["rank"]  # positive: moved up (better)
    for f in FACTOR_NUMBERS:
        if f in chosen.columns:
            out[f"factor_{f}"] = chosen[f]
    return out
