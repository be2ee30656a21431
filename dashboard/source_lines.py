"""Source lines: the source, period and licence line every chart and table carries."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dashboard.frame_memo import per_frames
from dashboard.measure_labels import catalogue_row, is_score, mid_sentence, score_factor
from vocabulary import COUNTRY_NAMES, DEFAULT_SCOPE, METHOD_LABELS

LOOKUP_SOURCES = frozenset({"geography", "oa21_lookup", "ons_lookups", "ons_boundaries"})


# The source whose boundaries every map draws; its attribution (OS data) must travel with each map.
BOUNDARY_SOURCE = "geography"


LICENCE_SHORT = {"Open Government Licence v3.0": "OGL v3.0", "Open Parliament Licence v3.0": "Open Parliament Licence v3.0"}


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


def primary_sources(indicator_id: str, catalogue: pd.DataFrame) -> list[str]:
    """An indicator's own sources: its lookups (codes, boundaries) are credited on maps, not beside each value."""
    row = catalogue_row(catalogue, indicator_id)
    ids = [s.strip() for s in (row["source_id"] if row else "").split(",") if s.strip()]
    return [s for s in ids if s not in LOOKUP_SOURCES] or ids


def named_sources(source_ids, sources: pd.DataFrame) -> SourceLine:
    """Each source once, as 'title (publisher)', with the licences they carry (period left to the caller)."""
    return _named_sources(tuple(source_ids), sources)


@per_frames
def _named_sources(source_ids: tuple[str, ...], sources: pd.DataFrame) -> SourceLine:
    by_id = sources.set_index("source_id")
    parts, licences = [], []
    for sid in dict.fromkeys(source_ids):
        if sid in by_id.index:
            src = by_id.loc[sid]
            parts.append(f"{src['title']} ({_short_publisher(src['publisher'])})")
            licences.append(LICENCE_SHORT.get(src["licence"], src["licence"]))
        else:
            parts.append(sid)
    licence = ", ".join(dict.fromkeys(licences)) or "see Methodology and sources"
    return SourceLine(source="; ".join(parts) or "Cohesion Atlas", period="", licence=licence)


def source_line(indicator_id: str, period: str, catalogue: pd.DataFrame, sources: pd.DataFrame) -> SourceLine:
    named = named_sources(primary_sources(indicator_id, catalogue), sources)
    return SourceLine(source=named.source, period=str(period), licence=named.licence)


def sources_line(indicator_ids, catalogue: pd.DataFrame, sources: pd.DataFrame) -> str:
    """One line naming every source behind a set of indicators (a factor tab), each once, with their licences: a
    table's sources stay readable at 1366 px without a column scrolled off its right edge."""
    named = named_sources([sid for i in indicator_ids for sid in primary_sources(i, catalogue)], sources)
    return f"Sources: {named.source}. Licence: {named.licence}."


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


@per_frames
def score_source_line(
    measure: str, method: str, catalogue: pd.DataFrame, sources: pd.DataFrame, scope: str = DEFAULT_SCOPE, level: str = "lad",
    country: str | None = None, factors=None,
) -> SourceLine:
    """The scored indicators behind a score in a scope: ew_common uses only those published for both countries; the
    country scope, given the area's country, those published for it. factors: the factor numbers a composite covers
    where it covers only some (a ward composite leaves out factors resting on a single ward indicator)."""
    factor = score_factor(measure)
    rows = scope_indicators(catalogue, scope, level, country)
    if factor != "composite":
        rows = rows[rows["factor"] == int(factor)]
    elif factors is not None:
        rows = rows[rows["factor"].isin([int(f) for f in factors])]
    ids = sorted({s.strip() for ids in rows["source_id"] for s in ids.split(",")} - LOOKUP_SOURCES)
    lic = sources[sources["source_id"].isin(ids)]["licence"].map(lambda x: LICENCE_SHORT.get(x, x))
    return SourceLine(
        source=f"Cohesion Atlas {mid_sentence(METHOD_LABELS.get(method, method))} scores from {len(rows)} indicators"
        + (f" published for {COUNTRY_NAMES[country]}" if scope != "ew_common" and country in COUNTRY_NAMES else "")
        + (" (each country on its own)" if scope != "ew_common" and country not in COUNTRY_NAMES else "")
        + f" ({', '.join(ids)})",
        period="latest published period of each indicator",
        licence=", ".join(sorted(set(lic))) or "OGL v3.0",
    )


def measure_source_line(
    measure: str, period: str, method: str, catalogue: pd.DataFrame, sources: pd.DataFrame, scope: str = DEFAULT_SCOPE, level: str = "lad",
    country: str | None = None, factors=None,
) -> SourceLine:
    if is_score(measure):
        return score_source_line(measure, method, catalogue, sources, scope, level, country, factors)
    return source_line(measure, period, catalogue, sources)


def boundary_credit(sources: pd.DataFrame) -> str:
    """The boundaries' credit line for maps, from the boundary source's own attribution (the OGL and OS notices)."""
    row = sources[sources["source_id"] == BOUNDARY_SOURCE]
    if row.empty:
        return "Boundaries: not in this build's sources table"
    row = row.iloc[0]
    attribution = str(row.get("attribution") or "") or f"{row['publisher']}, {row['licence']}"
    return f"Boundaries: ONS Open Geography Portal, simplified. {attribution}"
