"""The maps' and charts' colours for readers with a colour-vision deficiency, and in greyscale.

Each colour is read from the module that draws it (dashboard/figures.py, dashboard/maps.py: the named scales, and the
colours the builders put on real figures) and simulated as a dichromat sees it: deuteranopia, protanopia, tritanopia, by
Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision deficiency", IEEE
TVCG 15(6):1291-1298, at severity 100 (colorspacious's "sRGB1+CVD"). Distances are Euclidean in CAM02-UCS (Luo, Cui &
Li 2006), where one unit is about a just-noticeable difference; lightness is its J'.

MIN_DISTINCT, the least distance two colours that must be told apart keep under every vision, is 6: a palette built for
colour-blind readers (Paul Tol's "bright") keeps 7.4 at worst, while ColorBrewer's Dark2 (2.2 under protanopia) and the
two arms of RdYlGn (1.7 under deuteranopia) fall below it; test_the_checks_catch_known_bad_colours holds the checks to
those cases.
"""
from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import plotly.colors as plotly_colors
import pytest
from colorspacious import cspace_convert

import vocabulary as vocab
from dashboard import accessible, figures, maps

# colorspacious names the Machado model by its anomalous forms; severity 100 is the dichromat (…-anopia).
DEFICIENCIES = {"deuteranopia": "deuteranomaly", "protanopia": "protanomaly", "tritanopia": "tritanomaly"}
VISIONS = ("normal", *DEFICIENCIES)
MIN_DISTINCT = 6.0
CLASSES = 7  # a continuous scale is read as about this many classes against its colour bar (ColorBrewer offers 3-9)
FINE = 41  # samples along a scale when a flat colour must differ from every colour on it
WHITE = "#ffffff"
NON_TEXT_CONTRAST = 3.0  # WCAG 1.4.11: lines and markers that carry the data, against the plot background


# ---------------------------------------------------------------- colour arithmetic

def rgb1(colour: str, over: str = WHITE) -> np.ndarray:
    """'#rrggbb', 'rgb(r, g, b)' or 'rgba(r, g, b, a)' as sRGB in 0-1; a translucent colour as seen over `over`."""
    colour = colour.strip()
    if colour.startswith("#"):
        return np.array(plotly_colors.hex_to_rgb(colour), dtype=float) / 255
    parts = [float(x) for x in re.findall(r"[\d.]+", colour)]
    rgb = np.array(parts[:3]) / 255
    alpha = parts[3] if len(parts) > 3 else 1.0
    return alpha * rgb + (1 - alpha) * rgb1(over)


