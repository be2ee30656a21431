"""The loader contract, for every source the registry finds: one name per source, and the checks every loader must pass.

Each tests/test_source_<id>.py declares its source's CONTRACT (see source_contract_checks); this module runs the
shared checks on all of them: damaged copies of real held files raise SchemaError naming the file, declared URLs are
the official ones and are sent exactly, a failed fetch keeps the held files, a source with nothing to download sends
no request. The last tests show that the checks fail when what they guard is broken.
"""
from __future__ import annotations

import dataclasses
import json
import pkgutil
import re

import pytest
import requests

import data_sources
import source_contract_checks as contract
from conftest import DATA, FIXTURES, RAW, ROOT
from data_sources import all_modules, by_id, load_module, module_names
from data_sources.base import FetchError, SchemaError
from source_contract_checks import Damaged

HELPERS = {"base", "http", "fetching", "manifest"}
CONTRACTS = contract.contracts()
DAMAGED = [(source_id, index) for source_id, declared in CONTRACTS.items() for index in range(len(declared.damaged))]
FETCHING = [source_id for source_id in CONTRACTS if contract.fetchable(by_id(source_id).SOURCE)]
NOT_FETCHING = [source_id for source_id in CONTRACTS if source_id not in FETCHING]


# ---------------------------------------------------------------------------------------------
# The registry and the one name
# ---------------------------------------------------------------------------------------------


def test_discovery_finds_exactly_the_modules_that_declare_a_source():
    every = {info.name for info in pkgutil.iter_modules(data_sources.__path__)}
    declaring = {name for name in every if hasattr(load_module(name), "SOURCE")}
    assert every - declaring == HELPERS
    assert module_names() == sorted(declaring)  # alphabetical, which is also the order of source ids
    assert [m.SOURCE.id for m in all_modules()] == sorted(declaring)
    assert len(declaring) >= 27


@pytest.mark.parametrize("source_id", list(CONTRACTS))
def test_one_name_per_source(source_id):
    """Module name = SOURCE.id = raw folder = fixture folder = test module."""
    module = by_id(source_id)
    assert module.__name__.rsplit(".", 1)[1] == module.SOURCE.id == module.SOURCE.raw_folder == source_id
    assert (ROOT / "tests" / f"test_source_{source_id}.py").is_file()
    assert contract.source_test_module(source_id).__file__ == str(ROOT / "tests" / f"test_source_{source_id}.py")
    if any(raw.held for raw in module.SOURCE.files):
        assert (RAW / source_id).is_dir() and (RAW / source_id / "PROVENANCE.md").is_file()
    for raw in module.SOURCE.files:
        if raw.held:
            assert (RAW / source_id / raw.name).is_file(), raw.name
    if CONTRACTS[source_id].recorded is not None:
        assert (FIXTURES / source_id).is_dir(), "recorded responses live in tests/fixtures/<id>/"


def test_no_folder_or_test_module_under_another_name():
    ids = set(CONTRACTS)
    assert {p.name for p in RAW.iterdir() if p.is_dir()} <= ids
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "__pycache__"} <= ids
    modules = {p.stem.removeprefix("test_source_") for p in (ROOT / "tests").glob("test_source_*.py")}
    assert modules == ids | {"contract"}


def test_manifest_entries_live_in_their_source_folder():
    entries = json.loads((DATA / "manifest.json").read_text())["files"]
    for entry in entries:
        assert entry["path"].startswith(f"raw/{entry['source_id']}/"), entry["path"]
        assert entry["provenance"] == f"raw/{entry['source_id']}/PROVENANCE.md", entry["path"]
        assert entry["path"].split("/", 2)[2] in {raw.name for raw in by_id(entry["source_id"]).SOURCE.files}, entry["path"]


def test_optional_sources_say_why():
    optional = {m.SOURCE.id: m.SOURCE.optional_reason for m in all_modules() if m.SOURCE.optional}
    assert set(optional) == {"census2021_ltla", "census2021_quiz", "community_needs_index", "ons_subnational"}
    assert all(reason.strip() for reason in optional.values())
    source = by_id("census2011").SOURCE
    with pytest.raises(ValueError, match="must say why"):
        dataclasses.replace(source, optional=True)
    with pytest.raises(ValueError, match="not optional"):
        dataclasses.replace(source, optional_reason="feeds nothing")


# ---------------------------------------------------------------------------------------------
# The declarations are complete
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source_id", list(CONTRACTS))
def test_contract_names_declared_files(source_id):
    declared, source = CONTRACTS[source_id], by_id(source_id).SOURCE
    names = {raw.name for raw in source.files}
    assert declared.samples and declared.damaged
    assert {s.name for s in declared.samples} | {d.name for d in declared.damaged} <= names
    assert all(s.source == source_id for s in declared.samples)
    fetched = [raw.name for raw in contract.fetchable(source)]
    if fetched:
        assert declared.damaged[0].name in fetched, "the first damaged file is the one a refresh serves renamed"
    assert not declared.failing or declared.failing in fetched


