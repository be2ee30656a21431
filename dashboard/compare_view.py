"""Compare's view: 2-6 LAs side by side on their latest indicator values."""
from __future__ import annotations

import numpy as np
import pandas as pd


def compare_table(codes: list[str], lad_values: pd.DataFrame, catalogue: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Indicators (rows) x areas (columns) at each indicator's latest period."""
    rows = []
    for ind in catalogue.itertuples():
        block = lad_values[(lad_values["indicator_id"] == ind.indicator_id) & (lad_values["period"] == ind.latest_period)]
        if block.empty:
            continue
        by_code = block.set_index("area_code")["value"]
        row = {"factor": int(ind.factor), "indicator": ind.title, "unit": ind.unit, "period": ind.latest_period}
        for code in codes:
            row[names.get(code, code)] = float(by_code[code]) if code in by_code.index else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
