"""Welsh Index of Multiple Deprivation 2019 (Welsh Government): LSOA11 ranks, scores and deciles, and derived LAD22 population-weighted summaries."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import HIGHER_FAVOURABLE, LOWER_FAVOURABLE, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, read_csv_checked, tidy_from_wide
from data_sources.fetching import fetch_source

LSOA_FILE = "wimd2019_lsoa11_ranks_scores_deciles.csv"
LAD_FILE = "derived_wimd2019_lad22_popweighted.csv"
RANKS_ODS = "https://www.gov.wales/sites/default/files/statistics-and-research/2022-02/welsh-index-multiple-deprivation-2019-index-and-domain-ranks-by-small-area.ods"
SCORES_ODS = "https://www.gov.wales/sites/default/files/statistics-and-research/2022-02/wimd-2019-index-and-domain-scores-by-small-area.ods"

# Welsh Government ranks WIMD scores with rank 1 = most deprived, so a higher score is more deprived (in the held file
# the highest score of the index and of each domain has rank 1). The LA summaries are humaniverse/IMD's, built from those scores.
WIMD_SCORE = (
    "Welsh Government WIMD 2019 ranks these scores with rank 1 = most deprived (PROVENANCE.md and the file description: 'ranks (1 = most deprived)'), "
    "so the higher the score the more deprived"
)

SOURCE = Source(
    id="wimd2019",
    title="Welsh Index of Multiple Deprivation 2019",
    publisher="Welsh Government (Knowledge and Analytical Services); LSOA file assembled and LA summaries derived by humaniverse/IMD",
    licence=OGL_V3,
    landing_page="https://www.gov.wales/welsh-index-multiple-deprivation-full-index-update-ranks-2019",
    published="2019-11-27",
    vintage="WIMD 2019",
    geography="LSOA (Wales); local authority (derived)",
    code_vintage="LSOA 2011; LAD 2022",
    # Neither held file is a single official download, so fetch() has nothing to refresh: the LSOA file joins two
    # official ODS workbooks (and the project has no ODS reader), the LA file is a third-party aggregation.
    files=(
        RawFile(
            name=LSOA_FILE,
            url="",
            description=(
                "Official WIMD 2019 ranks (1 = most deprived) and scores for the index and its 8 domains per LSOA11, "
                "joined by the humaniverse/IMD R package (commit 2f6c905); deciles computed by the package "
                "(Hmisc::cut2(rank, g = 10)), not the published ones"
            ),
            official_format_note=f"official downloads are two ODS workbooks: ranks {RANKS_ODS} (sheet WIMD_2019_ranks) and scores {SCORES_ODS} (sheet Data)",
        ),
        RawFile(
            name=LAD_FILE,
            url="",
            description=(
                "Derived by humaniverse/IMD, not a Welsh Government product: WIMD 2019 LSOA scores aggregated to the 22 Welsh "
                "LADs with ONS mid-2019 LSOA populations: population-weighted average score, share of LSOAs in the most "
                "deprived 10% of Wales, extent; for the index and each domain"
            ),
        ),
    ),
    caveats=(
        "WIMD ranks and scores are relative within Wales and are not comparable with the English IMD (measures are "
        "prefixed wimd_). Deciles here are computed from ranks (10% of 1,909 LSOAs) by the package."
    ),
    directions=(
        PublisherDirection("wimd*_rank", HIGHER_FAVOURABLE, "Welsh Government WIMD 2019 ranks: '1 = most deprived' (PROVENANCE.md, file description)"),
        PublisherDirection(
            "wimd*_decile",
            HIGHER_FAVOURABLE,
            "deciles computed by humaniverse/IMD from the Welsh Government ranks (cut2(rank, g = 10)), so decile 1 holds ranks 1-191, the most deprived",
        ),
        PublisherDirection("wimd*_average_score", LOWER_FAVOURABLE, f"population-weighted average score (derived by humaniverse/IMD); {WIMD_SCORE}"),
        PublisherDirection(
            "wimd*_share_lsoas_most_deprived_10pc",
            LOWER_FAVOURABLE,
            "share of a LA's LSOAs in the most deprived 10% of Wales (derived by humaniverse/IMD from the ranks, 1 = most deprived)",
        ),
        PublisherDirection(
            "wimd*_extent",
            LOWER_FAVOURABLE,
            "extent: population share in the most deprived LSOAs, MHCLG's method (derived by humaniverse/IMD; MHCLG ranks the highest extent as most deprived)",
        ),
        PublisherDirection("wimd*_score", LOWER_FAVOURABLE, WIMD_SCORE),
    ),
)

PERIOD = "2019"
# Both files are frozen snapshots that no fetch rewrites; a different row count means a damaged or cut-off copy.
LSOA_ROWS = 1909
LAD_ROWS = 22
# Held column stem -> measure stem, using WIMD's own domain names.
DOMAINS = {
    "IMD": "wimd",
    "Income": "wimd_income",
    "Employment": "wimd_employment",
    "Health": "wimd_health",
    "Education": "wimd_education",
    "Housing": "wimd_housing",
    "Access": "wimd_access_to_services",
    "Environment": "wimd_physical_environment",
    "Crime": "wimd_community_safety",
}
LSOA_KEY = "lsoa11_code"
LSOA_MEASURES = {f"{column}_{kind}": f"{stem}_{kind}" for column, stem in DOMAINS.items() for kind in ("rank", "score", "decile")}
LAD_KEY = "ltla22_code"
LAD_KINDS = {"Score": "average_score", "Proportion": "share_lsoas_most_deprived_10pc", "Extent": "extent"}
# The index's own columns are unprefixed ("Score"); the domains' carry the domain ("Income_Score").
LAD_MEASURES = {
    (kind if column == "IMD" else f"{column}_{kind}"): f"{stem}_{short}"
    for column, stem in DOMAINS.items()
    for kind, short in LAD_KINDS.items()
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == LSOA_FILE:
        return _read(path, LSOA_KEY, "lsoa11", LSOA_MEASURES, LSOA_ROWS)
    if path.name == LAD_FILE:
        return _read(path, LAD_KEY, "lad22", LAD_MEASURES, LAD_ROWS)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def _read(path: Path, key: str, geography: str, measures: dict[str, str], rows: int) -> pd.DataFrame:
    frame = read_csv_checked(path, [key, *measures])
    if len(frame) != rows:
        raise SchemaError(f"{path}: expected {rows} Welsh areas, found {len(frame)} rows (truncated or changed file?)")
    codes = frame[key].astype(str).str.strip()
    if not codes.str.startswith("W").all():
        examples = ", ".join(repr(c) for c in codes[~codes.str.startswith("W")].unique()[:3])
        raise SchemaError(f"{path}: column {key!r} should hold Welsh codes only, found {examples}")
    return tidy_from_wide(frame, code_column=key, geography=geography, period=PERIOD, measures=measures, path=path)


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
