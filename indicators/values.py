"""Run the catalogue: every indicator's values for every LAD and ward, and the catalogue table that describes them."""
from __future__ import annotations

import json
from typing import Callable

import pandas as pd

from indicators.catalogue import CATALOGUE, FACTOR_NOTES
from indicators.context import BuildContext
from indicators.declaration import Indicator
from scoring.matrix import latest_period
from vocabulary import FACTORS

INDICATOR_VALUE_COLUMNS = ["area_code", "level", "indicator_id", "period", "value", "numerator", "denominator", "lower_ci", "upper_ci", "derivation"]


def compute_values(ctx: BuildContext, catalogue: tuple[Indicator, ...] = CATALOGUE, progress: Callable[[str], None] = lambda _m: None) -> pd.DataFrame:
    frames = []
    valid = {"lad": set(ctx.lad_codes), "ward": set(ctx.ward_codes)}
    for indicator in catalogue:
        progress(f"indicator {indicator.id}")
        result = indicator.compute(ctx)
        for level, frame in result.items():
            if level not in indicator.levels:
                raise ValueError(f"{indicator.id}: computed level {level!r} it does not declare")
            frame = frame[frame["area_code"].isin(valid[level]) & frame["value"].notna()].copy()
            frame["level"] = level
            frame["indicator_id"] = indicator.id
            frames.append(frame[INDICATOR_VALUE_COLUMNS])
    values = pd.concat(frames, ignore_index=True)
    for column in ("numerator", "denominator", "lower_ci", "upper_ci", "value"):
        values[column] = values[column].astype("float64")
    for column in ("area_code", "level", "indicator_id", "period", "derivation"):
        values[column] = values[column].astype(str)
    key = ["area_code", "level", "indicator_id", "period"]
    duplicated = values.duplicated(key, keep=False)
    if duplicated.any():
        raise ValueError(f"indicator values not unique, e.g. {values.loc[duplicated, key].head(2).to_dict('records')}")
    return values.sort_values(key).reset_index(drop=True)


def catalogue_table(values: pd.DataFrame, catalogue: tuple[Indicator, ...] = CATALOGUE) -> pd.DataFrame:
    rows = []
    for ind in catalogue:
        mine = values[values["indicator_id"] == ind.id]
        periods = sorted(mine["period"].unique())
        rows.append(
            {
                "indicator_id": ind.id,
                "title": ind.title,
                "description": ind.description,
                "factor": ind.factor if ind.factor is not None else 0,
                "factor_name": FACTORS.get(ind.factor, "Context (not scored)"),
                "polarity": ind.polarity,
                "unit": ind.unit,
                "source_id": ", ".join(ind.sources),
                "levels": ", ".join(sorted(mine["level"].unique())),
                "periods": ", ".join(periods),
                "latest_period": latest_period(mine) if len(mine) else "",
                "countries": ind.countries,
                "caveats": ind.caveats,
                "derivation": ind.derivation,
                "proxy": ind.proxy,
                "proxy_reason": ind.proxy_reason,
                "scored": ind.is_scored,
                "scored_levels": ", ".join(ind.scored_levels),
                "unscored_reason": ind.unscored_reason,
                # JSON [[period, why], ...]: the dashboard reads the breaks back as pairs.
                "series_breaks": json.dumps([list(pair) for pair in ind.series_breaks], ensure_ascii=False),
                "edition_note": ind.edition_note,
                "factor_note": FACTOR_NOTES.get(ind.factor, ""),
            }
        )
    return pd.DataFrame(rows)
