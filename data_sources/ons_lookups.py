"""ONS lookups for parents that some statistics are published on: counties (UTLA), community safety partnerships, police force areas."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import OGL_V3, RawFile, SchemaError, Source, check_codes, read_csv_checked
from data_sources.fetching import fetch_source
from data_sources.http import arcgis_query_url

LAD_CSP_PFA = "lad24_csp24_pfa24_ew.csv"
LAD_UTLA = "lad23_utla23_ew.csv"

SOURCE = Source(
    id="ons_lookups",
    title="ONS lookups: LAD to upper-tier authority, community safety partnership and police force area",
    publisher="Office for National Statistics (Open Geography Portal)",
    licence=OGL_V3,
    landing_page="https://geoportal.statistics.gov.uk/",
    published="2024-12",
    vintage="LAD23 -> UTLA23; LAD24 -> CSP24 -> PFA24",
    geography="LAD, UTLA, CSP, PFA",
    code_vintage="LAD23, LAD24",
    raw_folder="ons_geography_lookups",
    files=(
        RawFile(
            name=LAD_CSP_PFA,
            url=arcgis_query_url("LAD24_CSP24_PFA24_EW_LU"),
            method="arcgis",
            service="LAD24_CSP24_PFA24_EW_LU",
            description="Local authority district (2024) to community safety partnership to police force area",
            tidy=False,
        ),
        RawFile(
            name=LAD_UTLA,
            url=arcgis_query_url("LAD23_UTLA23_EW_LU"),
            method="arcgis",
            service="LAD23_UTLA23_EW_LU",
            description="Lower-tier to upper-tier local authority (2023)",
            tidy=False,
        ),
    ),
)

COLUMNS = {
    LAD_CSP_PFA: ["ltla24_code", "csp24_code", "pfa24_code", "pfa24_name"],
    LAD_UTLA: ["ltla23_code", "utla23_code", "utla23_name"],
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name not in COLUMNS:
        raise SchemaError(f"{path}: not a file of source {SOURCE.id}")
    frame = read_csv_checked(path, COLUMNS[path.name])
    for column in COLUMNS[path.name]:
        if column.endswith("_code"):
            frame[column] = frame[column].str.strip()
            check_codes(frame[column], path, column)
    return frame


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
