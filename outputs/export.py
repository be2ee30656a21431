"""Exports for researchers: the long indicator table and factor scores as CSV and parquet, with a metric dictionary."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from scoring.scores import SMALL_POPULATION

# OWASP CSV injection: a cell starting with one of these can run as a formula in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Counts and ranks are whole numbers stored as float64 wherever one can be missing; exports write them as nullable
# integers (177, not 177.0). numerator and denominator are counts for most indicators but not all (a turnout's voters
# are estimated from an apportioned electorate, a density's denominator is an area), so a count column becomes an
# integer only when every value in it is whole; the CSV still writes the whole ones without ".0" (CSV_FLOAT_FORMAT).
COUNT_COLUMNS = ("rank", "rank_low", "rank_high", "n_areas", "n_indicators", "n_small_areas", "numerator", "denominator")

# Every other float is written to 15 significant digits (sys.float_info.dig): any decimal of up to 15 digits survives
# the trip through a binary double unchanged, so every published figure comes back digit for digit (the WIMD and IMD
# score tables give 15; the crime severity score prints 17, the last two beyond what a double carries faithfully),
# while arithmetic's artefacts (62.400000000000006) sit in the 16th and 17th digits and go. A fixed number of decimals
# would not do: it cuts digits off small published values and leaves the artefacts of large ones.
SIGNIFICANT_DIGITS = sys.float_info.dig
CSV_FLOAT_FORMAT = f"%.{SIGNIFICANT_DIGITS}g"
# Scores are computed, never published, and sit within about ±10 (robust_z) or about 0-100 (exponential): 12 decimals is
# far beyond what they mean, and it clears the residue of an exact zero (-1.6e-16 for an area at the median).
COMPUTED_DECIMALS = {"score": 12}

COLUMN_DICTIONARY = {
    "indicator_values": {
        "area_code": "ONS GSS code of a May 2025 LAD or ward",
        "level": "lad or ward",
        "indicator_id": "Indicator id (see metric_dictionary.csv)",
        "period": "Period the value refers to, as published (e.g. 2021, 2023/24)",
        "value": "The indicator value, in the unit given in the metric dictionary",
        "numerator": "Count the value was computed from, where it is a share or rate",
        "denominator": "Denominator count, where the value is a share or rate",
        "lower_ci": "Lower 95% confidence limit, where the publisher gives one",
        "upper_ci": "Upper 95% confidence limit, where the publisher gives one",
        "derivation": "How the value reached the 2025 geography (direct, recoded, aggregated by oa_centroid or lsoa_best_fit, inherited_county/csp/pfa/smc_area, apportioned)",
        "n_small_areas": "Wards only: how many output areas (OA-based values) or best-fit LSOAs (LSOA-based values) the value was summed from; empty for results published for the ward itself",
        "best_fit_share": "Wards only, LSOA-based values: share (0-1) of the residents of the ward's best-fit LSOAs who live in the ward; under 0.5 the value mostly describes neighbouring wards",
    },
    "factor_scores": {
        "area_code": "ONS GSS code of a May 2025 LAD or ward",
        "level": "lad or ward",
        "scope": "ew_common: all LAs of England and Wales ranked together on indicators published for both; country: each country ranked within itself on all of its own indicators",
        "factor": "1-5 (integration factor) or composite",
        "period": "latest: each indicator at its latest period",
        "method": "robust_z (re-standardised mean of winsorised robust z-scores) or exponential (IMD-style transform, 0-100)",
        "score": "Factor score; higher is better under both methods",
        "rank": "Rank among the areas ranked together in this scope (1 = best)",
        "rank_low": "5th percentile rank over draws of the weights and of published confidence intervals, and leave-one-out",
        "rank_high": "95th percentile rank over the same draws (never beyond n_areas)",
        "n_areas": "Number of areas ranked together in this scope and level",
        "n_indicators": "Number of indicators with a value behind the score",
        "period_oldest": "Oldest period among the indicators behind the score",
        "period_newest": "Newest period among the indicators behind the score",
        "proxy_share": "Share (0-1) of the score's indicator weight that is a conceptual proxy",
        "inherited_share": "Share (0-1) of the score's indicator weight inherited from a county, community safety partnership, police force area or SMC area",
        "small_population": f"True for LAs with fewer than {SMALL_POPULATION:,} residents (City of London, Isles of Scilly): rates and survey estimates are unstable",
        "missing_reason": "Why a score is missing (or, for a ward, that the factor is shown as a single indicator)",
        "single_indicator": "Wards only: the one indicator shown under the factor's name where the factor rests on a single indicator; its rank is that indicator's rank, and there is no score",
    },
}


def neutralise_formulae(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column]):
            continue
        text = out[column]
        mask = text.notna() & text.astype(str).str.startswith(FORMULA_PREFIXES)
        if mask.any():
            out[column] = out[column].astype(object)
            out.loc[mask, column] = "'" + text[mask].astype(str)
    return out


def plain_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The numbers as an export writes them: counts and ranks as nullable integers, other floats without binary artefacts."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_float_dtype(out[column]):
            continue
        values = out[column].astype("float64")
        if column in COUNT_COLUMNS and (values.dropna() % 1 == 0).all():
            out[column] = values.astype("Int64")
            continue
        if column in COMPUTED_DECIMALS:
            values = values.round(COMPUTED_DECIMALS[column]) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0
        out[column] = values.map(f"{{:.{SIGNIFICANT_DIGITS}g}}".format).astype("float64")
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A frame of plain_numbers, formula-safe, in UTF-8 with a byte-order mark so Excel opens accents (Welsh names) correctly."""
    neutralise_formulae(frame).to_csv(path, index=False, encoding="utf-8-sig", float_format=CSV_FLOAT_FORMAT)


def safe_filename(name: str, default: str = "cohesion-atlas-export") -> str:
    """Letters, digits, dot, dash and underscore only; no leading dots; at most 80 characters."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", str(name)).strip(".-_")[:80]
    return cleaned or default


def metric_dictionary(processed_dir: Path) -> pd.DataFrame:
    catalogue = pd.read_parquet(Path(processed_dir) / "indicators.parquet")
    sources = pd.read_parquet(Path(processed_dir) / "sources.parquet").set_index("source_id")

    def cite(ids: str) -> str:
        return "; ".join(f"{sources.loc[i, 'publisher']}, {sources.loc[i, 'title']} ({sources.loc[i, 'licence']}, retrieved {sources.loc[i, 'retrieved']})" for i in ids.split(", ") if i in sources.index)

    catalogue = catalogue.copy()
    catalogue["sources_cited"] = catalogue["source_id"].map(cite)
    return catalogue


def export_tables(processed_dir: Path, out_dir: Path) -> list[Path]:
    processed_dir, out_dir = Path(processed_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("indicator_values", "factor_scores"):
        frame = plain_numbers(pd.read_parquet(processed_dir / f"{name}.parquet"))
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)
        write_csv(frame, out_dir / f"{name}.csv")
        written += [out_dir / f"{name}.parquet", out_dir / f"{name}.csv"]
    dictionary = metric_dictionary(processed_dir)
    write_csv(plain_numbers(dictionary), out_dir / "metric_dictionary.csv")
    columns = pd.DataFrame([{"table": t, "column": c, "meaning": m} for t, cols in COLUMN_DICTIONARY.items() for c, m in cols.items()])
    columns.to_csv(out_dir / "column_dictionary.csv", index=False, encoding="utf-8-sig")
    written += [out_dir / "metric_dictionary.csv", out_dir / "column_dictionary.csv"]
    return written
