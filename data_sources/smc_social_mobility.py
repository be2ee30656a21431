"""Social Mobility Commission State of the Nation 'social mobility by area' groups (2024, 2025), given to each LAD of an SMC area."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from data_sources.base import (
    HIGHER_FAVOURABLE,
    OGL_V3,
    PublisherDirection,
    RawFile,
    SchemaError,
    Source,
    check_codes,
    finish_tidy,
    load_json,
    read_csv_checked,
    to_number,
)
from data_sources.fetching import fetch_source

REPO_RAW = "https://raw.githubusercontent.com/ukgov-equality-hub/smc-son/main/son/content/son/social_mobility_by_area"
SITE_STATIC = "https://social-mobility.data.gov.uk/static/data/by-page/social_mobility_by_area"

SON2024 = "son2024_composite-indices-2.0--all.csv"
SON2025 = "son2025_composite-indices-3.0--all.csv"
CODES2024 = "son2024_203_regions_codes.json"
CODES2025 = "son2025_205_regions_codes.json"
# Each groups file is read with the area -> GSS codes list the SMC site publishes for that edition.
CODES_FOR = {SON2024: (CODES2024, "203_regions"), SON2025: (CODES2025, "205_regions")}

MEASURES = ("childhood_conditions", "labour_market_opportunities", "innovation_and_growth", "promising_prospects")
# Group names per id, as published; a changed pairing means the classification changed and must be reviewed.
GROUPS_2024 = {1: "Least Favourable", 2: "Unfavourable", 3: "Middle Group", 4: "Favourable", 5: "Most Favourable"}
GROUPS_2025 = {1: "Least Favourable", 2: "Unfavourable", 3: "Lower Middling", 4: "Middling", 5: "Upper Middling", 6: "Favourable", 7: "Most Favourable"}
# The SMC areas list LAD codes of the 2023/2024 set (Cumberland, North Yorkshire and Somerset unitaries; old Barnsley code).
LAD_LABEL, COUNTY_LABEL = "lad24", "utla24"
LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06")
_PERIODS_2025 = ("2000_to_2005", "2006_to_2011", "2012_to_2017", "2018_to_2024")
# The group columns each edition must have; a missing one is a renamed or dropped column, not a smaller table.
REQUIRED_IDS = {
    SON2024: [f"{m}_group_id" for m in MEASURES],
    SON2025: [f"{m}_group_id_{p}" for m in MEASURES[:3] for p in _PERIODS_2025]
    + ["promising_prospects_group_id_2018_to_2020", "promising_prospects_group_id_2021_to_2024"],
}

SOURCE = Source(
    id="smc_social_mobility",
    title="State of the Nation: social mobility by area (composite indices 2.0 and 3.0)",
    publisher="Social Mobility Commission",
    licence=OGL_V3,
    landing_page="https://social-mobility.data.gov.uk/state-of-the-nation/social_mobility_by_area/latest",
    published="2025-12-18",
    vintage="State of the Nation 2024 (5 groups) and 2025 (7 groups; periods 2000-2005 to 2018-2024)",
    geography="203/205 SMC areas (unitaries, districts, shire counties as one area), given to each LAD",
    code_vintage="LAD24 (LAD23 set); county E10 codes as utla24",
    files=(
        RawFile(
            name=SON2024,
            url=f"{REPO_RAW}/2.0/composite-indices-2.0--all.csv",
            description="SON 2024: group (1 least to 5 most favourable) of 203 UK areas on four composite measures",
        ),
        RawFile(
            name=SON2025,
            url=f"{REPO_RAW}/3.0/composite-indices-3.0--all.csv",
            description="SON 2025: group (1 least to 7 most favourable) of 205 UK areas on four composite measures, by period",
        ),
        RawFile(
            name=CODES2024,
            url=f"{SITE_STATIC}/203_regions_codes.json",
            description="SMC area (url key) -> GSS codes of the LADs (and county) it covers, SON 2024",
            tidy=False,
        ),
        RawFile(
            name=CODES2025,
            url=f"{SITE_STATIC}/205_regions_codes.json",
            description="SMC area (url key) -> GSS codes of the LADs (and county) it covers, SON 2025",
            tidy=False,
        ),
    ),
    caveats=(
        "SMC areas are unitary authorities, metropolitan districts and London boroughs, but shire counties are one area: "
        "every district of a two-tier county takes the county's group (and the county code gets it too, as utla24). "
        "Some areas are merged (Camden with City of London, Cornwall with Isles of Scilly; in 2024 Bath and North East "
        "Somerset with North Somerset and South Gloucestershire): each LAD takes its SMC area's group, it is not a "
        "district-level estimate. Groups are relative classes (2024: 1-5, 2025: 1-7; higher is more favourable) with "
        "overlapping uncertainty; the 2024 and 2025 scales are not comparable. SON 2024 has one period, labelled '2024' "
        "(the edition); SON 2025 periods are the data years ('2000-2005' ... '2018-2024'). The area -> LAD assignment is the SMC "
        "site's own codes list (the *_regions_codes.json files)."
    ),
    directions=(
        PublisherDirection(
            "son2024__*_group",
            HIGHER_FAVOURABLE,
            f"SMC group names as published in the file's *_group_name columns (checked on read): 1 {GROUPS_2024[1]!r} ... 5 {GROUPS_2024[5]!r}",
        ),
        PublisherDirection(
            "son2025__*_group",
            HIGHER_FAVOURABLE,
            f"SMC group names as published in the file's *_group_name_* columns (checked on read): 1 {GROUPS_2025[1]!r} ... 7 {GROUPS_2025[7]!r}",
        ),
    ),
)


def read(path: Path):
    """A groups CSV as tidy per-LAD rows (needs its codes .json beside it), or a codes .json as an area -> code lookup."""
    path = Path(path)
    if path.name in CODES_FOR:
        codes_name, key = CODES_FOR[path.name]
        return read_groups(path, read_area_codes(path.parent / codes_name, key))
    if path.name == CODES2024:
        return read_area_codes(path, "203_regions")
    if path.name == CODES2025:
        return read_area_codes(path, "205_regions")
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_area_codes(path: Path, key: str) -> pd.DataFrame:
    """SMC area url key -> each GSS code it covers (one row per code; all UK, as published)."""
    path = Path(path)
    try:
        areas = load_json(path, "an SMC regions codes file")[key]
        rows = [(area["url"], area["name"], str(code).strip()) for area in areas for code in area["codes"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaError(f"{path}: not an SMC regions codes file (needs {key!r}: [{{url, name, codes}}]; {type(exc).__name__}: {exc})") from exc
    frame = pd.DataFrame(rows, columns=["region_url", "region_name", "area_code"])
    if frame.empty:
        raise SchemaError(f"{path}: lists no areas")
    if not frame[["region_url", "region_name"]].map(lambda value: isinstance(value, str)).all().all():
        raise SchemaError(f"{path}: an area's 'url' or 'name' is not text")
    check_codes(frame["area_code"], path, "codes")
    if frame["area_code"].duplicated().any():
        raise SchemaError(f"{path}: a code is listed under two areas: {frame.loc[frame['area_code'].duplicated(), 'area_code'].iloc[0]}")
    return frame


def _id_columns(frame: pd.DataFrame, path: Path) -> dict[str, tuple[str, str]]:
    """id column -> (measure, period) from headers like 'childhood_conditions_group_id_2018_to_2024' or '..._group_id'."""
    found = {}
    for column in frame.columns:
        match = re.fullmatch(r"(\w+?)_group_id(?:_(\d{4})_to_(\d{4}))?", column)
        if match:
            period = f"{match.group(2)}-{match.group(3)}" if match.group(2) else "2024"
            found[column] = (match.group(1), period)
    missing = [m for m in MEASURES if m not in {measure for measure, _ in found.values()}]
    if missing:
        raise SchemaError(f"{path}: missing column(s) for {', '.join(repr(f'{m}_group_id') for m in missing)}")
    return found


def parse_groups(path: Path) -> pd.DataFrame:
    """The groups file on its own, long by SMC area: region_url, measure, period, value (group id)."""
    path = Path(path)
    frame = read_csv_checked(path, ["region_url", "region_fullname", *REQUIRED_IDS.get(path.name, [])])
    edition = "son2025" if path.name == SON2025 else "son2024"
    groups = GROUPS_2025 if edition == "son2025" else GROUPS_2024
    if frame["region_url"].duplicated().any():
        raise SchemaError(f"{path}: column 'region_url' repeats an area")
    parts = []
    for column, (measure, period) in _id_columns(frame, path).items():
        ids = to_number(frame[column], path, column)
        name_column = column.replace("_group_id", "_group_name")
        if name_column in frame.columns:
            expected = ids.map(groups)
            if (~ids.dropna().isin(list(groups))).any() or (expected.notna() & (expected != frame[name_column].str.strip())).any():
                raise SchemaError(f"{path}: column {column!r} pairs group ids and names differently from the {edition} classification")
        parts.append(pd.DataFrame({"region_url": frame["region_url"], "measure": f"{edition}__{measure}_group", "period": period, "value": ids}))
    return pd.concat(parts, ignore_index=True)


def read_groups(path: Path, area_codes: pd.DataFrame) -> pd.DataFrame:
    """Each E&W LAD (and county) takes the group of the SMC area that lists its code."""
    path = Path(path)
    long = parse_groups(path)
    unmatched = sorted(set(long["region_url"]) - set(area_codes["region_url"]))
    if unmatched:
        raise SchemaError(f"{path}: column 'region_url' has areas missing from the codes list: {', '.join(unmatched[:3])}")
    long = long.merge(area_codes[["region_url", "area_code"]], on="region_url", how="inner")
    county = long["area_code"].str.startswith("E10")
    long = long[county | long["area_code"].str[:3].isin(LAD_PREFIXES)].copy()
    long["geography"] = LAD_LABEL
    long.loc[long["area_code"].str.startswith("E10"), "geography"] = COUNTY_LABEL
    return finish_tidy(long, path)


def group_labels(measure: str) -> dict[int, str]:
    """Group id -> published name for a measure of this source (for legends)."""
    return GROUPS_2025 if _edition(measure) == SON2025 else GROUPS_2024


def area_codes_of(measure: str) -> tuple[str, str]:
    """(codes file, its JSON key): the SMC area definitions of the edition a measure comes from."""
    return CODES_FOR[_edition(measure)]


def _edition(measure: str) -> str:
    return SON2025 if measure.startswith("son2025") else SON2024


def _validate(path: Path):
    """Fetch-time check of one staged file on its own (the codes list is not beside it yet)."""
    path = Path(path)
    return parse_groups(path) if path.name in CODES_FOR else read(path)


def fetch(dest: Path, session=None) -> Path:
    # read() of a groups CSV needs the codes list beside it, which a staged download does not have; _validate checks alone.
    return fetch_source(SOURCE, Path(dest), _validate, session=session)
