"""ONS mid-year population estimates: totals and broad age bands per LAD (mid-2019 on LAD19, mid-2020 on LAD21) and per ward (mid-2020, WD20)."""
from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, check_codes, finish_tidy, read_csv_checked, to_number
from data_sources.fetching import fetch_source

MYE2019_FILE = "mye2_persons_mid2019_ltla19.csv"
MYE2020_FILE = "mye2_persons_mid2020_ltla21.csv"
SAPE_FILE = "sape23dt8a_mid2020_ward20_persons_sya.csv.gz"
_ONS_MYE = "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland/"
MYE_SHEET = "MYE2 - Persons"
SAPE_SHEET = "Mid-2020 Persons"

SOURCE = Source(
    id="population_estimates",
    title="Population estimates: mid-2019 and mid-2020 by local authority (MYE2), mid-2020 by ward (SAPE23DT8a)",
    publisher="Office for National Statistics",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
    vintage="Mid-2019 and mid-2020 (pre-Census 2021 rebasing)",
    geography="local authority district; electoral ward (England and Wales)",
    code_vintage="LAD 2019 (mid-2019); LAD 2021 (mid-2020); ward 2020 on 2021 LAs (ward file)",
    files=(
        RawFile(
            name=MYE2019_FILE,
            url=_ONS_MYE + "mid2019april2019localauthoritydistrictcodes/ukmidyearestimates20192019ladcodes.xls",
            description="MYE2 persons mid-2019 by single year of age, 339 E&W LADs on April 2019 codes",
            official_format_note=(
                f"official xls, sheet '{MYE_SHEET}' (4 title rows; UK, countries, regions, counties and LADs); held as E&W LAD rows "
                "with Code/Name/All ages renamed ltla19_code/ltla19_name/total_population (as humaniverse/demographr kept them)"
            ),
        ),
        RawFile(
            name=MYE2020_FILE,
            url=_ONS_MYE + "mid2020/ukpopestimatesmid2020on2021geography.xls",
            description="MYE2 persons mid-2020 by single year of age, 331 E&W LADs on 2021 codes",
            official_format_note=f"official xls, sheet '{MYE_SHEET}'; held as E&W LAD rows with ltla21_code/ltla21_name/total_population headers",
        ),
        RawFile(
            name=SAPE_FILE,
            url=(
                "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/"
                "wardlevelmidyearpopulationestimatesexperimental/mid2020sape23dt8a/sape23dt8amid2020ward2020on2021lasyoaestimatesunformattedcorrection.xlsx"
            ),
            description="SAPE23DT8a persons mid-2020 by single year of age for 8,053 wards (2020 codes) on 2021 LAs, with footnotes",
            official_format_note=f"official xlsx (experimental statistics), sheet '{SAPE_SHEET}'; held as that sheet in CSV, gzipped",
        ),
    ),
    caveats=(
        "Older vintages estimated before Census 2021 rebasing; prefer Census 2021 or later estimates for current rates. "
        "Ward estimates are experimental; 18 sub-threshold City of London and Isles of Scilly wards are included in "
        "neighbouring wards. Median age is not published in these tables and is not derived here."
    ),
    directions=(
        PublisherDirection("population_*", NOT_STATED, "mid-year population estimates by age band: counts; ONS states no direction"),
    ),
)

