"""Shared vocabulary of the loaders: source declarations, the tidy schema, clear errors and careful file readers."""
from __future__ import annotations

import csv
import fnmatch
import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

OGL_V3 = "Open Government Licence v3.0"
OGL_V3_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# Every reader returns this long shape so the indicator layer can treat all sources alike.
TIDY_COLUMNS = ["area_code", "geography", "measure", "period", "value", "lower_ci", "upper_ci"]
TIDY_KEY = ["area_code", "geography", "measure", "period"]

# Publishers mark suppressed or unavailable cells with these; they are missing, never zero.
SUPPRESSION_MARKERS = frozenset({":", "x", "X", "..", "c", "C", "z", "*", "-", "–", "", "[x]", "[c]", "[z]", "[u]", "[low]", "N/A", "n/a", "NA", "#N/A", "~"})


class DataSourceError(Exception):
    """Base of every error a loader raises on purpose: the message names the source and file."""


class SchemaError(DataSourceError):
    """A raw file cannot be read as its source declares: missing, renamed or unparseable columns, wrong format."""


class FetchError(DataSourceError):
    """A download failed, or what arrived is not what the source declares; the last good file is untouched."""


# The ONS Open Geography Portal's FeatureServer layers; http pages them from the same address.
ARCGIS_BASE = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"


def arcgis_layer_query_url(service: str, base: str = ARCGIS_BASE) -> str:
    """The query endpoint of an ArcGIS FeatureServer service's first layer."""
    return f"{base}/{service}/FeatureServer/0/query"


@dataclass(frozen=True)
class RawFile:
    """One file of a source as we hold it, with where the publisher serves it.

    An ArcGIS layer is declared by its service alone (method="arcgis", service=...): its url is the service's query
    endpoint, derived here, so the service name is stated once. An empty url on a direct file means there is no
    official download to refresh it from (a derived or secondary file).
    """

    name: str
    url: str = ""
    description: str = ""
    # How to fetch it: "direct" (plain GET of url), "arcgis" (paged FeatureServer query), "nomis" (Nomis API CSV).
    method: str = "direct"
    # For arcgis: the service name; for nomis: the dataset id. Empty for direct downloads.
    service: str = ""
    # What the official download is, when the held copy is a reshaped form of it (e.g. xlsx held as csv).
    official_format_note: str = ""
    # False for files the build does not turn into a tidy table (lookups read by the geography layer, docs).
    tidy: bool = True
    # False for files declared so refresh can fetch them but not held in the bundled snapshot.
    held: bool = True
    # For a URL whose content must never change (e.g. pinned to a git commit): the sha256 the held file must have
    # after fetch. A download with any other checksum is refused. Empty where the publisher may update the file.
    sha256: str = ""

    def __post_init__(self):
        if self.method == "arcgis":
            if not self.service:
                raise ValueError(f"RawFile {self.name!r}: an arcgis file must name its service")
            if not self.url:
                object.__setattr__(self, "url", arcgis_layer_query_url(self.service))


# Which way a publisher calls a measure favourable. NOT_STATED is the honest answer where the publisher gives no
# direction (counts, populations, turnout): a direction that merely seems plausible must not be declared.
HIGHER_FAVOURABLE = "higher"
LOWER_FAVOURABLE = "lower"
NOT_STATED = "not_stated"
FAVOURABLE_VALUES = (HIGHER_FAVOURABLE, LOWER_FAVOURABLE, NOT_STATED)


