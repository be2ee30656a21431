"""Census 2021 OA topic tables loader (twelve tables): real bundled counts, the recorded Nomis bulk zips, damaged input."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import census2021, oa21_lookup
from data_sources import census2021_oa_topics as m
from data_sources.base import NOT_STATED, TIDY_COLUMNS, TIDY_KEY, FetchError, SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = RAW / m.SOURCE.raw_folder
FIXTURE = FIXTURES / m.SOURCE.id
TS067 = FOLDER / m.F_TS067
TS067_URL = "https://www.nomisweb.co.uk/output/census/2021/census2021-ts067.zip"
TS029 = FOLDER / m.F_TS029
TS029_URL = "https://www.nomisweb.co.uk/output/census/2021/census2021-ts029.zip"
MEASURES = ["qual_total", "qual_none", "qual_level1_entry", "qual_level2", "qual_apprenticeship", "qual_level3", "qual_level4_plus", "qual_other"]
URLS = {name: f"https://www.nomisweb.co.uk/output/census/2021/census2021-{topic.table}.zip" for name, topic in m.TOPICS.items()}
NEW = [m.F_TS023, m.F_TS026, m.F_TS032, m.F_TS037, m.F_TS038, m.F_TS039, m.F_TS054, m.F_TS062, m.F_TS065, m.F_TS075]

# Sums of the held OA files over England and Wales, England and Wales (the PROVENANCE.md table), and the row of
# E00000001 (W00000001 for the Wales-only TS032) as held.
HELD = {
    m.F_TS023: ((24_783_820, 23_436_770, 1_347_050), "E00000001", [94, 34, 40, 1, 17, 2]),
    m.F_TS026: ((24_782_794, 23_435_762, 1_347_032), "E00000001", [94, 34, 52, 0, 6, 2]),
    m.F_TS032: ((3_018_086, 0, 3_018_086), "W00000001", [355, 20, 196, 21, 8, 7, 0, 1, 3, 99]),
    m.F_TS037: ((59_597_457, 56_490_069, 3_107_388), "E00000001", [175, 98, 49, 26, 2, 0]),
    m.F_TS038: ((59_597_470, 56_490_014, 3_107_456), "E00000001", [174, 19, 3, 16, 155, 19, 136]),
    m.F_TS039: ((56_366_038, 53_413_338, 2_952_700), "E00000001", [174, 161, 8, 8, 0, 3, 3, 0, 2]),
    m.F_TS054: ((24_782_883, 23_435_688, 1_347_195), "E00000001", [94, 72, 59, 13, 0, 0, 7, 6, 1, 15, 13, 2, 0]),
    m.F_TS062: ((48_565_050, 46_005_691, 2_559_359), "E00000001", [159, 80, 38, 13, 9, 3, 5, 5, 4, 2]),
    m.F_TS065: ((20_792_380, 19_601_329, 1_191_051), "E00000001", [74, 14, 56, 4]),
    m.F_TS075: ((24_783_333, 23_436_175, 1_347_158), "E00000001", [94, 34, 4, 21, 27, 7, 1]),
}
# The additions the publisher's tables make (1-based column positions), as the brief and PROVENANCE.md state them.
SUMS = {
    m.F_TS023: [(1, (2, 3, 4, 5, 6))],
    m.F_TS026: [(1, (2, 3, 4, 5, 6))],
    m.F_TS029: [(1, (2, 3)), (3, (4, 5, 6, 7))],
    m.F_TS032: [(1, (2, 3, 4, 5, 6, 7, 8, 9, 10))],
    m.F_TS037: [(1, (2, 3, 4, 5, 6))],
    m.F_TS038: [(1, (2, 5)), (2, (3, 4)), (5, (6, 7))],
    m.F_TS039: [(1, (2, 3, 6, 9)), (3, (4, 5)), (6, (7, 8))],
    m.F_TS054: [(1, (2, 5, 7, 10, 13)), (2, (3, 4)), (5, (6,)), (7, (8, 9)), (10, (11, 12))],
    m.F_TS062: [(1, (2, 3, 4, 5, 6, 7, 8, 9, 10))],
    m.F_TS065: [(1, (2, 3, 4))],
    m.F_TS067: [(1, (2, 3, 4, 5, 6, 7, 8))],
    m.F_TS075: [(1, (2, 3, 4, 5, 6, 7))],
}
PREFIXES = {
    "ts023": "Multiple ethnic groups in household",
    "ts026": "Multiple main languages in household",
    "ts029": "Proficiency in English language",
    "ts032": "Welsh language skills",
    "ts037": "General health",
    "ts038": "Disability",
    "ts039": "Provision of unpaid care",
    "ts054": "Tenure of household",
    "ts062": "National Statistics Socio-economic Classification (NS-SEC)",
    "ts065": "Unemployment history",
    "ts067": "Highest level of qualification",
    "ts075": "Multi religion household",
}


@pytest.fixture(scope="module")
def ts067():
    return m.read(TS067)


@pytest.fixture(scope="module")
def tables():
    """Each held table read once, wide: one row per OA, the tidy measures as columns in official order."""
    cache = {}

    def wide_of(name: str) -> pd.DataFrame:
        if name not in cache:
            tidy = m.read(FOLDER / name)
            cache[name] = tidy.pivot(index="area_code", columns="measure", values="value")[list(m.TOPICS[name].measures)]
        return cache[name]

    return wide_of


@pytest.fixture(scope="module")
def wide(ts067):
    return ts067.pivot(index="area_code", columns="measure", values="value")[MEASURES]


def test_tidy_schema_and_key(ts067):
    assert list(ts067.columns) == TIDY_COLUMNS
    assert not ts067.duplicated(TIDY_KEY).any()
    assert len(ts067) == 188_880 * 8 and ts067.area_code.nunique() == 188_880
    assert set(ts067.geography) == {"oa21"} and set(ts067.period) == {"2021"}
    assert sorted(set(ts067.measure)) == sorted(MEASURES)
    assert ts067.value.notna().all() and ts067.lower_ci.isna().all()


def test_a_known_oa(wide):
    # E00052146: the row PROVENANCE.md checked against a published page of Nomis values.
    assert wide.loc["E00052146"].tolist() == [433, 61, 32, 53, 21, 86, 165, 15]
    assert wide.loc["E00000001"].tolist() == [160, 4, 7, 10, 1, 11, 122, 5]


def test_totals_and_the_published_headline_shares(wide):
    assert wide.qual_total.sum() == 48_567_007
    assert wide.qual_total[wide.index.str[0] == "E"].sum() == 46_007_598
    assert wide.qual_total[wide.index.str[0] == "W"].sum() == 2_559_409
    # The seven categories partition residents aged 16+ at every OA, as the publisher's table does.
    assert (wide[MEASURES[1:]].sum(axis=1) == wide.qual_total).all()
    # ONS's headline: 33.8% Level 4 or above, 18.2% no qualifications (England and Wales).
    assert round(100 * wide.qual_level4_plus.sum() / wide.qual_total.sum(), 1) == 33.8
    assert round(100 * wide.qual_none.sum() / wide.qual_total.sum(), 1) == 18.2


def test_ts029_english_proficiency_totals_match_the_published_msoa_file():
    """TS029 at OA: residents aged 3+ sum to 57,704,938 (the MSOA file Nomis publishes sums to 57,704,237; ONS
    perturbs small cells), and every OA's parts add up to its total."""
    wide = m.read(TS029).pivot(index="area_code", columns="measure", values="value")
    assert wide.english_prof_total.sum() == 57_704_938
    assert (wide.main_language_english + wide.main_language_not_english == wide.english_prof_total).all()
    parts = ["speaks_english_very_well", "speaks_english_well", "cannot_speak_english_well", "cannot_speak_english"]
    assert (wide[parts].sum(axis=1) == wide.main_language_not_english).all()
    assert wide.loc["E00000001", "english_prof_total"] == 176
    msoa = census2021.read(RAW / census2021.SOURCE.raw_folder / census2021.F_TS029)
    published = msoa[msoa.measure.isin(["cannot_speak_english_well", "cannot_speak_english"])]["value"].sum()
    summed = wide.cannot_speak_english_well.sum() + wide.cannot_speak_english.sum()
    assert summed == 1_040_506 and abs(summed - published) / published < 0.001


