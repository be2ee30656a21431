"""ONS Output Area 2021 -> LSOA 2021 -> MSOA 2021 lookup (England and Wales), the exact nesting used to sum OA census tables."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import OGL_V3, RawFile, SchemaError, Source, check_codes, read_csv_checked, to_number
from data_sources.fetching import fetch_source

LOOKUP = "oa21_lsoa21_msoa21_ew.csv.gz"
HUB_ITEM = "b9ca90c10aaa4b8d9791e9859a38ca67"

SOURCE = Source(
    id="oa21_lookup",
    title="Output Area (2021) to LSOA to MSOA to LAD (December 2021) Exact Fit Lookup in England and Wales",
    publisher="Office for National Statistics (Open Geography Portal)",
    licence=OGL_V3,
    landing_page=f"https://geoportal.statistics.gov.uk/datasets/{HUB_ITEM}",
    published="2023-03-20",
    vintage="December 2021 (Census 2021 output areas)",
    geography="Output area, LSOA and MSOA, England and Wales",
    code_vintage="OA 2021; LSOA 2021; MSOA 2021 (LAD 2022 when refetched)",
    files=(
        RawFile(
            name=LOOKUP,
            url=f"https://hub.arcgis.com/api/v3/datasets/{HUB_ITEM}_0/downloads/data?format=csv&spatialRefId=4326",
            description="One row per OA21 (188,880): its LSOA21 and MSOA21; the held copy also has OA point coordinates (lng, lat)",
            official_format_note=(
                "official CSV (OA21CD, LSOA21CD/NM/NMW, MSOA21CD/NM/NMW, LAD22CD/NM/NMW, ObjectId); held gzipped as "
                "oa21cd, lsoa21cd, msoa21cd (+ lad22cd when refetched). The bundled copy came from ONSvisual/GeoDraw-SvelteKit "
                "and carries lng/lat points that the official lookup does not have"
            ),
            tidy=False,
        ),
    ),
    caveats=(
        "A lookup, not statistics: read_lookup() returns it for the geography layer. OAs nest exactly in LSOAs and LSOAs in "
        "MSOAs. lng/lat in the bundled copy are very probably the ONS population-weighted OA centroids but are not documented "
        "as such; a refetch from the official lookup drops them (and adds lad22cd)."
    ),
)

PREFIXES = {"oa21_code": "00", "lsoa21_code": "01", "msoa21_code": "02"}
# The official download spells headers OA21CD, the held copy oa21cd; accept both.
LOWERCASE = {name: name.lower() for name in ("OA21CD", "LSOA21CD", "MSOA21CD", "LAD22CD")}


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name == LOOKUP:
        return read_lookup(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_lookup(path: Path) -> pd.DataFrame:
    """The lookup as held: oa21_code, lsoa21_code, msoa21_code, plus lad22_code and lng/lat where the file has them."""
    path = Path(path)
    frame = read_csv_checked(path, ["oa21cd", "lsoa21cd", "msoa21cd"], rename=LOWERCASE, require_final_newline=True)
    out = pd.DataFrame({"oa21_code": frame["oa21cd"].str.strip(), "lsoa21_code": frame["lsoa21cd"].str.strip(), "msoa21_code": frame["msoa21cd"].str.strip()})
    if "lad22cd" in frame.columns:
        out["lad22_code"] = frame["lad22cd"].str.strip()
    for column, source in (("oa21_code", "oa21cd"), ("lsoa21_code", "lsoa21cd"), ("msoa21_code", "msoa21cd")):
        check_codes(out[column], path, source)
        wrong = ~out[column].str[1:3].eq(PREFIXES[column])
        if wrong.any():
            raise SchemaError(f"{path}: column {source!r} holds codes of another geography, e.g. {out.loc[wrong, column].iloc[0]!r}")
    for column, low, high in (("lng", -7.0, 2.5), ("lat", 49.5, 56.0)):
        if column in frame.columns:
            values = to_number(frame[column], path, column)
            if values.isna().any() or not values.between(low, high).all():
                raise SchemaError(f"{path}: column {column!r} has blank or out-of-range coordinates")
            out[column] = values
    out = out[out["oa21_code"].str[0].isin(["E", "W"])].reset_index(drop=True)
    if out["oa21_code"].duplicated().any():
        raise SchemaError(f"{path}: column 'oa21cd' repeats an output area")
    if (out.groupby("lsoa21_code")["msoa21_code"].nunique() > 1).any():
        raise SchemaError(f"{path}: an LSOA is assigned to more than one MSOA (columns 'lsoa21cd', 'msoa21cd')")
    return out


def convert_lookup(downloaded: Path, target: Path) -> None:
    frame = read_csv_checked(downloaded, ["OA21CD", "LSOA21CD", "MSOA21CD"], require_final_newline=True)
    columns = ["OA21CD", "LSOA21CD", "MSOA21CD"] + (["LAD22CD"] if "LAD22CD" in frame.columns else [])
    held = frame[columns].rename(columns=str.lower)
    held.to_csv(target, index=False, compression={"method": "gzip", "mtime": 0})


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session, converters={LOOKUP: convert_lookup})
