"""Methodology text generated from the catalogue and the scoring constants, so the docs cannot drift from the code."""
from __future__ import annotations

import pandas as pd

import vocabulary as vocab
from areas import reliability
from indicators.catalogue import CATALOGUE, FACTOR_NOTES
from scoring import reweight, scores
from scoring.neighbours import K_NEIGHBOURS, K_WARD_NEIGHBOURS, KNN_VARIABLES, WARD_KNN_VARIABLES_BY_COUNTRY
from vocabulary import FACTORS, proxy_title

POLARITY_WORDS = {"higher_is_better": "higher is better", "lower_is_better": "lower is better", "context": "context only, never scored"}


def render(audit: pd.DataFrame | None = None) -> str:
    """The methodology as Markdown; with the coherence audit table, its per-factor summary too."""
    lines = [
        "# Cohesion Atlas: methodology",
        "",
        "This page is generated from the indicator catalogue (`indicators/catalogue.py`) and the scoring code.",
        "",
        "## The five factors",
        "The factors come from the 2012 national integration strategy, *Creating the conditions for integration*",
        "(Department for Communities and Local Government):",
        "",
    ]
    lines += [f"{number}. {name}" for number, name in FACTORS.items()]
    lines += [
        "",
        "## How indicators become factor scores",
        "1. **Latest period.** Each indicator enters the scores at its latest period that covers at least half the areas.",
        "2. **Direction from the publisher.** Each loader declares, for every measure it reads, which way its publisher calls",
        "   favourable (or that the publisher states none); a test holds every scored indicator's direction to that declaration.",
        "   Where the publisher states no direction, the indicator says why it is read the way it is. Indicators where lower",
        "   is better are multiplied by -1, so that higher is better for all.",
        "3. **Diversity is context, by rule.** Context indicators (ethnicity, religion, country of birth, national identity,",
        "   household language) never enter a score, and a test fails if any scored indicator correlates |r| >= 0.9 with the",
        "   ethnic-minority share, the share born outside the UK, ethnic or religious diversity or non-UK identity, across LAs",
        "   or wards. Household main language failed that rule (r = 0.96 with birthplace) and is context.",
        "4. **Normalisation**, by one of two methods:",
        f"   - *Robust z-score*: (x - median) / ({scores.MAD_SCALE} x median absolute deviation), as the ONS subnational indicators explorer does,",
        f"     winsorised at +-{scores.WINSOR_BOUND:g} so that one extreme value (City of London's recorded crime) cannot swamp a factor",
        "     (the OECD/JRC Handbook on Constructing Composite Indicators discusses this choice).",
        f"   - *Exponential (IMD style)*: rank areas so the worst has R = 1 and the best R = 1/n, then X = -{scores.EXP_CONSTANT:g} ln(1 - R(1 - e^(-100/{scores.EXP_CONSTANT:g}))).",
        "     X runs from 0 (best) to 100 (worst) and stretches the worst end, so a good result on one indicator cannot simply cancel a bad one.",
        "     The score shown is 100 minus the weighted mean of X, so that higher is better in both methods.",
        "5. **Weights.** Equal by default; the composite builder lets you change indicator and factor weights.",
        "6. **Re-standardised for the indicators an area has.** A mean of fewer indicators spreads more widely. Each area's",
        "   weighted mean is centred and divided by the spread predicted for its own set of indicators (from the covariance",
        "   of the normalised indicators), so every factor score is on the scale of one indicator however many it rests on.",
        f"7. **Missing data.** A factor score needs at least {scores.MIN_WEIGHT_SHARE:.0%} of the weight of the indicators that are",
        "   published for the area's country; otherwise it is missing and the reason is recorded.",
        "8. **Two scopes: England and Wales on one footing.** The English Indices of Deprivation and the Welsh Index (WIMD)",
        "   are separate scales and are never compared.",
        f"   - `ew_common` (the default): {vocab.SCOPES['ew_common']}. All 318 LAs are ranked together.",
        f"   - `country`: {vocab.SCOPES['country']}. England's LAs are ranked 1-296, Wales's 1-22.",
        "   Welsh LAs are more alike than English ones on the common indicators; the scores keep that difference.",
        f"9. **Rank bands.** {scores.BAND_NOTE} Ranks in every draw are among the areas scored at the published values, and",
        "   each band is widened where needed to hold its own rank. Bare league tables are not published. The Composite",
        f"   builder shows a different band, labelled 'weight band' wherever it appears: {reweight.BUILDER_BAND_NOTE}",
        "10. **Bounded, non-redundant factors.** The coherence audit (below and `coherence.parquet`) gives each factor's",
        "   Cronbach's alpha and each indicator's correlation with the rest of its factor. Where two indicators of a factor",
        "   correlated |rho| > 0.9, one was kept: factor 2 keeps police recorded crime of the four crime measures (and takes",
        "   public order offences out of it, since factor 5 scores them); factor 3 keeps the education domain of the IMD and",
        "   WIMD rather than the whole index or its income domain, which repeat the claimant count and child poverty.",
        f"   LAs with fewer than {scores.SMALL_POPULATION:,} residents (City of London, Isles of Scilly) are flagged wherever ranked.",
        "11. **Evidence strength.** Every factor score carries its number of indicators, its oldest and newest period, and",
        "   the share of its weight that is a proxy or inherited from a county, community safety partnership or police force area.",
        "12. **Composite.** The mean of the five factor scores. " + scores.COMPOSITE_CAVEAT,
        "",
        "## Geography",
        "Canonical areas are the 318 local authority districts and 7,588 electoral wards of England and Wales in May 2025.",
        "Data published on older geographies reach them only through versioned lookup files in `data/raw/geography/`:",
        "the LAD code history (2011 to 2025), LSOA 2011 to LSOA 2021, and LSOA 2021 to ward 2025 best fit. Shares are",
        "re-computed from summed numerators and denominators; scores and rates are population-weighted. Every value records",
        "how it was derived (direct, recoded, aggregated, or inherited from a county or police force area).",
        "",
        "**The LSOA 2021 to ward 2025 lookup is derived**, not the official ONS best fit (which could not be fetched here):",
        "it keeps the official 2024 best fit where a ward kept its code (34,062 LSOAs). For the 1,610 LSOAs whose 2024 ward",
        "no longer exists, the build assigns the ward holding most of the LSOA's output-area centroids (`oa_majority`); on",
        "LSOAs whose ward did not change, that rule agrees with the ONS best fit for 97.6% of them (area overlap: 95.1%).",
        "43 small wards receive no LSOA, so LSOA-based ward figures are missing for them. Output-area tables (TS004, TS025,",
        "TS027) are summed straight to wards by OA centroid. `python cli.py refresh geography` fetches the official",
        "`LSOA21_WD25_LAD25_EW_LU` when online, and the build then uses it unchanged.",
        "",
        "## Wards",
        f"A ward factor is scored only where at least {vocab.MIN_WARD_INDICATORS} ward-level indicators of that factor are held for",
        "the ward's country, and each country's wards are ranked among themselves (the IoD and WIMD stay apart). Where a",
        "factor has one ward indicator in a country (factor 2 in both: the IoD crime domain, the WIMD community safety",
        "domain; factor 1 in Wales: English proficiency), or a ward holds only one of the factor's indicators (an",
        "uncontested election has no turnout), that indicator is shown under the factor's name, labelled *single",
        "indicator*, with its rank among the country's wards: it is not a score. The ward composite lists the factors it covers.",
        "",
        "**Reliability.** Every ward value records how many output areas or LSOAs it was summed from. A ward is flagged",
        f"where its LSOA-based values rest on fewer than {reliability.MIN_LSOAS} LSOAs, or where under {reliability.MIN_BEST_FIT_SHARE:.0%} of the",
        "residents of its best-fit LSOAs live in the ward (by output-area placement): such values describe the ward's",
        "neighbours as much as the ward. Flagged wards are outlined on the ward map and marked in its tables.",
        "",
        "**Turnout.** Local election turnout is each ward's most recent borough, district or unitary election of 2021-2024",
        "(county divisions left out). The 2024 general election turnout is derived: each constituency's electorate and valid",
        "votes are shared over its LSOAs by Census 2021 adults (16+) and summed to the ward, so a ward inside one",
        "constituency shows that constituency's turnout and a ward straddling two shows an adult-weighted mix.",
        "",
        "## Similar areas",
        f"ONS's published nearest neighbours (global, economic, demographic) and our own {K_NEIGHBOURS} nearest neighbours by",
        "Euclidean distance on z-scored context variables:",
        "",
    ]
    lines += [f"- {label} (`{key}`)" for key, label in KNN_VARIABLES.items()]
    lines += [
        "",
        f"Similar wards: the {K_WARD_NEIGHBOURS} nearest wards of the same country by Euclidean distance on context variables",
        "z-scored within the country (never on scored indicators, so neighbours are not chosen by the outcome):",
        "",
    ]
    lines += [f"- {label} (`{key}`)" for key, label in WARD_KNN_VARIABLES_BY_COUNTRY["W"].items()]
    lines += ["", "(the Welsh-speakers share for Welsh wards only)."]
    if audit is not None and len(audit):
        lines += ["", *coherence_lines(audit)]
    lines += ["", "## Indicators", ""]
    for number in (*FACTORS, None):
        members = [i for i in CATALOGUE if i.factor == number]
        heading = f"Factor {number}: {FACTORS[number]}" if number else "Context measures (never scored)"
        lines += [f"### {heading}", ""]
        if number in FACTOR_NOTES:
            lines += [FACTOR_NOTES[number], ""]
        for ind in members:
            flags = []
            if proxy_title(ind.title, ind.proxy) != ind.title:
                flags.append("proxy")
            if ind.factor is not None and not ind.is_scored:
                flags.append("shown, not scored")
            elif ind.factor is not None and ind.unscored_levels:
                flags.append(f"scored for {', '.join(ind.scored_levels)} only")
            if ind.countries != "E+W":
                flags.append({"E": "England only", "W": "Wales only"}[ind.countries])
            flag_text = f" ({', '.join(flags)})" if flags else ""
            lines += [
                f"#### {ind.title}{flag_text}",
                f"- id: `{ind.id}`; unit: {ind.unit}; {POLARITY_WORDS[ind.polarity]}; levels: {', '.join(ind.levels)}",
                f"- {ind.description}",
                f"- Sources: {', '.join(ind.sources)}",
                f"- How derived: {ind.derivation}",
                f"- Caveats: {ind.caveats}",
                *([f"- Proxy: {ind.proxy_reason}"] if ind.proxy else []),
                *([f"- Not scored{' for ' + ', '.join(ind.unscored_levels) if ind.is_scored else ''}: {ind.unscored_reason}"] if ind.factor is not None and ind.unscored_reason else []),
                *([f"- Direction: {ind.direction_note}"] if ind.direction_note else []),
                *([f"- Series breaks: {'; '.join(why for _, why in ind.series_breaks)}"] if ind.series_breaks else []),
                *([f"- Editions: {ind.edition_note}"] if ind.edition_note else []),
                "",
            ]
    return "\n".join(lines) + "\n"