@dataclass(frozen=True)
class PublisherDirection:
    """Which way the publisher calls favourable for the measures matching pattern (fnmatch), and where it says so."""

    pattern: str
    favourable: str
    # Where the publisher says it (a quoted label or documentation sentence), or for NOT_STATED why there is none.
    evidence: str

    def __post_init__(self):
        if not isinstance(self.pattern, str) or not self.pattern.strip():
            raise ValueError(f"PublisherDirection pattern must be non-empty text, got {self.pattern!r}")
        if self.favourable not in FAVOURABLE_VALUES:
            raise ValueError(f"PublisherDirection {self.pattern!r}: favourable must be one of {FAVOURABLE_VALUES}, got {self.favourable!r}")
        if not isinstance(self.evidence, str) or not self.evidence.strip():
            raise ValueError(f"PublisherDirection {self.pattern!r}: evidence must say where the publisher states it (or why not)")

    def matches(self, measure: str) -> bool:
        # fnmatchcase: measure names are case-sensitive and must match alike on every platform.
        return fnmatch.fnmatchcase(measure, self.pattern)


@dataclass(frozen=True)
class Source:
    """What a publisher dataset is: enough to cite it and to fetch it again.

    The id is the source's one name: its loader module is data_sources/<id>.py, its files are held in data/raw/<id>/,
    its tidy table is tidy/<id>.parquet, and its tests are tests/test_source_<id>.py with fixtures in tests/fixtures/<id>/.
    """

    id: str
    title: str
    publisher: str
    licence: str
    landing_page: str
    vintage: str
    geography: str
    code_vintage: str
    files: tuple[RawFile, ...]
    published: str = ""
    licence_url: str = OGL_V3_URL
    attribution: str = ""
    # Optional: held and read, but no indicator or build step depends on it; optional_reason says why it is held anyway.
    optional: bool = False
    optional_reason: str = ""
    caveats: str = ""
    # For each measure read() produces, which way the publisher calls favourable; the first matching entry applies.
    directions: tuple[PublisherDirection, ...] = ()

    def __post_init__(self):
        if self.optional and not self.optional_reason.strip():
            raise ValueError(f"source {self.id}: an optional source must say why (optional_reason)")
        if self.optional_reason and not self.optional:
            raise ValueError(f"source {self.id}: optional_reason is given but the source is not optional")

    @property
    def raw_folder(self) -> str:
        """The folder under data/raw holding this source's files: the source id, so no second name can drift."""
        return self.id

    def file(self, name: str) -> RawFile:
        for raw in self.files:
            if raw.name == name:
                return raw
        raise KeyError(f"{self.id} declares no file {name!r}")

    def direction(self, measure: str) -> PublisherDirection:
        """The first declared direction whose pattern matches measure; KeyError if none does."""
        for declared in self.directions:
            if declared.matches(measure):
                return declared
        raise KeyError(f"{self.id} declares no publisher direction for measure {measure!r}")


# ---------------------------------------------------------------------------------------------
# Reading raw files
# ---------------------------------------------------------------------------------------------

def _raw_bytes(path: Path) -> bytes:
    path = Path(path)
    if not path.exists():
        raise SchemaError(f"{path}: file not found")
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise SchemaError(f"{path}: truncated or corrupt gzip ({exc})") from exc
    if not data.strip():
        raise SchemaError(f"{path}: file is empty")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head")):
        raise SchemaError(f"{path}: holds an HTML/XML page, not data (an error page from the server?)")
    return data


def _decode(data: bytes, path: Path) -> str:
    # Older ONS and gov.uk CSVs are Windows-1252; newer ones UTF-8 with or without a BOM.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SchemaError(f"{path}: text is neither UTF-8 nor Windows-1252")


