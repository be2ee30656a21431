"""Factor scores of the catalogue's indicators: ranks and bands per level and scope, single-indicator factors, evidence strength and the coherence audit."""
from __future__ import annotations

import numpy as np
import pandas as pd

import vocabulary as vocab
from indicators.catalogue import CATALOGUE
from indicators.declaration import Indicator
from scoring import coherence, scores
from scoring.matrix import MIN_COMPOSITE_FACTORS, latest_period, period_key, universes
from scoring.matrix import score_matrix as _score_matrix
from vocabulary import FACTORS, SCORE_PERIOD

EVIDENCE_COLUMNS = ["period_oldest", "period_newest", "proxy_share", "inherited_share"]
FACTOR_SCORE_COLUMNS = [
    "area_code", "level", "scope", "factor", "period", "method", "score", "rank", "rank_low", "rank_high", "n_areas",
    "n_indicators", *EVIDENCE_COLUMNS, "small_population", "missing_reason", "single_indicator",
]
LONE_INDICATOR_REASON = "single indicator, not a score: only {title} is held for this ward, too little of the factor to score it"
SINGLE_INDICATOR_REASON = "single indicator, not a score: {title} is the only ward indicator of this factor here, shown under the factor's name"
# A factor's ward score needs at least this many ward-level indicators behind it.
# A composite of one factor would only repeat it.


def score_matrix(values: pd.DataFrame, areas: pd.DataFrame, level: str, catalogue: tuple[Indicator, ...] = CATALOGUE) -> scores.ScoreInput:
    return _score_matrix(values, areas, level, catalogue)


def score_matrices(values: pd.DataFrame, areas: pd.DataFrame, catalogue=CATALOGUE) -> dict[str, scores.ScoreInput]:
    """The score input of each level, computed once per build for the scores and the coherence audit alike."""
    return {level: score_matrix(values, areas, level, catalogue) for level in vocab.LEVELS}


def single_indicator_factors(data: scores.ScoreInput, areas: pd.DataFrame, level: str) -> list[tuple[str, pd.Index, int, str]]:
    """Ward factors resting on one indicator within a country: (scope, wards, factor, indicator). They get no score
    (one indicator standardised is only that indicator), but the indicator is shown under the factor's name."""
    if level != "ward":
        return []
    country = areas[areas["level"] == level].set_index("area_code")["country"].reindex(data.values.index)
    out = []
    for code in sorted(country.dropna().unique()):
        rows = country.index[country == code]
        held = [c for c in data.values.columns if data.values.loc[rows, c].notna().any()]
        for number, members in pd.Series(held, dtype=object).groupby(data.factor[held].values):
            if len(members) == 1:
                out.append(("country", rows, int(number), members.iloc[0]))
    return out


def indicator_rank(values: pd.Series, polarity: str) -> pd.Series:
    """Rank 1 = most favourable by the indicator's polarity."""
    return scores.rank_best_first(values if polarity == "higher_is_better" else -values)


def mark_lone_indicators(frame: pd.DataFrame, universe: scores.ScoreInput, number: int, catalogue: tuple[Indicator, ...]) -> None:
    """Wards left without a factor score because only one of the factor's indicators is held for them (an
    uncontested election has no turnout) show that one indicator, labelled, with its rank among the universe's wards."""
    members = [c for c in universe.values.columns if universe.factor[c] == number]
    present = universe.values[members].notna().reindex(frame["area_code"])
    lone = frame["score"].isna().to_numpy() & (present.sum(axis=1) == 1).to_numpy()
    if not lone.any():
        return
    titles = {i.id: i.title for i in catalogue}
    which = present.idxmax(axis=1).to_numpy()
    ranks = {c: indicator_rank(universe.values[c], universe.polarity[c]).reindex(frame["area_code"]).to_numpy() for c in members}
    frame.loc[lone, "single_indicator"] = which[lone]
    frame.loc[lone, "n_areas"] = [int(universe.values[c].notna().sum()) for c in which[lone]]
    frame.loc[lone, "rank"] = [ranks[c][i] for i, c in zip(np.flatnonzero(lone), which[lone])]
    frame.loc[lone, "missing_reason"] = [LONE_INDICATOR_REASON.format(title=titles[c]) for c in which[lone]]


