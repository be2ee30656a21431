"""ONS Crime Severity Score (experimental) per LAD 2023, England and Wales, April 2022 to March 2023 (CSP values mapped to LADs by humaniverse/healthyr)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, check_codes, finish_tidy, read_csv_checked, to_number
from data_sources.fetching import fetch_source

ENGLAND_FILE = "england_crime_severity_ltla23.csv"
WALES_FILE = "wales_crime_severity_ltla23.csv"
OFFICIAL_XLS = "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/crimeandjustice/datasets/crimeseverityscoreexperimentalstatistics/current/datatool.xls"
DERIVED_BY = (
    "Derived by humaniverse/healthyr (commit ed2003e, script data-raw/england-wales-crime-severity.R), not an ONS layout: "
    "the 'Total recorded crime' row of each CSP, column Apr '22 to Mar '23, joined to LADs with the ONS LAD23_CSP23_PFA23 "
    "lookup; CSP codes dropped"
)

SOURCE = Source(
    id="crime_severity",
    title="Crime Severity Score (Experimental Statistics)",
    publisher="Office for National Statistics (source data: Home Office police recorded crime)",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/crimeseverityscoreexperimentalstatistics",
    vintage="April 2022 to March 2023",
    geography="Community Safety Partnership values placed on local authority districts, England and Wales",
    code_vintage="LAD 2023",
    # The held files join the official workbook to a CSP->LAD lookup we do not hold, so fetch() cannot rebuild them.
    files=(
        RawFile(name=ENGLAND_FILE, url="", description=f"England, 300 rows for 293 LAD23 codes. {DERIVED_BY}", official_format_note=f"official workbook {OFFICIAL_XLS}, sheet 'Data - csp'"),
        RawFile(name=WALES_FILE, url="", description=f"Wales, 22 LAD23 codes. {DERIVED_BY}", official_format_note=f"official workbook {OFFICIAL_XLS}, sheet 'Data - csp'"),
    ),
    caveats=(
        "Experimental statistics: recorded crime weighted by sentencing severity, per 1,000 residents; measures harm, not "
        "counts. Values are per CSP: where one LAD23 had several CSPs (Bournemouth, Christchurch and Poole; North "
        "Northamptonshire; Cumberland; Westmorland and Furness) only the lowest and highest CSP values are given. Not "
        "available (':') for City of London and Devon and Cornwall (data not supplied for the year)."
    ),
    directions=(
        PublisherDirection(
            "crime_severity_score*",
            NOT_STATED,
            "harm-weighted recorded crime per 1,000 residents (experimental statistics): neither the held files nor PROVENANCE.md state a direction",
        ),
    ),
)

PERIOD = "2022/23"
KEY = "ltla23_code"
VALUE = "crime_severity_score"
COUNTRY = {ENGLAND_FILE: "E", WALES_FILE: "W"}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name in COUNTRY:
        return read_scores(path, COUNTRY[path.name])
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_scores(path: Path, country: str) -> pd.DataFrame:
    frame = read_csv_checked(path, [KEY, VALUE], dtype_text=[KEY, VALUE])
    check_codes(frame[KEY], path, KEY)
    if not frame[KEY].str.startswith(country).all():
        raise SchemaError(f"{path}: column {KEY!r} has codes outside {'England' if country == 'E' else 'Wales'}")
    if (frame[VALUE] == "").any():
        raise SchemaError(f"{path}: column {VALUE!r} is blank for {frame.loc[frame[VALUE] == '', KEY].iloc[0]} (truncated file?)")
    frame["score"] = to_number(frame[VALUE], path, VALUE)  # ':' (not available) becomes missing
    rows = []
    for code, group in frame.groupby(KEY, sort=True):
        if len(group) == 1:
            rows.append((code, "crime_severity_score", group["score"].iloc[0]))
            continue
        # Several CSPs on one LAD: their per-1,000 scores cannot be combined without CSP populations, so give the range.
        complete = group["score"].notna().all()
        rows.append((code, "crime_severity_score_csp_min", group["score"].min() if complete else float("nan")))
        rows.append((code, "crime_severity_score_csp_max", group["score"].max() if complete else float("nan")))
    tidy = pd.DataFrame(rows, columns=["area_code", "measure", "value"]).assign(geography="lad23", period=PERIOD)
    return finish_tidy(tidy, path)


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
