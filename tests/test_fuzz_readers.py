"""Fuzzed readers: any mutation of a real file reads to the fixed schema or raises the loader's SchemaError.

For a representative held file of every source (the samples its tests/test_source_<id>.py declares) a small real
slice (header and about fifty records) is damaged at random: bytes deleted, duplicated, swapped or cut off, columns renamed, dropped or shuffled, cells
replaced by suppression markers or odd text, HTML pasted in, the delimiter or line endings changed, the text
re-encoded, the gzip stream broken, JSON nodes replaced, parquet and workbook cells rewritten. read() must then
either return a frame of the tidy schema with a unique key, finite numbers and no silent change (a cell replaced
by a suppression marker comes back missing, never 0), or raise SchemaError. Nothing else: no KeyError,
IndexError, ValueError, UnicodeError or zlib error. Non-tidy readers (lookups, boundaries, similar areas,
metadata) must equally raise nothing but SchemaError.

The examples are derandomised so the suite is repeatable; ATLAS_FUZZ_EXAMPLES=2000 explores afresh at length.
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import io
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import source_contract_checks as contract
from conftest import RAW
from data_sources import load_module
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Sample

EXAMPLES = int(os.environ.get("ATLAS_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="ATLAS_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

MARKERS = [":", "x", "X", "..", "", "c", "z", "[x]", "[c]", "[z]", "NA", "N/A", "n/a", "-", "*", "~"]
ODD_TEXT = [
    "abc", "é", "€", "💥", "\u00a0", "\u200b", "١٢٣", "1e309", "inf", "-inf", "Infinity", "nan", "0x1F", " 12 ", "1,2",
    "12%", "+5", "--1", "1.2.3", "<b>1</b>", "=1+1", "'", '"', "\n", "\r", "\x00", "9" * 400, "E06000001", "W99999999",
    "2019", "TRUE", "None", "null", "[]", "{}",
]
HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>Error</body></html>\n"
text_values = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=12))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


# ---------------------------------------------------------------------------------------------
# Samples: real held files, sliced small, as each source's test module declares them in its CONTRACT
# ---------------------------------------------------------------------------------------------

SAMPLES = [sample for declared in contract.contracts().values() for sample in declared.samples]


def module_of(sample: Sample):
    return load_module(sample.source)


def held_path(sample: Sample, name: str | None = None) -> Path:
    return RAW / module_of(sample).SOURCE.raw_folder / (name or sample.name)


def is_tidy(sample: Sample) -> bool:
    return module_of(sample).SOURCE.file(sample.name).tidy


def kind_of(name: str) -> str:
    for suffix, kind in ((".parquet", "parquet"), (".xlsx", "xlsx"), (".geojson", "json"), (".json", "json")):
        if suffix in name:
            return kind
    return "csv"


@dataclasses.dataclass
class Slice:
    """The unmutated slice of a sample, in the forms the mutations work on."""

    sample: Sample
    kind: str
    gz: bool
    content: bytes  # uncompressed file content (for xlsx/parquet: the file bytes)
    records: list[list[str]] = dataclasses.field(default_factory=list)  # csv: every record, title rows included
    header: int = 0  # csv: index of the header record
    newline: str = "\n"
    encoding: str = "utf-8"
    bom: bool = False
    body: object = None  # json: the parsed document
    frames: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)  # parquet ("": the table) / xlsx sheets

    def pack(self, content: bytes) -> bytes:
        return gzip.compress(content, compresslevel=1, mtime=0) if self.gz else content

    def encode_records(self, records: list[list[str]]) -> bytes:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator=self.newline).writerows(records)
        return ("\ufeff" if self.bom else "").encode(self.encoding) + buffer.getvalue().encode(self.encoding, errors="replace")


@functools.lru_cache(maxsize=None)
def slice_of(sample: Sample) -> Slice:
    data = held_path(sample).read_bytes()
    gz = sample.name.endswith(".gz")
    if gz:
        data = gzip.decompress(data)
    kind = kind_of(sample.name)
    if kind == "parquet":
        frame = pd.read_parquet(io.BytesIO(data)).head(sample.rows)
        return Slice(sample, kind, gz, parquet_bytes(frame), frames={"": frame})
    if kind == "xlsx":
        book = pd.read_excel(io.BytesIO(data), sheet_name=list(sample.sheets) or None, dtype=str)
        sheets = {name: sheet.head(sample.rows) for name, sheet in book.items()}
        return Slice(sample, kind, gz, xlsx_bytes(sheets), frames=sheets)
    if kind == "json":
        body = json.loads(data.decode("utf-8-sig"))
        if "features" in body and sample.rows:
            body = {**body, "features": body["features"][: sample.rows]}
        return Slice(sample, kind, gz, json.dumps(body).encode("utf-8"), body=body)
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("cp1252"), "cp1252"
    newline = "\r\n" if "\r\n" in text else ("\n" if "\n" in text else "\r")
    records = list(csv.reader(io.StringIO(text.replace("\r\n", "\n") if newline == "\r\n" else text, newline="")))
    header = 0 if sample.header is None else next(i for i, r in enumerate(records) if sample.header in r)
    rows = records[header + 1 :]
    if sample.keep:
        rows = [r for r in rows if re.search(sample.keep, "," + ",".join(r) + ",")]
    rows = [r for r in rows if r][: sample.rows] if sample.rows else rows
    sliced = Slice(sample, kind, gz, b"", records=records[: header + 1] + rows, header=header, newline=newline, encoding=encoding, bom=bom)
    sliced.content = sliced.encode_records(sliced.records)
    return sliced


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    from openpyxl.utils.exceptions import IllegalCharacterError

    buffer = io.BytesIO()
    try:
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name, sheet in sheets.items():
                sheet.to_excel(writer, sheet_name=name, index=False)
    except IllegalCharacterError:
        assume(False)  # control characters cannot be stored in a workbook at all; nothing to read
    return buffer.getvalue()


def place(sample: Sample, folder: Path, data: bytes) -> Path:
    """Write a (mutated) sample where its reader expects it, with the files it reads beside it."""
    target = folder / sample.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    for name in sample.beside:
        if not (target.parent / name).exists():
            shutil.copyfile(held_path(sample, name), target.parent / name)
    return target


@functools.lru_cache(maxsize=None)
def baseline(sample: Sample, folder: str):
    sliced = slice_of(sample)
    return module_of(sample).read(place(sample, Path(folder) / "baseline", sliced.pack(sliced.content)))


# ---------------------------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Mutated:
    data: bytes
    label: str
    marker: bool = False  # one cell replaced by a suppression marker: values may only go missing
    same: bool = False  # a change that must not change the result (columns reordered)


def byte_mutation(draw, content: bytes) -> tuple[bytes, str]:
    how = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "html", "insert", "nul", "delimiter", "newlines", "reencode", "empty", "blank", "nested"]))
    size = len(content)
    at = draw(st.integers(0, max(size - 1, 0)))
    span = draw(st.integers(1, 64))
    if how == "delete":
        return content[:at] + content[at + span :], f"delete {span} bytes at {at}"
    if how == "duplicate":
        return content[: at + span] + content[at : at + span] + content[at + span :], f"duplicate {span} bytes at {at}"
    if how == "swap":
        other = draw(st.integers(0, max(size - 1, 0)))
        data = bytearray(content)
        if data:
            data[at], data[other] = data[other], data[at]
        return bytes(data), f"swap bytes {at} and {other}"
    if how == "truncate":
        return content[:at], f"truncate at {at}"
    if how == "html":
        return content[:at] + HTML + content[at:], f"HTML at {at}"
    if how == "insert":
        junk = draw(st.binary(min_size=1, max_size=16))
        return content[:at] + junk + content[at:], f"insert {junk!r} at {at}"
    if how == "nul":
        return content[:at] + b"\x00" + content[at:], f"NUL at {at}"
    if how == "delimiter":
        other = draw(st.sampled_from([b";", b"\t", b"|", b" "]))
        return content.replace(b",", other), f"delimiter {other!r}"
    if how == "newlines":
        ending = draw(st.sampled_from([b"\r\n", b"\r", b"", b"\n\n"]))
        return content.replace(b"\r\n", b"\n").replace(b"\n", ending), f"line endings {ending!r}"
    if how == "reencode":
        encoding = draw(st.sampled_from(["utf-16", "utf-32", "utf-16-le"]))
        return content.decode("utf-8", errors="replace").encode(encoding), f"re-encoded {encoding}"
    if how == "empty":
        return b"", "empty file"
    if how == "nested":
        depth = draw(st.sampled_from([10, 5000, 100_000]))
        return b"[" * depth + b"]" * depth, f"{depth} nested brackets"
    return b"  \n\n \n", "blank lines"


def gzip_mutation(draw, packed: bytes, content: bytes) -> tuple[bytes, str]:
    how = draw(st.sampled_from(["cut", "flip", "crc", "tail", "plain", "empty"]))
    if how == "cut":
        at = draw(st.integers(0, len(packed) - 1))
        return packed[:at], f"gzip cut at {at}"
    if how == "flip":
        at = draw(st.integers(10, len(packed) - 9))
        return packed[:at] + bytes([packed[at] ^ 0xFF]) + packed[at + 1 :], f"gzip byte {at} flipped"
    if how == "crc":
        at = len(packed) - draw(st.integers(1, 8))
        return packed[:at] + bytes([packed[at] ^ 0x01]) + packed[at + 1 :], "gzip trailer (CRC/size) damaged"
    if how == "tail":
        return packed + draw(st.binary(min_size=1, max_size=12)), "garbage after the gzip stream"
    if how == "plain":
        return content, "not gzipped"
    return gzip.compress(b"", mtime=0), "empty gzip member"


def csv_mutation(draw, sliced: Slice) -> Mutated:
    records = [list(r) for r in sliced.records]
    head = records[sliced.header]
    data_rows = list(range(sliced.header + 1, len(records)))
    column = draw(st.integers(0, len(head) - 1))
    how = draw(st.sampled_from(["cell", "marker", "marker", "rename", "twin", "drop", "drop_header", "add", "duplicate", "remove", "permute", "case"]))
    if how in ("cell", "marker") and data_rows:
        row = draw(st.sampled_from(data_rows))
        value = draw(st.sampled_from(MARKERS)) if how == "marker" else draw(text_values)
        if column < len(records[row]):
            records[row][column] = value
        return Mutated(sliced.encode_records(records), f"record {row} field {column} ({head[column]!r}) -> {value!r}", marker=how == "marker")
    if how == "rename":
        value = draw(text_values)
        head[column] = value
        return Mutated(sliced.encode_records(records), f"column {column} renamed {value!r}")
    if how == "twin":
        # A header repeated, or repeated with stray spaces: two columns that strip to one name.
        other = draw(st.integers(0, len(head) - 1))
        head[column] = head[other] + draw(st.sampled_from(["", " ", "  ", "\t"]))
        return Mutated(sliced.encode_records(records), f"column {column} renamed like column {other}: {head[column]!r}")
    if how == "drop":
        for record in records[sliced.header :]:
            if column < len(record):
                del record[column]
        return Mutated(sliced.encode_records(records), f"column {column} ({sliced.records[sliced.header][column]!r}) dropped")
    if how == "drop_header":
        del head[column]
        return Mutated(sliced.encode_records(records), f"header field {column} dropped")
    if how == "add":
        name = draw(text_values)
        for record in records[sliced.header :]:
            record.insert(column, draw(text_values) if record is not head else name)
        return Mutated(sliced.encode_records(records), f"column {name!r} inserted at {column}")
    if how in ("duplicate", "remove") and data_rows:
        row = draw(st.sampled_from(data_rows))
        if how == "duplicate":
            records.insert(row, list(records[row]))
        else:
            del records[row]
        return Mutated(sliced.encode_records(records), f"record {row} {how}d")
    if how == "permute":
        order = draw(st.permutations(range(len(head))))
        width = len(head)
        records = [[r[i] for i in order] if len(r) == width else r for r in records]
        return Mutated(sliced.encode_records(records), f"columns reordered {order}", same=True)
    head[column] = head[column].upper() if head[column] != head[column].upper() else head[column].lower()
    return Mutated(sliced.encode_records(records), f"column {column} case changed to {head[column]!r}")


def json_mutation(draw, sliced: Slice) -> Mutated:
    body = json.loads(json.dumps(sliced.body))
    parent, key, path = None, None, []
    node = body
    for _ in range(draw(st.integers(0, 6))):
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        parent, node = node, node[key]
        path.append(key)
    if parent is None:
        value = draw(json_values)
        return Mutated(json.dumps(value).encode(), f"document replaced by {value!r}")
    if draw(st.booleans()):
        value = draw(json_values)
        parent[key] = value
        label = f"{path} -> {value!r}"
    else:
        del parent[key]
        label = f"{path} deleted"
    return Mutated(json.dumps(body).encode(), label)


def frame_mutation(draw, frame: pd.DataFrame) -> tuple[pd.DataFrame, str, bool]:
    frame = frame.copy()
    column = draw(st.sampled_from(list(frame.columns)))
    how = draw(st.sampled_from(["cell", "marker", "rename", "drop", "duplicate"]))
    if how in ("cell", "marker") and len(frame):
        row = draw(st.integers(0, len(frame) - 1))
        value = draw(st.sampled_from(MARKERS)) if how == "marker" else draw(text_values)
        frame[column] = frame[column].astype(str).astype(object)
        frame.iloc[row, list(frame.columns).index(column)] = value
        return frame, f"row {row} {column!r} -> {value!r}", how == "marker"
    if how == "rename":
        value = draw(text_values)
        return frame.rename(columns={column: value}), f"{column!r} renamed {value!r}", False
    if how == "drop":
        return frame.drop(columns=[column]), f"{column!r} dropped", False
    return pd.concat([frame, frame.iloc[:1]], ignore_index=True), "first row duplicated", False


@st.composite
def mutations(draw, sample: Sample) -> Mutated:
    sliced = slice_of(sample)
    if sliced.gz and draw(st.integers(0, 5)) == 0:
        data, label = gzip_mutation(draw, sliced.pack(sliced.content), sliced.content)
        return Mutated(data, label)
    structured = draw(st.booleans())
    if not structured:
        data, label = byte_mutation(draw, sliced.content)
        return Mutated(sliced.pack(data), label)
    if sliced.kind == "csv":
        mutated = csv_mutation(draw, sliced)
        if draw(st.integers(0, 3)) == 0:  # and damaged on top
            data, label = byte_mutation(draw, mutated.data)
            mutated = Mutated(data, f"{mutated.label}, then {label}")
    elif sliced.kind == "json":
        mutated = json_mutation(draw, sliced)
    elif sliced.kind == "parquet":
        frame, label, marker = frame_mutation(draw, sliced.frames[""])
        mutated = Mutated(parquet_bytes(frame), label, marker=marker)
    else:
        sheet = draw(st.sampled_from([name for name, frame in sliced.frames.items() if len(frame.columns)]))
        if draw(st.integers(0, 7)) == 0:
            sheets = {k: v for k, v in sliced.frames.items() if k != sheet}
            mutated = Mutated(xlsx_bytes(sheets), f"sheet {sheet!r} removed")
        else:
            frame, label, marker = frame_mutation(draw, sliced.frames[sheet])
            mutated = Mutated(xlsx_bytes({**sliced.frames, sheet: frame}), f"sheet {sheet!r}: {label}", marker=marker)
    return dataclasses.replace(mutated, data=sliced.pack(mutated.data))


# ---------------------------------------------------------------------------------------------
# The properties
# ---------------------------------------------------------------------------------------------


def check_tidy(frame, where: str) -> None:
    assert isinstance(frame, pd.DataFrame), f"{where}: read() returned {type(frame).__name__}"
    assert list(frame.columns) == TIDY_COLUMNS, f"{where}: columns {list(frame.columns)}"
    assert len(frame) > 0, f"{where}: read() returned no rows instead of raising SchemaError"
    assert not frame.duplicated(TIDY_KEY).any(), f"{where}: key not unique"
    for column in TIDY_KEY:
        assert frame[column].map(type).eq(str).all(), f"{where}: {column} is not all text"
    for column in ("value", "lower_ci", "upper_ci"):
        assert frame[column].dtype == "float64", f"{where}: {column} is {frame[column].dtype}"
        assert not np.isinf(frame[column]).any(), f"{where}: {column} has infinite values"


def check_only_went_missing(before: pd.DataFrame, after: pd.DataFrame, where: str) -> None:
    """A suppression marker may turn a value into NaN; it must never turn up as 0 or any other number."""
    joined = before.merge(after, on=TIDY_KEY, suffixes=("_before", "_after"))
    for column in ("value", "lower_ci", "upper_ci"):
        old, new = joined[f"{column}_before"], joined[f"{column}_after"]
        changed = new.notna() & ~(new == old)
        assert not changed.any(), f"{where}: {column} changed to {new[changed].iloc[0]!r} (was {old[changed].iloc[0]!r}) instead of going missing"


def same_result(before, after, where: str) -> None:
    if isinstance(before, pd.DataFrame):
        assert isinstance(after, pd.DataFrame), where
        if list(before.columns) != TIDY_COLUMNS:  # lookups keep the file's column order; compare by name
            before, after = before.reindex(sorted(before.columns), axis=1), after.reindex(sorted(after.columns), axis=1)
        pd.testing.assert_frame_equal(before.reset_index(drop=True), after.reset_index(drop=True), obj=where)
    else:
        assert before == after, where


def test_every_source_has_a_sample():
    assert {s.source for s in SAMPLES} == set(contract.source_ids())
    assert len(SAMPLES) == len(set(SAMPLES)) >= 55


@pytest.mark.parametrize("sample", SAMPLES, ids=str)
def test_unmutated_slice_reads(sample, tmp_path_factory):
    """The fuzzing starts from a slice the reader accepts, so mutations explore both outcomes."""
    result = baseline(sample, str(tmp_path_factory.mktemp("slice")))
    if is_tidy(sample):
        check_tidy(result, str(sample))
    assert len(result) > 0


@pytest.mark.parametrize("sample", SAMPLES, ids=str)
@FUZZ
@given(data=st.data())
def test_mutated_file_reads_to_schema_or_raises_schema_error(sample, data, tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "fuzz" / re.sub(r"\W", "_", str(sample))
    mutated = data.draw(mutations(sample), label="mutation")
    where = f"{sample} [{mutated.label}]"
    path = place(sample, folder, mutated.data)
    try:
        result = module_of(sample).read(path)
    except SchemaError as exc:
        assert str(exc), where
        return
    except Exception as exc:
        raise AssertionError(f"{where}: read() raised {type(exc).__name__}: {exc}") from exc
    if is_tidy(sample):
        check_tidy(result, where)
        if mutated.marker:
            check_only_went_missing(baseline(sample, str(folder.parent)), result, where)
    else:
        assert isinstance(result, (pd.DataFrame, dict)), f"{where}: read() returned {type(result).__name__}"
    if mutated.same:
        same_result(baseline(sample, str(folder.parent)), result, where)


def test_the_marker_check_catches_a_silent_zero(tmp_path, monkeypatch):
    """The oracle itself: a reader that read ':' as 0 would be caught."""
    sample = next(s for s in SAMPLES if s.name == "apprenticeships/apprenticeships.csv")
    module = module_of(sample)
    sliced = slice_of(sample)
    records = [list(r) for r in sliced.records]
    column = records[0].index("observation")
    row = next(i for i, r in enumerate(records) if i and r[0].startswith("E06"))
    records[row][column] = ":"
    marked = place(sample, tmp_path / "marked", sliced.encode_records(records))
    before = baseline(sample, str(tmp_path))
    after = module.read(marked)
    assert after["value"].isna().sum() == before["value"].isna().sum() + 1
    check_only_went_missing(before, after, "honest reader")  # ':' -> NaN: fine
    real = module.to_number
    monkeypatch.setattr(module, "to_number", lambda series, path, column=None: real(series, path, column).fillna(0.0))
    with pytest.raises(AssertionError, match="instead of going missing"):
        check_only_went_missing(before, module.read(marked), "reader reading ':' as 0")
