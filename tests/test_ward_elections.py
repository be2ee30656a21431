"""2023 local election wards matched to May 2025 ward codes: the name normaliser on its own, the lookups it reads, the
measured match over the real 2023 file with known hard cases, and the turnout indicator built on the real snapshot."""
from __future__ import annotations

import gzip

import pandas as pd
import pytest

from areas import harmonise
from areas import ward_matching as wm
from conftest import PROCESSED, RAW
from data_sources import local_elections, ons_lookups
from data_sources.base import SchemaError
from indicators import ward_elections as we
from indicators.context import BuildContext

LOOKUPS = RAW / ons_lookups.SOURCE.raw_folder
ELECTIONS = RAW / local_elections.SOURCE.raw_folder


# ---------------------------------------------------------------------------------------------
# (a) The normaliser
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "published, ons",
    [
        ("Stocksbridge & Upper Don", "Stocksbridge and Upper Don"),  # ampersand vs 'and'
        ("St. Peters", "St Peter's"),  # 'St.' and a dropped apostrophe
        ("Saint Helens", "St Helens"),
        ("St Andrew\u2019s", "St Andrew's"),  # typographic apostrophe
        ("Holton-le-Clay & North Thoresby", "Holton le Clay and North Thoresby"),  # hyphens
        ("  Caversham   Heights ", "Caversham Heights"),  # stray spaces
        ("Abbey (Reading)", "Abbey"),  # bracketed suffix
        ("WOODHALL SPA", "Woodhall Spa"),
        ("Llandrillo-yn-Rhôs", "Llandrillo yn Rhos"),  # Welsh circumflex
        ("Wyre Forest St. Marys", "Wyre Forest St Mary's"),
    ],
)
def test_names_spelt_differently_normalise_alike(published, ons):
    assert wm.normalise_ward_name(published) == wm.normalise_ward_name(ons)


def test_normaliser_output():
    assert wm.normalise_ward_name("St. Mary's & St John's (East)") == "st marys and st johns"
    assert wm.normalise_ward_name("St. Mary's & St John's (East)", keep_brackets=True) == "st marys and st johns east"
    assert wm.normalise_ward_name("Stanton-by-Dale + Risley") == "stanton by dale and risley"
    # Different wards stay different.
    assert wm.normalise_ward_name("Bletchley East") != wm.normalise_ward_name("Bletchley West")


def test_name_keys_and_compact_keys():
    # A bilingual name written 'Welsh / English' is known by both halves; a slash without spaces is a list separator.
    assert wm.name_keys("Pen-y-cae a De Rhiwabon / Penycae and Ruabon South") == [
        "pen y cae a de rhiwabon penycae and ruabon south", "pen y cae a de rhiwabon", "penycae and ruabon south",
    ]
    assert wm.name_keys("Abbey (Reading)") == ["abbey reading", "abbey"]
    assert wm.name_keys("Snaith/Airmyn") == ["snaith airmyn"]
    same = wm.compact_key(wm.normalise_ward_name("Flitch Green Little Dunmow"))
    assert same == wm.compact_key(wm.normalise_ward_name("Flitch Green & Little Dunmow")) == "flitchgreenlittledunmow"
    assert wm.compact_key(wm.normalise_ward_name("Snaith/Airmyn & Rawcliffe & Marshland")) == wm.compact_key(
        wm.normalise_ward_name("Snaith, Airmyn, Rawcliffe and Marshland")
    )


@pytest.mark.parametrize(
    "library, ons",
    [
        ("Kingston Upon Hull", "Kingston upon Hull, City of"),
        ("Herefordshire", "Herefordshire, County of"),
        ("Kings Lynn & West Norfolk", "King's Lynn and West Norfolk"),
        ("Bournemouth, Christchurch & Poole", "Bournemouth, Christchurch and Poole"),
        ("Stratford On Avon", "Stratford-on-Avon"),
        ("Telford & Wrekin", "Telford and Wrekin"),
    ],
)
def test_council_names_normalise_alike(library, ons):
    assert wm.normalise_council_name(library) == wm.normalise_council_name(ons)