def hex_of(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{round(float(c) * 255):02x}" for c in np.clip(rgb, 0, 1))


def seen(colours: np.ndarray, vision: str) -> np.ndarray:
    """CAM02-UCS coordinates (J', a', b') of sRGB colours as a reader with this vision sees them."""
    colours = np.atleast_2d(colours)
    if vision != "normal":
        cvd = {"name": "sRGB1+CVD", "cvd_type": DEFICIENCIES[vision], "severity": 100}
        colours = np.clip(cspace_convert(colours, cvd, "sRGB1"), 0, 1)
    return cspace_convert(colours, "sRGB1", "CAM02-UCS")


def distance(a: np.ndarray, b: np.ndarray, vision: str) -> float:
    return float(np.linalg.norm(seen(a, vision)[0] - seen(b, vision)[0]))


def sample(scale, n: int, reverse: bool = False) -> np.ndarray:
    """n evenly spaced colours of a plotly scale (a name, or a list of [position, colour] stops)."""
    stops = plotly_colors.get_colorscale(scale) if isinstance(scale, str) else [list(s) for s in scale]
    if reverse:
        stops = [[1 - at, colour] for at, colour in reversed(stops)]
    return np.array([rgb1(c) for c in plotly_colors.sample_colorscale(stops, list(np.linspace(0, 1, n)))])


# ---------------------------------------------------------------- the checks (each returns what is wrong, [] if nothing)

def step_problems(colours: np.ndarray) -> list[str]:
    """Adjacent classes of a scale stay apart under every vision."""
    out = []
    for vision in VISIONS:
        d = [distance(a, b, vision) for a, b in itertools.pairwise(colours)]
        if min(d) < MIN_DISTINCT:
            i = int(np.argmin(d))
            out.append(f"{vision}: classes {i} and {i + 1} ({hex_of(colours[i])}, {hex_of(colours[i + 1])}) are {d[i]:.1f} apart")
    return out


def lightness_problems(colours: np.ndarray) -> list[str]:
    """A sequential scale reads in greyscale: lightness J' rises (or falls) all along it, under every vision, by at
    least MIN_DISTINCT between adjacent classes (in greyscale nothing but lightness is left to tell them apart)."""
    out = []
    for vision in VISIONS:
        steps = np.diff(seen(colours, vision)[:, 0])
        steps = steps if steps.sum() > 0 else -steps
        if (steps <= 0).any():
            out.append(f"{vision}: lightness turns back at class {int(np.argmax(steps <= 0)) + 1} (J' {np.round(seen(colours, vision)[:, 0], 1).tolist()})")
        elif vision == "normal" and steps.min() < MIN_DISTINCT:
            out.append(f"greyscale: classes {int(np.argmin(steps))} and {int(np.argmin(steps)) + 1} differ by only {steps.min():.1f} in lightness")
    return out


def arm_problems(colours: np.ndarray) -> list[str]:
    """A diverging scale: each arm runs monotonically lighter towards the centre (so within an arm it reads in
    greyscale), and the two arms stay apart under every vision: the colours an equal step either side of the centre
    share a lightness by design, so only hue tells 'better' from 'worse' there."""
    out = []
    n = len(colours)
    middle = n // 2
    for vision in VISIONS:
        j = seen(colours, vision)[:, 0]
        if not (np.all(np.diff(j[: middle + 1]) > 0) and np.all(np.diff(j[middle:]) < 0)):
            out.append(f"{vision}: lightness is not lightest at the centre, monotonic along each arm (J' {np.round(j, 1).tolist()})")
        d = [distance(colours[i], colours[n - 1 - i], vision) for i in range(middle)]
        if min(d) < MIN_DISTINCT:
            i = int(np.argmin(d))
            out.append(f"{vision}: the arms meet: {hex_of(colours[i])} and {hex_of(colours[n - 1 - i])} are {d[i]:.1f} apart")
    return out


def pair_problems(named: dict[str, np.ndarray]) -> list[str]:
    """Every two of these colours (a categorical palette, or flat fills and what they lie beside) stay apart."""
    out = []
    for vision in VISIONS:
        for (na, a), (nb, b) in itertools.combinations(named.items(), 2):
            d = distance(a, b, vision)
            if d < MIN_DISTINCT:
                out.append(f"{vision}: {na} and {nb} are {d:.1f} apart")
    return out


def apart_from_scale_problems(name: str, colour: np.ndarray, scale_name: str, scale: np.ndarray) -> list[str]:
    """A flat colour (no value, single indicator) differs from every colour on a scale it shares a map with."""
    out = []
    for vision in VISIONS:
        d = np.linalg.norm(seen(scale, vision) - seen(colour, vision)[0], axis=1)
        if d.min() < MIN_DISTINCT:
            out.append(f"{vision}: {name} {hex_of(colour)} is {d.min():.1f} from {hex_of(scale[int(np.argmin(d))])} on {scale_name}")
    return out


def assert_none(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


def worst_pair(named: dict[str, np.ndarray]) -> dict[str, float]:
    return {v: round(min(distance(a, b, v) for a, b in itertools.combinations(named.values(), 2)), 1) for v in VISIONS}


# ---------------------------------------------------------------- the colours, read from the modules

def map_scales() -> dict[str, tuple[str, np.ndarray]]:
    """The choropleth scales by polarity (figures.colour_scale): context measures are described, never judged, so
    their scale is sequential; a scored measure has a worse and a better side of a centre (maps.centred_scale), so
    its scale is diverging. The same scale reversed (lower is better) is the same set of colours and is checked once."""
    out = {}
    for polarity in vocab.POLARITIES:
        spec = figures.colour_scale(polarity)
        kind = "sequential" if polarity == "context" else "diverging"
        out.setdefault(f"{spec['colorscale']} ({kind})", (kind, spec["colorscale"]))
    return out


def rank_shift_scale() -> np.ndarray:
    """The composite builder's 'places moved up' scale, as figures.rank_shift_chart puts it on its markers (symmetric
    about 0: diverging)."""
    table = pd.DataFrame({
        "area_code": ["a", "b", "c"], "area_name": ["A", "B", "C"], "equal_rank": [1, 2, 3], "rank": [2, 1, 3],
        "rank_low": [1, 1, 2], "rank_high": [3, 2, 3], "change": [-1, 1, 0],
    })
    fig = figures.rank_shift_chart(table, source_line="source")
    (scale,) = [t.marker.colorscale for t in fig.data if t.marker is not None and t.marker.colorscale is not None]
    return sample(scale, CLASSES)


def trend_palette() -> dict[str, np.ndarray]:
    """The line colours figures.trend_chart gives its series, one cycle of them (the lines differ by colour alone)."""
    names = [f"s{i}" for i in range(24)]
    series = pd.DataFrame([(p, s, 1.0) for s in names for p in ("2020", "2021")], columns=["period", "series", "value"])
    fig = figures.trend_chart(series, ["2020", "2021"], [], unit="x", source_line="source")
    colours = list(dict.fromkeys(t.line.color for t in fig.data))
    return {c: rgb1(c) for c in colours}


def ward_map_layers() -> dict[str, str]:
    """The flat fills and the outline colours maps.ward_choropleth draws, by layer (trace.meta), on four wards: one
    coloured, one flagged low-reliability, one without a value, one resting on a single indicator."""
    def square(code, x):
        ring = [[x, 0], [x + 0.01, 0], [x + 0.01, 0.01], [x, 0.01], [x, 0]]
        return {"type": "Feature", "properties": {"area_code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}

    geojson = {"type": "FeatureCollection", "features": [square(c, i / 50) for i, c in enumerate("abcd")]}
    frame = pd.DataFrame({"area_code": ["a", "b"], "area_name": ["A", "B"], "value": [1.0, 2.0], "value_text": ["1", "2"],
                          "rank_text": ["2", "1"], "low_reliability": [False, True]})
    missing = pd.DataFrame({"area_code": ["c"], "area_name": ["C"], "reason": ["no value"]})
    lone = pd.DataFrame({"area_code": ["d"], "area_name": ["D"], "text": ["t"], "detail": [""], "low_reliability": [False], "link": ["/profile?area=d"]})
    fig = maps.ward_choropleth(frame, geojson, (0, 0, 0.08, 0.01), unit="score", polarity="higher_is_better", source_line="source", missing=missing, lone=lone)
    layers = {t.meta["layer"]: t for t in fig.data if isinstance(t.meta, dict) and "layer" in t.meta}
    assert maps.MAP_STYLE == "white-bg"  # no tiles: the ground between areas is white
    return {
        "no-value fill": layers[maps.LAYER_NO_VALUE].colorscale[0][1],
        "single-indicator fill": layers[maps.LAYER_SINGLE].colorscale[0][1],
        "low-reliability outline": layers[maps.LAYER_LOW_RELIABILITY].marker.line.color,
        "outline casing": layers[maps.LAYER_LOW_RELIABILITY_CASING].marker.line.color,
        "map ground": WHITE,
    }


def factor_profile_pairs() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """figures.factor_profile_chart: the rank marker on its rank band, and the band (translucent) on each of its two
    grounds, the white plot and the shaded lower half of the ranks: the pairs a reader must tell apart."""
    summary = pd.DataFrame({
        "factor": ["1", "2", "3", "4", "5", "composite"], "name": ["f"] * 6, "rank": [10, 50, 100, 200, 300, 150],
        "rank_low": [5, 40, 80, 180, 280, 120], "rank_high": [20, 60, 120, 220, 310, 180], "score": [0.1] * 6, "n_areas": [318] * 6,
    })
    fig = figures.factor_profile_chart(summary, source_line="source")
    trace = fig.data[0]
    shade = hex_of(rgb1(fig.layout.shapes[0].fillcolor))
    marker, band_white, band_shade = rgb1(trace.marker.color), rgb1(trace.error_x.color, WHITE), rgb1(trace.error_x.color, shade)
    return {
        "marker on band (white)": (marker, band_white), "marker on band (shade)": (marker, band_shade),
        "band on white": (band_white, rgb1(WHITE)), f"band on the shade {shade}": (band_shade, rgb1(shade)),
    }


# ---------------------------------------------------------------- the tests

MAP_SCALES = map_scales()


@pytest.mark.parametrize("label", list(MAP_SCALES))
def test_map_scale_classes_stay_apart_under_each_deficiency(label):
    _, name = MAP_SCALES[label]
    assert_none(step_problems(sample(name, CLASSES)))


@pytest.mark.parametrize("label", list(MAP_SCALES))
def test_map_scale_reads_in_lightness(label):
    """Sequential: monotonic in lightness (a greyscale print keeps the order). Diverging: each arm monotonic, arms apart."""
    kind, name = MAP_SCALES[label]
    colours = sample(name, CLASSES)
    assert_none(lightness_problems(colours) if kind == "sequential" else arm_problems(colours))


def test_rank_shift_scale_is_a_readable_diverging_scale():
    colours = rank_shift_scale()
    assert_none(step_problems(colours) + arm_problems(colours))


def test_trend_lines_stay_apart_under_each_deficiency():
    palette = trend_palette()
    assert len(palette) >= 4  # an LA, its region, its country, similar areas
    assert_none(pair_problems(palette))


def test_trend_lines_stand_out_from_the_plot():
    low = {c: round(accessible.contrast_ratio(c, WHITE), 2) for c in trend_palette() if accessible.contrast_ratio(c, WHITE) < NON_TEXT_CONTRAST}
    assert not low, f"trend line colours under {NON_TEXT_CONTRAST}:1 against the white plot: {low}"


def test_compare_chart_tells_areas_apart_by_shape_too():
    """figures.compare_chart colours its areas with plotly's default colourway, some of which meet under protanopia;
    each area has its own marker symbol as well, so colour is never the only cue (WCAG 1.4.1) for the page's 2-6 areas."""
    long = pd.DataFrame([(f"Area {i}", f, 0.1 * i, "1", "") for i in range(6) for f in ("F1", "F2")],
                        columns=["area", "factor_name", "score", "rank_text", "evidence"])
    fig = figures.compare_chart(long, source_line="source")
    symbols = [t.marker.symbol for t in fig.data]
    assert len(symbols) == 6 and len(set(symbols)) == 6, symbols


def test_low_reliability_outline_and_no_value_fill_stand_apart_from_the_scales():
    layers = ward_map_layers()
    problems = []
    for label, (kind, name) in MAP_SCALES.items():
        scale = sample(name, FINE)
        problems += apart_from_scale_problems("no-value fill", rgb1(layers["no-value fill"]), label, scale)
        # the outline is black with a white casing down its middle: one of the two stands apart from every fill
        for vision in VISIONS:
            lines = seen(np.array([rgb1(layers["low-reliability outline"]), rgb1(layers["outline casing"])]), vision)
            fills = seen(scale, vision)
            best = np.linalg.norm(fills[:, None, :] - lines[None, :, :], axis=2).max(axis=1)
            if best.min() < MIN_DISTINCT:
                problems.append(f"{vision}: the outline is {best.min():.1f} from {hex_of(scale[int(np.argmin(best))])} on {label}")
    problems += pair_problems({k: rgb1(v) for k, v in layers.items() if k in ("no-value fill", "single-indicator fill", "map ground")})
    assert_none(problems)


def test_single_indicator_fill_stands_apart_from_the_scales():
    layers = ward_map_layers()
    problems = []
    for label, (kind, name) in MAP_SCALES.items():
        problems += apart_from_scale_problems("single-indicator fill", rgb1(layers["single-indicator fill"]), label, sample(name, FINE))
    assert_none(problems)


def test_factor_profile_band_stays_visible():
    pairs = factor_profile_pairs()
    problems = [f"{v}: {name} {distance(a, b, v):.1f} apart" for name, (a, b) in pairs.items() for v in VISIONS if distance(a, b, v) < MIN_DISTINCT]
    assert_none(problems)
    marker = pairs["marker on band (white)"][0]
    assert accessible.contrast_ratio(hex_of(marker), WHITE) >= NON_TEXT_CONTRAST


def test_global_css_colours_meet_wcag_contrast():
    """dashboard/accessible.py's lifted text colours: 4.5:1 (1.4.3) on each background they sit on; the focus ring 3:1 (1.4.11)."""
    a = accessible
    pairs = [
        (a.CAPTION_TEXT, a.PAGE_BACKGROUND, 4.5), (a.CAPTION_TEXT, a.SIDEBAR_BACKGROUND, 4.5),
        (a.DISABLED_LABEL_TEXT, a.PAGE_BACKGROUND, 4.5), (a.DISABLED_LABEL_TEXT, a.SIDEBAR_BACKGROUND, 4.5),
        (a.SELECTED_SEGMENT_TEXT, a.SELECTED_SEGMENT_BACKGROUND, 4.5), (a.SELECTED_SEGMENT_TEXT, a.SELECTED_SEGMENT_HOVER_BACKGROUND, 4.5),
        (a.FOCUS_RING, a.PAGE_BACKGROUND, 3.0), (a.FOCUS_RING, a.SIDEBAR_BACKGROUND, 3.0),
    ]
    low = [(fg, bg, round(a.contrast_ratio(fg, bg), 2)) for fg, bg, need in pairs if a.contrast_ratio(fg, bg) < need]
    assert not low
    for colour in (a.CAPTION_TEXT, a.DISABLED_LABEL_TEXT, a.SELECTED_SEGMENT_TEXT, a.FOCUS_RING):
        assert colour in a.GLOBAL_CSS


def test_the_checks_catch_known_bad_colours():
    """Each check can fail: on scales and palettes known to fail colour-blind or greyscale readers."""
    assert any(p.startswith("deuteranopia: the arms meet") for p in arm_problems(sample("RdYlGn", CLASSES)))
    assert lightness_problems(sample("Jet", CLASSES))  # a rainbow: lightness rises and falls
    assert lightness_problems(sample("RdYlBu", CLASSES))  # a diverging scale is no sequential one
    assert step_problems(sample([[0, "#f7fbff"], [1, "#eef4fb"]], CLASSES))  # a scale too faint to read
    dark2 = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
    assert any(p.startswith("protanopia") for p in pair_problems({c: rgb1(c) for c in dark2}))
    assert apart_from_scale_problems("grey", rgb1("#ffffbf"), "RdYlBu", sample("RdYlBu", FINE))  # its own middle colour
    assert not pair_problems({c: rgb1(c) for c in ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"]})  # Tol bright passes


def test_report_the_distances():
    """Not a check: prints, per colour set, the least distance under each vision (run with -s to read it)."""
    rows = {}
    for label, (kind, name) in MAP_SCALES.items():
        colours = sample(name, CLASSES)
        rows[f"map {label}, adjacent classes"] = {v: round(min(distance(a, b, v) for a, b in itertools.pairwise(colours)), 1) for v in VISIONS}
        if kind == "diverging":
            rows[f"map {label}, arms"] = {v: round(min(distance(colours[i], colours[CLASSES - 1 - i], v) for i in range(CLASSES // 2)), 1) for v in VISIONS}
        else:
            j = seen(colours, "normal")[:, 0]
            rows[f"map {label}, lightness step"] = {"normal": round(float(np.abs(np.diff(j)).min()), 1)}
    colours = rank_shift_scale()
    rows["rank shift RdBu, adjacent classes"] = {v: round(min(distance(a, b, v) for a, b in itertools.pairwise(colours)), 1) for v in VISIONS}
    rows["rank shift RdBu, arms"] = {v: round(min(distance(colours[i], colours[CLASSES - 1 - i], v) for i in range(CLASSES // 2)), 1) for v in VISIONS}
    rows["trend palette, any two lines"] = worst_pair(trend_palette())
    layers = ward_map_layers()
    for fill in ("no-value fill", "single-indicator fill"):
        for label, (kind, name) in MAP_SCALES.items():
            scale = sample(name, FINE)
            rows[f"{fill} {layers[fill]} to {label}"] = {v: round(float(np.linalg.norm(seen(scale, v) - seen(rgb1(layers[fill]), v)[0], axis=1).min()), 1) for v in VISIONS}
    rows["factor profile: marker on band, band on its grounds"] = {v: round(min(distance(a, b, v) for a, b in factor_profile_pairs().values()), 1) for v in VISIONS}
    print()
    for name, row in rows.items():
        print(f"{name:62s} " + "  ".join(f"{v} {d:5.1f}" for v, d in row.items()))
