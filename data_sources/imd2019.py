"""English Indices of Deprivation 2019 (MHCLG): LAD19 summaries (File 10), LSOA11 ranks and deciles (Files 1, 2), population denominators (File 6) and underlying indicators (File 8)."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from data_sources.base import (
    HIGHER_FAVOURABLE,
    LOWER_FAVOURABLE,
    NOT_STATED,
    OGL_V3,
    PublisherDirection,
    RawFile,
    SchemaError,
    Source,
    finish_tidy,
    janitor_snake_case,
    read_csv_checked,
    read_excel_checked,
    require_columns,
    tidy_from_wide,
)
from data_sources.fetching import fetch_source

FILE10 = "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
FILE1 = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
FILE2 = "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"
FILE6 = "File_6_-_IoD2019_Population_Denominators.csv.gz"
FILE8 = "imd2019_england_lsoa11_underlying_indicators.csv.gz"

# MHCLG's own words for which way the measures run: the Notes sheet of File 10 (a text box in the held workbook) and
# the official File 2 headers.
NOTES_SCORE = "MHCLG File 10 Notes sheet: 'The higher the score, the more deprived the area.'"
NOTES_RANK = "MHCLG File 10 Notes sheet: 'the local authority district with a rank of 1 is the most deprived, and the area ranked 317 is the least deprived'"
LSOA_RANK = "MHCLG File 2 header: 'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)', and likewise for each domain"
LSOA_DECILE = "MHCLG File 2 header: 'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)', and likewise for each domain"
# File 8 keeps no notes in the held copy: these indicators are defined as deprivation in the IoD2019 Technical Report.
INDICATOR_EVIDENCE = {
    "adult_skills_and_english_language_proficiency_indicator": "working-age adults with no or low qualifications, or who cannot speak English or cannot speak English well",
    "staying_on_in_education_post_16_indicator": "young people not staying on in school or non-advanced education above age 16",
    "entry_to_higher_education_indicator": "young people aged under 21 not entering higher education",
    "household_overcrowding_indicator": "households judged to have insufficient space to meet their needs",
    "homelessness_indicator_rate_per_1000_households": "acceptances for housing assistance under the homelessness provisions, per 1,000 households",
}

def file10_directions(notes_rank: str, notes_score: str) -> tuple[PublisherDirection, ...]:
    """The directions MHCLG's File 10 notes give its LA summary measures, shared by the IoD 2019 and 2025 editions."""
    return (
        PublisherDirection("*_rank_of_average_score", HIGHER_FAVOURABLE, notes_rank),
        PublisherDirection("*_average_score", LOWER_FAVOURABLE, notes_score),
        PublisherDirection(
            "*_share_lsoas_most_deprived_10pc",
            LOWER_FAVOURABLE,
            "MHCLG IoD File 10 notes: proportion of LSOAs 'in the most deprived 10% of LSOAs nationally', "
            "ranked so that 'the rank of 1 (most deprived) is given to the area with the highest score'",
        ),
        PublisherDirection(
            "imd_extent",
            LOWER_FAVOURABLE,
            "MHCLG IoD File 10 notes: extent, the share of a district's 'population living in the most deprived LSOAs in the country'; "
            "'the rank of 1 (most deprived) is given to the area with the highest score'",
        ),
        PublisherDirection(
            "imd_local_concentration",
            LOWER_FAVOURABLE,
            "MHCLG IoD File 10 notes: local concentration is ranked so that 'the rank of 1 (most deprived) is given to the area "
            "with the highest score' (the LSOAs are first ranked 'such that the most deprived LSOA is given the rank' of their number)",
        ),
    )


