"""Ward map view model, without Streamlit: what a ward measure really is for the wards shown (a factor score, or a
factor resting on a single indicator, shown as that indicator and never as a score), the frame the map and table show
(English and Welsh names, the low-reliability flag, the profile link), the wards drawn apart, and the ward a click picked.

A ward factor gets no score where only one of its indicators reaches the ward: the build marks such rows with
factor_scores.single_indicator and ranks the ward on that indicator. That happens for a whole country (Welsh wards
hold one factor 1 indicator) or for single wards of a scored factor (a ward with no contested local election has
general-election turnout only).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import vocabulary as vocab
from areas.reliability import rests_on
from dashboard import map_view, measure_labels, source_lines
from dashboard.frame_memo import per_frames

# The profile page's URL path (app.py); a ward code in ?area= opens that ward inside its LA's profile.
PROFILE_URL_PATH = "profile"
SINGLE_TAG = "single indicator: {title}"
SINGLE_HOVER = "single indicator, not a factor score"
LOW_RELIABILITY_HOVER = "Low reliability: {note}"
NO_VALUE = "no value for this measure"
# The first view of an LA's wards: its country's own deprivation index (the IoD covers England only, the WIMD Wales).
COUNTRY_DEFAULT = {"E": "imd_average_score", "W": "wimd_score"}


@dataclass(frozen=True)
class WardMeasure:
    """One choice of the ward map's measure control, resolved for the wards on the map.

    kind: 'score' (a factor score or the composite), 'single' (a factor that, for these wards, rests on one
    indicator: that indicator's values are mapped under the factor's name) or 'indicator'.
    """

    measure: str  # what the URL holds: an indicator id, 'composite' or 'factor_N'
    kind: str
    indicator_id: str  # the indicator whose values are mapped ('' for a score)
    label: str
    unit: str
    polarity: str
    periods: tuple[str, ...]  # the periods offered; one fixed period for scores and single-indicator factors
    default_period: str
    country: str
    factors: tuple[str, ...] = ()  # a score's factors ('1'..'5'): the composite's are those scored for these wards

    @property
    def fixed_period(self) -> bool:
        return self.kind != "indicator"

    @property
    def value_header(self) -> str:
        """The table's value column: for a single-indicator factor it says the values are one indicator's."""
        return f"{self.unit} (single indicator, not a score)" if self.kind == "single" else self.unit


def profile_link(code: str) -> str:
    """The relative URL of a ward's profile (resolved against the app's own address, so it works behind any base path)."""
    return f"{PROFILE_URL_PATH}?area={code}"


@per_frames
def country_of_wards(areas: pd.DataFrame) -> pd.Series:
    wards = areas[areas["level"] == "ward"]
    return pd.Series(wards["country"].to_numpy(), index=wards["area_code"].to_numpy())


def single_column(ward_scores: pd.DataFrame) -> pd.Series:
    """factor_scores.single_indicator ('' where the row is a score or nothing; all '' before the build wrote it)."""
    if "single_indicator" not in ward_scores:
        return pd.Series("", index=ward_scores.index, dtype=object)
    return ward_scores["single_indicator"].fillna("").astype(str)


def factor_rows(ward_scores: pd.DataFrame, measure: str, method: str = "robust_z") -> pd.DataFrame:
    return ward_scores[(ward_scores["factor"] == measure_labels.score_factor(measure)) & (ward_scores["method"] == method)]


@per_frames
def measure_options(catalogue: pd.DataFrame, available: set[str], ward_scores: pd.DataFrame, score_keys: list[str] | None = None) -> list[str]:
    """The ward measures: factors with a score or a single indicator for some ward, then the ward indicators.
    score_keys: the factors with a ward score, when already known (Atlas.score_keys), else read from ward_scores."""
    with_single = set(ward_scores.loc[single_column(ward_scores) != "", "factor"].astype(str))
    scored = measure_labels.scored_factors(ward_scores) if score_keys is None else score_keys
    keys = list(dict.fromkeys([*scored, *sorted(with_single)]))
    return measure_labels.measure_options(catalogue, "ward", available=available, score_keys=keys)


def default_measure(country: str, options: list[str], shared: str | None, catalogue: pd.DataFrame) -> str:
    """The measure shown first: the one the user last chose on another page if it has values in this country, else
    the country's deprivation index (so a Welsh LA never opens on an England-only indicator and an empty map)."""
    def published_here(measure: str) -> bool:
        if measure_labels.is_score(measure):
            return True
        return country in str(_row(catalogue, measure)["countries"]).split("+")

    if shared in options and published_here(shared):
        return shared
    fallback = COUNTRY_DEFAULT.get(country)
    return fallback if fallback in options else options[0]


