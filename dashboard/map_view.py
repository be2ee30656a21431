"""The LA map's view: one measure's values (or scores) per area, ready to colour."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.measure_labels import catalogue_row, fmt_value, is_score, rank_text, score_factor
from dashboard.scopes import evidence_text, small_note


def measure_frame(
    measure: str,
    period: str,
    method: str,
    level: str,
    values: pd.DataFrame,
    scores: pd.DataFrame,
    catalogue: pd.DataFrame,
    names: dict[str, str],
    small: frozenset[str] | set[str] | None = None,
) -> pd.DataFrame:
    """One row per area with a value: area_code, area_name, value, rank, rank_low, rank_high, n_areas, rank_text,
    value_text, note (the small-population note), and for scores evidence; at LA level a hover line, detail.

    values / scores are already the rows of this level and scope (and indicator, for values). A score's rank is out
    of its own universe (n_areas: all LAs, or the LAs of its country). Ranks: 1 = best; context indicators are ranked
    highest first and said to be context.
    """
    if is_score(measure):
        mine = scores[(scores["factor"] == score_factor(measure)) & (scores["method"] == method)]
        mine = mine[mine["score"].notna()]
        frame = mine[["area_code", "score", "rank", "rank_low", "rank_high", "n_areas"]].rename(columns={"score": "value"})
        frame["evidence"] = [evidence_text(r) for r in mine.to_dict("records")]
        unit = "score (higher = better)"
    else:
        mine = values[values["period"] == period]
        frame = mine[["area_code", "value"]].copy()
        row = catalogue_row(catalogue, measure) or {"polarity": "context", "unit": ""}
        ascending = row["polarity"] == "lower_is_better"
        frame["rank"] = frame["value"].rank(ascending=ascending, method="min")
        frame["rank_low"] = np.nan
        frame["rank_high"] = np.nan
        frame = frame[frame["value"].notna()].copy()
        frame["n_areas"] = len(frame)
        unit = row["unit"]
    frame = frame[frame["value"].notna()].copy()
    frame["area_name"] = frame["area_code"].map(names).fillna(frame["area_code"])
    frame["rank_text"] = [rank_text(r, lo, hi, int(n)) for r, lo, hi, n in zip(frame["rank"], frame["rank_low"], frame["rank_high"], frame["n_areas"])]
    frame["value_text"] = [fmt_value(v, unit) for v in frame["value"]]
    frame["note"] = [small_note(c, small or frozenset()) for c in frame["area_code"]]
    if level == "lad":
        # one hover line under the rank: evidence strength for scores, the small-population note wherever it applies
        evidence = frame["evidence"] if "evidence" in frame else pd.Series("", index=frame.index)
        frame["detail"] = [" · ".join(p for p in (e, n) if p) for e, n in zip(evidence, frame["note"])]
    return frame.reset_index(drop=True)
