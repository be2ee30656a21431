"""Maps send values, not geometry: the LA layer and each LA's ward layer are static files under content-hashed names
(static/boundaries/), published from the processed tables; the figures point at them by URL, and the browser fetches
each once. The Map page's websocket traffic stays small."""
from __future__ import annotations

import hashlib
import json
import shutil

import geopandas as gpd
import plotly.io as pio
import pytest
import shapely
from test_browser import browser, server  # noqa: F401 (fixtures: a real `streamlit run` and headless chromium)

from conftest import PROCESSED, ROOT
from dashboard import maps
from outputs import geojson

WILTSHIRE, BLACKPOOL = "E06000054", "E06000009"
N_LADS, N_WARDS = 318, 7588


@pytest.fixture(scope="module")
def boundaries():
    return {"lad": gpd.read_parquet(PROCESSED / geojson.LAD_TABLE), "ward": gpd.read_parquet(PROCESSED / geojson.WARD_TABLE)}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    static = tmp_path_factory.mktemp("static")
    return static, geojson.publish_map_layers(PROCESSED, static)


def features(path) -> list[dict]:
    return json.loads(path.read_bytes())["features"]


def codes(path) -> list[str]:
    return [f["properties"]["area_code"] for f in features(path)]


def assert_hashed(path, stem: str) -> None:
    """The file's name is its stem and the first 8 hex digits of the sha256 of its bytes."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[: geojson.HASH_DIGITS]
    assert path.name == f"{stem}-{digest}.geojson", path.name


def file_state(static) -> dict[str, tuple[int, int]]:
    return {p.relative_to(static).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(static.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- the published files

def test_the_la_layer_holds_the_318_las_compactly_under_its_hash(published, boundaries):
    static, layers = published
    path = static / layers.lad
    assert path.parent == static / geojson.BOUNDARIES
    assert_hashed(path, "lad")
    held = features(path)
    assert len(held) == N_LADS and [f["properties"]["area_code"] for f in held] == list(boundaries["lad"]["area_code"])
    assert all(f["properties"] == {"area_code": f["properties"]["area_code"]} for f in held)  # area_code only
    text = path.read_text()
    assert ", " not in text and ": " not in text  # no spaces after separators
    # the coordinates as the table holds them (already rounded): the file's outline is the table's
    blackpool = next(f["geometry"] for f in held if f["properties"]["area_code"] == BLACKPOOL)
    table = boundaries["lad"].set_index("area_code").geometry[BLACKPOOL]
    assert shapely.geometry.shape(blackpool).equals_exact(table, 0)


def test_every_la_has_a_ward_layer_holding_exactly_its_wards(published, boundaries):
    static, layers = published
    wards = boundaries["ward"]
    assert set(layers.wards) == set(boundaries["lad"]["area_code"]) == set(wards["parent_code"])
    total = 0
    for lad, relative in layers.wards.items():
        path = static / relative
        assert path.parent == static / geojson.BOUNDARIES / "wards"
        assert_hashed(path, lad)
        held = codes(path)
        assert held == list(wards.loc[wards["parent_code"] == lad, "area_code"]), lad  # exactly its wards, in the table's order
        total += len(held)
    assert total == N_WARDS


def test_the_national_layer_and_the_index(published):
    static, layers = published
    built = (PROCESSED / geojson.WARD_LAYER).read_bytes()
    assert (static / geojson.WARD_LAYER).read_bytes() == built  # the fixed URL the national map uses
    assert (static / layers.national).read_bytes() == built
    assert_hashed(static / layers.national, "wards_ew")
    index = json.loads((static / geojson.BOUNDARIES / geojson.LAYER_INDEX).read_text())
    assert index["layers"] == {"lad": layers.lad, "national": layers.national, "wards": layers.wards}
    assert geojson.read_map_layers(static) == layers
    # nothing but the current layers, the index and the national copy
    assert set(file_state(static)) == {*layers.paths(), f"{geojson.BOUNDARIES}/{geojson.LAYER_INDEX}", geojson.WARD_LAYER}


def test_republishing_the_same_tables_writes_nothing(published):
    static, layers = published
    before = file_state(static)
    assert geojson.publish_map_layers(PROCESSED, static) == layers
    assert file_state(static) == before
    # without its index, the layers are recomputed, but every unchanged file is left as it was
    (static / geojson.BOUNDARIES / geojson.LAYER_INDEX).unlink()
    assert geojson.publish_map_layers(PROCESSED, static) == layers
    after = file_state(static)
    assert {k: v for k, v in after.items() if k in layers.paths()} == {k: v for k, v in before.items() if k in layers.paths()}


def test_a_changed_table_gets_new_names_and_the_old_files_go(tmp_path, boundaries):
    processed, static = tmp_path / "processed", tmp_path / "static"
    processed.mkdir()
    for name in (geojson.LAD_TABLE, geojson.WARD_TABLE, geojson.WARD_LAYER):
        shutil.copyfile(PROCESSED / name, processed / name)
    old = geojson.publish_map_layers(processed, static)
    untouched = file_state(static)[old.wards[BLACKPOOL]]
    # Wiltshire's outline and one of its wards move a little, as a new boundary release would move them
    lad, wards = boundaries["lad"].copy(), boundaries["ward"].copy()
    lad.loc[lad["area_code"] == WILTSHIRE, "geometry"] = lad.loc[lad["area_code"] == WILTSHIRE].geometry.translate(0.001, 0)
    first = wards.index[wards["parent_code"] == WILTSHIRE][0]
    wards.loc[[first], "geometry"] = wards.loc[[first]].geometry.translate(0.001, 0)
    lad.to_parquet(processed / geojson.LAD_TABLE, index=False)
    wards.to_parquet(processed / geojson.WARD_TABLE, index=False)
    new = geojson.publish_map_layers(processed, static)
    assert new.lad != old.lad and new.wards[WILTSHIRE] != old.wards[WILTSHIRE]
    assert not (static / old.lad).exists() and not (static / old.wards[WILTSHIRE]).exists()  # the older build's files are gone
    assert_hashed(static / new.lad, "lad") and assert_hashed(static / new.wards[WILTSHIRE], WILTSHIRE)
    assert new.wards[BLACKPOOL] == old.wards[BLACKPOOL] and file_state(static)[new.wards[BLACKPOOL]] == untouched  # unchanged LA: same file
    assert new.national == old.national
    assert geojson.read_map_layers(static) == new
    assert len(list((static / geojson.BOUNDARIES / "wards").glob("*.geojson"))) == N_LADS


# ---------------------------------------------------------------- the figures the pages send

def page_figure(page: str, **params):
    """The page's first chart as the server sends it, and its JSON (plotly.io.to_json of the figure)."""
    from test_pages_apptest import open_page

    at = open_page(page, **params)
    fig = pio.from_json(at.get("plotly_chart")[0].proto.spec, skip_invalid=True)
    return fig, pio.to_json(fig)


