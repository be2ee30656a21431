"""Measures and labels: which measures a page offers, their names, and values, periods and ranks formatted for reading."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard.frame_memo import per_frames
from vocabulary import COUNTRY_NAMES, FACTORS

SCORE_MEASURES = {"composite": "Composite of the five factors", **{f"factor_{n}": f"Factor {n}: {name}" for n, name in FACTORS.items()}}


def is_score(measure: str) -> bool:
    return measure in SCORE_MEASURES


def score_factor(measure: str) -> str:
    """'factor_3' -> '3', 'composite' -> 'composite' (the factor_scores.factor key)."""
    return measure.removeprefix("factor_")


def scored_factors(scores: pd.DataFrame) -> list[str]:
    """The factor keys ('1'..'5', 'composite') with at least one score in these rows, in display order."""
    held = set(scores.loc[scores["score"].notna(), "factor"]) if len(scores) else set()
    return [score_factor(m) for m in SCORE_MEASURES if score_factor(m) in held]


def measure_options(
    catalogue: pd.DataFrame, level: str, *, with_scores: bool = True, available: set[str] | None = None, score_keys: list[str] | None = None
) -> list[str]:
    """Scores first, then indicators ordered by factor (context last), keeping only those published at the level.
    score_keys: the factor keys ('1'..'5', 'composite') with scores at the level, read from the data (Atlas.score_keys);
    every score is offered when it is not given, so callers at ward level, where only some factors are scored, give it."""
    rows = catalogue[catalogue["levels"].str.contains(level, regex=False)].copy()
    if available is not None:
        rows = rows[rows["indicator_id"].isin(available)]
    rows["order"] = rows["factor"].replace(0, 9)
    ids = rows.sort_values(["order", "indicator_id"], kind="stable")["indicator_id"].tolist()
    if not with_scores:
        scores = []
    else:
        scores = [m for m in SCORE_MEASURES if score_keys is None or score_factor(m) in score_keys]
    return scores + ids


def and_join(items) -> str:
    """'1', '1 and 3', '1, 3 and 4'."""
    items = [str(i) for i in items]
    return " and ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} and {items[-1]}"


def measure_label(measure: str, catalogue: pd.DataFrame, level: str = "lad", ward_factors: list[str] | None = None) -> str:
    if measure == "composite" and level == "ward":
        numbers = [f for f in (ward_factors or []) if f != "composite"]
        return f"Composite of factors {and_join(numbers)} (the factors with ward data)" if numbers else "Composite of the factors with ward data"
    if measure in SCORE_MEASURES:
        return SCORE_MEASURES[measure]
    row = catalogue_row(catalogue, measure)
    if row is None:
        return measure
    prefix = f"F{row['factor']}" if row["factor"] else "Context"
    return f"{prefix} · {row['title']}"


def catalogue_row(catalogue: pd.DataFrame, indicator_id: str) -> dict | None:
    row = _catalogue_index(catalogue).get(indicator_id)
    return dict(row) if row is not None else None


@per_frames
def _catalogue_index(catalogue: pd.DataFrame) -> dict[str, dict]:
    # Each label and source line asks for one row: filtering the catalogue per option took a quarter of a page's rerun.
    rows = [catalogue.iloc[i].to_dict() for i in range(len(catalogue))]
    return {row["indicator_id"]: row for row in reversed(rows)}  # the first row of an id wins, as a filter's iloc[0] did


def sort_periods(periods) -> list[str]:
    """Chronological order for labels like '2019', '2023/24', 'YE Jun 2025', '2018-2020'."""
    def key(p: str):
        years = re.findall(r"\d{4}", p)
        return (int(years[0]) if years else 0, p)

    return sorted({str(p) for p in periods}, key=key)


def area_label(code: str, names: dict[str, str], welsh: dict[str, str] | None = None) -> str:
    name = names.get(code, code)
    cy = (welsh or {}).get(code)
    return f"{name} / {cy}" if cy and cy != name else name


# Decimals by unit, first matching prefix wins: a share of residents reads as "53.0 %", weekly pay as "£539.90",
# an index 0-1 keeps three places because its whole range lies within one. Publishers round these units the same way.
UNIT_DECIMALS = (
    ("%", 1),
    ("£ per week", 2),
    ("£", 0),
    ("crimes per", 1), ("offences per", 1), ("per 1,000", 1),
    ("group", 0),
    ("index 0-100", 1),  # before "index 0-1", which is its prefix
    ("index 0-1", 3), ("proportion", 3),
    ("residents per km²", 0),
    ("mean score", 2), ("ratio", 2), ("log10", 2),
    ("score (", 2), ("score", 1),
)
DEFAULT_DECIMALS = 2  # a unit no rule names, and scores of the five factors


def decimals_for(unit: str) -> int:
    unit = unit or ""
    return next((d for prefix, d in UNIT_DECIMALS if unit.startswith(prefix)), DEFAULT_DECIMALS)


def fmt_value(value: float, unit: str = "", *, missing: str = "no value") -> str:
    """A value as its unit is read: '53.0', '£539.90', '£18,846', '0.535' (the unit's own words come from unit_suffix);
    `missing` where there is none (a table cell takes '–')."""
    if value is None or not np.isfinite(value):
        return missing
    text = f"{value:,.{decimals_for(unit)}f}"
    if (unit or "").startswith("£"):
        return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"
    return text


def number_format(unit: str) -> str:
    """A printf format for a numeric table column holding one unit (st.column_config.NumberColumn)."""
    return f"%.{decimals_for(unit)}f"


def unit_suffix(unit: str) -> str:
    return "" if unit.startswith("£") else f" {unit}".rstrip()


def rank_text(rank, low, high, n: int, *, compact: bool = False) -> str:
    if rank is None or not np.isfinite(rank):
        return "not ranked"
    band = ""
    if low is not None and high is not None and np.isfinite(low) and np.isfinite(high):
        band = f" ({int(low):,}–{int(high):,})" if compact else f" (band {int(low):,}–{int(high):,})"
    return f"{int(rank):,}/{int(n):,}{band}" if compact else f"{int(rank):,} of {int(n):,}{band}"


FIFTHS = {1: "best fifth", 2: "second fifth", 3: "middle fifth", 4: "fourth fifth", 5: "worst fifth"}
CONTEXT_FIFTHS = {1: "highest fifth", 2: "second fifth", 3: "middle fifth", 4: "fourth fifth", 5: "lowest fifth"}


def position_text(rank, n, fifth, polarity: str, *, compact: bool = False) -> str:
    """A value's place among its country's areas, e.g. '96 of 762 · best fifth' ('96/762 · best fifth' compact, for a
    narrow column); context measures are placed highest first and say so. Where no interval allows a test, this is
    what the pages give instead: a position, not a test."""
    if rank is None or not np.isfinite(rank) or not n:
        return "not placed"
    words = CONTEXT_FIFTHS if polarity == "context" else FIFTHS
    if compact:
        return f"{int(rank)}/{int(n)} · {words[int(fifth)]}"
    return f"{int(rank)} of {int(n)}{' (highest first)' if polarity == 'context' else ''} · {words[int(fifth)]}"


def position_note(country: str, areas: str = "wards") -> str:
    """What the position column means, for the wards or the LAs ('LAs') of one country."""
    return (
        f"Position: the rank among the {areas} of {COUNTRY_NAMES.get(country, country)} holding a value (1 = best; for context "
        "measures 1 = highest) and the fifth of them it falls in. A position, not a significance test."
    )


def sentence_start(label: str) -> str:
    """A label opening a sentence: its first letter capitalised, the rest as written ('ONS similar areas' stays)."""
    return label[:1].upper() + label[1:]


def mid_sentence(label: str) -> str:
    """A label inside a sentence: lower-cased first letter, unless its first word is an acronym ('ONS similar areas')."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]