def test_name_index_exact_compact_near_and_ambiguous():
    index = wm.NameIndex()
    index.add("W05001751", "Penycae and Ruabon South", "Pen-y-cae a De Rhiwabon")  # Wrexham, December 2023
    index.add("E05009897", "Scarbrough & Seacroft")  # East Lindsey
    index.add("E05001706", "Snaith, Airmyn, Rawcliffe and Marshland")  # East Riding of Yorkshire
    assert index.find("Pen-y-cae a De Rhiwabon") == ("W05001751", wm.NAME_NORMALISED)
    assert index.find("Pen-y-cae a De Rhiwabon / Penycae and Ruabon South") == ("W05001751", wm.NAME_NORMALISED)
    assert index.find("Snaith/Airmyn & Rawcliffe & Marshland") == ("E05001706", wm.NAME_CONNECTORS_IGNORED)
    assert index.find("Scarborough & Seacroft") is None
    assert index.near("Scarborough & Seacroft", taken=set()) == "E05009897"
    assert index.near("Scarborough & Seacroft", taken={"E05009897"}) is None  # already another row's ward
    assert index.near("Seacroft", taken=set()) is None  # too far from every name
    # Two wards sharing a key: the key names neither.
    twins = wm.NameIndex()
    twins.add("E05000001", "Central (North)")
    twins.add("E05000002", "Central (South)")
    assert twins.find("Central") is None
    assert twins.find("Central (North)") == ("E05000001", wm.NAME_NORMALISED)


# ---------------------------------------------------------------------------------------------
# (b) The lookups the matcher reads (ons_lookups)
# ---------------------------------------------------------------------------------------------

def test_december_2023_ward_lookup():
    wards = ons_lookups.read(LOOKUPS / ons_lookups.WARD23_LAD23)
    assert len(wards) == 8441 and wards.WD23CD.is_unique
    assert wards.WD23CD.str[0].value_counts().to_dict() == {"E": 6862, "W": 762, "N": 462, "S": 355}
    abbey = wards.set_index("WD23CD").loc["E05013864"]
    assert (abbey.WD23NM, abbey.LAD23CD, abbey.LAD23NM) == ("Abbey", "E06000038", "Reading")
    assert wards.set_index("WD23CD").loc["W05001751", "WD23NMW"] == "Pen-y-cae a De Rhiwabon"


def test_best_fit_lookups_read_under_either_naming(tmp_path):
    ward24 = ons_lookups.read(LOOKUPS / ons_lookups.LSOA21_WARD24)
    ward17 = ons_lookups.read(LOOKUPS / ons_lookups.LSOA11_WARD17)
    assert len(ward24) == 35672 and len(ward17) == 34753
    assert ward24.set_index("lsoa21_code").loc["E01012049", "ward24_code"] == "E05009861"  # Middlesbrough 014A -> Ladgate
    assert ward17.set_index("lsoa11_code").loc["E01000001", "ward17_code"] == "E05009288"
    # A refresh from the ArcGIS service brings the ONS field names; the reader gives the held names either way.
    text = gzip.decompress((LOOKUPS / ons_lookups.LSOA11_WARD17).read_bytes()).replace(b"lsoa11_code,ward17_code", b"LSOA11CD,WD17CD", 1)
    official = tmp_path / ons_lookups.LSOA11_WARD17
    official.write_bytes(gzip.compress(text, mtime=0))
    assert ons_lookups.read(official).equals(ward17)


def test_lookup_with_a_renamed_or_repeated_column_raises(tmp_path):
    real = (LOOKUPS / ons_lookups.WARD23_LAD23).read_bytes()
    renamed = tmp_path / "renamed" / ons_lookups.WARD23_LAD23
    renamed.parent.mkdir()
    renamed.write_bytes(real.replace(b"WD23NM,", b"WD23NAME,", 1))
    with pytest.raises(SchemaError, match=r"WD23NM") as info:
        ons_lookups.read(renamed)
    assert ons_lookups.WARD23_LAD23 in str(info.value)
    repeated = tmp_path / "repeated" / ons_lookups.WARD23_LAD23
    repeated.parent.mkdir()
    lines = real.split(b"\r\n") if b"\r\n" in real else real.split(b"\n")
    repeated.write_bytes(b"\n".join(lines[:3] + [lines[1]] + lines[3:]))
    with pytest.raises(SchemaError, match="'WD23CD' repeats codes"):
        ons_lookups.read(repeated)