SOURCE = Source(
    id="imd2019",
    title="English Indices of Deprivation 2019",
    publisher="Ministry of Housing, Communities and Local Government",
    licence=OGL_V3,
    landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
    published="2019-09-26",
    vintage="IoD2019 (indicators mostly 2015/16; population denominators mid-2015)",
    geography="LSOA (England); lower-tier local authority",
    code_vintage="LSOA 2011; LAD 2019",
    files=(
        RawFile(
            name=FILE10,
            url="https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/833995/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx",
            description="File 10: local authority district summaries (IMD, seven domains, IDACI, IDAOPI), one sheet each, 317 LAD19 rows",
        ),
        RawFile(
            name=FILE1,
            url="https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
            description="File 1: IMD rank and decile per LSOA11, with its LAD19",
            official_format_note="official xlsx (sheets Notes, IMD2019); held as a gzipped CSV of the data sheet with the official headers",
        ),
        RawFile(
            name=FILE2,
            url="https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/833973/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
            description="File 2: IMD and seven domain ranks and deciles per LSOA11",
            official_format_note="official xlsx (sheets Notes, IoD2019 Domains); held as a gzipped CSV of the data sheet with the official headers",
        ),
        RawFile(
            name=FILE6,
            url="https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/833980/File_6_-_IoD2019_Population_Denominators.xlsx",
            description="File 6: mid-2015 population denominators (excluding prisoners) per LSOA11, the weights for aggregating IoD2019",
            official_format_note="official xlsx (sheets Notes, Population Denominators); held as a gzipped CSV of the data sheet with the official headers",
        ),
        RawFile(
            name=FILE8,
            url="https://assets.publishing.service.gov.uk/media/5d8b3cd740f0b609909b590a/File_8_-_IoD2019_Underlying_Indicators.xlsx",
            description="File 8: underlying indicators per LSOA11 (education, health, barriers, living environment), domain sheets joined on LSOA",
            official_format_note="official xlsx, one sheet per domain; held as one gzipped CSV keyed lsoa11_code with snake_case headers (as the humaniverse/IMD package builds it)",
        ),
    ),
    caveats=(
        "Ranks are relative within England (1 = most deprived) and not comparable in absolute terms with IoD2025. "
        "LSOA scores (File 7) are not held; LSOA files carry ranks and deciles. LAD19 boundaries predate the 2019-2023 mergers. "
        "Underlying indicators refer to various years (e.g. adult skills from Census 2011)."
    ),
    directions=(
        *file10_directions(NOTES_RANK, NOTES_SCORE),
        PublisherDirection("*_rank", HIGHER_FAVOURABLE, LSOA_RANK),
        PublisherDirection("*_decile", HIGHER_FAVOURABLE, LSOA_DECILE),
        PublisherDirection("population_*", NOT_STATED, "File 6 mid-2015 population denominators: counts; MHCLG states no direction"),
        *(
            PublisherDirection(name, LOWER_FAVOURABLE, f"IoD2019 Technical Report: a deprivation indicator measuring {what} (File 8; its notes are not held)")
            for name, what in INDICATOR_EVIDENCE.items()
        ),
    ),
)

LAD_KEY = "Local Authority District code (2019)"
LSOA_KEY = "LSOA code (2011)"
PERIOD = "2019"

# Sheet of File 10 -> (column prefix in that sheet, measure prefix). Barriers, Living, IDACI and IDAOPI stay in the
# raw workbook: the five factors do not use them at LA level.
FILE10_SHEETS = {
    "IMD": ("IMD", "imd"),
    "Income": ("Income", "income"),
    "Employment": ("Employment", "employment"),
    "Education": ("Education, Skills and Training", "education"),
    "Health": ("Health Deprivation and Disability", "health"),
    "Crime": ("Crime", "crime"),
}
# Extent and local concentration are published for the IMD only.
FILE10_IMD_EXTRA = {"IMD 2019 - Extent": "imd_extent", "IMD 2019 - Local concentration": "imd_local_concentration"}

