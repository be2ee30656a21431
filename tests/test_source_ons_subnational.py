"""ONS Subnational Indicators Explorer loader: real values, metadata polarity, recorded fetch, malformed input."""
from __future__ import annotations

import json
import math

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import http, ons_subnational
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = ons_subnational.SOURCE.raw_folder
FIXTURE = FIXTURES / ons_subnational.SOURCE.id
EXPLORER_REPO = "https://raw.githubusercontent.com/ONSvisual/subnational-indicators/main/R"


def recorded() -> dict[str, bytes]:
    return {raw.url: (FIXTURE / raw.name).read_bytes() for raw in ons_subnational.SOURCE.files}


CONTRACT = contract.Contract(
    samples=(Sample(ons_subnational.DATA, header="AREACD"), Sample(ons_subnational.METADATA, rows=None)),
    damaged=(
        Damaged(ons_subnational.DATA, "AREACD", "AREA_CODE"),
        Damaged(ons_subnational.METADATA, "Polarity", "Direction"),
    ),
    urls={ons_subnational.DATA: f"{EXPLORER_REPO}/machine_readable.csv", ons_subnational.METADATA: f"{EXPLORER_REPO}/metadata.csv"},
    recorded=recorded,
)


@pytest.fixture(scope="module")
def data():
    return ons_subnational.read(RAW / FOLDER / ons_subnational.DATA)


def value(frame, code, measure):
    hit = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(hit) == 1, (code, measure, len(hit))
    return hit.iloc[0]


def test_schema_key_and_row_count(data):
    assert list(data.columns) == TIDY_COLUMNS
    assert not data.duplicated(TIDY_KEY).any()
    assert len(data) == 9740
    assert data.area_code.str[0].isin(["E", "W"]).all()
    # exports and FDI are published for ITL/combined-authority areas only
    assert set(data.measure) == {m.measure for m in ons_subnational.METRICS.values()} - {"uk_exports", "inward_fdi", "outward_fdi"}


def test_known_values(data):
    assert value(data, "E06000001", "gva_per_hour_worked").value == 31.85  # Hartlepool, 2020
    westminster = value(data, "E09000033", "life_satisfaction")
    assert (westminster.value, westminster.period, westminster.geography) == (7.21, "2020/21", "lad19")
    assert value(data, "E06000050", "net_additions_housing_stock").value == 1335  # published as "1,335"
    gateshead = value(data, "E08000020", "travel_time_employment_centre_car")  # pre-2013 code: LAD 2011 set
    assert (gateshead.geography, gateshead.value) == ("lad11", 8.070165198)
    cambs = value(data, "E10000003", "anxiety")
    assert (cambs.geography, cambs.value) == ("utla19", 3.21)
    cleveland = value(data, "E23000013", "homicide_rate")
    assert (cleveland.geography, cleveland.period, cleveland.value) == ("pfa", "2018-21", 19.33638692)
    assert value(data, "E06000001", "healthy_life_expectancy_male").period == "2018-20"


def test_lad21_sets_and_older_code_sets(data):
    employment = data[(data.measure == "employment_rate_16_64") & (data.geography == "lad21")]
    assert len(employment) == 331 and employment.area_code.str.startswith("W").sum() == 22
    wellbeing = data[data.measure == "life_satisfaction"]
    assert "E07000004" in set(wellbeing.area_code) and (wellbeing.geography == "lad19").sum() == 334  # Aylesbury Vale
    cancer = data[data.measure == "cancer_diagnosis_stage_1_2"]
    assert value(cancer, "E07000150", "cancer_diagnosis_stage_1_2").geography == "lad20"  # Corby
    assert value(cancer, "E06000061", "cancer_diagnosis_stage_1_2").geography == "lad21"


def test_missing_markers_and_publisher_error(data):
    assert math.isnan(value(data, "E09000001", "employment_rate_16_64").value)  # 'NA'
    assert math.isnan(value(data, "E23000034", "homicide_rate").value)  # 'na'
    # 'Buckinghamshire' published under West Northamptonshire's code is dropped; West Northamptonshire stays
    assert value(data, "E06000062", "fe_skills_achievements_19plus").value == 5540


