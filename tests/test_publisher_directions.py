"""Publisher directions: every loader says, for each measure it reads, which way its publisher calls favourable, and the
declarations agree with what the held publisher files say (SMC group names, IoD notes, ONS polarity)."""
from __future__ import annotations

import csv
import dataclasses
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from data_sources import by_id, imd2019, iod2025, load_module, module_names, ons_els, ons_subnational, publisher_direction
from data_sources import smc_social_mobility as smc
from data_sources.base import HIGHER_FAVOURABLE, LOWER_FAVOURABLE, NOT_STATED, OGL_V3, PublisherDirection, RawFile, Source

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
TIDY = ROOT / "data" / "processed" / "tidy"


def built_measures(module) -> set[str]:
    """Measures of the source's built tidy table; where none is built yet, of read() over its held tidy files."""
    table = TIDY / f"{module.SOURCE.id}.parquet"
    if table.exists():
        return set(pd.read_parquet(table, columns=["measure"])["measure"])
    measures: set[str] = set()
    for raw in module.SOURCE.files:
        path = RAW / module.SOURCE.raw_folder / raw.name
        if raw.tidy and raw.held and path.exists():
            measures |= set(module.read(path)["measure"])
    return measures


def tidy(source_id: str) -> pd.DataFrame:
    return pd.read_parquet(TIDY / f"{source_id}.parquet")


def value(frame: pd.DataFrame, code: str, measure: str, period: str | None = None) -> float:
    hit = frame[(frame.area_code == code) & (frame.measure == measure) & ((frame.period == period) if period else True)]
    assert len(hit) == 1, (code, measure, period, len(hit))
    return float(hit["value"].iloc[0])


# ---------------------------------------------------------------------------------------------
# The declaration types
# ---------------------------------------------------------------------------------------------

def toy_source(*directions: PublisherDirection) -> Source:
    return Source(
        id="toy", title="Toy", publisher="Nobody", licence=OGL_V3, landing_page="", vintage="", geography="", code_vintage="",
        files=(RawFile(name="toy.csv", url=""),), directions=directions,
    )


def test_publisher_direction_accepts_the_three_values():
    assert (HIGHER_FAVOURABLE, LOWER_FAVOURABLE, NOT_STATED) == ("higher", "lower", "not_stated")
    for favourable in (HIGHER_FAVOURABLE, LOWER_FAVOURABLE, NOT_STATED):
        assert PublisherDirection("x_*", favourable, "the publisher's label 'x'").favourable == favourable


@pytest.mark.parametrize(
    "pattern, favourable, evidence",
    [
        ("x", "Higher", "label"),  # the constants are lower-case; a near miss is not accepted
        ("x", "better", "label"),
        ("x", None, "label"),
        ("x", HIGHER_FAVOURABLE, ""),
        ("x", HIGHER_FAVOURABLE, "   "),
        ("x", NOT_STATED, None),
        ("", HIGHER_FAVOURABLE, "label"),
        (" ", LOWER_FAVOURABLE, "label"),
    ],
)
def test_publisher_direction_rejects_bad_values(pattern, favourable, evidence):
    with pytest.raises(ValueError):
        PublisherDirection(pattern, favourable, evidence)


def test_publisher_direction_is_frozen():
    declared = PublisherDirection("x", HIGHER_FAVOURABLE, "label")
    with pytest.raises(dataclasses.FrozenInstanceError):
        declared.favourable = LOWER_FAVOURABLE


def test_source_direction_first_match_wins():
    specific = PublisherDirection("imd_rank_of_average_score", HIGHER_FAVOURABLE, "rank 1 = most deprived")
    broad = PublisherDirection("*_score", LOWER_FAVOURABLE, "higher score = more deprived")
    source = toy_source(specific, broad)
    assert source.direction("imd_rank_of_average_score") is specific
    assert source.direction("imd_average_score") is broad
    # The same two entries the other way round: the broad one now shadows the specific one.
    assert toy_source(broad, specific).direction("imd_rank_of_average_score") is broad


def test_source_direction_matches_case_sensitively_and_whole_names():
    source = toy_source(PublisherDirection("crimes_*", NOT_STATED, "counts; the publisher states no direction"))
    assert source.direction("crimes_robbery").favourable == NOT_STATED
    for measure in ("Crimes_robbery", "all_crimes_robbery", "crime_severity_score"):
        with pytest.raises(KeyError):
            source.direction(measure)


