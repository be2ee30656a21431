"""The LA map's view: one measure's values (or scores) per area, ready to colour, where its colour scale is centred,
and the London view."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import vocabulary as vocab
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import area_label, catalogue_row, fmt_value, is_score, rank_text, score_factor
from dashboard.scopes import evidence_text, small_note

# Factor scores are formatted (two decimals) and titled by this unit wherever a value is shown.
SCORE_UNIT = "score (higher = better)"
LONDON_REGION = "E12000007"
# The Map page's views (?view=): all LAs, or London's 33 boroughs framed on their own.
VIEWS = {"ew": "England and Wales", "london": "London's 33 boroughs"}
DEFAULT_VIEW = "ew"
BOTH_COUNTRIES = "England and Wales"


@per_frames
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
    *,
    welsh: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per area with a value: area_code, area_name ('Cardiff / Caerdydd' where welsh gives a Welsh name),
    value, rank, rank_low, rank_high, n_areas, rank_text, rank_where (the set the area is ranked within: 'England',
    'Wales' or 'England and Wales'), value_text, note (the small-population note), and for scores evidence; at LA level
    a hover line, detail.

    values / scores are already the rows of this level and scope (and indicator, for values). A score's rank is out
    of its own universe (n_areas: all LAs, or the LAs of its country). Ranks: 1 = best; context indicators are ranked
    highest first and said to be context.
    """
    if is_score(measure):
        mine = scores[(scores["factor"] == score_factor(measure)) & (scores["method"] == method)]
        mine = mine[mine["score"].notna()]
        frame = mine[["area_code", "score", "rank", "rank_low", "rank_high", "n_areas"]].rename(columns={"score": "value"})
        frame["evidence"] = [evidence_text(r) for r in mine.to_dict("records")]
        unit = SCORE_UNIT
        # the country scope ranks each country on its own; the common scope (and any other) ranks them together
        within_country = "scope" in mine and bool((mine["scope"] == "country").all()) and len(mine) > 0
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
        within_country = False  # an indicator is ranked over every area holding it
    frame = frame[frame["value"].notna()].copy()
    frame["area_name"] = [area_label(c, names, welsh) for c in frame["area_code"]]
    frame["rank_text"] = [rank_text(r, lo, hi, int(n)) for r, lo, hi, n in zip(frame["rank"], frame["rank_low"], frame["rank_high"], frame["n_areas"])]
    frame["rank_where"] = ranked_within(frame["area_code"], within_country)
    frame["value_text"] = [fmt_value(v, unit) for v in frame["value"]]
    frame["note"] = [small_note(c, small or frozenset()) for c in frame["area_code"]]
    if level == "lad":
        # one hover line under the rank: evidence strength for scores, the small-population note wherever it applies
        evidence = frame["evidence"] if "evidence" in frame else pd.Series("", index=frame.index)
        frame["detail"] = [" · ".join(p for p in (e, n) if p) for e, n in zip(evidence, frame["note"])]
    return frame.reset_index(drop=True)


def country_letter(codes: pd.Series) -> pd.Series:
    """A GSS code's first letter is its country (E06…, W05…)."""
    return pd.Series(codes, dtype=object).astype(str).str[:1]


def ranked_within(codes: pd.Series, within_country: bool) -> np.ndarray:
    """The name of the set each area was ranked within: its own country, or every country present in `codes`
    ('England and Wales' only when areas of both were ranked together)."""
    letters = country_letter(codes)
    if within_country:
        return letters.map(vocab.COUNTRY_NAMES).fillna("its country").to_numpy()
    return np.full(len(letters), set_name(letters.unique()), dtype=object)


def set_name(letters) -> str:
    """'England', 'Wales', or 'England and Wales' for the country letters of a set of areas."""
    present = [vocab.COUNTRY_NAMES[c] for c in vocab.COUNTRY_NAMES if c in set(letters)]
    return " and ".join(present) if present else BOTH_COUNTRIES


def rank_label(where) -> str:
    """A rank column's or line's name: 'Rank in Wales'."""
    return f"Rank in {where}"


# ---------------------------------------------------------------- colour: where a diverging scale is centred

# An extreme area (the City of London's 1,025 crimes per 1,000 residents against a median of 68) would stretch a
# symmetric scale so far that every other area reads as neutral. Where the full range is more than this many times
# the 1st-99th percentile range, the scale stops at the percentile range and the few areas beyond take its end colour.
OUTLIER_STRETCH = 1.5
LOW_PERCENTILE, HIGH_PERCENTILE = 1, 99


@dataclass(frozen=True)
class ColourCentre:
    """A diverging scale centred on `value` (zmid): colours run symmetrically over value ± half, so a step above the
    centre is as strong a colour as the same step below it. The map draws only [zmin, zmax], the part of that range
    the areas shown reach (the centre always inside it), so its colour bar never offers values no area has, such as a
    negative deprivation score. label says what the centre is ('centre = median of LAs'); beyond: how many areas lie
    past value ± half (far outliers, which take the end colour)."""

    value: float
    label: str
    half: float
    zmin: float
    zmax: float
    beyond: int = 0

    def position(self, z: float) -> float:
        """Where z falls on the full symmetric scale, 0 to 1 (the centre at 0.5)."""
        return (z - (self.value - self.half)) / (2 * self.half)


