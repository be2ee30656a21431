"""The shape of an indicator declaration and the small builders most compute functions are made from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from indicators.context import BuildContext

POLARITIES = ("higher_is_better", "lower_is_better", "context")
FACTORS = {
    1: "Shared aspirations, core values and common ground",
    2: "Personal and social responsibility",
    3: "Social mobility and realising potential",
    4: "Participation and empowerment in local and national life",
    5: "Tackling intolerance and extremism",
}

# A compute function returns {"lad": frame, "ward": frame} (either may be absent) with harmonise.VALUE_COLUMNS.
Compute = Callable[[BuildContext], dict[str, pd.DataFrame]]


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    description: str
    factor: int | None  # None for context measures
    unit: str
    polarity: str
    sources: tuple[str, ...]
    levels: tuple[str, ...]
    caveats: str
    derivation: str
    compute: Compute = field(repr=False, compare=False)
    proxy: bool = False
    countries: str = "E+W"  # "E", "W" or "E+W": where the publisher covers
    scored: bool = True  # False for indicators shown but left out of factor scores (e.g. a duplicate period series)

    def __post_init__(self) -> None:
        if self.polarity not in POLARITIES:
            raise ValueError(f"{self.id}: polarity {self.polarity!r} not one of {POLARITIES}")
        if (self.polarity == "context") != (self.factor is None):
            raise ValueError(f"{self.id}: context measures have no factor, and every factor indicator has a polarity")

    @property
    def is_scored(self) -> bool:
        return self.polarity != "context" and self.scored