def test_metadata_polarity(raw_dir):
    meta = ons_subnational.read(raw_dir / FOLDER / "metadata.csv")
    assert len(meta) == 36 and meta.measure.is_unique
    polarity = dict(zip(meta.measure, meta.polarity))
    assert polarity["anxiety"] == "lower_is_better"
    assert polarity["life_satisfaction"] == "higher_is_better"
    assert polarity["travel_time_employment_centre_car"] == "lower_is_better"
    assert polarity["homicide_rate"] == "lower_is_better"
    assert (meta.polarity == "lower_is_better").sum() == 9


def test_period_labels():
    assert ons_subnational.period_label("202021") == "2020/21"
    assert ons_subnational.period_label("201820") == "2018-20"
    assert ons_subnational.period_label("2019") == "2019"


# ---------------------------------------------------------------------------------------------
# Recorded fetches
# ---------------------------------------------------------------------------------------------

def test_the_data_comes_before_its_metadata():
    assert [f.name for f in ons_subnational.SOURCE.files] == [ons_subnational.DATA, ons_subnational.METADATA]


@responses.activate
def test_fetch_from_recorded_response(tmp_path):
    for url, body in recorded().items():
        responses.add(responses.GET, url, body=body)
    folder = ons_subnational.fetch(tmp_path / "raw")
    frame = ons_subnational.read(folder / "machine_readable.csv")
    assert value(frame, "E06000001", "gva_per_hour_worked").value == 31.85
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entries = {e["path"]: e for e in manifest["files"]}
    entry = entries[f"raw/{FOLDER}/machine_readable.csv"]
    assert entry["url"] == ons_subnational.SOURCE.files[0].url
    assert entry["sha256"] == http.sha256_of(folder / "machine_readable.csv")
    assert (folder / "metadata.csv").exists()


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------

def _real_bytes(raw_dir):
    return (raw_dir / FOLDER / "machine_readable.csv").read_bytes()


def test_renamed_column(tmp_path, raw_dir):
    path = tmp_path / "machine_readable.csv"
    path.write_bytes(_real_bytes(raw_dir).replace(b",Value,", b",Val,", 1))
    with pytest.raises(SchemaError, match=r"machine_readable\.csv.*'Value'"):
        ons_subnational.read(path)


def test_missing_note_lines_shift_the_header(tmp_path, raw_dir):
    path = tmp_path / "machine_readable.csv"
    path.write_bytes(b"\n".join(_real_bytes(raw_dir).split(b"\n")[2:]))
    with pytest.raises(SchemaError, match=r"machine_readable\.csv.*missing column"):
        ons_subnational.read(path)


def test_truncated_row_is_named(tmp_path, raw_dir):
    lines = _real_bytes(raw_dir).split(b"\n")
    path = tmp_path / "machine_readable.csv"
    path.write_bytes(b"\n".join(lines[:500]) + b"\n" + lines[500][:25])
    with pytest.raises(SchemaError, match=r"machine_readable\.csv.*has \d+ of 10 fields"):
        ons_subnational.read(path)


def test_unknown_metric_and_polarity(tmp_path, raw_dir):
    path = tmp_path / "machine_readable.csv"
    path.write_bytes(_real_bytes(raw_dir).replace(b"Median Weekly Pay", b"Median Weekly Earnings"))
    with pytest.raises(SchemaError, match=r"'Indicator'.*Median Weekly Earnings"):
        ons_subnational.read(path)
    meta = tmp_path / "metadata.csv"
    meta.write_bytes((raw_dir / FOLDER / "metadata.csv").read_bytes().replace(b",Negative,", b",Neg,", 1))
    with pytest.raises(SchemaError, match=r"metadata\.csv.*'Polarity'"):
        ons_subnational.read(meta)
