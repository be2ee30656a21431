"""Page logic without Streamlit: URL parameter checks, scopes and evidence texts, measure labels, source lines, profile tables, comparator series and series breaks."""
from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from areas.reliability import MIN_BEST_FIT_SHARE, MIN_LSOAS
from scoring.neighbours import K_WARD_NEIGHBOURS, WARD_KNN_KIND, WARD_KNN_VARIABLES_BY_COUNTRY
from scoring.scores import BAND_NOTE, COMPOSITE_CAVEAT, SMALL_POPULATION  # noqa: F401  (re-exported for pages)
from vocabulary import COUNTRY_NAMES, DEFAULT_SCOPE, FACTORS, METHOD_LABELS, MIN_WARD_INDICATORS, SCOPE_LABELS, SCOPES, WALES_CODE, WARD_SCOPE

DEFAULT_LAD = "E08000025"  # Birmingham: the largest authority, in England, with ward-level data
COMPARATORS = {
    "region": "Region",
    "country": "Country",
    "ons_neighbours": "ONS similar areas",
    "atlas_neighbours": "Our similar areas",
}
COMPARATOR_COLUMNS = {
    "region": "region_value",
    "country": "country_value",
    "ons_neighbours": "ons_neighbours_median",
    "atlas_neighbours": "atlas_neighbours_median",
}
NEIGHBOUR_KINDS = {"ons_neighbours": "ons_global", "atlas_neighbours": "atlas_knn"}
SCORE_MEASURES = {"composite": "Composite of the five factors", **{f"factor_{n}": f"Factor {n}: {name}" for n, name in FACTORS.items()}}
LOOKUP_SOURCES = frozenset({"geography", "oa21_lookup", "ons_lookups", "ons_boundaries"})
BOUNDARY_CREDIT = "Boundaries: ONS Open Geography Portal (OGL v3.0), simplified"
LICENCE_SHORT = {"Open Government Licence v3.0": "OGL v3.0", "Open Parliament Licence v3.0": "Open Parliament Licence v3.0"}

FACTOR5_NOTE = (
    "Factor 5 (tackling intolerance and extremism) rests on proxies and dated data: the public order offence rate "
    "(police recorded crime, a proxy: it counts offences recorded, not intolerance) and the 2008 Place Survey question on "
    "whether people from different backgrounds get on well together (England only, 2008). Hate crime is published only "
    "by police force area and has not been fetched yet, so it is not in this score."
)
WARD_LOOKUP_FALLBACK = "The LSOA 2021 to ward 2025 lookup is derived (about 95% agreement with the ONS best-fit method where wards changed)."
NATIONAL_RANK_NOTE = f"Rank 1 is best. {BAND_NOTE}"
UNIVERSE_COUNTRY = {"ew_common": "E+W"}
SMALL_POPULATION_TEXT = "very small resident population"
SMALL_POPULATION_NOTE = (
    f"has a very small resident population (under {SMALL_POPULATION:,} at Census 2021): its rates rest on few people and a handful of "
    "events, so its scores and ranks swing and should be read with care."
)
CORRELATION_COLUMNS = {
    "rho_ethnic_minority": "ρ with ethnic-minority share",
    "rho_imd": "ρ with IMD score (English LAs)",
    "rho_wimd": "ρ with WIMD score (Welsh LAs)",
}

_CODE = re.compile(r"^[EW]\d{8}$")
_ID = re.compile(r"^[a-z0-9_]{1,60}$")


# ---------------------------------------------------------------- URL parameters

def safe_echo(raw: object, limit: int = 40) -> str:
    """Untrusted URL text made safe to quote inside a Markdown message: printable word characters only, in a code span."""
    text = re.sub(r"[^A-Za-z0-9 _.:/,+-]", "", str(raw))[:limit]
    return f"`{text}`" if text else "(empty)"


def _first(raw):
    if isinstance(raw, (list, tuple)):
        return raw[-1] if raw else None
    return raw


def check_area(raw, areas: pd.DataFrame, default: str, *, allow_ward: bool = True) -> tuple[str, str | None]:
    """An LA (or ward) code from the URL, or the default and a friendly message saying why it was not used."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    code = str(raw).strip().upper()
    if not _CODE.match(code):
        return default, f"The area code {safe_echo(raw)} in the link is not a valid ONS code (like E06000009), so a default area is shown."
    row = areas_index(areas).get(code)
    if row is None and code[1:3] == "05":
        return default, f"The ward code {safe_echo(code)} in the link is not one of the 7,588 wards of England and Wales (May 2025 boundaries), so a default area is shown."
    if row is None:
        return default, f"The area code {safe_echo(code)} is not one of the 318 local authorities or 7,588 wards of England and Wales (May 2025), so a default area is shown."
    if row == "ward" and not allow_ward:
        return default, f"{safe_echo(code)} is a ward code; this page needs a local authority, so a default area is shown."
    return code, None


def areas_index(areas: pd.DataFrame) -> dict[str, str]:
    return dict(zip(areas["area_code"], areas["level"]))


def check_choice(raw, allowed, default: str, what: str) -> tuple[str, str | None]:
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip()
    if value in allowed:
        return value, None
    return default, f"The {what} {safe_echo(raw)} in the link is not one this page offers, so the default is shown."


def check_scope(raw, default: str = DEFAULT_SCOPE) -> tuple[str, str | None]:
    """The ranking scope from the URL (?scope=ew_common or country), or the default and a message naming the choices."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip().lower()
    if value in SCOPES:
        return value, None
    choices = " or ".join(f"`{k}` ({SCOPE_LABELS[k]})" for k in SCOPES)
    return default, f"The ranking scope {safe_echo(raw)} in the link is not one of {choices}, so the default ({SCOPE_LABELS[default]}) is shown."


def check_measure(raw, options: list[str], default: str) -> tuple[str, str | None]:
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip().lower()
    if not _ID.match(value):
        return default, f"The indicator {safe_echo(raw)} in the link is malformed, so the default indicator is shown."
    if value not in options:
        return default, f"The indicator {safe_echo(raw)} is not in the catalogue at this level, so the default indicator is shown."
    return value, None


def check_period(raw, periods: list[str], default: str) -> tuple[str, str | None]:
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip()
    if value in periods:
        return value, None
    return default, f"The period {safe_echo(raw)} is not published for this indicator, so its latest period is shown."


