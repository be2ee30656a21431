"""The maps in headless Debian chromium at 1366x768: an LA's wards all drawn inside the map canvas (tall and wide LAs),
the London view of the 33 boroughs framed and reached from the link and the keyboard, the colour scale centred."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from test_browser import browser, no_exception, page, server, shot, wait_for_map  # noqa: F401 (fixtures)

from conftest import PROCESSED

pytestmark = pytest.mark.browser

BIRMINGHAM, ROCHFORD = "E08000025", "E07000075"  # Birmingham is tall on screen, Rochford the widest LA
LONDON = "E12000007"
EDGE = 20  # pixels every area keeps clear of the canvas's edges (the fit keeps 24 at the narrowest chart, 890 px)

# Each area's lon/lat box, projected by the page's own MapLibre map, against its canvas.
PLACEMENT = """(boxes) => {
  const gd = document.querySelector('.js-plotly-plot');
  const m = gd._fullLayout.map._subplot.map;
  const c = m.getCanvas().getBoundingClientRect();
  const out = {width: c.width, height: c.height, areas: {}};
  for (const [code, [x0, y0, x1, y1]] of Object.entries(boxes)) {
    const a = m.project([x0, y1]), b = m.project([x1, y0]);
    out.areas[code] = [a.x, a.y, c.width - b.x, c.height - b.y];  // clear on the left, top, right, bottom
  }
  // plotly's rendered features carry no area code: count the fills, and read the areas each layer holds from its trace
  out.fills = m.queryRenderedFeatures().filter(f => f.layer.id.endsWith('-fill')).length;
  out.held = gd._fullData.filter(t => t.meta && ['values', 'no_value'].includes(t.meta.layer)).flatMap(t => Array.from(t.locations));
  out.zmid = gd.data[0].zmid;  // plotly drops zmid from the drawn trace once zmin and zmax are set: read both
  out.zrange = [gd._fullData[0].zmin, gd._fullData[0].zmax];
  return out;
}"""


@pytest.fixture(scope="module")
def boundaries():
    return {"ward": gpd.read_parquet(PROCESSED / "boundaries_ward.parquet"), "lad": gpd.read_parquet(PROCESSED / "boundaries_lad.parquet")}


def boxes(frame: gpd.GeoDataFrame) -> dict[str, list[float]]:
    return {code: [float(x) for x in geometry.bounds] for code, geometry in zip(frame["area_code"], frame.geometry)}


def assert_inside(placed: dict, codes: set[str]) -> None:
    tight = {code: [round(v) for v in clear] for code, clear in placed["areas"].items() if min(clear) < EDGE}
    assert not tight, f"areas within {EDGE} px of the {placed['width']:.0f}x{placed['height']:.0f} canvas edge (left, top, right, bottom clear): {tight}"
    assert set(placed["areas"]) == codes and set(placed["held"]) == codes, sorted(codes ^ set(placed["held"]))[:5]
    assert placed["fills"] >= len(codes)  # every area painted (an area cut by a tile edge counts twice)


@pytest.mark.parametrize("lad", [BIRMINGHAM, ROCHFORD], ids=["Birmingham-tall", "Rochford-wide"])
def test_every_ward_of_the_la_renders_inside_the_map_canvas(page, server, boundaries, lad):  # noqa: F811
    wards = boundaries["ward"][boundaries["ward"]["parent_code"] == lad]
    page.goto(f"{server}/wards?area={lad}", wait_until="domcontentloaded")
    wait_for_map(page, len(wards))
    placed = page.evaluate(PLACEMENT, boxes(wards))
    assert_inside(placed, set(wards["area_code"]))
    no_exception(page)
    shot(page, f"wards_{lad}")


def test_the_london_view_frames_the_33_boroughs_and_the_keyboard_returns_to_all_las(page, server, boundaries):  # noqa: F811
    areas = pd.read_parquet(PROCESSED / "areas.parquet")
    codes = set(areas.loc[(areas["level"] == "lad") & (areas["region_code"] == LONDON), "area_code"])
    assert len(codes) == 33
    page.goto(f"{server}/?indicator=imd_average_score&view=london", wait_until="domcontentloaded")
    page.wait_for_selector("h3:has-text(\"London's 33 boroughs\")", timeout=60_000)
    wait_for_map(page, 33)
    placed = page.evaluate(PLACEMENT, boxes(boundaries["lad"][boundaries["lad"]["area_code"].isin(codes)]))
    assert_inside(placed, codes)  # and the London view holds the 33 boroughs alone
    values = pd.read_parquet(PROCESSED / "indicator_values.parquet").query("indicator_id == 'imd_average_score' and level == 'lad' and period == '2025'")["value"]
    # centred on the median of all LAs, not London's
    assert placed["zmid"] == pytest.approx(values.median()) and placed["zrange"][0] < values.median() < placed["zrange"][1]
    no_exception(page)
    shot(page, "map_london")
    # keyboard only: focus the other view's button and press Enter
    button = page.get_by_role("radiogroup", name="Map view").get_by_role("radio", name="England and Wales", exact=True)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**view=ew**", timeout=30_000)
    page.wait_for_selector("h3:has-text('Local authorities of England and Wales')", timeout=30_000)
    assert wait_for_map(page, 290) >= 290