def test_oas_are_those_of_the_oa_lookup(ts067):
    lookup = oa21_lookup.read_lookup(RAW / oa21_lookup.SOURCE.raw_folder / oa21_lookup.LOOKUP)
    assert set(ts067.area_code) == set(lookup.oa21_code)


def test_declared_labels_are_the_official_ones():
    """Labels and column codes agree with the label dictionary held beside the other census files."""
    dictionary = census2021.read(RAW / census2021.SOURCE.raw_folder / census2021.F_METADATA)
    for topic in m.TOPICS.values():
        rows = dictionary[dictionary.Table_ID == topic.table]
        assert list(rows.new_names) == topic.columns
        assert [census2021.normalise_label(o, topic.prefix) for o in rows.old_names] == list(topic.labels)
        assert len(topic.measures) == len(topic.labels) and len(set(topic.measures)) == len(topic.measures)
        assert topic.prefix == PREFIXES[topic.table]
        # Variable_Name is the label after the table prefix, except in TS062, whose labels repeat the table name.
        repeat = topic.prefix + ": " if topic.table == "ts062" else ""
        assert list(rows.Variable_Name) == [repeat + label for label in topic.labels]


def test_declared_measures_and_sums():
    """The tidy names the indicators are written against, and the additions the publisher's tables make."""
    expected = {
        "ts023": "hh_ethnic_total hh_ethnic_one_person hh_ethnic_same hh_ethnic_differ_generations hh_ethnic_differ_partnerships hh_ethnic_other_combination",
        "ts026": "hh_language_total hh_language_one_person hh_language_same hh_language_differ_generations hh_language_differ_partnerships hh_language_other_combination",
        "ts032": "welsh_skills_total welsh_understand_only welsh_speak_read_write welsh_speak_not_read_write welsh_speak_read_not_write welsh_read_only welsh_write_only welsh_read_write_not_speak welsh_speak_other_combination welsh_no_skills",
        "ts037": "health_total health_very_good health_good health_fair health_bad health_very_bad",
        "ts038": "disability_total disabled disabled_limited_a_lot disabled_limited_a_little not_disabled not_disabled_with_condition not_disabled_no_condition",
        "ts039": "care_total care_none care_19_or_less care_9_or_less care_10_to_19 care_20_to_49 care_20_to_34 care_35_to_49 care_50_plus",
        "ts054": "tenure_total tenure_owned tenure_owned_outright tenure_owned_mortgage tenure_shared_ownership_total tenure_shared_ownership tenure_social_rented tenure_social_rented_council tenure_social_rented_other tenure_private_rented tenure_private_rented_landlord tenure_private_rented_other tenure_rent_free",
        "ts062": "nssec_total nssec_l1_l3 nssec_l4_l6 nssec_l7 nssec_l8_l9 nssec_l10_l11 nssec_l12 nssec_l13 nssec_l14_never_worked_long_term_unemployed nssec_l15_students",
        "ts065": "unemp_history_total unemp_worked_last_12_months unemp_not_worked_last_12_months unemp_never_worked",
        "ts075": "hh_religion_total hh_religion_one_person hh_religion_none_stated hh_religion_same hh_religion_no_religion hh_religion_same_and_none hh_religion_multiple",
    }
    by_table = {topic.table: topic for topic in m.TOPICS.values()}
    for table, names in expected.items():
        assert list(by_table[table].measures) == names.split(), table
    for name, sums in SUMS.items():
        assert [(total, tuple(parts)) for total, parts in sums] == list(m.TOPICS[name].sums), name
    assert {topic.table: topic.countries for topic in m.TOPICS.values() if topic.countries != "EW"} == {"ts032": "W"}


