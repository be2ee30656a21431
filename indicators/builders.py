"""Generic builders: compute functions parametrised by source and measure, each shared by many catalogue entries.

Each builder returns a function of the build context giving {"lad": frame, "ward": frame} (either may be absent). A
new indicator whose data fits one of these is declared in the catalogue with no new code.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from areas.harmonise import _finish
from data_sources import smc_social_mobility as smc
from indicators.context import BuildContext
from indicators.periods import period_label

# The Census 2021 topic summaries held per output area (the OA lookup places each OA in a ward).
OA_TOPIC_SOURCE = "census2021_oa_topics"


def lad_measure(source_id: str, measure: str, geography: str, *, how: str = "mean", scale: float = 1.0):
    """A measure published per LAD (any code vintage), harmonised to LAD25."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        frame = ctx.lad_values(source_id, measure, geography, how=how)
        for column in ("value", "lower_ci", "upper_ci"):
            frame[column] = frame[column] * scale
        return {"lad": frame}

    return compute


def share_from_small_areas(source_id: str, geography: str, numerators: list[str], denominator: str | list[str]):
    """Numerators and denominator summed from small areas (LSOA or OA) to wards and LADs, then divided."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        return ctx.small_area_share(source_id, geography, numerators, denominator)

    return compute


def oa_topic_share(numerators: list[str], denominator: str | list[str]):
    """A share of Census 2021 OA topic-summary counts, summed to wards and LADs before dividing."""
    return share_from_small_areas(OA_TOPIC_SOURCE, "oa21", numerators, denominator)


def lad_count_share(source_id: str, numerator: str, denominator: str, geography: str = "lad*", scale: float = 100.0):
    """A share of two published LAD counts, both summed to LAD25 first (exact for merged districts)."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        num = ctx.lad_values(source_id, numerator, geography, how="sum").set_index(["area_code", "period"])
        den = ctx.lad_values(source_id, denominator, geography, how="sum").set_index(["area_code", "period"])
        frame = pd.DataFrame({"numerator": num["value"], "denominator": den["value"], "derivation": num["derivation"]}).dropna(subset=["numerator", "denominator"]).reset_index()
        frame["value"] = scale * frame["numerator"] / frame["denominator"]
        return {"lad": _finish(frame)}

    return compute


def els_series(measure: str, *, inherit_counties: bool = False):
    """An Explore Local Statistics series on LAD25 with readable period labels; counties' values go to their districts."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        if inherit_counties:
            lad = ctx.lad_values_or_county("ons_els", measure, "lad*", "utla*")
        else:
            lad = ctx.lad_values("ons_els", measure, "lad*")
        lad["period"] = lad["period"].map(period_label)
        return {"lad": lad}

    return compute


def iod_domain(measure_lad: str, measure_lsoa: str):
    """An English IoD domain: LAD scores as published (IoD 2019 and 2025); ward scores from the IoD 2025 LSOA scores."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        lad = pd.concat(
            [ctx.lad_values("imd2019", measure_lad, "lad19"), ctx.lad_values("iod2025", measure_lad, "lad24")], ignore_index=True
        )
        ward = ctx.lsoa21_mean("iod2025", measure_lsoa)["ward"]
        return {"lad": lad, "ward": ward}

    return compute


def wimd_domain(measure_lad: str, measure_lsoa: str):
    """A WIMD 2019 domain: LAD scores as published; ward scores from its LSOA 2011 scores, for Welsh wards only."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        lad = ctx.lad_values("wimd2019", measure_lad, "lad22")
        ward = ctx.lsoa11_mean("wimd2019", measure_lsoa)["ward"]
        return {"lad": lad, "ward": ward[ward["area_code"].str.startswith("W")]}

    return compute


def fractionalisation(source_id: str, geography: str, categories: list[str], total: str):
    """Diversity as the chance that two residents picked at random are in different groups: 1 - sum(p_i^2)."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        shares = {c: ctx.small_area_share(source_id, geography, [c], total, scale=1.0) for c in categories}
        out = {}
        for level in ("lad", "ward"):
            base = shares[categories[0]][level][["area_code", "period", "denominator"]].copy()
            squares = sum(shares[c][level].set_index(["area_code", "period"])["value"] ** 2 for c in categories)
            base = base.set_index(["area_code", "period"])
            base["value"] = 1 - squares
            base = base.reset_index()
            base["derivation"] = f"fractionalisation over {len(categories)} groups from {geography.upper()} counts"
            out[level] = _finish(base)
        return out

    return compute