# ---------------------------------------------------------------------------------------------
# (c) The real 2023 file matched on the real snapshot
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ctx():
    coded = pd.concat([local_elections.read(ELECTIONS / name) for name in local_elections.LAYOUTS], ignore_index=True)
    return BuildContext(raw_root=RAW, areas=pd.read_parquet(PROCESSED / "areas.parquet"), tidy={"local_elections": coded})


@pytest.fixture(scope="module")
def matches(ctx):
    return we.election_matches_2023(ctx)


def row(matches, council, ward):
    found = matches[(matches.la_name == council) & (matches.ward_name == ward)]
    assert len(found) == 1, (council, ward)
    return found.iloc[0]


def test_match_rate_over_the_real_2023_file(matches):
    summary = we.match_summary(matches)
    assert summary == {"code_unchanged": 4528, "lsoa_majority": 243, "name_2025": 0, "unmatched": 26, "matched": 4771, "total": 4797}
    assert summary["matched"] / summary["total"] >= 0.98  # 99.5%
    assert list(matches.columns) == wm.MATCH_COLUMNS
    assert matches.name_match.value_counts().to_dict() == {wm.NAME_NORMALISED: 4792, wm.NAME_NEAR_SPELLING: 3, wm.NAME_CONNECTORS_IGNORED: 2}


def test_every_row_has_a_derivation_or_a_reason(matches, ctx):
    matched = matches[matches.method != wm.UNMATCHED]
    unmatched = matches[matches.method == wm.UNMATCHED]
    assert (matched.derivation != "").all() and (matched.reason == "").all()
    assert (unmatched.reason != "").all() and (unmatched.wd25_code == "").all()
    assert set(matched.wd25_code) <= set(ctx.ward_codes)
    # Every match stays inside its council: the 2025 ward's district is the council's December 2023 district recoded.
    lad25 = ctx.chain.drop_duplicates("old_code").set_index("old_code")["lad25_code"]
    parent = ctx.areas.set_index("area_code")["parent_code"]
    assert (matched.wd25_code.map(parent) == matched.lad23_code.map(lad25)).all()
    # Only changed wards reached through their LSOAs may share a 2025 ward (mergers).
    shared = matched[matched.wd25_code.duplicated(keep=False)]
    assert len(shared) == 38 and set(shared.method) == {wm.LSOA_MAJORITY}


def test_known_matches(matches):
    abbey = row(matches, "Reading", "Abbey")
    assert (abbey.wd23_code, abbey.wd25_code, abbey.method) == ("E05013864", "E05013864", wm.CODE_UNCHANGED)
    # The council is "Telford and Wrekin" to ONS.
    nedge = row(matches, "Telford & Wrekin", "The Nedge")
    assert (nedge.lad23_code, nedge.wd25_code, nedge.method) == ("E06000020", "E05015235", wm.CODE_UNCHANGED)
    # An ampersand ward whose code changed between 2023 and 2025: 12 of its 13 LSOAs went to the new ward.
    stocksbridge = row(matches, "Sheffield", "Stocksbridge & Upper Don")
    assert (stocksbridge.wd23_code, stocksbridge.wd23_name) == ("E05010881", "Stocksbridge and Upper Don")
    assert (stocksbridge.wd25_code, stocksbridge.method, stocksbridge.lsoas_in_ward, stocksbridge.lsoas_to_wd25) == ("E05016246", wm.LSOA_MAJORITY, 13, 12)
    assert "May 2024 ward best fit" in stocksbridge.derivation
    penistone = row(matches, "Barnsley", "Penistone East")
    assert (penistone.wd23_code, penistone.wd25_code, penistone.lsoas_to_wd25, penistone.lsoas_in_ward) == ("E05000989", "E05016245", 8, 8)
    # Changed in May 2024, so no LSOA21 -> ward 2024 row: found through the December 2017 best fit (same code).
    emmbrook = row(matches, "Wokingham", "Emmbrook")
    assert (emmbrook.wd23_code, emmbrook.wd25_code, emmbrook.method) == ("E05002377", "E05015785", wm.LSOA_MAJORITY)
    assert "December 2017 ward best fit" in emmbrook.derivation