@per_frames
def resolve_all(
    measures: list[str],
    country: str,
    codes,
    *,
    catalogue: pd.DataFrame,
    ward_scores: pd.DataFrame,
    periods: dict[tuple[str, str], list[str]],
) -> dict[str, WardMeasure]:
    """What each measure is for the wards `codes` (an LA's wards, of country E or W), for the measure control's
    labels and the page. A factor with a score for any of them is a score; one with none, but a single indicator, is
    that indicator (the commonest, if they differ). The composite's label names the factors scored for these wards."""
    rows = ward_scores[(ward_scores["method"] == "robust_z") & ward_scores["area_code"].isin(set(codes))]
    rows = rows.assign(single=single_column(rows).to_numpy())
    scored = measure_labels.scored_factors(rows)
    by_factor = {f: block for f, block in rows.groupby("factor")}
    out = {}
    for measure in measures:
        if measure_labels.is_score(measure):
            block = by_factor.get(measure_labels.score_factor(measure), rows.iloc[0:0])
            singles = block.loc[block["single"] != "", "single"]
            if block["score"].notna().any() or singles.empty:
                key = measure_labels.score_factor(measure)
                covers = tuple(f for f in scored if f != "composite") if key == "composite" else (key,)
                out[measure] = WardMeasure(
                    measure, "score", "", measure_labels.measure_label(measure, catalogue, "ward", scored), "score", "higher_is_better",
                    (vocab.SCORE_PERIOD,), vocab.SCORE_PERIOD, country, covers,
                )
                continue
            indicator = singles.value_counts().index[0]
            row = _row(catalogue, indicator)
            period = _latest(row, periods.get((indicator, "ward"), []))
            label = f"{measure_labels.SCORE_MEASURES[measure]} ({SINGLE_TAG.format(title=row['title'])})"
            out[measure] = WardMeasure(measure, "single", indicator, label, row["unit"], row["polarity"], (period,), period, country)
            continue
        row = _row(catalogue, measure)
        held = tuple(periods.get((measure, "ward"), []))
        prefix = f"F{row['factor']}" if row.get("factor") else "Context"  # measure_labels.measure_label's form, from the cached row
        out[measure] = WardMeasure(
            measure, "indicator", measure, f"{prefix} · {row['title']}", row["unit"], row["polarity"], held, _latest(row, list(held)), country,
        )
    return out


def resolve(measure: str, country: str, codes, *, catalogue: pd.DataFrame, ward_scores: pd.DataFrame, periods: dict[tuple[str, str], list[str]]) -> WardMeasure:
    return resolve_all([measure], country, codes, catalogue=catalogue, ward_scores=ward_scores, periods=periods)[measure]


# catalogue_row filters the whole catalogue on every call: the ward page asks for dozens of rows per run.
_ROWS: dict[int, tuple[pd.DataFrame, dict[str, dict]]] = {}


def _row(catalogue: pd.DataFrame, indicator: str) -> dict:
    held = _ROWS.get(id(catalogue))
    if held is None or held[0] is not catalogue:
        held = (catalogue, {r["indicator_id"]: r for r in catalogue.to_dict("records")})
        _ROWS.clear()
        _ROWS[id(catalogue)] = held
    return held[1].get(indicator) or {"title": indicator, "unit": "", "polarity": "context", "latest_period": "", "countries": "E+W", "factor": 0}


