"""The composite builder's view: which LAs move under the chosen weights, and how its band differs from the published one."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import figures, scopes
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import area_label
from scoring import reweight
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


@per_frames(max_entries=64)  # as many weightings as the builder's cache held before
def shift_table(prepared: reweight.Prepared, indicator_weights: tuple[tuple[str, float], ...], factor_weights: tuple[tuple[int, float], ...], names: dict[str, str], welsh: dict[str, str], small_areas: frozenset[str]) -> pd.DataFrame:
    """Every LA's rank at equal and at the chosen weights (as sorted tuples), named, with its small-population note."""
    shift = reweight.rank_shift(prepared, dict(indicator_weights), dict(factor_weights), draws=reweight.BUILDER_DRAWS)
    table = shift.reset_index().rename(columns={"index": "area_code"})
    table["area_name"] = [area_label(c, names, welsh) for c in table["area_code"]]
    table["note"] = [scopes.small_note(c, small_areas) for c in table["area_code"]]
    return table


@per_frames(max_entries=64)
def shift_chart(prepared: reweight.Prepared, indicator_weights: tuple, factor_weights: tuple, names: dict[str, str], welsh: dict[str, str], small_areas: frozenset[str], source_line: str, highlight: str | None) -> go.Figure:
    table = shift_table(prepared, indicator_weights, factor_weights, names, welsh, small_areas)
    return figures.rank_shift_chart(table, source_line=source_line, highlight=highlight)