def layer_file(url: str):
    assert url.startswith(maps.STATIC_PREFIX), url
    return ROOT / "static" / url.removeprefix(maps.STATIC_PREFIX)


def test_the_la_map_sends_values_and_the_layer_url_only():
    fig, text = page_figure("map")  # the default indicator, the composite
    assert "coordinates" not in text and len(text.encode()) < 100_000, len(text.encode())
    urls = {trace.geojson for trace in fig.data if trace.type == "choroplethmap"}
    assert len(urls) == 1 and all(isinstance(u, str) for u in urls)
    (url,) = urls
    assert url == maps.layer_url(geojson.read_map_layers(ROOT / "static").lad)  # the current LA layer, as the index names it
    held = set(codes(layer_file(url)))
    assert len(held) == N_LADS and set(fig.data[0].locations) <= held and len(fig.data[0].locations) > 300


def test_the_ward_map_sends_its_las_layer_url_and_locates_exactly_its_wards(boundaries):
    fig, text = page_figure("wards", area=WILTSHIRE, indicator="imd_average_score")
    assert "coordinates" not in text and len(text.encode()) < 40_000, len(text.encode())
    shapes = [trace for trace in fig.data if trace.type == "choroplethmap"]
    urls = {trace.geojson for trace in shapes}
    assert len(urls) == 1
    (url,) = urls
    assert f"/{geojson.BOUNDARIES}/wards/{WILTSHIRE}-" in url
    wards = set(boundaries["ward"].loc[boundaries["ward"]["parent_code"] == WILTSHIRE, "area_code"])
    assert set(codes(layer_file(url))) == wards and len(wards) == 98
    for trace in shapes:  # values, no-value, single-indicator and outline layers: every location is in the file
        assert set(trace.locations) <= wards, trace.meta
    drawn = {c for trace in shapes if trace.meta["layer"] in (maps.LAYER_VALUES, maps.LAYER_NO_VALUE, maps.LAYER_SINGLE) for c in trace.locations}
    assert drawn == wards
    outlined = [trace for trace in shapes if trace.meta["layer"] == maps.LAYER_LOW_RELIABILITY]
    assert outlined and set(outlined[0].locations) < wards  # the low-reliability outline works from the URL too


