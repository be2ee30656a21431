"""ONS Health Index for England, underlying data: personal crime, low-level crime and noise complaint rates per LTLA (2021 codes), 2015-2021."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, check_codes, finish_tidy, read_csv_checked, to_number
from data_sources.fetching import fetch_source

INDICATORS_FILE = "england_health_index_indicators_ltla21_2015_2021.csv.gz"
OFFICIAL_URL = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/datasets/"
    "healthindexunderlyingdataengland/current/healthindexunderlyingdataenglandcanscreenfix.xlsx"
)
SHEET = "Table_2_Underlying_data"

SOURCE = Source(
    id="health_index",
    title="Health Index underlying data, England",
    publisher="Office for National Statistics (crime indicators from Home Office police recorded crime)",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/datasets/healthindexunderlyingdataengland",
    vintage="2015 to 2021 (2021 crime values repeat 2020)",
    geography="lower-tier local authority, England",
    code_vintage="LAD 2021",
    files=(
        RawFile(
            name=INDICATORS_FILE,
            url=OFFICIAL_URL,
            description="All 56 underlying indicators, long format (ltla21_code, year, indicator, value), 307 LTLAs x 7 years",
            official_format_note=(
                f"official xlsx, sheet '{SHEET}' (3 title rows); held as its columns Area code, Year, Indicator name, Value "
                "renamed ltla21_code, year, indicator, value (as humaniverse/healthyr kept them), gzipped CSV"
            ),
        ),
    ),
    caveats=(
        "Values are the raw indicator values, not Health Index scores. Personal crime and low-level crime are police "
        "recorded crime rates per 1,000 people (personal: violence, sexual offences, robbery, theft from the person; "
        "low-level: shoplifting and bicycle theft - see the ONS methods page). ONS carried 2020 forward to 2021 for these "
        "indicators, so 2021 is not a new observation; 2020 falls in the COVID period. Noise complaints is a rate per "
        "population as ONS publishes it. England only, 2021 LAD codes."
    ),
    directions=(
        PublisherDirection(
            "*_rate*",
            NOT_STATED,
            "raw underlying indicator values (personal and low-level crime per 1,000, noise complaints), not Health Index scores: "
            "the held file and PROVENANCE.md state no direction for them (ONS documents higher = better health for the index scores, which are not read)",
        ),
    ),
)

COLUMNS = ["ltla21_code", "year", "indicator", "value"]
# The cohesion-relevant indicators of the 56; the rest stay in the raw file for other uses.
INDICATORS = {
    "Personal crime": "personal_crime_rate_per_1000",
    "Low-level crime": "low_level_crime_rate_per_1000",
    "Noise complaints": "noise_complaints_rate",
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == INDICATORS_FILE:
        return read_indicators(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_indicators(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, COLUMNS, dtype_text=COLUMNS)
    missing = sorted(set(INDICATORS) - set(frame["indicator"]))
    if missing:
        raise SchemaError(f"{path}: column 'indicator' lacks {', '.join(repr(m) for m in missing)}")
    frame = frame[frame["indicator"].isin(list(INDICATORS))]
    check_codes(frame["ltla21_code"], path, "ltla21_code")
    not_year = ~frame["year"].str.fullmatch(r"20\d\d")
    if not_year.any():
        raise SchemaError(f"{path}: column 'year' has values that are not years, e.g. {frame.loc[not_year, 'year'].iloc[0]!r}")
    values = to_number(frame["value"], path, "value")
    # ONS publishes every LTLA and year for these indicators; a blank one means a damaged file.
    if values.isna().any():
        raise SchemaError(f"{path}: column 'value' is blank for {frame.loc[values.isna(), 'ltla21_code'].iloc[0]} (truncated file?)")
    tidy = pd.DataFrame(
        {
            "area_code": frame["ltla21_code"].values,
            "geography": "lad21",
            "measure": frame["indicator"].map(INDICATORS).values,
            "period": frame["year"].values,
            "value": values.values,
        }
    )
    return finish_tidy(tidy, path)


def convert_workbook(downloaded: Path, target: Path) -> None:
    """The underlying-data sheet's four columns, renamed as held, as gzipped CSV."""
    sheet = pd.read_excel(io.BytesIO(Path(downloaded).read_bytes()), sheet_name=SHEET, header=None, dtype=str)
    start = next((i for i, row in sheet.iterrows() if "Area code" in {str(c).strip() for c in row}), None)
    if start is None:
        raise SchemaError(f"{downloaded}: sheet {SHEET!r} has no header row with 'Area code'")
    table = sheet.iloc[start + 1 :].copy()
    table.columns = [str(c).strip() for c in sheet.iloc[start]]
    wanted = {"Area code": "ltla21_code", "Year": "year", "Indicator name": "indicator", "Value": "value"}
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise SchemaError(f"{downloaded}: sheet {SHEET!r} lacks column(s) {', '.join(missing)}")
    table = table[list(wanted)].rename(columns=wanted).dropna(subset=["ltla21_code"])
    table["year"] = table["year"].str.replace(r"\.0$", "", regex=True)
    table.to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session, converters={INDICATORS_FILE: convert_workbook})
