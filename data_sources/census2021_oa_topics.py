"""Census 2021 topic summaries at output area level (ONS via Nomis), one declared topic table per file.

Twelve tables: TS023 multiple ethnic groups in household, TS026 multiple main languages in household, TS029 English
proficiency, TS032 Welsh language skills (Wales only), TS037 general health, TS038 disability, TS039 unpaid care,
TS054 tenure, TS062 NS-SeC, TS065 unemployment history, TS067 highest qualification, TS075 multi religion household.
"""
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

F_TS023 = "census2021_ts023_multiple_ethnic_groups_household_oa21.parquet"
F_TS026 = "census2021_ts026_multiple_main_languages_household_oa21.parquet"
F_TS029 = "census2021_ts029_english_proficiency_oa21.parquet"
F_TS032 = "census2021_ts032_welsh_language_skills_oa21.parquet"
F_TS037 = "census2021_ts037_general_health_oa21.parquet"
F_TS038 = "census2021_ts038_disability_oa21.parquet"
F_TS039 = "census2021_ts039_unpaid_care_oa21.parquet"
F_TS054 = "census2021_ts054_tenure_oa21.parquet"
F_TS062 = "census2021_ts062_nssec_oa21.parquet"
F_TS065 = "census2021_ts065_unemployment_history_oa21.parquet"
F_TS067 = "census2021_ts067_highest_qualification_oa21.parquet"
F_TS075 = "census2021_ts075_multi_religion_household_oa21.parquet"

# Output areas of each country (the OA21 lookup): a table covering both has 188,880 rows.
OAS = {"E": 178_605, "W": 10_275}
COUNTRY = {"E": "England", "W": "Wales"}


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
    # Countries the table covers, by the first letter of the code: TS032 asks a question put in Wales only.
    countries: str = "EW"

    @property
    def columns(self) -> list[str]:
        return [f"{self.table}{i:04d}" for i in range(1, len(self.labels) + 1)]

    def column(self, position: int) -> str:
        return f"{self.table}{position:04d}"

    @property
    def coverage(self) -> str:
        count = sum(OAS[c] for c in self.countries)
        where = " and ".join(COUNTRY[c] for c in self.countries)
        return f"{count:,} OA21s of {where}"


