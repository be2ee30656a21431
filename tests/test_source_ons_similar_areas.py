"""ONS ELS similar areas loader: nearest neighbours and clusters from the bundled files; recorded fetch; malformed input."""
from __future__ import annotations

import json

import pytest
import responses

import source_contract_checks as contract
from conftest import FIXTURES
from data_sources import http
from data_sources import ons_similar_areas as sim
from data_sources.base import SchemaError
from source_contract_checks import Damaged, Sample

FOLDER = sim.SOURCE.raw_folder
FIXTURE = FIXTURES / sim.SOURCE.id
APP_REPO = "https://raw.githubusercontent.com/ONSdigital/explore-local-statistics-app/main/scripts/config/clusters"


def recorded() -> dict[str, bytes]:
    return {raw.url: (FIXTURE / raw.name).read_bytes() for raw in sim.SOURCE.files}


def cut_at_line(number: int, keep: int):
    """The file broken off `keep` bytes into line `number` (1-based, counting the header)."""
    return lambda text: b"\n".join(text.split(b"\n")[: number - 1]) + b"\n" + text.split(b"\n")[number - 1][:keep]


CONTRACT = contract.Contract(
    samples=(Sample("global-neighbours.csv"), Sample("cluster-allocation.csv"), Sample("cluster-descriptions.json")),
    damaged=(
        Damaged("global-neighbours.csv", "AREACD", "AREA_CODE"),
        Damaged("economic-neighbours.csv", "AREACD", "AREA_CODE", cut=cut_at_line(101, 60)),
    ),
    urls={raw.name: f"{APP_REPO}/{raw.name}" for raw in sim.SOURCE.files},
    recorded=recorded,
    failing="cluster-allocation.csv",  # the fourth of five downloads
)


@pytest.fixture
def global_nn(raw_dir):
    return sim.read(raw_dir / FOLDER / "global-neighbours.csv")


def test_neighbours_shape(raw_dir, global_nn):
    assert list(global_nn.columns[:4]) == ["area_code", "neighbour_code", "rank", "kind"]
    assert len(global_nn) == 339 * 20  # 318 LAD25 codes and 21 counties, 20 neighbours each
    assert set(global_nn.kind) == {"global"}
    assert not global_nn.duplicated(["area_code", "rank"]).any()
    assert global_nn.groupby("area_code")["rank"].apply(list).map(lambda r: r == list(range(1, 21))).all()
    assert set(global_nn.geography) == {"lad25", "utla25"}
    assert not global_nn.area_code.str.startswith("E47").any()
    for kind in ("economic", "demographic"):
        other = sim.read(raw_dir / FOLDER / f"{kind}-neighbours.csv")
        assert set(other.kind) == {kind} and len(other) == 6780


def test_real_neighbours(raw_dir, global_nn):
    # global-neighbours.csv row E09000033 (Westminster) starts E09000007 (Camden), E09000020, E09000019
    westminster = global_nn[global_nn.area_code == "E09000033"]
    assert westminster.loc[westminster["rank"] == 1, "neighbour_code"].item() == "E09000007"
    assert sim.neighbours(raw_dir, "E09000033")[:3] == ["E09000007", "E09000020", "E09000019"]
    # Cardiff's first economic neighbour is Birmingham (E08000035); Barnsley (LAD25 code) has demographic neighbour Wakefield
    assert sim.neighbours(raw_dir, "W06000015", "economic", n=1) == ["E08000035"]
    assert sim.neighbours(raw_dir, "E08000038", "demographic", n=2) == ["E08000022", "E08000018"]
    # neighbour lists keep Scottish councils as published (Westminster's 12th is City of Edinburgh)
    assert westminster.loc[westminster["rank"] == 12, "neighbour_code"].item() == "S12000036"


def test_clusters_and_descriptions(raw_dir):
    clusters = sim.read(raw_dir / FOLDER / "cluster-allocation.csv")
    assert list(clusters.columns[:4]) == ["area_code", "area_name", "kind", "cluster"]
    assert len(clusters) == 3 * 318
    westminster = clusters[clusters.area_code == "E09000033"].set_index("kind").cluster.to_dict()
    assert westminster == {"global": "d", "economic": "d", "demographic": "a"}
    city = clusters[clusters.area_code == "E09000001"].set_index("kind").cluster
    assert city.isna().to_dict() == {"global": True, "economic": True, "demographic": False}  # '[x]'
    descriptions = sim.read(raw_dir / FOLDER / "cluster-descriptions.json")
    assert len(descriptions) == 12
    text = descriptions[(descriptions.kind == "global") & (descriptions.cluster == "a")].description.item()
    assert text.startswith("Local authorities in this cluster have a high dependency ratio")


def test_declared_files_are_not_tidy():
    assert all(not f.tidy for f in sim.SOURCE.files)


@responses.activate
def test_fetch_from_recorded_responses(tmp_path):
    for url, body in recorded().items():
        responses.add(responses.GET, url, body=body)
    folder = sim.fetch(tmp_path / "raw")
    nn = sim.read(folder / "global-neighbours.csv")
    assert nn.loc[(nn.area_code == "E06000001") & (nn["rank"] == 1), "neighbour_code"].item() == "E08000018"  # Hartlepool -> Rotherham
    manifest = {e["path"]: e for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    entry = manifest[f"raw/{FOLDER}/global-neighbours.csv"]
    assert entry["url"] == sim.SOURCE.file("global-neighbours.csv").url
    assert entry["sha256"] == http.sha256_of(folder / "global-neighbours.csv")
    assert len(manifest) == 5


def test_malformed_neighbours(tmp_path, raw_dir):
    real = (raw_dir / FOLDER / "economic-neighbours.csv").read_bytes()
    path = tmp_path / "economic-neighbours.csv"
    path.write_bytes(cut_at_line(101, 60)(real))
    with pytest.raises(SchemaError, match=r"economic-neighbours\.csv.*has \d+ of 21 fields"):
        sim.read(path)
    path.write_bytes(real.replace(b"E06000001,E07000137", b"E06000001,Hartlepool", 1))
    with pytest.raises(SchemaError, match=r"economic-neighbours\.csv.*not GSS codes: 'Hartlepool'"):
        sim.read(path)


def test_malformed_clusters(tmp_path, raw_dir):
    path = tmp_path / "cluster-allocation.csv"
    path.write_bytes((raw_dir / FOLDER / "cluster-allocation.csv").read_bytes().replace(b"Hartlepool,B,A,C", b"Hartlepool,B,A,Cluster 3", 1))
    with pytest.raises(SchemaError, match=r"cluster-allocation\.csv.*'Demographic'"):
        sim.read(path)
    bad = tmp_path / "cluster-descriptions.json"
    bad.write_bytes(b'{"global": {"a": "x"}}')
    with pytest.raises(SchemaError, match=r"cluster-descriptions\.json"):
        sim.read(bad)