def _latest(row: dict, periods: list[str]) -> str:
    if not periods:
        return str(row.get("latest_period") or "")
    return row["latest_period"] if row.get("latest_period") in periods else periods[-1]


def source_line(wm: WardMeasure, period: str, method: str, catalogue: pd.DataFrame, sources: pd.DataFrame, *, national: bool = False) -> source_lines.SourceLine:
    """A score's line names the ward indicators behind it: those of its factors, published for the LA's country (both
    countries' on the national map, where each is scored on its own)."""
    if wm.kind == "score":
        return source_lines.measure_source_line(
            wm.measure, period, method, catalogue, sources, vocab.WARD_SCOPE, "ward", None if national else wm.country, None if national else wm.factors,
        )
    return source_lines.source_line(wm.indicator_id, period, catalogue, sources)


# ---------------------------------------------------------------- the frames behind the map and the table

@per_frames
def ward_frame(
    wm: WardMeasure,
    period: str,
    method: str,
    *,
    values: pd.DataFrame,
    ward_scores: pd.DataFrame,
    ward_values: pd.DataFrame,
    catalogue: pd.DataFrame,
    names: dict[str, str],
    welsh: dict[str, str],
    reliability: pd.DataFrame,
    country_of: pd.Series,
    links: bool = True,
    codes=None,
) -> pd.DataFrame:
    """map_view.measure_frame's columns for every ward coloured on the map (of `codes`, when given), plus: area_name with the Welsh name where
    there is one ('Canton / Treganna'), rank_where (the set ranked together: the ward's country for a score or a
    single-indicator factor, every ward holding the value for an indicator), low_reliability (the ward is flagged and this value rests on its best-fit
    LSOAs), reliability_note, detail (the extra hover line) and, when links, link (the ward's profile URL).

    values: the ward rows of the mapped indicator (any, for a score). A single-indicator factor keeps the wards whose
    factor rests on that very indicator, ranked as the build ranked them: on the indicator, among their country's wards.
    """
    keep = set(codes) if codes is not None else None
    if wm.kind == "score":
        # a score's rank is stored, so only the wards shown need their rows read (evidence text is built per row)
        scores = ward_scores if keep is None else ward_scores[ward_scores["area_code"].isin(keep)]
        frame = map_view.measure_frame(wm.measure, vocab.SCORE_PERIOD, method, "ward", values.iloc[0:0], scores, catalogue, names)
    elif wm.kind == "single":
        rows = factor_rows(ward_scores, wm.measure, method)
        rows = rows[single_column(rows) == wm.indicator_id].set_index("area_code")
        frame = map_view.measure_frame(wm.indicator_id, period, method, "ward", values[values["area_code"].isin(rows.index)], ward_scores.iloc[0:0], catalogue, names)
        frame["rank"] = frame["area_code"].map(rows["rank"]).to_numpy(dtype=float)
        frame["n_areas"] = frame["area_code"].map(country_counts(values, period, country_of)).to_numpy()
        frame["rank_text"] = [measure_labels.rank_text(r, None, None, int(n)) for r, n in zip(frame["rank"], frame["n_areas"])]
        frame["rank_where"] = map_view.ranked_within(frame["area_code"], within_country=True)
    else:
        frame = map_view.measure_frame(wm.indicator_id, period, method, "ward", values, ward_scores.iloc[0:0], catalogue, names)
    if keep is not None:
        frame = frame[frame["area_code"].isin(keep)].reset_index(drop=True)
    frame["area_name"] = [measure_labels.area_label(c, names, welsh) for c in frame["area_code"]]
    frame["low_reliability"] = flagged(frame["area_code"], wm, values, ward_values, catalogue, reliability, country_of).to_numpy()
    frame["reliability_note"] = np.where(frame["low_reliability"], frame["area_code"].map(_notes(reliability)).fillna("").to_numpy(), "")
    frame["detail"] = [
        " · ".join(p for p in ((SINGLE_HOVER if wm.kind == "single" else ""), (LOW_RELIABILITY_HOVER.format(note=n) if n else "")) if p)
        for n in frame["reliability_note"]
    ]
    if links:
        frame["link"] = [profile_link(c) for c in frame["area_code"]]
    return frame