def test_source_direction_keyerror_names_source_and_measure():
    with pytest.raises(KeyError) as raised:
        toy_source(PublisherDirection("a_*", NOT_STATED, "counts")).direction("b_score")
    assert "toy" in str(raised.value) and "b_score" in str(raised.value)
    with pytest.raises(KeyError, match="toy.*anything"):
        toy_source().direction("anything")  # no declarations at all


def test_publisher_direction_helper_finds_the_source_by_id():
    found = publisher_direction("smc_social_mobility", "son2025__promising_prospects_group")
    assert found is smc.SOURCE.direction("son2025__promising_prospects_group")
    assert found.favourable == HIGHER_FAVOURABLE
    # By source id (which is also the module name: data_sources/wimd2019.py).
    assert publisher_direction("wimd2019", "wimd_rank").favourable == HIGHER_FAVOURABLE
    with pytest.raises(KeyError, match="no_such_source"):
        publisher_direction("no_such_source", "x")
    with pytest.raises(KeyError, match="iod2025.*no_such_measure"):
        publisher_direction("iod2025", "no_such_measure")


# ---------------------------------------------------------------------------------------------
# Every loader covers every measure it produces
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", module_names())
def test_every_produced_measure_has_a_declared_direction(name):
    module = load_module(name)
    measures = built_measures(module)
    undeclared = []
    for measure in sorted(measures):
        try:
            module.SOURCE.direction(measure)
        except KeyError:
            undeclared.append(measure)
    assert undeclared == [], f"{module.SOURCE.id}: no publisher direction declared for {undeclared}"


def test_the_coverage_check_sees_the_big_tables():
    # A silently empty measure list would pass the check above for every source.
    assert len(built_measures(by_id("iod2025"))) >= 35
    assert len(built_measures(by_id("ons_els"))) >= 32
    assert len(built_measures(by_id("wimd2019"))) >= 54
    assert len(built_measures(by_id("smc_social_mobility"))) >= 8


# ---------------------------------------------------------------------------------------------
# Social Mobility Commission: groups run 1 'Least Favourable' .. 5 or 7 'Most Favourable'
# ---------------------------------------------------------------------------------------------

def test_smc_groups_are_higher_favourable_by_their_published_names():
    measures = built_measures(smc)
    assert len(measures) == 8 and all(m.endswith("_group") for m in measures)  # 4 composite measures x 2 editions
    for measure in measures:
        declared = smc.SOURCE.direction(measure)
        assert declared.favourable == HIGHER_FAVOURABLE, measure
        assert "Most Favourable" in declared.evidence and "Least Favourable" in declared.evidence
    assert smc.GROUPS_2025[1] == "Least Favourable" and smc.GROUPS_2025[7] == "Most Favourable"
    assert smc.GROUPS_2024[1] == "Least Favourable" and smc.GROUPS_2024[5] == "Most Favourable"


def test_smc_newham_is_more_favourable_than_county_durham_in_the_raw_file():
    folder = RAW / smc.SOURCE.raw_folder
    frame = smc.read(folder / smc.SON2025)
    measure, period = "son2025__promising_prospects_group", "2021-2024"
    newham, durham = value(frame, "E09000025", measure, period), value(frame, "E06000047", measure, period)
    assert (newham, durham) == (7.0, 1.0)
    # The publisher's own names for those ids, in the same file.
    with open(folder / smc.SON2025, encoding="utf-8-sig", newline="") as handle:
        names = {row["region_url"]: row["promising_prospects_group_name_2021_to_2024"] for row in csv.DictReader(handle)}
    assert (names["newham"], names["durham"]) == ("Most Favourable", "Least Favourable")
    # Higher group = more favourable, which is the direction declared.
    assert newham > durham and smc.SOURCE.direction(measure).favourable == HIGHER_FAVOURABLE
    # The built table agrees with the raw file, and the 2024 edition ranks them the same way round.
    built = tidy("smc_social_mobility")
    assert value(built, "E09000025", measure, period) == 7.0 and value(built, "E06000047", measure, period) == 1.0
    assert value(built, "E09000025", "son2024__promising_prospects_group") == 4.0
    assert value(built, "E06000047", "son2024__promising_prospects_group") == 1.0