TOPICS: dict[str, OATopic] = {
    F_TS023: OATopic(
        table="ts023",
        title="TS023 Multiple ethnic groups in household",
        prefix="Multiple ethnic groups in household",
        base="households",
        labels=(
            "Total: All households",
            "One-person household",
            "All household members have the same ethnic group",
            "Ethnic groups differ between generations but not within partnerships",
            "Ethnic groups differ within partnerships",
            "Any other combination of multiple ethnic identities",
        ),
        measures=(
            "hh_ethnic_total",
            "hh_ethnic_one_person",
            "hh_ethnic_same",
            "hh_ethnic_differ_generations",
            "hh_ethnic_differ_partnerships",
            "hh_ethnic_other_combination",
        ),
        # One-person households are a category of their own, so the five categories partition all households.
        sums=((1, (2, 3, 4, 5, 6)),),
        directions=(
            PublisherDirection("hh_ethnic_total", NOT_STATED, "TS023 count of households: counts; the publisher states no direction"),
            PublisherDirection("hh_ethnic_*", NOT_STATED, "TS023 counts of households by whether members' ethnic groups differ: counts; the publisher states no direction"),
        ),
    ),
    F_TS026: OATopic(
        table="ts026",
        title="TS026 Multiple main languages in household",
        prefix="Multiple main languages in household",
        base="households",
        labels=(
            "Total: All households",
            "One-person household",
            "All household members have the same main language",
            "Main language differs between generations, but not within partnerships",
            "Main language differs within partnerships",
            "Any other combination of multiple main languages",
        ),
        measures=(
            "hh_language_total",
            "hh_language_one_person",
            "hh_language_same",
            "hh_language_differ_generations",
            "hh_language_differ_partnerships",
            "hh_language_other_combination",
        ),
        # As in TS023: one-person households are a category, so the five partition all households.
        sums=((1, (2, 3, 4, 5, 6)),),
        directions=(
            PublisherDirection("hh_language_total", NOT_STATED, "TS026 count of households: counts; the publisher states no direction"),
            PublisherDirection("hh_language_*", NOT_STATED, "TS026 counts of households by whether members' main languages differ: counts; the publisher states no direction"),
        ),
    ),
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
    F_TS032: OATopic(
        table="ts032",
        title="TS032 Welsh language skills (detailed)",
        prefix="Welsh language skills",
        base="usual residents aged 3 and over in Wales",
        labels=(
            "Total: All usual residents aged 3 years and over",
            "Can understand spoken Welsh only",
            "Can speak, read and write Welsh",
            "Can speak but cannot read or write Welsh",
            "Can speak and read but cannot write Welsh",
            "Can read but cannot speak or write Welsh",
            "Can write but cannot speak or read Welsh",
            "Can read and write but cannot speak Welsh",
            "Can speak and other combinations of skills in Welsh",
            "No skills in Welsh",
        ),
        measures=(
            "welsh_skills_total",
            "welsh_understand_only",
            "welsh_speak_read_write",
            "welsh_speak_not_read_write",
            "welsh_speak_read_not_write",
            "welsh_read_only",
            "welsh_write_only",
            "welsh_read_write_not_speak",
            "welsh_speak_other_combination",
            "welsh_no_skills",
        ),
        # Nine exclusive combinations of skills; "can speak Welsh" is not a column but codes 3+4+5+9.
        sums=((1, (2, 3, 4, 5, 6, 7, 8, 9, 10)),),
        directions=(
            PublisherDirection("welsh_skills_total", NOT_STATED, "TS032 count of usual residents aged 3 and over in Wales: counts; the publisher states no direction"),
            PublisherDirection("welsh_*", NOT_STATED, "TS032 counts of usual residents aged 3+ in Wales by combination of Welsh language skills: counts; the publisher states no direction"),
        ),
        countries="W",
    ),
    F_TS037: OATopic(
        table="ts037",
        title="TS037 General health",
        prefix="General health",
        base="usual residents",
        labels=(
            "Total: All usual residents",
            "Very good health",
            "Good health",
            "Fair health",
            "Bad health",
            "Very bad health",
        ),
        measures=(
            "health_total",
            "health_very_good",
            "health_good",
            "health_fair",
            "health_bad",
            "health_very_bad",
        ),
        # The five-point self-assessment is asked of every resident, so its categories partition the total.
        sums=((1, (2, 3, 4, 5, 6)),),
        directions=(
            PublisherDirection("health_total", NOT_STATED, "TS037 count of usual residents (all ages): counts; the publisher states no direction"),
            PublisherDirection("health_*", NOT_STATED, "TS037 counts of usual residents by self-assessed general health: counts; the publisher states no direction"),
        ),
    ),
    F_TS038: OATopic(
        table="ts038",
        title="TS038 Disability",
        prefix="Disability",
        base="usual residents",
        labels=(
            "Total: All usual residents",
            "Disabled under the Equality Act",
            "Disabled under the Equality Act: Day-to-day activities limited a lot",
            "Disabled under the Equality Act: Day-to-day activities limited a little",
            "Not disabled under the Equality Act",
            "Not disabled under the Equality Act: Has long term physical or mental health condition but day-to-day activities are not limited",
            "Not disabled under the Equality Act: No long term physical or mental health conditions",
        ),
        measures=(
            "disability_total",
            "disabled",
            "disabled_limited_a_lot",
            "disabled_limited_a_little",
            "not_disabled",
            "not_disabled_with_condition",
            "not_disabled_no_condition",
        ),
        # Columns 2 and 5 are subtotals of the two below each; adding all six would count residents twice.
        sums=((1, (2, 5)), (2, (3, 4)), (5, (6, 7))),
        directions=(
            PublisherDirection("disability_total", NOT_STATED, "TS038 count of usual residents (all ages): counts; the publisher states no direction"),
            PublisherDirection("*disabled*", NOT_STATED, "TS038 counts of usual residents by disability under the Equality Act: counts; the publisher states no direction"),
        ),
    ),
    F_TS039: OATopic(
        table="ts039",
        title="TS039 Provision of unpaid care",
        prefix="Provision of unpaid care",
        base="usual residents aged 5 and over",
        labels=(
            "Total: All usual residents aged 5 and over",
            "Provides no unpaid care",
            "Provides 19 hours or less unpaid care a week",
            "Provides 9 hours or less unpaid care a week",
            "Provides 10 to 19 hours unpaid care a week",
            "Provides 20 to 49 hours unpaid care a week",
            "Provides 20 to 34 hours unpaid care a week",
            "Provides 35 to 49 hours unpaid care a week",
            "Provides 50 or more hours unpaid care a week",
        ),
        measures=(
            "care_total",
            "care_none",
            "care_19_or_less",
            "care_9_or_less",
            "care_10_to_19",
            "care_20_to_49",
            "care_20_to_34",
            "care_35_to_49",
            "care_50_plus",
        ),
        # Columns 3 (19 hours or less) and 6 (20 to 49) are subtotals of the two bands below each.
        sums=((1, (2, 3, 6, 9)), (3, (4, 5)), (6, (7, 8))),
        directions=(
            PublisherDirection("care_total", NOT_STATED, "TS039 count of usual residents aged 5 and over: counts; the publisher states no direction"),
            PublisherDirection("care_*", NOT_STATED, "TS039 counts of usual residents aged 5+ by hours of unpaid care a week: counts; the publisher states no direction"),
        ),
    ),
    F_TS054: OATopic(
        table="ts054",
        title="TS054 Tenure of household",
        prefix="Tenure of household",
        base="households",
        labels=(
            "Total: All households",
            "Owned",
            "Owned: Owns outright",
            "Owned: Owns with a mortgage or loan",
            "Shared ownership",
            "Shared ownership: Shared ownership",
            "Social rented",
            "Social rented: Rents from council or Local Authority",
            "Social rented: Other social rented",
            "Private rented",
            "Private rented: Private landlord or letting agency",
            "Private rented: Other private rented",
            "Lives rent free",
        ),
        measures=(
            "tenure_total",
            "tenure_owned",
            "tenure_owned_outright",
            "tenure_owned_mortgage",
            "tenure_shared_ownership_total",
            "tenure_shared_ownership",
            "tenure_social_rented",
            "tenure_social_rented_council",
            "tenure_social_rented_other",
            "tenure_private_rented",
            "tenure_private_rented_landlord",
            "tenure_private_rented_other",
            "tenure_rent_free",
        ),
        # Five top-level tenures (2, 5, 7, 10, 13) with their sub-tenures below; shared ownership has a single
        # sub-tenure equal to it, which the publisher still prints as a column of its own.
        sums=((1, (2, 5, 7, 10, 13)), (2, (3, 4)), (5, (6,)), (7, (8, 9)), (10, (11, 12))),
        directions=(
            PublisherDirection("tenure_total", NOT_STATED, "TS054 count of households: counts; the publisher states no direction"),
            PublisherDirection("tenure_*", NOT_STATED, "TS054 counts of households by tenure: counts; the publisher states no direction"),
        ),
    ),
    F_TS062: OATopic(
        table="ts062",
        title="TS062 NS-SeC",
        # The official labels repeat the table name, so the label dictionary's Variable_Name keeps it; the prefix of
        # the official header is that table name, and the labels below are what follows it.
        prefix="National Statistics Socio-economic Classification (NS-SEC)",
        base="usual residents aged 16 and over",
        labels=(
            "Total: All usual residents aged 16 years and over",
            "L1, L2 and L3 Higher managerial, administrative and professional occupations",
            "L4, L5 and L6 Lower managerial, administrative and professional occupations",
            "L7 Intermediate occupations",
            "L8 and L9 Small employers and own account workers",
            "L10 and L11 Lower supervisory and technical occupations",
            "L12 Semi-routine occupations",
            "L13 Routine occupations",
            "L14.1 and L14.2 Never worked and long-term unemployed",
            "L15 Full-time students",
        ),
        measures=(
            "nssec_total",
            "nssec_l1_l3",
            "nssec_l4_l6",
            "nssec_l7",
            "nssec_l8_l9",
            "nssec_l10_l11",
            "nssec_l12",
            "nssec_l13",
            "nssec_l14_never_worked_long_term_unemployed",
            "nssec_l15_students",
        ),
        # Every resident aged 16+ has a class: those never in work are L14, full-time students L15.
        sums=((1, (2, 3, 4, 5, 6, 7, 8, 9, 10)),),
        directions=(
            PublisherDirection("nssec_total", NOT_STATED, "TS062 count of usual residents aged 16 and over: counts; the publisher states no direction"),
            PublisherDirection("nssec_*", NOT_STATED, "TS062 counts of usual residents aged 16+ by NS-SeC analytic class: counts; the publisher states no direction"),
        ),
    ),
    F_TS065: OATopic(
        table="ts065",
        title="TS065 Unemployment history",
        prefix="Unemployment history",
        base="usual residents aged 16 and over not in employment the week before the census",
        labels=(
            "Total: All usual residents aged 16 years and over not in employment the week before the census",
            "Not in employment: Worked in the last 12 months",
            "Not in employment: Not worked in the last 12 months",
            "Not in employment: Never worked",
        ),
        measures=(
            "unemp_history_total",
            "unemp_worked_last_12_months",
            "unemp_not_worked_last_12_months",
            "unemp_never_worked",
        ),
        # The base is everyone aged 16+ not in work (retired and students included), not the unemployed alone.
        sums=((1, (2, 3, 4)),),
        directions=(
            PublisherDirection("unemp_history_total", NOT_STATED, "TS065 count of usual residents aged 16 and over not in employment the week before the census: counts; the publisher states no direction"),
            PublisherDirection("unemp_*", NOT_STATED, "TS065 counts of usual residents aged 16+ not in employment by when they last worked: counts; the publisher states no direction"),
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
    F_TS075: OATopic(
        table="ts075",
        title="TS075 Multi religion household",
        prefix="Multi religion household",
        base="households",
        labels=(
            "Total",
            "One-person household",
            "Multi-person household: No people stated their religion",
            "Multi-person household: Same religion (at least one person has stated a religion but the household may include people who did not state their religion)",
            "Multi-person household: No religion (household may include people who did not state their religion)",
            "Multi-person household: Same religion and no religion (household may include people who did not state their religion)",
            "Multi-person household: At least two different religions stated (household may include people with no religion and who did not state their religion)",
        ),
        measures=(
            "hh_religion_total",
            "hh_religion_one_person",
            "hh_religion_none_stated",
            "hh_religion_same",
            "hh_religion_no_religion",
            "hh_religion_same_and_none",
            "hh_religion_multiple",
        ),
        # The official total is labelled "Total" alone; it counts all households (one-person ones are column 2).
        sums=((1, (2, 3, 4, 5, 6, 7)),),
        directions=(
            PublisherDirection("hh_religion_total", NOT_STATED, "TS075 count of households: counts; the publisher states no direction"),
            PublisherDirection("hh_religion_*", NOT_STATED, "TS075 counts of households by whether members' stated religions differ: counts; the publisher states no direction"),
        ),
    ),
}


def _topic_file(name: str, topic: OATopic) -> RawFile:
    return RawFile(
        name=name,
        url=BULK.format(table=topic.table),
        description=f"{topic.title}: counts of {topic.base} per OA21 ({topic.coverage}), {len(topic.labels) - 1} categories and the total",
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
    # The series ran November 2022 - February 2023; the last of the held tables (TS067 education, TS037-TS039
    # health, disability and unpaid care) came out in January 2023.
    published="2023-01",
    vintage="Census 2021 (census day 21 March 2021)",
    geography="Output area, England and Wales",
    code_vintage="OA 2021",
    attribution="Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    files=tuple(_topic_file(name, topic) for name, topic in TOPICS.items()),
    directions=tuple(direction for topic in TOPICS.values() for direction in topic.directions),
    caveats=(
        "ONS cell-key perturbation: OA counts are perturbed, so sums of OAs differ slightly from published totals "
        "(TS067 residents aged 16+ sum to 48,567,007 over England and Wales, TS054 households to 24,782,883 against "
        "ONS's unrounded 24,783,199). Held at OA only: aggregate with the OA21 lookup (source oa21_lookup). Bases "
        "differ: TS023, TS026, TS054 and TS075 count households; TS037 and TS038 all usual residents, TS039 those aged "
        "5+, TS029 and TS032 those aged 3+, TS062 and TS067 those aged 16+, TS065 those aged 16+ not in employment. "
        "TS023, TS026 and TS075 include one-person households: drop them from the denominator for shares of "
        "multi-person households. Subtotal columns (TS038, TS039, TS054) must not be added to their parts. TS032 "
        "(Welsh language skills) covers the 10,275 OAs of Wales only. Census 2021 was taken during a COVID-19 "
        "lockdown: ONS's quality notice on the labour market topics (furlough, people temporarily away from work) "
        "applies to TS062 and TS065, and its notice on higher qualifications (Level 4+) of older people and "
        "international migrants to TS067."
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
    outside = ~frame[KEY].str[0].isin(list(topic.countries))
    if outside.any():
        # A table of one country (TS032) holding another country's OAs is a different file, not more data.
        raise SchemaError(f"{path}: column {KEY!r} holds OAs outside {topic.coverage}, e.g. {frame.loc[outside, KEY].iloc[0]!r}")
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
