"""Census 2021 OA topic tables loader (TS067 first): real bundled counts, the recorded Nomis bulk zip, damaged input."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pandas as pd
import pytest
import responses

from conftest import RAW
from data_sources import census2021, census2021_oa
from data_sources import census2021_oa_topics as m
from data_sources.base import NOT_STATED, TIDY_COLUMNS, TIDY_KEY, FetchError, SchemaError
from data_sources.http import build_request
from source_contract_checks import assert_failed_fetch_keeps_file, malformed_variants, write_variant

FOLDER = RAW / "census2021_oa_topics"
TS067 = FOLDER / m.F_TS067
TS067_URL = "https://www.nomisweb.co.uk/output/census/2021/census2021-ts067.zip"
TS029 = FOLDER / m.F_TS029
TS029_URL = "https://www.nomisweb.co.uk/output/census/2021/census2021-ts029.zip"
MEASURES = ["qual_total", "qual_none", "qual_level1_entry", "qual_level2", "qual_apprenticeship", "qual_level3", "qual_level4_plus", "qual_other"]


@pytest.fixture(scope="module")
def ts067():
    return m.read(TS067)


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
    msoa = census2021.read(RAW / "census2021" / "census2021_ts029_english_proficiency_msoa21.csv")
    published = msoa[msoa.measure.isin(["cannot_speak_english_well", "cannot_speak_english"])]["value"].sum()
    summed = wide.cannot_speak_english_well.sum() + wide.cannot_speak_english.sum()
    assert summed == 1_040_506 and abs(summed - published) / published < 0.001


def test_oas_are_those_of_the_oa_lookup(ts067):
    lookup = census2021_oa.read_lookup(RAW / "ons_oa21_lookup" / census2021_oa.LOOKUP)
    assert set(ts067.area_code) == set(lookup.oa21_code)


def test_declared_labels_are_the_official_ones():
    """Labels and column codes agree with the label dictionary held beside the other census files."""
    dictionary = census2021.read(RAW / "census2021" / census2021.F_METADATA)
    for topic in m.TOPICS.values():
        rows = dictionary[dictionary.Table_ID == topic.table]
        assert list(rows.new_names) == topic.columns
        assert [census2021.normalise_label(o, topic.prefix) for o in rows.old_names] == list(topic.labels)
        assert len(topic.measures) == len(topic.labels) and len(set(topic.measures)) == len(topic.measures)


def test_every_measure_has_a_publisher_direction(ts067):
    # Counts of residents: ONS states no direction for any of them.
    for measure in sorted(set(ts067.measure)):
        declared = m.SOURCE.direction(measure)
        assert declared.favourable == NOT_STATED and "counts; the publisher states no direction" in declared.evidence, measure
    assert "TS067" in m.SOURCE.direction("qual_total").evidence and "aged 16 and over" in m.SOURCE.direction("qual_total").evidence


def test_declaration():
    assert m.SOURCE.id == "census2021_oa_topics" and m.SOURCE.raw_folder == "census2021_oa_topics"
    assert [f.name for f in m.SOURCE.files] == [m.F_TS029, m.F_TS067]
    raw = m.SOURCE.file(m.F_TS067)
    assert raw.tidy and raw.method == "direct"
    assert raw.url == TS067_URL and build_request(raw.url).url == TS067_URL
    assert "reshaped" in raw.official_format_note and "census2021-ts067-oa.csv" in raw.official_format_note


# ---------------------------------------------------------------------------------------------
# Fetch against the recorded bulk zip
# ---------------------------------------------------------------------------------------------

def zip_body(fixtures_dir, table: str = "ts067") -> bytes:
    return (fixtures_dir / "census2021_oa_topics" / f"census2021-{table}.zip").read_bytes()


def serve_ts029(fixtures_dir) -> None:
    responses.add(responses.GET, TS029_URL, body=zip_body(fixtures_dir, "ts029"), content_type="application/zip")


@responses.activate
def test_fetch_converts_the_bulk_zip_to_the_held_layout(tmp_path, fixtures_dir, ts067):
    serve_ts029(fixtures_dir)
    responses.add(responses.GET, TS067_URL, body=zip_body(fixtures_dir), content_type="application/zip")
    folder = m.fetch(tmp_path / "raw")
    assert folder == tmp_path / "raw" / "census2021_oa_topics"
    fetched = m.read(folder / m.F_TS067)
    assert fetched.area_code.nunique() == 31 and "E00052146" in set(fetched.area_code)
    expected = ts067[ts067.area_code.isin(set(fetched.area_code))].reset_index(drop=True)
    pd.testing.assert_frame_equal(fetched, expected)
    # The converted file has the held layout: OA and the coded columns in order.
    assert list(pd.read_parquet(folder / m.F_TS067).columns) == list(pd.read_parquet(TS067).columns)
    entries = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    entry = entries[f"raw/census2021_oa_topics/{m.F_TS067}"]
    assert entry["url"] == TS067_URL and entries[f"raw/census2021_oa_topics/{m.F_TS029}"]["url"] == TS029_URL
    ts029 = m.read(folder / m.F_TS029)
    assert ts029[(ts029.area_code == "E00000001") & (ts029.measure == "english_prof_total")]["value"].item() == 176
    assert entry["source_id"] == "census2021_oa_topics" and len(entry["sha256"]) == 64


def changed_zip(fixtures_dir, old: str, new: str) -> bytes:
    text = zipfile.ZipFile(io.BytesIO(zip_body(fixtures_dir))).read("census2021-ts067-oa.csv").decode()
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
def test_fetch_refuses_a_changed_zip(tmp_path, fixtures_dir, old, new, message):
    serve_ts029(fixtures_dir)
    responses.add(responses.GET, TS067_URL, body=changed_zip(fixtures_dir, old, new), content_type="application/zip")
    with pytest.raises(FetchError, match=message):
        m.fetch(tmp_path / "raw")
    assert not (tmp_path / "manifest.json").exists()


def test_failed_fetch_keeps_the_held_file(tmp_path, monkeypatch, fixtures_dir):
    # An HTTP 500, then an HTML page in place of the zip.
    assert_failed_fetch_keeps_file(m, tmp_path, monkeypatch, {TS067_URL: zip_body(fixtures_dir)}, TS067_URL)


# ---------------------------------------------------------------------------------------------
# Damaged held files
# ---------------------------------------------------------------------------------------------

def test_malformed_input_raises(tmp_path):
    """A renamed column, a cut-off file, an HTML page and an empty file: SchemaError naming the file (and the column).

    The shared variants are byte edits; in a parquet file the first copy of a column name is in R's metadata, not in
    the schema, so the renamed variant is written by pandas instead."""
    variants = malformed_variants(TS067, old="ts0670007", new="ts0670070", cut=lambda data: data[: len(data) // 2])
    buffer = io.BytesIO()
    pd.read_parquet(TS067).rename(columns={"ts0670007": "ts0670070"}).to_parquet(buffer, index=False)
    variants["renamed"] = buffer.getvalue()
    for kind, data in variants.items():
        path = write_variant(tmp_path, kind, TS067.name, data)
        with pytest.raises(SchemaError, match=re.escape(TS067.name)) as info:
            m.read(path)
        if kind == "renamed":
            assert "'ts0670007'" in str(info.value)


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
