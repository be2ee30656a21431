"""Every indicator, declared once: its metadata, the facts shown with it, and the builder that computes it.

Declarations only. Compute functions live in indicators/builders.py (generic, parametrised by source and measure)
and indicators/bespoke.py (written for one indicator), so adding an indicator is one entry here.
"""
from __future__ import annotations

from indicators import bespoke
from indicators import builders as b
from indicators.apportion import general_election_turnout
from indicators.declaration import Indicator
from indicators.ward_elections import local_election_turnout

H, L, C = "higher_is_better", "lower_is_better", "context"

ELS_CAVEAT = "ONS Explore Local Statistics series; values as published by the producing department."
SURVEY_CI = "Survey estimate with a 95% confidence interval; small LAs have wide intervals."
DATED_2008 = "Place Survey 2008 (abolished 2010): shown for its year only, 2008 LA structure matched by code history; not comparable with later surveys."
IOD_ENGLAND = "England only: the Indices of Deprivation are published separately for each nation and are never compared across them."
COUNTS_DIRECTION = "A share computed here from census counts; the publisher states no direction."
# Series breaks shared by several indicators: (period label as stored, why the series is not comparable across it).
IOD2025_BREAK = ("2025", "IoD 2025: new edition")
APS_TELEPHONE_BREAK = ("2020/21", "2020/21: survey moved to telephone interviews")
# Census 2021 topic summaries held per output area, summed to wards and LADs through the OA lookup.
OA_TOPIC_SOURCES = (b.OA_TOPIC_SOURCE, "oa21_lookup")
OA_SUMMED = "Census 2021 {table} output-area counts summed to wards and LADs, each OA placed by its centroid (oa_centroid); share = {share}."
CENSUS_LABOUR = "Census 2021 was taken during a COVID-19 lockdown: ONS's quality notice on labour-market questions applies (furlough, students' term-time addresses)."
CRIME_WARD = (
    "Scored for wards, not LAs: among LAs four crime measures say the same (rho 0.87-0.95) and factor 2 keeps recorded "
    "crime; for wards it is the only crime measure held."
)
CENSUS_NO_QUALS_LAD = (
    "Scored for wards, not LAs: among English LAs it duplicates the IoD education domain (rho 0.91) and among Welsh "
    "LAs the level 4+ share (rho 0.91); LA factor 3 keeps those, and the APS no-qualifications series."
)
NSSEC_REDUNDANT = (
    "Shown, not scored: it duplicates the level 4+ share among Welsh wards (rho 0.92) and the IoD education domain "
    "among English LAs (rho 0.93), so scoring it counts one signal twice. Factor 3 keeps level 4+."
)
HOUSEHOLD_MIXING = (
    "Context only: household mixing describes who lives together, which is useful context for cohesion work but "
    "neither good nor bad. Share of multi-person households (one-person households are left out of the base)."
)
WIMD_DOMAINS = (
    "Shown, not scored: the WIMD is a composite of eight domains, its income and employment domains overlap the "
    "claimant count and child poverty, and its community safety domain is factor 2's. Factor 3 keeps the WIMD "
    "education domain, as it keeps the English IoD's."
)
CRIME_REDUNDANT = (
    "Shown, not scored: the four crime measures correlate at rho 0.87-0.95 across LAs, so scoring them all counts one "
    "signal four times. Factor 2 keeps police recorded crime (published for England and Wales, the most recent year)."
)
IMD_DOMAINS = (
    "Shown, not scored: the IMD is a composite of seven domains, its income and employment domains are built from the "
    "same benefit records as the claimant count and child poverty (rho 0.91-0.96 across LAs), and its crime domain is "
    "factor 2's. Factor 3 keeps the education, skills and training domain, the part that measures realising potential."
)


# What a reader of a factor's scores needs to know about the factor as a whole, shown with every indicator of it.
FACTOR_NOTES: dict[int, str] = {
    5: (
        "Factor 5 (tackling intolerance and extremism) rests on proxies and dated data: the public order offence rate "
        "(police recorded crime, a proxy: it counts offences recorded, not intolerance) and the 2008 Place Survey question on "
        "whether people from different backgrounds get on well together (England only, 2008). Hate crime is published only "
        "by police force area and has not been fetched yet, so it is not in this score."
    ),
}


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------