@pytest.mark.parametrize(
    "council, ward, wd23_code, wd23_name, how",
    [
        ("East Lindsey", "Scarborough & Seacroft", "E05009897", "Scarbrough & Seacroft", wm.NAME_NEAR_SPELLING),
        ("Kingston Upon Hull", "St Andrew's & Dockland", "E05011541", "St Andrew's & Docklands", wm.NAME_NEAR_SPELLING),
        ("Milton Keynes", "Campbell Park and Old Wroughton", None, "Campbell Park & Old Woughton", wm.NAME_NEAR_SPELLING),
        ("East Riding Of Yorkshire", "Snaith/Airmyn & Rawcliffe & Marshland", "E05001706", "Snaith, Airmyn, Rawcliffe and Marshland", wm.NAME_CONNECTORS_IGNORED),
        ("Uttlesford", "Flitch Green Little Dunmow", None, "Flitch Green & Little Dunmow", wm.NAME_CONNECTORS_IGNORED),
        ("Castle Point", "St. Peters", "E05004094", "St Peter's", wm.NAME_NORMALISED),
    ],
)
def test_hard_names(matches, council, ward, wd23_code, wd23_name, how):
    found = row(matches, council, ward)
    assert (found.wd23_name, found.name_match) == (wd23_name, how)
    if wd23_code:
        assert found.wd23_code == wd23_code


def test_unmatched_rows_say_why(matches, ctx):
    unmatched = matches[matches.method == wm.UNMATCHED]
    assert len(unmatched) == 26
    # All in councils that voted again in May 2024, on wards that 203 of their 205 May 2025 wards still are.
    wards = ctx.areas[(ctx.areas.level == "ward") & ctx.areas.parent_code.isin(set(unmatched.lad23_code))]
    voted24 = set(ctx.measure("local_elections", "electorate", "ward24").area_code)
    assert (len(wards), wards.area_code.isin(voted24).sum()) == (205, 203)
    assert unmatched.la_name.value_counts().sort_index().to_dict() == {
        "Basildon": 1, "Brentwood": 3, "Cannock Chase": 2, "Castle Point": 3, "Maidstone": 3, "North Hertfordshire": 1,
        "North Tyneside": 3, "Redditch": 2, "Rossendale": 3, "St Albans": 1, "Stevenage": 1, "Wokingham": 2, "Worcester": 1,
    }
    # The one ward no held lookup follows: a 2022 St Albans ward re-coded by 2025.
    jersey = row(matches, "St Albans", "Marshalswick East & Jersey Farm")
    assert jersey.wd23_code == "E05013958" and "no LSOA lookup held" in jersey.reason
    # A ward split evenly: no 2025 ward succeeds it.
    cathedral = row(matches, "Worcester", "Cathedral")
    assert cathedral.reason == (
        "December 2023 ward Cathedral (E05007883) changed by 2025 and its 8 LSOAs split with no ward taking more than half: "
        "Fort Royal (E05015854) 4, Cathedral (E05015851) 4"
    )
    assert unmatched.reason.str.contains("split with no ward taking more than half").sum() == 25
    lines = we.unmatched_lines(matches)
    assert len(lines) == 26 and lines[0].startswith("Wokingham, Bulmershe & Whitegates: December 2023 ward Bulmershe and Whitegates (E05002374)")


# ---------------------------------------------------------------------------------------------
# (d) The turnout indicator
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def turnout(ctx, matches):
    return we.local_election_turnout(ctx)


