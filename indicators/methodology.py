"""Methodology text generated from the catalogue and the scoring constants, so the docs cannot drift from the code."""
from __future__ import annotations

from indicators import scores
from indicators.catalogue import CATALOGUE
from indicators.catalogue_base import FACTORS
from indicators.neighbours import K_NEIGHBOURS, KNN_VARIABLES

POLARITY_WORDS = {"higher_is_better": "higher is better", "lower_is_better": "lower is better", "context": "context only, never scored"}


def render() -> str:
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
        "2. **Direction.** Indicators where lower is better are multiplied by -1, so that higher is better for all.",
        "   Context indicators (diversity, ethnicity, religion, country of birth, national identity) never enter a score.",
        "3. **Normalisation**, by one of two methods:",
        f"   - *Robust z-score*: (x - median) / ({scores.MAD_SCALE} x median absolute deviation), as the ONS subnational indicators explorer does.",
        f"   - *Exponential (IMD style)*: rank areas so the worst has R = 1 and the best R = 1/n, then X = -{scores.EXP_CONSTANT:g} ln(1 - R(1 - e^(-100/{scores.EXP_CONSTANT:g}))).",
        "     X runs from 0 (best) to 100 (worst) and stretches the worst end, so a good result on one indicator cannot simply cancel a bad one.",
        "     The score shown is 100 minus the weighted mean of X, so that higher is better in both methods.",
        "4. **Weights.** Equal by default; the composite builder lets you change indicator and factor weights.",
        f"5. **Missing data.** A factor score needs at least {scores.MIN_WEIGHT_SHARE:.0%} of the weight of the indicators that are",
        "   published for the area's country; otherwise it is missing and the reason is recorded.",
        "6. **England and Wales.** The English Indices of Deprivation and the Welsh Index (WIMD) are separate scales and are never",
        "   compared: IoD indicators score English areas only, WIMD Welsh areas only. A Welsh LA's factor scores therefore rest on",
        "   the indicators that exist for Wales, and the app says so beside each Welsh score.",
        "7. **Rank bands.** Each rank comes with the 5th-95th percentile rank over 200 Dirichlet draws of the weights",
        "   (centred on equal weights, fixed seed) and over leaving each indicator out in turn. Bare league tables are not published.",
        "8. **Composite.** The mean of the five factor scores. " + scores.COMPOSITE_CAVEAT,
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
        "## Similar areas",
        f"ONS's published nearest neighbours (global, economic, demographic) and our own {K_NEIGHBOURS} nearest neighbours by",
        "Euclidean distance on z-scored context variables:",
        "",
    ]
    lines += [f"- {label} (`{key}`)" for key, label in KNN_VARIABLES.items()]
    lines += ["", "## Indicators", ""]
    for number in (*FACTORS, None):
        members = [i for i in CATALOGUE if i.factor == number]
        heading = f"Factor {number}: {FACTORS[number]}" if number else "Context measures (never scored)"
        lines += [f"### {heading}", ""]
        for ind in members:
            flags = []
            if ind.proxy:
                flags.append("proxy")
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
                "",
            ]
    return "\n".join(lines) + "\n"