def test_every_measure_has_a_publisher_direction(ts067):
    # Counts of residents or households: ONS states no direction for any of them.
    for measure in sorted(set(ts067.measure)):
        declared = m.SOURCE.direction(measure)
        assert declared.favourable == NOT_STATED and "counts; the publisher states no direction" in declared.evidence, measure
    every = [measure for topic in m.TOPICS.values() for measure in topic.measures]
    assert len(every) == len(set(every)), "a measure name is declared by two tables"
    for topic in m.TOPICS.values():
        for measure in topic.measures:
            declared = m.SOURCE.direction(measure)
            # The first matching pattern must be this table's own, not a broader one of another table.
            assert declared.favourable == NOT_STATED and declared.evidence.startswith(topic.table.upper() + " "), (measure, declared)
    assert "households" in m.SOURCE.direction("tenure_total").evidence
    assert "aged 3 and over in Wales" in m.SOURCE.direction("welsh_skills_total").evidence
    assert "TS067" in m.SOURCE.direction("qual_total").evidence and "aged 16 and over" in m.SOURCE.direction("qual_total").evidence


def test_declaration():
    assert m.SOURCE.id == "census2021_oa_topics" and m.SOURCE.raw_folder == "census2021_oa_topics"
    assert [f.name for f in m.SOURCE.files] == [
        m.F_TS023, m.F_TS026, m.F_TS029, m.F_TS032, m.F_TS037, m.F_TS038, m.F_TS039, m.F_TS054, m.F_TS062, m.F_TS065, m.F_TS067, m.F_TS075,
    ]
    assert m.SOURCE.published == "2023-01" and "TS032" in m.SOURCE.title and "TS075" in m.SOURCE.title
    for needle in ("count households", "Wales only", "TS062 and TS065", "COVID-19"):
        assert needle in m.SOURCE.caveats, needle
    assert "10,275 OA21s of Wales" in m.SOURCE.file(m.F_TS032).description
    assert "188,880 OA21s of England and Wales" in m.SOURCE.file(m.F_TS054).description
    raw = m.SOURCE.file(m.F_TS067)
    assert raw.tidy and raw.method == "direct"
    assert "reshaped" in raw.official_format_note and "census2021-ts067-oa.csv" in raw.official_format_note


