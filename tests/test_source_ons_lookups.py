"""ONS parent and ward-vintage lookups loader: real rows of the held lookups, and both field namings of a refresh."""
from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest

import source_contract_checks as contract
from conftest import RAW
from data_sources import ons_lookups as m
from data_sources.base import SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = RAW / m.SOURCE.raw_folder
ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"

CONTRACT = contract.Contract(
    samples=(Sample(m.LAD_CSP_PFA), Sample(m.WARD23_LAD23), Sample(m.LSOA11_WARD17)),
    damaged=(
        Damaged(m.LAD_CSP_PFA, "ltla24_code", "ltla24_cd"),
        Damaged(m.LSOA21_WARD24, "ward24_code", "ward_code"),
    ),
    urls={
        m.LAD_CSP_PFA: f"{ARCGIS}/LAD24_CSP24_PFA24_EW_LU/FeatureServer/0/query",
        m.LAD_UTLA: f"{ARCGIS}/LAD23_UTLA23_EW_LU/FeatureServer/0/query",
        m.WARD23_LAD23: f"{ARCGIS}/WD23_LAD23_UK_LU_DEC/FeatureServer/0/query",
        m.LSOA21_WARD24: f"{ARCGIS}/LSOA21_WD24_LAD24_EW_LU/FeatureServer/0/query",
        m.LSOA11_WARD17: f"{ARCGIS}/LSOA11_WD17_EW_LU_c65dfe9ca2fa4b0fa578b65a4d5c9856/FeatureServer/0/query",
    },
    html_message="did not return JSON",
)


@pytest.fixture(scope="module")
def lookups():
    return {raw.name: m.read(FOLDER / raw.name) for raw in m.SOURCE.files}


def test_parent_lookups(lookups):
    pfa = lookups[m.LAD_CSP_PFA]
    assert pfa.csp24_code.nunique() == 314 and pfa.pfa24_code.nunique() == 43
    assert pfa.set_index("ltla24_code").loc["E07000136", "pfa24_name"] == "Lincolnshire"
    utla = lookups[m.LAD_UTLA].set_index("ltla23_code")
    assert len(utla) == 318 and utla.utla23_code.nunique() == 175
    assert tuple(utla.loc["E07000008", ["utla23_code", "utla23_name"]]) == ("E10000003", "Cambridgeshire")  # Cambridge


def test_ward_vintage_lookups(lookups):
    wards23 = lookups[m.WARD23_LAD23]
    assert len(wards23) == 8441 and wards23.WD23CD.is_unique  # as the declaration says: UK wards, December 2023
    assert tuple(wards23.iloc[0][["WD23CD", "WD23NM", "LAD23CD"]]) == ("E05013038", "Burn Valley", "E06000001")
    lsoa21 = lookups[m.LSOA21_WARD24]
    assert len(lsoa21) == 35_672 and lsoa21.ward24_code.nunique() == 7536 and lsoa21.ltla24_code.nunique() == 318
    assert tuple(lsoa21.set_index("lsoa21_code").loc["E01012049", ["ward24_code", "ward24_name"]]) == ("E05009861", "Ladgate")
    lsoa11 = lookups[m.LSOA11_WARD17]
    assert len(lsoa11) == 34_753 and lsoa11.ward17_code.nunique() == 8270
    assert lsoa11.set_index("lsoa11_code").loc["E01000001", "ward17_code"] == "E05009288"  # City of London, Aldersgate


def test_a_refresh_with_ons_field_names_reads_the_same(tmp_path, lookups):
    """The held copies use geographr's names; the ArcGIS layer sends ONS's, which the reader renames."""
    text = gzip.decompress((FOLDER / m.LSOA21_WARD24).read_bytes()).decode("utf-8-sig")
    header, rest = text.split("\n", 1)
    official = {held: ons for ons, held in m.OFFICIAL_NAMES[m.LSOA21_WARD24].items()}
    renamed = ",".join(official[name] for name in header.split(","))
    assert renamed != header
    target = tmp_path / m.LSOA21_WARD24
    target.write_bytes(gzip.compress((renamed + "\n" + rest).encode()))
    pd.testing.assert_frame_equal(m.read(target), lookups[m.LSOA21_WARD24])


def test_a_repeated_key_is_refused(tmp_path):
    text = (FOLDER / m.WARD23_LAD23).read_text(encoding="utf-8-sig")
    header, first, rest = text.split("\n", 2)
    target = tmp_path / m.WARD23_LAD23
    target.write_text(f"{header}\n{first}\n{first}\n{rest}", encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape(m.WARD23_LAD23) + ".*'WD23CD' repeats codes, e.g. 'E05013038'"):
        m.read(target)


def test_unknown_file_is_refused(tmp_path):
    with pytest.raises(SchemaError, match="not a file of source ons_lookups"):
        m.read(tmp_path / "lad22_utla22_ew.csv")