# ---------------------------------------------------------------------------------------------
# The shared checks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source_id, index", DAMAGED, ids=[f"{s}-{i}" for s, i in DAMAGED])
def test_damaged_copies_raise_schema_error_naming_the_file(source_id, index, tmp_path):
    contract.assert_damage_rejected(by_id(source_id), tmp_path, CONTRACTS[source_id].damaged[index])


@pytest.mark.parametrize("source_id", list(CONTRACTS))
def test_declared_urls_are_the_official_ones_sent_exactly(source_id):
    contract.assert_declared_urls(by_id(source_id), CONTRACTS[source_id].urls)


@pytest.mark.parametrize("source_id", FETCHING)
def test_failed_fetch_raises_and_keeps_the_held_files(source_id, tmp_path, monkeypatch):
    module, declared = by_id(source_id), CONTRACTS[source_id]
    failing = module.SOURCE.file(declared.failing) if declared.failing else contract.fetchable(module.SOURCE)[0]
    bodies = declared.recorded() if declared.recorded else {}
    contract.assert_failed_fetch_keeps_files(module, tmp_path, monkeypatch, bodies, failing.url, declared.html_message)


@pytest.mark.parametrize("source_id", NOT_FETCHING)
def test_fetch_without_an_official_download_sends_nothing(source_id, tmp_path):
    assert all(raw.url == "" for raw in by_id(source_id).SOURCE.files)
    contract.assert_fetch_sends_nothing(by_id(source_id), tmp_path)


# ---------------------------------------------------------------------------------------------
# The checks fail when what they guard is broken
# ---------------------------------------------------------------------------------------------

EU = "eu_referendum"


def test_a_damage_declaration_whose_header_is_absent_fails(tmp_path):
    absent = Damaged(CONTRACTS[EU].damaged[0].name, "No_Such_Header", "Other")
    with pytest.raises(AssertionError, match="No_Such_Header"):
        contract.assert_damage_rejected(by_id(EU), tmp_path, absent)


def test_a_reader_that_accepts_damage_is_caught(tmp_path, monkeypatch):
    module = by_id(EU)
    real = module.read

    def lenient(path):  # reads the held file whatever the damaged copy holds
        return real(RAW / module.SOURCE.raw_folder / path.name)

    def vague(path):  # refuses, but without saying which file
        raise SchemaError("something is wrong")

    monkeypatch.setattr(module, "read", lenient)
    with pytest.raises(AssertionError, match="without a SchemaError"):
        contract.assert_damage_rejected(module, tmp_path, CONTRACTS[EU].damaged[0])
    monkeypatch.setattr(module, "read", vague)
    with pytest.raises(AssertionError, match="something is wrong"):
        contract.assert_damage_rejected(module, tmp_path / "vague", CONTRACTS[EU].damaged[0])


def test_a_changed_declared_url_is_caught(monkeypatch):
    module = by_id(EU)
    raw = module.SOURCE.files[0]
    changed = dataclasses.replace(module.SOURCE, files=(dataclasses.replace(raw, url=raw.url.replace("http://", "https://")),))
    monkeypatch.setattr(module, "SOURCE", changed)
    with pytest.raises(AssertionError):
        contract.assert_declared_urls(module, CONTRACTS[EU].urls)


def test_a_fetch_that_damages_the_held_file_on_failure_is_caught(tmp_path, monkeypatch):
    module = by_id(EU)
    raw = module.SOURCE.files[0]

    def careless_fetch(raw_root, session=None):  # writes what arrived over the held file, then reports the failure
        answer = requests.get(raw.url, timeout=1)
        (raw_root / module.SOURCE.raw_folder / raw.name).write_bytes(answer.content)
        raise FetchError(f"{module.SOURCE.id}: answered HTTP {answer.status_code}, an HTML page")

    monkeypatch.setattr(module, "fetch", careless_fetch)
    with pytest.raises(AssertionError, match=re.escape(raw.name)):
        contract.assert_failed_fetch_keeps_files(module, tmp_path, monkeypatch, {}, raw.url)


def test_a_fetch_that_sends_a_request_is_caught(tmp_path, monkeypatch):
    module = by_id("wimd2019")

    def fetch_something(raw_root, session=None):
        try:
            requests.get("https://www.gov.wales/wimd.ods", timeout=1)
        except requests.RequestException:
            pass  # a loader that tried a download and carried on
        return raw_root / module.SOURCE.raw_folder

    monkeypatch.setattr(module, "fetch", fetch_something)
    with pytest.raises(AssertionError, match="wimd.ods"):
        contract.assert_fetch_sends_nothing(module, tmp_path)