def check_area_list(raw, areas: pd.DataFrame, default: list[str], *, low: int = 2, high: int = 6) -> tuple[list[str], str | None]:
    """A comma-separated list of 2-6 LA codes; unknown codes are dropped with a message."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return list(default), None
    index = areas_index(areas)
    codes, bad = [], []
    for part in str(raw).split(","):
        code = part.strip().upper()
        if not code:
            continue
        if index.get(code) == "lad":
            if code not in codes:
                codes.append(code)
        else:
            bad.append(part)
    message = None
    if bad:
        message = f"Left out {len(bad)} code(s) that are not local authorities of England and Wales: {safe_echo(','.join(bad))}."
    if len(codes) > high:
        codes = codes[:high]
        message = (message + " " if message else "") + f"Only the first {high} areas are compared."
    if len(codes) < low:
        fill = [c for c in default if c not in codes]
        codes = (codes + fill)[: max(low, len(codes))]
        message = message or "Compare needs at least two areas, so defaults were added."
    return codes, message


def check_weights(raw, n: int, default: float = 1.0, *, top: float = 5.0) -> tuple[list[float], str | None]:
    """Comma-separated factor weights between 0 and `top`."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return [default] * n, None
    parts = str(raw).split(",")
    try:
        weights = [float(p) for p in parts]
    except ValueError:
        return [default] * n, f"The weights {safe_echo(raw)} in the link are not numbers, so equal weights are used."
    if len(weights) != n or not all(math.isfinite(w) and 0 <= w <= top for w in weights):
        return [default] * n, f"The weights {safe_echo(raw)} need {n} numbers between 0 and {top:g}, so equal weights are used."
    return weights, None


# ---------------------------------------------------------------- scopes and evidence strength