def coherence_lines(audit: pd.DataFrame) -> list[str]:
    """Per LA universe and factor: alpha, the closest pair, and the factor's correlation with diversity and deprivation."""
    lines = [
        "## Coherence audit (local authorities)",
        "Cronbach's alpha over the factor's normalised indicators (areas holding all of them); the largest |rho| between two",
        "of its indicators; and the Spearman correlation of the factor score with the ethnic-minority share and with the",
        "IMD (English LAs) or WIMD (Welsh LAs) score. Deprivation scores run higher = more deprived, so a negative rho means",
        "deprived areas score worse.",
        "",
        "| scope | countries | factor | indicators | alpha | largest pair rho | rho with ethnic-minority share | rho with IMD | rho with WIMD |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = audit[(audit["level"] == "lad") & (audit["indicator_id"] == "")]
    fmt = lambda x: "" if pd.isna(x) else f"{x:.2f}"  # noqa: E731
    for row in rows.itertuples():
        lines.append(
            f"| {row.scope} | {row.country} | {row.factor} | {row.n_indicators} | {fmt(row.cronbach_alpha)} | {fmt(row.max_abs_rho_in_factor)} "
            f"| {fmt(row.rho_ethnic_minority)} | {fmt(row.rho_imd)} | {fmt(row.rho_wimd)} |"
        )
    return lines
