"""The shape of an indicator declaration: the Indicator dataclass and the rules every catalogue entry must keep."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from indicators.context import BuildContext
from vocabulary import POLARITIES

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
    proxy_reason: str = ""  # what the measure stands in for, and why it is only a stand-in
    countries: str = "E+W"  # "E", "W" or "E+W": where the publisher covers
    scored: bool = True  # False for indicators shown but left out of factor scores
    unscored_reason: str = ""  # why a factor indicator is shown but not scored (e.g. it duplicates another, |rho| > 0.9)
    # Levels where a scored indicator is still left out, for a reason true only there (unscored_reason says it):
    # e.g. a crime measure that duplicates three others among LAs but is the only one held for wards.
    unscored_levels: tuple[str, ...] = ()
    # The publisher's measure whose stated direction (data_sources PublisherDirection) the polarity must agree with.
    publisher_measure: tuple[str, str] | None = None
    # Why the polarity is what it is where the publisher states no direction (e.g. a share computed from counts).
    direction_note: str = ""
    # Where the series is not comparable across a point in time: (period label as stored, why), e.g.
    # ("2020/21", "2020/21: survey moved to telephone interviews").
    series_breaks: tuple[tuple[str, str], ...] = ()
    # How to read a series made of separately scored editions (e.g. compare ranks between IoD editions, not scores).
    edition_note: str = ""

    def __post_init__(self) -> None:
        if self.polarity not in POLARITIES:
            raise ValueError(f"{self.id}: polarity {self.polarity!r} not one of {POLARITIES}")
        if (self.polarity == "context") != (self.factor is None):
            raise ValueError(f"{self.id}: context measures have no factor, and every factor indicator has a polarity")
        if self.proxy and not self.proxy_reason:
            raise ValueError(f"{self.id}: a proxy says what it stands in for (proxy_reason)")
        if self.factor is not None and (not self.scored or self.unscored_levels) and not self.unscored_reason:
            raise ValueError(f"{self.id}: a factor indicator left out of the scores says why (unscored_reason)")
        if set(self.unscored_levels) - set(self.levels):
            raise ValueError(f"{self.id}: unscored_levels {self.unscored_levels} are not among its levels {self.levels}")
        pairs = isinstance(self.series_breaks, tuple) and all(
            isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(part, str) and part.strip() for part in entry)
            for entry in self.series_breaks
        )
        if not pairs:
            raise ValueError(f"{self.id}: series_breaks is a tuple of (period label, why) pairs, both non-empty text: {self.series_breaks!r}")
        periods = [period for period, _ in self.series_breaks]
        if len(set(periods)) != len(periods):
            raise ValueError(f"{self.id}: one series break per period, not {periods}")

    @property
    def is_scored(self) -> bool:
        """Scored at one level at least."""
        return bool(self.scored_levels)

    @property
    def scored_levels(self) -> tuple[str, ...]:
        if self.polarity == "context" or not self.scored:
            return ()
        return tuple(level for level in self.levels if level not in self.unscored_levels)

    def is_scored_at(self, level: str) -> bool:
        return level in self.scored_levels