def read_csv_checked(
    path: Path,
    required: Sequence[str],
    *,
    skiprows: int | Sequence[int] | None = None,
    dtype_text: Iterable[str] = (),
    rename: Mapping[str, str] | None = None,
    require_final_newline: bool = False,
    **kwargs,
) -> pd.DataFrame:
    """Read a CSV (optionally gzipped) with all cells as text, stripped headers, and required columns checked.

    Cells stay text so that each reader decides what is a number and what is a suppression marker.
    require_final_newline: for files known to end with a line break, a missing one means a cut inside the last row.
    """
    path = Path(path)
    text = _decode(_raw_bytes(path), path)
    # CR-only line endings (old Mac exports) confuse the csv module when quoted fields appear.
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    _check_row_widths(text, path, skiprows)
    if require_final_newline and not text.endswith(("\n", "\r")):
        raise SchemaError(f"{path}: does not end with a line break (file truncated?)")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skiprows=skiprows, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise SchemaError(f"{path}: cannot parse as CSV ({exc})") from exc
    frame.columns = trimmed_columns(frame.columns)
    if rename:
        frame.columns = trimmed_columns(dict(rename).get(c, c) for c in frame.columns)
    require_columns(frame, required, path)
    for column in dtype_text:
        frame[column] = frame[column].astype(str).str.strip()
    return frame


def _check_row_widths(text: str, path: Path, skiprows) -> None:
    """A row with fewer fields than the header is a file cut off mid-row: pandas would quietly fill the gap with
    empty cells, which would then pass as suppressed values."""
    rows = csv.reader(io.StringIO(text, newline=""))
    skip = skiprows if isinstance(skiprows, int) else 0
    header_width = None
    try:
        for number, row in enumerate(rows, start=1):
            if number <= skip or not row:
                continue
            if header_width is None:
                header_width = len(row)
            elif len(row) < header_width:
                raise SchemaError(f"{path}: line {number} has {len(row)} of {header_width} fields (file truncated or malformed)")
    except csv.Error as exc:
        raise SchemaError(f"{path}: cannot parse as CSV ({exc})") from exc



def read_parquet_checked(path: Path, required: Sequence[str]) -> pd.DataFrame:
    path = Path(path)
    _raw_bytes(path)
    try:
        import pyarrow.parquet as pq

        # A damaged string page (invalid UTF-8) would otherwise surface only when a reader first touches the column.
        pq.read_table(path).validate(full=True)
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
        raise SchemaError(f"{path}: cannot read as parquet ({type(exc).__name__}: {exc})") from exc
    frame.columns = trimmed_columns(frame.columns)
    require_columns(frame, required, path)
    return frame


def read_excel_checked(path: Path, sheet: str, required: Sequence[str], **kwargs) -> pd.DataFrame:
    path = Path(path)
    _raw_bytes(path)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, **kwargs)
    except ValueError as exc:
        raise SchemaError(f"{path}: no sheet {sheet!r} or unreadable ({exc})") from exc
    except Exception as exc:  # zipfile/openpyxl errors for a damaged workbook
        raise SchemaError(f"{path}: cannot read workbook ({type(exc).__name__}: {exc})") from exc
    frame.columns = trimmed_columns(frame.columns)
    require_columns(frame, required, path)
    return frame


def trimmed_columns(columns: Iterable) -> list[str]:
    """Header names without surrounding spaces, each unique.

    pandas names an exact repeat of 'x' 'x.1' (publishers do repeat headers: ELS writes 'notes' twice), so the first
    column of a name is the one read. A repeat that only differs by spaces ('x', 'x ') is named the same way here;
    left as two columns called 'x', every reader would get a table where it expects a column.
    """
    names: list[str] = []
    for column in columns:
        name = base = str(column).strip()
        repeat = 0
        while name in names:
            repeat += 1
            name = f"{base}.{repeat}"
        names.append(name)
    return names


def load_json(path: Path, what: str = "a JSON document") -> object:
    """A JSON file (optionally gzipped) parsed; SchemaError ("not <what>") however the text fails to be JSON."""
    path = Path(path)
    raw = _raw_bytes(path)
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError; absurd nesting a RecursionError
        raise SchemaError(f"{path}: not {what} (cannot parse as JSON: {type(exc).__name__}: {str(exc)[:200]})") from exc


def janitor_snake_case(name: str) -> str:
    """snake_case as R's janitor::clean_names writes it, which produced several held headers
    (e.g. 'IMD - Proportion of LSOAs in most deprived 10%' -> 'imd_proportion_of_lso_as_in_most_deprived_10_percent')."""
    name = str(name).strip().replace("%", " percent")
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()


