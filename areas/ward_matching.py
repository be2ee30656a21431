"""Wards matched across names and boundary changes: a named ward (council and ward name) to its December 2023 code, and
a December 2023 ward to the May 2025 ward that took most of its LSOAs. Pure functions of lookup frames, so any
source that names its wards, or any result on an older ward vintage, can be carried to the canonical wards alike."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

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
        matched_by = name_match_text(row)
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


def name_match_text(row: dict) -> str:
    target = row["wd23_name"] or row["wd25_name"]
    if row["ward_name"] == target:
        return "matched by name to"
    return f"matched by name ('{row['ward_name']}' as '{target}': {row['name_match']}) to"
