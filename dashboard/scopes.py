"""Ranking scopes and evidence strength: which areas and indicators are ranked together, and the texts that say so."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.frame_memo import per_frames
from dashboard.source_lines import scored_at
from scoring.scores import BAND_NOTE, SMALL_POPULATION
from vocabulary import COUNTRY_NAMES, FACTORS, MIN_WARD_INDICATORS, WARD_SCOPE

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


@per_frames
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


@per_frames
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