def require_columns(frame: pd.DataFrame, required: Sequence[str], path: Path | str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        shown = ", ".join(repr(c) for c in list(frame.columns)[:12])
        more = "" if len(frame.columns) <= 12 else f", … ({len(frame.columns)} columns)"
        raise SchemaError(f"{path}: missing column(s) {', '.join(repr(m) for m in missing)}; found {shown}{more}")
    if len(frame) == 0:
        raise SchemaError(f"{path}: has a header but no rows")


def to_number(series: pd.Series, path: Path | str, column: str | None = None) -> pd.Series:
    """Parse published numbers: suppression markers become NaN; anything else non-numeric is an error, never zero."""
    text = series.astype(str).str.strip().str.replace(",", "", regex=False).str.replace("%", "", regex=False)
    suppressed = text.isin(SUPPRESSION_MARKERS) | series.isna()
    numbers = pd.to_numeric(text.where(~suppressed), errors="coerce").astype("float64")
    # inf, -inf and literals too large for a float (1e309) are not published statistics: a damaged cell.
    numbers = numbers.where(np.isfinite(numbers))
    bad = numbers.isna() & ~suppressed
    if bad.any():
        examples = ", ".join(repr(v) for v in series[bad].astype(str).unique()[:3])
        raise SchemaError(f"{path}: column {column or series.name!r} has non-numeric values {examples}")
    return numbers.astype("float64")


def check_codes(codes: pd.Series, path: Path | str, column: str) -> None:
    """GSS codes are a letter and eight digits; a mangled key column is a schema change, not data."""
    text = codes.astype(str)
    bad = ~text.str.fullmatch(r"[A-Z]\d{8}")
    if bad.any():
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        raise SchemaError(f"{path}: column {column!r} has values that are not GSS codes: {examples}")


def tidy_from_wide(
    frame: pd.DataFrame,
    *,
    code_column: str,
    geography: str,
    period: str | Callable[[pd.DataFrame], pd.Series],
    measures: Mapping[str, str],
    path: Path | str,
) -> pd.DataFrame:
    """Turn a wide publisher table (one row per area, one column per measure) into the tidy long shape."""
    require_columns(frame, [code_column, *measures], path)
    codes = frame[code_column].astype(str).str.strip()
    check_codes(codes, path, code_column)
    period_values = period(frame) if callable(period) else pd.Series(period, index=frame.index)
    parts = []
    for column, measure in measures.items():
        parts.append(
            pd.DataFrame(
                {
                    "area_code": codes.values,
                    "geography": geography,
                    "measure": measure,
                    "period": period_values.astype(str).values,
                    "value": to_number(frame[column], path, column).values,
                }
            )
        )
    return finish_tidy(pd.concat(parts, ignore_index=True), path)


def finish_tidy(frame: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """Give a tidy frame its fixed columns and types, and check that its key is unique."""
    frame = frame.copy()
    for column in ("lower_ci", "upper_ci"):
        if column not in frame.columns:
            frame[column] = np.nan
    frame = frame[TIDY_COLUMNS]
    for column in ("area_code", "geography", "measure", "period"):
        frame[column] = frame[column].astype(str)
    for column in ("value", "lower_ci", "upper_ci"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    duplicated = frame.duplicated(TIDY_KEY, keep=False)
    if duplicated.any():
        example = frame.loc[duplicated, TIDY_KEY].head(1).to_dict("records")[0]
        raise SchemaError(f"{path}: key (area, geography, measure, period) is not unique, e.g. {example}")
    return frame.sort_values(TIDY_KEY, kind="stable").reset_index(drop=True)


def validate_tidy(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    require_columns(frame, TIDY_COLUMNS, name)
    return finish_tidy(frame, name)
