"""Crime Severity Score loader: real LAD23 scores, CSP ranges where a LAD had several CSPs, clear errors.

Both files are derived: the contract (CONTRACT, run by test_source_contract.py) checks that fetch sends no request."""
from __future__ import annotations

import math

import pytest

import source_contract_checks as contract
from conftest import RAW
from data_sources import crime_severity as module
from source_contract_checks import Damaged, Sample, cut_after

FOLDER = RAW / module.SOURCE.raw_folder

CONTRACT = contract.Contract(
    samples=(Sample(module.ENGLAND_FILE),),
    damaged=(
        Damaged(module.ENGLAND_FILE, "crime_severity_score", "css", cut=cut_after(b'"E06000023",')),
        Damaged(module.WALES_FILE, "crime_severity_score", "css"),
    ),
    urls={module.ENGLAND_FILE: "", module.WALES_FILE: ""},  # both files are derived: nothing to fetch
)


@pytest.fixture(scope="module")
def england():
    return module.read(FOLDER / module.ENGLAND_FILE)


def value(frame, code, measure="crime_severity_score"):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_england_real_scores(england):
    assert set(england.geography) == {"lad23"} and set(england.period) == {"2022/23"}
    assert england.area_code.nunique() == 293
    assert value(england, "E08000025") == pytest.approx(30.893426700087581)  # Birmingham
    top = england[england.measure == "crime_severity_score"].dropna(subset=["value"]).sort_values("value").iloc[-1]
    assert top.area_code == "E09000033" and top.value == pytest.approx(60.3247, abs=1e-4)  # Westminster
    assert math.isnan(value(england, "E09000001"))  # City of London ':' stays missing
    assert math.isnan(value(england, "E06000052"))  # Cornwall: Devon and Cornwall data not supplied
    assert not england.duplicated(["area_code", "geography", "measure", "period"]).any()


def test_several_csps_give_a_range(england):
    assert value(england, "E06000061", "crime_severity_score_csp_min") == pytest.approx(15.22648464432921)
    assert value(england, "E06000061", "crime_severity_score_csp_max") == pytest.approx(16.271105148436909)
    assert england[england.area_code == "E06000061"].measure.tolist() == ["crime_severity_score_csp_max", "crime_severity_score_csp_min"]
    # BCP: one of its three CSPs has a value, two are ':' -> no range is claimed.
    assert math.isnan(value(england, "E06000058", "crime_severity_score_csp_min"))


def test_wales_real_scores():
    wales = module.read(FOLDER / module.WALES_FILE)
    assert wales.area_code.nunique() == 22 and wales.area_code.str.startswith("W").all()
    assert value(wales, "W06000015") == pytest.approx(15.585270607513973)  # Cardiff


def test_wrong_country_raises(tmp_path):
    path = tmp_path / module.WALES_FILE
    path.write_text('"ltla23_code","crime_severity_score"\n"E08000025","30.9"\n')
    with pytest.raises(module.SchemaError, match="outside Wales"):
        module.read(path)