@pytest.mark.parametrize("name", NEW, ids=lambda n: n.split("_")[1])
def test_new_tables_real_totals_and_a_known_oa(tables, name):
    """Each table's OA sums over England and Wales and per country (as PROVENANCE.md records them), one OA row, and
    every addition the publisher's table makes, checked again here on the tidy frame."""
    wide = tables(name)
    topic = m.TOPICS[name]
    (both, england, wales), oa, row = HELD[name]
    total = wide[topic.measures[0]]
    assert total.sum() == both
    assert total[wide.index.str[0] == "E"].sum() == england and total[wide.index.str[0] == "W"].sum() == wales
    assert len(wide) == (10_275 if name == m.F_TS032 else 188_880)
    assert wide.loc[oa].tolist() == row
    assert wide.notna().all().all() and (wide >= 0).all().all()
    for whole, parts in SUMS[name]:
        added = wide[[topic.measures[p - 1] for p in parts]].sum(axis=1)
        assert (added == wide[topic.measures[whole - 1]]).all(), (whole, parts)


def test_new_tables_cover_the_oas_of_the_lookup(tables):
    lookup = set(oa21_lookup.read_lookup(RAW / oa21_lookup.SOURCE.raw_folder / oa21_lookup.LOOKUP).oa21_code)
    welsh = {code for code in lookup if code.startswith("W")}
    assert len(welsh) == 10_275
    for name in NEW:
        assert set(tables(name).index) == (welsh if name == m.F_TS032 else lookup), name


def test_ts032_can_speak_welsh_matches_the_published_figure(tables):
    """'Can speak Welsh' is codes 3+4+5+9: 538,266 of 3,018,086 residents aged 3+ (17.8%); the Welsh Government
    publishes 538,300 and 17.8%."""
    wide = tables(m.F_TS032)
    speak = wide[["welsh_speak_read_write", "welsh_speak_not_read_write", "welsh_speak_read_not_write", "welsh_speak_other_combination"]].sum(axis=1)
    assert speak.sum() == 538_266 and wide.welsh_skills_total.sum() == 3_018_086
    assert round(100 * speak.sum() / wide.welsh_skills_total.sum(), 1) == 17.8
    assert wide.index.str.startswith("W").all()


def test_ts054_households_and_the_row_checked_against_a_published_page(tables):
    wide = tables(m.F_TS054)
    # 24,782,883 households against ONS's unrounded 24,783,199: cell-key perturbation of small cells.
    assert wide.tenure_total.sum() == 24_782_883 and abs(wide.tenure_total.sum() - 24_783_199) == 316
    assert wide.loc["E00172354"].tolist() == [50, 34, 19, 15, 1, 1, 1, 0, 1, 14, 4, 10, 0]
    # Shared ownership has a single sub-tenure, equal to it at every OA.
    assert (wide.tenure_shared_ownership == wide.tenure_shared_ownership_total).all()


