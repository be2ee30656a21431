"""The shared HTTP helper and manifest: atomic downloads that never damage the last good file, and checksum verification."""
from __future__ import annotations

import pytest
import requests
import responses

from data_sources import http, manifest
from data_sources.base import FetchError, RawFile, SchemaError, read_csv_checked

URL = "https://assets.publishing.service.gov.uk/media/example/file.csv"
GOOD = b"area_code,value\nE06000009,45.039\n"


def validate(path):
    return read_csv_checked(path, ["area_code", "value"])


@pytest.fixture
def existing(tmp_path):
    dest = tmp_path / "raw" / "file.csv"
    dest.parent.mkdir()
    dest.write_bytes(b"area_code,value\nE06000001,1\n")
    return dest


@responses.activate
def test_download_replaces_file_and_reports_checksum(existing):
    responses.add(responses.GET, URL, body=GOOD, headers={"Content-Length": str(len(GOOD))})
    got = http.download(URL, existing, source_id="demo", validate=validate)
    assert existing.read_bytes() == GOOD
    assert got.bytes == len(GOOD)
    assert got.sha256 == http.sha256_of(existing)
    assert not list(existing.parent.glob("*.part"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"status": 500, "body": b"oops"}, "HTTP 500"),
        ({"body": b"<!DOCTYPE html><html><body>Service unavailable</body></html>"}, "HTML"),
        ({"body": b"code,number\nE06000009,1\n"}, "missing column"),
        ({"body": GOOD, "headers": {"Content-Length": "5000"}}, "truncated|broke off"),
        ({"body": requests.exceptions.ConnectTimeout("timed out")}, "ConnectTimeout"),
        ({"body": b""}, "empty"),
    ],
    ids=["http500", "html", "renamed-column", "truncated", "timeout", "empty"],
)
@responses.activate
def test_failed_download_leaves_last_good_file_identical(existing, kwargs, message):
    before = existing.read_bytes()
    responses.add(responses.GET, URL, **kwargs)
    with pytest.raises(FetchError, match=message) as info:
        http.download(URL, existing, source_id="demo-source", validate=validate)
    assert "demo-source" in str(info.value)
    assert existing.read_bytes() == before
    assert sorted(p.name for p in existing.parent.iterdir()) == ["file.csv"]


@responses.activate
def test_checksum_mismatch_is_refused(existing):
    before = existing.read_bytes()
    responses.add(responses.GET, URL, body=GOOD)
    with pytest.raises(FetchError, match="checksum"):
        http.download(URL, existing, source_id="demo", validate=validate, expected_sha256="0" * 64)
    assert existing.read_bytes() == before


def test_build_request_is_exact_without_sending():
    request = http.arcgis_page_request("LSOA21_WD25_LAD25_EW_LU_v2", offset=2000, page_size=2000, geometry=False)
    assert request.url.startswith("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/LSOA21_WD25_LAD25_EW_LU_v2/FeatureServer/0/query?")
    assert "resultOffset=2000" in request.url and "returnGeometry=false" in request.url and "f=json" in request.url
    nomis = http.nomis_page_request("NM_2041_1", geography="TYPE151", offset=25000)
    assert nomis.url.startswith("https://www.nomisweb.co.uk/api/v01/dataset/NM_2041_1.data.csv?")
    assert "recordoffset=25000" in nomis.url and "geography=TYPE151" in nomis.url


def test_an_arcgis_file_states_its_service_once():
    """The url of an ArcGIS layer is derived from its service, exactly the address the fetch pages."""
    raw = RawFile(name="lookup.csv", method="arcgis", service="LAD24_RGN24_EN_LU")
    assert raw.url == http.arcgis_query_url("LAD24_RGN24_EN_LU")
    assert raw.url == "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/LAD24_RGN24_EN_LU/FeatureServer/0/query"
    assert RawFile(name="lookup.csv", url="https://example.gov.uk/q", method="arcgis", service="X").url == "https://example.gov.uk/q"
    assert RawFile(name="derived.csv").url == ""  # a direct file without a url has no official download
    with pytest.raises(ValueError, match="must name its service"):
        RawFile(name="lookup.csv", method="arcgis")


@responses.activate
def test_arcgis_paging_collects_every_page_and_checks_the_count(tmp_path):
    rows = [{"LSOA21CD": f"E0100000{i}", "WD25CD": "E05009288"} for i in range(5)]
    base = http.arcgis_query_url("SVC")
    responses.add(responses.GET, base, json={"count": 5}, match=[responses.matchers.query_param_matcher({"where": "1=1", "returnCountOnly": "true", "f": "json"})])
    for offset, page, more in ((0, rows[:2], True), (2, rows[2:4], True), (4, rows[4:], False)):
        responses.add(
            responses.GET,
            base,
            json={"features": [{"attributes": r} for r in page], "exceededTransferLimit": more},
            match=[responses.matchers.query_param_matcher({"resultOffset": str(offset)}, strict_match=False)],
        )
    records = http.arcgis_records("SVC", source_id="geo", geometry=False, page_size=2)
    assert [r["LSOA21CD"] for r in records] == [r["LSOA21CD"] for r in rows]


def test_manifest_verify_finds_changed_and_unlisted_files(tmp_path):
    raw = tmp_path / "raw" / "src"
    raw.mkdir(parents=True)
    (raw / "a.csv").write_bytes(b"x\n")
    entry = manifest.ManifestEntry("raw/src/a.csv", "src", "https://example.gov.uk/a.csv", "2026-11-27", "", http.sha256_of(raw / "a.csv"), 2, "OGL", "raw/src/PROVENANCE.md")
    assert manifest.verify(tmp_path, [entry]) == []
    (raw / "a.csv").write_bytes(b"y\n")
    (raw / "b.csv").write_bytes(b"z\n")
    problems = manifest.verify(tmp_path, [entry])
    assert problems == ["sha256 differs: raw/src/a.csv", "not in manifest: raw/src/b.csv"]


def test_suppression_markers_are_missing_never_zero(tmp_path):
    import pandas as pd

    from data_sources.base import to_number

    parsed = to_number(pd.Series(["1,234", ":", "x", "..", "c", "0", "12.5"]), "f.csv", "v")
    assert parsed.iloc[0] == 1234 and parsed.iloc[5] == 0 and parsed.iloc[6] == 12.5
    assert parsed.iloc[1:5].isna().all()
    with pytest.raises(SchemaError, match="non-numeric"):
        to_number(pd.Series(["1", "twelve"]), "f.csv", "v")
