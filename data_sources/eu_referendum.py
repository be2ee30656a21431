"""EU referendum 2016 (Electoral Commission): turnout, electorate and votes cast per counting area (LAD 2016), England and Wales."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, read_csv_checked, tidy_from_wide
from data_sources.fetching import fetch_source

RESULTS_FILE = "EU-referendum-result-data.csv"

SOURCE = Source(
    id="eu_referendum",
    title="EU referendum results and electorate and count information",
    publisher="The Electoral Commission",
    licence=OGL_V3,
    landing_page="https://www.electoralcommission.org.uk/who-we-are-and-what-we-do/elections-and-referendums/past-elections-and-referendums/eu-referendum/results-and-turnout-eu-referendum",
    published="2016-06-24",
    vintage="Referendum of 23 June 2016",
    geography="counting area (= local authority district), England and Wales",
    code_vintage="LAD 2016",
    files=(
        RawFile(
            name=RESULTS_FILE,
            url="http://www.electoralcommission.org.uk/__data/assets/file/0014/212135/EU-referendum-result-data.csv",
            description="Result, electorate, ballots and turnout per counting area (382 rows: GB LADs, Northern Ireland, Gibraltar); CR line endings",
        ),
    ),
    caveats=(
        "One-off national vote on a single date. Only participation is used: turnout, electorate and votes cast. "
        "Counting areas are 2016 LADs; harmonise to current LADs by summing electorate and ballots, then recomputing turnout."
    ),
    directions=(
        PublisherDirection("pct_turnout", NOT_STATED, "turnout as a % of the electorate, as published: the Electoral Commission states no direction"),
        PublisherDirection("electorate", NOT_STATED, "registered electors: a count; the Electoral Commission states no direction"),
        PublisherDirection("votes_cast", NOT_STATED, "votes cast: a count; the Electoral Commission states no direction"),
        PublisherDirection("verified_ballot_papers", NOT_STATED, "verified ballot papers: a count; the Electoral Commission states no direction"),
    ),
)

PERIOD = "2016"
KEY = "Area_Code"
# Participation only. Leave/Remain shares are deliberately not emitted: how an area voted is not an indicator of
# its values, tolerance or cohesion, and scoring it would put a political choice on a good/bad scale.
MEASURES = {
    "Pct_Turnout": "pct_turnout",
    "Electorate": "electorate",
    "Votes_Cast": "votes_cast",
    "VerifiedBallotPapers": "verified_ballot_papers",
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == RESULTS_FILE:
        return read_results(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_results(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, [KEY, *MEASURES], dtype_text=[KEY])
    # Scotland (S), Northern Ireland (N) and Gibraltar ("GI") are outside the atlas; anything else must be a GSS code.
    frame = frame[frame[KEY].str[:1].isin(["E", "W"])]
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales counting areas in column {KEY!r}")
    tidy = tidy_from_wide(frame, code_column=KEY, geography="lad16", period=PERIOD, measures=MEASURES, path=path)
    # Every counting area declared a full result, so a blank cell means the file was cut short or reshaped.
    blank = tidy[tidy["value"].isna()]
    if not blank.empty:
        row = blank.iloc[0]
        raise SchemaError(f"{path}: blank {row['measure']!r} for {row['area_code']} (truncated file?)")
    return tidy


def fetch(dest: Path, session=None) -> Path:
    # The Commission's CSV is held byte for byte (CR endings included), so no converter.
    return fetch_source(SOURCE, Path(dest), read, session=session)