def test_health_and_care_bases(tables):
    health, disability, care = tables(m.F_TS037), tables(m.F_TS038), tables(m.F_TS039)
    assert health.health_total.sum() == 59_597_457 and disability.disability_total.sum() == 59_597_470
    # Two tables of the same residents, perturbed apart: 13 people over England and Wales.
    assert disability.disability_total.sum() - health.health_total.sum() == 13
    # Carers are everyone aged 5+ who provides some care: 4,989,845 (ONS: "5.0 million").
    carers = care.care_total - care.care_none
    assert carers.sum() == 4_989_845
    assert (carers == care[["care_19_or_less", "care_20_to_49", "care_50_plus"]].sum(axis=1)).all()


def test_the_two_16_plus_tables_differ_only_by_perturbation(tables):
    nssec, qual = tables(m.F_TS062), tables(m.F_TS067)
    assert nssec.nssec_total.sum() == 48_565_050
    assert qual.qual_total.sum() - nssec.nssec_total.sum() == 1_957
    unemp = tables(m.F_TS065)
    # Those not in employment are a part of the residents aged 16+, below TS062's total at every OA.
    assert unemp.unemp_history_total.sum() == 20_792_380
    assert (unemp.unemp_history_total < nssec.nssec_total).all()


def test_the_household_tables_count_the_same_households(tables):
    """TS023, TS026, TS054 and TS075 count the same households (perturbed apart), one-person ones included."""
    totals = {name: tables(name).iloc[:, 0] for name in (m.F_TS023, m.F_TS026, m.F_TS054, m.F_TS075)}
    sums = sorted(int(t.sum()) for t in totals.values())
    assert sums == [24_782_794, 24_782_883, 24_783_333, 24_783_820]
    # The one-person households are the same in all three tables, OA by OA: 7,481,989 over England and Wales.
    one_person = [tables(name).iloc[:, 1] for name in (m.F_TS023, m.F_TS026, m.F_TS075)]
    assert one_person[0].sum() == 7_481_989
    assert all(one_person[0].equals(other) for other in one_person[1:])


# ---------------------------------------------------------------------------------------------
# Fetch against the recorded bulk zip
# ---------------------------------------------------------------------------------------------

def zip_body(table: str = "ts067") -> bytes:
    return (FIXTURE / f"census2021-{table}.zip").read_bytes()


def all_bodies() -> dict[str, bytes]:
    return {URLS[name]: zip_body(topic.table) for name, topic in m.TOPICS.items()}


CONTRACT = contract.Contract(
    samples=tuple(Sample(name) for name in m.TOPICS),
    damaged=(
        Damaged(m.F_TS029, "ts0290001", "ts029_total"),
        Damaged(m.F_TS067, "ts0670007", "ts0670070"),
    ),
    urls=URLS,
    recorded=all_bodies,
    failing=m.F_TS067,  # the eleventh of twelve downloads: ten good tables are already staged when it fails
    html_message="not a zip",
)


def serve_others(but: str = TS067_URL) -> None:
    """The recorded zip of every table but one (which the test serves itself)."""
    for url, body in all_bodies().items():
        if url != but:
            responses.add(responses.GET, url, body=body, content_type="application/zip")


@responses.activate
def test_fetch_converts_the_bulk_zip_to_the_held_layout(tmp_path, ts067):
    serve_others()
    responses.add(responses.GET, TS067_URL, body=zip_body(), content_type="application/zip")
    folder = m.fetch(tmp_path / "raw")
    assert folder == tmp_path / "raw" / m.SOURCE.id
    fetched = m.read(folder / m.F_TS067)
    assert fetched.area_code.nunique() == 31 and "E00052146" in set(fetched.area_code)
    expected = ts067[ts067.area_code.isin(set(fetched.area_code))].reset_index(drop=True)
    pd.testing.assert_frame_equal(fetched, expected)
    # The converted file has the held layout: OA and the coded columns in order.
    assert list(pd.read_parquet(folder / m.F_TS067).columns) == list(pd.read_parquet(TS067).columns)
    entries = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    entry = entries[f"raw/{m.SOURCE.id}/{m.F_TS067}"]
    assert entry["url"] == TS067_URL and entries[f"raw/{m.SOURCE.id}/{m.F_TS029}"]["url"] == TS029_URL
    ts029 = m.read(folder / m.F_TS029)
    assert ts029[(ts029.area_code == "E00000001") & (ts029.measure == "english_prof_total")]["value"].item() == 176
    assert entry["source_id"] == "census2021_oa_topics" and len(entry["sha256"]) == 64
    assert set(entries) == {f"raw/{m.SOURCE.id}/{name}" for name in m.TOPICS}


