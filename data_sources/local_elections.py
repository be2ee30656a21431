"""Local election electorate and turnout by ward / county division (House of Commons Library), May 2021 to May 2024."""
from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, PublisherDirection, RawFile, SchemaError, Source, check_codes, finish_tidy, read_csv_checked, to_number
from data_sources.fetching import fetch_source

OPEN_PARLIAMENT_LICENCE = "Open Parliament Licence v3.0"
FILE_2021 = "local_elections_2021_wards_results.csv.gz"
FILE_2022 = "local_elections_2022_wards_results.csv.gz"
FILE_2023 = "local_elections_2023_ward_level.csv.gz"
FILE_2024 = "local_elections_2024_wards_results.csv.gz"

SOURCE = Source(
    id="local_elections",
    title="Local elections: results by ward and county division (2021-2024)",
    publisher="House of Commons Library (2024 data: Local Elections Handbook, The Elections Centre)",
    licence=OPEN_PARLIAMENT_LICENCE,
    licence_url="https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/",
    attribution="Local Elections Handbook / House of Commons Library",
    landing_page="https://commonslibrary.parliament.uk/",
    vintage="Ordinary local elections of 6 May 2021, 5 May 2022, 4 May 2023 and 2 May 2024",
    geography="electoral ward / county electoral division (wards with an election that year only)",
    code_vintage="wards and divisions as at each election (WD21/CED21, WD22, WD24); 2023 by council and ward name only",
    files=(
        RawFile(
            name=FILE_2021,
            url="https://commonslibrary.parliament.uk/content/uploads/2022/01/local-elections-handbook-2021.xlsx",
            description="2021: 3,863 rows (2,497 wards E05, 1,366 county divisions E58) in 227 English councils; electorate, turnout, vacancies, party votes",
            official_format_note=(
                "official xlsx workbook, sheet 'Wards-results', one title row above the header; held as that sheet in CSV, gzipped. "
                "The held copy came from the Library workbook 'local_elections_2021_results-2.xlsx'; the URL is the 2021 Handbook "
                "dataset link as cited by other projects and was not checked online"
            ),
        ),
        RawFile(
            name=FILE_2022,
            url="https://commonslibrary.parliament.uk/content/uploads/2023/02/local-elections-2022.xlsx",
            description="2022: 3,536 rows, wards E05 (2,845) and W05 (690) in 168 councils incl. all 22 Welsh councils; electorate, turnout, vacancies",
            official_format_note="official xlsx workbook, sheet 'Wards-results', one title row above the header; held as that sheet in CSV, gzipped",
        ),
        RawFile(
            name=FILE_2023,
            url="https://commonslibrary.parliament.uk/content/uploads/2024/01/LEH-Candidates-2023.xlsx",
            description=(
                "2023: 4,797 contested wards in 230 English councils, named by county, council and ward without codes; "
                "electorate, turnout, vacancies, party votes"
            ),
            official_format_note=(
                "official xlsx workbook (Local Elections Handbook 2023), sheet 'Ward_Level', header on the first row; held as "
                "that sheet in CSV, gzipped. The URL is the Library link for 'LEH-Candidates-2023.xlsx' as cited by other "
                "projects and was not checked online"
            ),
            # Rows carry names, not codes: indicators.ward_elections matches them to ward codes, so no tidy table here.
            tidy=False,
        ),
        RawFile(
            name=FILE_2024,
            url="https://commonslibrary.parliament.uk/content/uploads/2025/03/LEH-2024-results-HoC-version.xlsx",
            description="2024: 1,903 wards (E05) in 107 English councils; electorate, total votes, turnout, vacancies, election type",
            official_format_note="official xlsx workbook, sheet 'Wards results', one title row above the header; held as that sheet in CSV, gzipped",
        ),
    ),
    caveats=(
        "A ward appears only in years it had an election, and councils vote in different cycles (all-out, halves, thirds; "
        "counties every four years): compare like with like. The 2023 file names wards without codes: they are matched to "
        "December 2023 and May 2025 ward codes by council and normalised ward name (indicators.ward_elections), and each "
        "match says how it was made. Uncontested wards are absent from the 2023 file. "
        "Rows whose ward code the publisher gave to two different wards, and 2021 rows carrying codes of wards created "
        "in 2022, are left out. Ballots are not published: 'Total votes' sums candidates' votes, so it is not used."
    ),
    directions=(
        PublisherDirection("turnout_pct", NOT_STATED, "'Turnout (%)' as published: the House of Commons Library states no direction"),
        PublisherDirection("electorate", NOT_STATED, "registered electors: a count; the House of Commons Library states no direction"),
        PublisherDirection("vacancies", NOT_STATED, "seats contested: a count; the House of Commons Library states no direction"),
    ),
)