def country_counts(values: pd.DataFrame, period: str, country_of: pd.Series) -> pd.Series:
    """area_code -> how many wards of its country hold the indicator at this period: the n of a single-indicator rank."""
    held = values[(values["period"] == period) & values["value"].notna()]
    per_country = held["area_code"].map(country_of).value_counts()
    return held.set_index("area_code").index.to_series().map(country_of).map(per_country)


@per_frames
def lone_wards(
    wm: WardMeasure,
    codes,
    method: str,
    *,
    ward_scores: pd.DataFrame,
    ward_values: pd.DataFrame,
    catalogue: pd.DataFrame,
    periods: dict[tuple[str, str], list[str]],
    names: dict[str, str],
    welsh: dict[str, str],
    reliability: pd.DataFrame,
    country_of: pd.Series,
) -> pd.DataFrame:
    """The wards among `codes` where the mapped factor rests on another single indicator than the one coloured (for a
    score, on any): area_code, area_name, indicator_id, value, text (what the hover and table say), low_reliability,
    reliability_note, detail (the hover's reliability line), link. They are drawn apart, never on the score's colour scale."""
    columns = ["area_code", "area_name", "indicator_id", "value", "text", "low_reliability", "reliability_note", "detail", "link"]
    if wm.kind == "indicator":
        return pd.DataFrame(columns=columns)
    rows = factor_rows(ward_scores, wm.measure, method)
    rows = rows[rows["area_code"].isin(set(codes))]
    single = single_column(rows)
    rows = rows[(single != "") & (single != wm.indicator_id)]
    parts = []
    for indicator, block in rows.groupby(single_column(rows)):
        row = _row(catalogue, indicator)
        period = _latest(row, periods.get((indicator, "ward"), []))
        values = ward_values[ward_values["indicator_id"] == indicator]
        at = values[values["period"] == period].set_index("area_code")["value"]
        counts = country_counts(values, period, country_of)
        measure = WardMeasure(indicator, "indicator", indicator, "", row["unit"], row["polarity"], (period,), period, wm.country)
        low = flagged(block["area_code"], measure, values, ward_values, catalogue, reliability, country_of)
        part = pd.DataFrame({"area_code": block["area_code"].to_numpy(), "indicator_id": indicator})
        part["value"] = part["area_code"].map(at).to_numpy(dtype=float)
        # ranked as the build ranked it: on the indicator, among the wards of the ward's own country
        part["text"] = [
            f"{SINGLE_HOVER}: {row['title']} = {measure_labels.fmt_value(v, row['unit'])}{measure_labels.unit_suffix(row['unit'])}, "
            f"rank in {vocab.COUNTRY_NAMES.get(country_of.get(c), 'its country')}: {measure_labels.rank_text(r, None, None, int(counts.get(c, 0) or 0))} ({period})"
            for c, v, r in zip(part["area_code"], part["value"], block["rank"])
        ]
        part["low_reliability"] = low.to_numpy()
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["area_name"] = [measure_labels.area_label(c, names, welsh) for c in out["area_code"]]
    out["reliability_note"] = np.where(out["low_reliability"], out["area_code"].map(_notes(reliability)).fillna("").to_numpy(), "")
    out["detail"] = [LOW_RELIABILITY_HOVER.format(note=n) if n else "" for n in out["reliability_note"]]
    out["link"] = [profile_link(c) for c in out["area_code"]]
    return out[columns]


