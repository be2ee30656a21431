"""Census 2021 topic summaries (ONS via Nomis): ethnic group, religion, household deprivation (LSOA21), English proficiency and migrant indicator (MSOA21), country of birth, household language and national identity (OA21)."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
    read_parquet_checked,
    to_number,
)
from data_sources.fetching import fetch_source

PERIOD = "2021"
BULK = "https://www.nomisweb.co.uk/output/census/2021/census2021-{table}.zip"

F_TS021 = "census2021_ts021_ethnic_group_broad_lsoa21.csv.gz"
F_TS030 = "census2021_ts030_religion_lsoa21.csv.gz"
F_TS011 = "census2021_ts011_household_deprivation_lsoa21.csv.gz"
F_TS029 = "census2021_ts029_english_proficiency_msoa21.csv"
F_TS019 = "census2021_ts019_migrant_indicator_msoa21.csv"
F_TS004 = "census2021_ts004_country_of_birth_oa21.parquet"
F_TS025 = "census2021_ts025_household_language_oa21.parquet"
F_TS027 = "census2021_ts027_national_identity_oa21.parquet"
F_METADATA = "singleton_oa_table_metadata.csv"


def _bulk_file(name: str, table: str, level: str, description: str, note: str) -> RawFile:
    return RawFile(
        name=name,
        url=BULK.format(table=table),
        description=description,
        official_format_note=f"official Nomis bulk zip holding one CSV per geography; the held file is built from census2021-{table}-{level}.csv: {note}",
    )


SOURCE = Source(
    id="census2021",
    title="Census 2021 topic summaries (TS004, TS011, TS019, TS021, TS025, TS027, TS029, TS030)",
    publisher="Office for National Statistics (distributed by Nomis)",
    licence=OGL_V3,
    landing_page="https://www.nomisweb.co.uk/sources/census_2021_bulk",
    published="2022-11",
    vintage="Census 2021 (census day 21 March 2021)",
    geography="LSOA, MSOA and output area, England and Wales",
    code_vintage="OA 2021; LSOA 2021; MSOA 2021",
    files=(
        _bulk_file(F_TS021, "ts021", "lsoa", "TS021 ethnic group: LSOA21 totals and the five high-level groups",
                   "long (lsoa21_code, total_residents, ethnic_group, n, prop), high-level groups only"),
        _bulk_file(F_TS030, "ts030", "lsoa", "TS030 religion: LSOA21 totals and the nine categories incl. 'Not answered'",
                   "long (lsoa21_code, total_residents, religion, n, prop)"),
        _bulk_file(F_TS011, "ts011", "lsoa", "TS011 households by deprivation dimensions (0-4): LSOA21",
                   "long (lsoa21_code, total_households, deprivation_dimensions, n, prop)"),
        _bulk_file(F_TS029, "ts029", "msoa", "TS029 proficiency in English, usual residents aged 3+: MSOA21",
                   "wide, table prefix stripped from headers, Total column dropped, a 'Proportion who cannot speak English (well)' column added"),
        _bulk_file(F_TS019, "ts019", "msoa", "TS019 migrant indicator (address one year before the census): MSOA21",
                   "wide with snake_case headers and two added share columns"),
        _bulk_file(F_TS004, "ts004", "oa", "TS004 country of birth (15 categories, hierarchical): OA21",
                   "parquet, headers coded ts0040001..ts0040015 in the official column order (labels in singleton_oa_table_metadata.csv)"),
        _bulk_file(F_TS025, "ts025", "oa", "TS025 household language (households): OA21",
                   "parquet, headers coded ts0250001..ts0250005 in the official column order"),
        _bulk_file(F_TS027, "ts027", "oa", "TS027 national identity (UK), 20 categories, hierarchical: OA21",
                   "parquet, headers coded ts0270001..ts0270020 in the official column order"),
        RawFile(
            name=F_METADATA,
            url="",
            description="Column dictionary (new_names -> official labels) for the coded OA parquet files; compiled by Alex Singleton "
            "(GitHub alexsingleton/Census_2021_Output_Areas, Table_Metadata.csv), not an ONS product",
            tidy=False,
        ),
    ),
    caveats=(
        "ONS cell-key perturbation: small-area counts do not sum exactly to published totals (E+W TS021 LSOA sum 59,597,576 vs "
        "published 59,597,542), and different tables give slightly different totals for the same area. TS029 English proficiency "
        "is held at MSOA only (no ward figure: MSOAs do not nest in wards). TS004/TS025/TS027 are held at OA only: aggregate with "
        "the OA21 lookup (source oa21_lookup). TS019's universe is usual residents aged 1 and over (so migrant_total is below the "
        "population). Ethnic group and religion are context, never deficits."
    ),
    directions=(
        PublisherDirection("ethnic_*", NOT_STATED, "TS021 counts of usual residents by broad ethnic group: counts; ONS states no direction"),
        PublisherDirection("religion_*", NOT_STATED, "TS030 counts of usual residents by religion: counts; ONS states no direction"),
        PublisherDirection("hh_deprivation_total", NOT_STATED, "TS011 count of all households: a count; ONS states no direction"),
        PublisherDirection("hh_not_deprived", NOT_STATED, "TS011 count of households deprived in no dimension: a count; ONS states no direction for an area's count"),
        PublisherDirection("hh_deprived_*_dim", NOT_STATED, "TS011 counts of households deprived in 1-4 dimensions: counts; ONS states no direction for an area's count"),
        PublisherDirection("hh_language_total", NOT_STATED, "TS025 count of all households: a count; ONS states no direction"),
        PublisherDirection("hh_*_english", NOT_STATED, "TS025 counts of households by adults' main language: counts; ONS states no direction"),
        PublisherDirection("cob_total", NOT_STATED, "TS004 count of usual residents: a count; ONS states no direction"),
        PublisherDirection("born_*", NOT_STATED, "TS004 counts of usual residents by country of birth: counts; ONS states no direction"),
        PublisherDirection("identity_*", NOT_STATED, "TS027 counts of usual residents by national identity: counts; ONS states no direction"),
        PublisherDirection("english_prof_total", NOT_STATED, "TS029 count of usual residents aged 3 and over: a count; ONS states no direction"),
        PublisherDirection("main_language_*", NOT_STATED, "TS029 counts by main language: counts; ONS states no direction"),
        PublisherDirection("cannot_speak_english*", NOT_STATED, "TS029 counts by English proficiency: counts; ONS states no direction"),
        PublisherDirection("migrant_*", NOT_STATED, "TS019 counts of usual residents by address one year ago: counts; ONS states no direction"),
        PublisherDirection("address_same", NOT_STATED, "TS019 count of residents at the same address one year ago: a count; ONS states no direction"),
    ),
)


# ---------------------------------------------------------------------------------------------
# What each held file contains, in the official labels
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LongTable:
    """An LSOA table held long: one row per LSOA x category, with the LSOA total repeated on each row."""

    table: str
    prefix: str  # the official header prefix, e.g. "Ethnic group"
    category_column: str
    total_column: str
    total_label: str  # official label of the total column
    total_measure: str
    categories: dict[str, str]  # official category label (held as-is in the long file) -> measure


LONG_TABLES = {
    F_TS021: LongTable(
        table="ts021",
        prefix="Ethnic group",
        category_column="ethnic_group",
        total_column="total_residents",
        total_label="Total: All usual residents",
        total_measure="ethnic_total",
        categories={
            "Asian, Asian British or Asian Welsh": "ethnic_asian",
            "Black, Black British, Black Welsh, Caribbean or African": "ethnic_black",
            "Mixed or Multiple ethnic groups": "ethnic_mixed",
            "White": "ethnic_white",
            "Other ethnic group": "ethnic_other",
        },
    ),
    F_TS030: LongTable(
        table="ts030",
        prefix="Religion",
        category_column="religion",
        total_column="total_residents",
        total_label="Total: All usual residents",
        total_measure="religion_total",
        categories={
            "No religion": "religion_no_religion",
            "Christian": "religion_christian",
            "Buddhist": "religion_buddhist",
            "Hindu": "religion_hindu",
            "Jewish": "religion_jewish",
            "Muslim": "religion_muslim",
            "Sikh": "religion_sikh",
            "Other religion": "religion_other",
            "Not answered": "religion_not_answered",
        },
    ),
    F_TS011: LongTable(
        table="ts011",
        prefix="Household deprivation",
        category_column="deprivation_dimensions",
        total_column="total_households",
        total_label="Total: All households",
        total_measure="hh_deprivation_total",
        categories={
            "Household is not deprived in any dimension": "hh_not_deprived",
            "Household is deprived in one dimension": "hh_deprived_1_dim",
            "Household is deprived in two dimensions": "hh_deprived_2_dim",
            "Household is deprived in three dimensions": "hh_deprived_3_dim",
            "Household is deprived in four dimensions": "hh_deprived_4_dim",
        },
    ),
}

TS029_PREFIX = "Proficiency in English language"
TS029_TOTAL = "Total: All usual residents aged 3 years and over"
TS029_ENGLISH = "Main language is English (English or Welsh in Wales)"
TS029_NOT_ENGLISH = "Main language is not English (English or Welsh in Wales)"
TS029_VERY_WELL = f"{TS029_NOT_ENGLISH}: Can speak English very well"
TS029_WELL = f"{TS029_NOT_ENGLISH}: Can speak English well"
TS029_NOT_WELL = f"{TS029_NOT_ENGLISH}: Cannot speak English well"
TS029_NOT_AT_ALL = f"{TS029_NOT_ENGLISH}: Cannot speak English"
TS029_PROPORTION = "Proportion who cannot speak English (well)"
TS029_MEASURES = {
    TS029_ENGLISH: "main_language_english",
    TS029_NOT_ENGLISH: "main_language_not_english",
    TS029_NOT_WELL: "cannot_speak_english_well",
    TS029_NOT_AT_ALL: "cannot_speak_english",
}

TS019_PREFIX = "Migrant indicator"
# official label -> held column; the held file renamed them (demographr), we keep that layout.
TS019_COLUMNS = {
    "Total: All usual residents": "all_usual_residents",
    "Address one year ago is the same as the address of enumeration": "address_one_year_ago_is_the_same",
    "Address one year ago is student term-time or boarding school address in the UK": "address_one_year_ago_is_student_or_boarding",
    "Migrant from within the UK: Address one year ago was in the UK": "migrant_from_within_uk",
    "Migrant from outside the UK: Address one year ago was outside the UK": "migrant_from_outside_uk",
}
TS019_MEASURES = {
    "all_usual_residents": "migrant_total",
    "address_one_year_ago_is_the_same": "address_same",
    "migrant_from_within_uk": "migrant_within_uk",
    "migrant_from_outside_uk": "migrant_outside_uk",
}

# Official OA headers in column order (from singleton_oa_table_metadata.csv `old_names`, suffixes dropped):
# the parquet columns are these, coded tsNNN0001.. by position.
OA_LABELS = {
    "ts004": (
        "Country of birth",
        [
            "Total", "Europe", "Europe: United Kingdom", "Europe: EU countries",
            "Europe: EU countries: European Union EU14", "Europe: EU countries: European Union EU8",
            "Europe: EU countries: European Union EU2", "Europe: EU countries: All other EU countries",
            "Europe: Non-EU countries", "Europe: Non-EU countries: All other non-EU countries", "Africa",
            "Middle East and Asia", "The Americas and the Caribbean",
            "Antarctica and Oceania (including Australasia) and Other", "British Overseas",
        ],
    ),
    "ts025": (
        "Household language (English and Welsh)",
        [
            "Total: All households",
            "All adults in household have English in England, or English or Welsh in Wales as a main language",
            "At least one but not all adults in household have English in England, or English or Welsh in Wales as a main language",
            "No adults in household, but at least one person aged 3 to 15 years, has English in England or English or Welsh in Wales as a main language",
            "No people in household have English in England, or English or Welsh in Wales as a main language",
        ],
    ),
    "ts027": (
        "National identity",
        [
            "Total: All usual residents", "British only identity", "English only identity",
            "English and British only identity", "Welsh only identity", "Welsh and British only identity",
            # A parent row: it contains the next seven categories (checked: equal at every OA).
            "Any other combination of only UK identities", "Scottish only identity",
            "Scottish and British only identity", "Northern Irish only identity",
            "Northern Irish and British only identity", "Cornish only identity", "Cornish and British only identity",
            "Any other combination of only UK identities", "Irish only identity", "Irish and at least one UK identity",
            "Other identity only", "Other identity and at least one UK identity", "Non-UK identity only",
            "UK identity and non-UK identity",
        ],
    ),
}


def oa_columns(table: str) -> list[str]:
    return [f"{table}{i:04d}" for i in range(1, len(OA_LABELS[table][1]) + 1)]


def _c(table: str, position: int) -> str:
    return f"{table}{position:04d}"


# measure -> held columns summed. Categories are hierarchical, so only non-overlapping ones are added.
OA_MEASURES = {
    F_TS004: ("ts004", {
        "cob_total": [_c("ts004", 1)],
        "born_uk": [_c("ts004", 3)],
    }),
    F_TS025: ("ts025", {
        "hh_language_total": [_c("ts025", 1)],
        "hh_all_adults_english": [_c("ts025", 2)],
        # "no adult" = only children have it (4) + nobody has it (5).
        "hh_no_adult_english": [_c("ts025", 4), _c("ts025", 5)],
        "hh_no_person_english": [_c("ts025", 5)],
    }),
    F_TS027: ("ts027", {
        "identity_total": [_c("ts027", 1)],
        # British, English, English+British, Welsh, Welsh+British and the parent "any other combination of only UK identities" (7 = 8..14).
        "identity_uk_only": [_c("ts027", i) for i in range(2, 8)],
        "identity_uk_and_non_uk": [_c("ts027", 20)],
        "identity_non_uk_only": [_c("ts027", 19)],
    }),
}

METADATA_COLUMNS = ["Table_Name", "Variable_Name", "new_names", "Table_ID", "old_names"]


# ---------------------------------------------------------------------------------------------
# Reading the held files
# ---------------------------------------------------------------------------------------------

def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name in LONG_TABLES:
        return read_lsoa_long(path, LONG_TABLES[path.name])
    if path.name == F_TS029:
        return read_english_proficiency(path)
    if path.name == F_TS019:
        return read_migrant_indicator(path)
    if path.name in OA_MEASURES:
        return read_oa_table(path)
    if path.name == F_METADATA:
        return read_table_metadata(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def counts(values: pd.Series, path: Path | str, column: str) -> pd.Series:
    """Census counts are never suppressed (ONS perturbs instead), so a blank cell means a damaged file."""
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
    else:
        numbers = to_number(values, path, column)
    if numbers.isna().any():
        raise SchemaError(f"{path}: column {column!r} has {int(numbers.isna().sum())} empty cells (truncated or damaged file?)")
    return numbers


def england_wales(frame: pd.DataFrame, column: str, path: Path | str) -> pd.DataFrame:
    codes = frame[column].astype(str).str.strip()
    check_codes(codes, path, column)
    return frame.assign(**{column: codes})[codes.str[0].isin(["E", "W"])]


def _long(codes: pd.Series, geography: str, measure: str, values: np.ndarray | pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"area_code": np.asarray(codes), "geography": geography, "measure": measure, "period": PERIOD, "value": np.asarray(values, dtype="float64")})


def read_lsoa_long(path: Path, spec: LongTable) -> pd.DataFrame:
    frame = read_csv_checked(path, ["lsoa21_code", spec.total_column, spec.category_column, "n"], require_final_newline=True)
    frame = england_wales(frame, "lsoa21_code", path)
    labels = frame[spec.category_column].str.strip()
    unknown = sorted(set(labels) - set(spec.categories))
    missing = sorted(set(spec.categories) - set(labels))
    if unknown or missing:
        raise SchemaError(f"{path}: column {spec.category_column!r} categories changed: unexpected {unknown[:3]}, missing {missing[:3]}")
    frame = frame.assign(
        measure=labels.map(spec.categories),
        value=counts(frame["n"], path, "n").values,
        total=counts(frame[spec.total_column], path, spec.total_column).values,
    )
    per_area = frame.groupby("lsoa21_code", sort=False)
    if (per_area["total"].nunique() > 1).any():
        raise SchemaError(f"{path}: column {spec.total_column!r} differs between rows of the same LSOA")
    if (per_area["measure"].size() != len(spec.categories)).any():
        raise SchemaError(f"{path}: some LSOAs lack a row per {spec.category_column!r} category (truncated file?)")
    totals = per_area["total"].first()
    parts = [
        pd.DataFrame({"area_code": frame["lsoa21_code"].values, "geography": "lsoa21", "measure": frame["measure"].values, "period": PERIOD, "value": frame["value"].values}),
        _long(totals.index, "lsoa21", spec.total_measure, totals.values),
    ]
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def read_english_proficiency(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, ["msoa21_code", *TS029_MEASURES], require_final_newline=True)
    frame = england_wales(frame, "msoa21_code", path)
    values = {column: counts(frame[column], path, column) for column in TS029_MEASURES}
    parts = [_long(frame["msoa21_code"], "msoa21", measure, values[column]) for column, measure in TS029_MEASURES.items()]
    # The held file dropped the official total; it is the sum of the two main-language groups.
    parts.append(_long(frame["msoa21_code"], "msoa21", "english_prof_total", values[TS029_ENGLISH] + values[TS029_NOT_ENGLISH]))
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def read_migrant_indicator(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, ["msoa21_code", *TS019_MEASURES], require_final_newline=True)
    frame = england_wales(frame, "msoa21_code", path)
    parts = [_long(frame["msoa21_code"], "msoa21", measure, counts(frame[column], path, column)) for column, measure in TS019_MEASURES.items()]
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def read_oa_table(path: Path) -> pd.DataFrame:
    table, measures = OA_MEASURES[path.name]
    frame = read_parquet_checked(path, ["OA", *oa_columns(table)])
    frame = england_wales(frame, "OA", path)
    values = {column: counts(frame[column], path, column) for column in oa_columns(table)}
    parts = [_long(frame["OA"], "oa21", measure, sum(values[c] for c in columns)) for measure, columns in measures.items()]
    if table == "ts004":
        # Born outside the UK: everyone not born in the UK (incl. British Overseas territories), as ONS defines it.
        parts.append(_long(frame["OA"], "oa21", "born_outside_uk", values[_c("ts004", 1)] - values[_c("ts004", 3)]))
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def read_table_metadata(path: Path) -> pd.DataFrame:
    """Not tidy: the label dictionary of the coded OA files, as published by its compiler."""
    frame = read_csv_checked(path, METADATA_COLUMNS, require_final_newline=True)
    for table in OA_LABELS:
        if not frame["new_names"].isin(oa_columns(table)).sum() == len(oa_columns(table)):
            raise SchemaError(f"{path}: column 'new_names' lacks some of {table}'s coded columns")
    return frame


# ---------------------------------------------------------------------------------------------
# Converting the official Nomis bulk zips to the held layout
# ---------------------------------------------------------------------------------------------

def normalise_label(label: str, prefix: str) -> str:
    """Official headers read '<table>: <category>' with '; measures: Value' on some tables; keep the category."""
    label = label.strip()
    if label.endswith("; measures: Value"):
        label = label[: -len("; measures: Value")].strip()
    if label.startswith(prefix + ":"):
        label = label[len(prefix) + 1 :].strip()
    return label


def bulk_table(downloaded: Path, level: str, prefix: str) -> tuple[list[str], pd.DataFrame]:
    """The '<level>' CSV of a Nomis bulk zip: category labels (prefix stripped, duplicates kept) and positional columns."""
    try:
        archive = zipfile.ZipFile(downloaded)
    except zipfile.BadZipFile as exc:
        raise SchemaError(f"{downloaded}: not a zip archive (an error page from the server?)") from exc
    with archive:
        members = [n for n in archive.namelist() if n.lower().endswith(f"-{level}.csv")]
        if len(members) != 1:
            raise SchemaError(f"{downloaded}: expected one '*-{level}.csv' in the zip, found {archive.namelist()[:10]}")
        text = archive.read(members[0]).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)), [])
    labels = [normalise_label(h, prefix) for h in header]
    # Official headers can repeat (TS027), so columns are positions, not names.
    rows = pd.read_csv(io.StringIO(text), header=None, skiprows=1, dtype=str, keep_default_na=False, names=list(range(len(labels))))
    for needed in ("date", "geography code"):
        if needed not in labels:
            raise SchemaError(f"{downloaded}: {members[0]} lacks column {needed!r}")
    return labels, rows


def column_of(labels: list[str], rows: pd.DataFrame, label: str, where: Path) -> pd.Series:
    if labels.count(label) != 1:
        raise SchemaError(f"{where}: official column {label!r} found {labels.count(label)} times")
    return rows[labels.index(label)]


def write_csv(frame: pd.DataFrame, target: Path, *, gzipped: bool) -> None:
    # target is a temporary name (".x.csv.gz.123.part"), so the held format is stated, not guessed from it.
    frame.to_csv(target, index=False, compression={"method": "gzip", "mtime": 0} if gzipped else None)


def convert_lsoa_long(spec: LongTable):
    def convert(downloaded: Path, target: Path) -> None:
        labels, rows = bulk_table(downloaded, "lsoa", spec.prefix)
        codes = column_of(labels, rows, "geography code", downloaded)
        total = pd.to_numeric(column_of(labels, rows, spec.total_label, downloaded)).astype("float64")
        parts = []
        for order, label in enumerate(spec.categories):
            n = pd.to_numeric(column_of(labels, rows, label, downloaded)).astype("float64")
            parts.append(pd.DataFrame({"lsoa21_code": codes.values, spec.total_column: total.values, spec.category_column: label, "n": n.values, "prop": (n / total).values, "_row": np.arange(len(rows)), "_order": order}))
        long = pd.concat(parts, ignore_index=True).sort_values(["_row", "_order"]).drop(columns=["_row", "_order"])
        write_csv(long, target, gzipped=True)

    return convert


def convert_english_proficiency(downloaded: Path, target: Path) -> None:
    labels, rows = bulk_table(downloaded, "msoa", TS029_PREFIX)
    held = pd.DataFrame({"msoa21_code": column_of(labels, rows, "geography code", downloaded).values})
    for label in (TS029_ENGLISH, TS029_NOT_ENGLISH, TS029_VERY_WELL, TS029_WELL, TS029_NOT_WELL, TS029_NOT_AT_ALL):
        held[label] = pd.to_numeric(column_of(labels, rows, label, downloaded)).astype("float64").values
    total = pd.to_numeric(column_of(labels, rows, TS029_TOTAL, downloaded)).astype("float64").values
    held[TS029_PROPORTION] = (held[TS029_NOT_WELL] + held[TS029_NOT_AT_ALL]) / total
    write_csv(held, target, gzipped=False)


def convert_migrant_indicator(downloaded: Path, target: Path) -> None:
    labels, rows = bulk_table(downloaded, "msoa", TS019_PREFIX)
    held = pd.DataFrame({
        "msoa21_code": column_of(labels, rows, "geography code", downloaded).values,
        "msoa21_name": column_of(labels, rows, "geography", downloaded).values,
    })
    for label, column in TS019_COLUMNS.items():
        held[column] = pd.to_numeric(column_of(labels, rows, label, downloaded)).astype("float64").values
    held["prop_migrated_from_within_uk"] = held["migrant_from_within_uk"] / held["all_usual_residents"]
    held["prop_migrated_from_outside_uk"] = held["migrant_from_outside_uk"] / held["all_usual_residents"]
    write_csv(held, target, gzipped=False)


def convert_oa_table(table: str):
    prefix, expected = OA_LABELS[table]

    def convert(downloaded: Path, target: Path) -> None:
        labels, rows = bulk_table(downloaded, "oa", prefix)
        start = labels.index("geography code") + 1
        found = labels[start:]
        if found != expected:
            changed = [(i + 1, f, e) for i, (f, e) in enumerate(zip(found, expected)) if f != e][:3]
            raise SchemaError(f"{downloaded}: {table} OA columns changed ({len(found)} found, {len(expected)} expected; first differences {changed})")
        held = pd.DataFrame({"OA": column_of(labels, rows, "geography code", downloaded).values})
        for offset, column in enumerate(oa_columns(table)):
            held[column] = pd.to_numeric(rows[start + offset]).astype("float64").values
        held.to_parquet(target, index=False)

    return convert


CONVERTERS = {
    **{name: convert_lsoa_long(spec) for name, spec in LONG_TABLES.items()},
    F_TS029: convert_english_proficiency,
    F_TS019: convert_migrant_indicator,
    F_TS004: convert_oa_table("ts004"),
    F_TS025: convert_oa_table("ts025"),
    F_TS027: convert_oa_table("ts027"),
}


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session, converters=CONVERTERS)
