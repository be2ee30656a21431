"""The composite builder's view: which LAs move under the chosen weights, and how its band differs from the published one."""
from __future__ import annotations

import pandas as pd

from scoring.reweight import BUILDER_BAND_NOTE
from scoring.scores import BAND_NOTE

# The rank columns both of the page's tables show, by their names there; all whole numbers.
RANK_COLUMNS = {
    "equal_rank": "Equal weights", "rank": "Your weights", "change": "Places up",
    "rank_low": "Weight band from", "rank_high": "Weight band to", "n_areas": "LAs ranked",
}


def biggest_moves(shift: pd.DataFrame, n: int = 8) -> pd.DataFrame:
    """Up to n LAs that moved up most and n that moved down most against equal weights, largest first; an LA whose
    rank did not change is never listed, so equal weights list nobody."""
    ranked = shift.dropna(subset=["rank", "equal_rank"])
    up = ranked[ranked["change"] > 0].sort_values(["change", "rank"], ascending=[False, True], kind="stable").head(n)
    down = ranked[ranked["change"] < 0].sort_values(["change", "rank"], ascending=[True, True], kind="stable").head(n)
    return pd.concat([up, down])


def band_comparison(rank_low, rank_high, published_low, published_high) -> str:
    """The builder's band beside the published band of the same LA, each named by its method, so that two different
    ranges for one LA never appear without saying why."""
    mine = f"weight band {int(rank_low)}–{int(rank_high)}"
    if pd.isna(published_low) or pd.isna(published_high):
        return f"{mine} (your factor weights redrawn; no published band for this LA)"
    return (
        f"{mine} (your factor weights redrawn); published band at equal weights {int(published_low)}–{int(published_high)} "
        "(indicator weights, confidence intervals and leave-one-out, as on the Area profile)"
    )


BAND_METHODS_NOTE = f"Two bands, two methods. Weight band (this page): {BUILDER_BAND_NOTE} Published band (Area profile, Map, exports): {BAND_NOTE}"
