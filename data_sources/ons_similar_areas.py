"""ONS Explore Local Statistics similar areas: 20 nearest neighbours (global, economic, demographic) and cluster allocation per local authority."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources.base import OGL_V3, RawFile, SchemaError, Source, check_codes, load_json, read_csv_checked
from data_sources.fetching import fetch_source

RAW_BASE = "https://raw.githubusercontent.com/ONSdigital/explore-local-statistics-app/main/scripts/config/clusters"
KINDS = ("global", "economic", "demographic")
NEIGHBOURS = {f"{kind}-neighbours.csv": kind for kind in KINDS}
CLUSTERS = "cluster-allocation.csv"
DESCRIPTIONS = "cluster-descriptions.json"
RANKS = [str(rank) for rank in range(1, 21)]
# Area rows kept: local authorities (LAD 2025 codes, Barnsley and Sheffield recoded) and counties; combined
# authorities (E47) and areas outside England and Wales are dropped. Neighbour codes are kept as published
# (they include Scottish and Northern Irish councils) so that ranks stay intact; filter them where needed.
LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06")
COUNTY_PREFIX = "E10"
NO_CLUSTER = {"[x]", ""}

SOURCE = Source(
    id="ons_similar_areas",
    title="Explore Local Statistics: statistical nearest neighbours and clusters of local authorities",
    publisher="Office for National Statistics",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing/methodologies/clusteringsimilarlocalauthoritiesandstatisticalnearestneighboursintheuk",
    published="2026-03-16",
    vintage="ELS clusters and nearest neighbours as of March 2026",
    geography="UK local authorities (LAD) and counties; England and Wales areas kept",
    code_vintage="LAD25 (E08000038 Barnsley, E08000039 Sheffield); counties E10",
    files=tuple(
        RawFile(
            name=name,
            url=f"{RAW_BASE}/{name}",
            description=f"For each area its 20 most similar areas on the ONS {kind} measure set, in rank order (columns 1..20)",
            tidy=False,
        )
        for name, kind in NEIGHBOURS.items()
    )
    + (
        RawFile(name=CLUSTERS, url=f"{RAW_BASE}/{CLUSTERS}", description="Cluster letter (A-D) of each UK LAD in the global, economic and demographic clusterings", tidy=False),
        RawFile(name=DESCRIPTIONS, url=f"{RAW_BASE}/{DESCRIPTIONS}", description="Text description of each cluster", tidy=False),
    ),
    caveats=(
        "Nearest neighbours are for comparison, not a statistic: similarity is on ONS' chosen indicators (see the methodology). "
        "Neighbour lists span the UK; counties (E10) have upper-tier neighbours (counties and unitaries). Isles of Scilly and City of London have no "
        "global or economic cluster ('[x]')."
    ),
)


def read(path: Path) -> pd.DataFrame:
    """Dispatch on the file name; these files are lookups for the similar-areas feature, not tidy statistics."""
    path = Path(path)
    if path.name in NEIGHBOURS:
        return read_neighbours(path)
    if path.name == CLUSTERS:
        return read_clusters(path)
    if path.name == DESCRIPTIONS:
        return read_cluster_descriptions(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def _keep_area(codes: pd.Series) -> pd.Series:
    prefix = codes.str[:3]
    return prefix.isin(LAD_PREFIXES) | (prefix == COUNTY_PREFIX)


def _geography(codes: pd.Series) -> pd.Series:
    return codes.str[:3].map(lambda p: "utla25" if p == COUNTY_PREFIX else "lad25")


def read_neighbours(path: Path) -> pd.DataFrame:
    """One row per area and neighbour: area_code, neighbour_code, rank (1 = most similar), kind, geography."""
    path = Path(path)
    kind = NEIGHBOURS.get(path.name)
    if kind is None:
        raise SchemaError(f"{path}: not a neighbours file (expected one of {', '.join(NEIGHBOURS)})")
    frame = read_csv_checked(path, ["AREACD", *RANKS])
    frame = frame[_keep_area(frame["AREACD"].str.strip())]
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales local authority rows")
    long = frame.melt(id_vars="AREACD", value_vars=RANKS, var_name="rank", value_name="neighbour_code")
    long["AREACD"] = long["AREACD"].str.strip()
    long["neighbour_code"] = long["neighbour_code"].str.strip()
    long = long[long["neighbour_code"] != ""]
    check_codes(long["AREACD"], path, "AREACD")
    check_codes(long["neighbour_code"], path, "neighbour columns 1..20")
    out = pd.DataFrame(
        {
            "area_code": long["AREACD"].values,
            "neighbour_code": long["neighbour_code"].values,
            "rank": long["rank"].astype(int).values,
            "kind": kind,
            "geography": _geography(long["AREACD"]).values,
        }
    ).sort_values(["area_code", "rank"], kind="stable").reset_index(drop=True)
    if out.duplicated(["area_code", "rank"]).any() or out.duplicated(["area_code", "neighbour_code"]).any():
        raise SchemaError(f"{path}: an area lists the same rank or neighbour twice")
    if (out["area_code"] == out["neighbour_code"]).any():
        raise SchemaError(f"{path}: an area is listed as its own neighbour")
    return out


def read_clusters(path: Path) -> pd.DataFrame:
    """One row per area and clustering: area_code, area_name, kind, cluster (lower-case letter; missing where '[x]')."""
    path = Path(path)
    columns = {"Global": "global", "Economic": "economic", "Demographic": "demographic"}
    frame = read_csv_checked(path, ["AREACD", "AREANM", *columns])
    frame["AREACD"] = frame["AREACD"].str.strip()
    frame = frame[_keep_area(frame["AREACD"])]
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales local authority rows")
    check_codes(frame["AREACD"], path, "AREACD")
    if frame["AREACD"].duplicated().any():
        raise SchemaError(f"{path}: column 'AREACD' repeats an area")
    parts = []
    for column, kind in columns.items():
        letters = frame[column].str.strip()
        bad = ~(letters.str.fullmatch(r"[A-Za-z]") | letters.isin(NO_CLUSTER))
        if bad.any():
            raise SchemaError(f"{path}: column {column!r} has values that are not cluster letters: {sorted(set(letters[bad]))[:3]}")
        parts.append(
            pd.DataFrame(
                {
                    "area_code": frame["AREACD"].values,
                    "area_name": frame["AREANM"].values,
                    "kind": kind,
                    "cluster": letters.where(~letters.isin(NO_CLUSTER)).str.lower().values,
                    "geography": _geography(frame["AREACD"]).values,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def read_cluster_descriptions(path: Path) -> pd.DataFrame:
    """kind, cluster letter, description."""
    path = Path(path)
    try:
        body = load_json(path, "a cluster descriptions file")
        rows = [(kind, letter.lower(), text) for kind in KINDS for letter, text in body[kind].items()]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SchemaError(f"{path}: not a cluster descriptions file (needs objects {', '.join(KINDS)}; {type(exc).__name__}: {exc})") from exc
    if not all(isinstance(text, str) for _, _, text in rows):
        raise SchemaError(f"{path}: a cluster description is not text")
    return pd.DataFrame([(kind, letter, text.strip()) for kind, letter, text in rows], columns=["kind", "cluster", "description"])


def neighbours(raw_root: Path, area_code: str, kind: str = "global", n: int = 20) -> list[str]:
    """The n most similar areas to area_code on one measure set, most similar first."""
    frame = read_neighbours(Path(raw_root) / SOURCE.raw_folder / f"{kind}-neighbours.csv")
    return frame.loc[frame["area_code"] == area_code, "neighbour_code"].head(n).tolist()


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
