"""The area report of one LA or ward, assembled from the processed tables by the same view functions the profile pages
use, so a report and the page it mirrors cannot disagree. No Streamlit: the CLI, the static site and the app's
download button all call build_report."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from dashboard import measure_labels, profile_view, scopes, source_lines, ward_profile_view
from dashboard.frame_memo import per_frames
from dashboard.tables import Atlas, WardComparisons, ward_comparisons
from outputs.downloads import download_name
from reports import summary
from scoring.benchmarks import NOT_COMPARED
from scoring.scores import BAND_NOTE, COMPOSITE_CAVEAT, MAD_SCALE
from vocabulary import COUNTRY_NAMES, DEFAULT_SCOPE, FACTOR_SHORT, FACTORS, METHOD_LABELS, SCOPE_LABELS, WARD_SCOPE, proxy_title

# What every report ranks by: the app's defaults, so a report matches the profile a first-time reader opens.
REPORT_METHOD = "robust_z"
REPORT_NEIGHBOURS = "ons_global"
FACTOR_KEYS = [*[str(n) for n in FACTORS], "composite"]


@per_frames
def snapshot_date(sources: pd.DataFrame) -> str:
    """The day the snapshot's sources were retrieved (the latest retrieval): the report's date and its file name's."""
    retrieved = sources.get("retrieved", pd.Series(dtype=str)).dropna().astype(str)
    retrieved = retrieved[retrieved.str.match(r"\d{4}-\d{2}-\d{2}")]
    return max(retrieved) if len(retrieved) else "undated"


