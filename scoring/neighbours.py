"""Similar areas: ONS's published nearest neighbours, and our own k-nearest neighbours on standardised context
variables, for LAs and, within each country, for wards."""
from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.matrix import latest_period


class MissingContext(LookupError):
    """A context variable the similar-area search needs has no values at the level (its source is not held)."""


K_NEIGHBOURS = 20
NEIGHBOUR_COLUMNS = ["area_code", "neighbour_code", "rank", "kind", "level"]

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


# Similar wards: k nearest wards of the same country on context variables only. No scored indicator is used (ward
# deprivation and qualifications are scored), so similar wards are never chosen by the outcomes they are compared on.
K_WARD_NEIGHBOURS = 10
WARD_KNN_KIND = "atlas_ward_knn"
WARD_DENSITY = "residents_per_km2_log"
# The base of the bad-health share (TS037) is every usual resident, so its denominator is the ward's population.
WARD_RESIDENTS_FROM = "bad_health"
WARD_KNN_VARIABLES = {
    WARD_DENSITY: "Residents per km² (log10: Census 2021 usual residents over the ward's area), standing in for rurality",
    "ethnic_minority_share": "Share of residents not in the White ethnic group (Census 2021)",
    "born_outside_uk": "Share of residents born outside the UK (Census 2021)",
    "owner_occupied_households": "Share of households owning their home (Census 2021)",
    "social_rented_households": "Share of households renting from a council or housing association (Census 2021)",
    "bad_health": "Share of residents in bad or very bad health (Census 2021), standing in for age structure",
}
# Welsh wards also match on the Welsh language, which sets much of a Welsh ward's character and is held only there.
WARD_KNN_VARIABLES_BY_COUNTRY = {"E": WARD_KNN_VARIABLES, "W": {**WARD_KNN_VARIABLES, "welsh_speakers": "Share of residents aged 3+ who can speak Welsh (Census 2021)"}}


def context_matrix(values: pd.DataFrame, lad_codes: pd.Index) -> pd.DataFrame:

    lad = values[values["level"] == "lad"]
    columns = {}
    for indicator_id in KNN_VARIABLES:
        mine = lad[lad["indicator_id"] == indicator_id]
        if mine.empty:
            raise MissingContext(f"context variable {indicator_id} has no LAD values")
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
    frame["level"] = "lad"
    return frame


def _latest(values: pd.DataFrame, indicator_id: str, level: str) -> pd.DataFrame:

    mine = values[(values["level"] == level) & (values["indicator_id"] == indicator_id)]
    if mine.empty:
        raise MissingContext(f"context variable {indicator_id} has no {level} values")
    return mine[mine["period"] == latest_period(mine)].set_index("area_code")


def ward_residents(values: pd.DataFrame) -> pd.Series:
    """Census 2021 usual residents per ward (the base of the bad-health share); empty if the build holds no such share."""
    try:
        residents = _latest(values, WARD_RESIDENTS_FROM, "ward")["denominator"]
    except MissingContext:
        return pd.Series(dtype=float)
    return residents[residents > 0]


def ward_context_matrix(values: pd.DataFrame, areas: pd.DataFrame, country: str) -> pd.DataFrame:
    """The wards of one country (rows) by their kNN variables (columns), latest period; NaN where a ward has no value."""
    wards = areas[(areas["level"] == "ward") & (areas["country"] == country)].set_index("area_code")
    columns = {}
    for indicator_id in WARD_KNN_VARIABLES_BY_COUNTRY[country]:
        if indicator_id == WARD_DENSITY:
            _latest(values, WARD_RESIDENTS_FROM, "ward")  # raises MissingContext when the residents' base is missing
            residents = ward_residents(values).reindex(wards.index)
            area = wards["area_km2"].where(wards["area_km2"] > 0)
            columns[indicator_id] = np.log10(residents / area)
        else:
            columns[indicator_id] = _latest(values, indicator_id, "ward")["value"]
    return pd.DataFrame(columns).reindex(wards.index)


def nearest(z: np.ndarray, k: int, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest other rows by Euclidean distance, nearest first (ties by row order): (indices, distances).
    Distances are taken a block of rows at a time, so 7,000 wards need tens of MB, not gigabytes."""
    n = len(z)
    k = min(k, n - 1)
    squared = (z ** 2).sum(axis=1)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k))
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        d2 = squared[start:stop, None] + squared[None, :] - 2.0 * z[start:stop] @ z.T
        d2[np.arange(stop - start), np.arange(start, stop)] = np.inf
        near = np.argpartition(d2, k - 1, axis=1)[:, :k]
        near_d2 = np.take_along_axis(d2, near, axis=1)
        order = np.lexsort((near, near_d2), axis=1)
        indices[start:stop] = np.take_along_axis(near, order, axis=1)
        distances[start:stop] = np.sqrt(np.clip(np.take_along_axis(near_d2, order, axis=1), 0.0, None))
    return indices, distances


def ward_knn_neighbours(values: pd.DataFrame, areas: pd.DataFrame, k: int = K_WARD_NEIGHBOURS) -> pd.DataFrame:
    """Each ward's k nearest wards of its own country, on its country's kNN variables z-scored among that country's
    wards. A ward missing any variable (no output area or no best-fit LSOA) neither gets nor gives neighbours:
    setting its gap to the mean would make it look average."""
    frames = []
    for country in WARD_KNN_VARIABLES_BY_COUNTRY:
        matrix = ward_context_matrix(values, areas, country).dropna()
        if len(matrix) <= k:
            continue
        z = ((matrix - matrix.mean()) / matrix.std(ddof=0)).to_numpy()
        indices, _ = nearest(z, k)
        codes = matrix.index.to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "area_code": np.repeat(codes, indices.shape[1]),
                    "neighbour_code": codes[indices.ravel()],
                    "rank": np.tile(np.arange(1, indices.shape[1] + 1), len(codes)),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["area_code", "neighbour_code", "rank"])
    frame["kind"] = WARD_KNN_KIND
    frame["level"] = "ward"
    return frame
