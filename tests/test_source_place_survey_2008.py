"""Place Survey 2008 loader: real NI 1/2/4 values, names matched to 2009 codes (346 of 352), clear errors.

No official download survives: the contract (CONTRACT, run by test_source_contract.py) checks that fetch sends nothing."""
from __future__ import annotations

import shutil

import pytest

import source_contract_checks as contract
from conftest import RAW
from data_sources import place_survey_2008 as module
from source_contract_checks import Damaged, Sample, cut_after

FOLDER = RAW / module.SOURCE.raw_folder
RESULTS = FOLDER / module.RESULTS_FILE

CONTRACT = contract.Contract(
    samples=(Sample(module.RESULTS_FILE, beside=(module.LOOKUP_FILE,)),),
    # The reader needs the lookup beside the results, as in the bundle.
    damaged=(Damaged(module.RESULTS_FILE, "Get_On_Well", "GetOnWell", cut=cut_after(b"Brent LB,40.0,"), beside=(module.LOOKUP_FILE,)),),
    urls={module.RESULTS_FILE: "", module.LOOKUP_FILE: ""},  # no machine-readable official download survives
)


@pytest.fixture(scope="module")
def tidy():
    return module.read(RESULTS)


def value(frame, code, measure):
    rows = frame[(frame.area_code == code) & (frame.measure == measure)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_real_values(tidy):
    assert set(tidy.period) == {"2008"}
    assert set(tidy.measure) == {"ni1_get_on_well_pct", "ni2_belong_pct", "ni4_influence_decisions_pct"}
    assert value(tidy, "E09000002", "ni1_get_on_well_pct") == 49.1  # Barking and Dagenham: lowest NI 1
    assert value(tidy, "E09000002", "ni2_belong_pct") == 44.8
    assert value(tidy, "E09000002", "ni4_influence_decisions_pct") == 37.0
    low = tidy[tidy.measure == "ni1_get_on_well_pct"].sort_values("value").iloc[0]
    assert (low.area_code, low.value) == ("E09000002", 49.1)
    assert value(tidy, "E10000015", "ni1_get_on_well_pct") == 81.2  # Hertfordshire CC, a county row
    assert tidy.loc[tidy.area_code == "E10000015", "geography"].unique().tolist() == ["cty09"]
    assert not tidy.duplicated(["area_code", "geography", "measure", "period"]).any()


def test_names_matched_to_2009_codes(tidy):
    matches = module.match_codes(RESULTS)
    assert len(matches) == 352
    assert (matches.status == "matched").sum() == 346
    unmatched = set(matches.loc[matches.status != "matched", "authority"])
    assert unmatched == {f"{n} CC" for n in ("Buckinghamshire", "Cumbria", "Dorset", "Northamptonshire", "North Yorkshire", "Somerset")}
    by_name = matches.set_index("authority").area_code
    assert by_name["Northumberland UA"] == "E06000048"  # the 2009 code, recoded E06000057 in 2013
    assert by_name["Gateshead MD"] == "E08000020"
    assert by_name["Westminster City of LB"] == "E09000033"
    assert by_name["Kingston upon Hull UA"] == "E06000010"
    assert by_name["Shepway DC"] == "E07000112"  # renamed Folkestone and Hythe in 2018
    # A county council is never given the code of the unitary that later took its name.
    assert pd_isna(by_name["Buckinghamshire CC"])
    counts = tidy[tidy.measure == "ni1_get_on_well_pct"].geography.value_counts().to_dict()
    assert counts == {"lad09": 325, "cty09": 21}


def pd_isna(value):
    return value is None or value != value


def test_the_lookup_is_not_tidy():
    assert module.SOURCE.file(module.LOOKUP_FILE).tidy is False


def test_missing_or_wrong_lookup_raises(tmp_path):
    shutil.copy(RESULTS, tmp_path / module.RESULTS_FILE)
    with pytest.raises(module.SchemaError, match="la_names_to_codes_drkane.csv"):
        module.read(tmp_path / module.RESULTS_FILE)
    (tmp_path / module.LOOKUP_FILE).write_text("LADCD,LADNM,LADCD_ACTIVE,UTLACD,UTLANM\nE06000001,Hartlepool,E06000001,E06000001,Hartlepool\n")
    with pytest.raises(module.SchemaError, match="only 1 of 352"):
        module.read(tmp_path / module.RESULTS_FILE)