# year -> (code column, geography label by code prefix)
LAYOUTS = {
    FILE_2021: ("2021", "Ward/ED code", {"E05": "ward21", "E58": "ced21"}),
    FILE_2022: ("2022", "Ward code", {"E05": "ward22", "W05": "ward22"}),
    FILE_2024: ("2024", "Ward code", {"E05": "ward24"}),
}
MEASURES = {"Electorate": "electorate", "Turnout (%)": "turnout_pct", "Vacancies": "vacancies"}
LA_CODE = "Local authority code"
# Rows with these code cells are not wards: the 2022 sheet ends with a county totals row coded "NA".
NOT_A_WARD = frozenset({"", "NA"})
# The 2021 sheet gives these rows the codes of wards created at the 2022 reviews (Bury, Gosport, Reading, St Albans,
# St Helens); the 2021 votes were on the old wards, so the figures belong to no ward with these codes (checked
# against the ONS Ward to LAD December 2021 lookup, where all other 2,486 ward codes of 2021 are found).
CODES_NOT_IN_FORCE = {
    "2021": frozenset(
        {
            "E05013874", "E05013955", "E05013963", "E05014120", "E05014136", "E05014147",
            "E05014148", "E05014152", "E05014156", "E05014159", "E05014163",
        }
    )
}


