"""GE2024 turnout apportioned from constituencies to LSOAs by adult residents: hand-computed shares, then the real snapshot."""
from __future__ import annotations

import pandas as pd
import pytest

from areas import harmonise
from conftest import PROCESSED, RAW
from data_sources import census2021_oa_topics, general_elections
from indicators import apportion
from indicators.context import BuildContext

# ---------------------------------------------------------------------------------------------
# (a) A tiny synthetic case: two constituencies, three LSOAs
# ---------------------------------------------------------------------------------------------

RESULTS = pd.DataFrame({"area_code": ["E14000001", "E14000002"], "electorate": [1000.0, 200.0], "valid_votes": [600.0, 90.0]})
LOOKUP = pd.DataFrame({"lsoa21_code": ["E01000001", "E01000002", "E01000003"], "pcon24_code": ["E14000001", "E14000001", "E14000002"]})
ADULTS = pd.Series({"E01000001": 300.0, "E01000002": 100.0, "E01000003": 50.0})


def test_shares_are_adults_over_constituency_adults():
    out = apportion.general_election_turnout_by_lsoa(RESULTS, LOOKUP, ADULTS).set_index("lsoa21_code")
    # Seat 1 has 300 + 100 adults: its LSOAs take 3/4 and 1/4; seat 2's one LSOA takes it all.
    assert out["share"].tolist() == [0.75, 0.25, 1.0]
    assert out["constituency_adults"].tolist() == [400.0, 400.0, 50.0]
    assert out["electorate"].tolist() == [750.0, 250.0, 200.0]
    assert out["valid_votes"].tolist() == [450.0, 150.0, 90.0]
    # Nothing is lost or made up: the LSOA parts add back to each constituency.
    assert out.groupby("pcon24_code")[["electorate", "valid_votes"]].sum().to_dict("list") == {"electorate": [1000.0, 200.0], "valid_votes": [600.0, 90.0]}


def test_an_lsoa_without_adults_or_a_seat_without_lsoas_is_an_error():
    with pytest.raises(ValueError, match="no adult residents given.*E01000003"):
        apportion.general_election_turnout_by_lsoa(RESULTS, LOOKUP, ADULTS.drop("E01000003"))
    with pytest.raises(ValueError, match="no LSOAs with adult residents.*E14000002"):
        apportion.general_election_turnout_by_lsoa(RESULTS, LOOKUP[LOOKUP.pcon24_code != "E14000002"], ADULTS)
    with pytest.raises(ValueError, match="more than one constituency"):
        apportion.general_election_turnout_by_lsoa(RESULTS, pd.concat([LOOKUP, LOOKUP.head(1)]), ADULTS)
    with pytest.raises(ValueError, match="valid_votes"):
        apportion.general_election_turnout_by_lsoa(RESULTS.drop(columns="valid_votes"), LOOKUP, ADULTS)


def test_lad_and_ward_turnout_sum_the_apportioned_counts():
    """The compute function on a synthetic context: LSOAs 1 and 3 in one LAD, LSOA 2 in another, one LSOA per ward."""
    tidy = {
        "general_elections": pd.DataFrame(
            {
                "area_code": ["E14000001", "E14000002"] * 2,
                "geography": "pcon24",
                "measure": ["electorate"] * 2 + ["valid_votes"] * 2,
                "period": "2024",
                "value": [1000.0, 200.0, 600.0, 90.0],
                "lower_ci": float("nan"),
                "upper_ci": float("nan"),
            }
        ),
        "census2021_oa_topics": pd.DataFrame(
            {
                "area_code": ["E00000001", "E00000002", "E00000003", "E00000004"],
                "geography": "oa21",
                "measure": "qual_total",
                "period": "2021",
                "value": [200.0, 100.0, 100.0, 50.0],
                "lower_ci": float("nan"),
                "upper_ci": float("nan"),
            }
        ),
    }
    ctx = BuildContext(raw_root=RAW, areas=pd.DataFrame(), tidy=tidy)
    ctx.__dict__["oa_lookup"] = pd.DataFrame({"oa21_code": ["E00000001", "E00000002", "E00000003", "E00000004"], "lsoa21_code": ["E01000001", "E01000001", "E01000002", "E01000003"]})
    ctx.__dict__["lsoa21_ward"] = pd.DataFrame(
        {"LSOA21CD": ["E01000001", "E01000002", "E01000003"], "WD25CD": ["E05000001", "E05000002", "E05000003"], "LAD25CD": ["E06000001", "E06000002", "E06000001"]}
    )
    ctx.__dict__["pcon24_lookup"] = LOOKUP.assign(pcon24_name=["A", "A", "B"])
    out = apportion.general_election_turnout(ctx)
    assert sorted(out) == ["lad", "ward"]
    lad = out["lad"].set_index("area_code")
    assert list(out["lad"].columns) == harmonise.VALUE_COLUMNS
    # E06000001: LSOAs 1 and 3 -> 450 + 90 votes of 750 + 200 electors; E06000002: LSOA 2 -> 150 of 250.
    assert lad.loc["E06000001", ["numerator", "denominator"]].tolist() == [540.0, 950.0]
    assert lad.loc["E06000001", "value"] == pytest.approx(100 * 540 / 950, rel=1e-12)
    assert lad.loc["E06000002", "value"] == pytest.approx(60.0, rel=1e-12)
    assert set(lad.period) == {"2024"} and set(lad.derivation) == {apportion.GE2024_DERIVATION["lad"]}
    ward = out["ward"].set_index("area_code")
    assert ward.loc["E05000001", "value"] == pytest.approx(60.0, rel=1e-12)  # 450 of 750
    assert ward.loc["E05000003", "value"] == pytest.approx(45.0, rel=1e-12)  # 90 of 200
    assert ward["derivation"].str.startswith("derived:").all() and ward["derivation"].str.endswith("one constituency").all()


