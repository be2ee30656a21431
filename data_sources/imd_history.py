"""English IMD time series 2004-2015: derived LAD21 population-weighted summaries (humaniverse/IMD) and official IMD 2015 per LSOA11."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import HIGHER_FAVOURABLE, LOWER_FAVOURABLE, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, read_csv_checked, tidy_from_wide
from data_sources.fetching import fetch_source

YEARS = ("2004", "2007", "2010", "2015")
LAD_FILES = {f"derived_imd{year}_england_lad21_popweighted.csv": year for year in YEARS}
LSOA2015 = "imd2015_england_lsoa11.csv.gz"

SOURCE = Source(
    id="imd_history",
    title="English Indices of Deprivation 2004, 2007, 2010 and 2015 (IMD time series)",
    publisher="Ministry of Housing, Communities and Local Government (ODPM 2004; DCLG 2007-2015); LAD21 summaries derived by humaniverse/IMD",
    licence=OGL_V3,
    landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2015",
    published="2015-09-30",
    vintage="IMD 2004, 2007, 2010, 2015",
    geography="lower-tier local authority (derived); LSOA (England, 2015)",
    code_vintage="LAD 2021 (derived summaries); LSOA 2011",
    files=tuple(
        RawFile(
            name=name,
            url="",
            description=(
                f"Derived by the humaniverse/IMD R package (commit 2f6c905), not an official product: IMD {year} LSOA scores "
                "(2001 LSOAs mapped to 2011 LSOAs) aggregated to 2021 LADs with that release's population denominators: "
                "population-weighted average score, share of LSOAs in the national most deprived decile, extent"
            ),
        )
        for name, year in LAD_FILES.items()
    )
    + (
        RawFile(
            name=LSOA2015,
            url="https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/467774/File_7_ID_2015_All_ranks__deciles_and_scores_for_the_Indices_of_Deprivation__and_population_denominators.csv",
            description="IMD 2015 score, rank and decile per LSOA11 with its LAD13 (official values; the held copy was joined from File 1 and File 5 by humaniverse/IMD)",
            official_format_note=(
                "held copy built from File 1 (ranks, deciles) and File 5 (scores); a fetch takes the same values from File 7, "
                "the one official CSV carrying all three, and keeps seven columns under short names, gzipped"
            ),
        ),
    ),
    caveats=(
        "Ranks are relative within each release and scores are not strictly comparable between releases (methods and "
        "indicators changed): compare positions and deciles over time. The LAD21 summaries are not MHCLG's published LA "
        "summaries, which used each year's own boundaries."
    ),
    directions=(
        PublisherDirection(
            "imd_average_score",
            LOWER_FAVOURABLE,
            "population-weighted average of MHCLG IMD scores (derived by humaniverse/IMD); MHCLG IoD File 10 notes "
            "(held IoD2019 workbook): 'The higher the score, the more deprived the area.'",
        ),
        PublisherDirection(
            "imd_share_lsoas_most_deprived_10pc",
            LOWER_FAVOURABLE,
            "share of LSOAs in the national most deprived decile (derived by humaniverse/IMD); MHCLG IoD File 10 notes rank "
            "this measure so that 'the rank of 1 (most deprived) is given to the area with the highest score'",
        ),
        PublisherDirection(
            "imd_extent",
            LOWER_FAVOURABLE,
            "extent, MHCLG's population share in the most deprived LSOAs (derived by humaniverse/IMD); MHCLG IoD File 10 notes: "
            "'the rank of 1 (most deprived) is given to the area with the highest score'",
        ),
        PublisherDirection("imd_rank", HIGHER_FAVOURABLE, "official IoD2015 header: 'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)'"),
        PublisherDirection(
            "imd_decile", HIGHER_FAVOURABLE, "official IoD2015 header: 'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)'"
        ),
        PublisherDirection(
            "imd_score",
            LOWER_FAVOURABLE,
            "official IoD2015 IMD score, ranked with 'where 1 is most deprived' (header); MHCLG IoD File 10 notes: "
            "'The higher the score, the more deprived the area.'",
        ),
    ),
)

LAD_KEY = "ltla21_code"
# The derived files are frozen snapshots that no fetch rewrites; a different row count means a damaged or cut-off copy.
LAD21_ROWS = 309
LAD_MEASURES = {
    "Score": "imd_average_score",
    "Proportion": "imd_share_lsoas_most_deprived_10pc",
    "Extent": "imd_extent",
}
LSOA_KEY = "lsoa11_code"
LSOA_MEASURES = {"IMD_score": "imd_score", "IMD_rank": "imd_rank", "IMD_decile": "imd_decile"}

# Official File 7 (2015) header -> held column.
FILE7_2015_COLUMNS = {
    "LSOA code (2011)": "lsoa11_code",
    "LSOA name (2011)": "lsoa11_name",
    "Local Authority District code (2013)": "lad13_code",
    "Local Authority District name (2013)": "lad13_name",
    "Index of Multiple Deprivation (IMD) Score": "IMD_score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": "IMD_rank",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)": "IMD_decile",
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name in LAD_FILES:
        return read_lad_summary(path, LAD_FILES[path.name])
    if path.name == LSOA2015:
        return read_lsoa2015(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_lad_summary(path: Path, year: str) -> pd.DataFrame:
    frame = read_csv_checked(path, [LAD_KEY, *LAD_MEASURES])
    if len(frame) != LAD21_ROWS:
        raise SchemaError(f"{path}: expected {LAD21_ROWS} English 2021 districts, found {len(frame)} rows (truncated or changed file?)")
    return tidy_from_wide(frame, code_column=LAD_KEY, geography="lad21", period=year, measures=LAD_MEASURES, path=path)


def read_lsoa2015(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, [LSOA_KEY, *LSOA_MEASURES])
    return tidy_from_wide(frame, code_column=LSOA_KEY, geography="lsoa11", period="2015", measures=LSOA_MEASURES, path=path)


def convert_file7_2015(downloaded: Path, target: Path) -> None:
    frame = read_csv_checked(downloaded, list(FILE7_2015_COLUMNS))
    frame = frame[list(FILE7_2015_COLUMNS)].rename(columns=FILE7_2015_COLUMNS)
    frame.to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})


def fetch(dest: Path, session=None) -> Path:
    # The derived LAD21 files have no official URL and are skipped; only the 2015 LSOA file is downloaded.
    return fetch_source(SOURCE, Path(dest), read, session=session, converters={LSOA2015: convert_file7_2015})
