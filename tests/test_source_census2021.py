"""Census 2021 topic-summary loader: real bundled values, recorded Nomis bulk zips, and damaged input."""
from __future__ import annotations

import gzip
import json
import re
import time

import pandas as pd
import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import census2021 as m
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, FetchError, SchemaError
from source_contract_checks import Damaged, Sample

PUBLISHED_EW_POPULATION = 59_597_542  # ONS headline, England and Wales, census day 2021
HELD = RAW / m.SOURCE.raw_folder
FIXTURE = FIXTURES / m.SOURCE.id


def bulk_zip_url(name: str) -> str:
    """Nomis's bulk zip of the table a held file comes from (census2021_ts021_... -> census2021-ts021.zip)."""
    table = re.search(r"_(ts\d{3})_", name).group(1)
    return f"https://www.nomisweb.co.uk/output/census/2021/census2021-{table}.zip"


CONTRACT = contract.Contract(
    samples=(
        Sample(m.F_TS021),
        Sample(m.F_TS029),
        Sample(m.F_TS004),
        Sample(m.F_METADATA, rows=None, keep=r",ts0(04|25|27),"),
    ),
    damaged=(
        Damaged(m.F_TS021, "lsoa21_code", "lsoa_code"),
        Damaged(m.F_TS029, "Main language is English (English or Welsh in Wales)", "Main language English"),
        Damaged(m.F_TS025, "ts0250005", "ts0250006"),
    ),
    # Every table is the official bulk zip; the label dictionary is derived, with no download of its own.
    urls={f.name: "" if f.name == m.F_METADATA else bulk_zip_url(f.name) for f in m.SOURCE.files},
    html_message="not a zip",
)


@pytest.fixture(scope="module")
def tables():
    return {f.name: m.read(HELD / f.name) for f in m.SOURCE.files}


def value(frame: pd.DataFrame, code: str, measure: str) -> float:
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1, (code, measure)
    return float(rows.value.iloc[0])


def measure_sum(frame: pd.DataFrame, measure: str) -> float:
    return float(frame.loc[frame.measure == measure, "value"].sum())


def test_every_tidy_file_has_the_schema_a_unique_key_and_no_missing_counts(tables):
    for f in m.SOURCE.files:
        if not f.tidy:
            continue
        frame = tables[f.name]
        assert list(frame.columns) == TIDY_COLUMNS
        assert not frame.duplicated(TIDY_KEY).any()
        assert frame.value.notna().all()  # census counts are perturbed, never suppressed
        assert set(frame.period) == {"2021"}
        assert frame.area_code.str[0].isin(["E", "W"]).all()


def test_ts021_lsoa_totals_sum_to_the_census_population(tables):
    frame = tables[m.F_TS021]
    assert len(frame) == 35_672 * 6
    assert frame.area_code.nunique() == 35_672
    assert (frame.area_code.drop_duplicates().str[0] == "W").sum() == 1_917
    total = measure_sum(frame, "ethnic_total")
    assert total == 59_597_576  # the real LSOA sum: perturbation adds 34 to the headline
    assert abs(total - PUBLISHED_EW_POPULATION) / PUBLISHED_EW_POPULATION < 1e-5
    groups = sum(measure_sum(frame, f"ethnic_{g}") for g in ("asian", "black", "mixed", "white", "other"))
    assert groups == total
    assert [value(frame, "E01000001", f"ethnic_{g}") for g in ("total", "asian", "black", "mixed", "white", "other")] == [1474, 158, 11, 56, 1181, 68]


def test_ts030_religion(tables):
    frame = tables[m.F_TS030]
    assert len(frame) == 35_672 * 10
    assert measure_sum(frame, "religion_muslim") == 3_868_189
    assert measure_sum(frame, "religion_total") == 59_597_267
    assert value(frame, "E01000001", "religion_no_religion") == 713
    assert value(frame, "E01000001", "religion_christian") == 510
    assert value(frame, "E01000001", "religion_total") == 1475


def test_ts011_household_deprivation(tables):
    frame = tables[m.F_TS011]
    assert len(frame) == 35_672 * 6
    got = [value(frame, "E01011954", x) for x in ("hh_deprivation_total", "hh_not_deprived", "hh_deprived_1_dim", "hh_deprived_2_dim", "hh_deprived_3_dim", "hh_deprived_4_dim")]
    assert got == [963, 389, 304, 207, 62, 1]
    assert measure_sum(frame, "hh_deprivation_total") == 24_783_097


def test_ts029_english_proficiency_total_is_rebuilt(tables):
    frame = tables[m.F_TS029]
    assert frame.area_code.nunique() == 7_264 and set(frame.geography) == {"msoa21"}
    assert measure_sum(frame, "english_prof_total") == 57_704_237
    assert measure_sum(frame, "cannot_speak_english_well") + measure_sum(frame, "cannot_speak_english") == 1_040_301
    assert value(frame, "E02000001", "english_prof_total") == 6624 + 1826
    assert value(frame, "E02000001", "cannot_speak_english_well") == 116
    assert value(frame, "E02000001", "cannot_speak_english") == 19


def test_ts019_migrant_indicator(tables):
    frame = tables[m.F_TS019]
    assert len(frame) == 7_264 * 4
    got = [value(frame, "E02002483", x) for x in ("migrant_total", "address_same", "migrant_within_uk", "migrant_outside_uk")]
    assert got == [10132, 9410, 703, 9]  # Hartlepool 001
    assert measure_sum(frame, "migrant_total") == 58_990_211


