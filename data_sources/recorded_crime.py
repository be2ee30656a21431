"""Police recorded crime by Community Safety Partnership and police force area (ONS Table C2), counts by offence group, year ending June 2025."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from data_sources.base import (
    NOT_STATED,
    OGL_V3,
    PublisherDirection,
    RawFile,
    SchemaError,
    Source,
    check_codes,
    finish_tidy,
    read_csv_checked,
    require_columns,
    to_number,
    trimmed_columns,
)
from data_sources.fetching import fetch_source

TABLE_FILE = "policeforceareatablesyejune25_tableC2_csp.csv"
OFFICIAL_URL = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/crimeandjustice/datasets/policeforceareadatatables/"
    "yearendingjune2025/policeforceareatablesyejune25final.xlsx"
)

SOURCE = Source(
    id="recorded_crime",
    title="Crime in England and Wales: Police Force Area data tables, Table C2 (headline offences by Community Safety Partnership)",
    publisher="Office for National Statistics (source data: Home Office police recorded crime)",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/policeforceareadatatables",
    vintage="Year ending June 2025 (July 2024 to June 2025)",
    geography="Community Safety Partnership; police force area",
    code_vintage="CSP 2024 codes (E22/W14, identical to the ONS LAD24-CSP24-PFA24 lookup); PFA codes (E23/W15)",
    files=(
        RawFile(
            name=TABLE_FILE,
            url=OFFICIAL_URL,
            description="Table C2: counts of police recorded crime by offence group for 43 forces and 314 CSPs (with their LA codes), E&W",
            official_format_note=(
                "official xlsx workbook (policeforceareatablesyejune25final.xlsx), sheet 'Table C2' with 7 title lines; held as that "
                "sheet in CSV. The URL follows the path pattern of earlier editions and was not checked online"
            ),
        ),
    ),
    caveats=(
        "Counts, not rates: the table has no rates per 1,000, so divide by a population. Fraud is excluded from the total. "
        "Recording practice differs between forces. Racially or religiously aggravated offences sit inside the violence, "
        "harassment, criminal damage and public order groups and cannot be separated here. Some CSPs cover two or more LAs "
        "('Combined Local Authorities') and some LAs have two or more CSPs; offences not allocated to a CSP ('Unassigned', "
        "'Manchester Airport') are in force totals only."
    ),
    directions=(
        PublisherDirection(
            "crimes_*",
            NOT_STATED,
            "Table C2 counts of police recorded crime by offence group: counts (not rates, and recording practice differs between forces); ONS states no direction",
        ),
    ),
)

PERIOD = "YE Jun 2025"
PFA_CODE = "Police Force Area code"
CSP_CODE = "Community Safety Partnership code"
CSP_NAME = "Community Safety Partnership name"
LA_CODE = "Local Authority code"
OFFENCES = [
    "Total recorded crime (excluding fraud)",
    "Violence against the person",
    "Homicide",
    "Death or serious injury caused by illegal driving",
    "Violence with injury",
    "Violence without injury",
    "Stalking and harassment",
    "Sexual offences",
    "Robbery",
    "Theft offences",
    "Burglary",
    "Residential burglary",
    "Non-residential burglary",
    "Vehicle offences",
    "Theft from the person",
    "Bicycle theft",
    "Shoplifting",
    "All other theft offences",
    "Criminal damage and arson",
    "Drug offences",
    "Possession of weapons offences",
    "Public order offences",
    "Miscellaneous crimes against society",
]


def measure_name(column: str) -> str:
    return "crimes_" + re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_")


MEASURES = {column: measure_name(column) for column in OFFENCES}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == TABLE_FILE:
        return read_table(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def _squash(text: object) -> str:
    # Header cells carry line breaks ("Police Force\nArea code"); compare them as single-spaced text.
    return " ".join(str(text).split())


def load_table(path: Path) -> pd.DataFrame:
    """The table with single-spaced headers, found below however many title lines the sheet has."""
    path = Path(path)
    head = read_csv_checked(path, [], header=None, nrows=20)
    start = next((int(i) for i, row in head.iterrows() if PFA_CODE in {_squash(c) for c in row}), None)
    if start is None:
        raise SchemaError(f"{path}: missing column {PFA_CODE!r} (no header row with it in the first 20 rows)")
    frame = read_csv_checked(path, [], skiprows=start)
    frame.columns = trimmed_columns(_squash(c) for c in frame.columns)
    require_columns(frame, [PFA_CODE, CSP_CODE, CSP_NAME, LA_CODE, *OFFENCES], path)
    for column in (PFA_CODE, CSP_CODE, CSP_NAME, LA_CODE):
        frame[column] = frame[column].astype(str).str.strip()
    return frame


def _area_rows(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    blank_csp = frame[CSP_CODE] == ""
    # Named rows without a CSP code ("Unassigned <force>", "Manchester Airport") are offences not allocated to a CSP:
    # they have no area of their own and count only in their force's total, the row with neither CSP code nor name.
    no_csp = blank_csp & (frame[CSP_NAME] != "")
    rows = frame[~no_csp].copy()
    rows["area_code"] = rows[CSP_CODE].where(rows[CSP_CODE] != "", rows[PFA_CODE])
    rows["geography"] = ["pfa" if code == "" else "csp24" for code in rows[CSP_CODE]]
    check_codes(rows["area_code"], path, f"{CSP_CODE} / {PFA_CODE}")
    if not rows["area_code"].str[:3].isin(["E22", "W14", "E23", "W15"]).all():
        raise SchemaError(f"{path}: column {CSP_CODE!r} has codes that are not CSP or PFA codes")
    return rows


def read_table(path: Path) -> pd.DataFrame:
    path = Path(path)
    rows = _area_rows(load_table(path), path)
    parts = []
    for column, measure in MEASURES.items():
        cells = rows[column].astype(str).str.strip()
        if (cells == "").any():
            where = rows.loc[cells == "", "area_code"].iloc[0]
            raise SchemaError(f"{path}: column {column!r} is blank for {where} (truncated file?)")
        parts.append(
            pd.DataFrame(
                {
                    "area_code": rows["area_code"].values,
                    "geography": rows["geography"].values,
                    "measure": measure,
                    "period": PERIOD,
                    "value": to_number(cells, path, column).values,
                }
            )
        )
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def read_csp_lookup(path: Path) -> pd.DataFrame:
    """CSP -> force and local authority as the table gives them; la_code is empty where a CSP combines several LAs."""
    path = Path(path)
    rows = _area_rows(load_table(path), path)
    csp = rows[rows["geography"] == "csp24"]
    la = csp[LA_CODE].where(csp[LA_CODE].str.match(r"^[EW]\d{8}$"))
    return pd.DataFrame(
        {"csp_code": csp["area_code"].values, "csp_name": csp[CSP_NAME].values, "pfa_code": csp[PFA_CODE].values, "la_code": la.values}
    )


def table_sheet_to_csv(downloaded: Path, target: Path) -> None:
    """Sheet 'Table C2' of the official workbook, cell by cell, as CSV (the held layout)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(Path(downloaded).read_bytes()), read_only=True, data_only=True)
    try:
        names = [n for n in book.sheetnames if _squash(n).lower() == "table c2"]
        if not names:
            raise SchemaError(f"{downloaded}: workbook has no sheet 'Table C2' (sheets: {', '.join(book.sheetnames[:15])})")
        rows = [["" if v is None else (f"{v:.15g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)) for v in row]
                for row in book[names[0]].iter_rows(values_only=True)]
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            writer.writerow(row + [""] * (width - len(row)))


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session, converters={TABLE_FILE: table_sheet_to_csv})