# ---------------------------------------------------------------- in the browser

@pytest.mark.browser
def test_the_browser_fetches_the_layers_by_url_and_the_websocket_carries_values(browser, server):  # noqa: F811
    from test_browser import VIEWPORT, no_exception, shot, wait_for_map

    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    received: dict[str, int] = {}
    current = {"name": ""}

    def on_frame(payload) -> None:
        received[current["name"]] = received.get(current["name"], 0) + len(payload if isinstance(payload, (bytes, bytearray)) else payload.encode())

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    layers: list[tuple[str, str, int]] = []
    page.on("response", lambda r: layers.append((current["name"], r.url, r.status)) if "/app/static/boundaries/" in r.url else None)
    # How the browser got the layer: Chrome's own view of each response (disk or memory cache, 304 revalidation).
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cache: list[dict] = []
    cdp.on("Network.responseReceived", lambda e: cache.append({"at": current["name"], "url": e["response"]["url"], "status": e["response"]["status"], "disk": e["response"].get("fromDiskCache", False), "headers": {k.lower(): v for k, v in e["response"]["headers"].items()}}) if "/app/static/boundaries/" in e["response"]["url"] else None)

    def visit(name: str, path: str, at_least: int) -> None:
        current["name"] = name
        page.goto(f"{server}{path}", wait_until="domcontentloaded")
        page.wait_for_selector(".maplibregl-canvas", timeout=90_000)
        wait_for_map(page, at_least)
        page.wait_for_timeout(1500)  # the rest of the page's messages (tables, captions)

    try:
        visit("map", "/map", 300)
        lad = [(url, status) for at, url, status in layers if at == "map" and "/boundaries/lad-" in url]
        assert lad and all(status == 200 for _, status in lad) and lad[0][0].split("/app/static/")[1] == geojson.read_map_layers(ROOT / "static").lad, layers
        assert len(lad) == 1  # every trace points at the same URL: fetched once
        assert received["map"] < 150_000, received  # 0.58 MB when the outlines were embedded
        no_exception(page)
        shot(page, "map_by_url")

        visit("wards", f"/wards?area={WILTSHIRE}", 90)
        ward = [(url, status) for at, url, status in layers if at == "wards"]
        assert ward and all(f"/boundaries/wards/{WILTSHIRE}-" in url and status == 200 for url, status in ward), ward
        assert received["wards"] < 80_000, received
        no_exception(page)
        shot(page, "wards_by_url")

        # In-app navigation (no reload) back to the map: plotly.js holds the layer it fetched, nothing is fetched again.
        current["name"] = "map_in_app"
        page.get_by_role("link", name="Map", exact=True).first.click()
        page.wait_for_selector("h3:has-text('Local authorities of England and Wales')", timeout=60_000)
        wait_for_map(page, 300)
        page.wait_for_timeout(1000)
        # A reload of /map in the same tab: recorded, not asserted (Streamlit's static serving sends no Cache-Control).
        visit("map_again", "/map", 300)
    finally:
        context.close()
    summary = {
        "websocket_bytes": received,
        "layer_fetches": layers,
        "cache": [{k: v for k, v in c.items() if k != "headers"} | {"cache-control": c["headers"].get("cache-control"), "etag": bool(c["headers"].get("etag"))} for c in cache],
    }
    print("\nmap layers in the browser:", json.dumps(summary, indent=1))