def single_indicator_rows(data: scores.ScoreInput, areas: pd.DataFrame, level: str, catalogue: tuple[Indicator, ...]) -> list[pd.DataFrame]:
    """Factor-table rows for ward factors with a single indicator: no score, the indicator's rank among the country's
    wards (best first by its polarity), and the indicator named in single_indicator."""
    by_id = {i.id: i for i in catalogue}
    frames = []
    for scope, rows, number, indicator in single_indicator_factors(data, areas, level):
        values = data.values.loc[rows, indicator]
        present = values.notna()
        for method in vocab.METHODS:
            frame = pd.DataFrame(
                {
                    "area_code": rows, "level": level, "scope": scope, "factor": str(number), "period": SCORE_PERIOD,
                    "method": method, "score": np.nan, "rank": indicator_rank(values, data.polarity[indicator]).values,
                    "rank_low": np.nan, "rank_high": np.nan, "n_areas": int(present.sum()),
                    "n_indicators": present.astype("int64").values,
                    "period_oldest": np.where(present, data.period[indicator], ""), "period_newest": np.where(present, data.period[indicator], ""),
                    "proxy_share": np.where(present, float(by_id[indicator].proxy), np.nan),
                    "inherited_share": np.where(present, data.derivation.loc[rows, indicator].fillna("").str.contains("inherited").astype(float), np.nan),
                    "small_population": False,
                    "missing_reason": np.where(present, SINGLE_INDICATOR_REASON.format(title=by_id[indicator].title), "no value for the factor's single indicator"),
                    "single_indicator": np.where(present, indicator, ""),
                }
            )
            frames.append(frame[FACTOR_SCORE_COLUMNS])
    return frames


def evidence_strength(universe: scores.ScoreInput, catalogue: tuple[Indicator, ...], indicator_weights=None) -> dict[object, pd.DataFrame]:
    """Per factor and area: how many indicators, their oldest and newest periods, and the share of weight that is proxy or inherited."""
    by_id = {i.id: i for i in catalogue}
    present = universe.values.notna()
    weights = pd.Series({c: (indicator_weights or {}).get(c, 1.0) for c in present.columns}, dtype=float)
    proxy = pd.Series({c: by_id[c].proxy for c in present.columns}, dtype=float)
    inherited = universe.derivation.fillna("").map(lambda d: "inherited" in d)
    out = {}
    for number in sorted(universe.factor.unique()):
        members = sorted((c for c in present.columns if universe.factor[c] == number), key=lambda c: period_key(universe.period[c]))
        mask = present[members]
        w = mask.mul(weights[members], axis=1)
        total = w.sum(axis=1).replace(0, np.nan)
        out[number] = pd.DataFrame(
            {
                # members run oldest to newest, so the first and last present indicator give the period range
                "period_oldest": _first_present_period(mask, universe.period),
                "period_newest": _first_present_period(mask.iloc[:, ::-1], universe.period),
                "proxy_share": w.mul(proxy[members], axis=1).sum(axis=1) / total,
                "inherited_share": (w * inherited[members]).sum(axis=1) / total,
            }
        )
    return out


def _first_present_period(mask: pd.DataFrame, period: pd.Series) -> pd.Series:
    """Per row, the period of the first column present ('' where none is)."""
    return mask.idxmax(axis=1).map(period).where(mask.any(axis=1), "")



def small_population_areas(areas: pd.DataFrame, population: pd.Series) -> set[str]:
    """LAs with fewer residents than scores.SMALL_POPULATION: their survey estimates are thin and their rates swing."""
    lads = areas.loc[areas["level"] == "lad", "area_code"]
    return {code for code in lads if population.get(code, np.inf) < scores.SMALL_POPULATION}


def factor_score_table(
    values: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    indicator_weights=None,
    factor_weights=None,
    bands: bool = True,
    catalogue=CATALOGUE,
    small_areas: set[str] = frozenset(),
    matrices: dict[str, scores.ScoreInput] | None = None,
) -> pd.DataFrame:
    """Factor scores, ranks and bands of every level and scope. matrices: score_matrices() of these values, when the
    caller already has them (the build passes the same ones to the coherence audit)."""
    matrices = matrices if matrices is not None else score_matrices(values, areas, catalogue)
    out = []
    for level in vocab.LEVELS:
        data = matrices[level]
        if data.values.empty:
            continue
        for scope, universe in universes(data, areas, level):
            evidence = evidence_strength(universe, catalogue, indicator_weights)
            for method in vocab.METHODS:
                normalised = scores.normalise(universe.values, universe.polarity, method)
                spread = scores.spread_of(normalised, method)
                table, counts, reasons = scores.factor_scores(normalised, universe.factor, universe.coverage, indicator_weights, spread)
                factors = list(table.columns)
                counts["composite"] = counts.sum(axis=1)
                if len(factors) < MIN_COMPOSITE_FACTORS:
                    table["composite"] = np.nan
                    reasons["composite"] = f"a composite needs at least {MIN_COMPOSITE_FACTORS} factors with scores here (only factor {factors[0]})"
                else:
                    table["composite"] = scores.composite(table, factor_weights)
                    partial = f"composite of factors {', '.join(map(str, factors))} (the factors with ward data)" if level == "ward" and len(factors) < len(FACTORS) else ""
                    reasons["composite"] = np.where(table["composite"].isna(), "a factor score is missing", partial)
                band = {}
                if bands:
                    band = scores.rank_bands(universe, method, table, spread, draws=200 if level == "lad" else 60)
                evidence["composite"] = _composite_evidence(evidence, factors, table.index)
                for column in table.columns:
                    frame = pd.DataFrame(
                        {
                            "area_code": table.index,
                            "level": level,
                            "scope": scope,
                            "factor": str(column),
                            "period": SCORE_PERIOD,
                            "method": method,
                            "score": table[column].values,
                            "rank": scores.rank_best_first(table[column]).values,
                            "n_areas": int(table[column].notna().sum()),
                            "n_indicators": counts[column].values,
                            "missing_reason": reasons[column].values,
                        }
                    )
                    for key in EVIDENCE_COLUMNS:
                        frame[key] = evidence[column][key].reindex(table.index).values
                    frame["small_population"] = frame["area_code"].isin(small_areas)
                    frame["single_indicator"] = ""
                    if level == "ward" and column != "composite":
                        mark_lone_indicators(frame, universe, int(column), catalogue)
                    if column in band:
                        frame["rank_low"] = band[column]["rank_low"].values
                        frame["rank_high"] = band[column]["rank_high"].values
                    else:
                        frame["rank_low"], frame["rank_high"] = np.nan, np.nan
                    out.append(frame[FACTOR_SCORE_COLUMNS])
        out.extend(single_indicator_rows(data, areas, level, catalogue))
    result = pd.concat(out, ignore_index=True)
    result.loc[result["score"].isna() & result["single_indicator"].eq(""), ["rank", "rank_low", "rank_high"]] = np.nan
    result["n_indicators"] = result["n_indicators"].astype("int64")
    result["n_areas"] = result["n_areas"].astype("int64")
    result["missing_reason"] = result["missing_reason"].astype(str)
    return result