@pytest.mark.parametrize("name", NEW, ids=lambda n: n.split("_")[1])
def test_converter_gives_the_held_rows_from_the_official_layout(tmp_path, name):
    """The recorded '-oa.csv' (official '<prefix>: <label>' headers, real counts) converts to exactly the held rows."""
    topic = m.TOPICS[name]
    downloaded = tmp_path / f"census2021-{topic.table}.zip"
    downloaded.write_bytes(zip_body(topic.table))
    target = tmp_path / name
    m.convert_topic(topic)(downloaded, target)
    converted = pd.read_parquet(target)
    held = pd.read_parquet(FOLDER / name)
    assert list(converted.columns) == list(held.columns)
    expected = held[held.OA.isin(set(converted.OA))].reset_index(drop=True)
    # The first 25, the last 5 and E00052146 (not in Wales-only TS032); TS054 also E00172354.
    assert len(expected) == len(converted) == {m.F_TS032: 30, m.F_TS054: 32}.get(name, 31)
    pd.testing.assert_frame_equal(converted, expected)
    assert m.read(target).area_code.nunique() == len(converted)
    if name == m.F_TS054:
        assert "E00172354" in set(converted.OA)


def official_csv(table: str) -> str:
    return zipfile.ZipFile(io.BytesIO(zip_body(table))).read(f"census2021-{table}-oa.csv").decode()


def rezip(table: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr(f"census2021-{table}-oa.csv", text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "table, old, new, message",
    [
        # TS062's header prefix is the table name exactly as Nomis spells it; another spelling is not stripped.
        ("ts062", "National Statistics Socio-economic Classification (NS-SEC): L7 Intermediate occupations", "National Statistics Socio-economic Classification (NS-SeC): L7 Intermediate occupations", "ts062 OA columns changed.*NS-SeC"),
        ("ts032", ",Welsh language skills: No skills in Welsh", None, "ts032 OA columns changed \\(9 found, 10 expected"),
        ("ts075", "Multi religion household: Total,", "Multi religion household: Total: All households,", "ts075 OA columns changed.*Total: All households"),
        ("ts054", "Tenure of household: Lives rent free", "Tenure of household: Lives rent-free", "Lives rent free"),
        ("ts039", "2021,E00000001,174,", "2021,E00000001,,", "empty cells"),
    ],
    ids=["ts062-prefix-respelt", "ts032-column-dropped", "ts075-total-relabelled", "ts054-renamed", "ts039-blank"],
)
def test_converter_refuses_a_changed_official_file(tmp_path, table, old, new, message):
    text = official_csv(table)
    assert old in text
    if new is None:
        # The last column gone from the header and from every row alike: only the label list differs.
        head, *rows = [line for line in text.split("\r\n") if line]
        text = "\r\n".join([head.replace(old, "", 1)] + [row.rsplit(",", 1)[0] for row in rows]) + "\r\n"
    else:
        text = text.replace(old, new, 1)
    downloaded = tmp_path / f"census2021-{table}.zip"
    downloaded.write_bytes(rezip(table, text))
    name = next(n for n, t in m.TOPICS.items() if t.table == table)
    with pytest.raises(SchemaError, match=message):
        m.convert_topic(m.TOPICS[name])(downloaded, tmp_path / name)
    assert not (tmp_path / name).exists()


def changed_zip(old: str, new: str) -> bytes:
    text = zipfile.ZipFile(io.BytesIO(zip_body())).read("census2021-ts067-oa.csv").decode()
    assert old in text
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("census2021-ts067-oa.csv", text.replace(old, new, 1))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("Highest level of qualification: Apprenticeship", "Highest level of qualification: Apprenticeships", "Apprenticeship"),
        ("2021,E00052146,433,", "2021,E00052146,x,", "non-numeric|empty"),
        ("2021,E00052146,433,", "2021,E00052146,434,", "not the sum"),
    ],
    ids=["renamed-category", "bad-count", "total-off"],
)
@responses.activate
def test_fetch_refuses_a_changed_zip(tmp_path, old, new, message):
    serve_others()
    responses.add(responses.GET, TS067_URL, body=changed_zip(old, new), content_type="application/zip")
    with pytest.raises(FetchError, match=message):
        m.fetch(tmp_path / "raw")
    assert not (tmp_path / "manifest.json").exists()