def _notes(reliability: pd.DataFrame) -> pd.Series:
    return reliability.set_index("area_code")["reliability_note"] if len(reliability) else pd.Series(dtype=object)


def flagged(
    codes: pd.Series, wm: WardMeasure, values: pd.DataFrame, ward_values: pd.DataFrame, catalogue: pd.DataFrame, reliability: pd.DataFrame, country_of: pd.Series
) -> pd.Series:
    """A ward's flag applies to a value only if that value rests on its best-fit LSOAs: output-area sums and election
    turnout reach the ward directly, whatever its LSOAs. A score is flagged where the factor has LSOA-based inputs in
    the ward's country (a ward with no LSOA then scores without them, which its note says)."""
    codes = pd.Series(codes).reset_index(drop=True) if not isinstance(codes, pd.Series) else codes
    if reliability.empty:
        return pd.Series(False, index=codes.index)
    low = set(reliability.loc[reliability["low_reliability"].astype(bool), "area_code"])
    if wm.kind == "score":
        scored = source_lines.scope_indicators(catalogue, vocab.WARD_SCOPE, "ward")
        if wm.measure != "composite":
            scored = scored[scored["factor"] == int(measure_labels.score_factor(wm.measure))]
        inputs = ward_values[ward_values["indicator_id"].isin(scored["indicator_id"])]
        derivations = pd.Series(inputs["derivation"].fillna("").unique())
        lsoa_based = set(derivations[rests_on(derivations) == "LSOA"])
        # a ward code's first letter is its country (E05…, W05…): cheaper than mapping every input row
        countries = set(inputs.loc[inputs["derivation"].isin(lsoa_based), "area_code"].str[:1].unique())
        return codes.isin(low) & codes.map(country_of).isin(countries)
    inputs = values[values["area_code"].isin(low)]
    lsoa_based = set(inputs.loc[rests_on(inputs["derivation"].fillna("")) == "LSOA", "area_code"]) if len(inputs) else set()
    return codes.isin(lsoa_based)


@per_frames
def missing_wards(ward_codes, shown, names: dict[str, str], welsh: dict[str, str], reliability: pd.DataFrame) -> pd.DataFrame:
    """The wards of the map with nothing to show for the measure: area_code, area_name and why (the reliability note
    when no LSOA was assigned to the ward, which leaves its LSOA-based values empty). shown: the codes drawn otherwise."""
    shown = set(shown)
    codes = [c for c in ward_codes if c not in shown]
    notes = _notes(reliability)
    n_lsoa = reliability.set_index("area_code")["n_lsoa"] if len(reliability) else pd.Series(dtype=float)
    reason = [f"{NO_VALUE}: {notes[c]}" if c in n_lsoa.index and n_lsoa[c] == 0 else NO_VALUE for c in codes]
    return pd.DataFrame({"area_code": codes, "area_name": [measure_labels.area_label(c, names, welsh) for c in codes], "reason": reason})


