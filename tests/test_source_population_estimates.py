"""Population estimates loader: real LAD and ward totals and age bands, recorded workbook fetches, clear errors."""
from __future__ import annotations

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import population_estimates as module
from source_contract_checks import Damaged, Sample, assert_fetch_records, cut_after

FOLDER = RAW / module.SOURCE.raw_folder
FIXTURE = FIXTURES / module.SOURCE.id
ONS = "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland/"
URLS = {
    module.MYE2019_FILE: ONS + "mid2019april2019localauthoritydistrictcodes/ukmidyearestimates20192019ladcodes.xls",
    module.MYE2020_FILE: ONS + "mid2020/ukpopestimatesmid2020on2021geography.xls",
    module.SAPE_FILE: (
        "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/"
        "wardlevelmidyearpopulationestimatesexperimental/mid2020sape23dt8a/sape23dt8amid2020ward2020on2021lasyoaestimatesunformattedcorrection.xlsx"
    ),
}
RECORDED = {
    module.MYE2019_FILE: "ukmidyearestimates20192019ladcodes.xlsx",
    module.MYE2020_FILE: "ukpopestimatesmid2020on2021geography.xlsx",
    module.SAPE_FILE: "sape23dt8amid2020ward2020on2021lasyoaestimatesunformattedcorrection.xlsx",
}
BANDS = ["population_0_15", "population_16_64", "population_65_plus"]


def bodies() -> dict[str, bytes]:
    return {URLS[name]: (FIXTURE / RECORDED[name]).read_bytes() for name in URLS}


CONTRACT = contract.Contract(
    samples=(Sample(module.MYE2019_FILE), Sample(module.SAPE_FILE, header="Ward Code 1")),
    damaged=(
        Damaged(module.MYE2019_FILE, "total_population", "all_ages"),
        Damaged(module.MYE2020_FILE, "total_population", "population", cut=cut_after(b"E08000025,Birmingham,1140525.0,")),
        Damaged(module.SAPE_FILE, "All Ages", "All", cut=cut_after(b"E05000027,Alibon,")),
    ),
    urls=URLS,
    recorded=bodies,
    failing=module.SAPE_FILE,  # the last download, after both LAD workbooks arrived intact
    html_message="cannot convert .*Excel file format cannot be determined",
)


@pytest.fixture(scope="module")
def frames():
    return {name: module.read(FOLDER / name) for name in URLS}


def value(frame, code, measure):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_mid2019_lads(frames):
    t = frames[module.MYE2019_FILE]
    assert set(t.geography) == {"lad19"} and set(t.period) == {"2019"} and t.area_code.nunique() == 339
    assert value(t, "E08000025", "population_total") == 1141816  # Birmingham
    assert value(t, "E08000025", "population_0_15") == 258771
    assert t[t.measure == "population_total"].value.sum() == 59439840
    assert not t.duplicated(["area_code", "geography", "measure", "period"]).any()


def test_mid2020_lads_and_wards_agree(frames):
    lads, wards = frames[module.MYE2020_FILE], frames[module.SAPE_FILE]
    assert set(lads.geography) == {"lad21"} and lads.area_code.nunique() == 331
    assert value(lads, "E08000025", "population_total") == 1140525
    assert value(lads, "E08000025", "population_65_plus") == 149412
    assert set(wards.geography) == {"ward20"} and set(wards.period) == {"2020"} and wards.area_code.nunique() == 8053
    assert value(wards, "E05000026", "population_total") == 16149  # Barking and Dagenham, Abbey: "16,149"
    assert value(wards, "E05000026", "population_65_plus") == 881
    # Wards and LADs are the same mid-2020 estimates: every total and band agrees for England and Wales.
    for measure in ["population_total", *BANDS]:
        assert wards[wards.measure == measure].value.sum() == lads[lads.measure == measure].value.sum()


def test_bands_add_up(frames):
    for t in frames.values():
        wide = t.pivot(index="area_code", columns="measure", values="value")
        assert (wide[BANDS].sum(axis=1) == wide["population_total"]).all()


@responses.activate
def test_fetch_converts_recorded_workbooks(tmp_path):
    folder = assert_fetch_records(module, tmp_path, bodies())
    assert value(module.read(folder / module.MYE2019_FILE), "E08000025", "population_total") == 1141816
    assert value(module.read(folder / module.MYE2020_FILE), "W06000015", "population_total") == value(
        module.read(FOLDER / module.MYE2020_FILE), "W06000015", "population_total"
    )
    wards = module.read(folder / module.SAPE_FILE)
    assert value(wards, "E05000026", "population_total") == 16149
    assert wards.area_code.nunique() == 30  # the footnote rows are not wards