def test_oa_tables(tables):
    cob = tables[m.F_TS004]
    assert cob.area_code.nunique() == 188_880 and set(cob.geography) == {"oa21"}
    assert [value(cob, "E00060274", x) for x in ("cob_total", "born_uk", "born_outside_uk")] == [273, 271, 2]
    assert measure_sum(cob, "cob_total") == 59_597_465

    language = tables[m.F_TS025]
    assert [value(language, "E00000001", x) for x in ("hh_language_total", "hh_all_adults_english", "hh_no_adult_english", "hh_no_person_english")] == [92, 81, 7, 7]
    assert measure_sum(language, "hh_no_person_english") == 1_200_805
    assert measure_sum(language, "hh_no_adult_english") == 330_078 + 1_200_805  # children only + nobody
    assert measure_sum(language, "hh_language_total") == 24_783_689

    identity = tables[m.F_TS027]
    assert [value(identity, "E00000001", x) for x in ("identity_total", "identity_uk_only", "identity_uk_and_non_uk", "identity_non_uk_only")] == [174, 120, 14, 40]
    wide = identity.pivot(index="area_code", columns="measure", values="value")
    # The three identity groups partition the residents exactly at every OA.
    assert (wide.identity_uk_only + wide.identity_uk_and_non_uk + wide.identity_non_uk_only == wide.identity_total).all()


def test_oa_tables_read_fast():
    for name in (m.F_TS004, m.F_TS025, m.F_TS027):
        start = time.perf_counter()
        m.read(HELD / name)
        assert time.perf_counter() - start < 5


def test_oa_labels_match_the_label_dictionary(tables):
    dictionary = tables[m.F_METADATA]
    for table, (prefix, labels) in m.OA_LABELS.items():
        rows = dictionary[dictionary.Table_ID == table]
        assert list(rows.new_names) == m.oa_columns(table)
        # R made repeated headers unique with '...NN'; the official CSV repeats them.
        assert [m.normalise_label(re.sub(r"\.\.\.\d+$", "", o), prefix) for o in rows.old_names] == labels
    for spec in m.LONG_TABLES.values():
        official = [m.normalise_label(o, spec.prefix) for o in dictionary.loc[dictionary.Table_ID == spec.table, "old_names"]]
        assert spec.total_label in official and set(spec.categories) <= set(official)


# ---------------------------------------------------------------------------------------------
# Fetch against recorded responses
# ---------------------------------------------------------------------------------------------

def test_only_the_label_dictionary_has_no_download():
    assert [f.name for f in m.SOURCE.files if not f.url] == [m.F_METADATA]
    assert not m.SOURCE.file(m.F_METADATA).tidy


def _register_all():
    for f in m.SOURCE.files:
        if f.url:
            body = (FIXTURE / f.url.rsplit("/", 1)[1]).read_bytes()
            responses.add(responses.GET, f.url, body=body, content_type="application/zip")


@responses.activate
def test_fetch_converts_every_bulk_zip_to_the_held_layout(tmp_path, tables):
    _register_all()
    folder = m.fetch(tmp_path / "raw")
    assert folder == tmp_path / "raw" / m.SOURCE.id
    manifest = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    for f in m.SOURCE.files:
        if not f.url:
            assert not (folder / f.name).exists()  # derived files are not fetched
            continue
        entry = manifest[f"raw/{m.SOURCE.id}/{f.name}"]
        assert entry["url"] == f.url and len(entry["sha256"]) == 64 and entry["source_id"] == "census2021"
        fetched = m.read(folder / f.name)
        held = tables[f.name]
        # Converting the official layout gives back exactly the bundled values for the same areas.
        expected = held[held.area_code.isin(set(fetched.area_code))].reset_index(drop=True)
        pd.testing.assert_frame_equal(fetched, expected)
        assert fetched.area_code.nunique() == 30


@responses.activate
def test_fetch_rejects_an_oa_zip_whose_columns_changed(tmp_path):
    import io
    import zipfile

    _register_all()
    original = zipfile.ZipFile(FIXTURE / "census2021-ts027.zip")
    text = original.read("census2021-ts027-oa.csv").decode()
    changed = text.replace("National identity: Non-UK identity only", "National identity: Non-UK identity", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("census2021-ts027-oa.csv", changed)
    responses.replace(responses.GET, m.SOURCE.file(m.F_TS027).url, body=buffer.getvalue())
    with pytest.raises(FetchError, match="Non-UK identity"):
        m.fetch(tmp_path / "raw")


# ---------------------------------------------------------------------------------------------
# Damaged input
# ---------------------------------------------------------------------------------------------

def test_long_file_problems_name_the_file(tmp_path):
    data = (HELD / m.F_TS021).read_bytes()
    target = tmp_path / m.F_TS021
    target.write_bytes(data[: len(data) // 2])  # a cut-off download
    with pytest.raises(SchemaError, match=re.escape(m.F_TS021)):
        m.read(target)
    lines = gzip.decompress(data).decode().splitlines()[:1001]  # header and 200 whole LSOAs
    text = "\n".join(lines) + "\n"
    target.write_bytes(gzip.compress(("\n".join(lines[:-3]) + "\n").encode()))  # cut mid-LSOA
    with pytest.raises(SchemaError, match="lack a row per"):
        m.read(target)
    target.write_bytes(gzip.compress(text.replace("Mixed or Multiple ethnic groups", "Mixed", 1).encode()))
    with pytest.raises(SchemaError, match="categories changed"):
        m.read(target)
    target.write_bytes(gzip.compress(text.replace("total_residents", "residents", 1).encode()))
    with pytest.raises(SchemaError, match="total_residents"):
        m.read(target)


def test_unknown_file_is_refused(tmp_path):
    with pytest.raises(SchemaError, match="not a file of source census2021"):
        m.read(tmp_path / "census2021_ts999_other.csv")
