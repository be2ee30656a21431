"""SMC social mobility by area loader: groups given to each LAD through the SMC codes list; recorded fetch; malformed input."""
from __future__ import annotations

import json

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES
from data_sources import http
from data_sources import smc_social_mobility as smc
from data_sources.base import TIDY_COLUMNS, TIDY_KEY, SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = smc.SOURCE.raw_folder
FIXTURE = FIXTURES / smc.SOURCE.id
SON_REPO = "https://raw.githubusercontent.com/ukgov-equality-hub/smc-son/main/son/content/son/social_mobility_by_area"
SON_SITE = "https://social-mobility.data.gov.uk/static/data/by-page/social_mobility_by_area"


def recorded() -> dict[str, bytes]:
    return {raw.url: (FIXTURE / raw.name).read_bytes() for raw in smc.SOURCE.files}


CONTRACT = contract.Contract(
    samples=(Sample(smc.SON2025, beside=(smc.CODES2025,)), Sample(smc.CODES2024)),
    # Each groups file is read with its codes list beside it.
    damaged=(
        Damaged(smc.SON2024, "region_url", "region_slug", beside=(smc.CODES2024,)),
        Damaged(smc.SON2025, "innovation_and_growth_group_id_2000_to_2005", "innovation_group_id_2000_to_2005", beside=(smc.CODES2025,)),
    ),
    urls={
        smc.SON2024: f"{SON_REPO}/2.0/composite-indices-2.0--all.csv",
        smc.SON2025: f"{SON_REPO}/3.0/composite-indices-3.0--all.csv",
        smc.CODES2024: f"{SON_SITE}/203_regions_codes.json",
        smc.CODES2025: f"{SON_SITE}/205_regions_codes.json",
    },
    recorded=recorded,
    failing=smc.SON2025,  # the second download, after the SON 2024 groups arrived intact
)


def group(frame, code, measure, period):
    hit = frame[(frame.area_code == code) & (frame.measure == measure) & (frame.period == period)]
    assert len(hit) == 1, (code, measure, period, len(hit))
    return hit.iloc[0]


@pytest.fixture
def son2025(raw_dir):
    return smc.read(raw_dir / FOLDER / smc.SON2025)


@pytest.fixture
def son2024(raw_dir):
    return smc.read(raw_dir / FOLDER / smc.SON2024)


def test_schema_and_complete_lad24_coverage(son2024, son2025):
    for frame in (son2024, son2025):
        assert list(frame.columns) == TIDY_COLUMNS
        assert not frame.duplicated(TIDY_KEY).any()
        lad = frame[frame.geography == "lad24"]
        per_period = lad.groupby(["measure", "period"]).area_code.nunique()
        assert (per_period == 318).all()  # every E&W LAD of the 2024 set, 296 English + 22 Welsh
        assert lad.area_code.str.startswith("W").groupby([lad.measure, lad.period]).sum().eq(22).all()
        assert set(frame.loc[frame.geography == "utla24", "area_code"].str[:3]) == {"E10"}
    assert len(son2024) == 4 * 339 and len(son2025) == 14 * 339
    assert sorted(son2025.period.unique()) == ["2000-2005", "2006-2011", "2012-2017", "2018-2020", "2018-2024", "2021-2024"]
    assert son2024.value.between(1, 5).all() and son2025.value.between(1, 7).all()


def test_districts_take_their_county_area_group(son2025, son2024):
    # Cambridgeshire CC, SON 2025 conditions of childhood: 6, 6, 5, 5 across the four periods
    m = "son2025__childhood_conditions_group"
    for code in ("E10000003", "E07000008", "E07000012"):  # the county, Cambridge, South Cambridgeshire
        assert [group(son2025, code, m, p).value for p in ("2000-2005", "2006-2011", "2012-2017", "2018-2024")] == [6, 6, 5, 5]
    assert group(son2025, "E07000008", m, "2018-2024").geography == "lad24"
    assert group(son2025, "E10000003", m, "2018-2024").geography == "utla24"
    # Camden and City of London share one area (childhood 2000-2005: 6)
    assert group(son2025, "E09000001", m, "2000-2005").value == group(son2025, "E09000007", m, "2000-2005").value == 6
    # SON 2024 merges Bath and NE Somerset with North Somerset and South Gloucestershire (childhood: Favourable = 4)
    m24 = "son2024__childhood_conditions_group"
    assert {group(son2024, c, m24, "2024").value for c in ("E06000022", "E06000024", "E06000025")} == {4}
    # Cambridgeshire county council, SON 2024: innovation and growth Favourable (4)
    assert group(son2024, "E07000008", "son2024__innovation_and_growth_group", "2024").value == 4


