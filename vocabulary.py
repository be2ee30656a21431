"""The atlas's vocabulary, each word defined once: factors, score methods, polarities, levels, scopes, the score period and countries."""
from __future__ import annotations

# The five factors of integration (2012 national integration strategy, "Creating the conditions for integration").
FACTORS = {
    1: "Shared aspirations, core values and common ground",
    2: "Personal and social responsibility",
    3: "Social mobility and realising potential",
    4: "Participation and empowerment in local and national life",
    5: "Tackling intolerance and extremism",
}
FACTOR_NUMBERS = tuple(FACTORS)
# factor_scores.factor keys ('1'..'5', 'composite') -> the short names charts and tables use.
FACTOR_SHORT = {"1": "1 Shared values", "2": "2 Responsibility", "3": "3 Social mobility", "4": "4 Participation", "5": "5 Tackling intolerance", "composite": "Composite"}

# Score methods, in the order tables list them.
METHOD_LABELS = {"robust_z": "Robust z-score", "exponential": "Exponential (IMD style)"}
METHODS = tuple(METHOD_LABELS)

POLARITIES = ("higher_is_better", "lower_is_better", "context")
LEVELS = ("lad", "ward")

SCOPES = {
    "ew_common": "England and Wales on a common footing: only indicators published for both countries",
    "country": "Each country on every indicator published for it, ranked within its own country",
}
DEFAULT_SCOPE = "ew_common"
# Short labels for the scope control; the long ones (SCOPES) go in its help.
SCOPE_LABELS = {"ew_common": "England and Wales, common indicators", "country": "Each country, all its indicators"}
WARD_SCOPE = "country"  # the only scope with ward rows: wards are ranked within their own country

# Factor scores describe the latest period of each indicator; factor_scores.period says so.
SCORE_PERIOD = "latest"
# A ward factor needs this many of its indicators before it is scored; with fewer it is shown as a single indicator.
MIN_WARD_INDICATORS = 2

ENGLAND_CODE = "E92000001"
WALES_CODE = "W92000004"
COUNTRY_NAMES = {"E": "England", "W": "Wales"}


def proxy_title(title: str, proxy: bool) -> str:
    """A proxy's title says it is a proxy: '(proxy)' is added unless the title already says so."""
    return f"{title} (proxy)" if proxy and "proxy" not in title.lower() else title
