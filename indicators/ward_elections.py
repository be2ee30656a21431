"""Local election turnout on May 2025 wards, 2021-2024.

The House of Commons Library codes its 2021, 2022 and 2024 ward results, but names the 2023 wards only (council and
ward name). Those are matched here in two steps: the name to a December 2023 ward of the same council (ONS WD23
lookup), then that ward to a May 2025 ward, by its code where the code is still in use, else by where its LSOAs went
(only when one 2025 ward takes most of them). Every 2023 row keeps how it was matched, or why it was not.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from areas.harmonise import _finish
from data_sources import local_elections, ons_lookups
from indicators.context import BuildContext

SOURCE_ID = "local_elections"
PERIOD_LABEL = "2021-2024"
CODED_GEOGRAPHIES = ("ward24", "ward22", "ward21")

# How a 2023 row reached its 2025 ward (stable names: the build table and the tests count them).
CODE_UNCHANGED = "code_unchanged"
LSOA_MAJORITY = "lsoa_majority"
NAME_2025 = "name_2025"
UNMATCHED = "unmatched"
METHODS = (CODE_UNCHANGED, LSOA_MAJORITY, NAME_2025, UNMATCHED)

# How its name was recognised.
NAME_NORMALISED = "normalised name"
NAME_CONNECTORS_IGNORED = "name with 'and'/'the' and spacing ignored"
NAME_NEAR_SPELLING = "near spelling"

# A changed ward goes to the 2025 ward holding more than half of its LSOAs; at half or less no ward clearly succeeds it.
LSOA_MAJORITY_SHARE = 0.5


def holds_most(part: int, whole: int) -> bool:
    """More than LSOA_MAJORITY_SHARE of whole: the one test for "an old ward's LSOAs went mostly to one 2025 ward" and
    "the old wards carried to a 2025 ward make up most of it"."""
    return bool(whole) and part / whole > LSOA_MAJORITY_SHARE
# Near spellings ("Scarborough" for "Scarbrough") are taken only when one candidate is this close and no other is
# nearly as close: a real misspelling sits near one name, not between two.
NEAR_SPELLING_RATIO = 0.9
NEAR_SPELLING_RUNNER_UP = 0.8

MATCH_COLUMNS = [
    "la_name", "lad23_code", "ward_name", "wd23_code", "wd23_name", "wd25_code", "wd25_name", "method", "name_match",
    "lsoas_in_ward", "lsoas_to_wd25", "wd25_lsoas", "derivation", "reason", "electorate", "turnout_pct",
]


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

def _ascii(text: str) -> str:
    # Welsh names carry circumflexes (Cwm Ogwr / Cwm Ogŵr); the Library and ONS do not always write them alike.
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise_ward_name(name: str, *, keep_brackets: bool = False) -> str:
    """A ward name reduced to what the Library and ONS spell alike: lower case, '&' and '+' as 'and', 'St.' and
    'Saint' as 'st', no apostrophes, hyphens or other punctuation, single spaces; bracketed suffixes dropped unless
    keep_brackets (then their words are kept)."""
    text = _ascii(str(name)).lower()
    text = text.replace("(", " ( ").replace(")", " ) ")
    if not keep_brackets:
        text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[&+]", " and ", text)
    text = re.sub(r"['\u2019\u2018`\u00b4]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\b(saint|st)\b", "st", text)
    return " ".join(text.split())


def name_keys(name: str) -> list[str]:
    """Keys a name is known by, most specific first: with bracketed words, without them, and for a bilingual name
    written 'Welsh / English' (spaces round the slash) each language on its own."""
    parts = [name]
    if re.search(r"\s/\s", str(name)):
        parts += [p for p in re.split(r"\s/\s", str(name)) if p.strip()]
    keys: list[str] = []
    for part in parts:
        for keep in (True, False):
            key = normalise_ward_name(part, keep_brackets=keep)
            if key and key not in keys:
                keys.append(key)
    return keys


def compact_key(key: str) -> str:
    """A normalised key without the connecting words and spaces that lists of places are joined by in one source and
    not the other ('Flitch Green Little Dunmow', 'Snaith/Airmyn & Rawcliffe & Marshland')."""
    return "".join(word for word in key.split() if word not in {"and", "the"})


def normalise_council_name(name: str) -> str:
    """Council names as both sources write them: ONS adds ', City of' / ', County of' (Kingston upon Hull, City of)."""
    text = re.sub(r",\s*(city|county|city and county) of\s*$", "", str(name).strip(), flags=re.IGNORECASE)
    return normalise_ward_name(text)


@dataclass
class NameIndex:
    """The wards of one council by every key of every name they have (English and Welsh)."""

    exact: dict[str, set[str]] = field(default_factory=dict)
    compact: dict[str, set[str]] = field(default_factory=dict)

    def add(self, code: str, *names: str) -> None:
        for name in names:
            if not isinstance(name, str) or not name.strip():
                continue
            for key in name_keys(name):
                self.exact.setdefault(key, set()).add(code)
                self.compact.setdefault(compact_key(key), set()).add(code)

    def find(self, name: str) -> tuple[str, str] | None:
        """(code, how) for the one ward a key of name belongs to, trying the most specific keys first."""
        keys = name_keys(name)
        for index, how in ((self.exact, NAME_NORMALISED), (self.compact, NAME_CONNECTORS_IGNORED)):
            for key in keys:
                codes = index.get(key if index is self.exact else compact_key(key), set())
                if len(codes) == 1:
                    return next(iter(codes)), how
        return None

    def near(self, name: str, taken: set[str]) -> str | None:
        """The one ward, not already claimed by another row, whose name is a near spelling of name."""
        target = compact_key(normalise_ward_name(name))
        scores: dict[str, float] = {}
        for key, codes in self.compact.items():
            ratio = difflib.SequenceMatcher(None, target, key).ratio()
            for code in codes:
                scores[code] = max(scores.get(code, 0.0), ratio)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < NEAR_SPELLING_RATIO:
            return None
        if len(ranked) > 1 and ranked[1][1] > NEAR_SPELLING_RUNNER_UP:
            return None
        return ranked[0][0] if ranked[0][0] not in taken else None


def _indexes(frame: pd.DataFrame, group: str, code: str, names: list[str]) -> dict[str, NameIndex]:
    out: dict[str, NameIndex] = {}
    for row in frame[[group, code, *names]].itertuples(index=False):
        out.setdefault(row[0], NameIndex()).add(row[1], *row[2:])
    return out


# ---------------------------------------------------------------------------------------------
# Step 1: 2023 names -> December 2023 wards (or, failing that, May 2025 wards) of the same council
# ---------------------------------------------------------------------------------------------

def match_names(results: pd.DataFrame, wards23: pd.DataFrame, wards25: pd.DataFrame, lad23_to_lad25: pd.Series) -> pd.DataFrame:
    """For every 2023 row (la_name, ward_name): lad23_code, and either wd23_code or, where no December 2023 ward of the
    council has the name, a May 2025 ward code (wd25_code) of the council's 2025 district, with name_match saying how.

    wards23: WD23CD, WD23NM, WD23NMW, LAD23CD, LAD23NM. wards25: area_code, area_name, area_name_welsh, parent_code.
    lad23_to_lad25: LAD23 code -> LAD25 code. Rows left without a ward get a reason.
    """
    wards23 = wards23[wards23["WD23CD"].str[0].isin(["E", "W"])].copy()
    if "WD23NMW" not in wards23.columns:
        wards23["WD23NMW"] = ""
    councils: dict[str, set[str]] = {}
    for code, name in wards23[["LAD23CD", "LAD23NM"]].drop_duplicates().itertuples(index=False):
        councils.setdefault(normalise_council_name(name), set()).add(code)
    by_lad23 = _indexes(wards23, "LAD23CD", "WD23CD", ["WD23NM", "WD23NMW"])
    by_lad25 = _indexes(wards25.fillna(""), "parent_code", "area_code", ["area_name", "area_name_welsh"])
    names23 = wards23.set_index("WD23CD")["WD23NM"]
    names25 = wards25.set_index("area_code")["area_name"]
    nothing = NameIndex()

    records = []
    pending = []
    for la_name, ward_name, electorate, turnout in results[["la_name", "ward_name", "electorate", "turnout_pct"]].itertuples(index=False):
        record = dict(la_name=la_name, ward_name=ward_name, electorate=electorate, turnout_pct=turnout, lad23_code="", wd23_code="", wd25_code="", name_match="", reason="")
        records.append(record)
        lads = councils.get(normalise_council_name(la_name), set())
        if len(lads) != 1:
            record["reason"] = f"council name {la_name!r} " + ("is not in" if not lads else "is ambiguous in") + " the ONS December 2023 ward lookup"
            continue
        lad23 = record["lad23_code"] = next(iter(lads))
        found = by_lad23.get(lad23, nothing).find(ward_name)
        if found:
            record["wd23_code"], record["name_match"] = found
            continue
        found = by_lad25.get(lad23_to_lad25.get(lad23, lad23), nothing).find(ward_name)
        if found:
            record["wd25_code"], record["name_match"] = found
            continue
        pending.append(record)

    # Near spellings last, so that a ward another row names exactly is never taken by a misspelling.
    taken = {column: {r[column] for r in records} - {""} for column in ("wd23_code", "wd25_code")}
    for record in pending:
        lad23 = record["lad23_code"]
        for column, index in (("wd23_code", by_lad23.get(lad23, nothing)), ("wd25_code", by_lad25.get(lad23_to_lad25.get(lad23, lad23), nothing))):
            code = index.near(record["ward_name"], taken[column])
            if code:
                record[column], record["name_match"] = code, NAME_NEAR_SPELLING
                taken[column].add(code)
                break
        else:
            record["reason"] = f"no ward of {record['la_name']} in December 2023 or May 2025 has this name or a near spelling of it"

    out = pd.DataFrame(records)
    # One ward named by two rows: neither can be told to be it.
    for column in ("wd23_code", "wd25_code"):
        twice = (out[column] != "") & out[column].duplicated(keep=False)
        out.loc[twice, "reason"] = "two 2023 rows match ward " + out.loc[twice, column]
        out.loc[twice, [column, "name_match"]] = ""
    out["wd23_name"] = out["wd23_code"].map(names23).fillna("")
    out["wd25_name"] = out["wd25_code"].map(names25).fillna("")
    return out


# ---------------------------------------------------------------------------------------------
# Step 2: December 2023 wards -> May 2025 wards
# ---------------------------------------------------------------------------------------------

def _members(groups: pd.Series, members: pd.Series) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group, member in zip(groups, members):
        out.setdefault(group, set()).add(member)
    return out


@dataclass
class LsoaRoutes:
    """Where the LSOAs of an older ward are: LSOA21 -> May 2024 ward best fit, else LSOA11 -> December 2017 ward best
    fit carried to LSOA21 (a code unchanged since 2017 is the same ward)."""

    lsoa21_ward24: pd.DataFrame  # lsoa21_code, ward24_code
    lsoa11_ward17: pd.DataFrame  # lsoa11_code, ward17_code
    lsoa11_lsoa21: pd.DataFrame  # LSOA11CD, LSOA21CD

    def __post_init__(self):
        self._ward24 = _members(self.lsoa21_ward24["ward24_code"], self.lsoa21_ward24["lsoa21_code"])
        self._ward17 = _members(self.lsoa11_ward17["ward17_code"], self.lsoa11_ward17["lsoa11_code"])
        self._lsoa21_of_lsoa11 = _members(self.lsoa11_lsoa21["LSOA11CD"], self.lsoa11_lsoa21["LSOA21CD"])

    def lsoas(self, ward_code: str) -> tuple[list[str], str]:
        """The LSOA21 codes best-fitted to ward_code and the route they came by ("" if no lookup holds the ward)."""
        if ward_code in self._ward24:
            return sorted(self._ward24[ward_code]), "ONS LSOA21 -> May 2024 ward best fit"
        if ward_code in self._ward17:
            lsoa21 = set().union(*(self._lsoa21_of_lsoa11.get(code, set()) for code in self._ward17[ward_code]))
            return sorted(lsoa21), "ONS LSOA11 -> December 2017 ward best fit, LSOA11 -> LSOA21"
        return [], ""


def carry_to_2025(named: pd.DataFrame, ward25_codes: set[str], routes: LsoaRoutes, lsoa21_ward25: pd.Series, ward25_names: pd.Series) -> pd.DataFrame:
    """Give every row matched to a December 2023 ward its May 2025 ward, method and derivation.

    lsoa21_ward25: LSOA21 code -> WD25 code (the build's best fit). ward25_names: WD25 code -> name.
    """
    ward25_lsoas = lsoa21_ward25.value_counts()
    records = []
    for row in named.to_dict("records"):
        records.append(row)
        row.update(method=UNMATCHED, lsoas_in_ward=0, lsoas_to_wd25=0, wd25_lsoas=0, derivation="")
        matched_by = _matched_by(row)
        if row["wd25_code"] and not row["wd23_code"]:
            row["method"] = NAME_2025
            row["derivation"] = (
                f"{matched_by} May 2025 ward {row['wd25_name']} ({row['wd25_code']}); no December 2023 ward of the council "
                "has that name, so the 2023 boundary is not checked"
            )
            continue
        if not row["wd23_code"]:
            continue
        ward23 = f"December 2023 ward {row['wd23_name']} ({row['wd23_code']})"
        if row["wd23_code"] in ward25_codes:
            row.update(wd25_code=row["wd23_code"], method=CODE_UNCHANGED, derivation=f"{matched_by} {ward23}; code unchanged in 2025")
            continue
        lsoas, route = routes.lsoas(row["wd23_code"])
        if not route:
            row["reason"] = f"{ward23} is not a May 2025 ward and no LSOA lookup held (May 2024, December 2017) has its code"
            continue
        successors = lsoa21_ward25.reindex(lsoas).dropna().value_counts()
        if successors.empty:
            row["reason"] = f"{ward23} changed by 2025 and no LSOA is best-fitted to it ({route})"
            continue
        top, count = successors.index[0], int(successors.iloc[0])
        row.update(lsoas_in_ward=len(lsoas), lsoas_to_wd25=count)
        if not holds_most(count, len(lsoas)):
            shares = ", ".join(f"{ward25_names.get(code, code)} ({code}) {n}" for code, n in successors.head(3).items())
            row["reason"] = f"{ward23} changed by 2025 and its {len(lsoas)} LSOAs split with no ward taking more than half: {shares}"
            continue
        row.update(wd25_code=top, method=LSOA_MAJORITY, wd25_lsoas=int(ward25_lsoas.get(top, 0)))
        row["derivation"] = (
            f"{matched_by} {ward23}, changed by 2025: {count} of its {len(lsoas)} LSOAs are in this ward, which has "
            f"{row['wd25_lsoas']} ({route}; LSOA21 -> May 2025 ward best fit)"
        )
    out = pd.DataFrame(records)
    # Only wards reached through their LSOAs may share a 2025 ward (a merger); a ward reached by its code or by name
    # is the 2025 ward itself, so any other row reaching it is not matched.
    reached = out[out["method"] != UNMATCHED].groupby("wd25_code")["method"]
    for code, methods in reached:
        if len(methods) > 1 and (methods != LSOA_MAJORITY).any():
            keep = methods.index[methods == CODE_UNCHANGED][:1] if (methods == CODE_UNCHANGED).sum() == 1 else methods.index[:0]
            for index in methods.index.difference(keep):
                out.loc[index, ["method", "derivation"]] = (UNMATCHED, "")
                out.loc[index, "reason"] = f"May 2025 ward {code} is reached by {len(methods)} 2023 rows, not all through their LSOAs"
    matched = out["method"] != UNMATCHED
    out["wd25_code"] = out["wd25_code"].where(matched, "")
    out["wd25_name"] = out["wd25_code"].map(ward25_names).fillna("")
    out["reason"] = out["reason"].where(~matched, "")
    return out[MATCH_COLUMNS].reset_index(drop=True)


def _matched_by(row: dict) -> str:
    target = row["wd23_name"] or row["wd25_name"]
    if row["ward_name"] == target:
        return "matched by name to"
    return f"matched by name ('{row['ward_name']}' as '{target}': {row['name_match']}) to"


# ---------------------------------------------------------------------------------------------
# Build context entry points
# ---------------------------------------------------------------------------------------------

def _lookups(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """The ward lookups, read once per build: the 2023 match and the carry of coded results both use them."""
    if "ward_lookups" not in ctx._cache:
        folder = Path(ctx.raw_root) / ons_lookups.SOURCE.raw_folder
        ctx._cache["ward_lookups"] = {
            "wards23": ons_lookups.read(folder / ons_lookups.WARD23_LAD23),
            "lsoa21_ward24": ons_lookups.read(folder / ons_lookups.LSOA21_WARD24),
            "lsoa11_ward17": ons_lookups.read(folder / ons_lookups.LSOA11_WARD17),
        }
    return ctx._cache["ward_lookups"]


def _routes(ctx: BuildContext) -> LsoaRoutes:
    if "ward_routes" not in ctx._cache:
        lookups = _lookups(ctx)
        ctx._cache["ward_routes"] = LsoaRoutes(lookups["lsoa21_ward24"], lookups["lsoa11_ward17"], ctx.lsoa11_lsoa21)
    return ctx._cache["ward_routes"]


def results_2023(ctx: BuildContext) -> pd.DataFrame:
    """The 2023 ward rows as the Library names them (data_sources.local_elections.read_named_wards_2023)."""
    path = Path(ctx.raw_root) / local_elections.SOURCE.raw_folder / local_elections.FILE_2023
    return local_elections.read_named_wards_2023(path)


def election_matches_2023(ctx: BuildContext) -> pd.DataFrame:
    """Every 2023 row with its council, ward name, matched May 2025 ward code ("" if none), method, derivation and,
    for unmatched rows, the reason; columns MATCH_COLUMNS."""
    if "ward_elections_2023" in ctx._cache:
        return ctx._cache["ward_elections_2023"].copy()
    lookups = _lookups(ctx)
    wards25 = ctx.areas.loc[ctx.areas["level"] == "ward", ["area_code", "area_name", "area_name_welsh", "parent_code"]]
    lad23_to_lad25 = ctx.chain.drop_duplicates("old_code").set_index("old_code")["lad25_code"]
    named = match_names(results_2023(ctx), lookups["wards23"], wards25, lad23_to_lad25)
    routes = _routes(ctx)
    lsoa21_ward25 = ctx.lsoa21_ward.set_index("LSOA21CD")["WD25CD"]
    matches = carry_to_2025(named, set(ctx.ward_codes), routes, lsoa21_ward25, wards25.set_index("area_code")["area_name"])
    ctx._cache["ward_elections_2023"] = matches
    return matches.copy()


def match_summary(matches: pd.DataFrame) -> dict[str, int]:
    """Rows per method, and matched / total."""
    counts = {method: int((matches["method"] == method).sum()) for method in METHODS}
    counts["matched"] = len(matches) - counts[UNMATCHED]
    counts["total"] = len(matches)
    return counts


def unmatched_lines(matches: pd.DataFrame) -> list[str]:
    """One line per unmatched 2023 row, 'council, ward: reason', for the build output."""
    unmatched = matches[matches["method"] == UNMATCHED]
    return [f"{la}, {ward}: {reason}" for la, ward, reason in unmatched[["la_name", "ward_name", "reason"]].itertuples(index=False)]


def _coded_wards(ctx: BuildContext) -> pd.DataFrame:
    """Coded results (2021, 2022, 2024): wards whose code is still a May 2025 ward, and changed wards carried to the
    2025 ward that holds most of their LSOAs (as for 2023, see _carried_wards)."""
    parts = []
    for geography in CODED_GEOGRAPHIES:
        try:
            turnout = ctx.measure(SOURCE_ID, "turnout_pct", geography)
            electorate = ctx.measure(SOURCE_ID, "electorate", geography)
        except LookupError:
            continue
        frame = turnout.merge(electorate[["area_code", "value"]].rename(columns={"value": "electorate"}), on="area_code")
        frame["derivation"] = "ward election of May " + frame["period"] + " (code unchanged in 2025)"
        parts.append(frame[["area_code", "period", "value", "electorate", "derivation"]])
    if not parts:
        return pd.DataFrame(columns=["area_code", "period", "value", "electorate", "derivation"])
    frame = pd.concat(parts, ignore_index=True)
    current = frame["area_code"].isin(set(ctx.ward_codes))
    changed = frame[~current & frame["area_code"].str[:3].isin(["E05", "W05"]) & frame["value"].notna()]
    return pd.concat([frame[current], _carried_wards(ctx, changed)], ignore_index=True)


def _carried_wards(ctx: BuildContext, changed: pd.DataFrame) -> pd.DataFrame:
    """Results of wards whose boundaries changed by 2025 (Northumberland, Durham, Wiltshire... voted in 2021 on wards
    redrawn for 2025). A result goes to the 2025 ward holding more than half of the old ward's LSOAs, and counts only
    if the old wards carried there make up more than half of that ward's LSOAs too: else it describes another area."""
    routes = _routes(ctx)
    lsoa21_ward25 = ctx.lsoa21_ward.set_index("LSOA21CD")["WD25CD"]
    ward25_lsoas = lsoa21_ward25.value_counts()
    carried = []
    for row in changed.itertuples(index=False):
        lsoas, route = routes.lsoas(row.area_code)
        successors = lsoa21_ward25.reindex(lsoas).dropna().value_counts()
        if successors.empty or not holds_most(int(successors.iloc[0]), len(lsoas)):
            continue
        carried.append({"old_code": row.area_code, "period": row.period, "wd25_code": successors.index[0], "lsoas_to_wd25": int(successors.iloc[0]), "electorate": row.electorate, "ballots": row.electorate * row.value / 100})
    columns = ["area_code", "period", "value", "electorate", "derivation"]
    if not carried:
        return pd.DataFrame(columns=columns)
    rows = []
    for (code, period), group in pd.DataFrame(carried).groupby(["wd25_code", "period"]):
        from_old, of_new = int(group["lsoas_to_wd25"].sum()), int(ward25_lsoas.get(code, 0))
        if not holds_most(from_old, of_new):
            continue
        # Spelt out, not "LSOA": these are the old wards' own published results, not values summed from LSOAs.
        derivation = (
            f"ward election of May {period} (ward {' and '.join(group['old_code'])}, changed by 2025: {from_old} of this "
            f"ward's {of_new} lower layer super output areas were in it; ONS best-fit lookups)"
        )
        electorate = group["electorate"].sum()
        rows.append({"area_code": code, "period": period, "value": 100 * group["ballots"].sum() / electorate, "electorate": electorate, "derivation": derivation})
    return pd.DataFrame(rows, columns=columns)


def _wards_2023(matches: pd.DataFrame) -> pd.DataFrame:
    """2023 turnout per matched May 2025 ward. Changed wards whose LSOAs went mostly to one 2025 ward are summed
    there, and counted only if they make up most of that ward too: else the figure would describe another area."""
    matched = matches[matches["method"] != UNMATCHED].copy()
    matched["ballots"] = matched["electorate"] * matched["turnout_pct"] / 100
    rows = []
    for code, group in matched.groupby("wd25_code", sort=True):
        electorate = group["electorate"].sum()
        ballots = group["ballots"].sum(min_count=len(group))
        if (group["method"] == LSOA_MAJORITY).all():
            from_old = int(group["lsoas_to_wd25"].sum())
            of_new = int(group["wd25_lsoas"].iloc[0])
            if not holds_most(from_old, of_new):
                continue
        # Spelt out, not "LSOA": the build's reliability annotation reads that token as "summed from LSOA values",
        # and these are the old wards' own published results.
        if len(group) > 1:
            wards = " and ".join(f"{n} ({c})" for n, c in zip(group["wd23_name"], group["wd23_code"]))
            derivation = (
                f"ward election of May 2023 (December 2023 wards {wards} summed: each changed by 2025 and has most of its "
                f"lower layer super output areas in this ward, together {from_old} of its {of_new}; ONS best-fit lookups)"
            )
        elif group["method"].iloc[0] == LSOA_MAJORITY:
            old = group.iloc[0]
            derivation = (
                f"ward election of May 2023 ({_matched_by(old)} December 2023 ward {old['wd23_name']} ({old['wd23_code']}), "
                f"changed by 2025: {old['lsoas_to_wd25']} of its {old['lsoas_in_ward']} lower layer super output areas are "
                f"in this ward, which has {old['wd25_lsoas']}; ONS best-fit lookups)"
            )
        else:
            derivation = f"ward election of May 2023 ({group['derivation'].iloc[0]})"
        rows.append({"area_code": code, "period": "2023", "value": 100 * ballots / electorate, "electorate": electorate, "derivation": derivation})
    return pd.DataFrame(rows, columns=["area_code", "period", "value", "electorate", "derivation"])


def local_election_turnout(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """Turnout at each ward's most recent borough, district or unitary election of 2021-2024 that went to a poll
    (county divisions left out; a ward uncontested in its latest election keeps its latest polled one).

    Coded results (2021, 2022, 2024) count where the code is still a May 2025 ward. 2023 results are matched by name
    and carried to 2025 wards as election_matches_2023 records; each ward's derivation says which. LAD turnout sums
    ballots and electorate over the wards of the council's most recent election year.
    """
    coded = _coded_wards(ctx)
    named = _wards_2023(election_matches_2023(ctx))
    frame = pd.concat([coded, named], ignore_index=True)
    frame = frame[frame["value"].notna()]
    frame = frame.sort_values(["period", "area_code"], ascending=[False, True], kind="stable").drop_duplicates("area_code", keep="first")
    frame["numerator"] = frame["electorate"] * frame["value"] / 100
    frame["denominator"] = frame["electorate"]
    frame["year"] = frame["period"]
    frame["period"] = PERIOD_LABEL
    parent = ctx.areas.set_index("area_code")["parent_code"]
    frame["lad"] = frame["area_code"].map(parent)
    latest_year = frame.groupby("lad")["year"].max()
    lad = frame[frame["year"] == frame["lad"].map(latest_year)]
    lad = lad.groupby("lad").agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"), year=("year", "first"), wards=("area_code", "count")).reset_index()
    lad["value"] = 100 * lad["numerator"] / lad["denominator"]
    lad["period"] = PERIOD_LABEL
    lad["derivation"] = "summed over " + lad["wards"].astype(str) + " wards of the May " + lad["year"] + " election"
    ward = frame.sort_values("area_code").reset_index(drop=True)
    return {"ward": _finish(ward), "lad": _finish(lad.rename(columns={"lad": "area_code"}))}