class UnknownArea(KeyError):
    """A code that is no LA or ward of this atlas: said in one line, without KeyError's quotes."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown area"


@dataclass
class ReportTables:
    """The atlas tables held once per run, with each per-area table split by area, so one report is lookups and the
    site's 7,906 reports take minutes, not hours."""

    atlas: Atlas
    wards: WardComparisons

    @classmethod
    def from_atlas(cls, atlas: Atlas) -> "ReportTables":
        return cls(atlas=atlas, wards=ward_comparisons(atlas))

    def compute_all(self) -> "ReportTables":
        """Work out every lookup now (the static site does, before its workers fork, so they share them)."""
        for name, member in vars(type(self)).items():
            if isinstance(member, cached_property):
                getattr(self, name)
        return self

    @cached_property
    def snapshot_date(self) -> str:
        return snapshot_date(self.atlas.sources)

    @cached_property
    def areas(self) -> pd.DataFrame:
        return self.atlas.areas.set_index("area_code")

    @cached_property
    def catalogue(self) -> pd.DataFrame:
        return self.atlas.catalogue.set_index("indicator_id")

    @cached_property
    def primary_sources(self) -> dict[str, list[str]]:
        return {i: source_lines.primary_sources(i, self.atlas.catalogue) for i in self.atlas.catalogue["indicator_id"]}

    @cached_property
    def sources_by_id(self) -> dict[str, dict]:
        return {str(row["source_id"]): row for row in self.atlas.sources.to_dict("records")}

    @cached_property
    def lad_values_by(self) -> dict[str, pd.DataFrame]:
        return self._split(self.atlas.level_values("lad"))

    @cached_property
    def lad_benchmarks_by(self) -> dict[str, pd.DataFrame]:
        return self._split(self.atlas.benchmarks)

    @cached_property
    def ward_scores(self) -> pd.DataFrame:
        return self.atlas.scores_for("ward", WARD_SCOPE)

    def _split(self, frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
        return {code: block for code, block in frame.groupby("area_code", sort=False)}

    @cached_property
    def ward_scores_by(self) -> dict[str, pd.DataFrame]:
        return self._split(self.ward_scores)

    @cached_property
    def ward_benchmarks_by(self) -> dict[str, pd.DataFrame]:
        return self._split(self.wards.benchmarks)

    @cached_property
    def ward_values_by(self) -> dict[str, pd.DataFrame]:
        return self._split(self.atlas.level_values("ward"))

    @cached_property
    def ward_similar_by(self) -> dict[str, pd.DataFrame]:
        return self._split(self.wards.similar)

    @cached_property
    def wards_by_lad(self) -> dict[str, list[str]]:
        wards = self.atlas.areas[self.atlas.areas["level"] == "ward"].sort_values("area_name")
        return {lad: block["area_code"].tolist() for lad, block in wards.groupby("parent_code", sort=False)}

    @cached_property
    def ward_score_series(self) -> dict[tuple[str, str], pd.Series]:
        """(factor, method) -> every ward's score, for ranks among an LA's wards or among similar wards."""
        return {key: block.set_index("area_code")["score"] for key, block in self.ward_scores.groupby(["factor", "method"])}

    @cached_property
    def spreads(self) -> dict[tuple[str, str, str], float]:
        """(level, indicator, country) -> the robust spread (1.4826 x MAD) of the latest values among the country's
        areas: how far a value is from its comparator is read in these units, so indicators of any unit compare."""
        out = {}
        for level, table in (("lad", self.atlas.benchmarks), ("ward", self.wards.benchmarks)):
            country = table["area_code"].map(self.areas["country"])
            for (indicator_id, c), values in table.groupby([table["indicator_id"], country])["value"]:
                values = values.dropna()
                mad = float(np.median(np.abs(values - values.median()))) * MAD_SCALE if len(values) else np.nan
                out[(level, indicator_id, c)] = mad
        return out


@dataclass
class Report:
    """Everything one report shows, as plain values: the HTML template and the summary rules read only this."""

    code: str
    level: str  # "lad" or "ward"
    name: str
    welsh_name: str
    country: str
    country_name: str
    region_name: str
    parent_code: str
    parent_name: str
    area_km2: float
    snapshot_date: str
    method_label: str
    scope_text: str
    factors: list[dict]
    indicators: list[dict]
    similar: list[dict]
    similar_label: str
    methods: list[str]
    sources: list[dict]
    notes: list[str] = field(default_factory=list)
    summary: list = field(default_factory=list)  # list[summary.Sentence], filled by build_report

    @property
    def title(self) -> str:
        return f"{self.name} / {self.welsh_name}" if self.welsh_name and self.welsh_name != self.name else self.name

    @property
    def kind(self) -> str:
        return "local authority district" if self.level == "lad" else "electoral ward"

    def file_name(self, extension: str) -> str:
        return report_file_name(self.name, self.code, self.snapshot_date, extension)

    @property
    def file_stem(self) -> str:
        return self.file_name("pdf").removesuffix(".pdf")

    def factor(self, key: str) -> dict | None:
        return next((f for f in self.factors if f["factor"] == key), None)

    def indicators_of(self, factor: int) -> list[dict]:
        return [i for i in self.indicators if i["factor"] == factor]


def report_file_name(name: str, code: str, snapshot_date: str, extension: str) -> str:
    """A report's file name, after the area and the snapshot's date (not today's, so the same data always gives the
    same file): 'cohesion-atlas_blackpool-E06000009-report_2026-11-27.pdf'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "area"
    try:
        dated = date.fromisoformat(snapshot_date)
    except ValueError:
        dated = None
    return download_name(f"{slug}-{code}-report", extension, today=dated)


def build_report(code: str, tables: ReportTables) -> Report:
    """The report of one LA or ward; KeyError (with the code) for a code the atlas does not hold."""
    level = tables.atlas.level_of.get(code)
    if level == "lad":
        report = _lad_report(code, tables)
    elif level == "ward":
        report = _ward_report(code, tables)
    else:
        raise UnknownArea(f"{code} is not an LA or ward code of this atlas (May 2025 boundaries, e.g. E06000009 or W05001273)")
    report.summary = summary.sentences(report, tables)
    return report


def _trends(values: pd.DataFrame) -> dict[str, tuple[list[float], list[str]]]:
    """indicator_id -> every period's value for one area, oldest first."""
    out = {}
    for indicator_id, series in values.groupby("indicator_id", sort=False):
        by_period = dict(zip(series["period"].astype(str), series["value"].astype(float)))
        order = measure_labels.sort_periods(list(by_period))
        out[indicator_id] = ([by_period[p] for p in order], order)
    return out


def _series_break_after(breaks: str, periods: list[str]) -> str:
    """The publisher's note on a series break at the latest period, which makes the last change no like-for-like
    comparison ('' when none)."""
    try:
        noted = json.loads(breaks or "[]")
    except ValueError:
        noted = []
    if len(periods) < 2:
        return ""  # one period: no change to qualify
    latest = periods[-1]
    return next((str(note) for period, note in noted if str(period) == latest), "")


def _indicator_extras(ind: dict, trend: list[float], periods: list[str]) -> dict:
    return {
        "trend": trend,
        "trend_periods": periods,
        "trend_text": (f"{measure_labels.fmt_value(trend[0], ind['unit'])} ({periods[0]}) to "
                       f"{measure_labels.fmt_value(trend[-1], ind['unit'])} ({periods[-1]})") if len(trend) > 1 else "",
        "series_break": _series_break_after(ind.get("series_breaks", ""), periods),
    }


def sources_of(indicator_ids: list[str], tables: ReportTables) -> list[dict]:
    """Each source behind the report's indicators and boundaries once, with publisher, licence and edition."""
    ids = [sid for i in indicator_ids for sid in tables.primary_sources.get(i, [])]
    ids.append(source_lines.BOUNDARY_SOURCE)
    out = []
    for sid in dict.fromkeys(ids):
        if sid not in tables.sources_by_id:
            continue
        s = tables.sources_by_id[sid]
        out.append(
            {
                "source_id": sid,
                "title": str(s["title"]),
                "publisher": str(s["publisher"]),
                "licence": str(s["licence"]),
                "licence_url": str(s.get("licence_url", "") or ""),
                "attribution": str(s.get("attribution", "") or ""),
                "published": str(s.get("published", "") or ""),
                "retrieved": str(s.get("retrieved", "") or ""),
                "landing_page": str(s.get("landing_page", "") or ""),
            }
        )
    return out


def methods_text(level: str, country: str) -> list[str]:
    """The methods box of a report of this level and country (the static site writes them once, on its methods page)."""
    rank_unit = "LAs" if level == "lad" else "wards"
    return [
        f"Scores: each indicator is turned into a {METHOD_LABELS[REPORT_METHOD].lower()} (the median of the areas ranked "
        "together is 0; lower-is-better measures are turned round so a higher score is always better), then averaged "
        "within each factor with equal weights. Context measures (who lives somewhere: ethnicity, birthplace, language, "
        "religion, age, tenure) are shown beside the scores and never enter them.",
        f"Ranks: 1 is best among the {rank_unit} ranked together. {BAND_NOTE}",
        profile_view.FLAG_NOTE if level == "lad" else ward_profile_view.WARD_NOT_COMPARED,
        measure_labels.position_note(country, rank_unit),
        "Deprivation uses the English Indices of Deprivation for English areas and the Welsh Index (WIMD) for Welsh "
        "areas; the two are never put on one scale.",
        f"Composite: {COMPOSITE_CAVEAT}",
        "Summary: each sentence is generated by fixed rules from the values in this report, never by a language model. "
        + " ".join(summary.RULES),
    ]


def _lad_report(code: str, tables: ReportTables) -> Report:
    a = tables.atlas
    me = tables.areas.loc[code]
    country = str(me["country"])
    scope = DEFAULT_SCOPE
    summary = profile_view.factor_summary(code, REPORT_METHOD, a.scores_for("lad", scope), a.areas, a.neighbours, REPORT_NEIGHBOURS, scope)
    in_country = profile_view.factor_summary(code, REPORT_METHOD, a.scores_for("lad", "country"), a.areas, a.neighbours, REPORT_NEIGHBOURS, "country")
    in_country = in_country.set_index("factor") if len(in_country) else in_country
    group = str(me["region_name"]) if country == "E" else "Wales"
    stored = a.scores_for("lad", scope)
    stored = stored[(stored["area_code"] == code) & (stored["method"] == REPORT_METHOD)].set_index("factor")
    factors = []
    for r in summary.to_dict("records"):
        own = in_country.loc[r["factor"]] if r["factor"] in getattr(in_country, "index", []) else None
        factors.append(
            {
                **r,
                "short": FACTOR_SHORT[r["factor"]],
                "rank_text": measure_labels.rank_text(r["rank"], r["rank_low"], r["rank_high"], r["n_areas"]),
                "group_name": group,
                "region_text": measure_labels.rank_text(r["region_rank"], r["region_low"], r["region_high"], r["region_n"]),
                "similar_text": measure_labels.rank_text(r["similar_rank"], r["similar_low"], r["similar_high"], r["similar_n"]),
                "country_rank": own["rank"] if own is not None else np.nan,
                "country_n": int(own["n_areas"]) if own is not None else 0,
                "country_text": measure_labels.rank_text(own["rank"], own["rank_low"], own["rank_high"], int(own["n_areas"])) if own is not None else "not ranked",
                "country_evidence": own["evidence"] if own is not None else "",
                "proxy_share": stored["proxy_share"].get(r["factor"], np.nan),
                "inherited_share": stored["inherited_share"].get(r["factor"], np.nan),
                "period_oldest": stored["period_oldest"].get(r["factor"], np.nan),
            }
        )
    values = tables.lad_values_by.get(code, a.values.iloc[0:0])
    bench = tables.lad_benchmarks_by.get(code, a.benchmarks.iloc[0:0])
    rows = profile_view.indicator_rows(code, "region", values, bench, a.catalogue, a.sources, a.source_text, scope=scope)
    bench = bench.set_index("indicator_id")
    trends = _trends(values)
    indicators = []
    for r in rows.to_dict("records"):
        i = r["indicator_id"]
        ind = tables.catalogue.loc[i]
        held = bench.loc[i] if i in bench.index else {}
        comparators = {c: float(held.get(column, np.nan)) if len(held) else np.nan
                       for c, column in (("country", "country_value"), ("similar", "ons_neighbours_median"))}
        trend, periods = trends.get(i, ([], []))
        indicators.append(
            {
                **r,
                "title": proxy_title(r["title"], r["proxy"]),
                "region_value": r["comparator"],
                "region_text": r["comparator_text"],
                "flag_vs_region": r["flag"],
                "country_value": comparators["country"],
                "country_text": measure_labels.fmt_value(comparators["country"], r["unit"], missing="–"),
                "flag_vs_country": held.get("flag_vs_country", NOT_COMPARED) if len(held) else NOT_COMPARED,
                "similar_value": comparators["similar"],
                "similar_text": measure_labels.fmt_value(comparators["similar"], r["unit"], missing="–"),
                "caveats": str(ind.get("caveats", "") or ""),
                **_indicator_extras({"unit": r["unit"], "series_breaks": ind.get("series_breaks", "")}, trend, periods),
            }
        )
    neighbours = a.neighbours[(a.neighbours["area_code"] == code) & (a.neighbours["kind"] == REPORT_NEIGHBOURS)].sort_values("rank")
    similar = [{"code": c, "name": a.label(c), "level": "lad"} for c in neighbours["neighbour_code"]]
    notes = []
    if code in a.small_areas:
        notes.append(f"{me['area_name']} {scopes.SMALL_POPULATION_NOTE}")
    if note := profile_view.scope_note(a.catalogue, scope, country):
        notes.append(note)
    if note := profile_view.factor_note(a.catalogue, 5):
        notes.append(note)
    return Report(
        code=code,
        level="lad",
        name=str(me["area_name"]),
        welsh_name=a.welsh.get(code, ""),
        country=country,
        country_name=COUNTRY_NAMES[country],
        region_name=str(me["region_name"]) if country == "E" else "",
        parent_code="",
        parent_name="",
        area_km2=float(me["area_km2"]),
        snapshot_date=tables.snapshot_date,
        method_label=METHOD_LABELS[REPORT_METHOD],
        scope_text=f"{a.scope_caption(scope)} The 'In {COUNTRY_NAMES[country]}' ranks use the scope '{SCOPE_LABELS['country']}'.",
        factors=factors,
        indicators=indicators,
        similar=similar,
        similar_label="ONS similar areas (statistical nearest neighbours, ONS Explore Local Statistics)",
        methods=methods_text("lad", country),
        sources=sources_of([i["indicator_id"] for i in indicators], tables),
        notes=notes,
    )


def _ward_report(code: str, tables: ReportTables) -> Report:
    a = tables.atlas
    me = tables.areas.loc[code]
    country = str(me["country"])
    lad = str(me["parent_code"])
    empty_scores = tables.ward_scores.iloc[0:0]
    empty_bench = tables.wards.benchmarks.iloc[0:0]
    scores = tables.ward_scores_by.get(code, empty_scores)
    bench = tables.ward_benchmarks_by.get(code, empty_bench)
    values = tables.ward_values_by.get(code, a.values.iloc[0:0])
    factor_rows = ward_profile_view.ward_factor_rows(code, REPORT_METHOD, scores, bench, a.catalogue)
    similar_rows = ward_profile_view.similar_ward_rows(code, tables.ward_similar_by.get(code, tables.wards.similar.iloc[0:0]), a.areas, a.names, a.welsh)
    la_wards = tables.wards_by_lad.get(lad, [])
    similar_codes = similar_rows["area_code"].tolist()
    factors = []
    for r in factor_rows.to_dict("records"):
        series = tables.ward_score_series.get((r["factor"], REPORT_METHOD), pd.Series(dtype=float))
        ranked = r["kind"] == "score"
        la_rank, la_n = profile_view.group_rank(series, code, la_wards) if ranked else (np.nan, 0)
        similar_rank, similar_n = profile_view.group_rank(series, code, similar_codes) if ranked else (np.nan, 0)
        stored = scores[(scores["factor"] == r["factor"]) & (scores["method"] == REPORT_METHOD)]
        stored = stored.iloc[0] if len(stored) else {}
        factors.append(
            {
                **r,
                "short": r["name"] if r["factor"] == "composite" else FACTOR_SHORT[r["factor"]],
                "group_name": a.names.get(lad, lad),
                "region_rank": la_rank,
                "region_n": la_n,
                "region_text": measure_labels.rank_text(la_rank, np.nan, np.nan, la_n) if ranked else "not ranked",
                "similar_rank": similar_rank,
                "similar_n": similar_n,
                "similar_text": measure_labels.rank_text(similar_rank, np.nan, np.nan, similar_n) if ranked else "not ranked",
                "proxy_share": stored.get("proxy_share", np.nan) if len(stored) else np.nan,
                "inherited_share": stored.get("inherited_share", np.nan) if len(stored) else np.nan,
                "period_oldest": stored.get("period_oldest", "") if len(stored) else "",
            }
        )
    single = ward_profile_view.ward_single_indicators(code, scores)
    rows = ward_profile_view.ward_indicator_rows(code, bench, values, a.catalogue, single, a.source_text)
    trends = _trends(values)
    indicators = []
    for r in rows.to_dict("records"):
        ind = tables.catalogue.loc[r["indicator_id"]]
        trend, periods = trends.get(r["indicator_id"], ([], []))
        indicators.append(
            {
                **r,
                "proxy": bool(ind["proxy"]),
                "region_value": r["lad_value"],
                "region_text": r["lad_text"],
                "similar_value": r["similar_median"],
                "flag": NOT_COMPARED,
                "caveats": str(ind.get("caveats", "") or ""),
                **_indicator_extras({"unit": r["unit"], "series_breaks": ind.get("series_breaks", "")}, trend, periods),
            }
        )
    notes = []
    reliability = ward_profile_view.ward_reliability_row(code, a.ward_reliability)
    if reliability and reliability["low_reliability"]:
        notes.append(f"Low reliability: {reliability['reliability_note']}. Values marked {ward_profile_view.LOW_RELIABILITY_MARK} rest on it; values summed from output areas do not.")
    notes.append(a.ward_note)
    return Report(
        code=code,
        level="ward",
        name=str(me["area_name"]),
        welsh_name=a.welsh.get(code, ""),
        country=country,
        country_name=COUNTRY_NAMES[country],
        region_name=str(me["region_name"]) if country == "E" and isinstance(me["region_name"], str) else "",
        parent_code=lad,
        parent_name=a.label(lad),
        area_km2=float(me["area_km2"]),
        snapshot_date=tables.snapshot_date,
        method_label=METHOD_LABELS[REPORT_METHOD],
        scope_text=a.scope_caption(WARD_SCOPE, country=country, level="ward"),
        factors=factors,
        indicators=indicators,
        similar=[{"code": c, "name": f"{w} ({la})", "level": "ward"} for c, w, la in zip(similar_rows["area_code"], similar_rows["ward"], similar_rows["la"])],
        similar_label="Similar wards, chosen on context variables. " + ward_profile_view.similar_wards_note(country),
        methods=methods_text("ward", country),
        sources=sources_of([i["indicator_id"] for i in indicators], tables),
        notes=notes,
    )
