"""Compare's view: 2-6 LAs side by side on their latest indicator values."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.measure_labels import fmt_value


def compare_table(codes: list[str], lad_values: pd.DataFrame, catalogue: pd.DataFrame, names: dict[str, str], *, as_text: bool = False) -> pd.DataFrame:
    """Indicators (rows) x areas (columns) at each indicator's latest period. as_text formats each value by its row's
    unit ('53.0', '£539.90'): one column holds many units, so no single number format fits it."""
    rows = []
    for ind in catalogue.itertuples():
        block = lad_values[(lad_values["indicator_id"] == ind.indicator_id) & (lad_values["period"] == ind.latest_period)]
        if block.empty:
            continue
        by_code = block.set_index("area_code")["value"]
        row = {"indicator_id": ind.indicator_id, "factor": int(ind.factor), "indicator": ind.title, "unit": ind.unit, "period": ind.latest_period}
        for code in codes:
            value = float(by_code[code]) if code in by_code.index else np.nan
            row[names.get(code, code)] = fmt_value(value, ind.unit, missing="–") if as_text else value
        rows.append(row)
    return pd.DataFrame(rows)
