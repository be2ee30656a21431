"""The Data and export page's selection: the rows a download holds, their preview and their metadata."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import scopes, source_lines
from dashboard.frame_memo import per_frames
from dashboard.tables import Atlas
from outputs import downloads

PREVIEW_ROWS = 1000


@dataclass(frozen=True)
class Export:
    rows: pd.DataFrame
    indicator_ids: list[str]
    preview: pd.DataFrame  # the first rows as the downloads write them
    definitions: pd.DataFrame
    sources: pd.DataFrame


@per_frames
def export_rows(a: Atlas, dataset: str, level: str, method: str, score_scope: str, chosen_factors: list[int], use_inds: list[str], period: str, chosen_areas: list[str]) -> Export:
    """Indicator values (with provenance) or factor scores of one selection, each row named in English and Welsh."""
    catalogue = a.catalogue
    level_areas = a.areas[a.areas["level"] == level]
    if chosen_areas:
        keep = set(chosen_areas) if level == "lad" else set(level_areas[level_areas["parent_code"].isin(chosen_areas)]["area_code"])
    else:
        keep = None
    if dataset == "values":
        frames = []
        latest = dict(zip(catalogue["indicator_id"], catalogue["latest_period"]))
        for ind in use_inds:
            block = a.indicator_values(ind, level)
            if period == "latest":
                held = a.periods_for(ind, level)
                block = block[block["period"] == (latest.get(ind) if latest.get(ind) in held else (held[-1] if held else ""))]
            elif period != "all":
                block = block[block["period"] == period]
            if keep is not None:
                block = block[block["area_code"].isin(keep)]
            frames.append(block)
        rows = pd.concat(frames, ignore_index=True) if frames else a.values.iloc[0:0]
        rows = rows.merge(catalogue[["indicator_id", "title", "unit"]], on="indicator_id", how="left")
        rows = downloads.with_provenance(rows, catalogue, a.sources)
        export_ids = rows["indicator_id"].unique().tolist()
    else:
        rows = a.scores_for(level, score_scope)
        if method != "both":
            rows = rows[rows["method"] == method]
        if chosen_factors:
            rows = rows[rows["factor"].isin([str(f) for f in chosen_factors if f] + ["composite"])]
        if keep is not None:
            rows = rows[rows["area_code"].isin(keep)]
        rows = rows.assign(
            evidence=[scopes.evidence_text(r) for r in rows.to_dict("records")],
            note=[scopes.small_note(c, a.small_areas) for c in rows["area_code"]],
            source_id="cohesion_atlas (derived from the indicators listed in the metadata)",
            licence="derived from OGL v3.0 / Open Parliament Licence v3.0 data",
        )
        in_scope = source_lines.scope_indicators(catalogue, score_scope, level)
        if chosen_factors:
            in_scope = in_scope[in_scope["factor"].isin(chosen_factors)]
        export_ids = in_scope["indicator_id"].tolist()
    rows = rows.reset_index(drop=True)
    rows.insert(1, "area_name", rows["area_code"].map(a.names))
    rows.insert(2, "area_name_welsh", rows["area_code"].map(a.welsh).fillna(""))
    if level == "ward":
        rows.insert(3, "local_authority", rows["area_code"].map(a.parent_of).map(a.names))

    definitions, used_sources = downloads.selection_metadata(export_ids, catalogue, a.sources)
    return Export(rows, export_ids, downloads.plain_numbers(rows.head(PREVIEW_ROWS)), definitions, used_sources)