@responses.activate
def test_a_bad_new_table_stops_the_whole_refresh(tmp_path):
    """A subtotal that no longer adds up in one new table (TS039, 19 hours or less) keeps every held file and the manifest."""
    serve_others(but=URLS[m.F_TS039])
    text = official_csv("ts039")
    assert "2021,E00000001,174,161,8,8,0," in text
    responses.add(responses.GET, URLS[m.F_TS039], body=rezip("ts039", text.replace("2021,E00000001,174,161,8,8,0,", "2021,E00000001,174,161,8,7,0,", 1)))
    with pytest.raises(FetchError, match="ts0390003.*not the sum of ts0390004\\+ts0390005.*E00000001"):
        m.fetch(tmp_path / "raw")
    assert not (tmp_path / "manifest.json").exists() and not (tmp_path / "raw" / m.SOURCE.raw_folder).exists()


# ---------------------------------------------------------------------------------------------
# Damaged held files
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.assign(ts0670001=f.ts0670001.where(f.OA != "E00052146", 434.0)), "not the sum.*E00052146"),
        (lambda f: f.assign(ts0670002=f.ts0670002.where(f.OA != "E00052146", -61.0)), "negative or fractional"),
        (lambda f: f.assign(ts0670008=f.ts0670008.where(f.OA != "E00052146", 15.5)), "negative or fractional"),
        (lambda f: f.assign(ts0670003=f.ts0670003.where(f.OA != "E00052146", float("nan"))), "empty cells"),
        (lambda f: f.assign(OA=f.OA.where(f.OA != "E00052146", "E01052146")), "another geography"),
        (lambda f: f.assign(OA=f.OA.where(f.OA != "E00052146", "E00000001")), "not unique"),
        (lambda f: f.drop(columns="ts0670008"), "ts0670008"),
    ],
    ids=["total-off", "negative", "fractional", "blank", "lsoa-code", "duplicate-oa", "dropped-column"],
)
def test_damaged_counts_are_refused(tmp_path, change, message):
    frame = pd.read_parquet(TS067)
    frame = frame[frame.OA.isin(set(frame.OA.head(200)) | {"E00052146"})]
    target = tmp_path / m.F_TS067
    change(frame).to_parquet(target, index=False)
    with pytest.raises(SchemaError, match=message) as info:
        m.read(target)
    assert m.F_TS067 in str(info.value)


def test_unknown_file_is_refused(tmp_path):
    with pytest.raises(SchemaError, match=re.escape("not a file of source census2021_oa_topics")):
        m.read(tmp_path / "census2021_ts999_other_oa21.parquet")


def held_slice(name: str, extra: set[str] = frozenset()) -> pd.DataFrame:
    frame = pd.read_parquet(FOLDER / name)
    return frame[frame.OA.isin(set(frame.OA.head(200)) | set(extra))].copy()


def bump(frame: pd.DataFrame, column: str, oa: str, by: float) -> pd.DataFrame:
    frame.loc[frame.OA == oa, column] += by
    return frame


def raised(sums, whole: int) -> list[int]:
    """The column and every total above it: raising them all by one breaks only the addition whose total it is."""
    above = [total for total, parts in sums if whole in parts]
    return [whole] + [column for total in above for column in raised(sums, total)]


# Every addition of every new table broken at one real OA: its total (a subtotal, for nested ones) raised by one.
BROKEN_SUMS = [(name, whole, parts) for name in NEW for whole, parts in SUMS[name]]