# ---------------------------------------------------------------------------------------------
# Indices of deprivation: scores up = more deprived; rank 1 = most deprived
# ---------------------------------------------------------------------------------------------

def test_iod2025_imd_average_score_is_lower_favourable_and_blackpool_is_most_deprived():
    assert iod2025.SOURCE.direction("imd_average_score").favourable == LOWER_FAVOURABLE
    assert iod2025.SOURCE.direction("imd_rank_of_average_score").favourable == HIGHER_FAVOURABLE
    assert iod2025.SOURCE.direction("imd_score").favourable == LOWER_FAVOURABLE
    assert iod2025.SOURCE.direction("imd_rank").favourable == HIGHER_FAVOURABLE
    assert iod2025.SOURCE.direction("imd_decile").favourable == HIGHER_FAVOURABLE
    frame = tidy("iod2025")
    scores = frame[frame.measure == "imd_average_score"]
    assert value(frame, "E06000009", "imd_rank_of_average_score") == 1.0
    assert value(frame, "E06000009", "imd_average_score") == pytest.approx(43.467)
    assert scores.loc[scores["value"].idxmax(), "area_code"] == "E06000009"  # Blackpool, the highest score, is rank 1


def test_iod2019_notes_sheet_says_what_the_declarations_quote():
    """The Notes sheet of File 10 is a text box: read its text from the workbook's drawing."""
    with zipfile.ZipFile(RAW / imd2019.SOURCE.raw_folder / imd2019.FILE10) as book:
        drawing = book.read("xl/drawings/drawing1.xml").decode("utf-8")
    notes = " ".join(re.findall(r"<a:t>(.*?)</a:t>", drawing))
    quotes = {"The higher the score, the more deprived the area.", "the local authority district with a rank of 1 is the most deprived"}
    quotes |= {"the rank of 1 (most deprived) is given to the area with the highest score", "population living in the most deprived LSOAs in the country"}
    for quote in quotes:
        assert quote in notes, quote
    assert "The higher the score, the more deprived the area." in imd2019.NOTES_SCORE
    assert "The higher the score, the more deprived the area." in iod2025.NOTES_SCORE
    for module in (imd2019, iod2025):
        assert "the rank of 1 (most deprived) is given to the area with the highest score" in module.SOURCE.direction("imd_extent").evidence


def pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(rank measure, score measure) pairs a table holds: x_rank/x_score and x_rank_of_average_score/x_average_score."""
    measures = set(frame["measure"])
    found = []
    for measure in sorted(measures):
        if measure.endswith("_rank_of_average_score") and measure.replace("_rank_of_average_score", "_average_score") in measures:
            found.append((measure, measure.replace("_rank_of_average_score", "_average_score")))
        elif measure.endswith("_rank") and measure[: -len("_rank")] + "_score" in measures:
            found.append((measure, measure[: -len("_rank")] + "_score"))
    return found


@pytest.mark.parametrize("source_id, expected_pairs", [("iod2025", 10), ("imd2019", 6), ("imd_history", 1), ("wimd2019", 9), ("community_needs_index", 4)])
def test_ranks_and_scores_run_opposite_ways_in_the_data_and_in_the_declarations(source_id, expected_pairs):
    """In the held data rank 1 holds the highest score; so rank must be higher-favourable exactly where score is lower."""
    frame = tidy(source_id)
    declared = by_id(source_id).SOURCE
    found = pairs(frame)
    assert len(found) >= expected_pairs, found
    for rank, score in found:
        wide = frame[frame.measure.isin([rank, score])].pivot_table(index=["area_code", "period"], columns="measure", values="value").dropna()
        # Within each edition (CNI 2019 and 2023 are on different scales), Spearman's rho between rank and score.
        for period, edition in wide.groupby(level="period"):
            assert edition[rank].rank().corr(edition[score].rank()) < -0.99, (rank, score, period)
        assert (declared.direction(rank).favourable, declared.direction(score).favourable) == (HIGHER_FAVOURABLE, LOWER_FAVOURABLE)


@pytest.mark.parametrize("source_id", ["iod2025", "imd2019", "imd_history", "wimd2019"])
def test_decile_1_holds_the_most_deprived_ranks_and_runs_with_rank(source_id):
    frame = tidy(source_id)
    declared = by_id(source_id).SOURCE
    deciles = sorted(m for m in set(frame.measure) if m.endswith("_decile"))
    assert deciles
    for decile in deciles:
        rank = decile[: -len("_decile")] + "_rank"
        wide = frame[frame.measure.isin([rank, decile])].pivot_table(index=["area_code", "period"], columns="measure", values="value").dropna()
        first = wide[wide[decile] == 1][rank]
        assert first.min() == 1 and first.max() < wide[rank].quantile(0.11), decile
        assert declared.direction(decile).favourable == declared.direction(rank).favourable == HIGHER_FAVOURABLE


def test_deprivation_population_denominators_state_no_direction():
    for measure in ("population_total", "population_aged_0_15", "population_working_age_18_59_64"):
        assert imd2019.SOURCE.direction(measure).favourable == NOT_STATED


# ---------------------------------------------------------------------------------------------
# ONS: Subnational Indicators polarity, and Explore Local Statistics citing it
# ---------------------------------------------------------------------------------------------

def test_ons_subnational_directions_are_the_published_polarity():
    metadata = ons_subnational.read_metadata(RAW / ons_subnational.SOURCE.raw_folder / ons_subnational.METADATA)
    assert set(ons_subnational.PUBLISHED_POLARITY) == {m.measure for m in ons_subnational.METRICS.values()} == set(metadata.measure)
    for row in metadata.itertuples():
        worksheet, polarity, short = ons_subnational.PUBLISHED_POLARITY[row.measure]
        assert (worksheet, short) == (row.worksheet, row.short_title)
        expected = LOWER_FAVOURABLE if row.polarity == "lower_is_better" else HIGHER_FAVOURABLE
        assert ons_subnational.SOURCE.direction(row.measure).favourable == expected, row.measure
        assert (polarity == "Negative") == (row.polarity == "lower_is_better")
    # Real values from the file: anxiety and homicide are Negative, pay and happiness blank.
    assert ons_subnational.SOURCE.direction("anxiety").favourable == LOWER_FAVOURABLE
    assert ons_subnational.SOURCE.direction("homicide_rate").favourable == LOWER_FAVOURABLE
    assert ons_subnational.SOURCE.direction("median_weekly_pay").favourable == HIGHER_FAVOURABLE
    assert "Polarity blank" in ons_subnational.SOURCE.direction("happiness").evidence


def test_ons_els_cites_the_same_metric_in_the_subnational_metadata():
    measures = built_measures(ons_els)
    for measure, (same, polarity, short, _differs) in ons_els.SUBNATIONAL_POLARITY.items():
        assert measure in measures, measure
        assert ons_subnational.PUBLISHED_POLARITY[same][1:] == (polarity, short), measure
        assert ons_els.SOURCE.direction(measure).favourable == ons_subnational.SOURCE.direction(same).favourable, measure
        assert f"'{short}'" in ons_els.SOURCE.direction(measure).evidence
    assert ons_els.SOURCE.direction("gross_median_weekly_pay").favourable == HIGHER_FAVOURABLE
    assert ons_els.SOURCE.direction("personal_wellbeing_estimates__anxiety").favourable == LOWER_FAVOURABLE
    # Series the subnational explorer does not carry, and whose .json states no direction, stay undeclared.
    for measure in ("claimant_count", "children_in_relative_poverty__before_housing_costs", "qualifications_none_gb", "modelled_unemployment"):
        assert ons_els.SOURCE.direction(measure).favourable == NOT_STATED, measure


def test_ons_els_metadata_has_no_polarity_and_affordability_quotes_its_json():
    folder = RAW / ons_els.SOURCE.raw_folder
    for series in ons_els.SERIES:
        text = (folder / series.slug / f"{series.slug}.json").read_text(encoding="utf-8")
        assert "polarity" not in text.lower(), series.slug
    caveats = json.loads((folder / "housing-affordability-ratio" / "housing-affordability-ratio.json").read_text(encoding="utf-8"))
    sentence = "A higher housing affordability ratio reflects a less affordable area."
    assert sentence in caveats["ess-beta-metadata"]["caveats"]
    declared = ons_els.SOURCE.direction("housing_affordability_ratio")
    assert declared.favourable == LOWER_FAVOURABLE and sentence in declared.evidence
