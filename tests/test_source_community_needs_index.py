"""Community Needs Index loader (optional source): real ward and LSOA domain scores, licence flags, no-op fetch, clear errors."""
from __future__ import annotations

import shutil

import pytest
import responses

from conftest import RAW
from data_sources import community_needs_index as module
from source_contract_checks import assert_declared_urls, assert_malformed_rejected, cut_after

FOLDER = RAW / "community_needs_index_2019"


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


def test_no_official_download_so_fetch_sends_nothing(tmp_path):
    assert_declared_urls(module, {module.WARD_FILE: "", module.LSOA_FILE: ""})
    folder = tmp_path / "raw" / module.SOURCE.raw_folder
    folder.mkdir(parents=True)
    shutil.copy(FOLDER / module.WARD_FILE, folder / module.WARD_FILE)
    before = (folder / module.WARD_FILE).read_bytes()
    with responses.RequestsMock() as mock:
        module.fetch(tmp_path / "raw")
        assert len(mock.calls) == 0
    assert (folder / module.WARD_FILE).read_bytes() == before


def test_malformed_input_raises(tmp_path):
    assert_malformed_rejected(module, tmp_path, FOLDER / module.WARD_FILE, old="Connectedness score", new="Connectedness", cut=cut_after(b"E05000027,Alibon,E09000002,Barking and Dagenham,16.9"))
    assert_malformed_rejected(module, tmp_path / "lsoa", FOLDER / module.LSOA_FILE, old="Civic Assets Domain Score", new="Civic Assets", cut=cut_after(b"E01011978,Hartlepool 012D,241.11,"))


def test_bad_flag_raises(tmp_path):
    text = (FOLDER / module.WARD_FILE).read_text().replace(",FALSE\n", ",maybe\n", 1)
    (tmp_path / module.WARD_FILE).write_text(text)
    with pytest.raises(module.SchemaError, match="Left Behind Area"):
        module.read(tmp_path / module.WARD_FILE)
