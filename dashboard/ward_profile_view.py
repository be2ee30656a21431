"""The ward profile's view: a ward's factors and indicators against its LA, country and similar wards, and how much each value rests on."""
from __future__ import annotations

import numpy as np
import pandas as pd

from areas.reliability import MIN_BEST_FIT_SHARE, MIN_LSOAS
from dashboard.frame_memo import per_frames
from dashboard.measure_labels import and_join, area_label, catalogue_row, fmt_value, mid_sentence, position_text, rank_text, unit_suffix
from dashboard.profile_view import in_scores_text
from dashboard.scopes import evidence_text
from scoring.neighbours import K_WARD_NEIGHBOURS, WARD_KNN_KIND, WARD_KNN_VARIABLES_BY_COUNTRY
from vocabulary import COUNTRY_NAMES, FACTORS, METHOD_LABELS, WARD_SCOPE, proxy_title

WARD_LOOKUP_FALLBACK = "The LSOA 2021 to ward 2025 lookup is derived (about 95% agreement with the ONS best-fit method where wards changed)."


WARD_NOT_COMPARED = (
    "Flags: not compared. Ward values carry no confidence interval, so no ward is flagged better, similar or worse "
    "than its LA, its country or its similar wards."
)


LOW_RELIABILITY_MARK = "⚠ low reliability"


@per_frames
def wards_of(lad: str, areas: pd.DataFrame) -> list[str]:
    """The ward codes of one LA, by English name."""
    wards = areas[(areas["level"] == "ward") & (areas["parent_code"] == lad)]
    return wards.sort_values("area_name")["area_code"].tolist()


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


@per_frames
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


@per_frames
def ward_single_indicators(ward: str, ward_scores: pd.DataFrame) -> dict[str, int]:
    """indicator_id -> factor for the ward's factors that rest on a single indicator (shown under the factor's name)."""
    if "single_indicator" not in ward_scores:
        return {}
    mine = ward_scores[(ward_scores["area_code"] == ward) & ward_scores["single_indicator"].fillna("").ne("")]
    return {i: int(f) for i, f in zip(mine["single_indicator"], mine["factor"])}


@per_frames
def ward_scored_factors(ward: str, method: str, ward_scores: pd.DataFrame) -> list[str]:
    """The factors with a score for this ward, which its composite covers."""
    mine = ward_scores[(ward_scores["area_code"] == ward) & (ward_scores["method"] == method) & ward_scores["score"].notna()]
    return [f for f in (str(n) for n in FACTORS) if f in set(mine["factor"])]


@per_frames
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
            row.update(kind="score", measure=f"score ({mid_sentence(METHOD_LABELS.get(method, method))})", value=r["score"], value_text=f"{r['score']:.3f}",
                       rank_text=rank_text(r["rank"], r["rank_low"], r["rank_high"], int(r["n_areas"])))
        else:
            row.update(kind="no score", measure=f"no score: {r['missing_reason'] or 'too few indicators with a value'}")
        rows.append(row)
    return pd.DataFrame(rows)


@per_frames
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
                "title": proxy_title(ind.title, ind.proxy),
                "value": float(b["value"]),
                "unit": ind.unit,
                "period": b["period"],
                "lad_value": float(b["lad_value"]),
                "country_value": float(b["country_value"]),
                "similar_median": float(b["similar_wards_median"]),
                "similar_n": int(b["similar_wards_n"]),
                "position": position_text(b["country_rank"], b["country_n"], b["country_fifth"], ind.polarity, compact=True),
                # one column holds many units, so each value is written as its own unit is read
                **{f"{column}_text": fmt_value(float(b[source]), ind.unit, missing="–")
                   for column, source in (("value", "value"), ("lad", "lad_value"), ("country", "country_value"), ("similar", "similar_wards_median"))},
                "rests_on": rests,
                "low_reliability": low,
                "in_scores": in_scores,
                "source": source_text.get(ind.indicator_id, ""),
                "polarity": ind.polarity,
            }
        )
    return pd.DataFrame(rows)


@per_frames
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


@per_frames
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
