"""Census 2021 local-authority figures compiled by the ONS data visualisation team for its census quiz: passports held and national identity (LAD 2021)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, finish_tidy, read_csv_checked
from data_sources.census2021 import counts, england_wales
from data_sources.fetching import fetch_source
from vocabulary import ENGLAND_CODE, WALES_CODE

QUIZ = "census-quiz-data-2021-v9.csv"
COMMIT = "1d7d92645d686f3721f90cca05109ac59068431c"

SOURCE = Source(
    id="census2021_quiz",
    title="Census 2021 quiz data: selected local authority indicators (ONS 'How well do you know your area?')",
    publisher="Office for National Statistics (Data Visualisation team, ONSvisual)",
    licence=OGL_V3,
    landing_page="https://github.com/ONSvisual/census-quiz",
    published="2022-11-29",
    vintage="Census 2021 (census day 21 March 2021)",
    geography="Local authority district, England and Wales (331), plus England and Wales totals",
    code_vintage="LAD 2021",
    optional=True,
    optional_reason=(
        "No indicator or build step reads it (TS027 identity is summed from the OA tables of census2021); held as the "
        "LA-level check of those sums and for TS005 passports, which no official table held here has"
    ),
    files=(
        RawFile(
            name=QUIZ,
            url=f"https://raw.githubusercontent.com/ONSvisual/census-quiz/{COMMIT}/public/data/{QUIZ}",
            description="One row per LAD21 (+ England, Wales, England and Wales): ~130 Census 2021 figures incl. TS005 passports held and TS027 national identity",
        ),
    ),
    caveats=(
        "A visualisation team's working file, not a statistical release: column definitions are undocumented, percentages are "
        "rounded to 1 decimal and can differ from count / population_total by up to 0.2 pp (their denominators are not stated). The 'nationality_*' columns are national identity (TS027), not legal nationality: AnyUK = only UK "
        "identities, British/English/Welsh = that identity only (checked against OA sums of TS027). TS005 passports is held "
        "nowhere else. Use the official tables when online: https://www.nomisweb.co.uk/output/census/2021/census2021-ts005.zip."
    ),
    directions=(
        PublisherDirection("population", NOT_STATED, "usual residents: a count; the file and ONS state no direction"),
        PublisherDirection("no_passport*", NOT_STATED, "TS005 residents holding no passport, count and %: the file and ONS state no direction"),
        PublisherDirection("identity_*", NOT_STATED, "TS027 residents by national identity, counts and %: the file and ONS state no direction"),
    ),
)

# file column -> measure. Counts and the file's own percentages (0-100) are both kept: the percentages are the published ones.
MEASURES = {
    "population_total": "population",
    "no_passport_total": "no_passport",
    "no_passport_perc": "no_passport_pct",
    "nationality_AnyUK_total": "identity_uk_only",
    "nationality_AnyUK_perc": "identity_uk_only_pct",
    "nationality_British_total": "identity_british_only",
    "nationality_British_perc": "identity_british_only_pct",
    "nationality_English_total": "identity_english_only",
    "nationality_English_perc": "identity_english_only_pct",
    "nationality_Welsh_total": "identity_welsh_only",
    "nationality_Welsh_perc": "identity_welsh_only_pct",
}
COUNTRIES = {ENGLAND_CODE, WALES_CODE}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == QUIZ:
        return read_quiz(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_quiz(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, ["code", *MEASURES], require_final_newline=True)
    # K04000001 (England and Wales together) is dropped: England and Wales rows are kept as countries.
    frame = england_wales(frame, "code", path)
    geography = frame["code"].map(lambda code: "country" if code in COUNTRIES else "lad21")
    lads = frame["code"].str[:3].isin(["E06", "E07", "E08", "E09", "W06"])
    if not (lads | frame["code"].isin(COUNTRIES)).all():
        raise SchemaError(f"{path}: column 'code' has codes that are neither LADs nor England/Wales: {frame.loc[~lads, 'code'].head(3).tolist()}")
    parts = [
        pd.DataFrame({"area_code": frame["code"].values, "geography": geography.values, "measure": measure, "period": "2021", "value": counts(frame[column], path, column).values})
        for column, measure in MEASURES.items()
    ]
    tidy = pd.concat(parts, ignore_index=True)
    bad = tidy["measure"].str.endswith("_pct") & ~tidy["value"].between(0, 100)
    if bad.any():
        raise SchemaError(f"{path}: a percentage column is outside 0-100 (measure {tidy.loc[bad, 'measure'].iloc[0]!r})")
    return finish_tidy(tidy, path)


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
