"""Researcher exports: full tables with a metric dictionary; spreadsheet formula injection neutralised; numbers kept."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from conftest import PROCESSED, ROOT
from outputs.export import neutralise_formulae, safe_filename


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
    import re

    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{table}.parquet`")]
    assert len(rows) == 1, f"README has no table-contract row for {table}.parquet"
    named = set(re.findall(r"`([a-z0-9_]+)`", rows[0]))
    missing = [c for c in pd.read_parquet(PROCESSED / f"{table}.parquet").columns if c not in named]
    assert not missing, f"README's row for {table}.parquet leaves out {missing}"