@pytest.mark.parametrize("name, whole, parts", BROKEN_SUMS, ids=[f"{n.split('_')[1]}-{w}" for n, w, _ in BROKEN_SUMS])
def test_a_subtotal_that_does_not_add_up_is_refused(tmp_path, name, whole, parts):
    topic = m.TOPICS[name]
    oa = HELD[name][1]
    frame = held_slice(name)
    for column in raised(SUMS[name], whole):
        frame = bump(frame, topic.column(column), oa, 1.0)
    target = tmp_path / name
    frame.to_parquet(target, index=False)
    names = re.escape("+".join(topic.column(p) for p in parts))
    with pytest.raises(SchemaError, match=f"{re.escape(name)}: column '{topic.column(whole)}' is not the sum of {names} at 1 OAs, e.g. {oa}"):
        m.read(target)


@pytest.mark.parametrize("name", NEW, ids=lambda n: n.split("_")[1])
def test_a_changed_column_is_refused(tmp_path, name):
    """A renamed count column (the last one) and a column missing altogether: SchemaError naming file and column."""
    topic = m.TOPICS[name]
    last = topic.columns[-1]
    for kind, frame in (
        ("renamed", held_slice(name).rename(columns={last: last + "x"})),
        ("dropped", held_slice(name).drop(columns=topic.columns[1])),
    ):
        target = tmp_path / kind / name
        target.parent.mkdir()
        frame.to_parquet(target, index=False)
        with pytest.raises(SchemaError, match=re.escape(name)) as info:
            m.read(target)
        assert repr(last if kind == "renamed" else topic.columns[1]) in str(info.value), str(info.value)


@pytest.mark.parametrize("name", NEW, ids=lambda n: n.split("_")[1])
def test_a_code_of_another_geography_is_refused(tmp_path, name):
    oa = HELD[name][1]
    lsoa = oa[0] + "01" + oa[3:]  # E00000001 -> E01000001, an LSOA code
    frame = held_slice(name)
    frame.loc[frame.OA == oa, "OA"] = lsoa
    target = tmp_path / name
    frame.to_parquet(target, index=False)
    with pytest.raises(SchemaError, match=f"{re.escape(name)}: column 'OA' holds codes of another geography, e.g. '{lsoa}'"):
        m.read(target)


def test_ts032_reads_wales_only_and_refuses_an_english_oa(tmp_path):
    frame = held_slice(m.F_TS032)
    target = tmp_path / m.F_TS032
    frame.to_parquet(target, index=False)
    assert m.read(target).area_code.str.startswith("W").all()
    english = pd.read_parquet(FOLDER / m.F_TS037).OA.iloc[0]
    frame.loc[frame.index[0], "OA"] = english
    frame.to_parquet(target, index=False)
    with pytest.raises(SchemaError, match=f"{re.escape(m.F_TS032)}: column 'OA' holds OAs outside 10,275 OA21s of Wales, e.g. '{english}'"):
        m.read(target)


@pytest.mark.parametrize(
    "name, change, message",
    [
        (m.F_TS054, lambda f: f.assign(ts0540013=f.ts0540013.where(f.OA != "E00000001", -1.0)), "ts0540013.*negative or fractional"),
        (m.F_TS062, lambda f: f.assign(ts0620010=f.ts0620010.where(f.OA != "E00000001", 2.5)), "ts0620010.*negative or fractional"),
        (m.F_TS037, lambda f: f.assign(ts0370004=f.ts0370004.where(f.OA != "E00000001", float("nan"))), "ts0370004.*empty cells"),
        (m.F_TS065, lambda f: pd.concat([f, f.head(1)]), "not unique"),
        (m.F_TS032, lambda f: f.assign(OA=f.OA.where(f.OA != "W00000001", None)), "empty codes"),
    ],
    ids=["ts054-negative", "ts062-fractional", "ts037-blank", "ts065-duplicate-oa", "ts032-blank-code"],
)
def test_damaged_new_tables_are_refused(tmp_path, name, change, message):
    target = tmp_path / name
    change(held_slice(name)).to_parquet(target, index=False)
    with pytest.raises(SchemaError, match=message) as info:
        m.read(target)
    assert name in str(info.value)
