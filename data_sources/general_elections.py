"""UK general elections 2019 and 2024 (House of Commons Library): electorate, valid and invalid votes and turnout per constituency, England and Wales."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, PublisherDirection, RawFile, SchemaError, Source, finish_tidy, read_csv_checked, tidy_from_wide
from data_sources.fetching import fetch_source

OPEN_PARLIAMENT_LICENCE = "Open Parliament Licence v3.0"
GE2019_FILE = "HoC-GE2019-results-by-constituency.csv"
GE2024_FILE = "HoC-GE2024-results-by-constituency.csv"

SOURCE = Source(
    id="general_elections",
    title="General election results by constituency (2019: CBP-8749; 2024: CBP-10009)",
    publisher="House of Commons Library",
    licence=OPEN_PARLIAMENT_LICENCE,
    licence_url="https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/",
    landing_page="https://commonslibrary.parliament.uk/research-briefings/cbp-10009/",
    vintage="General elections of 12 December 2019 and 4 July 2024",
    geography="Westminster parliamentary constituency, England and Wales",
    code_vintage="PCON 2010 boundaries (2019); PCON 2024 boundaries (2024)",
    files=(
        RawFile(
            name=GE2019_FILE,
            url="https://researchbriefings.files.parliament.uk/documents/CBP-8749/HoC-GE2019-results-by-constituency.csv",
            description="GE2019 results per constituency (650 rows, 2010 boundaries): electorate, valid and invalid votes, party votes",
        ),
        RawFile(
            name=GE2024_FILE,
            url="https://researchbriefings.files.parliament.uk/documents/CBP-10009/HoC-GE2024-results-by-constituency.csv",
            description="GE2024 results per constituency (650 rows, 2024 boundaries): electorate, valid and invalid votes, party votes; numbers with thousands separators",
        ),
    ),
    caveats=(
        "Constituencies are not local authorities and straddle their boundaries; 2019 and 2024 use different boundaries, "
        "so constituency turnout cannot be compared directly between the two years. turnout_pct = valid votes / electorate "
        "(the Library's definition). Party votes are not used."
    ),
    directions=(
        PublisherDirection("turnout_pct", NOT_STATED, "valid votes as a % of the electorate (the Library's definition): the House of Commons Library states no direction"),
        PublisherDirection("electorate", NOT_STATED, "registered electors: a count; the House of Commons Library states no direction"),
        PublisherDirection("*_votes", NOT_STATED, "valid and invalid votes: counts; the House of Commons Library states no direction"),
    ),
)

KEY = "ONS ID"
# Participation only: party columns are held in the file but are not integration indicators.
COUNTS = {"Electorate": "electorate", "Valid votes": "valid_votes", "Invalid votes": "invalid_votes"}
FILES = {GE2019_FILE: ("pcon10", "2019"), GE2024_FILE: ("pcon24", "2024")}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name in FILES:
        geography, period = FILES[path.name]
        return read_results(path, geography, period)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_results(path: Path, geography: str, period: str) -> pd.DataFrame:
    frame = read_csv_checked(path, [KEY, *COUNTS], dtype_text=[KEY])
    frame = frame[frame[KEY].str[:1].isin(["E", "W"])]
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales constituencies in column {KEY!r}")
    counts = tidy_from_wide(frame, code_column=KEY, geography=geography, period=period, measures=COUNTS, path=path)
    blank = counts[counts["value"].isna()]
    if not blank.empty:
        row = blank.iloc[0]
        raise SchemaError(f"{path}: blank {row['measure']!r} for {row['area_code']} (every seat declared a result; truncated file?)")
    wide = counts.pivot(index="area_code", columns="measure", values="value")
    if (wide["electorate"] <= 0).any():
        raise SchemaError(f"{path}: column 'Electorate' has zero or negative values")
    turnout = pd.DataFrame(
        {
            "area_code": wide.index,
            "geography": geography,
            "measure": "turnout_pct",
            "period": period,
            "value": (100 * wide["valid_votes"] / wide["electorate"]).values,
        }
    )
    return finish_tidy(pd.concat([counts, turnout], ignore_index=True), path)


def fetch(dest: Path, session=None) -> Path:
    # The Library's CSVs are held byte for byte, so no converter.
    return fetch_source(SOURCE, Path(dest), read, session=session)