def test_turnout_shape(turnout):
    ward, lad = turnout["ward"], turnout["lad"]
    for frame in (ward, lad):
        assert list(frame.columns) == harmonise.VALUE_COLUMNS
        assert frame.area_code.is_unique and set(frame.period) == {"2021-2024"} and frame.value.notna().all()
        assert (frame.value - 100 * frame.numerator / frame.denominator).abs().max() < 1e-9
    assert len(ward) == 7301 and len(lad) == 316
    years = ward.derivation.str.extract(r"^ward election of May (\d{4})")[0].value_counts().to_dict()
    assert years == {"2023": 3238, "2024": 1903, "2022": 1678, "2021": 482}
    # Wards redrawn for 2025 take their predecessor's latest result through the LSOAs (Northumberland, Durham...).
    assert ward.derivation.str.contains("changed by 2025").sum() == 265


def test_a_ward_whose_latest_election_is_2023(turnout, matches):
    ward = turnout["ward"].set_index("area_code")
    # Middlesbrough voted all-out in May 2023; Central ward: 7,100 electors, turnout 21.0 in the Library's file.
    central = ward.loc["E05009857"]
    assert (central.value, central.denominator) == (21.0, 7100)
    assert central.derivation == "ward election of May 2023 (matched by name to December 2023 ward Central (E05009857); code unchanged in 2025)"
    # Stocksbridge and Upper Don (Sheffield) was redrawn for 2025; it voted in 2023 and again in 2024 on its old
    # boundary, so it takes the 2024 result (4,841 ballots of 14,495 electors), carried through its LSOAs.
    stocksbridge = ward.loc["E05016246"]
    assert (round(stocksbridge.value, 1), stocksbridge.denominator) == (33.4, 14495)
    assert stocksbridge.derivation == (
        "ward election of May 2024 (ward E05010881, changed by 2025: 12 of this ward's 12 lower layer super output areas "
        "were in it; ONS best-fit lookups)"
    )
    carried_2023 = matches.set_index("wd25_code").loc["E05016246"]
    assert carried_2023.method == "lsoa_majority" and carried_2023.turnout_pct == 36.1
    # A ward that voted again in 2024 keeps its 2024 result (Reading, Abbey: 19.2 in 2023).
    assert ward.loc["E05013864", "derivation"] == "ward election of May 2024 (code unchanged in 2025)"


def test_ward_results_read_as_published_for_the_ward(turnout):
    # Each value is a ward's own published result: its derivation must not carry the tokens by which the build's
    # reliability annotation recognises values summed from small areas ("LSOA", "aggregated from OA 2021").
    derivation = turnout["ward"].derivation
    assert not derivation.str.contains("LSOA", regex=False).any()
    assert not derivation.str.contains("aggregated from OA 2021", regex=False).any()


def test_lad_turnout_sums_the_latest_year(turnout, matches):
    lad = turnout["lad"].set_index("area_code")
    middlesbrough = matches[matches.la_name == "Middlesbrough"]
    assert len(middlesbrough) == 20 and (middlesbrough.method == wm.CODE_UNCHANGED).all()
    row = lad.loc["E06000002"]
    assert row.derivation == "summed over 20 wards of the May 2023 election"
    assert row.denominator == middlesbrough.electorate.sum() == 99034
    assert row.numerator == pytest.approx((middlesbrough.electorate * middlesbrough.turnout_pct / 100).sum(), rel=1e-12)


def test_uncontested_wards_do_not_dilute_the_council(ctx, turnout):
    """Denbighshire, May 2022: wards returned unopposed have no poll, so neither their electors nor a zero count."""
    wards = set(ctx.areas.loc[ctx.areas.parent_code == "W06000004", "area_code"])
    turnout22 = ctx.measure("local_elections", "turnout_pct", "ward22").set_index("area_code")["value"]
    electorate22 = ctx.measure("local_elections", "electorate", "ward22").set_index("area_code")["value"]
    polled = [code for code in wards if code in turnout22.index and pd.notna(turnout22[code])]
    uncontested = [code for code in wards if code in turnout22.index and pd.isna(turnout22[code])]
    assert len(polled) == 12 and len(uncontested) > 0
    row = turnout["lad"].set_index("area_code").loc["W06000004"]
    assert row.denominator == electorate22[polled].sum()
    assert row.value == pytest.approx(100 * (electorate22[polled] * turnout22[polled] / 100).sum() / electorate22[polled].sum(), rel=1e-12)