def scope_scores(scores: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The rows of one scope: one row per (area, level, factor, method), as every page expects."""
    return scores[scores["scope"] == scope].reset_index(drop=True)


@dataclass(frozen=True)
class Universe:
    """A set of areas ranked together: its scope, country ('E+W', 'E' or 'W'), level, scored indicators and areas."""

    scope: str
    country: str
    level: str
    n_indicators: int
    n_areas: int


def universes(areas: pd.DataFrame, catalogue: pd.DataFrame, coherence: pd.DataFrame | None = None) -> dict[tuple[str, str, str], Universe]:
    """(level, scope, country) -> Universe. Indicator counts come from the coherence audit (the build's own universes)
    where it is present, else from the catalogue (scored, published at the level, for that country)."""
    counts: dict[tuple[str, str, str], int] = {}
    if coherence is not None and len(coherence):
        rows = coherence[coherence["indicator_id"] == ""]
        for (level, scope, country), block in rows.groupby(["level", "scope", "country"]):
            counts[(level, scope, country)] = int(block["n_indicators"].sum())
    out = {}
    for level in ("lad", "ward"):
        in_level = areas[areas["level"] == level]
        scored = catalogue[scored_at(catalogue, level)]
        for scope, country in (("ew_common", "E+W"), ("country", "E"), ("country", "W")):
            if level == "ward" and scope != WARD_SCOPE:
                continue  # wards are ranked only within their own country, whatever else the audit covers
            if (level, scope, country) in counts:
                n_ind = counts[(level, scope, country)]
            else:
                published = scored[scored["countries"] == "E+W"] if country == "E+W" else scored[scored["countries"].isin(["E+W", country])]
                if level == "ward":
                    sizes = published["factor"].value_counts()
                    published = published[published["factor"].map(sizes) >= MIN_WARD_INDICATORS]
                n_ind = len(published)
            if n_ind == 0:
                continue  # no universe here (wards have no common England and Wales scope)
            members = in_level if country == "E+W" else in_level[in_level["country"] == country]
            out[(level, scope, country)] = Universe(scope, country, level, n_ind, len(members))
    return out


def scope_caption(scope: str, info: dict[tuple[str, str, str], Universe], *, country: str | None = None, level: str = "lad") -> str:
    """Which areas a rank is among and on which indicators, e.g. 'Ranked within Wales on the 17 indicators published for Wales (22 LAs).'"""
    word = "LAs" if level == "lad" else "wards"
    if scope == "ew_common":
        u = info.get((level, "ew_common", "E+W"))
        if u is None:
            return "Ranked across England and Wales on the indicators published for both countries."
        return f"Ranked across England and Wales on the {u.n_indicators} indicators published for both countries ({u.n_areas:,} {word})."
    if country in COUNTRY_NAMES:
        u = info.get((level, "country", country))
        name = COUNTRY_NAMES[country]
        if level == "ward":
            among = f"among the {u.n_areas:,} wards of {name}, on the {u.n_indicators} ward-level indicators" if u else f"among the wards of {name}, on the ward-level indicators"
            return f"Wards are ranked within their own country: {among} published for {name}."
        if u is None:
            return f"Ranked within {name} on the indicators published for {name}."
        return f"Ranked within {name} on the {u.n_indicators} indicators published for {name} ({u.n_areas:,} {word})."
    parts = [
        f"{COUNTRY_NAMES[c]}: {info[(level, 'country', c)].n_indicators} indicators, {info[(level, 'country', c)].n_areas:,} {word}"
        for c in COUNTRY_NAMES if (level, "country", c) in info
    ]
    head = "Wards are ranked within their own country" if level == "ward" else "Each LA is ranked within its own country"
    return f"{head}, on the {'ward-level ' if level == 'ward' else ''}indicators published for that country ({'; '.join(parts)}). Scores from the two countries are not on a common footing."


def _share(value) -> str:
    return f"{value:.0%}" if value is not None and np.isfinite(value) else "–"


def period_range(oldest, newest) -> str:
    oldest, newest = str(oldest or ""), str(newest or "")
    if not oldest and not newest:
        return "no period"
    if not oldest or not newest or oldest == newest:
        return oldest or newest
    # A period may be a range itself: "2021-2024" to "2024" is "2021-2024", not "2021-2024–2024".
    if newest in oldest or oldest in newest:
        return max(oldest, newest, key=len)
    return f"{oldest}–{newest}"


def evidence_text(row) -> str:
    """Evidence strength of one stored score row, e.g. '3 indicators · 2008–2025 · 67% proxy · 0% inherited'."""
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    n = get("n_indicators")
    n = int(n) if n is not None and np.isfinite(n) else 0
    if n == 0:
        return "no indicator"
    return " · ".join(
        [
            f"{n} indicator{'s' if n != 1 else ''}",
            period_range(get("period_oldest"), get("period_newest")),
            f"{_share(get('proxy_share'))} proxy",
            f"{_share(get('inherited_share'))} inherited",
        ]
    )


def small_population_areas(scores: pd.DataFrame) -> frozenset[str]:
    """LAs the build flagged as having a very small resident population (City of London, Isles of Scilly)."""
    if "small_population" not in scores:
        return frozenset()
    return frozenset(scores.loc[scores["small_population"].astype(bool), "area_code"])


def small_note(code: str, small: frozenset[str] | set[str]) -> str:
    return SMALL_POPULATION_TEXT if code in small else ""


def factor_correlations(coherence: pd.DataFrame | None, scope: str, country: str | None = None, level: str = "lad") -> pd.DataFrame:
    """Each factor's Spearman correlation with the ethnic-minority share, the IMD and the WIMD in one universe:
    scope ew_common (E+W), or scope country for the given country ('E' or 'W'). Empty if the audit is missing."""
    columns = ["factor", "name", *CORRELATION_COLUMNS]
    if coherence is None or coherence.empty or "rho_ethnic_minority" not in coherence:
        return pd.DataFrame(columns=columns)
    key = UNIVERSE_COUNTRY.get(scope, country)
    rows = coherence[(coherence["level"] == level) & (coherence["scope"] == scope) & (coherence["country"] == key) & (coherence["indicator_id"] == "")]
    out = rows.assign(factor=rows["factor"].astype(int), name=[f"{int(f)}. {FACTORS[int(f)]}" for f in rows["factor"]])
    return out[columns].sort_values("factor").reset_index(drop=True)


def universe_label(scope: str, country: str, level: str = "lad") -> str:
    word = "LAs" if level == "lad" else "wards"
    if scope == "ew_common":
        return f"{word} of England and Wales on the common indicators"
    return f"{word} of {COUNTRY_NAMES.get(country, country)} on its own indicators"


def coherence_tables(coherence: pd.DataFrame | None, catalogue: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(factors, indicators) of the coherence audit, labelled for the Methodology page: per universe, each factor's
    Cronbach's alpha and its correlations with demography and deprivation; each indicator's item-rest correlation
    and its closest partner within the factor."""
    if coherence is None or coherence.empty:
        return pd.DataFrame(), pd.DataFrame()
    order = {("lad", "ew_common", "E+W"): 0, ("lad", "country", "E"): 1, ("lad", "country", "W"): 2}
    frame = coherence.assign(
        universe=[universe_label(s, c, lv) for s, c, lv in zip(coherence["scope"], coherence["country"], coherence["level"])],
        order=[order.get((lv, s, c), 3 + i) for i, (lv, s, c) in enumerate(zip(coherence["level"], coherence["scope"], coherence["country"]))],
        factor=coherence["factor"].astype(int),
    ).sort_values(["order", "factor"], kind="stable")
    factors = frame[frame["indicator_id"] == ""]
    factor_table = pd.DataFrame(
        {
            "Universe": factors["universe"],
            "Level": factors["level"],
            "Scope": factors["scope"],
            "Country": factors["country"],
            "Factor": [f"{f}. {FACTORS[f]}" for f in factors["factor"]],
            "Indicators": factors["n_indicators"],
            "Complete areas": factors["n_complete_areas"],
            "Cronbach's alpha": factors["cronbach_alpha"],
            "Largest |ρ| in factor": factors["max_abs_rho_in_factor"],
            **{label: factors[col] if col in factors else np.nan for col, label in CORRELATION_COLUMNS.items()},
        }
    ).reset_index(drop=True)
    titles = dict(zip(catalogue["indicator_id"], catalogue["title"]))
    items = frame[frame["indicator_id"] != ""]
    indicator_table = pd.DataFrame(
        {
            "Universe": items["universe"],
            "Factor": items["factor"],
            "Indicator": items["indicator_id"].map(titles).fillna(items["indicator_id"]),
            "indicator_id": items["indicator_id"],
            "Item-rest ρ": items["item_rest_rho"],
            "Closest partner": items["max_rho_partner"].map(lambda c: titles.get(c, c) if c else ""),
            "|ρ| with partner": items["max_abs_rho_in_factor"],
            "Above redundancy threshold": items["exceeds_threshold"].astype(bool),
        }
    ).reset_index(drop=True)
    return factor_table, indicator_table


# ---------------------------------------------------------------- measures and labels

def is_score(measure: str) -> bool:
    return measure in SCORE_MEASURES


def score_factor(measure: str) -> str:
    """'factor_3' -> '3', 'composite' -> 'composite' (the factor_scores.factor key)."""
    return measure.removeprefix("factor_")


def scored_factors(scores: pd.DataFrame) -> list[str]:
    """The factor keys ('1'..'5', 'composite') with at least one score in these rows, in display order."""
    held = set(scores.loc[scores["score"].notna(), "factor"]) if len(scores) else set()
    return [score_factor(m) for m in SCORE_MEASURES if score_factor(m) in held]


def measure_options(
    catalogue: pd.DataFrame, level: str, *, with_scores: bool = True, available: set[str] | None = None, score_keys: list[str] | None = None
) -> list[str]:
    """Scores first (those with data at the level, when score_keys is given), then indicators ordered by factor
    (context last), keeping only those published at the level."""
    rows = catalogue[catalogue["levels"].str.contains(level, regex=False)].copy()
    if available is not None:
        rows = rows[rows["indicator_id"].isin(available)]
    rows["order"] = rows["factor"].replace(0, 9)
    ids = rows.sort_values(["order", "indicator_id"], kind="stable")["indicator_id"].tolist()
    if not with_scores:
        scores = []
    elif score_keys is not None:
        scores = [m for m in SCORE_MEASURES if score_factor(m) in score_keys]
    else:
        scores = [m for m in SCORE_MEASURES if level == "lad" or m in ("composite", "factor_1", "factor_3")]
    return scores + ids


def and_join(items) -> str:
    """'1', '1 and 3', '1, 3 and 4'."""
    items = [str(i) for i in items]
    return " and ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} and {items[-1]}"


def measure_label(measure: str, catalogue: pd.DataFrame, level: str = "lad", ward_factors: list[str] | None = None) -> str:
    if measure == "composite" and level == "ward":
        numbers = [f for f in (ward_factors or ["1", "3"]) if f != "composite"]
        return f"Composite of factors {and_join(numbers)} (the factors with ward data)"
    if measure in SCORE_MEASURES:
        return SCORE_MEASURES[measure]
    row = catalogue_row(catalogue, measure)
    if row is None:
        return measure
    prefix = f"F{row['factor']}" if row["factor"] else "Context"
    return f"{prefix} · {row['title']}"


def catalogue_row(catalogue: pd.DataFrame, indicator_id: str) -> dict | None:
    hit = catalogue[catalogue["indicator_id"] == indicator_id]
    return hit.iloc[0].to_dict() if len(hit) else None


def sort_periods(periods) -> list[str]:
    """Chronological order for labels like '2019', '2023/24', 'YE Jun 2025', '2018-2020'."""
    def key(p: str):
        years = re.findall(r"\d{4}", p)
        return (int(years[0]) if years else 0, p)

    return sorted({str(p) for p in periods}, key=key)


def area_label(code: str, names: dict[str, str], welsh: dict[str, str] | None = None) -> str:
    name = names.get(code, code)
    cy = (welsh or {}).get(code)
    return f"{name} / {cy}" if cy and cy != name else name


def fmt_value(value: float, unit: str = "") -> str:
    if value is None or not np.isfinite(value):
        return "no value"
    magnitude = abs(value)
    if magnitude >= 1000:
        text = f"{value:,.0f}"
    elif magnitude >= 100:
        text = f"{value:,.1f}"
    elif magnitude >= 1:
        text = f"{value:,.2f}"
    else:
        text = f"{value:.3f}"
    if unit.startswith("£"):
        return f"£{text}"
    return text


def unit_suffix(unit: str) -> str:
    return "" if unit.startswith("£") else f" {unit}".rstrip()


def rank_text(rank, low, high, n: int, *, compact: bool = False) -> str:
    if rank is None or not np.isfinite(rank):
        return "not ranked"
    band = ""
    if low is not None and high is not None and np.isfinite(low) and np.isfinite(high):
        band = f" ({int(low)}–{int(high)})" if compact else f" (band {int(low)}–{int(high)})"
    return f"{int(rank)}/{n}{band}" if compact else f"{int(rank)} of {n}{band}"


# ---------------------------------------------------------------- sources

@dataclass(frozen=True)
class SourceLine:
    """What every figure and export must carry: source, period and licence."""

    source: str
    period: str
    licence: str

    def text(self) -> str:
        return f"Source: {self.source} · Period: {self.period} · Licence: {self.licence}"


def _short_publisher(publisher: str) -> str:
    return re.split(r" \(|;", str(publisher))[0].strip()


def source_line(indicator_id: str, period: str, catalogue: pd.DataFrame, sources: pd.DataFrame) -> SourceLine:
    row = catalogue_row(catalogue, indicator_id)
    ids = [s.strip() for s in (row["source_id"] if row else "").split(",") if s.strip()]
    primary = [s for s in ids if s not in LOOKUP_SOURCES] or ids
    by_id = sources.set_index("source_id")
    parts, licences = [], []
    for sid in primary:
        if sid in by_id.index:
            src = by_id.loc[sid]
            parts.append(f"{src['title']} ({_short_publisher(src['publisher'])})")
            licences.append(LICENCE_SHORT.get(src["licence"], src["licence"]))
        else:
            parts.append(sid)
    licence = ", ".join(dict.fromkeys(licences)) or "see Methodology and sources"
    return SourceLine(source="; ".join(parts) or "Cohesion Atlas", period=str(period), licence=licence)


def source_texts(catalogue: pd.DataFrame, sources: pd.DataFrame) -> dict[str, str]:
    """indicator_id -> its source text, computed once for pages that list every indicator."""
    return {i: source_line(i, "", catalogue, sources).source for i in catalogue["indicator_id"]}


def scored_at(catalogue: pd.DataFrame, level: str) -> pd.Series:
    """Which catalogue rows enter the factor scores of a level (a row may be scored for wards and not LAs)."""
    levels = catalogue["scored_levels"] if "scored_levels" in catalogue else catalogue["levels"].where(catalogue["scored"], "")
    return levels.fillna("").str.split(", ").map(lambda held: level in held)


def scope_indicators(catalogue: pd.DataFrame, scope: str, level: str = "lad", country: str | None = None) -> pd.DataFrame:
    """The catalogue rows scored at a level in a scope: ew_common keeps those published for both countries; the
    country scope, given a country, those published for it (else every scored one)."""
    rows = catalogue[scored_at(catalogue, level)]
    if scope == "ew_common":
        return rows[rows["countries"] == "E+W"]
    if country in COUNTRY_NAMES:
        return rows[rows["countries"].isin(["E+W", country])]
    return rows


def score_source_line(
    measure: str, method: str, catalogue: pd.DataFrame, sources: pd.DataFrame, scope: str = DEFAULT_SCOPE, level: str = "lad", country: str | None = None
) -> SourceLine:
    """The scored indicators behind a score in a scope: ew_common uses only those published for both countries; the
    country scope, given the area's country, those published for it."""
    factor = score_factor(measure)
    rows = scope_indicators(catalogue, scope, level, country)
    if factor != "composite":
        rows = rows[rows["factor"] == int(factor)]
    ids = sorted({s.strip() for ids in rows["source_id"] for s in ids.split(",")} - LOOKUP_SOURCES)
    lic = sources[sources["source_id"].isin(ids)]["licence"].map(lambda x: LICENCE_SHORT.get(x, x))
    return SourceLine(
        source=f"Cohesion Atlas {METHOD_LABELS.get(method, method).lower()} scores from {len(rows)} indicators"
        + (f" published for {COUNTRY_NAMES[country]}" if scope != "ew_common" and country in COUNTRY_NAMES else "")
        + (" (each country on its own)" if scope != "ew_common" and country not in COUNTRY_NAMES else "")
        + f" ({', '.join(ids)})",
        period="latest published period of each indicator",
        licence=", ".join(sorted(set(lic))) or "OGL v3.0",
    )


def measure_source_line(measure: str, period: str, method: str, catalogue: pd.DataFrame, sources: pd.DataFrame, scope: str = DEFAULT_SCOPE, level: str = "lad") -> SourceLine:
    if is_score(measure):
        return score_source_line(measure, method, catalogue, sources, scope, level)
    return source_line(measure, period, catalogue, sources)


# ---------------------------------------------------------------- map and ward tables

def measure_frame(
    measure: str,
    period: str,
    method: str,
    level: str,
    values: pd.DataFrame,
    scores: pd.DataFrame,
    catalogue: pd.DataFrame,
    names: dict[str, str],
    small: frozenset[str] | set[str] | None = None,
) -> pd.DataFrame:
    """One row per area with a value: area_code, area_name, value, rank, rank_low, rank_high, n_areas, rank_text,
    value_text, note (the small-population note), and for scores evidence; at LA level a hover line, detail.

    values / scores are already the rows of this level and scope (and indicator, for values). A score's rank is out
    of its own universe (n_areas: all LAs, or the LAs of its country). Ranks: 1 = best; context indicators are ranked
    highest first and said to be context.
    """
    if is_score(measure):
        mine = scores[(scores["factor"] == score_factor(measure)) & (scores["method"] == method)]
        mine = mine[mine["score"].notna()]
        frame = mine[["area_code", "score", "rank", "rank_low", "rank_high", "n_areas"]].rename(columns={"score": "value"})
        frame["evidence"] = [evidence_text(r) for r in mine.to_dict("records")]
        unit = "score (higher = better)"
    else:
        mine = values[values["period"] == period]
        frame = mine[["area_code", "value"]].copy()
        row = catalogue_row(catalogue, measure) or {"polarity": "context", "unit": ""}
        ascending = row["polarity"] == "lower_is_better"
        frame["rank"] = frame["value"].rank(ascending=ascending, method="min")
        frame["rank_low"] = np.nan
        frame["rank_high"] = np.nan
        frame = frame[frame["value"].notna()].copy()
        frame["n_areas"] = len(frame)
        unit = row["unit"]
    frame = frame[frame["value"].notna()].copy()
    frame["area_name"] = frame["area_code"].map(names).fillna(frame["area_code"])
    frame["rank_text"] = [rank_text(r, lo, hi, int(n)) for r, lo, hi, n in zip(frame["rank"], frame["rank_low"], frame["rank_high"], frame["n_areas"])]
    frame["value_text"] = [fmt_value(v, unit) for v in frame["value"]]
    frame["note"] = [small_note(c, small or frozenset()) for c in frame["area_code"]]
    if level == "lad":
        # one hover line under the rank: evidence strength for scores, the small-population note wherever it applies
        evidence = frame["evidence"] if "evidence" in frame else pd.Series("", index=frame.index)
        frame["detail"] = [" · ".join(p for p in (e, n) if p) for e, n in zip(evidence, frame["note"])]
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------- profile

def group_rank(scores: pd.Series, area: str, members: list[str]) -> tuple[float, int]:
    """Rank (1 = best) of `area` among `members` (itself included) by score."""
    members = [m for m in dict.fromkeys([area, *members]) if m in scores.index]
    block = scores.reindex(members).dropna()
    if area not in block.index:
        return np.nan, len(block)
    return float((block > block[area]).sum() + 1), len(block)


def group_band(area: str, members: list[str], ranks: pd.Series, low: float, high: float) -> tuple[float, float]:
    """The national rank band carried into a group: 1 + the members (other than the area) ranked better than each end.

    An approximation (the other members' ranks are held at their point values), labelled as such on the page.
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return np.nan, np.nan
    others = ranks.reindex([m for m in dict.fromkeys(members) if m != area]).dropna()
    return float((others < low).sum() + 1), float((others < high).sum() + 1)


def factor_summary(
    area: str,
    method: str,
    lad_scores: pd.DataFrame,
    areas: pd.DataFrame,
    neighbours: pd.DataFrame,
    neighbour_kind: str = "ons_global",
    scope: str = DEFAULT_SCOPE,
) -> pd.DataFrame:
    """The five factors and the composite for one LA in one scope: score, rank with band out of its universe
    (n_areas), rank in region and among similar areas, and the evidence behind the score.

    lad_scores holds the rows of this scope. In scope 'country' the region and similar-area groups keep only LAs of
    the area's own country: scores from the two countries' universes are not comparable.
    """
    lads = areas[areas["level"] == "lad"].set_index("area_code")
    region = lads.loc[area, "region_code"] if area in lads.index else None
    same_universe = lads.index if scope != "country" or area not in lads.index else lads.index[lads["country"] == lads.loc[area, "country"]]
    region_members = lads.index[lads["region_code"] == region].tolist()
    similar = neighbours[(neighbours["area_code"] == area) & (neighbours["kind"] == neighbour_kind)]["neighbour_code"]
    similar = [c for c in similar if c in same_universe]
    mine = lad_scores[(lad_scores["method"] == method) & lad_scores["area_code"].isin(same_universe)]
    rows = []
    for factor in [*[str(n) for n in FACTORS], "composite"]:
        block = mine[mine["factor"] == factor].set_index("area_code")
        if area not in block.index:
            continue
        me = block.loc[area]
        region_rank, region_n = group_rank(block["score"], area, region_members)
        similar_rank, similar_n = group_rank(block["score"], area, similar)
        region_low, region_high = group_band(area, region_members, block["rank"], me["rank_low"], me["rank_high"])
        similar_low, similar_high = group_band(area, similar, block["rank"], me["rank_low"], me["rank_high"])
        rows.append(
            {
                "factor": factor,
                "name": "Composite" if factor == "composite" else f"{factor}. {FACTORS[int(factor)]}",
                "score": me["score"],
                "rank": me["rank"],
                "rank_low": me["rank_low"],
                "rank_high": me["rank_high"],
                "n_areas": int(me["n_areas"]),
                "region_rank": region_rank,
                "region_n": region_n,
                "region_low": region_low,
                "region_high": region_high,
                "similar_rank": similar_rank,
                "similar_n": similar_n,
                "similar_low": similar_low,
                "similar_high": similar_high,
                "n_indicators": int(me["n_indicators"]),
                "evidence": evidence_text(me),
                "small_population": bool(me.get("small_population", False)),
                "missing_reason": me["missing_reason"],
            }
        )
    return pd.DataFrame(rows)


def indicator_rows(
    area: str,
    comparator: str,
    lad_values: pd.DataFrame,
    benchmarks: pd.DataFrame,
    catalogue: pd.DataFrame,
    sources: pd.DataFrame,
    source_text: dict[str, str] | None = None,
    scope: str = DEFAULT_SCOPE,
) -> pd.DataFrame:
    """Every indicator held for one LA: latest value, its comparator, the benchmark flag, a trend list, the source and
    whether it enters the factor scores of the scope (in_scores)."""
    source_text = source_text or source_texts(catalogue, sources)
    mine = lad_values[lad_values["area_code"] == area]
    bench = benchmarks[benchmarks["area_code"] == area].set_index("indicator_id")
    column = COMPARATOR_COLUMNS[comparator]
    flag_column = {"region": "flag_vs_region", "country": "flag_vs_country"}.get(comparator)
    rows = []
    for ind in catalogue.itertuples():
        series = mine[mine["indicator_id"] == ind.indicator_id]
        if series.empty:
            continue
        order = sort_periods(series["period"])
        series = series.set_index("period").reindex(order)
        if ind.indicator_id in bench.index:
            b = bench.loc[ind.indicator_id]
            period, value, comp = b["period"], b["value"], b[column]
            flag = b[flag_column] if flag_column else "not tested (no interval against a median)"
        else:
            period, value, comp, flag = order[-1], series["value"].iloc[-1], np.nan, "not compared"
        rows.append(
            {
                "factor": int(ind.factor),
                "indicator_id": ind.indicator_id,
                "title": ind.title,
                "value": float(value),
                "unit": ind.unit,
                "period": period,
                "comparator": float(comp) if comp is not None and np.isfinite(comp) else np.nan,
                "flag": flag,
                "trend": [float(v) for v in series["value"]] if len(series) > 1 else [],
                "trend_periods": f"{order[0]} to {order[-1]}" if len(order) > 1 else "",
                "source": source_text.get(ind.indicator_id, ""),
                "polarity": ind.polarity,
                "proxy": bool(ind.proxy),
                "countries": ind.countries,
                "in_scores": in_scores_text(ind._asdict(), scope),
            }
        )
    return pd.DataFrame(rows)


def in_scores_text(row: dict, scope: str, level: str = "lad") -> str:
    """Whether an indicator enters the factor scores of a scope at a level, and if not why (catalogue row as a dict)."""
    if not row.get("factor"):
        return "no: context, never scored"
    scored_levels = str(row.get("scored_levels", row.get("levels", "") if row.get("scored", True) else ""))
    if not bool(row.get("scored", True)) or level not in scored_levels.split(", "):
        reason = str(row.get("unscored_reason") or "").strip()
        return f"no: {reason}" if reason else "no: shown but not scored"
    if scope == "ew_common" and row.get("countries") != "E+W":
        only = {"E": "England", "W": "Wales"}.get(row.get("countries"), row.get("countries"))
        return f"not in this scope ({only} only)"
    return "yes"


def scope_note(catalogue: pd.DataFrame, scope: str, country: str) -> str:
    """What the scores of an LA of this country leave out in this scope ('' when nothing needs saying)."""
    scored = catalogue[scored_at(catalogue, "lad") & (catalogue["factor"] > 0)]
    own_only = scored[scored["countries"] == country]
    other_only = unavailable_for_country(catalogue, country)
    shorten = lambda titles: "; ".join(textwrap.shorten(t, 60, placeholder="…") for t in titles)  # noqa: E731
    if country == "W":
        text = (
            f"Welsh authority: {len(other_only)} indicators are published for England only and are not in these scores "
            f"({shorten(other_only['title'])}). Deprivation uses the Welsh Index (WIMD), never compared with the English IoD."
        )
        if scope == "ew_common" and len(own_only):
            text += f" In this scope the {len(own_only)} indicator(s) published for Wales only ({shorten(own_only['title'])}) are left out too."
        return text
    if scope == "ew_common" and len(own_only):
        return (
            f"These scores use only the indicators published for both countries: {len(own_only)} published for "
            f"{COUNTRY_NAMES[country]} only ({shorten(own_only['title'])}) are shown below but not scored here. "
            f"Choose '{SCOPE_LABELS['country']}' to rank this LA among {COUNTRY_NAMES[country]}'s LAs on all of them."
        )
    return ""


def unavailable_for_country(catalogue: pd.DataFrame, country: str) -> pd.DataFrame:
    """Indicators published only for the other country (e.g. England-only for a Welsh LA)."""
    other = "E" if country == "W" else "W"
    return catalogue[catalogue["countries"] == other][["indicator_id", "title", "factor"]]


# ---------------------------------------------------------------- ward profile

WARD_FIFTHS = {1: "best fifth", 2: "second fifth", 3: "middle fifth", 4: "fourth fifth", 5: "worst fifth"}
CONTEXT_FIFTHS = {1: "highest fifth", 2: "second fifth", 3: "middle fifth", 4: "fourth fifth", 5: "lowest fifth"}
WARD_NOT_COMPARED = (
    "Flags: not compared. Ward values carry no confidence interval, so no ward is flagged better, similar or worse "
    "than its LA, its country or its similar wards."
)
LOW_RELIABILITY_MARK = "⚠ low reliability"


def wards_of(lad: str, areas: pd.DataFrame) -> list[str]:
    """The ward codes of one LA, by English name."""
    wards = areas[(areas["level"] == "ward") & (areas["parent_code"] == lad)]
    return wards.sort_values("area_name")["area_code"].tolist()


def ward_position_note(country: str) -> str:
    return (
        f"Position: the ward's rank among the wards of {COUNTRY_NAMES.get(country, country)} holding a value (1 = best; for context "
        "measures 1 = highest) and the fifth of them it falls in. A position, not a significance test."
    )


def position_text(rank, n, fifth, polarity: str) -> str:
    """e.g. '96 of 762 · best fifth'; context measures are placed highest first and say so."""
    if rank is None or not np.isfinite(rank) or not n:
        return "not placed"
    words = CONTEXT_FIFTHS if polarity == "context" else WARD_FIFTHS
    return f"{int(rank)} of {int(n)}{' (highest first)' if polarity == 'context' else ''} · {words[int(fifth)]}"


def rests_on_text(n_small_areas, best_fit_share) -> tuple[str, bool]:
    """What a ward value is summed from, e.g. '54 OAs' or '1 LSOA · 48% of its residents in the ward', and whether
    it is flagged: an LSOA-based value resting on one LSOA, or on LSOAs under half of whose residents live in the ward."""
    if n_small_areas is None or not np.isfinite(n_small_areas):
        return "the ward itself", False
    n = int(n_small_areas)
    if best_fit_share is None or not np.isfinite(best_fit_share):
        return f"{n} OA{'s' if n != 1 else ''}", False
    low = n < MIN_LSOAS or best_fit_share < MIN_BEST_FIT_SHARE
    text = f"{n} LSOA{'s' if n != 1 else ''} · {best_fit_share:.0%} in ward"
    return (f"{text} · {LOW_RELIABILITY_MARK}" if low else text), low


def ward_reliability_row(ward: str, reliability: pd.DataFrame) -> dict | None:
    """The ward's row of ward_reliability (n_lsoa, n_oa, best_fit_share, low_reliability, reliability_note), if held."""
    if reliability is None or reliability.empty:
        return None
    hit = reliability[reliability["area_code"] == ward]
    return hit.iloc[0].to_dict() if len(hit) else None


def rests_on_counts(reliability: dict) -> str:
    """e.g. '54 output areas, 10 best-fit LSOAs'."""
    n_oa, n_lsoa = int(reliability["n_oa"]), int(reliability["n_lsoa"])
    return f"{n_oa} output area{'s' if n_oa != 1 else ''}, {n_lsoa} best-fit LSOA{'s' if n_lsoa != 1 else ''}"


def ward_single_indicators(ward: str, ward_scores: pd.DataFrame) -> dict[str, int]:
    """indicator_id -> factor for the ward's factors that rest on a single indicator (shown under the factor's name)."""
    if "single_indicator" not in ward_scores:
        return {}
    mine = ward_scores[(ward_scores["area_code"] == ward) & ward_scores["single_indicator"].fillna("").ne("")]
    return {i: int(f) for i, f in zip(mine["single_indicator"], mine["factor"])}


def ward_scored_factors(ward: str, method: str, ward_scores: pd.DataFrame) -> list[str]:
    """The factors with a score for this ward, which its composite covers."""
    mine = ward_scores[(ward_scores["area_code"] == ward) & (ward_scores["method"] == method) & ward_scores["score"].notna()]
    return [f for f in (str(n) for n in FACTORS) if f in set(mine["factor"])]


def ward_factor_rows(ward: str, method: str, ward_scores: pd.DataFrame, ward_benchmarks: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The five factors and the composite for one ward: a score ranked among its country's wards (with its band), or
    for a factor resting on one indicator that indicator's value and rank, labelled 'single indicator', never a score;
    or why there is neither. The composite's label lists the factors it covers."""
    mine = ward_scores[(ward_scores["area_code"] == ward) & (ward_scores["method"] == method)].set_index("factor")
    values = ward_benchmarks[ward_benchmarks["area_code"] == ward].set_index("indicator_id")
    covered = ward_scored_factors(ward, method, ward_scores)
    rows = []
    for factor in [*[str(n) for n in FACTORS], "composite"]:
        if factor == "composite":
            name = f"Composite of factors {and_join(covered)}" if covered else "Composite"
        else:
            name = f"{factor}. {FACTORS[int(factor)]}"
        row = {"factor": factor, "name": name, "kind": "none", "measure": "", "value": np.nan, "value_text": "", "rank": np.nan,
               "rank_low": np.nan, "rank_high": np.nan, "n_areas": 0, "rank_text": "not ranked", "evidence": "", "indicator_title": ""}
        if factor not in mine.index:
            if factor == "composite":
                continue
            row["measure"] = "no ward-level indicator of this factor is held here"
            rows.append(row)
            continue
        r = mine.loc[factor]
        single = str(r.get("single_indicator", "") or "")
        row.update(rank=r["rank"], rank_low=r["rank_low"], rank_high=r["rank_high"], n_areas=int(r["n_areas"]), evidence=evidence_text(r))
        if single:
            ind = catalogue_row(catalogue, single) or {"title": single, "unit": ""}
            value = values["value"].get(single, np.nan)
            row.update(kind="single indicator", measure=f"single indicator, not a score: {ind['title']}", indicator_title=ind["title"], value=value,
                       value_text=f"{fmt_value(value, ind['unit'])}{unit_suffix(ind['unit'])}" if np.isfinite(value) else "no value",
                       rank_text=rank_text(r["rank"], np.nan, np.nan, int(r["n_areas"])))
        elif np.isfinite(r["score"]):
            row.update(kind="score", measure=f"score ({METHOD_LABELS.get(method, method).lower()})", value=r["score"], value_text=f"{r['score']:.3f}",
                       rank_text=rank_text(r["rank"], r["rank_low"], r["rank_high"], int(r["n_areas"])))
        else:
            row.update(kind="no score", measure=f"no score: {r['missing_reason'] or 'too few indicators with a value'}")
        rows.append(row)
    return pd.DataFrame(rows)


def ward_indicator_rows(
    ward: str,
    ward_benchmarks: pd.DataFrame,
    ward_values: pd.DataFrame,
    catalogue: pd.DataFrame,
    single_indicators: dict[str, int],
    source_text: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Every indicator held for one ward at its latest period: value, its LA, its country, the median of its similar
    wards, its position among the country's wards, what it rests on (flagged where that is one LSOA or a poor best
    fit), whether it enters the ward's scores, and its source."""
    source_text = source_text or {}
    bench = ward_benchmarks[ward_benchmarks["area_code"] == ward].set_index("indicator_id")
    held = ward_values[ward_values["area_code"] == ward].set_index(["indicator_id", "period"])
    rows = []
    for ind in catalogue.itertuples():
        if ind.indicator_id not in bench.index:
            continue
        b = bench.loc[ind.indicator_id]
        raw = held.loc[(ind.indicator_id, b["period"])] if (ind.indicator_id, b["period"]) in held.index else {}
        rests, low = rests_on_text(raw.get("n_small_areas", np.nan), raw.get("best_fit_share", np.nan))
        if ind.indicator_id in single_indicators:
            in_scores = f"no: factor {single_indicators[ind.indicator_id]}'s only ward indicator here, shown as that factor (single indicator)"
        else:
            in_scores = in_scores_text(ind._asdict(), WARD_SCOPE, level="ward")
        rows.append(
            {
                "factor": int(ind.factor),
                "indicator_id": ind.indicator_id,
                "title": ind.title if (not ind.proxy or "proxy" in ind.title.lower()) else f"{ind.title} (proxy)",
                "value": float(b["value"]),
                "unit": ind.unit,
                "period": b["period"],
                "lad_value": float(b["lad_value"]),
                "country_value": float(b["country_value"]),
                "similar_median": float(b["similar_wards_median"]),
                "similar_n": int(b["similar_wards_n"]),
                "position": position_text(b["country_rank"], b["country_n"], b["country_fifth"], ind.polarity),
                "rests_on": rests,
                "low_reliability": low,
                "in_scores": in_scores,
                "source": source_text.get(ind.indicator_id, ""),
                "polarity": ind.polarity,
            }
        )
    return pd.DataFrame(rows)


def similar_ward_rows(ward: str, neighbours: pd.DataFrame, areas: pd.DataFrame, names: dict[str, str], welsh: dict[str, str]) -> pd.DataFrame:
    """The ward's similar wards, nearest first: rank, code, name (Welsh too where it has one) and LA."""
    if "kind" not in neighbours:
        return pd.DataFrame(columns=["rank", "area_code", "ward", "la"])
    mine = neighbours[(neighbours["area_code"] == ward) & (neighbours["kind"] == WARD_KNN_KIND)].sort_values("rank")
    parent = areas.set_index("area_code")["parent_code"]
    return pd.DataFrame(
        {
            "rank": mine["rank"].astype(int).to_numpy(),
            "area_code": mine["neighbour_code"].to_numpy(),
            "ward": [area_label(c, names, welsh) for c in mine["neighbour_code"]],
            "la": [area_label(parent.get(c, ""), names, welsh) for c in mine["neighbour_code"]],
        }
    )


def similar_wards_note(country: str) -> str:
    """How similar wards are chosen, naming every variable (the page states it beside the list)."""
    variables = WARD_KNN_VARIABLES_BY_COUNTRY.get(country, {})
    name = COUNTRY_NAMES.get(country, country)
    return (
        f"Similar wards: the {K_WARD_NEIGHBOURS} wards of {name} nearest to this one by Euclidean distance on these context "
        f"variables, each z-scored among {name}'s wards: {'; '.join(variables.values())}. No scored indicator is used, so "
        "similar wards are not chosen by the outcomes they are compared on. Wards missing any variable have no similar wards."
    )


# ---------------------------------------------------------------- trends

# Where a series is not comparable across a point in time, and why. Periods are labels as stored.
BREAKS: dict[str, list[tuple[str, str]]] = {
    "imd_average_score": [
        ("2007", "IoD 2007: new edition"),
        ("2010", "IoD 2010: new edition"),
        ("2015", "IoD 2015: new edition, LSOA 2011"),
        ("2019", "IoD 2019: new edition"),
        ("2025", "IoD 2025: new edition, LSOA 2021"),
    ],
    "imd_income_score": [("2025", "IoD 2025: new edition")],
    "imd_education_score": [("2025", "IoD 2025: new edition")],
    "imd_crime_score": [("2025", "IoD 2025: new edition")],
    "level3_qualifications": [("2022", "2022: new qualification framework (RQF); not comparable with earlier years")],
    "persistent_absence": [("2015/16", "2015/16: threshold changed from 15% to 10% of sessions")],
    "life_satisfaction": [("2020/21", "2020/21: survey moved to telephone interviews")],
    "worthwhile": [("2020/21", "2020/21: survey moved to telephone interviews")],
}
EDITION_NOTE = {
    "imd_average_score": "Each Indices of Deprivation edition is scored separately: compare an area's rank between editions, not the raw score.",
}


def series_breaks(indicator_id: str, periods: list[str]) -> list[tuple[str, str]]:
    present = set(periods)
    return [(p, why) for p, why in BREAKS.get(indicator_id, []) if p in present]


def lad_population(lad_values: pd.DataFrame) -> pd.Series:
    """Census 2021 residents per LA, from the population_size_log indicator (log10 residents)."""
    rows = lad_values[lad_values["indicator_id"] == "population_size_log"]
    return pd.Series(10 ** rows["value"].to_numpy(), index=rows["area_code"].to_numpy())


def weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    w = weights.reindex(values.index)
    ok = values.notna() & w.notna() & (w > 0)
    if not ok.any():
        return np.nan
    return float((values[ok] * w[ok]).sum() / w[ok].sum())


def comparator_series(
    indicator_values: pd.DataFrame,
    area: str,
    areas: pd.DataFrame,
    population: pd.Series,
    neighbours: pd.DataFrame | None = None,
    neighbour_kind: str | None = None,
) -> pd.DataFrame:
    """Long frame (period, series, value) for one LA against its region and country, each the
    population-weighted mean (Census 2021 residents) of the LAs holding a value that period; optionally the median of similar areas."""
    lads = areas[areas["level"] == "lad"].set_index("area_code")
    me = lads.loc[area]
    frame = indicator_values.assign(region=indicator_values["area_code"].map(lads["region_code"]), country=indicator_values["area_code"].map(lads["country"]))
    country_name = {"E": "England", "W": "Wales"}[me["country"]]
    out = []
    for period, block in frame.groupby("period"):
        by_code = block.set_index("area_code")["value"]
        if area in by_code.index:
            out.append((period, str(me["area_name"]), float(by_code[area])))
        if me["region_code"] != WALES_CODE:
            reg = block[block["region"] == me["region_code"]].set_index("area_code")["value"]
            out.append((period, f"Region: {me['region_name']}", weighted_mean(reg, population)))
        cty = block[block["country"] == me["country"]].set_index("area_code")["value"]
        out.append((period, f"Country: {country_name}", weighted_mean(cty, population)))
        if neighbours is not None and neighbour_kind:
            codes = neighbours[(neighbours["area_code"] == area) & (neighbours["kind"] == neighbour_kind)]["neighbour_code"]
            near = by_code.reindex(codes).dropna()
            if len(near):
                label = "ONS similar areas (median)" if neighbour_kind == "ons_global" else "Our similar areas (median)"
                out.append((period, label, float(near.median())))
    result = pd.DataFrame(out, columns=["period", "series", "value"]).dropna(subset=["value"])
    order = {p: i for i, p in enumerate(sort_periods(result["period"]))}
    return result.sort_values(["series", "period"], key=lambda s: s.map(order) if s.name == "period" else s).reset_index(drop=True)


def rank_series(indicator_values: pd.DataFrame, area: str, polarity: str) -> pd.DataFrame:
    """The LA's rank among all LAs holding a value, per period (1 = best; for context, 1 = highest)."""
    out = []
    for period, block in indicator_values.groupby("period"):
        ranks = block.set_index("area_code")["value"].rank(ascending=polarity == "lower_is_better", method="min")
        if area in ranks.index:
            out.append((period, float(ranks[area]), int(ranks.notna().sum())))
    frame = pd.DataFrame(out, columns=["period", "rank", "n_areas"])
    order = {p: i for i, p in enumerate(sort_periods(frame["period"]))}
    return frame.sort_values("period", key=lambda s: s.map(order)).reset_index(drop=True)


# ---------------------------------------------------------------- compare

def compare_table(codes: list[str], lad_values: pd.DataFrame, catalogue: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Indicators (rows) x areas (columns) at each indicator's latest period."""
    rows = []
    for ind in catalogue.itertuples():
        block = lad_values[(lad_values["indicator_id"] == ind.indicator_id) & (lad_values["period"] == ind.latest_period)]
        if block.empty:
            continue
        by_code = block.set_index("area_code")["value"]
        row = {"factor": int(ind.factor), "indicator": ind.title, "unit": ind.unit, "period": ind.latest_period}
        for code in codes:
            row[names.get(code, code)] = float(by_code[code]) if code in by_code.index else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def ward_lookup_note(sources: pd.DataFrame, ward_values: pd.DataFrame, n_wards: int) -> str:
    """The page note on ward figures: the geography source's own caveat on the derived lookup, and how many wards it leaves empty."""
    caveat = sources.set_index("source_id")["caveats"].get("geography", "") if len(sources) else ""
    lookup = str(caveat).split(";")[0].strip() if "derived" in str(caveat) else WARD_LOOKUP_FALLBACK
    lsoa_based = ward_values[ward_values["indicator_id"] == "household_deprivation_any"]["area_code"].nunique()
    empty = n_wards - lsoa_based if lsoa_based else 0
    parts = [f"{lookup.rstrip('.')}; ward figures built from LSOA data go through it."]
    if empty > 0:
        parts.append(f"{empty} small wards receive no LSOA and show no LSOA-based value.")
    parts.append("Output-area census counts and election turnout reach wards directly. See Methodology and sources.")
    return " ".join(parts)


def find_wards(query: str, areas: pd.DataFrame, limit: int = 25) -> list[str]:
    """Ward codes whose English or Welsh name contains the query (case-insensitive), exact starts first."""
    text = str(query or "").strip().lower()
    if len(text) < 2:
        return []
    wards = areas[areas["level"] == "ward"]
    english = wards["area_name"].str.lower()
    welsh = wards["area_name_welsh"].fillna("").str.lower()
    hit = wards[english.str.contains(text, regex=False) | welsh.str.contains(text, regex=False)]
    starts = hit["area_name"].str.lower().str.startswith(text)
    ordered = pd.concat([hit[starts], hit[~starts]])
    return ordered["area_code"].head(limit).tolist()


def multi_period_indicators(periods: dict[tuple[str, str], list[str]], level: str = "lad") -> list[str]:
    return [ind for (ind, lvl), ps in periods.items() if lvl == level and ind != "*" and len(ps) > 1]
