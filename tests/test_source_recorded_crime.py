"""Recorded crime (Table C2) loader: real CSP and force counts by offence group, recorded workbook fetch, clear errors."""
from __future__ import annotations

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import recorded_crime as module
from source_contract_checks import Damaged, Sample, assert_fetch_records, cut_after

FOLDER = RAW / module.SOURCE.raw_folder
FIXTURE = FIXTURES / module.SOURCE.id
TABLE = FOLDER / module.TABLE_FILE
URL = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/crimeandjustice/datasets/policeforceareadatatables/"
    "yearendingjune2025/policeforceareatablesyejune25final.xlsx"
)
TOTAL = "crimes_total_recorded_crime_excluding_fraud"


def bodies() -> dict[str, bytes]:
    return {URL: (FIXTURE / "policeforceareatablesyejune25final.xlsx").read_bytes()}


CONTRACT = contract.Contract(
    samples=(Sample(module.TABLE_FILE, header="Police Force\nArea code"),),
    damaged=(
        Damaged(module.TABLE_FILE, "Violence against the person", "Violence"),
        Damaged(module.TABLE_FILE, "Public order offences", "Public order", cut=cut_after(b"E22000346,Wakefield,E08000036,Wakefield,")),
    ),
    urls={module.TABLE_FILE: URL},
    recorded=bodies,
    html_message="not a zip file",
)


@pytest.fixture(scope="module")
def tidy():
    return module.read(TABLE)


def value(frame, code, measure):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_real_csp_counts(tidy):
    assert set(tidy.period) == {"YE Jun 2025"}
    assert tidy.groupby("geography").area_code.nunique().to_dict() == {"csp24": 314, "pfa": 42}  # City of London is one CSP, no force row
    assert value(tidy, "E22000346", TOTAL) == 41521  # Wakefield: "41,521 " in the file
    assert value(tidy, "E22000346", "crimes_violence_against_the_person") == 18185
    assert value(tidy, "E22000346", "crimes_public_order_offences") == 4112
    assert value(tidy, "E22000346", "crimes_criminal_damage_and_arson") == 3222
    assert value(tidy, "E23000036", "crimes_public_order_offences") == 19648  # Avon and Somerset force
    assert tidy.measure.nunique() == 23
    assert not tidy.value.isna().any()
    assert not tidy.duplicated(["area_code", "geography", "measure", "period"]).any()


def test_force_total_is_csps_plus_unassigned(tidy):
    lookup = module.read_csp_lookup(TABLE)
    west_yorkshire = lookup[lookup.pfa_code == "E23000010"].csp_code
    totals = tidy[tidy.measure == TOTAL].set_index("area_code").value
    assert totals["E23000010"] - totals[west_yorkshire].sum() == 16  # the "Unassigned West Yorkshire" row


def test_csp_lookup_la_codes():
    lookup = module.read_csp_lookup(TABLE).set_index("csp_code")
    assert lookup.loc["E22000346", "la_code"] == "E08000036"
    assert lookup.loc["E22000063", "la_code"] == "E06000058"  # Bournemouth CSP within BCP
    assert lookup.la_code.isna().sum() == 11  # 'Combined Local Authorities' CSPs
    assert lookup.loc["W14000023"].csp_name == "Cwm Taf"


@responses.activate
def test_fetch_converts_recorded_workbook(tmp_path):
    folder = assert_fetch_records(module, tmp_path, bodies())
    t = module.read(folder / module.TABLE_FILE)
    assert value(t, "E23000036", TOTAL) == 170002
    assert value(t, "E22000001", "crimes_public_order_offences") == 1740  # Bath and North East Somerset