@per_frames
def rows_of(frame: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The rows of `codes` (one LA's wards of the national frame)."""
    return frame[frame["area_code"].isin(set(codes))]


@per_frames
def local_ranks(local: pd.DataFrame, polarity: str, la_name: str = "the LA") -> pd.DataFrame:
    """Rank within the LA for the local view (rank_where: la_name); the stored rank (national or within the country)
    stays as national_rank, with the set it is within as national_where."""
    local = local.copy()
    local["national_rank"] = local["rank_text"]
    local["national_where"] = local["rank_where"] if "rank_where" in local else ""
    local["rank"] = local["value"].rank(ascending=polarity == "lower_is_better", method="min")
    local["rank_text"] = [measure_labels.rank_text(r, None, None, len(local)) for r in local["rank"]]
    local["rank_where"] = la_name
    return local


@per_frames
def table(local: pd.DataFrame, lone: pd.DataFrame, wm: WardMeasure, national_rank_label: str) -> pd.DataFrame:
    """The page's ward table, best first, then the wards whose factor rests on a single indicator (their value is that
    indicator's, so it is in the note beside the empty value, not in the value column). Columns: bilingual name,
    profile link, code, value, (note), ranks, the reliability flag and why, (evidence): what a reader scans first
    comes first, so it is on screen without scrolling sideways."""
    columns = {"area_name": "Ward", "link": "Profile", "area_code": "Code", "value": wm.value_header}
    if len(lone):
        columns["note"] = "Note"
    columns.update({"rank_text": "Rank in LA (1 = best)", "national_rank": national_rank_label, "low_reliability": "Low reliability", "reliability_note": "Why (reliability)"})
    if wm.kind == "score":
        columns["evidence"] = "Evidence (indicators · periods · proxy · inherited)"
    ordered = local.sort_values("value", ascending=wm.polarity == "lower_is_better").assign(note="")
    if len(lone):
        extra = lone.assign(value=np.nan, rank_text="", national_rank="", evidence="", note=lone["text"])
        ordered = pd.concat([ordered, extra[[c for c in columns if c in extra]]], ignore_index=True)
    return ordered[[c for c in columns if c in ordered]].rename(columns=columns)


@per_frames
def national_rank_label(local: pd.DataFrame, wm: WardMeasure) -> str:
    """The table's national rank column, named after the set the wards were really ranked within (local_ranks'
    national_where), not after where the indicator is published: 'Rank in Wales', or 'Rank in England and Wales' only
    when the wards of both countries were ranked together."""
    where = local["national_where"].dropna().astype(str) if "national_where" in local else pd.Series(dtype=object)
    where = where[where != ""].unique()
    if len(where) == 1:
        return map_view.rank_label(where[0])
    if len(where) > 1:  # each ward ranked in its own country (an LA lies in one, so only a national frame gets here)
        return map_view.rank_label("the ward's country")
    return map_view.rank_label(vocab.COUNTRY_NAMES.get(wm.country, "its country"))


@per_frames
def colour_centre(
    wm: WardMeasure,
    method: str,
    shown: pd.DataFrame,
    *,
    values: pd.DataFrame,
    period: str,
    ward_scores: pd.DataFrame,
    national: bool = False,
) -> map_view.ColourCentre | None:
    """Where the ward map's diverging scale is centred: 0 for robust z-scores (the average ward by construction),
    else the median of the wards the measure is ranked within (an indicator: every ward holding it; a score or a
    single-indicator factor: the wards of the LA's country, or of both countries on the national map), so the
    neutral colour means a typical ward of that set whichever LA is shown. The range drawn is the wards shown
    (and the centre), so an LA's own contrast is kept. None for context measures (sequential)."""
    def of_country(codes: pd.Series) -> np.ndarray:
        return np.ones(len(codes), dtype=bool) if national else map_view.country_letter(codes).to_numpy() == wm.country

    if wm.kind == "score":
        rows = factor_rows(ward_scores, wm.measure, method)
        reference = rows.loc[of_country(rows["area_code"]), ["area_code", "score"]].rename(columns={"score": "value"})
    else:
        reference = values[(values["period"] == period) & values["value"].notna()][["area_code", "value"]]
        if wm.kind == "single":
            reference = reference[of_country(reference["area_code"])]
    reference = reference[reference["value"].notna()]
    where = map_view.set_name(map_view.country_letter(reference["area_code"]).unique())
    word = {"England": "England's wards", "Wales": "Wales's wards"}.get(where, "all wards")
    return map_view.colour_centre(wm.measure if wm.kind == "score" else wm.indicator_id, method, wm.polarity, shown["value"], reference=reference["value"], areas_word=word)


@per_frames
def caption(wm: WardMeasure, catalogue: pd.DataFrame, *, n_ranked: int | None = None, lone: pd.DataFrame | None = None, blanks: pd.Series | None = None) -> str:
    """What the map shows when a factor rests, for some or all of the wards, on a single indicator ('' otherwise).
    lone: lone_wards of the local map; blanks: national_blanks, on the national map."""
    if not measure_labels.is_score(wm.measure):
        return ""
    factor = measure_labels.score_factor(wm.measure)
    parts = []
    if wm.kind == "single":
        title = _row(catalogue, wm.indicator_id)["title"]
        here = vocab.COUNTRY_NAMES.get(wm.country, wm.country)
        among = f" among the {n_ranked:,} wards of {here} with a value" if n_ranked else f" among the wards of {here}"
        parts.append(
            f"Factor {factor} has no score for these wards: only one of its indicators reaches them, {title}. The map shows "
            f"that indicator's values ({wm.unit}, {wm.default_period}), ranked{among}. It is one indicator, not a factor score."
        )
    if lone is not None and len(lone):
        titles = ", ".join(_row(catalogue, i)["title"] for i in lone["indicator_id"].unique())
        parts.append(
            f"{len(lone)} ward(s), in sand, hold only one of the factor's indicators ({titles}), so they have no "
            f"{'score' if wm.kind == 'score' else 'value on this scale'}: the hover and the table give that indicator's value, labelled single indicator."
        )
    if blanks is not None and blanks.sum():
        where = " and ".join(f"{n:,} in {vocab.COUNTRY_NAMES.get(c, c)}" for c, n in blanks.items() if n)
        which = "has a score or rests on another single indicator" if wm.kind == "single" else "rests on a single indicator, not a score,"
        parts.append(f"Wards where factor {factor} {which} are left blank here ({where}): open one of their authorities to see it.")
    return " ".join(parts)


@per_frames
def map_subtitle(wm: WardMeasure, catalogue: pd.DataFrame, *, blanks: pd.Series | None = None) -> str:
    """One line under the map's title for what the measure control's shortened label cannot show: a factor mapped as
    its single indicator, and the wards the national map leaves blank for want of the same kind ('' when neither)."""
    if not measure_labels.is_score(wm.measure):
        return ""
    factor = measure_labels.score_factor(wm.measure)
    parts = []
    if wm.kind == "single":
        parts.append(f"Factor {factor} is not scored for these wards: shown as its single indicator, {_row(catalogue, wm.indicator_id)['title']}")
    if blanks is not None and blanks.sum():
        where = " and ".join(f"{n:,} in {vocab.COUNTRY_NAMES.get(c, c)}" for c, n in blanks.items() if n)
        which = "has a score or another single indicator" if wm.kind == "single" else "rests on a single indicator, not a score"
        parts.append(f"blank: wards where factor {factor} {which} ({where})")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


@per_frames
def national_blanks(wm: WardMeasure, ward_scores: pd.DataFrame, country_of: pd.Series, method: str) -> pd.Series:
    """On the national map: country -> how many wards are left blank because their factor is of another kind than the
    one coloured: for a score, wards resting on a single indicator; for a single indicator, wards with a score or
    with another single indicator (a score and an indicator never share a colour scale)."""
    if wm.kind == "indicator":
        return pd.Series(dtype=int)
    rows = factor_rows(ward_scores, wm.measure, method)
    single = single_column(rows)
    other = (single != "") & (single != wm.indicator_id)
    if wm.kind == "single":
        other |= rows["score"].notna()
    return rows.loc[other, "area_code"].map(country_of).value_counts().sort_index()


def clicked_ward(points: list[dict], known) -> str | None:
    """The ward code a map click picked, from Streamlit's selection payload: the point's location (every clickable
    layer of the ward map is keyed by ward code), else the profile link carried last in its customdata."""
    for point in points or []:
        code = point.get("location")
        if code in known:
            return code
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom and str(custom[-1]).startswith(f"{PROFILE_URL_PATH}?area="):
            code = str(custom[-1]).split("=", 1)[1]
            if code in known:
                return code
    return None
