"""Census 2011 QS201EW ethnic group (ONS via Nomis) by local authority (2011-2015 codes): totals and the five broad groups, for 2011 -> 2021 change."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, finish_tidy, read_csv_checked
from data_sources.census2021 import counts, england_wales
from data_sources.fetching import fetch_source

QS201EW = "census2011_qs201ew_ethnic_group_lad.csv"
# Nomis dataset NM_522_1 is QS201EW; TYPE464 = local authorities: district / unitary (prior to April 2015).
URL = "https://www.nomisweb.co.uk/api/v01/dataset/NM_522_1.bulk.csv?date=latest&geography=TYPE464&rural_urban=0&measures=20100"

SOURCE = Source(
    id="census2011",
    title="Census 2011 QS201EW Ethnic group",
    publisher="Office for National Statistics (distributed by Nomis)",
    licence=OGL_V3,
    landing_page="https://www.nomisweb.co.uk/census/2011/qs201ew",
    published="2013-01-30",
    vintage="Census 2011 (census day 27 March 2011)",
    geography="Local authority district, England and Wales (348)",
    code_vintage="LAD 2011-2015 (pre-2015 districts; Northumberland E06000057, Gateshead E08000037 as recoded in 2013)",
    files=(
        RawFile(
            name=QS201EW,
            url=URL,
            description="QS201EW usual residents by ethnic group (18 categories and 5 broad groups), one row per local authority",
            official_format_note="Nomis API bulk CSV (wide, one column per category), held byte-for-byte",
        ),
    ),
    caveats=(
        "2011 and 2021 categories differ slightly (2021 added 'White: Roma' and renamed groups); compare the five broad groups "
        "only. 2011 Chinese and 2021 Chinese are both in the Asian group; Arab is in 'Other' in both. Districts merged since "
        "2015 (Dorset, Suffolk, Somerset, Cumbria, North Yorkshire, Buckinghamshire, Northamptonshire ...) must be summed to "
        "current LADs via the LAD code-change lookup, never averaged."
    ),
    directions=(
        PublisherDirection("ethnic_*", NOT_STATED, "QS201EW counts of usual residents by ethnic group: counts; ONS states no direction"),
    ),
)

MEASURES = {
    "Ethnic Group: All categories: Ethnic group; measures: Value": "ethnic_total",
    "Ethnic Group: White; measures: Value": "ethnic_white",
    "Ethnic Group: Mixed; measures: Value": "ethnic_mixed",
    "Ethnic Group: Asian; measures: Value": "ethnic_asian",
    "Ethnic Group: Black; measures: Value": "ethnic_black",
    "Ethnic Group: Other; measures: Value": "ethnic_other",
}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == QS201EW:
        return read_ethnic_group(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_ethnic_group(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, ["date", "geography code", "Rural Urban", *MEASURES], require_final_newline=True)
    # Rural/urban splits would repeat each area; only the all-area total is used.
    frame = frame[frame["Rural Urban"].str.strip() == "Total"]
    if frame.empty:
        raise SchemaError(f"{path}: column 'Rural Urban' has no 'Total' rows")
    frame = england_wales(frame, "geography code", path)
    values = {column: counts(frame[column], path, column) for column in MEASURES}
    broad = sum(values[c] for c in list(MEASURES)[1:])
    if (broad != values[list(MEASURES)[0]]).any():
        raise SchemaError(f"{path}: the five broad ethnic groups no longer add up to 'All categories' (columns changed meaning?)")
    parts = [
        pd.DataFrame({"area_code": frame["geography code"].values, "geography": "lad11", "measure": measure, "period": frame["date"].str.strip().values, "value": values[column].values})
        for column, measure in MEASURES.items()
    ]
    tidy = pd.concat(parts, ignore_index=True)
    if set(tidy["period"]) != {"2011"}:
        raise SchemaError(f"{path}: column 'date' is not 2011: {sorted(set(tidy['period']))[:3]}")
    return finish_tidy(tidy, path)


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