def _composite_evidence(evidence: dict, factors: list, index: pd.Index) -> pd.DataFrame:
    """The composite's evidence: its factors' periods, and proxy and inherited shares averaged with equal factor weights."""
    blocks = [evidence[f].reindex(index) for f in factors]
    oldest = pd.concat([b["period_oldest"] for b in blocks], axis=1)
    newest = pd.concat([b["period_newest"] for b in blocks], axis=1)
    return pd.DataFrame(
        {
            "period_oldest": oldest.apply(lambda row: min((p for p in row if p), key=period_key, default=""), axis=1),
            "period_newest": newest.apply(lambda row: max((p for p in row if p), key=period_key, default=""), axis=1),
            "proxy_share": pd.concat([b["proxy_share"] for b in blocks], axis=1).mean(axis=1, skipna=False),
            "inherited_share": pd.concat([b["inherited_share"] for b in blocks], axis=1).mean(axis=1, skipna=False),
        },
        index=index,
    )


REFERENCE_INDICATORS = {"rho_ethnic_minority": "ethnic_minority_share", "rho_imd": "imd_average_score", "rho_wimd": "wimd_score"}


def coherence_audit(
    values: pd.DataFrame, areas: pd.DataFrame, factor_table: pd.DataFrame, catalogue=CATALOGUE, matrices: dict[str, scores.ScoreInput] | None = None
) -> pd.DataFrame:
    """Per universe and factor: Cronbach's alpha, each indicator's correlation with the rest and its closest partner,
    and (on factor rows) the factor score's Spearman correlation with the ethnic-minority share, the IMD and the WIMD."""
    matrices = matrices if matrices is not None else score_matrices(values, areas, catalogue)
    parts = []
    for level in vocab.LEVELS:
        data = matrices[level]
        if data.values.empty:
            continue
        country = areas[areas["level"] == level].set_index("area_code")["country"]
        references = {}
        for column, indicator in REFERENCE_INDICATORS.items():
            mine = values[(values["indicator_id"] == indicator) & (values["level"] == level)]
            references[column] = mine[mine["period"] == latest_period(mine)].set_index("area_code")["value"] if len(mine) else pd.Series(dtype=float)
        for scope, universe in universes(data, areas, level):
            normalised = scores.normalise(universe.values, universe.polarity, "robust_z")
            table = coherence.coherence_table(normalised, universe.factor, scope, level)
            countries = sorted(country.reindex(universe.values.index).dropna().unique())
            table.insert(2, "country", "+".join(countries))
            mine = factor_table[(factor_table["level"] == level) & (factor_table["scope"] == scope) & (factor_table["method"] == "robust_z")]
            mine = mine[mine["area_code"].isin(universe.values.index)]
            wide = mine.pivot(index="area_code", columns="factor", values="score")
            wide = wide.drop(columns="composite", errors="ignore")
            wide.columns = wide.columns.astype(int)
            for column, reference in references.items():
                rho = coherence.correlation_with(wide, reference.rename(column))
                table[column] = np.where(table["indicator_id"] == "", table["factor"].map(rho), np.nan)
            parts.append(table)
    return pd.concat(parts, ignore_index=True)


