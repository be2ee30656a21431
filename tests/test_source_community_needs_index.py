"""Community Needs Index loader (optional source): real ward and LSOA domain scores, licence flags, clear errors.

Nothing to download: the contract (CONTRACT, run by test_source_contract.py) checks that fetch sends no request."""
from __future__ import annotations

import pytest

import source_contract_checks as contract
from conftest import RAW
from data_sources import community_needs_index as module
from source_contract_checks import Damaged, Sample, cut_after

FOLDER = RAW / module.SOURCE.raw_folder

CONTRACT = contract.Contract(
    samples=(Sample(module.WARD_FILE), Sample(module.LSOA_FILE)),
    damaged=(
        Damaged(module.WARD_FILE, "Connectedness score", "Connectedness", cut=cut_after(b"E05000027,Alibon,E09000002,Barking and Dagenham,16.9")),
        Damaged(module.LSOA_FILE, "Civic Assets Domain Score", "Civic Assets", cut=cut_after(b"E01011978,Hartlepool 012D,241.11,")),
    ),
    urls={module.WARD_FILE: "", module.LSOA_FILE: ""},  # OCSI publishes no machine-readable download
)


@pytest.fixture(scope="module")
def wards():
    return module.read(FOLDER / module.WARD_FILE)


@pytest.fixture(scope="module")
def lsoas():
    return module.read(FOLDER / module.LSOA_FILE)


def value(frame, code, measure):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_optional_and_licence_stated_as_missing():
    assert module.SOURCE.optional is True
    assert module.SOURCE.licence == "No licence stated by OCSI — optional source, not for republication without permission"
    assert module.SOURCE.licence_url == ""


def test_2019_ward_scores(wards):
    assert set(wards.geography) == {"ward17"} and set(wards.period) == {"2019"} and wards.area_code.nunique() == 7433
    assert value(wards, "E05000026", "civic_assets_score") == pytest.approx(16.2795810699463)  # Barking and Dagenham, Abbey
    assert value(wards, "E05000026", "engaged_community_rank") == 2603
    assert value(wards, "E05000026", "cni_score") == pytest.approx(45.0688400268555)
    top = wards[wards.measure == "cni_rank"].sort_values("value").iloc[0]
    assert top.area_code == "E05004026"  # Basildon, Laindon Park: rank 1 = highest need
    assert wards[wards.measure == "left_behind_area"].value.sum() == 225
    assert not wards.duplicated(["area_code", "geography", "measure", "period"]).any()


def test_2023_lsoa_scores(lsoas):
    assert set(lsoas.geography) == {"lsoa21"} and set(lsoas.period) == {"2023"} and lsoas.area_code.nunique() == 33755
    assert value(lsoas, "E01026129", "cni_rank") == 1  # Lincoln 007C
    assert value(lsoas, "E01026129", "cni_score") == 251.21
    assert value(lsoas, "E01026129", "engaged_community_score") == 137.25
    assert "left_behind_area" not in set(lsoas.measure)  # package-derived in 2023, not OCSI's


def test_bad_flag_raises(tmp_path):
    text = (FOLDER / module.WARD_FILE).read_text().replace(",FALSE\n", ",maybe\n", 1)
    (tmp_path / module.WARD_FILE).write_text(text)
    with pytest.raises(module.SchemaError, match="Left Behind Area"):
        module.read(tmp_path / module.WARD_FILE)