def csp_rate_per_1000(measure: str, *, minus: str | None = None):
    """Recorded crimes per 1,000 residents. Counts are published per community safety partnership (CSP): a CSP
    covering one LAD gives that LAD's rate; one covering several gives each of them the shared rate.
    minus: an offence group taken out of the count, so that one offence is never counted in two factors."""

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        counts = ctx.measure("recorded_crime", measure, "csp24").set_index("area_code")
        if minus:
            counts["value"] = counts["value"] - ctx.measure("recorded_crime", minus, "csp24").set_index("area_code")["value"]
        lookup = ctx.parents["pfa"][["lad25_code", "csp24_code"]].copy()
        lookup["population"] = lookup["lad25_code"].map(ctx.lad25_population)
        per_csp = lookup.groupby("csp24_code").agg(population=("population", "sum"), n_lads=("lad25_code", "nunique"))
        frame = lookup.merge(per_csp, left_on="csp24_code", right_index=True, suffixes=("_lad", ""))
        frame["numerator"] = frame["csp24_code"].map(counts["value"])
        frame["denominator"] = frame["population"]
        frame["value"] = 1000 * frame["numerator"] / frame["denominator"]
        frame["period"] = frame["csp24_code"].map(counts["period"])
        frame["derivation"] = np.where(
            frame["n_lads"] > 1,
            "inherited from community safety partnership covering " + frame["n_lads"].astype(str) + " LADs (inherited_csp); per 1,000 Census 2021 residents",
            "published for a CSP equal to the LAD; per 1,000 Census 2021 residents",
        )
        frame = frame.rename(columns={"lad25_code": "area_code"}).dropna(subset=["numerator"])
        return {"lad": _finish(frame)}

    return compute


def smc_group(measure: str):
    """SMC area groups (7 = most favourable) given to every LAD in the SMC area, each row saying how its LAD got it.

    The SMC publishes one group per SMC area. An area is one LAD, a shire county (its districts inherit the county's
    group) or a few merged LADs (Camden with the City of London, Cornwall with the Isles of Scilly).
    """

    def compute(ctx: BuildContext) -> dict[str, pd.DataFrame]:
        lad = ctx.lad_values_or_county("smc_social_mobility", measure, "lad24", "utla24")
        codes_file, key = smc.area_codes_of(measure)
        codes = smc.read_area_codes(ctx.raw_root / smc.SOURCE.raw_folder / codes_file, key)
        per_area = codes.groupby("region_url")["area_code"].agg(
            county=lambda c: bool(c.str.startswith("E10").any()), n_lads=lambda c: int(c.str[:3].isin(smc.LAD_PREFIXES).sum())
        )
        region = lad["area_code"].map(codes.set_index("area_code")["region_url"])
        county = region.map(per_area["county"]).fillna(False).astype(bool) | lad["derivation"].str.startswith("inherited")
        shared = region.map(per_area["n_lads"]).fillna(1) > 1
        own = np.where(lad["derivation"] == "direct", "SMC area = this LAD", lad["derivation"] + "; SMC area = this LAD")
        lad["derivation"] = np.select(
            [county, shared],
            ["inherited from the SMC area of its shire county (inherited_county)", "shared by the LADs of a merged SMC area (inherited_smc_area)"],
            default=own,
        )
        return {"lad": lad}

    return compute
