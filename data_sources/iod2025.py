"""English Indices of Deprivation 2025 (MHCLG): LAD24 summaries (File 10) and LSOA21 scores, ranks and deciles (File 7)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import (
    HIGHER_FAVOURABLE,
    LOWER_FAVOURABLE,
    OGL_V3,
    PublisherDirection,
    RawFile,
    SchemaError,
    Source,
    janitor_snake_case,
    read_csv_checked,
    tidy_from_wide,
)
from data_sources.fetching import fetch_source
from data_sources.imd2019 import file10_directions

# MHCLG's own words for which way the measures run. The held File 10 CSV has no notes sheet: the File 10 notes of
# IoD2019 (source imd2019, the same summary measures) say it, and MHCLG's LSOA file headers label ranks and deciles.
NOTES_SCORE = "MHCLG IoD File 10 notes (held IoD2019 workbook; same summary measures): 'The higher the score, the more deprived the area.'"
NOTES_RANK = (
    "MHCLG IoD File 10 notes: 'the local authority district with a rank of 1 is the most deprived'; "
    "PROVENANCE.md check: Blackpool has rank 1 and the highest imd_average_score (43.467)"
)
LSOA_RANK = "MHCLG LSOA file headers: 'Rank (where 1 is most deprived)' (as in the held IoD2019 File 2); in the held File 7 rank 1 has the highest score"
LSOA_DECILE = "MHCLG LSOA file headers: 'Decile (where 1 is most deprived 10% of LSOAs)' (as in the held IoD2019 File 2)"

SOURCE = Source(
    id="iod2025",
    title="English Indices of Deprivation 2025",
    publisher="Ministry of Housing, Communities and Local Government",
    licence=OGL_V3,
    landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
    published="2025-10-30",
    vintage="IoD2025 (indicators mostly 2022/23)",
    geography="LSOA (England); lower-tier local authority",
    code_vintage="LSOA 2021; LAD 2024",
    files=(
        RawFile(
            name="iod2025_file10_lad24_summaries.csv",
            url="https://assets.publishing.service.gov.uk/media/6917412ebc34c86ce4e6e7fc/File_10_-_IoD2025_Local_Authority_District_Summaries__lower-tier__v2.xlsx",
            description="File 10: local authority district summaries (IMD and seven domains), one row per LAD24",
            official_format_note="official xlsx, one sheet per domain; held as one CSV with snake_case headers",
        ),
        RawFile(
            name="iod2025_file7_lsoa21_scores_ranks_deciles.csv.gz",
            url="https://assets.publishing.service.gov.uk/media/68ff5daabcb10f6bf9bef911/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
            description="File 7: IMD and domain scores, ranks and deciles per LSOA21",
            official_format_note="official CSV with long headers; held gzipped with short headers",
        ),
    ),
    caveats="Ranks are relative within England and are not comparable in absolute terms with IoD2019 (new LSOAs, methods).",
    directions=(
        *file10_directions(NOTES_RANK, NOTES_SCORE),
        PublisherDirection("*_rank", HIGHER_FAVOURABLE, LSOA_RANK),
        PublisherDirection("*_decile", HIGHER_FAVOURABLE, LSOA_DECILE),
        PublisherDirection("*_score", LOWER_FAVOURABLE, NOTES_SCORE),
    ),
)

DOMAINS = ("IMD", "Income", "Employment", "Education", "Health", "Crime", "Housing_and_Services", "Environment")
FILE7_COLUMNS = ["lsoa21_code"] + [f"{d}_{kind}" for kind in ("score", "rank", "decile") for d in DOMAINS]
FILE10_KEY = "ltla24_code"
# The summary measures the indicator layer uses; other File 10 columns are kept in the raw file for researchers.
FILE10_MEASURES = {
    "imd_average_score": "imd_average_score",
    "imd_rank_of_average_score": "imd_rank_of_average_score",
    "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally": "imd_share_lsoas_most_deprived_10pc",
    "imd25_extent": "imd_extent",
    "imd25_local_concentration": "imd_local_concentration",
    "income_average_score": "income_average_score",
    "employment_average_score": "employment_average_score",
    "education_skills_and_training_average_score": "education_average_score",
    "health_deprivation_and_disability_average_score": "health_average_score",
    "crime_average_score": "crime_average_score",
    "crime_rank_of_average_score": "crime_rank_of_average_score",
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name.startswith("iod2025_file10"):
        return read_lad_summaries(path)
    if path.name.startswith("iod2025_file7"):
        return read_lsoa_scores(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_lad_summaries(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, [FILE10_KEY, *FILE10_MEASURES])
    frame = frame[frame[FILE10_KEY].str.startswith("E")]
    return tidy_from_wide(frame, code_column=FILE10_KEY, geography="lad24", period="2025", measures=FILE10_MEASURES, path=path)


def read_lsoa_scores(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, FILE7_COLUMNS)
    measures = {c: c.lower() for c in FILE7_COLUMNS[1:]}
    return tidy_from_wide(frame, code_column="lsoa21_code", geography="lsoa21", period="2025", measures=measures, path=path)


# ---------------------------------------------------------------------------------------------
# Converting the official downloads to the held layout
# ---------------------------------------------------------------------------------------------

def convert_file10(downloaded: Path, target: Path) -> None:
    sheets = pd.read_excel(downloaded, sheet_name=None, dtype=str)
    joined = None
    for sheet_name, sheet in sheets.items():
        if sheet_name.lower() in {"notes", "idaci", "idaopi"}:
            continue
        sheet.columns = [janitor_snake_case(c) for c in sheet.columns]
        code = next(c for c in sheet.columns if c.startswith("local_authority_district_code"))
        name = next(c for c in sheet.columns if c.startswith("local_authority_district_name"))
        sheet = sheet.rename(columns={code: FILE10_KEY, name: "ltla24_name"})
        joined = sheet if joined is None else joined.merge(sheet.drop(columns=["ltla24_name"]), on=FILE10_KEY)
    if joined is None:
        raise SchemaError(f"{downloaded}: workbook has no domain sheets")
    joined.to_csv(target, index=False)


def convert_file7(downloaded: Path, target: Path) -> None:
    frame = pd.read_csv(downloaded, dtype=str)
    renamed = {}
    for column in frame.columns:
        lowered = column.lower()
        if lowered.startswith("lsoa code"):
            renamed[column] = "lsoa21_code"
            continue
        for domain, label in zip(DOMAINS, ("index of multiple deprivation", "income", "employment", "education", "health", "crime", "barriers to housing", "living environment")):
            if lowered.startswith(label) and "sub-domain" not in lowered:
                for kind in ("score", "rank", "decile"):
                    if f"({kind}" in lowered or lowered.split("(")[0].strip().endswith(kind) or f" {kind} " in f" {lowered} ":
                        renamed.setdefault(column, f"{domain}_{kind}")
    frame = frame.rename(columns=renamed)
    missing = [c for c in FILE7_COLUMNS if c not in frame.columns]
    if missing:
        raise SchemaError(f"{downloaded}: official File 7 lacks columns for {', '.join(missing)}")
    frame[FILE7_COLUMNS].to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(
        SOURCE,
        Path(dest),
        read,
        session=session,
        converters={"iod2025_file10_lad24_summaries.csv": convert_file10, "iod2025_file7_lsoa21_scores_ranks_deciles.csv.gz": convert_file7},
    )
