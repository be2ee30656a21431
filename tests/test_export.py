"""Researcher exports: full tables with a metric dictionary; spreadsheet formula injection neutralised; numbers kept."""
from __future__ import annotations

import io
import re
import subprocess
import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import PROCESSED, ROOT
from outputs import downloads
from outputs.export import export_tables, neutralise_formulae, safe_filename


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_cells_are_neutralised(text):
    frame = pd.DataFrame({"name": [text, "Blackpool"], "value": [-3.5, 43.467]})
    out = neutralise_formulae(frame)
    assert out.loc[0, "name"] == "'" + text and out.loc[1, "name"] == "Blackpool"
    assert out["value"].tolist() == [-3.5, 43.467] and pd.api.types.is_float_dtype(out["value"])


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "etc-passwd"
    assert safe_filename("Blackpool <script>.csv") == "Blackpool-script-.csv"
    assert safe_filename("....") == "cohesion-atlas-export"
    assert len(safe_filename("x" * 500)) == 80


def test_export_command_writes_tables_and_dictionary(tmp_path):
    result = subprocess.run([sys.executable, "cli.py", "export", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    values = pd.read_csv(tmp_path / "indicator_values.csv", encoding="utf-8-sig", dtype={"period": str})
    shipped = pd.read_parquet(PROCESSED / "indicator_values.parquet")
    assert len(values) == len(shipped)
    blackpool = values[(values.area_code == "E06000009") & (values.indicator_id == "imd_average_score") & (values.period == "2025")]
    assert blackpool["value"].iloc[0] == pytest.approx(43.467)
    assert (tmp_path / "indicator_values.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    dictionary = pd.read_csv(tmp_path / "metric_dictionary.csv", encoding="utf-8-sig")
    assert set(shipped["indicator_id"]) <= set(dictionary["indicator_id"])
    assert dictionary["sources_cited"].str.contains("Open Government Licence").any()
    scores = pd.read_parquet(tmp_path / "factor_scores.parquet")
    assert {"rank", "rank_low", "rank_high", "missing_reason"} <= set(scores.columns)
    assert {"scope", "n_areas", "period_oldest", "period_newest", "proxy_share", "inherited_share", "small_population"} <= set(scores.columns)
    assert not scores.duplicated(["area_code", "level", "scope", "factor", "method"]).any()
    assert set(scores["scope"]) == {"ew_common", "country"}


@pytest.mark.parametrize("table", ["indicator_values", "factor_scores"])
def test_the_column_dictionary_describes_every_exported_column_and_no_other(table):
    from outputs.export import COLUMN_DICTIONARY

    columns = list(pd.read_parquet(PROCESSED / f"{table}.parquet").columns)
    assert list(COLUMN_DICTIONARY[table]) == columns


@pytest.mark.parametrize("table", ["areas", "indicators", "indicator_values", "factor_scores", "neighbours", "ward_reliability", "sources"])
def test_the_readme_table_contract_names_every_column(table):
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{table}.parquet`")]
    assert len(rows) == 1, f"README has no table-contract row for {table}.parquet"
    named = set(re.findall(r"`([a-z0-9_]+)`", rows[0]))
    missing = [c for c in pd.read_parquet(PROCESSED / f"{table}.parquet").columns if c not in named]
    assert not missing, f"README's row for {table}.parquet leaves out {missing}"


# ---- numbers as written: no binary float artefacts, counts and ranks as integers

# The tail a binary double leaves on a short decimal (62.400000000000006, 24.299999999999997).
FLOAT_ARTEFACT = re.compile(r"\d\.\d*0000000\d|9999999\d")
BLACKPOOL = "E06000009"
WHOLE_COLUMNS = {
    "factor_scores": ("rank", "rank_low", "rank_high", "n_areas", "n_indicators"),
    "indicator_values": ("n_small_areas",),
}


def blackpool_composite_rank() -> int:
    scores = pd.read_parquet(PROCESSED / "factor_scores.parquet")
    row = scores.query("area_code == @BLACKPOOL and level == 'lad' and scope == 'ew_common' and factor == 'composite' and method == 'robust_z'")
    return int(row["rank"].iloc[0])


def test_exported_csv_has_no_float_artefacts_and_writes_counts_as_integers(tmp_path):
    export_tables(PROCESSED, tmp_path)
    for table, whole in WHOLE_COLUMNS.items():
        text = (tmp_path / f"{table}.csv").read_text(encoding="utf-8-sig")
        assert FLOAT_ARTEFACT.findall(text)[:5] == [], table
        fields = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        for column in whole:
            assert not fields[column].str.contains(".", regex=False).any(), (table, column)
        # Rounding away the artefacts keeps every digit a double carries faithfully (and a score's first 12 decimals).
        shipped = pd.read_parquet(PROCESSED / f"{table}.parquet")
        read_back = pd.read_csv(io.StringIO(text), dtype={"period": str, "factor": str})
        for column in shipped.select_dtypes("number").columns:
            atol = 5e-13 if column == "score" else 0
            np.testing.assert_allclose(read_back[column].astype(float), shipped[column].astype(float), rtol=1e-14, atol=atol, err_msg=column)
    scores = pd.read_csv(tmp_path / "factor_scores.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    blackpool = scores.query("area_code == @BLACKPOOL and scope == 'ew_common' and factor == 'composite' and method == 'robust_z'")
    assert blackpool["rank"].tolist() == [str(blackpool_composite_rank())]
    values = pd.read_csv(tmp_path / "indicator_values.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    counted = values.query("indicator_id == 'bad_health' and area_code == @BLACKPOOL")
    assert counted["numerator"].str.fullmatch(r"\d+").all() and counted["denominator"].str.fullmatch(r"\d+").all()
    assert pd.read_parquet(tmp_path / "factor_scores.parquet")["rank"].dtype == "Int64"


def xlsx_data_cells(payload: bytes) -> pd.DataFrame:
    book = openpyxl.load_workbook(io.BytesIO(payload), read_only=True)
    header, *rows = book["data"].iter_rows(values_only=True)
    return pd.DataFrame(rows, columns=header, dtype=object)


def test_xlsx_download_has_no_float_artefacts_and_integer_ranks():
    catalogue = pd.read_parquet(PROCESSED / "indicators.parquet")
    sources = pd.read_parquet(PROCESSED / "sources.parquet")
    values = pd.read_parquet(PROCESSED / "indicator_values.parquet")
    # LA values whose stored doubles carry artefacts in the value, the confidence limits, numerator and denominator.
    picked = ["employment_rate", "life_satisfaction", "local_election_turnout", "population_density", "bad_health"]
    rows = downloads.with_provenance(values[(values["level"] == "lad") & values["indicator_id"].isin(picked)], catalogue, sources)
    scores = pd.read_parquet(PROCESSED / "factor_scores.parquet").query("level == 'lad'")
    definitions, used = downloads.selection_metadata(picked, catalogue, sources)
    for selection in (rows, scores):
        cells = xlsx_data_cells(downloads.to_xlsx_bytes(selection, definitions, used))
        numbers = [v for column in cells.columns for v in cells[column] if isinstance(v, (int, float)) and not isinstance(v, bool)]
        assert numbers and [v for v in numbers if FLOAT_ARTEFACT.search(repr(v))][:5] == []
    blackpool = cells.query("area_code == @BLACKPOOL and scope == 'ew_common' and factor == 'composite' and method == 'robust_z'")
    assert blackpool["rank"].tolist() == [blackpool_composite_rank()] and type(blackpool["rank"].iloc[0]) is int
    for column in WHOLE_COLUMNS["factor_scores"]:
        assert all(type(v) is int for v in cells[column] if v is not None), column


def test_csv_download_writes_ranks_as_integers():
    scores = pd.read_parquet(PROCESSED / "factor_scores.parquet").query("level == 'lad' and area_code == @BLACKPOOL")
    fields = pd.read_csv(io.BytesIO(downloads.to_csv_bytes(scores)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    row = fields.query("scope == 'ew_common' and factor == 'composite' and method == 'robust_z'")
    assert row["rank"].tolist() == [str(blackpool_composite_rank())]
    assert FLOAT_ARTEFACT.findall(downloads.to_csv_bytes(scores).decode("utf-8-sig")) == []
