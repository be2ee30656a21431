"""URL state without widgets: checks of every URL parameter (unknown or hostile values give a message and a default)."""
from __future__ import annotations

import math
import re

import pandas as pd

from dashboard.frame_memo import per_frames
from vocabulary import DEFAULT_SCOPE, SCOPE_LABELS, SCOPES, SCORE_PERIOD

DEFAULT_LAD = "E08000025"  # Birmingham: the largest authority, in England, with ward-level data


_CODE = re.compile(r"^[EW]\d{8}$")


_ID = re.compile(r"^[a-z0-9_]{1,60}$")


def safe_echo(raw: object, limit: int = 40) -> str:
    """Untrusted URL text made safe to quote inside a Markdown message: printable word characters only, in a code span."""
    text = re.sub(r"[^A-Za-z0-9 _.:/,+-]", "", str(raw))[:limit]
    return f"`{text}`" if text else "(empty)"


def _first(raw):
    if isinstance(raw, (list, tuple)):
        return raw[-1] if raw else None
    return raw


def check_area(raw, areas: pd.DataFrame, default: str, *, allow_ward: bool = True) -> tuple[str, str | None]:
    """An LA (or ward) code from the URL, or the default and a friendly message saying why it was not used."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    code = str(raw).strip().upper()
    if not _CODE.match(code):
        return default, f"The area code {safe_echo(raw)} in the link is not a valid ONS code (like E06000009), so a default area is shown."
    row = areas_index(areas).get(code)
    if row is None and code[1:3] == "05":
        return default, f"The ward code {safe_echo(code)} in the link is not one of the 7,588 wards of England and Wales (May 2025 boundaries), so a default area is shown."
    if row is None:
        return default, f"The area code {safe_echo(code)} is not one of the 318 local authorities or 7,588 wards of England and Wales (May 2025), so a default area is shown."
    if row == "ward" and not allow_ward:
        return default, f"{safe_echo(code)} is a ward code; this page needs a local authority, so a default area is shown."
    return code, None


@per_frames
def areas_index(areas: pd.DataFrame) -> dict[str, str]:
    return dict(zip(areas["area_code"], areas["level"]))


def check_choice(raw, allowed, default: str, what: str) -> tuple[str, str | None]:
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip()
    if value in allowed:
        return value, None
    return default, f"The {what} {safe_echo(raw)} in the link is not one this page offers, so the default is shown."


def check_scope(raw, default: str = DEFAULT_SCOPE) -> tuple[str, str | None]:
    """The ranking scope from the URL (?scope=ew_common or country), or the default and a message naming the choices."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip().lower()
    if value in SCOPES:
        return value, None
    choices = " or ".join(f"`{k}` ({SCOPE_LABELS[k]})" for k in SCOPES)
    return default, f"The ranking scope {safe_echo(raw)} in the link is not one of {choices}, so the default ({SCOPE_LABELS[default]}) is shown."


def check_measure(raw, options: list[str], default: str) -> tuple[str, str | None]:
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip().lower()
    if not _ID.match(value):
        return default, f"The indicator {safe_echo(raw)} in the link is malformed, so the default indicator is shown."
    if value not in options:
        return default, f"The indicator {safe_echo(raw)} is not in the catalogue at this level, so the default indicator is shown."
    return value, None


def check_period(raw, periods: list[str], default: str) -> tuple[str, str | None]:
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return default, None
    value = str(raw).strip()
    if value in periods:
        return value, None
    if value == SCORE_PERIOD:
        # A score's period ("latest") left in the link by the previous measure: not a choice, and the default is the latest.
        return default, None
    return default, f"The period {safe_echo(raw)} is not published for this indicator, so its latest period is shown."


def check_area_list(raw, areas: pd.DataFrame, default: list[str], *, low: int = 2, high: int = 6) -> tuple[list[str], str | None]:
    """A comma-separated list of 2-6 LA codes; unknown codes are dropped with a message."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return list(default), None
    index = areas_index(areas)
    codes, bad = [], []
    for part in str(raw).split(","):
        code = part.strip().upper()
        if not code:
            continue
        if index.get(code) == "lad":
            if code not in codes:
                codes.append(code)
        else:
            bad.append(part)
    message = None
    if bad:
        message = f"Left out {len(bad)} code(s) that are not local authorities of England and Wales: {safe_echo(','.join(bad))}."
    if len(codes) > high:
        codes = codes[:high]
        message = (message + " " if message else "") + f"Only the first {high} areas are compared."
    if len(codes) < low:
        fill = [c for c in default if c not in codes]
        codes = (codes + fill)[: max(low, len(codes))]
        message = message or "Compare needs at least two areas, so defaults were added."
    return codes, message


def check_weights(raw, n: int, default: float = 1.0, *, top: float = 5.0) -> tuple[list[float], str | None]:
    """Comma-separated factor weights between 0 and `top`."""
    raw = _first(raw)
    if raw is None or str(raw).strip() == "":
        return [default] * n, None
    parts = str(raw).split(",")
    try:
        weights = [float(p) for p in parts]
    except ValueError:
        return [default] * n, f"The weights {safe_echo(raw)} in the link are not numbers, so equal weights are used."
    if len(weights) != n or not all(math.isfinite(w) and 0 <= w <= top for w in weights):
        return [default] * n, f"The weights {safe_echo(raw)} need {n} numbers between 0 and {top:g}, so equal weights are used."
    return weights, None
