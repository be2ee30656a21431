"""The Methodology page's tables: the sources with the indicators that use them, and the indicator counts per factor."""
from __future__ import annotations

import pandas as pd

import vocabulary as vocab
from dashboard.frame_memo import per_frames

SOURCE_COLUMNS = ["source_id", "title", "publisher", "licence", "licence_url", "landing_page", "published", "vintage", "retrieved", "geography", "caveats", "used by", "optional"]
CATALOGUE_COLUMNS = ["indicator_id", "title", "factor", "polarity", "unit", "levels", "periods", "countries", "proxy", "proxy_reason", "scored", "unscored_reason", "source_id", "caveats"]


@per_frames
def sources_table(sources: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Every source with the indicators that read it ('used by')."""
    ids_of = catalogue["source_id"].str.split(", ")
    table = sources.copy()
    table["used by"] = table["source_id"].map(lambda sid: ", ".join(catalogue.loc[ids_of.map(lambda ids: sid in ids), "indicator_id"]))
    return table[SOURCE_COLUMNS]


@per_frames
def factor_counts(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Each factor with its scored and its proxy indicators counted."""
    counts = catalogue[catalogue["scored"]].groupby("factor")["indicator_id"].count()
    return pd.DataFrame(
        {
            "Factor": list(vocab.FACTORS),
            "Name": list(vocab.FACTORS.values()),
            "Scored indicators": [int(counts.get(n, 0)) for n in vocab.FACTORS],
            "Proxy indicators": [int(catalogue[(catalogue["factor"] == n) & catalogue["proxy"]].shape[0]) for n in vocab.FACTORS],
        }
    )


@per_frames
def catalogue_table(catalogue: pd.DataFrame) -> pd.DataFrame:
    return catalogue[[c for c in CATALOGUE_COLUMNS if c in catalogue.columns]]