FILE1_MEASURES = {
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
}
# File 2 repeats File 1's IMD columns; only the domains are emitted so the two files never give one key twice.
FILE2_IMD_COLUMNS = [
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]
FILE2_DOMAINS = {
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing_and_services",
    "Living Environment": "environment",
}
FILE2_MEASURES = {
    header: measure
    for label, short in FILE2_DOMAINS.items()
    for header, measure in (
        (f"{label} Rank (where 1 is most deprived)", f"{short}_rank"),
        (f"{label} Decile (where 1 is most deprived 10% of LSOAs)", f"{short}_decile"),
    )
}
FILE6_MEASURES = {
    "Total population: mid 2015 (excluding prisoners)": "population_total",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)": "population_aged_0_15",
    "Population aged 16-59: mid 2015 (excluding prisoners)": "population_aged_16_59",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)": "population_aged_60_plus",
    "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)": "population_working_age_18_59_64",
}
FILE6_PERIOD = "2015"  # the denominators are mid-2015 estimates, not 2019 values
FILE8_KEY = "lsoa11_code"
FILE8_MEASURES = {
    name: name
    for name in (
        "adult_skills_and_english_language_proficiency_indicator",
        "staying_on_in_education_post_16_indicator",
        "entry_to_higher_education_indicator",
        "household_overcrowding_indicator",
        "homelessness_indicator_rate_per_1000_households",
    )
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    readers = {FILE10: read_lad_summaries, FILE1: read_imd_ranks, FILE2: read_domain_ranks, FILE6: read_population, FILE8: read_indicators}
    if path.name not in readers:
        raise SchemaError(f"{path}: not a file of source {SOURCE.id}")
    return readers[path.name](path)


def _sheet(path: Path, sheet: str, required: list[str]) -> pd.DataFrame:
    # The workbook's Notes sheet holds a drawing openpyxl cannot keep; its warning is noise here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="DrawingML support is incomplete", category=UserWarning)
        frame = read_excel_checked(path, sheet, [])
    # Checked here rather than by read_excel_checked so that the message names the sheet too.
    require_columns(frame, required, f"{path} [sheet {sheet}]")
    return frame


def file10_measures(sheet: str) -> dict[str, str]:
    label, short = FILE10_SHEETS[sheet]
    measures = {
        f"{label} - Average score": f"{short}_average_score",
        f"{label} - Rank of average score": f"{short}_rank_of_average_score",
        f"{label} - Proportion of LSOAs in most deprived 10% nationally": f"{short}_share_lsoas_most_deprived_10pc",
    }
    if sheet == "IMD":
        measures.update(FILE10_IMD_EXTRA)
    return measures


def read_lad_summaries(path: Path) -> pd.DataFrame:
    parts = []
    for sheet in FILE10_SHEETS:
        measures = file10_measures(sheet)
        frame = _sheet(path, sheet, [LAD_KEY, *measures])
        frame = frame[frame[LAD_KEY].astype(str).str.strip().str.startswith("E")]
        parts.append(tidy_from_wide(frame, code_column=LAD_KEY, geography="lad19", period=PERIOD, measures=measures, path=f"{path} [sheet {sheet}]"))
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def _lsoa_csv(path: Path, measures: dict[str, str], period: str, extra_required: list[str] = ()) -> pd.DataFrame:
    frame = read_csv_checked(path, [LSOA_KEY, *measures, *extra_required])
    return tidy_from_wide(frame, code_column=LSOA_KEY, geography="lsoa11", period=period, measures=measures, path=path)


def read_imd_ranks(path: Path) -> pd.DataFrame:
    return _lsoa_csv(path, FILE1_MEASURES, PERIOD)


def read_domain_ranks(path: Path) -> pd.DataFrame:
    return _lsoa_csv(path, FILE2_MEASURES, PERIOD, FILE2_IMD_COLUMNS)


def read_population(path: Path) -> pd.DataFrame:
    frame = _lsoa_csv(path, FILE6_MEASURES, FILE6_PERIOD)
    # Denominators are published for every LSOA: an empty count means a damaged or truncated file
    # (the held copy has no final line break, so a cut in the last row shows only as an empty cell).
    if frame["value"].isna().any():
        raise SchemaError(f"{path}: {int(frame['value'].isna().sum())} empty population counts (file truncated or damaged?)")
    return frame


def read_indicators(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, [FILE8_KEY, *FILE8_MEASURES])
    return tidy_from_wide(frame, code_column=FILE8_KEY, geography="lsoa11", period=PERIOD, measures=FILE8_MEASURES, path=path)


# ---------------------------------------------------------------------------------------------
# Converting the official downloads to the held layout
# ---------------------------------------------------------------------------------------------

def _workbook(downloaded: Path) -> dict[str, pd.DataFrame]:
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning)
            sheets = pd.read_excel(downloaded, sheet_name=None, dtype=str)
    except Exception as exc:  # zipfile/openpyxl errors for a damaged or non-xlsx download
        raise SchemaError(f"{downloaded}: cannot read the official workbook ({type(exc).__name__}: {exc})") from exc
    for sheet in sheets.values():
        sheet.columns = [str(c).strip() for c in sheet.columns]
    return sheets


def convert_lsoa_sheet(downloaded: Path, target: Path) -> None:
    """Files 1, 2 and 6: the one data sheet (the one keyed by LSOA code) as a gzipped CSV with the official headers."""
    data = [sheet for sheet in _workbook(downloaded).values() if LSOA_KEY in sheet.columns]
    if len(data) != 1:
        raise SchemaError(f"{downloaded}: expected one sheet with a {LSOA_KEY!r} column, found {len(data)}")
    data[0].to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})


def convert_indicators(downloaded: Path, target: Path) -> None:
    """File 8: join the domain sheets on LSOA and snake_case the headers, as the held copy is laid out."""
    joined = None
    for sheet_name, sheet in _workbook(downloaded).items():
        if LSOA_KEY not in sheet.columns:
            continue  # the Notes sheet
        sheet = sheet.drop(columns=[c for c in sheet.columns if c != LSOA_KEY and ("name" in c.lower() or "district code" in c.lower())])
        sheet.columns = [FILE8_KEY if c == LSOA_KEY else janitor_snake_case(c) for c in sheet.columns]
        joined = sheet if joined is None else joined.merge(sheet, on=FILE8_KEY, how="left")
    if joined is None:
        raise SchemaError(f"{downloaded}: workbook has no sheet with a {LSOA_KEY!r} column")
    require_columns(joined, [FILE8_KEY, *FILE8_MEASURES], downloaded)
    joined.to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(
        SOURCE,
        Path(dest),
        read,
        session=session,
        converters={FILE1: convert_lsoa_sheet, FILE2: convert_lsoa_sheet, FILE6: convert_lsoa_sheet, FILE8: convert_indicators},
    )