def test_codes_lists_and_group_labels(raw_dir):
    codes = smc.read(raw_dir / FOLDER / smc.CODES2025)
    assert list(codes.columns) == ["region_url", "region_name", "area_code"]
    assert len(codes) == 382 and codes.area_code.is_unique
    assert set(codes.loc[codes.region_url == "cumbria", "area_code"]) == {"E06000063", "E06000064"}
    assert smc.group_labels("son2025__innovation_and_growth_group")[7] == "Most Favourable"
    assert smc.group_labels("son2024__promising_prospects_group")[3] == "Middle Group"


@responses.activate
def test_fetch_from_recorded_responses(tmp_path):
    for url, body in recorded().items():
        responses.add(responses.GET, url, body=body)
    folder = smc.fetch(tmp_path / "raw")
    frame = smc.read(folder / smc.SON2025)  # the fixture holds the first 30 areas; the codes list is complete
    assert group(frame, "E09000002", "son2025__childhood_conditions_group", "2018-2024").geography == "lad24"
    manifest = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    entry = manifest[f"raw/{FOLDER}/{smc.SON2025}"]
    assert entry["url"] == smc.SOURCE.file(smc.SON2025).url
    assert entry["sha256"] == http.sha256_of(folder / smc.SON2025)
    assert len(manifest) == 4


def _copy_with(tmp_path, raw_dir, name, body: bytes):
    codes_name = smc.CODES_FOR[name][0]
    (tmp_path / codes_name).write_bytes((raw_dir / FOLDER / codes_name).read_bytes())
    path = tmp_path / name
    path.write_bytes(body)
    return path


def test_malformed_groups_files(tmp_path, raw_dir):
    real = (raw_dir / FOLDER / smc.SON2025).read_bytes()
    lines = real.split(b"\n")
    path = _copy_with(tmp_path, raw_dir, smc.SON2025, b"\n".join(lines[:50]) + b"\n" + lines[50][:40])
    with pytest.raises(SchemaError, match=r"son2025_composite-indices-3\.0--all\.csv: (cannot parse as CSV|line 51)"):
        smc.read(path)
    path.write_bytes(b"   \n")
    with pytest.raises(SchemaError, match=r"son2025_composite-indices-3\.0--all\.csv.*empty"):
        smc.read(path)


def test_regrouped_names_and_unknown_areas_are_schema_changes(tmp_path, raw_dir):
    real = (raw_dir / FOLDER / smc.SON2024).read_bytes()
    path = _copy_with(tmp_path, raw_dir, smc.SON2024, real.replace(b"Middle Group,3", b"Middle Group,2", 1))
    with pytest.raises(SchemaError, match=r"pairs group ids and names differently"):
        smc.read(path)
    lines = real.split(b"\n")
    path.write_bytes(b"\n".join(lines[:20]) + b"\n" + lines[20][:30])
    with pytest.raises(SchemaError, match=r"son2024_composite-indices-2\.0--all\.csv: line 21 has \d+ of 10 fields"):
        smc.read(path)
    path.write_bytes(real.replace(b"\naberdeen_city,", b"\nnew_area,", 1))
    with pytest.raises(SchemaError, match=r"'region_url' has areas missing from the codes list: new_area"):
        smc.read(path)
    (tmp_path / smc.CODES2024).write_bytes(b'{"regions": []}')
    with pytest.raises(SchemaError, match=r"son2024_203_regions_codes\.json"):
        smc.read(path)