CATALOGUE: tuple[Indicator, ...] = (
    # ---- Factor 1: shared aspirations, core values and common ground --------------------------
    Indicator(
        id="household_no_english_main_language",
        title="Households where no adult has English (or Welsh in Wales) as a main language",
        description="Share of households in which no one aged 16 or over has English (or Welsh, in Wales) as a main language.",
        factor=None, unit="% of households", polarity=C, sources=("census2021", "oa21_lookup", "geography"), levels=("lad", "ward"),
        caveats="Context only: it mostly measures who lives somewhere (r = 0.96 with the share born outside the UK across LAs), so it is never scored. English proficiency (factor 1) measures the shared-language element. Census 2021 (March 2021).",
        derivation="Census 2021 TS025 output-area counts summed to wards and LADs, each OA placed by its centroid (oa_centroid); share = numerator / households.",
        compute=b.share_from_small_areas("census2021", "oa21", ["hh_no_adult_english"], "hh_language_total"),
    ),
    Indicator(
        id="cannot_speak_english_well",
        title="Residents who cannot speak English well or at all",
        description="Share of usual residents aged 3+ whose main language is not English and who cannot speak English well or at all.",
        factor=1, unit="% of residents aged 3+", polarity=L, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        direction_note="The 2012 integration strategy names English as common ground; fewer residents unable to speak it is taken as better. " + COUNTS_DIRECTION,
        caveats="Measures self-reported spoken English among residents whose main language is not English (Welsh counts as English in Wales): a barrier to common ground, not a judgement on speaking other languages. It correlates r = 0.88 with the ethnic-minority share, under the 0.9 rule for context. Census 2021.",
        derivation="Census 2021 TS029 output-area counts summed to wards and LADs, each OA placed by its centroid (oa_centroid); share = (cannot speak English well + cannot speak English) / residents aged 3+.",
        compute=b.oa_topic_share(["cannot_speak_english_well", "cannot_speak_english"], "english_prof_total"),
    ),
    Indicator(
        id="adult_skills_english_proficiency",
        title="Adult skills and English language proficiency (IoD 2019 indicator)",
        description="IoD 2019 indicator: proportion of working-age adults with no or low qualifications, or who cannot speak English well.",
        factor=1, unit="proportion of adults 25-64", polarity=L, sources=("imd2019", "geography"), levels=("lad", "ward"), countries="E",
        publisher_measure=("imd2019", "adult_skills_and_english_language_proficiency_indicator"),
        proxy=True, proxy_reason="Mixes low qualifications with English proficiency: it stands in for a shared language only in part.",
        caveats=IOD_ENGLAND + " Built from Census 2011 proficiency and qualifications: dated.",
        derivation="IoD 2019 File 8 LSOA 2011 values carried to LSOA 2021 (mid-2015 population weights where LSOAs merged), then population-weighted to wards and LADs.",
        compute=bespoke.adult_skills_english,
    ),
    Indicator(
        id="life_satisfaction",
        title="Life satisfaction (mean score, 0-10)",
        description="Average rating of 'Overall, how satisfied are you with your life nowadays?' (APS personal well-being).",
        factor=1, unit="mean score 0-10", polarity=H, sources=("ons_els",), levels=("lad",),
        publisher_measure=("ons_els", "personal_wellbeing_estimates__life_satisfaction"),
        proxy=True, proxy_reason="Well-being stands in for shared aspirations: people content with life are not thereby sharing values or common ground.",
        caveats=SURVEY_CI + " " + ELS_CAVEAT,
        derivation="Published per LAD 2022; merged 2023 unitaries take the population-weighted mean of their districts.",
        series_breaks=(APS_TELEPHONE_BREAK,),
        compute=b.els_series("personal_wellbeing_estimates__life_satisfaction"),
    ),
    Indicator(
        id="worthwhile",
        title="Feeling that things done in life are worthwhile (mean score, 0-10)",
        description="Average rating of 'Overall, to what extent do you feel the things you do in your life are worthwhile?'.",
        factor=1, unit="mean score 0-10", polarity=H, sources=("ons_els",), levels=("lad",),
        publisher_measure=("ons_els", "personal_wellbeing_estimates__worthwhile"),
        proxy=True, proxy_reason="Well-being stands in for shared aspirations, as life satisfaction does.",
        caveats=SURVEY_CI + " " + ELS_CAVEAT,
        derivation="As life satisfaction.",
        series_breaks=(APS_TELEPHONE_BREAK,),
        compute=b.els_series("personal_wellbeing_estimates__worthwhile"),
    ),
    Indicator(
        id="belonging_2008",
        title="Belonging to the neighbourhood (Place Survey 2008, NI 2)",
        description="Share of residents who feel they belong very or fairly strongly to their immediate neighbourhood.",
        factor=1, unit="% of respondents", polarity=H, sources=("place_survey_2008",), levels=("lad",), countries="E",
        direction_note="The publisher states no direction; a stronger sense of belonging is taken as better (the 2012 strategy's common ground).",
        publisher_measure=("place_survey_2008", "ni2_belong_pct"),
        caveats=DATED_2008, derivation="2008 district values recoded through the LAD code history; merged unitaries take population-weighted means.",
        compute=b.lad_measure("place_survey_2008", "ni2_belong_pct", "lad09"),
    ),
    # ---- Factor 2: personal and social responsibility --------------------------------------
    Indicator(
        id="imd_crime_score",
        title="IoD crime domain (average score)",
        description="Risk of personal and material victimisation (IoD crime domain), population-weighted average of small-area scores.",
        factor=2, unit="score (higher = more deprived)", polarity=L, sources=("iod2025", "imd2019"), levels=("lad", "ward"), countries="E",
        publisher_measure=("iod2025", "crime_average_score"), unscored_levels=("lad",), unscored_reason=CRIME_WARD,
        proxy=True, proxy_reason="Victimisation risk stands in for personal and social responsibility.",
        caveats=IOD_ENGLAND + " A modelled relative measure, not a crime rate. 2019 and 2025 use different small areas and methods: compare positions, not scores.",
        derivation="LAD: official File 10 average score (2019 on LAD19, 2025 on LAD24, recoded). Ward: LSOA 2021 scores population-weighted (Census 2021).",
        series_breaks=(IOD2025_BREAK,),
        compute=b.iod_domain("crime_average_score", "crime_score"),
    ),
    Indicator(
        id="crime_severity_score",
        title="Crime severity score",
        description="Police-recorded crimes weighted by the average sentence they attract, per 1,000 residents.",
        factor=2, unit="score", polarity=L, sources=("crime_severity",), levels=("lad",),
        publisher_measure=("crime_severity", "crime_severity_score"), scored=False, unscored_reason=CRIME_REDUNDANT,
        proxy=True, proxy_reason="Recorded crime weighted by sentence stands in for personal and social responsibility.",
        caveats="Recording practices differ between forces. Year to March 2023.",
        derivation="Published per LAD 2023.",
        compute=b.lad_measure("crime_severity", "crime_severity_score", "lad23"),
    ),
    Indicator(
        id="recorded_crime_rate",
        title="Police recorded crime per 1,000 residents (excluding fraud and public order offences)",
        description="Police recorded crime excluding fraud, computer misuse and public order offences, per 1,000 Census 2021 residents. Public order offences are left out because factor 5 scores them.",
        factor=2, unit="crimes per 1,000 residents", polarity=L, sources=("recorded_crime", "ons_lookups", "census2021"), levels=("lad",),
        direction_note='The Home Office states no direction for counts; fewer recorded crimes per resident is taken as better.',
        publisher_measure=("recorded_crime", "crimes_total_recorded_crime_excluding_fraud"),
        proxy=True, proxy_reason="Recorded crime (where offences happen, as recorded) stands in for personal and social responsibility.",
        caveats="Recording practices differ between forces; a CSP covering two LADs gives both the same rate. Year ending June 2025.",
        derivation="Community safety partnership counts (total excluding fraud, minus public order offences) / Census 2021 residents of the CSP's LADs.",
        compute=b.csp_rate_per_1000("crimes_total_recorded_crime_excluding_fraud", minus="crimes_public_order_offences"),
    ),
    Indicator(
        id="personal_crime_rate",
        title="Personal crime rate per 1,000 (ONS Health Index)",
        description="Violence, sexual offences, robbery and theft from the person per 1,000 residents (ONS Health Index input).",
        factor=2, unit="per 1,000 residents", polarity=L, sources=("health_index",), levels=("lad",), countries="E",
        publisher_measure=("health_index", "personal_crime_rate_per_1000"), scored=False, unscored_reason=CRIME_REDUNDANT,
        proxy=True, proxy_reason="Victimisation stands in for personal and social responsibility.",
        caveats="England only; 2015-2021 series on LAD 2021.",
        derivation="Published per LAD 2021; merged 2023 unitaries take population-weighted means.",
        compute=b.lad_measure("health_index", "personal_crime_rate_per_1000", "lad21"),
    ),
    Indicator(
        id="wimd_community_safety_score",
        title="WIMD 2019 community safety domain (average score)",
        description="Population-weighted WIMD community safety domain score (higher = more deprived); Wales only.",
        factor=2, unit="score (higher = more deprived)", polarity=L, sources=("wimd2019",), levels=("lad", "ward"), countries="W",
        publisher_measure=("wimd2019", "wimd_community_safety_average_score"), unscored_levels=("lad",), unscored_reason=CRIME_WARD.replace("four crime measures", "the crime measures"),
        proxy=True, proxy_reason="Crime, fire incidents and anti-social behaviour stand in for personal and social responsibility.",
        caveats="Wales only, on its own scale: never compared with the English IoD crime domain. Police-recorded crime, anti-social behaviour and fire incidents (2016-2018).",
        derivation="LAD: population-weighted on LAD 2022 (derived). Ward: LSOA 2011 scores carried to LSOA 2021, then averaged with Census 2021 weights.",
        compute=b.wimd_domain("wimd_community_safety_average_score", "wimd_community_safety_score"),
    ),
    Indicator(
        id="persistent_absence",
        title="Pupils persistently absent from school",
        description="Share of pupils missing 10% or more of possible sessions.",
        factor=2, unit="% of pupils", polarity=L, sources=("ons_els", "ons_lookups"), levels=("lad",), countries="E",
        direction_note='DfE states no direction in the held metadata; less persistent absence is taken as better.',
        publisher_measure=("ons_els", "persistent_absences_for_all_pupils"),
        proxy=True, proxy_reason="School attendance stands in for personal and social responsibility (of families and schools).",
        caveats="Published for upper-tier authorities: districts in two-tier areas take their county's value. By school location. England only. " + ELS_CAVEAT,
        derivation="Unitary values direct; county values inherited by their districts.",
        series_breaks=(("2015/16", "2015/16: threshold changed from 15% to 10% of sessions"),),
        compute=b.els_series("persistent_absences_for_all_pupils", inherit_counties=True),
    ),
    # ---- Factor 3: social mobility and realising potential ---------------------------------
    Indicator(
        id="imd_average_score",
        title="Index of Multiple Deprivation (average score)",
        description="Population-weighted average of small-area IMD scores (higher = more deprived).",
        factor=3, unit="score (higher = more deprived)", polarity=L, sources=("iod2025", "imd2019", "imd_history"), levels=("lad", "ward"), countries="E",
        publisher_measure=("iod2025", "imd_average_score"), scored=False, unscored_reason=IMD_DOMAINS,
        caveats=IOD_ENGLAND + " Each edition uses its own small areas and methods (series break at every edition): compare positions, not scores.",
        derivation="LAD: official File 10 for 2019 and 2025; 2004-2015 population-weighted on LAD 2021 (humaniverse/IMD). Ward: LSOA 2021 scores, Census 2021 weights.",
        series_breaks=(
            ("2007", "IoD 2007: new edition"),
            ("2010", "IoD 2010: new edition"),
            ("2015", "IoD 2015: new edition, LSOA 2011"),
            ("2019", "IoD 2019: new edition"),
            ("2025", "IoD 2025: new edition, LSOA 2021"),
        ),
        edition_note="Each Indices of Deprivation edition is scored separately: compare an area's rank between editions, not the raw score.",
        compute=bespoke.imd_history_score,
    ),
    Indicator(
        id="imd_income_score",
        title="IoD income deprivation (average score)",
        description="Share of people in income deprivation, population-weighted average across small areas.",
        factor=3, unit="proportion of residents", polarity=L, sources=("iod2025", "imd2019"), levels=("lad", "ward"), countries="E",
        publisher_measure=("iod2025", "income_average_score"), scored=False, unscored_reason=IMD_DOMAINS,
        caveats=IOD_ENGLAND, derivation="As the IMD crime domain.",
        series_breaks=(IOD2025_BREAK,),
        compute=b.iod_domain("income_average_score", "income_score"),
    ),
    Indicator(
        id="imd_education_score",
        title="IoD education, skills and training deprivation (average score)",
        description="Lack of attainment and skills among children and adults (IoD domain score).",
        factor=3, unit="score (higher = more deprived)", polarity=L, sources=("iod2025", "imd2019"), levels=("lad", "ward"), countries="E",
        publisher_measure=("iod2025", "education_average_score"),
        caveats=IOD_ENGLAND, derivation="As the IMD crime domain.",
        series_breaks=(IOD2025_BREAK,),
        compute=b.iod_domain("education_average_score", "education_score"),
    ),
    Indicator(
        id="wimd_score",
        title="Welsh Index of Multiple Deprivation 2019 (average score)",
        description="Population-weighted WIMD score (higher = more deprived); Wales only.",
        factor=3, unit="score (higher = more deprived)", polarity=L, sources=("wimd2019",), levels=("lad", "ward"), countries="W",
        publisher_measure=("wimd2019", "wimd_average_score"), scored=False, unscored_reason=WIMD_DOMAINS,
        caveats="Wales only, on its own scale: never compared with the English IMD. LSOA weights for Welsh LSOAs that merged in 2021 are equal (no Welsh 2015 denominators held).",
        derivation="LAD: population-weighted on LAD 2022 (derived). Ward: LSOA 2011 scores carried to LSOA 2021, then averaged with Census 2021 weights.",
        compute=b.wimd_domain("wimd_average_score", "wimd_score"),
    ),
    Indicator(
        id="wimd_education_score",
        title="WIMD 2019 education domain (average score)",
        description="Population-weighted WIMD education domain score (higher = more deprived); Wales only.",
        factor=3, unit="score (higher = more deprived)", polarity=L, sources=("wimd2019",), levels=("lad", "ward"), countries="W",
        publisher_measure=("wimd2019", "wimd_education_average_score"),
        caveats="Wales only, on its own scale: never compared with the English IoD education domain. Key stage results, school absence, entry to higher education and adult qualifications.",
        derivation="LAD: population-weighted on LAD 2022 (derived). Ward: LSOA 2011 scores carried to LSOA 2021, then averaged with Census 2021 weights.",
        compute=b.wimd_domain("wimd_education_average_score", "wimd_education_score"),
    ),
    Indicator(
        id="household_deprivation_any",
        title="Households deprived in one or more dimensions",
        description="Share of households deprived in at least one of employment, education, health and disability, housing (Census 2021).",
        factor=3, unit="% of households", polarity=L, sources=("census2021", "geography"), levels=("lad", "ward"),
        direction_note=COUNTS_DIRECTION + " Fewer deprived households is better, as ONS describes the four dimensions as deprivation.",
        caveats="Census 2021 definitions; one consistent measure across England and Wales.",
        derivation="Census 2021 TS011 LSOA counts summed to wards (best fit) and LADs.",
        compute=b.share_from_small_areas(
            "census2021", "lsoa21", ["hh_deprived_1_dim", "hh_deprived_2_dim", "hh_deprived_3_dim", "hh_deprived_4_dim"], "hh_deprivation_total"
        ),
    ),
    Indicator(
        id="no_qualifications_census",
        title="Residents aged 16+ with no qualifications (Census 2021)",
        description="Share of usual residents aged 16 and over with no formal qualifications.",
        factor=3, unit="% of residents aged 16+", polarity=L, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        publisher_measure=("census2021_oa_topics", "qual_none"), unscored_levels=("lad",), unscored_reason=CENSUS_NO_QUALS_LAD,
        direction_note=COUNTS_DIRECTION + " Fewer adults without qualifications is taken as better: qualifications open the way to realising potential.",
        caveats="All ages 16+, so older residents weigh heavily. ONS quality notice: Level 4+ of older people and international migrants may be under-reported. Census 2021.",
        derivation=OA_SUMMED.format(table="TS067", share="no qualifications / residents aged 16+"),
        compute=b.oa_topic_share(["qual_none"], "qual_total"),
    ),
    Indicator(
        id="level4_qualifications_census",
        title="Residents aged 16+ qualified to level 4 or above (Census 2021)",
        description="Share of usual residents aged 16 and over with a degree, higher diploma or other level 4+ qualification.",
        factor=3, unit="% of residents aged 16+", polarity=H, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        publisher_measure=("census2021_oa_topics", "qual_level4_plus"),
        direction_note=COUNTS_DIRECTION + " More adults qualified to level 4+ is taken as better.",
        caveats="Where graduates live, not where they grew up: university towns and city centres score high. ONS quality notice on Level 4+ of older people and international migrants. Census 2021.",
        derivation=OA_SUMMED.format(table="TS067", share="level 4 qualifications and above / residents aged 16+"),
        compute=b.oa_topic_share(["qual_level4_plus"], "qual_total"),
    ),
    Indicator(
        id="nssec_higher_occupations",
        title="Residents aged 16+ in managerial and professional occupations (NS-SeC 1-2)",
        description="Share of usual residents aged 16 and over whose occupation is higher or lower managerial, administrative or professional (NS-SeC L1-L6).",
        factor=3, unit="% of residents aged 16+", polarity=H, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        publisher_measure=("census2021_oa_topics", "nssec_l1_l3"), scored=False, unscored_reason=NSSEC_REDUNDANT,
        direction_note=COUNTS_DIRECTION + " A larger share in NS-SeC 1-2 is taken as better, as the Social Mobility Commission treats professional occupations as the destination of upward mobility.",
        caveats="Base is all residents aged 16+, including retired people (classed by their last job) and full-time students (their own category). " + CENSUS_LABOUR,
        derivation=OA_SUMMED.format(table="TS062", share="(NS-SeC L1-L3 + L4-L6) / residents aged 16+"),
        compute=b.oa_topic_share(["nssec_l1_l3", "nssec_l4_l6"], "nssec_total"),
    ),
    Indicator(
        id="never_worked_long_term_unemployed",
        title="Residents aged 16+ who have never worked or are long-term unemployed (NS-SeC L14)",
        description="Share of usual residents aged 16 and over classed as never worked or long-term unemployed (NS-SeC L14.1-L14.2).",
        factor=3, unit="% of residents aged 16+", polarity=L, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        publisher_measure=("census2021_oa_topics", "nssec_l14_never_worked_long_term_unemployed"),
        direction_note=COUNTS_DIRECTION + " Fewer adults shut out of work is taken as better.",
        caveats="Includes people who never worked for reasons such as caring or disability, not only the unemployed. " + CENSUS_LABOUR,
        derivation=OA_SUMMED.format(table="TS062", share="NS-SeC L14.1-L14.2 / residents aged 16+"),
        compute=b.oa_topic_share(["nssec_l14_never_worked_long_term_unemployed"], "nssec_total"),
    ),
    Indicator(
        id="gcse_english_maths",
        title="GCSE English and maths at grade 4 or above (age 19)",
        description="Share of 19-year-olds with GCSE English and maths at grade 4 or above (or equivalent).",
        factor=3, unit="% of 19-year-olds", polarity=H, sources=("ons_els",), levels=("lad",), countries="E",
        publisher_measure=("ons_els", "gcses_in_english_and_maths"),
        caveats="England only. " + ELS_CAVEAT, derivation="Published per LAD 2025.",
        compute=b.els_series("gcses_in_english_and_maths"),
    ),
    Indicator(
        id="employment_rate",
        title="Employment rate, aged 16-64",
        description="Share of residents aged 16-64 in employment (Annual Population Survey).",
        factor=3, unit="% of residents aged 16-64", polarity=H, sources=("ons_els",), levels=("lad",),
        publisher_measure=("ons_els", "employment_rate__employment_rate"),
        caveats=SURVEY_CI + " Official statistics in development. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        compute=b.els_series("employment_rate__employment_rate"),
    ),
    Indicator(
        id="gross_median_weekly_pay",
        title="Gross median weekly pay (residence-based)",
        description="Median gross weekly pay of full-time employees living in the area (ASHE).",
        factor=3, unit="£ per week", polarity=H, sources=("ons_els",), levels=("lad",),
        publisher_measure=("ons_els", "gross_median_weekly_pay"),
        caveats="Cash terms, not adjusted for prices. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        compute=b.els_series("gross_median_weekly_pay"),
    ),
    Indicator(
        id="housing_affordability_ratio",
        title="Housing affordability ratio",
        description="Median house price divided by median gross annual workplace-based earnings.",
        factor=3, unit="ratio", polarity=L, sources=("ons_els",), levels=("lad",),
        publisher_measure=("ons_els", "housing_affordability_ratio"),
        caveats="Workplace-based earnings. " + ELS_CAVEAT, derivation="Published per LAD 2025.",
        compute=b.els_series("housing_affordability_ratio"),
    ),
    Indicator(
        id="children_relative_poverty",
        title="Children in relative low-income families (before housing costs)",
        description="Share of children aged under 16 living in relative low-income families.",
        factor=3, unit="% of children", polarity=L, sources=("ons_els",), levels=("lad",),
        direction_note='DWP states no direction in the held metadata; fewer children in low-income families is taken as better.',
        publisher_measure=("ons_els", "children_in_relative_poverty__before_housing_costs"),
        caveats="DWP/HMRC local estimates, before housing costs. " + ELS_CAVEAT, derivation="Published per LAD 2025.",
        compute=b.els_series("children_in_relative_poverty__before_housing_costs"),
    ),
    Indicator(
        id="level3_qualifications",
        title="Residents aged 16-64 qualified to level 3 or above",
        description="Share of residents aged 16-64 with an RQF level 3 qualification or higher (APS).",
        factor=3, unit="% of residents aged 16-64", polarity=H, sources=("ons_els",), levels=("lad",),
        publisher_measure=("ons_els", "qualifications_level_3_or_above"),
        caveats=SURVEY_CI + " New series from 2022 (RQF): a break with earlier years. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        series_breaks=(("2022", "2022: new qualification framework (RQF); not comparable with earlier years"),),
        compute=b.els_series("qualifications_level_3_or_above"),
    ),
    Indicator(
        id="claimant_count_rate",
        title="Claimant count rate",
        description="People claiming unemployment-related benefits as a share of residents aged 16-64.",
        factor=3, unit="% of residents aged 16-64", polarity=L, sources=("ons_els",), levels=("lad",),
        direction_note='ONS states no direction in the held metadata; a lower claimant rate is taken as better.',
        publisher_measure=("ons_els", "claimant_count"),
        caveats="Includes some people in work on Universal Credit. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        compute=b.els_series("claimant_count"),
    ),
    Indicator(
        id="gdhi_per_head",
        title="Gross disposable household income per head",
        description="Income households have to spend or save after taxes and benefits, per resident.",
        factor=3, unit="£ per head", polarity=H, sources=("ons_els",), levels=("lad",),
        publisher_measure=("ons_els", "gross_disposable_household_income_per_head"),
        caveats="Cash terms, not adjusted for prices. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        compute=b.els_series("gross_disposable_household_income_per_head"),
    ),
    Indicator(
        id="smc_promising_prospects",
        title="Social Mobility Commission: promising prospects group",
        description="SMC State of the Nation 2025 area group for the 'promising prospects' outcome of young people from lower socio-economic backgrounds (1 = Least Favourable ... 7 = Most Favourable, as published).",
        factor=3, unit="group (1 least to 7 most favourable)", polarity=H, sources=("smc_social_mobility",), levels=("lad",),
        publisher_measure=("smc_social_mobility", "son2025__promising_prospects_group"),
        caveats="SMC areas are groups of LAs: each LA takes its SMC area's group; two-tier districts take their county's. Ordinal groups, not a rate.",
        derivation="SMC area -> LAD lookup from the SMC's own area definitions; each row says whether the LAD is its own SMC area, shares a merged one or inherits its county's.",
        compute=b.smc_group("son2025__promising_prospects_group"),
    ),
    # ---- Factor 4: participation and empowerment ---------------------------------------------
    Indicator(
        id="eu_referendum_turnout",
        title="Turnout at the 2016 EU referendum",
        description="Votes cast as a share of the electorate, 23 June 2016. (The result itself is not used: a vote is not a measure of values.)",
        factor=4, unit="% of electorate", polarity=H, sources=("eu_referendum",), levels=("lad",),
        publisher_measure=("eu_referendum", "pct_turnout"), direction_note="Turnout is participation: a higher share voting is taken as better; the Electoral Commission states no direction.",
        caveats="A one-off national vote in 2016; counting areas were 2016 districts, summed for later mergers.",
        derivation="Counting-area votes and electorate recoded through the LAD code history and summed for merged authorities.",
        compute=bespoke.eu_referendum_turnout,
    ),
    Indicator(
        id="local_election_turnout",
        title="Turnout at local (ward) elections, 2021-2024",
        description="Ballots as a share of the electorate at each ward's most recent borough, district or unitary election in 2021-2024.",
        factor=4, unit="% of electorate", polarity=H, sources=("local_elections",), levels=("lad", "ward"),
        publisher_measure=("local_elections", "turnout_pct"), direction_note="Turnout is participation: a higher share voting is taken as better; the publisher states no direction.",
        caveats="Councils vote in different years and cycles, so areas are compared across years. Uncontested wards have no poll and so no turnout; a ward takes its latest election that went to a poll. County council divisions are left out.",
        derivation="2021, 2022 and 2024 results matched to 2025 wards by code (a changed boundary gets a new code), and a ward redrawn by 2025 takes the result of the old ward holding most of its LSOAs; 2023 results, published with names only, matched by name to the December 2023 wards of their council and carried to 2025 by code, or where the ward changed to the 2025 ward holding most of its LSOAs. LAD = summed ballots / summed electorate of the latest election year.",
        compute=local_election_turnout,
    ),
    Indicator(
        id="general_election_turnout_2024",
        title="Turnout at the 2024 general election (apportioned from constituencies)",
        description="Valid votes as a share of the electorate at the general election of 4 July 2024, constituencies apportioned to LAs and wards.",
        factor=4, unit="% of electorate", polarity=H, sources=("general_elections", "pcon24_lookup", "census2021_oa_topics", "oa21_lookup"), levels=("lad", "ward"),
        publisher_measure=("general_elections", "turnout_pct"),
        direction_note="Turnout is participation: a higher share voting is taken as better; the House of Commons Library states no direction.",
        caveats="Constituencies straddle LA and ward boundaries: each area's figure is an adult-weighted mix of the turnouts of the constituencies it overlaps, not a count of its own voters; a ward inside one constituency shows that constituency's turnout. Valid votes / electorate (the Library's definition).",
        derivation="Derived: each constituency's electorate and valid votes apportioned to its LSOAs by Census 2021 residents aged 16+ (TS067), ONS LSOA 2021 -> constituency 2024 lookup, summed to LADs and to wards (best-fit LSOAs).",
        compute=general_election_turnout,
    ),
    Indicator(
        id="influence_decisions_2008",
        title="Can influence decisions in the local area (Place Survey 2008, NI 4)",
        description="Share of residents who feel they can influence decisions affecting their local area.",
        factor=4, unit="% of respondents", polarity=H, sources=("place_survey_2008",), levels=("lad",), countries="E",
        direction_note='The publisher states no direction in the held file; more residents able to influence decisions is taken as better.',
        publisher_measure=("place_survey_2008", "ni4_influence_decisions_pct"),
        caveats=DATED_2008, derivation="As belonging (NI 2).",
        compute=b.lad_measure("place_survey_2008", "ni4_influence_decisions_pct", "lad09"),
    ),
    Indicator(
        id="arts_engagement",
        title="Engaged with the arts in the last 12 months",
        description="Share of adults who engaged with the arts (DCMS Participation Survey).",
        factor=4, unit="% of adults", polarity=H, sources=("ons_els",), levels=("lad",), countries="E",
        direction_note='DCMS states no direction in the held metadata; more participation is taken as better.',
        publisher_measure=("ons_els", "engagement_with_culture_and_heritage__arts"),
        proxy=True, proxy_reason="Cultural participation stands in for participation and empowerment in local life.",
        caveats=SURVEY_CI + " One year only; England only. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        compute=b.els_series("engagement_with_culture_and_heritage__arts"),
    ),
    Indicator(
        id="public_library_use",
        title="Used a public library service in the last 12 months",
        description="Share of adults who engaged with a public library service (DCMS Participation Survey).",
        factor=4, unit="% of adults", polarity=H, sources=("ons_els",), levels=("lad",), countries="E",
        direction_note='DCMS states no direction in the held metadata; more participation is taken as better.',
        publisher_measure=("ons_els", "engagement_with_culture_and_heritage__public_library"),
        proxy=True, proxy_reason="Library use stands in for participation and empowerment in local life.",
        caveats=SURVEY_CI + " One year only; England only. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        compute=b.els_series("engagement_with_culture_and_heritage__public_library"),
    ),
    Indicator(
        id="heritage_visit",
        title="Visited a heritage site in the last 12 months",
        description="Share of adults who visited a heritage site (DCMS Participation Survey).",
        factor=4, unit="% of adults", polarity=H, sources=("ons_els",), levels=("lad",), countries="E",
        direction_note='DCMS states no direction in the held metadata; more participation is taken as better.',
        publisher_measure=("ons_els", "engagement_with_culture_and_heritage__heritage_site"),
        proxy=True, proxy_reason="Heritage visits stand in for participation and empowerment in local life.",
        caveats=SURVEY_CI + " One year only; England only. " + ELS_CAVEAT, derivation="Published per LAD 2024.",
        compute=b.els_series("engagement_with_culture_and_heritage__heritage_site"),
    ),
    # ---- Factor 5: tackling intolerance and extremism -----------------------------------------
    Indicator(
        id="public_order_offence_rate",
        title="Public order offences per 1,000 residents (proxy)",
        description="Police recorded public order offences per 1,000 residents. A proxy: the group includes racially or religiously aggravated public fear, alarm or distress, but mostly other offences.",
        factor=5, unit="offences per 1,000 residents", polarity=L, sources=("recorded_crime", "ons_lookups", "census2021"), levels=("lad",), proxy=True,
        direction_note='The Home Office states no direction for counts; fewer offences per resident is taken as better (with the recording caveat).',
        publisher_measure=("recorded_crime", "crimes_public_order_offences"),
        proxy_reason="Public order offences include racially or religiously aggravated public fear, alarm or distress but are mostly other offences: they stand in for intolerance.",
        caveats="A proxy, not hate crime. Rises can reflect better recording. A CSP covering two LADs gives both the same rate. Year ending June 2025.",
        derivation="Community safety partnership counts / Census 2021 residents of the CSP's LADs.",
        compute=b.csp_rate_per_1000("crimes_public_order_offences"),
    ),
    Indicator(
        id="get_on_well_2008",
        title="People from different backgrounds get on well together (Place Survey 2008, NI 1)",
        description="Share of residents who agree that their local area is a place where people from different backgrounds get on well together.",
        factor=5, unit="% of respondents", polarity=H, sources=("place_survey_2008",), levels=("lad",), countries="E", proxy=True,
        direction_note='The publisher states no direction in the held file; more residents agreeing is taken as better.',
        publisher_measure=("place_survey_2008", "ni1_get_on_well_pct"),
        proxy_reason="Perceived tolerance (people get on well) stands in for tackling intolerance and extremism.",
        caveats=DATED_2008 + " Perceived tolerance, used as a proxy for factor 5 until hate-crime data are fetched.",
        derivation="As belonging (NI 2).",
        compute=b.lad_measure("place_survey_2008", "ni1_get_on_well_pct", "lad09"),
    ),
    # ---- Context: described, never scored -----------------------------------------------------
    Indicator(
        id="households_multiple_ethnic_groups",
        title="Multi-person households whose members are of different ethnic groups",
        description="Share of multi-person households whose members' ethnic groups differ, within partnerships, between generations or otherwise (Census 2021 TS023).",
        factor=None, unit="% of multi-person households", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats=HOUSEHOLD_MIXING + " Census 2021.",
        derivation=OA_SUMMED.format(table="TS023", share="(differ between generations + within partnerships + other combinations) / multi-person households"),
        compute=b.oa_topic_share(
            ["hh_ethnic_differ_generations", "hh_ethnic_differ_partnerships", "hh_ethnic_other_combination"],
            ["hh_ethnic_same", "hh_ethnic_differ_generations", "hh_ethnic_differ_partnerships", "hh_ethnic_other_combination"],
        ),
    ),
    Indicator(
        id="households_multiple_main_languages",
        title="Multi-person households whose members have different main languages",
        description="Share of multi-person households in which members' main languages differ (Census 2021 TS026).",
        factor=None, unit="% of multi-person households", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats=HOUSEHOLD_MIXING + " Census 2021.",
        derivation=OA_SUMMED.format(table="TS026", share="(differ between generations + within partnerships + other combinations) / multi-person households"),
        compute=b.oa_topic_share(
            ["hh_language_differ_generations", "hh_language_differ_partnerships", "hh_language_other_combination"],
            ["hh_language_same", "hh_language_differ_generations", "hh_language_differ_partnerships", "hh_language_other_combination"],
        ),
    ),
    Indicator(
        id="households_multiple_religions",
        title="Multi-person households with at least two different religions stated",
        description="Share of multi-person households in which at least two different religions were stated (Census 2021 TS075).",
        factor=None, unit="% of multi-person households", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats=HOUSEHOLD_MIXING + " Households of one religion and no religion are a separate category, not counted here. Census 2021.",
        derivation=OA_SUMMED.format(table="TS075", share="at least two different religions / multi-person households"),
        compute=b.oa_topic_share(
            ["hh_religion_multiple"],
            ["hh_religion_none_stated", "hh_religion_same", "hh_religion_no_religion", "hh_religion_same_and_none", "hh_religion_multiple"],
        ),
    ),
    Indicator(
        id="welsh_speakers",
        title="Residents aged 3+ who can speak Welsh",
        description="Share of usual residents aged 3 and over who can speak Welsh (with or without reading and writing it), Census 2021 TS032.",
        factor=None, unit="% of residents aged 3+", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"), countries="W",
        caveats="Context only; Wales only. 'Can speak Welsh' = speak, read and write + speak only + speak and read + speak with other skills, as the Welsh Government counts it (17.8% of Wales in 2021). Census 2021.",
        derivation=OA_SUMMED.format(table="TS032", share="can speak Welsh / residents aged 3+"),
        compute=b.oa_topic_share(
            ["welsh_speak_read_write", "welsh_speak_not_read_write", "welsh_speak_read_not_write", "welsh_speak_other_combination"], "welsh_skills_total",
        ),
    ),
    Indicator(
        id="unpaid_carers",
        title="Residents aged 5+ providing unpaid care",
        description="Share of usual residents aged 5 and over who look after or support someone because of long-term illness, disability or old age (Census 2021 TS039).",
        factor=None, unit="% of residents aged 5+", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats="Context only: caring is a burden as much as a responsibility, so it is neither scored up nor down. Census 2021 (during COVID-19 restrictions).",
        derivation=OA_SUMMED.format(table="TS039", share="(19 hours or less + 20-49 hours + 50 or more hours) / residents aged 5+"),
        compute=b.oa_topic_share(["care_19_or_less", "care_20_to_49", "care_50_plus"], "care_total"),
    ),
    Indicator(
        id="bad_health",
        title="Residents in bad or very bad health",
        description="Share of usual residents who describe their general health as bad or very bad (Census 2021 TS037).",
        factor=None, unit="% of residents", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats="Context: self-assessed health, strongly shaped by age. Census 2021 (during the COVID-19 pandemic).",
        derivation=OA_SUMMED.format(table="TS037", share="(bad + very bad health) / usual residents"),
        compute=b.oa_topic_share(["health_bad", "health_very_bad"], "health_total"),
    ),
    Indicator(
        id="disabled_equality_act",
        title="Residents disabled under the Equality Act",
        description="Share of usual residents whose day-to-day activities are limited a little or a lot by a long-term condition (Census 2021 TS038).",
        factor=None, unit="% of residents", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats="Context: shaped by age. Census 2021.",
        derivation=OA_SUMMED.format(table="TS038", share="disabled under the Equality Act / usual residents"),
        compute=b.oa_topic_share(["disabled"], "disability_total"),
    ),
    Indicator(
        id="owner_occupied_households",
        title="Households owning their home (outright or with a mortgage)",
        description="Share of households that own their accommodation outright or with a mortgage or loan (Census 2021 TS054; shared ownership counted separately).",
        factor=None, unit="% of households", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats="Context: tenure describes the housing stock and who lives there. Census 2021.",
        derivation=OA_SUMMED.format(table="TS054", share="owned / households"),
        compute=b.oa_topic_share(["tenure_owned"], "tenure_total"),
    ),
    Indicator(
        id="social_rented_households",
        title="Households renting from a council or housing association",
        description="Share of households in social rented housing (council or other social landlord), Census 2021 TS054.",
        factor=None, unit="% of households", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats="Context: tenure describes the housing stock and who lives there. Census 2021.",
        derivation=OA_SUMMED.format(table="TS054", share="social rented / households"),
        compute=b.oa_topic_share(["tenure_social_rented"], "tenure_total"),
    ),
    Indicator(
        id="private_rented_households",
        title="Households renting privately",
        description="Share of households renting from a private landlord, letting agency or other private renting (Census 2021 TS054).",
        factor=None, unit="% of households", polarity=C, sources=OA_TOPIC_SOURCES, levels=("lad", "ward"),
        caveats="Context: private renting goes with a more mobile population (students, young workers). Census 2021.",
        derivation=OA_SUMMED.format(table="TS054", share="private rented / households"),
        compute=b.oa_topic_share(["tenure_private_rented"], "tenure_total"),
    ),
    Indicator(
        id="ethnic_minority_share",
        title="Residents in ethnic groups other than White",
        description="Share of usual residents in the Asian, Black, Mixed or Other ethnic groups (Census 2021).",
        factor=None, unit="% of residents", polarity=C, levels=("lad", "ward"),
        caveats="Context only: diversity is never scored as good or bad. The White group includes White minorities. 2021 added a Roma category (within White); broad groups are comparable with 2011.",
        derivation="2021: Census TS021 LSOA counts summed to wards (best fit) and LADs. 2011: Census QS201EW LAD counts recoded to 2025 LADs and summed for mergers.",
        sources=("census2021", "census2011"),
        compute=bespoke.ethnic_minority_share,
    ),
    Indicator(
        id="ethnic_diversity",
        title="Ethnic diversity (fractionalisation, 5 broad groups)",
        description="Chance that two residents picked at random belong to different broad ethnic groups.",
        factor=None, unit="index 0-1", polarity=C, sources=("census2021",), levels=("lad", "ward"),
        caveats="Context only. Broad groups hide diversity within them.",
        derivation="1 - sum of squared group shares, from Census 2021 TS021 counts summed to the area.",
        compute=b.fractionalisation("census2021", "lsoa21", ["ethnic_asian", "ethnic_black", "ethnic_mixed", "ethnic_white", "ethnic_other"], "ethnic_total"),
    ),
    Indicator(
        id="religious_diversity",
        title="Religious diversity (fractionalisation)",
        description="Chance that two residents picked at random gave different answers to the religion question (including no religion).",
        factor=None, unit="index 0-1", polarity=C, sources=("census2021",), levels=("lad", "ward"),
        caveats="Context only. 'Not answered' (about 6%) counts as its own group.",
        derivation="1 - sum of squared shares over nine answers plus 'not answered', Census 2021 TS030.",
        compute=b.fractionalisation(
            "census2021", "lsoa21",
            ["religion_no_religion", "religion_christian", "religion_buddhist", "religion_hindu", "religion_jewish", "religion_muslim", "religion_sikh", "religion_other", "religion_not_answered"],
            "religion_total",
        ),
    ),
    Indicator(
        id="born_outside_uk",
        title="Residents born outside the UK",
        description="Share of usual residents born outside the United Kingdom (Census 2021).",
        factor=None, unit="% of residents", polarity=C, sources=("census2021", "oa21_lookup"), levels=("lad", "ward"),
        caveats="Context only.", derivation="Census 2021 TS004 output-area counts summed to wards (each OA by its centroid) and LADs.",
        compute=b.share_from_small_areas("census2021", "oa21", ["born_outside_uk"], "cob_total"),
    ),
    Indicator(
        id="non_uk_identity_only",
        title="Residents with a non-UK national identity only",
        description="Share of usual residents who gave only non-UK national identities (Census 2021).",
        factor=None, unit="% of residents", polarity=C, sources=("census2021", "oa21_lookup"), levels=("lad", "ward"),
        caveats="Context only: identity is not a measure of integration.",
        derivation="Census 2021 TS027 output-area counts summed to wards (each OA by its centroid) and LADs.",
        compute=b.share_from_small_areas("census2021", "oa21", ["identity_non_uk_only"], "identity_total"),
    ),
    Indicator(
        id="residential_segregation",
        title="Residential segregation: index of dissimilarity (White / other ethnic groups)",
        description="How unevenly White and other residents are spread across the LA's LSOAs: 0 = evenly mixed, 100 = fully separate.",
        factor=None, unit="index 0-100", polarity=C, sources=("census2021", "geography"), levels=("lad",),
        caveats="Context only, shown beside factor 5. Depends on the size of the zones used (modifiable areal unit problem).",
        derivation="D = 0.5 x sum over LSOAs of |w_i/W - m_i/M|, Census 2021 TS021.",
        compute=bespoke.dissimilarity_index,
    ),
    Indicator(
        id="population_density",
        title="Population density",
        description="Census 2021 usual residents per square kilometre.",
        factor=None, unit="residents per km²", polarity=C, sources=("census2021", "geography"), levels=("lad",),
        caveats="Area from generalised boundaries (about 1% accuracy). Stands in for rurality, which is not held.",
        derivation="Residents summed from LSOAs / area of 2025 boundaries.",
        compute=bespoke.population_density,
    ),
    Indicator(
        id="population_size_log",
        title="Population size (log10 of residents)",
        description="Logarithm of Census 2021 usual residents; used to find similar areas.",
        factor=None, unit="log10 residents", polarity=C, sources=("census2021",), levels=("lad",),
        caveats="Context only.", derivation="Census 2021 residents summed from LSOAs.",
        compute=bespoke.population_size_log,
    ),
    Indicator(
        id="age_65_plus",
        title="Residents aged 65 and over",
        description="Share of residents aged 65+, mid-2020 population estimates.",
        factor=None, unit="% of residents", polarity=C, sources=("population_estimates",), levels=("lad",),
        caveats="Context only. Mid-2020 estimates on LAD 2021, summed for merged authorities.",
        derivation="Counts summed to LAD25, then divided.",
        compute=b.lad_count_share("population_estimates", "population_65_plus", "population_total", "lad21"),
    ),
    Indicator(
        id="age_0_15",
        title="Residents aged 0-15",
        description="Share of residents aged 0-15, mid-2020 population estimates.",
        factor=None, unit="% of residents", polarity=C, sources=("population_estimates",), levels=("lad",),
        caveats="Context only. Mid-2020 estimates on LAD 2021, summed for merged authorities.",
        derivation="Counts summed to LAD25, then divided.",
        compute=b.lad_count_share("population_estimates", "population_0_15", "population_total", "lad21"),
    ),
)

BY_ID = {indicator.id: indicator for indicator in CATALOGUE}
