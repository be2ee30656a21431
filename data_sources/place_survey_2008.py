"""Place Survey 2008 (DCLG): NI 1 get on well together, NI 2 belonging, NI 4 influence decisions, per English local authority (2009 structure), names matched to codes."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, finish_tidy, read_csv_checked, to_number
from data_sources.fetching import fetch_source

RESULTS_FILE = "place_survey_2008_la_headline_results.csv"
LOOKUP_FILE = "la_names_to_codes_drkane.csv"

SOURCE = Source(
    id="place_survey_2008",
    title="Place Survey: England - headline results 2008",
    publisher="Department for Communities and Local Government",
    licence=OGL_V3,
    landing_page="https://webarchive.nationalarchives.gov.uk/20120919152034/http:/www.communities.gov.uk/publications/corporate/statistics/placesurvey2008",
    published="2009",
    vintage="Survey fieldwork September-December 2008",
    geography="English local authorities (districts, unitaries, metropolitan and London boroughs, shire counties)",
    code_vintage="LAD and county codes of the April 2009 structure",
    files=(
        RawFile(
            name=RESULTS_FILE,
            url="",
            description=(
                "Secondary copy (owenwienczkowski/UKContentmentPredictor UKContentment.csv, said to come from data.gov.uk) of the "
                "DCLG LA headline results: 352 authorities by name and type, NI 1, NI 2, NI 4, NI 5, NI 42 (% of respondents)"
            ),
            official_format_note="no machine-readable official download survives: DCLG tables on the National Archives web archive; microdata UK Data Service SN 6352",
        ),
        RawFile(
            name=LOOKUP_FILE,
            url="",
            description=(
                "Not an official product: drkane/geo-lookups la_all_codes.csv (every LAD code since 2011 with its name, current "
                "successor and upper-tier county), built from the ONS code history; used only to give the survey's names their codes"
            ),
            tidy=False,
        ),
    ),
    caveats=(
        "2008 only; the survey was abolished in 2010 and is not comparable with the Community Life Survey. Values are from a "
        "secondary copy not checked against the DCLG tables. Confidence intervals are not in the file. Names are matched to "
        "codes; six shire counties abolished since 2009 (Buckinghamshire, Cumbria, Dorset, Northamptonshire, North Yorkshire, "
        "Somerset) have no code in the lookup and are left out. County results overlap their districts' results."
    ),
    directions=(
        PublisherDirection(
            "ni*_pct",
            NOT_STATED,
            "NI 1, NI 2, NI 4 as % of respondents: the held secondary copy and PROVENANCE.md give the question wording only and "
            "state no direction for them (the DCLG National Indicator definitions are not held)",
        ),
    ),
)

PERIOD = "2008"
NAME = "Authority"
MEASURES = {
    "Get_On_Well": "ni1_get_on_well_pct",
    "Belong": "ni2_belong_pct",
    "Influence_Decisions": "ni4_influence_decisions_pct",
}
LOOKUP_COLUMNS = ["LADCD", "LADNM", "LADCD_ACTIVE", "UTLACD", "UTLANM"]
# Authority type suffix -> (geography label, code prefix of that type of authority).
TYPES = {"LB": ("lad09", "E09"), "MD": ("lad09", "E08"), "UA": ("lad09", "E06"), "DC": ("lad09", "E07"), "CC": ("cty09", "E10")}
# Authorities renamed after 2009 whose code did not change; the lookup holds only the later name.
RENAMED = {"medway towns": "medway", "shepway": "folkestone and hythe"}
MIN_MATCHED_SHARE = 0.9


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == RESULTS_FILE:
        return read_results(path)
    if path.name == LOOKUP_FILE:
        return read_lookup(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def normalise(name: pd.Series) -> pd.Series:
    """Spelling-insensitive form of an authority name: case, '&', full stops, apostrophes and 'City/County of' ignored."""
    text = name.astype(str).str.lower().str.replace("&", " and ", regex=False)
    text = text.str.replace(r"[.'’]", "", regex=True)
    text = text.str.replace(r",?\s*\b(city|county) of$", "", regex=True)
    return text.str.replace(r"[\s,]+", " ", regex=True).str.strip()


def read_lookup(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, LOOKUP_COLUMNS, dtype_text=LOOKUP_COLUMNS)
    districts = frame[["LADCD", "LADNM", "LADCD_ACTIVE"]].rename(columns={"LADCD": "code", "LADNM": "name", "LADCD_ACTIVE": "successor"})
    counties = frame.loc[frame["UTLACD"].str.startswith("E10"), ["UTLACD", "UTLANM"]].drop_duplicates()
    counties = counties.rename(columns={"UTLACD": "code", "UTLANM": "name"}).assign(successor=lambda f: f["code"])
    table = pd.concat([districts, counties], ignore_index=True)
    table["key"] = normalise(table["name"])
    return table


def match_codes(path: Path) -> pd.DataFrame:
    """One row per surveyed authority: its name, type, matched code (or none) and why."""
    path = Path(path)
    frame = read_csv_checked(path, [NAME, *MEASURES], dtype_text=[NAME])
    parts = frame[NAME].str.extract(r"^(?P<name>.+?)\s+(?P<type>[A-Z]{2})$")
    bad = parts["type"].isna() | ~parts["type"].isin(list(TYPES))
    if bad.any():
        raise SchemaError(f"{path}: column {NAME!r} has names without a known type suffix (LB, MD, UA, DC, CC): {frame.loc[bad, NAME].iloc[0]!r}")
    lookup = read_lookup(path.parent / LOOKUP_FILE)
    keys = normalise(parts["name"]).replace(RENAMED)
    rows = []
    for index, key in keys.items():
        kind = parts.at[index, "type"]
        geography, prefix = TYPES[kind]
        found = lookup[(lookup["key"] == key) & lookup["code"].str.startswith(prefix)]
        codes = set(found["code"])
        # An authority recoded after a boundary change (e.g. Northumberland E06000048 -> E06000057 in 2013) appears
        # under both codes; the 2009 code is the one whose successor is the other.
        superseded = set(found.loc[found["successor"] != found["code"], "code"])
        if len(codes) > 1 and superseded:
            codes = superseded
        code = next(iter(codes)) if len(codes) == 1 else None
        reason = "matched" if code else ("no code in lookup" if not codes else f"ambiguous: {sorted(codes)}")
        rows.append({"authority": frame.at[index, NAME], "type": kind, "geography": geography, "area_code": code, "status": reason})
    return pd.DataFrame(rows, index=frame.index)


def read_results(path: Path) -> pd.DataFrame:
    frame = read_csv_checked(path, [NAME, *MEASURES], dtype_text=[NAME])
    matches = match_codes(path)
    matched = matches["area_code"].notna()
    if matched.mean() < MIN_MATCHED_SHARE:
        raise SchemaError(f"{path}: only {int(matched.sum())} of {len(matches)} authority names matched a code in {LOOKUP_FILE}")
    if matches.loc[matched, "area_code"].duplicated().any():
        twice = matches.loc[matched & matches["area_code"].duplicated(keep=False), "authority"].tolist()
        raise SchemaError(f"{path}: two authorities matched the same code: {twice}")
    parts = []
    for column, measure in MEASURES.items():
        values = to_number(frame[column], path, column)
        if values.isna().any() or ((values < 0) | (values > 100)).any():
            raise SchemaError(f"{path}: column {column!r} has blank or out-of-range percentages (truncated file?)")
        parts.append(
            pd.DataFrame(
                {
                    "area_code": matches.loc[matched, "area_code"].values,
                    "geography": matches.loc[matched, "geography"].values,
                    "measure": measure,
                    "period": PERIOD,
                    "value": values[matched].values,
                }
            )
        )
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def fetch(dest: Path, session=None) -> Path:
    # Neither file has an official download to refresh from (see SOURCE), so fetch has nothing to replace.
    return fetch_source(SOURCE, Path(dest), read, session=session)
