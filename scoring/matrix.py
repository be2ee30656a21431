"""The score input: each scored indicator's latest values as an areas x indicators matrix, and the sets of areas ranked together.

Shared by the build (scoring.factor_scores) and the composite builder (scoring.reweight), so both score exactly alike.
"""
from __future__ import annotations

import re

import pandas as pd

from scoring import scores
from vocabulary import MIN_WARD_INDICATORS

# A composite needs this many factors with scores; with fewer it would be one factor under another name.
MIN_COMPOSITE_FACTORS = 2


def period_key(period: str) -> tuple[int, str]:
    """Order period labels by the last year they name ('2008' < '2018-2024' < 'YE Jun 2025')."""
    years = re.findall(r"\d{4}", str(period))
    return (int(years[-1]) if years else 0, str(period))


def latest_period(frame: pd.DataFrame) -> str:
    """The most recent period that covers at least half the areas holding the indicator (some series trail by area)."""
    counts = frame.groupby("period")["area_code"].nunique().sort_index()
    wide_enough = counts[counts >= 0.5 * frame["area_code"].nunique()]
    return str((wide_enough if len(wide_enough) else counts).index[-1])


def score_matrix(values: pd.DataFrame, areas: pd.DataFrame, level: str, catalogue) -> scores.ScoreInput:
    """The latest value of every indicator scored at the level, as areas x indicators, with its errors, periods,
    derivations, factor, polarity and coverage. catalogue: Indicator declarations, or any rows with id, factor, polarity
    and is_scored_at (the app passes rows of the processed catalogue, so it scores what the build scored)."""
    scored = [i for i in catalogue if i.is_scored_at(level)]
    level_areas = areas[areas["level"] == level].set_index("area_code")
    columns, errors, derivations, periods, factor, polarity = {}, {}, {}, {}, {}, {}
    for ind in scored:
        mine = values[(values["indicator_id"] == ind.id) & (values["level"] == level)]
        if mine.empty:
            continue
        period = latest_period(mine)
        at_period = mine[mine["period"] == period].set_index("area_code").reindex(level_areas.index)
        columns[ind.id] = at_period["value"]
        errors[ind.id] = (at_period["upper_ci"] - at_period["lower_ci"]) / (2 * scores.CI_Z)
        derivations[ind.id], periods[ind.id] = at_period["derivation"], period
        factor[ind.id], polarity[ind.id] = ind.factor, ind.polarity
    matrix = pd.DataFrame(columns, index=level_areas.index)
    country = level_areas["country"]
    covered = {c: matrix.groupby(country)[c].apply(lambda s: s.notna().any()) for c in matrix.columns}
    coverage = pd.DataFrame({c: country.map(covered[c]).fillna(False).astype(bool) for c in matrix.columns}, index=matrix.index)
    return scores.ScoreInput(
        values=matrix, factor=pd.Series(factor, dtype=int), polarity=pd.Series(polarity, dtype=object), coverage=coverage,
        standard_error=pd.DataFrame(errors, index=level_areas.index),
        period=pd.Series(periods, dtype=object), derivation=pd.DataFrame(derivations, index=level_areas.index),
    )


def universes(data: scores.ScoreInput, areas: pd.DataFrame, level: str) -> list[tuple[str, scores.ScoreInput]]:
    """The sets of areas ranked together, each with its indicators: (scope, input).

    ew_common: every area, on the indicators published for both countries. country: each country on all of its own.
    A factor enters a universe only with at least MIN_WARD_INDICATORS indicators at ward level.
    """
    country = areas[areas["level"] == level].set_index("area_code")["country"].reindex(data.values.index)
    published = {c: set(country[data.values[c].notna()]) for c in data.values.columns}
    # Wards are ranked within their country only: councillors compare a ward with its own country's wards.
    out = [] if level == "ward" else [("ew_common", data.values.index, [c for c in data.values.columns if published[c] >= set(country.dropna())])]
    for code in sorted(country.dropna().unique()):
        out.append(("country", country.index[country == code], [c for c in data.values.columns if code in published[c]]))
    result = []
    for scope, rows, columns in out:
        if level == "ward":
            counts = data.factor[columns].value_counts()
            columns = [c for c in columns if counts[data.factor[c]] >= MIN_WARD_INDICATORS]
        if columns:
            result.append((scope, data.subset(rows, columns)))
    return result
