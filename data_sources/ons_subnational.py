"""ONS Subnational Indicators Explorer (Levelling Up metrics, August 2022): 36 metrics by LAD, county, region, with polarity."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_sources.base import (
    HIGHER_FAVOURABLE,
    LOWER_FAVOURABLE,
    OGL_V3,
    PublisherDirection,
    RawFile,
    SchemaError,
    Source,
    check_codes,
    finish_tidy,
    read_csv_checked,
    to_number,
)
from data_sources.fetching import fetch_source

RAW_BASE = "https://raw.githubusercontent.com/ONSvisual/subnational-indicators/main/R"
DATA = "machine_readable.csv"
METADATA = "metadata.csv"

# measure -> (worksheet, Polarity, short name) as published in metadata.csv. 'Negative' is lower is better; a blank is the
# explorer's default, higher is better (see read_metadata). tests/test_publisher_directions.py checks this against the file.
PUBLISHED_POLARITY = {
    "gva_per_hour_worked": ("GVAperhourworked", "", "Gross value added per hour worked"),
    "median_weekly_pay": ("PAYweekMEDIAN", "", "Gross median weekly pay"),
    "employment_rate_16_64": ("RateEmployment", "", "Employment rate for 16 to 64 year olds"),
    "gdhi_per_head": ("GDHIperhead", "", "Gross disposable household income per head"),
    "uk_exports": ("UKExports", "", "Total value of UK exports"),
    "inward_fdi": ("InwardFDI", "", "Inward foreign direct investment (FDI)"),
    "outward_fdi": ("OutwardFDI", "", "Outward foreign direct investment (FDI)"),
    "travel_time_employment_centre_public_transport": ("TIMEtravelWORKPT", "Negative", "Public transport or walk to employment centre with 500 to 4999 jobs"),
    "travel_time_employment_centre_car": ("TIMEtravelWORKCar", "Negative", "Drive to employment centre with 500 to 4999 jobs"),
    "travel_time_employment_centre_cycle": ("TIMEtravelWORKBike", "Negative", "Cycle to employment centre with 500 to 4999 jobs"),
    "gigabit_broadband": ("broadbandAVAIL", "", "Gigabit capable broadband"),
    "coverage_4g": ("4GAreaCoverage", "", "4G coverage"),
    "ks2_expected_standard": ("KS2Attainment", "", "Pupils at expected standards by end of primary school"),
    "gcse_english_maths_age19": ("GCSEbyAge19", "", "GCSEs (and equivalent) in English and maths by age 19"),
    "schools_good_or_outstanding": ("Ofsted", "", "Schools and nursery schools rated good or outstanding"),
    "early_years_communication": ("EarlyYearsFoundationComms", "", "Early years communication"),
    "early_years_literacy": ("EarlyYearsFoundationLiteracy", "", "Early years literacy"),
    "early_years_maths": ("EarlyYearsFoundationMaths", "", "Early years maths"),
    "fe_skills_achievements_19plus": ("FESkillsAchievements", "", "19 years and over further education and skills learner achievements"),
    "apprenticeship_starts": ("ApprenticeshipStarts", "", "Apprenticeships starts"),
    "apprenticeship_achievements": ("ApprenticeshipAchievements", "", "Apprenticeships achievements"),
    "level3_qualifications_16_64": ("Level3+Qualifications", "", "Aged 16 to 64 level 3 or above qualifications"),
    "fe_skills_participation_19plus": ("FESkillsParticipation", "", "19 years and over further education and skills participation"),
    "healthy_life_expectancy_female": ("HLEFemale", "", "Female healthy life expectancy"),
    "healthy_life_expectancy_male": ("HLEMale", "", "Male healthy life expectancy"),
    "smoking_prevalence": ("Smoke", "Negative", "Cigarette smokers"),
    "overweight_children_reception": ("Overweight (child)", "Negative", "Overweight children at reception age"),
    "overweight_adults": ("Overweight (adult)", "Negative", "Overweight adults"),
    "cancer_diagnosis_stage_1_2": ("CancerDiagnosis", "", "Cancer diagnosis at stage 1 and 2"),
    "preventable_cvd_mortality_under75": ("Under75MortalityRate", "Negative", "Cardiovascular mortality considered preventable in persons aged under 75"),
    "life_satisfaction": ("LifeSatisfaction", "", "Life satisfaction"),
    "worthwhile": ("Worthwhile", "", "Feeling life is worthwhile"),
    "happiness": ("Happiness", "", "Happiness"),
    "anxiety": ("Anxiety", "Negative", "Anxiety"),
    "net_additions_housing_stock": ("HouseAdditions", "", "New houses"),
    "homicide_rate": ("Homicide", "Negative", "Homicide"),
}

SOURCE = Source(
    id="ons_subnational",
    title="Subnational indicators explorer: machine-readable data (August 2022 update)",
    publisher="Office for National Statistics",
    licence=OGL_V3,
    landing_page="https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing/articles/subnationalindicatorsexplorer/2022-01-06",
    published="2022-08-25",
    vintage="August 2022 update (periods 2016-18 to 2021/22 by metric)",
    geography="LAD, county, region, country; police force area for homicide",
    code_vintage="LAD21 for most metrics; LAD19, LAD20 or LAD11 codes for some (see METRICS)",
    optional=True,
    optional_reason=(
        "No indicator or build step reads it: superseded by Explore Local Statistics (ons_els); held for its published "
        "polarity, which the ons_els directions are checked against, and for metrics ELS lacks"
    ),
    files=(
        RawFile(
            name=DATA,
            url=f"{RAW_BASE}/{DATA}",
            description="Machine-readable download of the explorer: one row per area and metric, with MAD standardisation",
            official_format_note="Windows-1252 text; a one-line note and a blank line precede the header",
        ),
        RawFile(
            name=METADATA,
            url=f"{RAW_BASE}/{METADATA}",
            description="One row per metric: worksheet id, names, levelling-up mission, polarity, period, unit",
            tidy=False,
        ),
    ),
    caveats=(
        "Superseded by Explore Local Statistics (source ons_els), which has longer series; use this for metrics ELS lacks. "
        "Metrics are published on different LAD code sets (LAD21 mostly; well-being, smoking and preventable mortality on "
        "LAD19; housing additions and child obesity on LAD20; travel times on LAD11): the geography label says which. "
        "Cancer diagnosis mixes the old Northamptonshire districts (labelled lad20) with the 2021 unitaries. "
        "One row of 19+ FE achievements is dropped: the publisher gives 'Buckinghamshire' West Northamptonshire's code. "
        "Periods are rewritten from the file's digits: 202021 -> 2020/21 (one year), 201820 -> 2018-20 (pooled). "
        "The file's MAD (median absolute deviations from the median) column is not carried: the atlas standardises itself."
    ),
    directions=tuple(
        PublisherDirection(
            measure,
            LOWER_FAVOURABLE if polarity == "Negative" else HIGHER_FAVOURABLE,
            f"metadata.csv: Polarity {polarity or 'blank'} for {worksheet} '{short}' "
            + ("(lower is better)" if polarity == "Negative" else "(blank is the explorer's default: higher is better)"),
        )
        for measure, (worksheet, polarity, short) in PUBLISHED_POLARITY.items()
    ),
)


@dataclass(frozen=True)
class Metric:
    measure: str
    worksheet: str  # the metric's id in metadata.csv, which carries its polarity
    vintage: str  # LAD code set the metric's local authority rows use


# Indicator text in machine_readable.csv -> metric. The two files name metrics differently; the worksheet joins them.
METRICS: dict[str, Metric] = {
    "Gross Value Added (GVA) per hour worked": Metric("gva_per_hour_worked", "GVAperhourworked", "lad21"),
    "Median Weekly Pay": Metric("median_weekly_pay", "PAYweekMEDIAN", "lad21"),
    "Employment rate (16–64-year olds)": Metric("employment_rate_16_64", "RateEmployment", "lad21"),
    "Gross Disposable Household Income (GDHI), per head": Metric("gdhi_per_head", "GDHIperhead", "lad21"),
    "Total value of UK exports": Metric("uk_exports", "UKExports", "lad21"),
    "Inward Foreign Direct Investment (FDI)": Metric("inward_fdi", "InwardFDI", "lad21"),
    "Outward Foreign Direct Investment (FDI)": Metric("outward_fdi", "OutwardFDI", "lad21"),
    "Average travel time in minutes to reach nearest large employment centre (500 + employees), by public transport":
        Metric("travel_time_employment_centre_public_transport", "TIMEtravelWORKPT", "lad11"),
    "Average travel time in minutes to reach nearest large employment centre (500 + employees), by car":
        Metric("travel_time_employment_centre_car", "TIMEtravelWORKCar", "lad11"),
    "Average travel time in minutes to reach nearest large employment centre (500 + employees), by cycle":
        Metric("travel_time_employment_centre_cycle", "TIMEtravelWORKBike", "lad11"),
    "Percentage of premises with gigabit-capable broadband": Metric("gigabit_broadband", "broadbandAVAIL", "lad21"),
    "Percentage of 4G (and 5G) coverage by at least one mobile network operator": Metric("coverage_4g", "4GAreaCoverage", "lad21"),
    "Percentage of pupils meeting the expected standard in reading, writing and maths by end of primary school":
        Metric("ks2_expected_standard", "KS2Attainment", "lad21"),
    "Percentage of young people achieving GCSEs (and equivalent qualifications) in English and maths by age 19":
        Metric("gcse_english_maths_age19", "GCSEbyAge19", "lad21"),
    "Percentage of schools rated good or outstanding by Ofsted": Metric("schools_good_or_outstanding", "Ofsted", "lad21"),
    "Percentage of 5-year olds achieving 'expected level' in communication early learning goals":
        Metric("early_years_communication", "EarlyYearsFoundationComms", "lad21"),
    "Percentage of 5-year olds achieving 'expected level' in literacy early learning goals":
        Metric("early_years_literacy", "EarlyYearsFoundationLiteracy", "lad21"),
    "Percentage of 5-year olds achieving 'expected level' in maths early learning goals":
        Metric("early_years_maths", "EarlyYearsFoundationMaths", "lad21"),
    "19+ Further Education and Skills Achievements (qualifications) excluding community learning, Multiply and bootcamps":
        Metric("fe_skills_achievements_19plus", "FESkillsAchievements", "lad21"),
    "Number of starts on apprenticeships": Metric("apprenticeship_starts", "ApprenticeshipStarts", "lad21"),
    "Number of achievements on apprenticeships": Metric("apprenticeship_achievements", "ApprenticeshipAchievements", "lad21"),
    "Proportion of the population aged 16 - 64 with level 3+ qualifications": Metric("level3_qualifications_16_64", "Level3+Qualifications", "lad21"),
    "19+ further education and skills participation": Metric("fe_skills_participation_19plus", "FESkillsParticipation", "lad21"),
    "Female Healthy Life Expectancy (HLE)": Metric("healthy_life_expectancy_female", "HLEFemale", "lad21"),
    "Male Healthy Life Expectancy (HLE)": Metric("healthy_life_expectancy_male", "HLEMale", "lad21"),
    "Smoking prevalence of adults": Metric("smoking_prevalence", "Smoke", "lad19"),
    "Obesity prevalence - children": Metric("overweight_children_reception", "Overweight (child)", "lad20"),
    "Obesity prevalence - adult": Metric("overweight_adults", "Overweight (adult)", "lad21"),
    "Cancer diagnosis at stage 1 & 2": Metric("cancer_diagnosis_stage_1_2", "CancerDiagnosis", "lad21"),
    "Under 75 mortality rate from cardiovascular diseases considered preventable (per 100,000 population)":
        Metric("preventable_cvd_mortality_under75", "Under75MortalityRate", "lad19"),
    "Average life satisfaction ratings": Metric("life_satisfaction", "LifeSatisfaction", "lad19"),
    "Average feeling that things done in life are worthwhile ratings": Metric("worthwhile", "Worthwhile", "lad19"),
    "Average happiness ratings": Metric("happiness", "Happiness", "lad19"),
    "Average anxiety ratings": Metric("anxiety", "Anxiety", "lad19"),
    "Net additions to the housing stock": Metric("net_additions_housing_stock", "HouseAdditions", "lad20"),
    "Homicide": Metric("homicide_rate", "Homicide", "lad21"),
}

# Rows whose code belongs to an older code set than the rest of their metric: (measure, code) -> label.
# Cancer diagnosis publishes the seven Northamptonshire districts abolished in April 2021 beside their successors.
OLDER_CODES = {
    ("cancer_diagnosis_stage_1_2", code): "lad20"
    for code in ("E07000150", "E07000151", "E07000152", "E07000153", "E07000154", "E07000155", "E07000156")
}
# Publisher errors dropped on read: (indicator, code, area name as published).
MISCODED_ROWS = {
    ("19+ Further Education and Skills Achievements (qualifications) excluding community learning, Multiply and bootcamps",
     "E06000062", "Buckinghamshire"),
}

LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06")
OTHER_PREFIXES = {"E10": "utla", "E12": "region", "E92": "country", "W92": "country", "E23": "pfa", "W15": "pfa"}
DATA_COLUMNS = ["AREACD", "AREANM", "Indicator", "Period", "Value"]
METADATA_COLUMNS = ["Worksheet", "Indicator", "Shortened", "Category", "Polarity", "Period", "Unit"]
# The explorer writes 'NA' for missing values, and once 'na' (City of London police, homicide).
MISSING = {"na"}


def read(path: Path):
    path = Path(path)
    if path.name == DATA:
        return read_data(path)
    if path.name == METADATA:
        return read_metadata(path)
    raise SchemaError(f"{path}: not a file of source {SOURCE.id}")


def period_label(period: str) -> str:
    """'202021' -> '2020/21' (one financial or academic year); '201820' -> '2018-20' (pooled years); '2019' stays."""
    text = str(period).strip()
    match = re.fullmatch(r"(\d{4})(\d{2})", text)
    if not match:
        if not re.fullmatch(r"\d{4}", text):
            raise ValueError(text)
        return text
    start, end = int(match.group(1)), int(match.group(2))
    return f"{start}/{end:02d}" if end == (start + 1) % 100 else f"{start}-{end:02d}"


def read_data(path: Path) -> pd.DataFrame:
    path = Path(path)
    # The first line is a note and the second is blank; the header is the third line.
    frame = read_csv_checked(path, DATA_COLUMNS, skiprows=2)
    for column in DATA_COLUMNS:
        frame[column] = frame[column].str.strip()
    unknown = sorted(set(frame["Indicator"]) - set(METRICS))
    if unknown:
        raise SchemaError(f"{path}: column 'Indicator' has metrics this loader does not know: {', '.join(map(repr, unknown[:3]))}")
    miscoded = pd.Series([(i, c, n) in MISCODED_ROWS for i, c, n in zip(frame["Indicator"], frame["AREACD"], frame["AREANM"])], index=frame.index)
    prefix = frame["AREACD"].str[:3]
    frame = frame[~miscoded & (prefix.isin(LAD_PREFIXES) | prefix.isin(list(OTHER_PREFIXES)))].copy()
    if frame.empty:
        raise SchemaError(f"{path}: no England or Wales local authority, county, region or country rows")
    check_codes(frame["AREACD"], path, "AREACD")
    measures = frame["Indicator"].map(lambda i: METRICS[i].measure)
    geography = []
    for code, indicator, measure in zip(frame["AREACD"], frame["Indicator"], measures):
        vintage = OLDER_CODES.get((measure, code), METRICS[indicator].vintage)
        stem = "lad" if code[:3] in LAD_PREFIXES else OTHER_PREFIXES[code[:3]]
        geography.append(vintage if stem == "lad" else (f"utla{vintage[3:]}" if stem == "utla" else stem))
    try:
        periods = frame["Period"].map(period_label)
    except ValueError as exc:
        raise SchemaError(f"{path}: column 'Period' has a value that is not a year or year pair: {exc}") from exc
    values = frame["Value"].where(~frame["Value"].isin(MISSING), "NA")
    tidy = pd.DataFrame(
        {
            "area_code": frame["AREACD"].values,
            "geography": geography,
            "measure": measures.values,
            "period": periods.values,
            "value": to_number(values, path, "Value").values,
        }
    )
    return finish_tidy(tidy, path)


def read_metadata(path: Path) -> pd.DataFrame:
    """One row per metric: measure, names, levelling-up mission, polarity (higher/lower is better), period, unit."""
    path = Path(path)
    frame = read_csv_checked(path, METADATA_COLUMNS, dtype_text=METADATA_COLUMNS)
    by_worksheet = {metric.worksheet: metric.measure for metric in METRICS.values()}
    unknown = sorted(set(frame["Worksheet"]) - set(by_worksheet))
    if unknown:
        raise SchemaError(f"{path}: column 'Worksheet' has metrics this loader does not know: {', '.join(map(repr, unknown[:3]))}")
    missing = sorted(set(by_worksheet) - set(frame["Worksheet"]))
    if missing:
        raise SchemaError(f"{path}: column 'Worksheet' lacks metrics {', '.join(map(repr, missing[:3]))}")
    polarity = frame["Polarity"].str.lower()
    if not polarity.isin(["", "negative", "positive"]).all():
        raise SchemaError(f"{path}: column 'Polarity' has values other than blank/Negative: {sorted(set(polarity))}")
    # A blank polarity is the explorer's default: higher values are shown as better.
    return pd.DataFrame(
        {
            "measure": frame["Worksheet"].map(by_worksheet).values,
            "worksheet": frame["Worksheet"].values,
            "title": frame["Indicator"].values,
            "short_title": frame["Shortened"].values,
            "mission": frame["Category"].values,
            "polarity": polarity.map({"negative": "lower_is_better"}).fillna("higher_is_better").values,
            "period": frame["Period"].values,
            "unit": frame["Unit"].replace("NA", "").values,
        }
    )


def fetch(dest: Path, session=None) -> Path:
    return fetch_source(SOURCE, Path(dest), read, session=session)
