"""Layering rules, checked on the source: Streamlit only in app.py, app_pages/ and app_data.py; no raw HTML from untrusted text."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

STREAMLIT_ALLOWED = {"app.py", "app_data.py"}
STREAMLIT_ALLOWED_DIRS = {"app_pages"}
# tests/ and benchmarks/ drive the app (AppTest, a real server), so they may import streamlit.testing.
SKIP_DIRS = {".venv", "venv", ".git", "tests", "benchmarks", "data", "__pycache__", "node_modules", ".streamlit", "static", "docs"}
# Files allowed to pass unsafe_allow_html=True, with the reason. None today.
UNSAFE_HTML_ALLOWED: dict[str, str] = {}


def python_files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIP_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        out.append(path)
    return out


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value).split(".")[0])
    return names


def test_the_scan_sees_the_app_and_the_libraries():
    files = {p.relative_to(ROOT).as_posix() for p in python_files()}
    assert {"app.py", "app_data.py", "figures.py", "indicators/views.py", "indicators/model.py"} <= files
    assert {f"app_pages/{n}.py" for n in ("map", "profile", "ward_map", "trends", "compare", "composite", "data_export", "methodology")} <= files


def test_streamlit_is_imported_only_by_the_app_layer():
    offenders = []
    for path in python_files():
        rel = path.relative_to(ROOT)
        allowed = rel.as_posix() in STREAMLIT_ALLOWED or rel.parts[0] in STREAMLIT_ALLOWED_DIRS
        if "streamlit" in imported_modules(path) and not allowed:
            offenders.append(rel.as_posix())
    assert offenders == [], f"streamlit imported outside app.py, app_pages/ and app_data.py: {offenders}"


def test_pages_load_data_only_through_app_data():
    for path in (ROOT / "app_pages").glob("*.py"):
        modules = imported_modules(path)
        assert "app_data" in modules, path.name
        assert not modules & {"requests", "urllib3", "httpx", "pyarrow", "geopandas", "data_sources", "pipeline"}, path.name
        assert "read_parquet" not in path.read_text(encoding="utf-8"), path.name


def test_no_unsafe_html():
    for path in python_files():
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
                if not (isinstance(node.value, ast.Constant) and node.value.value is False):
                    assert rel in UNSAFE_HTML_ALLOWED, f"{rel}:{node.value.lineno} passes unsafe_allow_html"


def test_every_app_module_opens_with_a_docstring():
    for rel in ["app.py", "app_data.py", "figures.py", "indicators/views.py", "indicators/reweight.py", "indicators/downloads.py", *[f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py")]]:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), rel


def test_plotly_engine_pinned_where_figures_are_built():
    text = (ROOT / "figures.py").read_text(encoding="utf-8")
    assert 'pio.json.config.default_engine = "json"' in text
