"""Compare's view: 2-6 LAs side by side on their latest indicator values."""
from __future__ import annotations

import numpy as np
import pandas as pd

import vocabulary as vocab
from dashboard import measure_labels, scopes
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import fmt_value


@per_frames
def latest_values(lad_values: pd.DataFrame, catalogue: pd.DataFrame) -> tuple[tuple[dict, dict[str, float]], ...]:
    """Per catalogue row held at its latest period (in catalogue order): the row's fixed cells and its values by area
    code, worked out once for every comparison instead of filtering lad_values per indicator per call."""
    blocks = {key: block for key, block in lad_values.groupby(["indicator_id", "period"], sort=False)}
    out = []
    for ind in catalogue.itertuples():
        block = blocks.get((ind.indicator_id, ind.latest_period))
        if block is None or block.empty:
            continue
        values = dict(zip(block["area_code"], block["value"].tolist()))
        out.append(({"indicator_id": ind.indicator_id, "factor": int(ind.factor), "indicator": ind.title, "unit": ind.unit, "period": ind.latest_period}, values))
    return tuple(out)


@per_frames
def compare_table(codes: list[str], lad_values: pd.DataFrame, catalogue: pd.DataFrame, names: dict[str, str], *, as_text: bool = False) -> pd.DataFrame:
    """Indicators (rows) x areas (columns) at each indicator's latest period. as_text formats each value by its row's
    unit ('53.0', '£539.90'): one column holds many units, so no single number format fits it."""
    rows = []
    for fixed, values in latest_values(lad_values, catalogue):
        row = dict(fixed)
        unit = fixed["unit"]
        for code in codes:
            value = values.get(code, np.nan)
            row[names.get(code, code)] = fmt_value(value, unit, missing="–") if as_text else value
        rows.append(row)
    return pd.DataFrame(rows)


@per_frames
def factor_rows(chosen: list[str], lad_scores: pd.DataFrame, method: str, names: dict[str, str], welsh: dict[str, str]) -> pd.DataFrame:
    """One row per chosen LA and factor (in the order chosen): its score, rank texts and evidence, for the chart and tables."""
    scores = lad_scores[(lad_scores["method"] == method) & lad_scores["area_code"].isin(chosen)]
    ranks = list(zip(scores["rank"], scores["rank_low"], scores["rank_high"], scores["n_areas"]))
    long = pd.DataFrame(
        {
            "area": [measure_labels.area_label(c, names, welsh) for c in scores["area_code"]],
            "code": scores["area_code"],
            "factor": scores["factor"],
            "factor_name": scores["factor"].map(vocab.FACTOR_SHORT),
            "score": scores["score"],
            "rank_text": [measure_labels.rank_text(r, lo, hi, int(n)) for r, lo, hi, n in ranks],
            # "274/308 (266–293)": six areas' ranks side by side fit a 1366 px screen
            "rank_compact": [measure_labels.rank_text(r, lo, hi, int(n), compact=True) for r, lo, hi, n in ranks],
            "evidence": [scopes.evidence_text(r) for r in scores.to_dict("records")],
        }
    )
    long["order"] = long["code"].map({c: i for i, c in enumerate(chosen)})
    return long.sort_values(["order", "factor"])
