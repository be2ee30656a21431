"""ONS Explore Local Statistics loader: real values from the bundled series, recorded fetches, malformed input."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES, RAW
from data_sources import http, ons_els
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = ons_els.SOURCE.raw_folder
FIXTURE = FIXTURES / ons_els.SOURCE.id
DATA_REPO = "https://raw.githubusercontent.com/ONSdigital/explore-local-statistics-data/main"


def recorded() -> dict[str, bytes]:
    """The recorded response of every declared file (the fixture folder holds them flat, by file name)."""
    return {raw.url: (FIXTURE / raw.name.split("/")[1]).read_bytes() for raw in ons_els.SOURCE.files}


CONTRACT = contract.Contract(
    samples=(Sample("apprenticeships/apprenticeships.csv"), Sample("claimant-count/claimant-count.json")),
    damaged=(
        Damaged("apprenticeships/apprenticeships.csv", "observation", "value"),
        Damaged("claimant-count/claimant-count.csv", "lci_95", "lower_95"),
    ),
    # Each series is a CSV and its JSON metadata, both served from the ONS data repository under their held names.
    urls={raw.name: f"{DATA_REPO}/{raw.name}" for raw in ons_els.SOURCE.files},
    recorded=recorded,
    failing="claimant-count/claimant-count.csv",
)


def series_path(raw_dir, slug, ext="csv"):
    return raw_dir / FOLDER / slug / f"{slug}.{ext}"


def row(frame, code, measure, period):
    hit = frame[(frame.area_code == code) & (frame.measure == measure) & (frame.period == period)]
    assert len(hit) == 1, (code, measure, period, len(hit))
    return hit.iloc[0]


@pytest.fixture(scope="module")
def all_series():
    return {s.slug: ons_els.read(series_path(RAW, s.slug)) for s in ons_els.SERIES}


def test_every_series_reads_to_the_tidy_schema_with_a_unique_key(all_series):
    assert set(all_series) == {s.slug for s in ons_els.SERIES}
    for slug, frame in all_series.items():
        assert list(frame.columns) == TIDY_COLUMNS, slug
        assert not frame.duplicated(TIDY_KEY).any(), slug
        assert frame.area_code.str[0].isin(["E", "W"]).all(), slug
        assert set(frame.measure) == set(ons_els.SERIES_BY_SLUG[slug].measures()), slug


@pytest.mark.parametrize(
    "slug, measure, period, expected_rows, expected_wales",
    [
        ("claimant-count", "claimant_count", "2025-01-01/P1Y", 318, 22),
        ("children-in-relative-poverty", "children_in_relative_poverty__before_housing_costs", "2024-04-01/P1Y", 318, 22),
        ("early-years", "early_years__literacy", "2024-09-01/P1Y", 296, 0),
        ("gcses-in-english-and-maths", "gcses_in_english_and_maths", "2024-09-01/P1Y", 296, 0),
        ("personal-wellbeing-estimates", "personal_wellbeing_estimates__life_satisfaction", "2022-04-01/P1Y", 331, 22),
        ("healthy-life-expectancy", "healthy_life_expectancy__male", "2022-01-01/P3Y", 152, 22),
        ("persistent-absences-for-all-pupils", "persistent_absences_for_all_pupils", "2024-08-01/P1Y", 132, 0),
        ("qualifications-level-3-or-above", "qualifications_level_3_or_above", "2023-01-01/P1Y", 317, 22),
    ],
)
def test_series_vintage_is_the_complete_current_lad_set(all_series, slug, measure, period, expected_rows, expected_wales):
    frame = all_series[slug]
    vintage = ons_els.series_geography(slug)
    latest = frame[(frame.geography == vintage) & (frame.measure == measure) & (frame.period == period)]
    assert len(latest) == expected_rows
    assert latest.area_code.str.startswith("W").sum() == expected_wales
    assert period == frame[frame.measure == measure].period.max()


def test_known_values_and_confidence_intervals(all_series):
    # Westminster life satisfaction 2022/23: 7 (6.66 to 7.34) in personal-wellbeing-estimates.csv
    wellbeing = row(all_series["personal-wellbeing-estimates"], "E09000033", "personal_wellbeing_estimates__life_satisfaction", "2022-04-01/P1Y")
    assert (wellbeing.value, wellbeing.lower_ci, wellbeing.upper_ci, wellbeing.geography) == (7.0, 6.66, 7.34, "lad22")
    anxiety = row(all_series["personal-wellbeing-estimates"], "E09000033", "personal_wellbeing_estimates__anxiety", "2022-04-01/P1Y")
    assert anxiety.value == 3.73
    # Barnsley (LAD25 code) male healthy life expectancy 2022-2024: 55.2 (51.6 to 58.8)
    hle = row(all_series["healthy-life-expectancy"], "E08000038", "healthy_life_expectancy__male", "2022-01-01/P3Y")
    assert (hle.value, hle.lower_ci, hle.upper_ci, hle.geography) == (55.2, 51.6, 58.8, "lad25")
    # Cardiff residence-based median weekly pay, April 2024: £584.7
    pay = row(all_series["gross-median-weekly-pay"], "W06000015", "gross_median_weekly_pay", "2024-04-17")
    assert pay.value == 584.7 and math.isclose(pay.upper_ci, 614.496312)
    # Cumberland engaged with the arts 2023/24: 90% (88 to 92); combined authorities and ITL rows are left out
    arts = row(all_series["engagement-with-culture-and-heritage"], "E06000063", "engagement_with_culture_and_heritage__arts", "2023-04-01/P1Y")
    assert (arts.value, arts.lower_ci, arts.upper_ci) == (90, 88, 92)
    assert not all_series["engagement-with-culture-and-heritage"].area_code.str.startswith("E47").any()
    # Cleveland police force area homicide rate 2022-2025
    homicide = row(all_series["homicide-offences"], "E23000013", "homicide_offences", "2022-04-01/P3Y")
    assert homicide.geography == "pfa" and math.isclose(homicide.value, 15.780053111150186)


def test_obsolete_codes_carry_their_last_vintage(all_series):
    gcse = all_series["gcses-in-english-and-maths"]
    craven = row(gcse, "E07000163", "gcses_in_english_and_maths", "2019-09-01/P1Y")
    assert (craven.geography, craven.value) == ("lad22", 83.11)
    # Barnsley is published under both its LAD24 and LAD25 codes with the same value
    poverty = all_series["children-in-relative-poverty"]
    old = row(poverty, "E08000016", "children_in_relative_poverty__before_housing_costs", "2024-04-01/P1Y")
    new = row(poverty, "E08000038", "children_in_relative_poverty__before_housing_costs", "2024-04-01/P1Y")
    assert (old.geography, new.geography) == ("lad24", "lad25")
    assert old.value == new.value == 28.16042038
    # in a LAD24 series the old Barnsley code is current
    assert row(all_series["claimant-count"], "E08000016", "claimant_count", "2025-01-01/P1Y").geography == "lad24"
    assert row(all_series["claimant-count"], "E08000016", "claimant_count", "2025-01-01/P1Y").value == 3.2
    county = row(all_series["personal-wellbeing-estimates"], "E10000023", "personal_wellbeing_estimates__anxiety", "2022-04-01/P1Y")
    assert (county.geography, county.value) == ("utla22", 2.92)


def test_suppressed_and_unreliable_cells_are_missing_not_zero(all_series):
    # City of London employment rate 2022 is flagged 'u' with a blank observation
    city = row(all_series["employment-rate"], "E09000001", "employment_rate__employment_rate", "2022-01-01/P1Y")
    assert math.isnan(city.value) and math.isnan(city.lower_ci)
    # North Northamptonshire anxiety 2018/19 is suppressed ('x')
    north = row(all_series["personal-wellbeing-estimates"], "E06000061", "personal_wellbeing_estimates__anxiety", "2018-04-01/P1Y")
    assert math.isnan(north.value)
    assert (all_series["claimant-count"].value.dropna() != 0).all()


def test_series_metadata_cites_source_unit_and_caveats(raw_dir):
    meta = ons_els.read(series_path(raw_dir, "personal-wellbeing-estimates", "json"))
    assert meta["unit"] == "score out of 10"
    assert meta["source"] == "Office for National Statistics"
    assert meta["source_date"] == ["07/11/2023"]
    assert meta["last_modified"] == "2025-11-10"
    assert set(meta["variables"]) == set(ons_els.SERIES_BY_SLUG["personal-wellbeing-estimates"].measures())
    assert meta["variables"]["personal_wellbeing_estimates__life_satisfaction"]["label"] == "Life satisfaction"
    pay = ons_els.series_metadata(series_path(raw_dir, "gross-median-weekly-pay", "json"))
    assert pay["unit"] == "£" and "where people live" in pay["variables"]["gross_median_weekly_pay"]["subtitle"]
    assert pay["source"] == "Office for National Statistics ; Northern Ireland Statistics and Research Agency"
    claimant = ons_els.series_metadata(series_path(raw_dir, "claimant-count", "json"))
    assert claimant["official_statistics_in_development"] is True and "double counting" in claimant["caveats"]
    for series in ons_els.SERIES:
        meta = ons_els.series_metadata(series_path(raw_dir, series.slug, "json"))
        assert set(meta["variables"]) == set(series.measures()), series.slug


def test_period_labels():
    assert ons_els.period_label("2023-04-01/P1Y") == "2023/24"
    assert ons_els.period_label("2023-01-01/P1Y") == "2023"
    assert ons_els.period_label("2011-01-01/P3Y") == "2011-2013"
    assert ons_els.period_label("2014-04-01/P3Y") == "2014/15 to 2016/17"
    assert ons_els.period_label("2025-04-30") == "2025-04-30"


def test_declared_files_are_a_csv_and_its_metadata_per_series(raw_dir):
    assert len(ons_els.SOURCE.files) == 2 * len(ons_els.SERIES) == 40
    for raw in ons_els.SOURCE.files:
        assert (raw_dir / FOLDER / raw.name).exists(), raw.name
        slug = raw.name.split("/")[0]
        assert raw.tidy == raw.name.endswith(".csv")
        assert slug in ons_els.SERIES_BY_SLUG
        assert raw.name in (f"{slug}/{slug}.csv", f"{slug}/{slug}.json")
    assert (raw_dir / FOLDER / "LICENSE.md").exists()


# ---------------------------------------------------------------------------------------------
# Recorded fetches
# ---------------------------------------------------------------------------------------------

@responses.activate
def test_fetch_from_recorded_responses(tmp_path):
    for url, body in recorded().items():
        responses.add(responses.GET, url, body=body, content_type="text/plain")
    folder = ons_els.fetch(tmp_path / "raw")
    assert folder == tmp_path / "raw" / FOLDER
    frame = ons_els.read(folder / "claimant-count" / "claimant-count.csv")
    assert frame.geography.isin(["lad24", "utla24", "region", "country"]).all() and len(frame) > 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entries = {e["path"]: e for e in manifest["files"]}
    entry = entries[f"raw/{FOLDER}/claimant-count/claimant-count.csv"]
    assert entry["url"] == f"{ons_els.RAW_BASE}/claimant-count/claimant-count.csv"
    assert entry["sha256"] == http.sha256_of(folder / "claimant-count" / "claimant-count.csv")
    assert len(entries) == 40


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------

def _write(tmp_path, slug, body: bytes, ext="csv"):
    path = tmp_path / slug / f"{slug}.{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def test_truncated_file_raises(tmp_path, raw_dir):
    lines = series_path(raw_dir, "claimant-count").read_bytes().splitlines(keepends=True)
    cut = b"".join(lines[:200]) + lines[200][:30]  # the last row breaks off mid-line
    path = _write(tmp_path, "claimant-count", cut)
    with pytest.raises(SchemaError, match=r"claimant-count\.csv: line 201 has \d+ of 12 fields"):
        ons_els.read(path)


def test_metadata_without_variables_raises(tmp_path):
    bad_json = _write(tmp_path, "early-years", b'{"_note": "x"}', ext="json")
    with pytest.raises(SchemaError, match=r"early-years\.json"):
        ons_els.read(bad_json)


def test_unknown_indicator_and_newer_codes_are_schema_changes(tmp_path, raw_dir):
    text = series_path(raw_dir, "claimant-count").read_text(encoding="utf-8-sig")
    renamed = _write(tmp_path, "claimant-count", text.replace("Claimant Count", "Claimant count (new)").encode())
    with pytest.raises(SchemaError, match=r"'indicator'.*Claimant count \(new\)"):
        ons_els.read(renamed)
    recoded = text.replace("E08000016,Barnsley,Local Authority District,Claimant Count,2025-01-01/P1Y,3.2,Percentage,%,,,,Obsolete code since 2025 (replaced by E08000038 Barnsley)",
                           "E08000038,Barnsley,Local Authority District,Claimant Count,2025-01-01/P1Y,3.2,Percentage,%,,,,")
    assert recoded != text
    path = _write(tmp_path, "claimant-count", recoded.encode())
    with pytest.raises(SchemaError, match=r"LAD2025 codes \(E08000038\).*declared lad24"):
        ons_els.read(path)


def test_non_numeric_value_is_an_error_not_zero(tmp_path, raw_dir):
    text = series_path(raw_dir, "claimant-count").read_text(encoding="utf-8-sig")
    path = _write(tmp_path, "claimant-count", text.replace("2025-01-01/P1Y,3.2,", "2025-01-01/P1Y,three,", 1).encode())
    with pytest.raises(SchemaError, match=r"'observation'.*'three'"):
        ons_els.read(path)


def test_unknown_file_name():
    with pytest.raises(SchemaError, match="not a file of source ons_els"):
        ons_els.read(Path("/tmp/whatever.csv"))
