"""Ward reliability: how many small areas each ward value rests on, and how well its best-fit LSOAs fit."""
from __future__ import annotations

import pandas as pd
import pytest

from areas import reliability
from conftest import PROCESSED

CANTON, ASTON = "W05001273", "E05011121"  # Aston is a Birmingham ward


@pytest.fixture(scope="module")
def table():
    return pd.read_parquet(PROCESSED / "ward_reliability.parquet")


@pytest.fixture(scope="module")
def values():
    return pd.read_parquet(PROCESSED / "indicator_values.parquet")


def test_every_ward_has_one_row_with_counts_from_the_lookups(table):
    areas = pd.read_parquet(PROCESSED / "areas.parquet")
    assert list(table.columns) == reliability.RELIABILITY_COLUMNS
    assert sorted(table.area_code) == sorted(areas.loc[areas.level == "ward", "area_code"])
    # The best-fit lookup (derived rows refined by OA majority) gives 688 wards one LSOA and 43 none.
    assert (table.n_lsoa == 1).sum() == 688 and (table.n_lsoa == 0).sum() == 43
    assert table.n_lsoa.sum() == 35_672 and table.n_oa.sum() == 188_880  # every LSOA and every OA placed once


def test_low_reliability_is_one_lsoa_or_a_poor_fit_and_says_why(table):
    one_or_none = table.n_lsoa < 2
    poor_fit = table.best_fit_share < 0.5
    assert table.low_reliability.equals(one_or_none | poor_fit)
    assert table.low_reliability.sum() == 737 and (poor_fit & ~one_or_none).sum() == 6
    assert table.loc[table.low_reliability, "reliability_note"].str.len().gt(0).all()
    assert table.loc[~table.low_reliability, "reliability_note"].eq("").all()
    single = table[table.n_lsoa == 1].iloc[0]
    assert "single LSOA" in single.reliability_note


def test_canton_rests_on_ten_lsoas_that_lie_wholly_inside_it(table):
    canton = table.set_index("area_code").loc[CANTON]
    assert (canton.n_lsoa, canton.n_oa) == (10, 54)
    assert canton.best_fit_share == pytest.approx(1.0) and not canton.low_reliability
    aston = table.set_index("area_code").loc[ASTON]
    assert aston.n_lsoa == 13 and aston.best_fit_share == pytest.approx(0.935, abs=0.001)


def test_each_ward_value_records_what_it_rests_on(values, table):
    ward = values[values.level == "ward"].set_index("area_code")
    by_code = table.set_index("area_code")
    oa = ward[ward.indicator_id == "no_qualifications_census"]
    assert (oa.n_small_areas == by_code.n_oa.reindex(oa.index)).all() and oa.best_fit_share.isna().all()
    lsoa = ward[ward.indicator_id == "household_deprivation_any"]
    assert (lsoa.n_small_areas == by_code.n_lsoa.reindex(lsoa.index)).all()
    assert lsoa.best_fit_share.equals(by_code.best_fit_share.reindex(lsoa.index))
    published = ward[ward.indicator_id == "local_election_turnout"]
    assert published.n_small_areas.isna().all()  # a result published for the ward itself rests on no small areas
    assert values.loc[values.level == "lad", ["n_small_areas", "best_fit_share"]].isna().all().all()


def test_rests_on_reads_the_derivation():
    derivations = pd.Series([
        "aggregated from OA 2021 (summed, each OA placed by its centroid: oa_centroid)",
        "aggregated from LSOA 2021 (summed, LSOA best-fit lookup: lsoa_best_fit)",
        "derived: GE2024 constituency electorate and valid votes apportioned to LSOAs ..., summed to the ward",
        "ward election of May 2022 (code unchanged in 2025)",
    ])
    assert reliability.rests_on(derivations).tolist() == ["OA", "LSOA", "LSOA", ""]
