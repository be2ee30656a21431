"""Coherence audit of the factor model: internal consistency, redundant indicators, and scores that track demography."""
from __future__ import annotations

import numpy as np
import pandas as pd

# Below this many paired areas a rank correlation says nothing; with 3 it is at least defined and not trivially +-1.
MIN_PAIRS = 3
MIN_REFERENCE_PAIRS = 10
METHODS = ("pearson", "spearman")
PAIR_COLUMNS = ["indicator_a", "indicator_b", "rho", "n"]
VIOLATION_COLUMNS = ["scored_id", "context_id", "r", "n"]
COHERENCE_COLUMNS = [
    "level", "scope", "factor", "indicator_id", "n_indicators", "n_complete_areas", "cronbach_alpha",
    "item_rest_rho", "max_abs_rho_in_factor", "max_rho_partner", "exceeds_threshold",
]


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    # A constant column has no correlation; returning NaN here avoids numpy's divide-by-zero warning and a spurious 0.
    if len(x) < 2:
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt((dx * dx).sum() * (dy * dy).sum())
    if not np.isfinite(denominator) or denominator == 0:
        return float("nan")
    return float(np.clip((dx * dy).sum() / denominator, -1.0, 1.0))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties sharing their mean rank (scipy's rankdata 'average'), without needing scipy."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts) - 1
    bounds = np.r_[np.flatnonzero(starts), len(values)]
    mean_rank = (bounds[:-1] + bounds[1:] + 1) / 2
    ranks = np.empty(len(values))
    ranks[order] = mean_rank[group]
    return ranks


def _correlate_arrays(x: np.ndarray, y: np.ndarray, method: str, min_pairs: int = MIN_PAIRS) -> tuple[float, int]:
    """(r, n) over the positions where both are present; Spearman ranks those positions only."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    both = ~(np.isnan(x) | np.isnan(y))
    n = int(both.sum())
    if n < min_pairs:
        return float("nan"), n
    x, y = x[both], y[both]
    if method == "spearman":
        # Ranked after pairing, so an area missing from one column cannot shift the other's ranks (as scipy does).
        x, y = _average_ranks(x), _average_ranks(y)
    return _pearson(x, y), n


def _correlate(x: pd.Series, y: pd.Series, method: str, min_pairs: int = MIN_PAIRS) -> tuple[float, int]:
    return _correlate_arrays(x.to_numpy(dtype=float), y.to_numpy(dtype=float), method, min_pairs)


def _pairwise(frame: pd.DataFrame, method: str = "spearman") -> tuple[pd.DataFrame, pd.DataFrame]:
    columns = list(frame.columns)
    data = frame.to_numpy(dtype=float)
    k = len(columns)
    r = np.full((k, k), np.nan)
    n = np.zeros((k, k), dtype=int)
    for i in range(k):
        n[i, i] = int((~np.isnan(data[:, i])).sum())
        for j in range(i + 1, k):
            r[i, j], n[i, j] = _correlate_arrays(data[:, i], data[:, j], method)
            r[j, i], n[j, i] = r[i, j], n[i, j]
    return pd.DataFrame(r, index=columns, columns=columns), pd.DataFrame(n, index=columns, columns=columns)


def cronbach_alpha(aligned: pd.DataFrame) -> float:
    """Cronbach's alpha, k/(k-1) * (1 - sum of item variances / variance of the row sum).

    Uses only complete rows (areas with every column present), so all variances describe the same areas; an area
    missing one indicator drops out entirely. NaN when there are fewer than 2 columns, fewer than 3 complete rows,
    or the row sum does not vary. Columns must already be aligned (higher is better) and on a common scale.
    """
    k = aligned.shape[1]
    complete = aligned.astype(float).dropna()
    if k < 2 or len(complete) < 3:
        return float("nan")
    total_variance = complete.sum(axis=1).var(ddof=1)
    if not np.isfinite(total_variance) or total_variance == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_variance))


def item_rest_correlations(aligned: pd.DataFrame) -> pd.Series:
    """Each column's Spearman rho with the row mean of the other columns (the 'rest'), indexed by column.

    The rest is the mean of whichever other columns a row has, so a row counts when the item and at least one other
    column are present. NaN for a lone column, fewer than 3 such rows, or a constant item or rest.
    """
    frame = aligned.astype(float)
    out = {}
    for column in frame.columns:
        others = frame.drop(columns=column)
        if others.shape[1] == 0:
            out[column] = float("nan")
            continue
        rest = others.mean(axis=1, skipna=True)
        out[column] = _correlate(frame[column], rest, "spearman")[0]
    return pd.Series(out, dtype=float, name="item_rest_rho").reindex(frame.columns)


def high_pairs(aligned: pd.DataFrame, threshold: float = 0.9, min_overlap: int = 30) -> pd.DataFrame:
    """Pairs of columns whose Spearman |rho| over pairwise-complete rows is strictly above threshold, with n >= min_overlap.

    One row per pair with indicator_a < indicator_b (compared as strings), sorted by descending |rho|.
    """
    columns = sorted(aligned.columns, key=str)
    rho, n = _pairwise(aligned[columns], "spearman")
    rows = []
    for i, a in enumerate(columns):
        for b in columns[i + 1:]:
            value, count = rho.loc[a, b], int(n.loc[a, b])
            if np.isfinite(value) and abs(value) > threshold and count >= min_overlap:
                rows.append({"indicator_a": a, "indicator_b": b, "rho": float(value), "n": count})
    return _sorted_by_strength(pd.DataFrame(rows, columns=PAIR_COLUMNS), "rho", ["indicator_a", "indicator_b"])


def _sorted_by_strength(frame: pd.DataFrame, column: str, ties: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame.astype({"n": int, column: float})
    order = frame.assign(_strength=-frame[column].abs()).sort_values(["_strength", *ties], key=_string_key, kind="mergesort")
    return order.drop(columns="_strength").reset_index(drop=True)


def _string_key(values: pd.Series) -> pd.Series:
    # Identifier columns may hold non-strings; sorting their text keeps the order total and the same as a < b above.
    return values if pd.api.types.is_numeric_dtype(values) else values.astype(str)


def coherence_table(
    aligned: pd.DataFrame, factor: pd.Series, scope: str, level: str, threshold: float = 0.9
) -> pd.DataFrame:
    """One row per factor (indicator_id "") then one per indicator in it, factors in ascending order.

    Only indicators that are both columns of aligned and mapped by factor (indicator_id -> factor number) appear.
    Every row of a factor carries its n_indicators, n_complete_areas (areas with all its indicators, which is what
    alpha uses) and cronbach_alpha. Indicator rows add item_rest_rho within the factor and the indicator's most
    correlated partner in the factor (Spearman, pairwise complete) with that |rho|; the factor row holds the factor's
    largest |rho| and no partner. exceeds_threshold is max_abs_rho_in_factor > threshold (strict, as in high_pairs).
    """
    mapped = factor.dropna()
    mapped = mapped[mapped.index.isin(aligned.columns)]
    rows = []
    for number in sorted(mapped.unique()):
        members = sorted(mapped.index[mapped == number], key=str)
        block = aligned[members].astype(float)
        alpha = cronbach_alpha(block)
        item_rest = item_rest_correlations(block)
        rho, _ = _pairwise(block, "spearman")
        # A factor Series that held a NaN arrives as float; report factor 1, not 1.0.
        label = int(number) if isinstance(number, (int, float, np.number)) and float(number).is_integer() else number
        common = {"level": level, "scope": scope, "factor": label, "n_indicators": len(members),
                  "n_complete_areas": int(block.notna().all(axis=1).sum()), "cronbach_alpha": alpha}
        indicator_rows = []
        for indicator in members:
            partners = rho.loc[indicator].drop(indicator).abs().dropna()
            best = partners.idxmax() if len(partners) else ""
            strongest = float(partners.max()) if len(partners) else float("nan")
            indicator_rows.append({**common, "indicator_id": indicator, "item_rest_rho": float(item_rest[indicator]),
                                   "max_abs_rho_in_factor": strongest, "max_rho_partner": best})
        strongest_in_factor = max((r["max_abs_rho_in_factor"] for r in indicator_rows if np.isfinite(r["max_abs_rho_in_factor"])),
                                  default=float("nan"))
        rows.append({**common, "indicator_id": "", "item_rest_rho": float("nan"),
                     "max_abs_rho_in_factor": strongest_in_factor, "max_rho_partner": ""})
        rows.extend(indicator_rows)
    table = pd.DataFrame(rows, columns=COHERENCE_COLUMNS)
    table["exceeds_threshold"] = table["max_abs_rho_in_factor"].gt(threshold)
    return table.astype({"n_indicators": int, "n_complete_areas": int, "cronbach_alpha": float,
                         "item_rest_rho": float, "max_abs_rho_in_factor": float, "exceeds_threshold": bool})


def correlation_with(scores: pd.DataFrame, reference: pd.Series, method: str = "spearman") -> pd.Series:
    """Each column's correlation with reference over the areas (index labels) present in both and non-missing.

    method is "spearman" or "pearson". NaN where fewer than 10 areas pair up or either side is constant.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    shared = scores.index.intersection(reference.index)
    reference = reference.reindex(shared)
    out = {column: _correlate(scores.loc[shared, column], reference, method, MIN_REFERENCE_PAIRS)[0] for column in scores.columns}
    return pd.Series(out, dtype=float, name=reference.name).reindex(scores.columns)


def diversity_violations(
    values: pd.DataFrame, scored: list[str], context: list[str], threshold: float = 0.9, min_overlap: int = 30
) -> pd.DataFrame:
    """(scored, context) column pairs whose Pearson |r| over pairwise-complete rows is >= threshold with n >= min_overlap.

    A scored indicator this close to a context (demographic) column mostly measures who lives in an area. Every named
    column must exist in values (KeyError otherwise, so a renamed column cannot make the audit pass vacuously).
    Sorted by descending |r|.
    """
    missing = [column for column in [*scored, *context] if column not in values.columns]
    if missing:
        raise KeyError(f"columns not in values: {missing}")
    rows = []
    for scored_id in scored:
        for context_id in context:
            r, n = _correlate(values[scored_id], values[context_id], "pearson")
            if np.isfinite(r) and abs(r) >= threshold and n >= min_overlap:
                rows.append({"scored_id": scored_id, "context_id": context_id, "r": r, "n": n})
    return _sorted_by_strength(pd.DataFrame(rows, columns=VIOLATION_COLUMNS), "r", ["scored_id", "context_id"])