def diverging(centre: float, label: str, values) -> ColourCentre:
    """The symmetric half-range about `centre` that holds `values` (the areas the scale must read for), but for far
    outliers; and the drawn range, the values' own span widened to hold the centre."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    centre = float(centre)
    if not len(x):
        return ColourCentre(centre, label, 1.0, centre - 1, centre + 1)
    half = max(abs(x.max() - centre), abs(centre - x.min()))
    low, high = np.percentile(x, [LOW_PERCENTILE, HIGH_PERCENTILE])
    robust = max(abs(high - centre), abs(centre - low))
    if robust > 0 and half > OUTLIER_STRETCH * robust:
        half = robust
    half = float(half) or 1.0  # every area on the centre: any non-empty range shows them neutral
    beyond = int(((x < centre - half) | (x > centre + half)).sum())
    zmin = max(min(float(x.min()), centre), centre - half)
    zmax = min(max(float(x.max()), centre), centre + half)
    return ColourCentre(centre, label, half, zmin, zmax, beyond)


def is_centred_at_zero(measure: str, method: str) -> bool:
    """Robust z-scores are centred by construction: each indicator is (x - median) / (1.4826 MAD), so the median area
    scores 0 on it, and a factor's score is re-standardised back onto the median of its indicators' centres, 0
    (scoring.scores.spread_of). The exponential method has no such centre: it maps ranks onto 0-100, stretching the
    worst end, so its median area sits above 80, not at 0 or 50; it is centred on the median like an indicator."""
    return is_score(measure) and method == "robust_z"


@per_frames
def colour_centre(measure: str, method: str, polarity: str, values, *, reference=None, areas_word: str = "LAs") -> ColourCentre | None:
    """Where the map's diverging scale is centred (None: context measures keep their sequential scale). Factor scores
    by the robust z method: 0, the average by construction; everything else: the median of `reference` (the areas the
    measure is ranked within; default `values`, the areas shown). The bounds hold `values`."""
    if polarity not in ("higher_is_better", "lower_is_better"):
        return None
    if is_centred_at_zero(measure, method):
        return diverging(0.0, "centre = 0, the average", values)
    ref = np.asarray(values if reference is None else reference, dtype=float)
    ref = ref[np.isfinite(ref)]
    if not len(ref):
        return None
    return diverging(float(np.median(ref)), f"centre = median of {areas_word}", values)


def beyond_note(centre: ColourCentre | None, areas_word: str = "LAs") -> str:
    """The caption's word on areas past the scale's ends ('' when none)."""
    if centre is None or not centre.beyond:
        return ""
    return (
        f"{centre.beyond} {areas_word} lie far beyond the rest and are drawn in the colour scale's end colour (the scale "
        "reaches only as far from its centre as the 1st or 99th percentile); hover for their values."
    )


# ---------------------------------------------------------------- the London view

@per_frames
def london_boroughs(areas: pd.DataFrame) -> list[str]:
    """The 33 London boroughs (the City of London among them): the LAs of region E12000007, in code order."""
    lads = areas[(areas["level"] == "lad") & (areas["region_code"] == LONDON_REGION)]
    return sorted(lads["area_code"])


@per_frames
def missing_areas(measure: str, method: str, codes, frame: pd.DataFrame, scores: pd.DataFrame, names: dict[str, str], welsh: dict[str, str] | None = None) -> pd.DataFrame:
    """The areas among `codes` with no value in `frame`: area_code, area_name, reason (a score's stored
    missing_reason, e.g. 'a factor score is missing', where there is one), for the grey no-value layer."""
    shown = set(frame["area_code"])
    missing = [c for c in codes if c not in shown]
    why = {}
    if is_score(measure) and len(scores):
        rows = scores[(scores["factor"] == score_factor(measure)) & (scores["method"] == method) & scores["area_code"].isin(set(missing))]
        why = dict(zip(rows["area_code"], rows["missing_reason"].fillna("").astype(str)))
    return pd.DataFrame({
        "area_code": missing,
        "area_name": [area_label(c, names, welsh) for c in missing],
        "reason": [f"no value for this measure: {why[c]}" if why.get(c) else "no value for this measure" for c in missing],
    })


def union_bounds(bounds: dict[str, tuple[float, float, float, float]], codes) -> tuple[float, float, float, float]:
    """The lon/lat box around the areas `codes` (bounds: area_code -> (minx, miny, maxx, maxy))."""
    boxes = np.array([bounds[c] for c in codes], dtype=float)
    return (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max()))


def compact_text_columns(table: pd.DataFrame, max_share: float = 0.1) -> pd.DataFrame:
    """Text columns with few distinct values (a rank's set, the evidence, a note) as categories: sent to the browser as
    one dictionary of their values, not once per row (a third of the Map page's websocket bytes, as the same table)."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if (values.dtype == object or pd.api.types.is_string_dtype(values)) and values.nunique(dropna=True) <= max(1, max_share * len(values)):
            out[column] = values.astype("category")
    return out