# ---------------------------------------------------------------------------------------------
# (b) The real held files
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ge2024():
    return general_elections.read(RAW / general_elections.SOURCE.raw_folder / general_elections.GE2024_FILE)


@pytest.fixture(scope="module")
def ctx(ge2024):
    # The new sources' tidy tables are not in data/processed until the next build, so read them from data/raw.
    ts067 = census2021_oa_topics.read(RAW / census2021_oa_topics.SOURCE.raw_folder / census2021_oa_topics.F_TS067)
    areas = pd.read_parquet(PROCESSED / "areas.parquet")
    return BuildContext(raw_root=RAW, areas=areas, tidy={"general_elections": ge2024, "census2021_oa_topics": ts067})


@pytest.fixture(scope="module")
def by_lsoa(ctx):
    return apportion.general_election_turnout_by_lsoa(apportion.ge2024_results(ctx), ctx.pcon24_lookup, apportion.adults_by_lsoa(ctx))


@pytest.fixture(scope="module")
def turnout(ctx):
    return apportion.general_election_turnout(ctx)


@pytest.fixture(scope="module")
def lad(turnout):
    return turnout["lad"]


def seat_total(ge2024: pd.DataFrame, measure: str, codes=None) -> float:
    rows = ge2024[(ge2024.measure == measure) & (ge2024.period == "2024")]
    if codes is not None:
        rows = rows[rows.area_code.isin(codes)]
    return float(rows.value.sum())


def test_adults_are_ts067_totals_summed_to_every_lsoa(ctx):
    adults = apportion.adults_by_lsoa(ctx)
    assert len(adults) == 35_672 and adults.sum() == 48_567_007


def test_apportioned_counts_add_up_to_the_england_and_wales_totals(by_lsoa, ge2024):
    assert len(by_lsoa) == 35_672 and by_lsoa.pcon24_code.nunique() == 575
    electorate = seat_total(ge2024, "electorate")
    assert electorate == 42_766_243  # the 575 E&W seats of the Library's GE2024 file
    assert by_lsoa.electorate.sum() == pytest.approx(electorate, rel=1e-6)
    assert by_lsoa.valid_votes.sum() == pytest.approx(seat_total(ge2024, "valid_votes"), rel=1e-6)
    assert by_lsoa.groupby("pcon24_code").share.sum().sub(1).abs().max() < 1e-12


def test_lad_table(lad, ge2024):
    assert list(lad.columns) == harmonise.VALUE_COLUMNS
    assert len(lad) == 318 and lad.area_code.is_unique  # every May 2025 LAD of England and Wales
    assert set(lad.period) == {"2024"}
    assert set(lad.derivation) == {
        "derived: GE2024 constituency electorate and valid votes apportioned to LSOAs by Census 2021 residents aged 16+ "
        "(ONS LSOA21 -> PCON24 lookup), summed to the LAD"
    }
    assert lad.denominator.sum() == pytest.approx(seat_total(ge2024, "electorate"), rel=1e-6)
    assert (lad.value == 100 * lad.numerator / lad.denominator).all()


def test_a_ward_inside_one_constituency_takes_its_turnout_and_straddling_wards_are_said(ctx, turnout, ge2024, by_lsoa):
    ward = turnout["ward"].set_index("area_code")
    seats = by_lsoa.assign(ward=by_lsoa.lsoa21_code.map(ctx.lsoa21_ward.set_index("LSOA21CD")["WD25CD"])).groupby("ward")["pcon24_code"].agg(["nunique", "first"])
    inside = seats[seats["nunique"] == 1]
    per_seat = ge2024[ge2024.period == "2024"].pivot_table(index="area_code", columns="measure", values="value")
    expected = 100 * per_seat["valid_votes"] / per_seat["electorate"]
    assert ward.loc[inside.index, "value"].to_numpy() == pytest.approx(expected.reindex(inside["first"]).to_numpy(), rel=1e-9)
    straddling = ward.index.isin(seats.index[seats["nunique"] > 1])
    assert ward.loc[straddling, "derivation"].str.endswith("straddles constituencies").all()
    assert ward.loc[~straddling, "derivation"].str.endswith("one constituency").all()
    # 7,545 wards hold at least one LSOA (43 have none by best fit); 202 of them straddle two constituencies or more.
    assert len(ward) == 7_545 and straddling.sum() == 202


def test_isle_of_wight_equals_its_two_seats(ctx, lad, ge2024):
    seats = {"E14001303", "E14001304"}  # Isle of Wight East and Isle of Wight West
    lookup = ctx.pcon24_lookup
    lad_of = ctx.lsoa21_ward.set_index("LSOA21CD")["LAD25CD"]
    in_seats = set(lookup.loc[lookup.pcon24_code.isin(seats), "lsoa21_code"])
    in_lad = set(lad_of[lad_of == "E06000046"].index)
    assert in_seats == in_lad  # the two seats are exactly the island: no LSOA of another LAD, none left out
    # From the raw results: East 55,855 electors and 34,078 valid votes; West 55,406 and 34,290.
    assert seat_total(ge2024, "electorate", seats) == 55_855 + 55_406
    assert seat_total(ge2024, "valid_votes", seats) == 34_078 + 34_290
    expected = 100 * seat_total(ge2024, "valid_votes", seats) / seat_total(ge2024, "electorate", seats)
    row = lad.set_index("area_code").loc["E06000046"]
    assert row.value == pytest.approx(expected, rel=1e-9, abs=0)
    assert row.value == pytest.approx(61.448306, abs=1e-6)