AGES = [str(a) for a in range(90)] + ["90+"]
BANDS = {
    "population_0_15": [str(a) for a in range(16)],
    "population_16_64": [str(a) for a in range(16, 65)],
    "population_65_plus": [str(a) for a in range(65, 90)] + ["90+"],
}
MYE_LAYOUT = {MYE2019_FILE: ("ltla19_code", "lad19", "2019"), MYE2020_FILE: ("ltla21_code", "lad21", "2020")}
SAPE_KEY, SAPE_LA, SAPE_TOTAL = "Ward Code 1", "LA Code (2021 boundaries)", "All Ages"


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name in MYE_LAYOUT:
        key, geography, period = MYE_LAYOUT[path.name]
        frame = read_csv_checked(path, [key, "total_population", *AGES], dtype_text=[key])
        return bands_tidy(frame, key, "total_population", geography, period, path)
    if path.name == SAPE_FILE:
        return read_wards(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def bands_tidy(frame: pd.DataFrame, key: str, total: str, geography: str, period: str, path: Path) -> pd.DataFrame:
    frame = frame[frame[key].str[:1].isin(["E", "W"])]
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales codes in column {key!r}")
    check_codes(frame[key], path, key)
    ages = pd.DataFrame({age: to_number(frame[age], path, age) for age in AGES})
    totals = to_number(frame[total], path, total)
    if ages.isna().any().any() or totals.isna().any():
        code = frame[key][ages.isna().any(axis=1) | totals.isna()].iloc[0]
        raise SchemaError(f"{path}: blank population for {code} (truncated file?)")
    # The single years must add up to the published total; if not, columns have moved or the file is damaged.
    gap = (ages.sum(axis=1) - totals).abs()
    if (gap > 0.5).any():
        raise SchemaError(f"{path}: ages 0 to 90+ do not sum to column {total!r} for {frame[key][gap > 0.5].iloc[0]}")
    measures = {"population_total": totals, **{band: ages[columns].sum(axis=1) for band, columns in BANDS.items()}}
    parts = [
        pd.DataFrame({"area_code": frame[key].values, "geography": geography, "measure": name, "period": period, "value": values.values})
        for name, values in measures.items()
    ]
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def header_row(path: Path, marker: str) -> int:
    """Index of the header row below the sheet's title and blank lines."""
    head = read_csv_checked(path, [], header=None, nrows=15)
    for index, row in head.iterrows():
        if marker in {str(cell).strip() for cell in row}:
            return int(index)
    raise SchemaError(f"{path}: missing column {marker!r} (no header row with it in the first 15 rows)")


def read_wards(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, [SAPE_KEY, SAPE_LA, SAPE_TOTAL, *AGES], skiprows=header_row(path, SAPE_KEY), dtype_text=[SAPE_KEY, SAPE_LA])
    # The table ends at its first blank row; below it are footnotes (the sub-threshold wards), not wards.
    blank = (frame[SAPE_KEY] == "").to_numpy().nonzero()[0]
    if len(blank):
        frame = frame.iloc[: blank[0]]
    return bands_tidy(frame, SAPE_KEY, SAPE_TOTAL, "ward20", "2020", path)


# ---------------------------------------------------------------------------------------------
# Converting the official workbooks to the held layouts
# ---------------------------------------------------------------------------------------------

def _sheet(downloaded: Path, sheet: str) -> pd.DataFrame:
    # pandas picks the engine from the content: xlrd for the .xls MYE2 workbooks (needs the optional xlrd package), openpyxl for xlsx.
    return pd.read_excel(io.BytesIO(Path(downloaded).read_bytes()), sheet_name=sheet, header=None, dtype=str)


def _age_label(value: object) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def convert_mye2(downloaded: Path, target: Path, *, key: str, name: str) -> None:
    sheet = _sheet(downloaded, MYE_SHEET)
    start = next((i for i, row in sheet.iterrows() if {"Code", "All ages"} <= {str(c).strip() for c in row}), None)
    if start is None:
        raise SchemaError(f"{downloaded}: sheet {MYE_SHEET!r} has no header row with 'Code' and 'All ages'")
    table = sheet.iloc[start + 1 :].copy()
    table.columns = [_age_label(c) for c in sheet.iloc[start]]
    table = table.rename(columns={"Code": key, "Name": name, "All ages": "total_population", "90": "90+"})
    missing = [c for c in [key, name, "total_population", *AGES] if c not in table.columns]
    if missing:
        raise SchemaError(f"{downloaded}: sheet {MYE_SHEET!r} lacks column(s) {', '.join(missing[:5])}")
    # Keep the E&W lower-tier LADs only, as the held copy does (not the UK, countries, regions or counties).
    table = table[table[key].astype(str).str.match(r"^(E0[6-9]|W06)\d{6}$")]
    table[[key, name, "total_population", *AGES]].to_csv(target, index=False)


def convert_sape(downloaded: Path, target: Path) -> None:
    sheet = _sheet(downloaded, SAPE_SHEET)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in sheet.itertuples(index=False):
        writer.writerow(["" if pd.isna(v) else _age_label(v) if isinstance(v, str) and v.endswith(".0") else v for v in row])
    with gzip.GzipFile(target, mode="wb", mtime=0) as out:
        out.write(buffer.getvalue().encode("utf-8"))


def fetch(dest: Path, session=None) -> Path:
    converters = {
        MYE2019_FILE: lambda d, t: convert_mye2(d, t, key="ltla19_code", name="ltla19_name"),
        MYE2020_FILE: lambda d, t: convert_mye2(d, t, key="ltla21_code", name="ltla21_name"),
        SAPE_FILE: convert_sape,
    }
    return fetch_source(SOURCE, Path(dest), read, session=session, converters=converters)