# The 2023 sheet: held header -> column here. Its rows are named, not coded.
COLUMNS_2023 = {
    "COUNTYNAME": "county_name",
    "DISTRICTNAME": "la_name",
    "WARDNAME": "ward_name",
    "TYPE": "la_type",
    "VACS": "vacancies",
    "ELECT": "electorate",
    "TURNOUT": "turnout_pct",
}
NAME_COLUMNS_2023 = ("DISTRICTNAME", "WARDNAME")


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name in LAYOUTS:
        return read_wards(path)
    if path.name == FILE_2023:
        return read_named_wards_2023(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def header_row(path: Path, marker: str) -> int:
    """Index of the header row: the Library sheets carry a title row above it, and converted sheets may carry more."""
    head = read_csv_checked(path, [], header=None, nrows=15)
    for index, row in head.iterrows():
        if marker in {str(cell).strip() for cell in row}:
            return int(index)
    raise SchemaError(f"{path}: missing column {marker!r} (no header row with it in the first 15 rows)")


def _ward_rows(path: Path) -> tuple[pd.DataFrame, str, str, dict[str, str]]:
    period, code_column, geographies = LAYOUTS[path.name]
    frame = read_csv_checked(path, [code_column, LA_CODE, *MEASURES], skiprows=header_row(path, code_column), dtype_text=[code_column, LA_CODE])
    frame = frame[~frame[code_column].isin(NOT_A_WARD)]
    check_codes(frame[code_column], path, code_column)
    unknown = sorted(set(frame[code_column].str[:3]) - set(geographies))
    if unknown:
        raise SchemaError(f"{path}: column {code_column!r} has codes of unexpected types {unknown}")
    frame = frame[~frame[code_column].isin(CODES_NOT_IN_FORCE.get(period, frozenset()))]
    # One code given to two different wards: neither row can be attributed, so both are left out.
    frame = frame[~frame[code_column].duplicated(keep=False)]
    return frame, period, code_column, geographies


def read_wards(path: Path) -> pd.DataFrame:
    frame, period, code_column, geographies = _ward_rows(path)
    codes = frame[code_column]
    parts = []
    for column, measure in MEASURES.items():
        parts.append(
            pd.DataFrame(
                {
                    "area_code": codes.values,
                    "geography": codes.str[:3].map(geographies).values,
                    "measure": measure,
                    "period": period,
                    "value": to_number(frame[column], path, column).values,
                }
            )
        )
    tidy = pd.concat(parts, ignore_index=True)
    # Every ward with an election has a registered electorate; a blank one means a cut or reshaped file.
    blank = tidy[(tidy["measure"] == "electorate") & tidy["value"].isna()]
    if not blank.empty:
        raise SchemaError(f"{path}: column 'Electorate' is blank for {blank['area_code'].iloc[0]} (truncated file?)")
    turnout = tidy.loc[tidy["measure"] == "turnout_pct", "value"]
    if (turnout > 100).any() or (turnout < 0).any():
        raise SchemaError(f"{path}: column 'Turnout (%)' has values outside 0-100")
    return finish_tidy(tidy, path)


def read_named_wards_2023(path: Path) -> pd.DataFrame:
    """The 2023 wards as the Library names them: county_name, la_name, ward_name, la_type, vacancies, electorate,
    turnout_pct and period "2023", one row per contested ward in file order (uncontested wards are not in the file)."""
    path = Path(path)
    frame = read_csv_checked(path, list(COLUMNS_2023), skiprows=header_row(path, "WARDNAME"), dtype_text=list(COLUMNS_2023))
    cells = frame[list(COLUMNS_2023)]
    # Spreadsheet exports can end with rows of empty cells; those are layout, not wards.
    frame = frame[(cells != "").any(axis=1)]
    for column in NAME_COLUMNS_2023:
        blank = frame[column] == ""
        if blank.any():
            raise SchemaError(f"{path}: column {column!r} is blank on a row with results (row {int(blank.idxmax()) + 1} of the data)")
    out = pd.DataFrame(
        {
            "county_name": frame["COUNTYNAME"].values,
            "la_name": frame["DISTRICTNAME"].values,
            "ward_name": frame["WARDNAME"].values,
            "la_type": frame["TYPE"].where(frame["TYPE"] != "").values,
            "vacancies": to_number(frame["VACS"], path, "VACS").values,
            "electorate": to_number(frame["ELECT"], path, "ELECT").values,
            "turnout_pct": to_number(frame["TURNOUT"], path, "TURNOUT").values,
            "period": "2023",
        }
    )
    # Every contested ward has a registered electorate; a blank one means a cut or reshaped file.
    blank = out["electorate"].isna()
    if blank.any():
        first = out[blank].iloc[0]
        raise SchemaError(f"{path}: column 'ELECT' is blank for {first['la_name']} / {first['ward_name']} (truncated file?)")
    if (out["electorate"] < 0).any():
        raise SchemaError(f"{path}: column 'ELECT' has negative electorates")
    turnout = out["turnout_pct"]
    if (turnout > 100).any() or (turnout < 0).any():
        raise SchemaError(f"{path}: column 'TURNOUT' has values outside 0-100")
    # Two rows with one council and ward name cannot be told apart, so neither can be given to a ward.
    out = out[~out.duplicated(["la_name", "ward_name"], keep=False)]
    if out.empty:
        raise SchemaError(f"{path}: no ward rows left after the checks")
    return out.reset_index(drop=True)


def read_council_lookup(path: Path) -> pd.DataFrame:
    """Ward -> council codes and election type as the sheet gives them, for aggregating turnout to councils."""
    path = Path(path)
    if path.name not in LAYOUTS:
        raise SchemaError(f"{path}: not a file of source {SOURCE.id} with ward codes and council codes")
    frame, period, code_column, geographies = _ward_rows(path)
    blank = pd.Series("", index=frame.index, dtype="str")
    la_codes = frame[LA_CODE]
    county = frame["County code"].str.strip() if "County code" in frame.columns else blank
    kind_column = next((c for c in ("Election type", "Type") if c in frame.columns), None)
    kind = frame[kind_column].str.strip() if kind_column else blank
    return pd.DataFrame(
        {
            "area_code": frame[code_column].values,
            "geography": frame[code_column].str[:3].map(geographies).values,
            "period": period,
            "la_code": la_codes.where(la_codes.str.match(r"^[EW]\d{8}$")).values,
            "county_code": county.where(county.str.match(r"^E1\d{7}$")).values,
            "election_type": kind.where(kind != "").values,
        }
    ).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Converting the official workbooks to the held layout
# ---------------------------------------------------------------------------------------------

def _cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Turnout is stored as a fraction formatted as a percentage (0.435 shown as 43.5%); keep what is shown.
        if "%" in (cell.number_format or ""):
            return f"{value * 100:.10g}%"
        return f"{value:.15g}"
    return str(value)


def ward_sheet_to_csv(downloaded: Path, target: Path) -> None:
    """The workbook's ward results sheet, cell by cell, as gzipped CSV (what the held copies are)."""
    import openpyxl

    # A file object, not the path: the download's temporary name has no .xlsx suffix, which openpyxl refuses.
    book = openpyxl.load_workbook(io.BytesIO(Path(downloaded).read_bytes()), read_only=True, data_only=True)
    try:
        names = [n for n in book.sheetnames if re.search(r"ward", n, re.I) and re.search(r"result|level", n, re.I)]
        if not names:
            raise SchemaError(f"{downloaded}: workbook has no ward results sheet (sheets: {', '.join(book.sheetnames)})")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        width = 0
        rows = []
        for row in book[names[0]].iter_rows():
            cells = [_cell_text(cell) for cell in row]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
            width = max(width, len(cells))
        for cells in rows:
            writer.writerow(cells + [""] * (width - len(cells)))
    finally:
        book.close()
    with gzip.GzipFile(target, mode="wb", mtime=0) as out:
        out.write(buffer.getvalue().encode("utf-8"))


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session, converters={name: ward_sheet_to_csv for name in (*LAYOUTS, FILE_2023)})
