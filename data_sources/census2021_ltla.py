"""Census 2021 TS012 detailed country of birth (ONS via Nomis) by lower-tier local authority (2021 codes): residents and those born outside the UK."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, finish_tidy, janitor_snake_case, read_csv_checked
from data_sources.census2021 import bulk_table, column_of, counts, england_wales, write_csv
from data_sources.fetching import fetch_source

TS012 = "census2021_ts012_country_of_birth_detailed_ltla21.csv.gz"
PREFIX = "Country of birth"
TOTAL = "total_all_usual_residents"
UK = "europe_united_kingdom"

SOURCE = Source(
    id="census2021_ltla",
    title="Census 2021 TS012 Country of birth (detailed), lower-tier local authorities",
    publisher="Office for National Statistics (distributed by Nomis)",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/datasets/TS012/editions/2021/versions/1",
    vintage="Census 2021 (census day 21 March 2021)",
    geography="Lower-tier local authority, England and Wales (331)",
    code_vintage="LAD 2021",
    optional=True,
    optional_reason=(
        "No indicator or build step reads it (born outside the UK is summed from the TS004 OA table of census2021); "
        "held as the official, unperturbed LA figures those sums and the census quiz are checked against"
    ),
    files=(
        RawFile(
            name=TS012,
            url="https://www.nomisweb.co.uk/output/census/2021/census2021-ts012.zip",
            description="TS012: usual residents by detailed country of birth (82 hierarchical categories), one row per LTLA21 x category",
            official_format_note=(
                "official Nomis bulk zip; the held file is census2021-ts012-ltla.csv reshaped long (ltla21_name, ltla21_code, "
                "total_all_usual_residents, country_of_birth as snake_case label, value, prop), gzipped"
            ),
        ),
    ),
    caveats=(
        "Official LA figures (not sums of perturbed small areas). Categories are hierarchical (a region includes its countries): "
        "born_outside_uk = all usual residents - 'Europe: United Kingdom'. 2021 LAD codes (before the 2023 Cumbria, North "
        "Yorkshire and Somerset changes). Country of birth is context, never a deficit."
    ),
    directions=(
        PublisherDirection("cob_total", NOT_STATED, "TS012 count of usual residents: a count; ONS states no direction"),
        PublisherDirection("born_outside_uk", NOT_STATED, "TS012 count of usual residents born outside the UK: a count; ONS states no direction"),
    ),
)


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == TS012:
        return read_country_of_birth(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_country_of_birth(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, ["ltla21_code", TOTAL, "country_of_birth", "value"], require_final_newline=True)
    frame = england_wales(frame, "ltla21_code", path)
    frame = frame.assign(total=counts(frame[TOTAL], path, TOTAL).values)
    per_area = frame.groupby("ltla21_code", sort=False)
    if (per_area["total"].nunique() > 1).any():
        raise SchemaError(f"{path}: column {TOTAL!r} differs between rows of the same LTLA")
    if per_area["country_of_birth"].nunique().nunique() > 1:
        raise SchemaError(f"{path}: LTLAs have different numbers of 'country_of_birth' categories (truncated file?)")
    uk_rows = frame[frame["country_of_birth"].str.strip() == UK]
    if uk_rows["ltla21_code"].duplicated().any():
        raise SchemaError(f"{path}: column 'country_of_birth' repeats {UK!r} for an LTLA")
    totals = per_area["total"].first()
    uk = pd.Series(counts(uk_rows["value"], path, "value").values, index=uk_rows["ltla21_code"].values).reindex(totals.index)
    if uk.isna().any():
        raise SchemaError(f"{path}: column 'country_of_birth' lacks {UK!r} for {int(uk.isna().sum())} LTLAs (renamed category or truncated file?)")
    tidy = pd.concat(
        [
            pd.DataFrame({"area_code": totals.index, "geography": "lad21", "measure": "cob_total", "period": "2021", "value": totals.values}),
            pd.DataFrame({"area_code": totals.index, "geography": "lad21", "measure": "born_outside_uk", "period": "2021", "value": (totals - uk).values}),
        ],
        ignore_index=True,
    )
    return finish_tidy(tidy, path)


def convert_country_of_birth(downloaded: Path, target: Path) -> None:
    labels, rows = bulk_table(downloaded, "ltla", PREFIX)
    codes = column_of(labels, rows, "geography code", downloaded)
    names = column_of(labels, rows, "geography", downloaded)
    total = pd.to_numeric(column_of(labels, rows, "Total: All usual residents", downloaded)).astype("float64")
    skip = {"date", "geography", "geography code", "Total: All usual residents"}
    parts = []
    for position, label in enumerate(labels):
        if label in skip:
            continue
        value = pd.to_numeric(rows[position]).astype("float64")
        parts.append(pd.DataFrame({
            "ltla21_name": names.values, "ltla21_code": codes.values, TOTAL: total.values,
            "country_of_birth": janitor_snake_case(label), "value": value.values, "prop": (value / total).values,
            "_row": np.arange(len(rows)), "_order": position,
        }))
    if not parts:
        raise SchemaError(f"{downloaded}: census2021-ts012-ltla.csv has no country columns")
    long = pd.concat(parts, ignore_index=True).sort_values(["_row", "_order"]).drop(columns=["_row", "_order"])
    write_csv(long, target, gzipped=True)


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session, converters={TS012: convert_country_of_birth})
