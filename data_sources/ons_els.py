"""ONS Explore Local Statistics: indicator time series (education, labour market, income, health, well-being, culture) by LAD, UTLA, region."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_sources.base import (
    HIGHER_FAVOURABLE,
    LOWER_FAVOURABLE,
    NOT_STATED,
    OGL_V3,
    PublisherDirection,
    RawFile,
    SchemaError,
    Source,
    check_codes,
    finish_tidy,
    load_json,
    read_csv_checked,
    to_number,
)
from data_sources.fetching import fetch_source

RAW_BASE = "https://raw.githubusercontent.com/ONSdigital/explore-local-statistics-data/main"


@dataclass(frozen=True)
class Series:
    """One ELS series: its folder slug, the LAD code set it is published on, and its indicator -> variable names."""

    slug: str
    # The newest LAD code set whose codes the series uses for current areas ("lad22", "lad24", "lad25");
    # "" for a series with no local-authority rows (homicide is by police force area).
    vintage: str
    # Indicator text as published -> variable suffix of the measure name (None: the series has one variable).
    variables: dict
    title: str
    publisher: str
    source_url: str

    @property
    def measure_stem(self) -> str:
        return self.slug.replace("-", "_")

    def measure(self, indicator: str) -> str:
        suffix = self.variables[indicator]
        return self.measure_stem if suffix is None else f"{self.measure_stem}__{suffix}"

    def measures(self) -> list[str]:
        return [self.measure(indicator) for indicator in self.variables]


DFE = "Department for Education"
ONS = "Office for National Statistics"
EES = "https://explore-education-statistics.service.gov.uk/find-statistics"
APS_LI01 = "https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/employmentandemployeetypes/datasets/li01regionallabourmarketlocalindicatorsforcountieslocalandunitaryauthorities"

# Vintages were checked against the ONS LAD code history: LAD23 and LAD24 are the same code set, LAD25 recodes
# Barnsley and Sheffield (E08000038/39), LAD21 and LAD22 are the same set (before the 2023 unitaries).
SERIES: tuple[Series, ...] = (
    Series("apprenticeships", "lad24", {"Apprenticeship starts (England)": "starts", "Apprenticeship achievements (England)": "achievements"},
           "Apprenticeship starts and achievements per 100,000 population", DFE, f"{EES}/further-education-and-skills"),
    Series("children-in-relative-poverty", "lad25",
           {"Children in relative poverty before housing costs": "before_housing_costs", "Children in relative poverty after housing costs": "after_housing_costs"},
           "Children in relative low-income families", "Department for Work and Pensions",
           "https://www.gov.uk/government/collections/children-in-low-income-families-local-area-statistics"),
    Series("claimant-count", "lad24", {"Claimant Count": None}, "Claimant Count (% of residents aged 16 to 64)", ONS,
           "https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/employmentandemployeetypes/bulletins/regionallabourmarket/previousreleases"),
    Series("early-years", "lad25", {"Communication and language": "communication_and_language", "Literacy": "literacy", "Mathematics": "mathematics"},
           "Early years foundation stage: expected level in communication and language, literacy, mathematics", DFE,
           f"{EES}/early-years-foundation-stage-profile-results"),
    Series("employment-rate", "lad24", {"Employment rate": "employment_rate", "Economically inactive": "economically_inactive"},
           "Employment rate and economic inactivity, aged 16 to 64", ONS, APS_LI01),
    Series("engagement-with-culture-and-heritage", "lad24",
           {"Engaged with the arts": "arts", "Visited a heritage site": "heritage_site", "Visited a museum or gallery": "museum_or_gallery", "Visited a public library": "public_library"},
           "Engagement with culture and heritage (DCMS Participation Survey)", "Department for Culture, Media and Sport",
           "https://www.gov.uk/government/collections/participation-survey-statistical-releases"),
    Series("further-education-and-skills-participation", "lad24", {"Further education and skills participation": None},
           "Further education and skills participation per 100,000 population", DFE, f"{EES}/further-education-and-skills"),
    Series("gcses-in-english-and-maths", "lad25", {"GCSEs in English and Maths": None},
           "Young people achieving GCSEs in English and maths by age 19", DFE, f"{EES}/level-2-and-3-attainment-by-young-people-aged-19"),
    Series("gross-disposable-household-income-per-head", "lad24", {"Gross disposable household income": None},
           "Gross disposable household income per head", ONS,
           "https://www.ons.gov.uk/economy/regionalaccounts/grossdisposablehouseholdincome/bulletins/regionalgrossdisposablehouseholdincomegdhi/previousreleases"),
    Series("gross-median-weekly-pay", "lad24", {"Gross median weekly pay": None},
           "Gross median weekly pay, residence-based", ONS,
           "https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/earningsandworkinghours/bulletins/annualsurveyofhoursandearnings/previousreleases"),
    Series("healthy-life-expectancy", "lad25", {"Male healthy life expectancy": "male", "Female healthy life expectancy": "female"},
           "Healthy life expectancy at birth (3-year periods)", ONS,
           "https://www.ons.gov.uk/peoplepopulationandcommunity/healthandsocialcare/healthandlifeexpectancies/bulletins/healthstatelifeexpectanciesuk/previousreleases"),
    Series("homicide-offences", "", {"Homicide Offences": None}, "Homicide offences per million population (3-year periods)", ONS,
           "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/articles/homicideinenglandandwales/previousreleases"),
    Series("housing-affordability-ratio", "lad25", {"Housing affordability ratio (residence-based)": None},
           "Housing affordability ratio (median house price to median residence-based earnings)", ONS,
           "https://www.ons.gov.uk/peoplepopulationandcommunity/housing/bulletins/housingaffordabilityinenglandandwales/previousreleases"),
    Series("modelled-unemployment", "lad24", {"Modelled unemployment rate": None}, "Modelled unemployment rate", ONS, APS_LI01),
    Series("persistent-absences-for-all-pupils", "lad24", {"Persistent absences for all pupils": None},
           "Persistent absence, all pupils", DFE, f"{EES}/pupil-absence-in-schools-in-england"),
    Series("persistent-absences-for-pupils-eligible-for-free-school-meals", "lad24",
           {"Persistent absences for pupils eligible for free school meals": None},
           "Persistent absence, pupils eligible for free school meals", DFE, f"{EES}/pupil-absence-in-schools-in-england"),
    Series("personal-wellbeing-estimates", "lad22",
           {"Satisfaction": "life_satisfaction", "Happiness": "happiness", "Worthwhile": "worthwhile", "Anxiety": "anxiety"},
           "Personal well-being: life satisfaction, happiness, worthwhile, anxiety (mean 0-10)", ONS,
           "https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing/bulletins/measuringnationalwellbeing/previousreleases"),
    Series("pupils-at-expected-standards-by-end-of-primary-school", "lad25",
           {"Pupils meeting the expected standard in reading, writing and maths": None},
           "Pupils meeting the expected standard in reading, writing and maths (KS2)", DFE, f"{EES}/key-stage-2-attainment"),
    Series("qualifications-level-3-or-above", "lad24", {"Level 3 or above qualifications (Great Britain)": None},
           "Aged 16 to 64 with level 3 or above qualifications", ONS, "https://www.nomisweb.co.uk/datasets/apsnew"),
    Series("qualifications-none-gb", "lad24", {"No qualifications": None},
           "Aged 16 to 64 with no qualifications", ONS, "https://www.nomisweb.co.uk/datasets/apsnew"),
)
SERIES_BY_SLUG = {series.slug: series for series in SERIES}

# Codes that first appear in a LAD code set: a current code from a newer set than the one declared means the
# publisher has moved the series to new codes and SERIES must be updated (or rows would carry a wrong label).
FIRST_IN_VINTAGE = {
    25: ("E08000038", "E08000039"),
    23: ("E06000063", "E06000064", "E06000065", "E06000066"),
    21: ("E06000061", "E06000062"),
}

# GSS code prefix -> geography label stem. Combined authorities, metropolitan counties, Inner/Outer London,
# ITL regions and non-E&W areas are left out: the atlas maps local authorities and compares with region/country.
LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06")
OTHER_PREFIXES = {"E10": "utla", "E12": "region", "E92": "country", "W92": "country", "E23": "pfa", "W15": "pfa"}
VERSIONED = {"lad", "utla"}

CSV_COLUMNS = ["areacd", "indicator", "period", "observation", "lci_95", "uci_95", "notes"]
OBSOLETE = re.compile(r"Obsolete code since (\d{4})")

EXTRA_DOCS = ("LICENSE.md",)  # the data repository's licence statement, kept beside the data

# ELS .json metadata carries no polarity. Where ONS's Subnational Indicators Explorer (source ons_subnational) publishes
# the same metric, its metadata.csv Polarity is ONS's stated direction: ELS measure -> (that source's measure, Polarity,
# short name there, how the two differ). A metric whose direction no publisher states is NOT_STATED, however plausible.
SUBNATIONAL_POLARITY = {
    "apprenticeships__starts": ("apprenticeship_starts", "", "Apprenticeships starts", "there a count, here per 100,000"),
    "apprenticeships__achievements": ("apprenticeship_achievements", "", "Apprenticeships achievements", "there a count, here per 100,000"),
    "early_years__communication_and_language": ("early_years_communication", "", "Early years communication", "there 2019, before the 2021 profile revision"),
    "early_years__literacy": ("early_years_literacy", "", "Early years literacy", "there 2019, before the 2021 profile revision"),
    "early_years__mathematics": ("early_years_maths", "", "Early years maths", "there 2019, before the 2021 profile revision"),
    "employment_rate__employment_rate": ("employment_rate_16_64", "", "Employment rate for 16 to 64 year olds", ""),
    "further_education_and_skills_participation": ("fe_skills_participation_19plus", "", "19 years and over further education and skills participation", ""),
    "gcses_in_english_and_maths": ("gcse_english_maths_age19", "", "GCSEs (and equivalent) in English and maths by age 19", ""),
    "gross_disposable_household_income_per_head": ("gdhi_per_head", "", "Gross disposable household income per head", ""),
    "gross_median_weekly_pay": ("median_weekly_pay", "", "Gross median weekly pay", ""),
    "healthy_life_expectancy__female": ("healthy_life_expectancy_female", "", "Female healthy life expectancy", ""),
    "healthy_life_expectancy__male": ("healthy_life_expectancy_male", "", "Male healthy life expectancy", ""),
    "homicide_offences": ("homicide_rate", "Negative", "Homicide", ""),
    "personal_wellbeing_estimates__anxiety": ("anxiety", "Negative", "Anxiety", ""),
    "personal_wellbeing_estimates__happiness": ("happiness", "", "Happiness", ""),
    "personal_wellbeing_estimates__life_satisfaction": ("life_satisfaction", "", "Life satisfaction", ""),
    "personal_wellbeing_estimates__worthwhile": ("worthwhile", "", "Feeling life is worthwhile", ""),
    "pupils_at_expected_standards_by_end_of_primary_school": ("ks2_expected_standard", "", "Pupils at expected standards by end of primary school", ""),
    "qualifications_level_3_or_above": ("level3_qualifications_16_64", "", "Aged 16 to 64 level 3 or above qualifications", ""),
}
NO_POLARITY = "the ELS .json gives a label and definition but no polarity, and the Subnational Indicators Explorer does not publish this metric"


def _csv_file(series: Series) -> RawFile:
    return RawFile(
        name=f"{series.slug}/{series.slug}.csv",
        url=f"{RAW_BASE}/{series.slug}/{series.slug}.csv",
        description=f"{series.title} ({series.publisher}); tidy CSV, one row per area, indicator and period",
    )


def _json_file(series: Series) -> RawFile:
    return RawFile(
        name=f"{series.slug}/{series.slug}.json",
        url=f"{RAW_BASE}/{series.slug}/{series.slug}.json",
        description=f"Metadata of {series.slug}: labels, units, source organisation, URL and date, caveats",
        tidy=False,
    )


SOURCE = Source(
    id="ons_els",
    title="Explore Local Statistics: local indicator data",
    publisher="Office for National Statistics (compiling DfE, DWP, DCMS and ONS statistics)",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/explore-local-statistics/",
    published="2026-06-26",
    vintage="ELS data repository at 2026-06-26 (periods 1997 to 2025 by series)",
    geography="LAD, UTLA (county), region, country; police force area for homicide",
    code_vintage="LAD22 (well-being), LAD24 or LAD25 by series; obsolete codes labelled with their last LAD vintage",
    files=tuple(f for series in SERIES for f in (_csv_file(series), _json_file(series))),
    caveats=(
        "Each series is published on current codes (see SERIES: lad22, lad24 or lad25) and keeps rows for abolished "
        "areas; those rows are labelled with the last LAD/UTLA vintage their code belonged to, taken from the file's "
        "'Obsolete code since YYYY' notes, so geography == the series vintage is the complete current set. "
        "E06/E07/E08/E09/W06 rows are 'lad..', county (E10) rows 'utla..'. DfE school measures are by school location, "
        "persistent absence and healthy life expectancy are upper-tier only (districts take their county's value). "
        "APS-based series (employment, unemployment, qualifications) are official statistics in development with wide "
        "confidence intervals (lower_ci/upper_ci); cells flagged unreliable ('u') or suppressed ('x') are blank and read as missing. "
        "Gross median weekly pay is residence-based only (no workplace series in ELS). Periods are the published ISO "
        "strings (2023-04-01/P1Y = 2023/24); period_label() turns them into display labels."
    ),
    directions=(
        *(
            PublisherDirection(
                measure,
                LOWER_FAVOURABLE if polarity == "Negative" else HIGHER_FAVOURABLE,
                f"ONS Subnational Indicators Explorer metadata.csv: Polarity {polarity or 'blank'} "
                f"({'negative' if polarity == 'Negative' else 'positive'}) for '{short}', the same ONS metric "
                f"(source ons_subnational, measure {same}{'; ' + differs if differs else ''}); the ELS .json states no polarity",
            )
            for measure, (same, polarity, short, differs) in SUBNATIONAL_POLARITY.items()
        ),
        PublisherDirection(
            "housing_affordability_ratio",
            LOWER_FAVOURABLE,
            "ELS housing-affordability-ratio.json caveats (ONS): 'A higher housing affordability ratio reflects a less affordable area.'",
        ),
        PublisherDirection("children_in_relative_poverty__*", NOT_STATED, NO_POLARITY),
        PublisherDirection("claimant_count", NOT_STATED, NO_POLARITY),
        PublisherDirection("employment_rate__economically_inactive", NOT_STATED, NO_POLARITY),
        PublisherDirection("engagement_with_culture_and_heritage__*", NOT_STATED, NO_POLARITY),
        PublisherDirection("modelled_unemployment", NOT_STATED, NO_POLARITY),
        PublisherDirection("persistent_absences_for_*", NOT_STATED, NO_POLARITY),
        PublisherDirection("qualifications_none_gb", NOT_STATED, NO_POLARITY),
    ),
)


def read(path: Path):
    """A series CSV as a tidy frame, or a series .json as its metadata dict; SchemaError for anything else."""
    path = Path(path)
    series = SERIES_BY_SLUG.get(path.name.rsplit(".", 1)[0])
    if series is not None and path.suffix == ".csv":
        return read_series(path, series)
    if series is not None and path.suffix == ".json":
        return series_metadata(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def _vintage_year(label: str) -> int:
    return int(label[-2:])


def _label(prefix: str, year: int) -> str:
    stem = "lad" if prefix in LAD_PREFIXES else OTHER_PREFIXES[prefix]
    return f"{stem}{year:02d}" if stem in VERSIONED else stem


def read_series(path: Path, series: Series | None = None) -> pd.DataFrame:
    path = Path(path)
    series = series or SERIES_BY_SLUG.get(path.stem)
    if series is None:
        raise SchemaError(f"{path}: not a series of source {SOURCE.id}")
    frame = read_csv_checked(path, CSV_COLUMNS)
    for column in CSV_COLUMNS:
        frame[column] = frame[column].str.strip()
    unknown = sorted(set(frame["indicator"]) - set(series.variables))
    if unknown:
        raise SchemaError(f"{path}: column 'indicator' has values this loader does not know: {', '.join(map(repr, unknown[:3]))}")
    prefix = frame["areacd"].str[:3]
    frame = frame[prefix.isin(LAD_PREFIXES) | prefix.isin(list(OTHER_PREFIXES))].copy()
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales local authority, region or country rows")
    check_codes(frame["areacd"], path, "areacd")
    obsolete_since = pd.to_numeric(frame["notes"].str.extract(OBSOLETE)[0], errors="coerce")
    _check_vintage(frame, obsolete_since, series, path)
    series_year = _vintage_year(series.vintage) if series.vintage else 99
    # "Obsolete code since 2023" means the code was last in the 2022 set; current codes take the series' vintage.
    last_year = (obsolete_since - 2001).clip(upper=series_year).fillna(series_year).astype(int)
    geography = [_label(p, y) for p, y in zip(frame["areacd"].str[:3], last_year)]
    tidy = pd.DataFrame(
        {
            "area_code": frame["areacd"].values,
            "geography": geography,
            "measure": [series.measure(i) for i in frame["indicator"]],
            "period": frame["period"].values,
            "value": to_number(frame["observation"], path, "observation").values,
            "lower_ci": to_number(frame["lci_95"], path, "lci_95").values,
            "upper_ci": to_number(frame["uci_95"], path, "uci_95").values,
        }
    )
    return finish_tidy(tidy, path)


def _check_vintage(frame: pd.DataFrame, obsolete_since: pd.Series, series: Series, path: Path) -> None:
    lad = frame["areacd"].str[:3].isin(LAD_PREFIXES)
    if not series.vintage:
        if (lad | frame["areacd"].str.startswith("E10")).any():
            raise SchemaError(f"{path}: column 'areacd' now has local authority rows; declare the series' LAD vintage")
        return
    current = set(frame.loc[lad & obsolete_since.isna(), "areacd"])
    declared = _vintage_year(series.vintage)
    for year, codes in FIRST_IN_VINTAGE.items():
        if year > declared and current.intersection(codes):
            raise SchemaError(f"{path}: column 'areacd' has LAD20{year} codes ({', '.join(sorted(current.intersection(codes)))}) "
                              f"but the series is declared {series.vintage}")


# ---------------------------------------------------------------------------------------------
# Metadata and display helpers
# ---------------------------------------------------------------------------------------------

def series_metadata(path: Path) -> dict:
    """What a series .json says: title, unit, source organisation/URL/date, caveats, and per-variable labels."""
    path = Path(path)
    series = SERIES_BY_SLUG.get(path.stem)
    try:
        body = load_json(path, "an ELS metadata file")
        meta = body["ess-beta-metadata"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaError(f"{path}: not an ELS metadata file (no 'ess-beta-metadata' object: {type(exc).__name__})") from exc
    if not isinstance(meta, dict):
        raise SchemaError(f"{path}: 'ess-beta-metadata' is not an object")
    shared = meta.get("shared", meta)
    if not isinstance(shared, dict):
        raise SchemaError(f"{path}: 'shared' is not an object")
    _check_text_fields(shared, path)
    per_variable = {k: v for k, v in meta.items() if k != "shared" and isinstance(v, dict)} if "shared" in meta else {meta.get("label", ""): meta}
    for entry in per_variable.values():
        _check_text_fields(entry, path)
    for key in ("sourceOrg", "sourceURL", "sourceDate"):
        if not shared.get(key):
            raise SchemaError(f"{path}: missing field {key!r}")
    variables = {}
    for indicator, entry in per_variable.items():
        measure = series.measure(indicator) if series and indicator in series.variables else None
        if series and measure is None and len(series.variables) == 1:
            measure = series.measures()[0]  # single-variable series: the label may be worded differently from the CSV
        if measure is None:
            raise SchemaError(f"{path}: variable {indicator!r} is not an indicator of series {path.stem}")
        variables[measure] = {
            "label": entry.get("label") or indicator,
            "subtitle": entry.get("subtitle"),
            "description": entry.get("longDescription"),
            "caveats": entry.get("caveats"),
        }
    note = re.search(r"(\d{2})/(\d{2})/(\d{4})", str(body.get("_note", "")))
    return {
        "slug": path.stem,
        "title": series.title if series else path.stem,
        "unit": _unit(shared),
        "source": " ; ".join(str(shared["sourceOrg"]).split("|")),
        "source_url": str(shared["sourceURL"]).split("|"),
        "source_date": str(shared["sourceDate"]).split("|"),
        "caveats": shared.get("caveats"),
        "official_statistics_in_development": shared.get("experimentalStatistic") == "T",
        "last_modified": f"{note.group(3)}-{note.group(2)}-{note.group(1)}" if note else "",
        "variables": variables,
    }


# Metadata fields shown as text (labels, units, sources, caveats); JSON lets them be anything, so each is checked.
TEXT_FIELDS = ("label", "prefix", "suffix", "subText", "subtitle", "longDescription", "caveats", "sourceOrg", "sourceURL", "sourceDate")


def _check_text_fields(entry: dict, path: Path) -> None:
    for key in TEXT_FIELDS:
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise SchemaError(f"{path}: field {key!r} is not text but {type(entry[key]).__name__}")


def _unit(shared: dict) -> str:
    prefix = "£" if shared.get("prefix") == "GBPSign" else (shared.get("prefix") or "")
    parts = [p for p in (prefix, shared.get("suffix"), shared.get("subText")) if p]
    return " ".join(parts)


def series_geography(slug: str) -> str:
    """The geography label of a series' complete current set: its LAD vintage, or 'pfa' for the police-force series."""
    return SERIES_BY_SLUG[slug].vintage or "pfa"


_ISO_PERIOD = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:/P(\d+)Y)?")


def period_label(period: str) -> str:
    """Display label for a published ISO period: calendar year '2023', financial/academic year '2023/24', pooled years '2011-2013'."""
    match = _ISO_PERIOD.fullmatch(str(period))
    if not match:
        return str(period)
    year, month, _, span = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    if span is None:
        return str(period)  # a point in time (e.g. the ASHE reference date) stays as published
    years = int(span)
    if month == 1:
        return str(year) if years == 1 else f"{year}-{year + years - 1}"
    first = f"{year}/{(year + 1) % 100:02d}"
    return first if years == 1 else f"{first} to {year + years - 1}/{(year + years) % 100:02d}"


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
