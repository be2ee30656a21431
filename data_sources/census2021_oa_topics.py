"""Census 2021 topic summaries at output area level (ONS via Nomis), one declared topic table per file (TS029 English proficiency, TS067 highest qualification)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data_sources.base import NOT_STATED, OGL_V3, PublisherDirection, RawFile, SchemaError, Source, finish_tidy, read_parquet_checked
from data_sources.census2021 import BULK, bulk_table, column_of, counts, england_wales
from data_sources.fetching import fetch_source

PERIOD = "2021"
GEOGRAPHY = "oa21"
KEY = "OA"

F_TS067 = "census2021_ts067_highest_qualification_oa21.parquet"
F_TS029 = "census2021_ts029_english_proficiency_oa21.parquet"


@dataclass(frozen=True)
class OATopic:
    """One Census 2021 topic summary held at OA: the official column labels in order, and what each becomes.

    The held parquet has the OA code in column 'OA' and the counts in columns tsNNN0001, tsNNN0002, ... in the order
    of the official Nomis `-oa.csv` (labels below, with the table prefix stripped).
    """

    table: str  # e.g. "ts067"
    title: str
    prefix: str  # the official header prefix, e.g. "Highest level of qualification"
    base: str  # who is counted (the universe of the total column)
    labels: tuple[str, ...]  # official category labels, in the official column order; the first is the total
    measures: tuple[str, ...]  # tidy measure name of each column, same order
    # Where the publisher's table adds up: (total position, positions of its parts), 1-based. Checked at every OA.
    sums: tuple[tuple[int, tuple[int, ...]], ...]
    # Which way the publisher calls each measure favourable (patterns over this table's measures).
    directions: tuple[PublisherDirection, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [f"{self.table}{i:04d}" for i in range(1, len(self.labels) + 1)]

    def column(self, position: int) -> str:
        return f"{self.table}{position:04d}"


TOPICS: dict[str, OATopic] = {
    F_TS029: OATopic(
        table="ts029",
        title="TS029 Proficiency in English language",
        prefix="Proficiency in English language",
        base="usual residents aged 3 and over",
        labels=(
            "Total: All usual residents aged 3 years and over",
            "Main language is English (English or Welsh in Wales)",
            "Main language is not English (English or Welsh in Wales)",
            "Main language is not English (English or Welsh in Wales): Can speak English very well",
            "Main language is not English (English or Welsh in Wales): Can speak English well",
            "Main language is not English (English or Welsh in Wales): Cannot speak English well",
            "Main language is not English (English or Welsh in Wales): Cannot speak English",
        ),
        measures=(
            "english_prof_total",
            "main_language_english",
            "main_language_not_english",
            "speaks_english_very_well",
            "speaks_english_well",
            "cannot_speak_english_well",
            "cannot_speak_english",
        ),
        # Column 3 is the subtotal of 4-7, and the total is English main language plus that subtotal.
        sums=((1, (2, 3)), (3, (4, 5, 6, 7))),
        directions=(
            PublisherDirection("english_prof_total", NOT_STATED, "TS029 count of usual residents aged 3 and over: counts; the publisher states no direction"),
            PublisherDirection("*english*", NOT_STATED, "TS029 counts of usual residents aged 3+ by main language and proficiency in English: counts; the publisher states no direction"),
        ),
    ),
    F_TS067: OATopic(
        table="ts067",
        title="TS067 Highest level of qualification",
        prefix="Highest level of qualification",
        base="usual residents aged 16 and over",
        labels=(
            "Total: All usual residents aged 16 years and over",
            "No qualifications",
            "Level 1 and entry level qualifications",
            "Level 2 qualifications",
            "Apprenticeship",
            "Level 3 qualifications",
            "Level 4 qualifications and above",
            "Other qualifications",
        ),
        measures=(
            "qual_total",
            "qual_none",
            "qual_level1_entry",
            "qual_level2",
            "qual_apprenticeship",
            "qual_level3",
            "qual_level4_plus",
            "qual_other",
        ),
        # The seven categories partition the residents aged 16+ (no subtotals in this table).
        sums=((1, (2, 3, 4, 5, 6, 7, 8)),),
        directions=(
            PublisherDirection("qual_total", NOT_STATED, "TS067 count of usual residents aged 16 and over (the adults used as weights): counts; the publisher states no direction"),
            PublisherDirection("qual_*", NOT_STATED, "TS067 counts of usual residents aged 16 and over by highest level of qualification: counts; the publisher states no direction"),
        ),
    ),
}


def _topic_file(name: str, topic: OATopic) -> RawFile:
    return RawFile(
        name=name,
        url=BULK.format(table=topic.table),
        description=f"{topic.title}: counts of {topic.base} per OA21 (188,880 OAs), {len(topic.labels) - 1} categories and the total",
        official_format_note=(
            f"official Nomis bulk zip census2021-{topic.table}.zip holding one CSV per geography; the held parquet is "
            f"census2021-{topic.table}-oa.csv reshaped: 'date' and 'geography' dropped, the code column named OA, the "
            f"count columns renamed {topic.column(1)}..{topic.column(len(topic.labels))} in the official order, stored as "
            "float64 (reshaped by alexsingleton/Census_2021_Output_Areas; a refresh converts the zip to the same layout)"
        ),
    )


SOURCE = Source(
    id="census2021_oa_topics",
    title="Census 2021 topic summaries at output area level (" + ", ".join(t.table.upper() for t in TOPICS.values()) + ")",
    publisher="Office for National Statistics (distributed by Nomis)",
    licence=OGL_V3,
    landing_page="https://www.nomisweb.co.uk/sources/census_2021_bulk",
    # TS067 (education) was released in January 2023; the series ran November 2022 - February 2023.
    published="2023-01",
    vintage="Census 2021 (census day 21 March 2021)",
    geography="Output area, England and Wales",
    code_vintage="OA 2021",
    raw_folder="census2021_oa_topics",
    attribution="Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    files=tuple(_topic_file(name, topic) for name, topic in TOPICS.items()),
    directions=tuple(direction for topic in TOPICS.values() for direction in topic.directions),
    caveats=(
        "ONS cell-key perturbation: OA counts are perturbed, so sums of OAs differ slightly from published totals "
        "(TS067 residents aged 16+ sum to 48,567,007 over England and Wales). Held at OA only: aggregate with the OA21 "
        "lookup (source oa21_lookup). Census 2021 was taken during a COVID-19 lockdown; ONS's quality notice on higher "
        "qualifications (Level 4+) of older people and international migrants applies to TS067."
    ),
)


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.name in TOPICS:
        return read_topic(path, TOPICS[path.name])
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def read_topic(path: Path, topic: OATopic) -> pd.DataFrame:
    """The held OA parquet in the tidy long shape: one row per OA and category (and the total), period 2021."""
    frame = read_parquet_checked(path, [KEY, *topic.columns])
    if frame[KEY].isna().any():
        raise SchemaError(f"{path}: column {KEY!r} has empty codes")
    frame = england_wales(frame, KEY, path)
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales output areas in column {KEY!r}")
    wrong = ~frame[KEY].str[1:3].eq("00")
    if wrong.any():
        raise SchemaError(f"{path}: column {KEY!r} holds codes of another geography, e.g. {frame.loc[wrong, KEY].iloc[0]!r}")
    values = {column: counts(frame[column], path, column) for column in topic.columns}
    for column, series in values.items():
        bad = (series < 0) | (series != np.floor(series))
        if bad.any():
            raise SchemaError(f"{path}: column {column!r} has negative or fractional counts, e.g. {series[bad].iloc[0]!r} (census counts are whole numbers)")
    for total, parts in topic.sums:
        added = sum(values[topic.column(p)] for p in parts)
        differs = added != values[topic.column(total)]
        if differs.any():
            where = frame.loc[differs, KEY].iloc[0]
            names = "+".join(topic.column(p) for p in parts)
            raise SchemaError(f"{path}: column {topic.column(total)!r} is not the sum of {names} at {int(differs.sum())} OAs, e.g. {where}")
    codes = frame[KEY].to_numpy()
    long = pd.DataFrame(
        {
            "area_code": np.tile(codes, len(topic.columns)),
            "geography": GEOGRAPHY,
            "measure": np.repeat(np.array(topic.measures, dtype=object), len(codes)),
            "period": PERIOD,
            "value": np.concatenate([values[c].to_numpy(dtype="float64") for c in topic.columns]),
        }
    )
    return finish_tidy(long, path)


# ---------------------------------------------------------------------------------------------
# Converting the official Nomis bulk zip to the held layout
# ---------------------------------------------------------------------------------------------

def convert_topic(topic: OATopic):
    """The '-oa.csv' of the official zip -> the held parquet (OA, tsNNN0001..), refusing changed columns."""

    def convert(downloaded: Path, target: Path) -> None:
        labels, rows = bulk_table(downloaded, "oa", topic.prefix)
        start = labels.index("geography code") + 1
        found = labels[start:]
        if found != list(topic.labels):
            changed = [(i + 1, f, e) for i, (f, e) in enumerate(zip(found, topic.labels)) if f != e][:3]
            raise SchemaError(f"{downloaded}: {topic.table} OA columns changed ({len(found)} found, {len(topic.labels)} expected; first differences {changed})")
        held = pd.DataFrame({KEY: column_of(labels, rows, "geography code", downloaded).str.strip().values})
        for offset, column in enumerate(topic.columns):
            held[column] = counts(rows[start + offset], downloaded, topic.labels[offset]).values
        held.to_parquet(target, index=False)

    return convert


CONVERTERS = {name: convert_topic(topic) for name, topic in TOPICS.items()}


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session, converters=CONVERTERS)
