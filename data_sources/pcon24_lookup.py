"""ONS LSOA 2021 -> Westminster parliamentary constituency (July 2024) lookup, England and Wales: the route from constituency results to small areas."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import OGL_V3, RawFile, SchemaError, Source, check_codes, read_csv_checked
from data_sources.fetching import fetch_source

LOOKUP = "LSOA_(2021)_to_future_Parliamentary_Constituencies_Lookup_in_England_and_Wales.csv"
SERVICE = "LSOA21_PCON24_LAD21_EW_LU"

SOURCE = Source(
    id="pcon24_lookup",
    title="LSOA (2021) to future Parliamentary Constituencies Lookup in England and Wales",
    publisher="Office for National Statistics (Open Geography Portal)",
    licence=OGL_V3,
    landing_page="https://geoportal.statistics.gov.uk/",
    vintage="Constituencies of the 2023 Boundary Review, first used at the general election of 4 July 2024",
    geography="LSOA 2021 -> Westminster parliamentary constituency, England and Wales",
    code_vintage="LSOA 2021; PCON 2024 (ONS names the columns PCON25CD/NM); LAD 2021",
    attribution=(
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
        "Contains OS data © Crown copyright and database right."
    ),
    files=(
        RawFile(
            name=LOOKUP,
            method="arcgis",
            service=SERVICE,
            description=(
                "One row per LSOA21 (35,672): its July 2024 constituency (575: 543 English E14, 32 Welsh W07) and LAD21. "
                "The held copy is the geoportal CSV (the Open Geography Portal download) byte for byte (UTF-8 with BOM; columns LSOA21CD/NM/NMW, "
                "PCON25CD/NM/NMW, LAD21CD/NM/NMW, ObjectId), carried unchanged by a third-party repository (see PROVENANCE.md). "
                "A refresh pages the ArcGIS service instead and writes its fields as CSV without a BOM"
            ),
            official_format_note=(
                "held: the geoportal CSV; refetched: the ArcGIS FeatureServer layer's records written as CSV. The service name "
                "is quoted from third-party code and not checked online; it may name the constituency fields PCON24CD/NM, "
                "which the reader accepts as well"
            ),
            tidy=False,
        ),
    ),
    caveats=(
        "A lookup, not statistics: read_lookup() returns it for apportioning constituency figures. Each LSOA is assigned "
        "whole to one constituency (best-fit style); constituency boundaries do not always follow LSOA boundaries, so sums "
        "over LSOAs approximate constituencies at their edges. The codes in ONS's PCON25CD column are the July 2024 "
        "constituency codes (all 575 equal the House of Commons Library's 2024 ONS IDs)."
    ),
    # A lookup: read() gives codes and names, no measures, so there is no publisher direction to declare.
    directions=(),
)

# The held file names the July 2024 constituencies PCON25 (ONS's "future constituencies" naming); a re-issued
# service may call them PCON24. Either family is read as pcon24.
CONSTITUENCY_COLUMNS = (("PCON25CD", "PCON25NM"), ("PCON24CD", "PCON24NM"))
COLUMNS = ["lsoa21_code", "pcon24_code", "pcon24_name"]
COUNTRY_PREFIX = {"lsoa21_code": {"E": "E01", "W": "W01"}, "pcon24_code": {"E": "E14", "W": "W07"}}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == LOOKUP:
        return read_lookup(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_lookup(path: Path) -> pd.DataFrame:
    """The lookup as lsoa21_code, pcon24_code, pcon24_name: one row per LSOA, codes checked, England and Wales only."""
    path = Path(path)
    frame = read_csv_checked(path, ["LSOA21CD"], require_final_newline=True)
    code_column, name_column = _constituency_columns(frame, path)
    out = pd.DataFrame(
        {
            "lsoa21_code": frame["LSOA21CD"].str.strip(),
            "pcon24_code": frame[code_column].str.strip(),
            "pcon24_name": frame[name_column].str.strip(),
        }
    )
    for column, source in (("lsoa21_code", "LSOA21CD"), ("pcon24_code", code_column)):
        check_codes(out[column], path, source)
        allowed = set(COUNTRY_PREFIX[column].values())
        wrong = ~out[column].str[:3].isin(allowed)
        if wrong.any():
            raise SchemaError(f"{path}: column {source!r} holds codes of another geography, e.g. {out.loc[wrong, column].iloc[0]!r} (expected {'/'.join(sorted(allowed))})")
    # An English LSOA in a Welsh seat (or the reverse) means the columns were shifted or mixed up.
    crossed = out["lsoa21_code"].str[0] != out["pcon24_code"].str[0]
    if crossed.any():
        row = out[crossed].iloc[0]
        raise SchemaError(f"{path}: LSOA {row.lsoa21_code} is assigned to constituency {row.pcon24_code} of the other country (columns 'LSOA21CD', {code_column!r})")
    if out["lsoa21_code"].duplicated().any():
        raise SchemaError(f"{path}: column 'LSOA21CD' repeats an LSOA, e.g. {out.loc[out['lsoa21_code'].duplicated(), 'lsoa21_code'].iloc[0]!r}")
    if out["pcon24_name"].eq("").any():
        raise SchemaError(f"{path}: column {name_column!r} has blank constituency names")
    if (out.groupby("pcon24_code")["pcon24_name"].nunique() > 1).any():
        raise SchemaError(f"{path}: a constituency code has more than one name in column {name_column!r}")
    return out.reset_index(drop=True)


def _constituency_columns(frame: pd.DataFrame, path: Path) -> tuple[str, str]:
    for code, name in CONSTITUENCY_COLUMNS:
        if code in frame.columns and name in frame.columns:
            return code, name
    wanted = " or ".join(f"{code!r} and {name!r}" for code, name in CONSTITUENCY_COLUMNS)
    shown = ", ".join(repr(c) for c in list(frame.columns)[:12])
    raise SchemaError(f"{path}: missing column(s) {wanted}; found {shown}")


def fetch(dest: Path, session=None) -> Path:
    # ArcGIS layers are written as CSV by the shared helper; there is no converter to write.
    return fetch_source(SOURCE, Path(dest), read, session=session)
