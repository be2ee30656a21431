"""ONS lookups for parents that some statistics are published on (counties, community safety partnerships, police
force areas) and for following wards from one vintage to another (December 2023 ward names, best-fit LSOA lookups)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import OGL_V3, RawFile, SchemaError, Source, check_codes, read_csv_checked
from data_sources.fetching import fetch_source

LAD_CSP_PFA = "lad24_csp24_pfa24_ew.csv"
LAD_UTLA = "lad23_utla23_ew.csv"
WARD23_LAD23 = "Ward_to_Local_Authority_District_(December_2023)_Lookup_in_the_United_Kingdom.csv"
LSOA21_WARD24 = "lsoa21_ward24_lad24_bestfit_ew.csv.gz"
LSOA11_WARD17 = "lsoa11_ward17_ew.csv.gz"

SOURCE = Source(
    id="ons_lookups",
    title="ONS lookups: LAD to upper-tier authority, community safety partnership and police force area; ward vintages",
    publisher="Office for National Statistics (Open Geography Portal)",
    licence=OGL_V3,
    landing_page="https://geoportal.statistics.gov.uk/",
    published="2024-12",
    vintage="LAD23 -> UTLA23; LAD24 -> CSP24 -> PFA24; WD23 -> LAD23 (December 2023); LSOA21 -> WD24; LSOA11 -> WD17",
    geography="LAD, UTLA, CSP, PFA, ward, LSOA",
    code_vintage="LAD23, LAD24, WD23, WD24, WD17, LSOA21, LSOA11",
    files=(
        RawFile(
            name=LAD_CSP_PFA,
            method="arcgis",
            service="LAD24_CSP24_PFA24_EW_LU",
            description="Local authority district (2024) to community safety partnership to police force area",
            tidy=False,
        ),
        RawFile(
            name=LAD_UTLA,
            method="arcgis",
            service="LAD23_UTLA23_EW_LU",
            description="Lower-tier to upper-tier local authority (2023)",
            tidy=False,
        ),
        RawFile(
            name=WARD23_LAD23,
            method="arcgis",
            service="WD23_LAD23_UK_LU_DEC",
            description=(
                "Ward to local authority district (December 2023) in the UK: 8,441 ward codes with English and Welsh names, "
                "for naming the wards of the May 2023 local elections"
            ),
            official_format_note=(
                "held as the CSV download of the ONS dataset (copied byte for byte); the service name is the one other "
                "projects query for this lookup and was not checked online"
            ),
            tidy=False,
        ),
        RawFile(
            name=LSOA21_WARD24,
            method="arcgis",
            service="LSOA21_WD24_LAD24_EW_LU",
            description="LSOA (2021) to electoral ward (May 2024) to LAD (2024) best fit, England and Wales (35,672 LSOAs)",
            official_format_note="held with the columns renamed by the geographr package (LSOA21CD -> lsoa21_code ...); the reader accepts either naming",
            tidy=False,
        ),
        RawFile(
            name=LSOA11_WARD17,
            method="arcgis",
            service="LSOA11_WD17_EW_LU_c65dfe9ca2fa4b0fa578b65a4d5c9856",
            description="LSOA (2011) to electoral ward (December 2017) best fit, England and Wales (34,753 LSOAs)",
            official_format_note="held with the columns renamed by the geographr package (LSOA11CD -> lsoa11_code, WD17CD -> ward17_code), gzipped; the reader accepts either naming",
            tidy=False,
        ),
    ),
)

COLUMNS = {
    LAD_CSP_PFA: ["ltla24_code", "csp24_code", "pfa24_code", "pfa24_name"],
    LAD_UTLA: ["ltla23_code", "utla23_code", "utla23_name"],
    WARD23_LAD23: ["WD23CD", "WD23NM", "LAD23CD", "LAD23NM"],
    LSOA21_WARD24: ["lsoa21_code", "ward24_code", "ward24_name", "ltla24_code"],
    LSOA11_WARD17: ["lsoa11_code", "ward17_code"],
}
# A refresh from the ArcGIS service brings ONS field names; the held copies of these two use geographr's names.
OFFICIAL_NAMES = {
    LSOA21_WARD24: {"LSOA21CD": "lsoa21_code", "LSOA21NM": "lsoa21_name", "WD24CD": "ward24_code", "WD24NM": "ward24_name", "LAD24CD": "ltla24_code", "LAD24NM": "ltla24_name"},
    LSOA11_WARD17: {"LSOA11CD": "lsoa11_code", "WD17CD": "ward17_code"},
}
# Each of these lookups gives one row per small area or ward: a repeated key would make a ward's membership ambiguous.
UNIQUE_KEY = {WARD23_LAD23: "WD23CD", LSOA21_WARD24: "lsoa21_code", LSOA11_WARD17: "lsoa11_code"}


def is_code_column(column: str) -> bool:
    return column.endswith("_code") or column.endswith("CD")


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name not in COLUMNS:
        raise SchemaError(f"{path}: not a file of source {SOURCE.id}")
    frame = read_csv_checked(path, COLUMNS[path.name], rename=OFFICIAL_NAMES.get(path.name))
    for column in COLUMNS[path.name]:
        frame[column] = frame[column].str.strip()
        if is_code_column(column):
            check_codes(frame[column], path, column)
    key = UNIQUE_KEY.get(path.name)
    if key and frame[key].duplicated().any():
        raise SchemaError(f"{path}: column {key!r} repeats codes, e.g. {frame.loc[frame[key].duplicated(), key].iloc[0]!r}")
    return frame


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
