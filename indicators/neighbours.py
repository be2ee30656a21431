"""Similar areas: ONS's published nearest neighbours, and our own k-nearest neighbours on standardised context variables."""
from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.context import BuildContext, MissingInput

K_NEIGHBOURS = 20
NEIGHBOUR_COLUMNS = ["area_code", "neighbour_code", "rank", "kind"]

# The context variables behind our own neighbours, each from an indicator in the catalogue (id -> label).
# Rurality is not held as such: population density stands in for it.
KNN_VARIABLES = {
    "population_density": "Population density (residents per km², Census 2021)",
    "population_size_log": "Population (log10 of Census 2021 residents)",
    "age_65_plus": "Share aged 65+ (mid-2020 estimates)",
    "age_0_15": "Share aged 0-15 (mid-2020 estimates)",
    "ethnic_minority_share": "Share of residents not in the White ethnic group (Census 2021)",
    "household_deprivation_any": "Households deprived in one or more dimensions (Census 2021)",
}


def ons_neighbours(ctx: BuildContext) -> pd.DataFrame:
    from data_sources import ons_similar_areas as source

    folder = ctx.raw_root / source.SOURCE.raw_folder
    frames = []
    for raw in source.SOURCE.files:
        if raw.name.endswith("-neighbours.csv"):
            frames.append(source.read_neighbours(folder / raw.name))
    frame = pd.concat(frames, ignore_index=True)
    chain = ctx.chain.set_index("old_code")["lad25_code"]
    frame["area_code"] = frame["area_code"].map(chain).fillna(frame["area_code"])
    frame["neighbour_code"] = frame["neighbour_code"].map(chain).fillna(frame["neighbour_code"])
    frame["kind"] = "ons_" + frame["kind"].astype(str)
    lads = set(ctx.lad_codes)
    frame = frame[frame["area_code"].isin(lads) & frame["neighbour_code"].isin(lads)]
    return frame[NEIGHBOUR_COLUMNS].drop_duplicates(["area_code", "neighbour_code", "kind"])


def context_matrix(values: pd.DataFrame, lad_codes: pd.Index) -> pd.DataFrame:
    from indicators.model import latest_period

    lad = values[values["level"] == "lad"]
    columns = {}
    for indicator_id in KNN_VARIABLES:
        mine = lad[lad["indicator_id"] == indicator_id]
        if mine.empty:
            raise MissingInput(f"context variable {indicator_id} has no LAD values")
        columns[indicator_id] = mine[mine["period"] == latest_period(mine)].set_index("area_code")["value"]
    return pd.DataFrame(columns).reindex(lad_codes)


def knn_neighbours(matrix: pd.DataFrame, k: int = K_NEIGHBOURS) -> pd.DataFrame:
    """Euclidean distance on z-scored variables (missing values set to the mean, i.e. z = 0)."""
    z = (matrix - matrix.mean()) / matrix.std(ddof=0)
    z = z.fillna(0.0).to_numpy()
    distances = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(distances, np.inf)
    order = np.argsort(distances, axis=1, kind="stable")[:, :k]
    codes = matrix.index.to_numpy()
    rows = [(codes[i], codes[j], rank + 1) for i in range(len(codes)) for rank, j in enumerate(order[i])]
    frame = pd.DataFrame(rows, columns=["area_code", "neighbour_code", "rank"])
    frame["kind"] = "atlas_knn"
    return frame


def agreement(ours: pd.DataFrame, theirs: pd.DataFrame, k: int = K_NEIGHBOURS) -> float:
    """Mean share of an area's k neighbours that both lists name."""
    a = ours[ours["rank"] <= k].groupby("area_code")["neighbour_code"].apply(set)
    b = theirs[theirs["rank"] <= k].groupby("area_code")["neighbour_code"].apply(set)
    common = a.index.intersection(b.index)
    return float(np.mean([len(a[c] & b[c]) / k for c in common])) if len(common) else float("nan")


def neighbour_table(ctx: BuildContext, values: pd.DataFrame) -> pd.DataFrame:
    ours = knn_neighbours(context_matrix(values, ctx.lad_codes))
    theirs = ons_neighbours(ctx)
    table = pd.concat([theirs, ours], ignore_index=True)
    table["rank"] = table["rank"].astype("int64")
    return table.sort_values(["kind", "area_code", "rank"]).reset_index(drop=True)
