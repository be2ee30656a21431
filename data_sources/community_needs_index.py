"""Community Needs Index (OCSI for Local Trust), optional: civic assets, connectedness and engaged-community scores per ward (2019, WD17) and LSOA (2023, LSOA21)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import (
    HIGHER_FAVOURABLE,
    LOWER_FAVOURABLE,
    PublisherDirection,
    RawFile,
    SchemaError,
    Source,
    check_codes,
    finish_tidy,
    read_csv_checked,
    to_number,
)
from data_sources.fetching import fetch_source

WARD_FILE = "cni2019_england_ward17.csv"
LSOA_FILE = "cni2023_england_lsoa21.csv.gz"
COPIED_FROM = "Secondary copy from humaniverse/IMD data-raw/ (commit 0c7b28a), which cites https://ocsi.uk/ as source"

SOURCE = Source(
    id="community_needs_index",
    title="Community Needs Index (with 'left-behind areas')",
    publisher="OCSI (Oxford Consultants for Social Inclusion) for Local Trust",
    licence="No licence stated by OCSI — optional source, not for republication without permission",
    licence_url="",
    landing_page="https://ocsi.uk/2019/10/21/community-needs-index-measuring-social-and-cultural-factors/",
    published="2019-10-21",
    vintage="CNI 2019; CNI 2023",
    geography="electoral ward (2019); LSOA (2023), England",
    code_vintage="ward 2017 (2019 index); LSOA 2021 (2023 index)",
    optional=True,
    optional_reason="OCSI states no licence, so no indicator or score uses it; held for reference and labelled optional",
    # OCSI publishes no machine-readable download, so there is nothing for fetch() to refresh.
    files=(
        RawFile(
            name=WARD_FILE,
            url="",
            description=f"CNI 2019 per 2017 ward (7,433): domain scores and ranks, overall score and rank, left-behind flag. {COPIED_FROM}",
        ),
        RawFile(
            name=LSOA_FILE,
            url="",
            description=(
                f"CNI 2023 per LSOA21 (33,755): domain scores and ranks, overall score and rank. {COPIED_FROM}; its left-behind "
                "flag was computed by the package (CNI decile 1 and IoD2025 decile 1), not by OCSI, and is not read"
            ),
        ),
    ),
    caveats=(
        "Optional: OCSI states no licence; confirm re-use terms before publishing. Higher score = higher need; rank 1 = "
        "highest need. Domains: Civic Assets (places to meet), Connectedness (access to services, digital, transport, "
        "local economy), Active and Engaged Community (third-sector activity, participation). 2019 and 2023 use different "
        "geographies and are not directly comparable. The 2019 left-behind flag is OCSI/Local Trust's (225 wards)."
    ),
    directions=(
        PublisherDirection(
            "*_rank",
            HIGHER_FAVOURABLE,
            "OCSI's Community Needs Index: 'rank 1 = highest need' (PROVENANCE.md and the caveats above; OCSI's report is not held)",
        ),
        PublisherDirection(
            "*_score",
            LOWER_FAVOURABLE,
            "OCSI's Community Needs Index: 'higher score = higher need' (PROVENANCE.md and the caveats above; OCSI's report is not held)",
        ),
        PublisherDirection(
            "left_behind_area",
            LOWER_FAVOURABLE,
            "OCSI/Local Trust 'left-behind' wards: 1 = in the 10% most deprived on both the CNI and IMD 2019 (PROVENANCE.md)",
        ),
    ),
)

WARD_MEASURES = {
    "Civic Assets score": "civic_assets_score",
    "Civic Assets rank": "civic_assets_rank",
    "Connectedness score": "connectedness_score",
    "Connectedness rank": "connectedness_rank",
    "Engaged community score": "engaged_community_score",
    "Engaged community rank": "engaged_community_rank",
    "Community Needs Index score": "cni_score",
    "Community Needs Index rank": "cni_rank",
}
LSOA_MEASURES = {
    "Civic Assets Domain Score": "civic_assets_score",
    "Civic Assets Domain Rank": "civic_assets_rank",
    "Connectedness Domain Score": "connectedness_score",
    "Connectedness Domain Rank": "connectedness_rank",
    "Active and Engaged Community Domain Score": "engaged_community_score",
    "Active and Engaged Community Domain Rank": "engaged_community_rank",
    "Community Needs Index 2023 Score": "cni_score",
    "Community Needs Index 2023 Rank": "cni_rank",
}
LEFT_BEHIND = "Left Behind Area?"
FLAG_VALUES = {"TRUE": 1.0, "FALSE": 0.0}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == WARD_FILE:
        return read_index(path, "ward17_code", "ward17", "2019", WARD_MEASURES, with_flag=True)
    if path.name == LSOA_FILE:
        return read_index(path, "lsoa21_code", "lsoa21", "2023", LSOA_MEASURES, with_flag=False)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_index(path: Path, key: str, geography: str, period: str, measures: dict[str, str], *, with_flag: bool) -> pd.DataFrame:
    required = [key, *measures, *([LEFT_BEHIND] if with_flag else [])]
    frame = read_csv_checked(path, required, dtype_text=[key])
    check_codes(frame[key], path, key)
    columns = {measure: to_number(frame[column], path, column) for column, measure in measures.items()}
    if with_flag:
        flag = frame[LEFT_BEHIND].str.strip().str.upper()
        unknown = ~flag.isin(list(FLAG_VALUES))
        if unknown.any():
            raise SchemaError(f"{path}: column {LEFT_BEHIND!r} has values other than TRUE/FALSE, e.g. {frame.loc[unknown, LEFT_BEHIND].iloc[0]!r}")
        columns["left_behind_area"] = flag.map(FLAG_VALUES).astype("float64")
    # OCSI scores every area; a blank means a damaged file, not a suppressed value.
    for measure, values in columns.items():
        if values.isna().any():
            raise SchemaError(f"{path}: blank {measure!r} for {frame.loc[values.isna(), key].iloc[0]} (truncated file?)")
    parts = [
        pd.DataFrame({"area_code": frame[key].values, "geography": geography, "measure": measure, "period": period, "value": values.values})
        for measure, values in columns.items()
    ]
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
