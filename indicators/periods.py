"""Readable period labels for published period strings (ISO intervals, reference dates, years)."""
from __future__ import annotations

import re

from data_sources.ons_els import period_label as _els_label

_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}")


def period_label(period: str) -> str:
    """'2023-04-01/P1Y' -> '2023/24'; '2021-01-01/P3Y' -> '2021-2023'; a reference date such as ASHE's '2025-04-30' -> '2025'."""
    label = _els_label(str(period))
    match = _DATE.fullmatch(label)
    return match.group(1) if match else label
