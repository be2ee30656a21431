"""Layering rules, checked on the source: the packages read as the data flow, Streamlit only in the dashboard, no import
cycles, the dashboard never loads the build, and no raw HTML from untrusted text."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

# The flow, as the folders show it (README "Layout").
PACKAGES = ("data_sources", "areas", "indicators", "scoring", "pipeline", "outputs", "dashboard", "reports", "serving")
TOP_MODULES = ("app", "cli", "settings", "vocabulary")
STREAMLIT_ALLOWED = {"app.py"}
STREAMLIT_ALLOWED_DIRS = {"dashboard"}
# tests/ and benchmarks/ drive the app (AppTest, a real server), so they may import streamlit.testing.
SKIP_DIRS = {".venv", "venv", ".git", "tests", "benchmarks", "data", "__pycache__", "node_modules", ".streamlit", "static", "docs", "scripts", "build"}
# What only the build runs: the sources' readers, the declarations and builders, the scored-table orchestration.
BUILD_ONLY = ("pipeline", "data_sources", "indicators", "scoring.factor_scores", "areas.geography", "cli")
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


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, known: set[str]) -> set[str]:
    """First-party modules path imports, anywhere in it (function-level imports count: they hide cycles, not remove
    them), except under `if TYPE_CHECKING:`. `from pkg import mod` names the module where mod is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    out = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module for alias in node.names]
        else:
            continue
        out.update(n for n in names if n in known)
    return out


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in python_files()}
    known = set(files)
    return {name: imports_of(path, known) - {name} for name, path in files.items()}


def third_party_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_scan_sees_the_flow():
    graph = import_graph()
    assert {*PACKAGES, *TOP_MODULES} <= set(graph)
    assert {"dashboard.app_data", "dashboard.controls", "dashboard.figures", "dashboard.profile_view", "scoring.factor_scores", "pipeline.build", "pipeline.refresh", "outputs.geojson"} <= set(graph)
    assert {f"dashboard.app_pages.{n}" for n in ("map", "profile", "ward_map", "trends", "compare", "composite", "data_export", "methodology")} <= set(graph)
    # The scan must see imports, or every rule below would pass vacuously.
    assert "pipeline.steps" in graph["pipeline.build"] and "dashboard.app_data" in graph["dashboard.app_pages.map"]


def test_every_first_party_module_lives_in_a_flow_package_or_is_a_named_top_module():
    loose = [name for name in import_graph() if name.split(".")[0] not in (*PACKAGES, *TOP_MODULES)]
    assert loose == []


def test_streamlit_is_imported_only_by_the_dashboard_and_app_py():
    offenders = []
    for path in python_files():
        rel = path.relative_to(ROOT)
        allowed = rel.as_posix() in STREAMLIT_ALLOWED or rel.parts[0] in STREAMLIT_ALLOWED_DIRS
        if "streamlit" in third_party_imports(path) and not allowed:
            offenders.append(rel.as_posix())
    assert offenders == [], f"streamlit imported outside app.py and dashboard/: {offenders}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each a cycle of imports."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_even_through_function_level_imports():
    assert cycles(import_graph()) == []


def reachable(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def _is_build_only(name: str) -> bool:
    return any(name == b or name.startswith(b + ".") for b in BUILD_ONLY)


def test_the_dashboard_never_imports_the_build():
    graph = import_graph()
    app = {name for name in graph if name == "app" or name.split(".")[0] == "dashboard"}
    reached = reachable(graph, app)
    assert sorted(n for n in reached if _is_build_only(n)) == []
    # And the packages it does reach bring in no network client.
    for name in reached:
        path = ROOT / (name.replace(".", "/") + ".py")
        path = path if path.exists() else ROOT / name.replace(".", "/") / "__init__.py"
        assert not third_party_imports(path) & {"requests", "urllib3"}, name


def test_loading_the_dashboard_loads_no_build_module():
    """The same rule as the process sees it: importing every dashboard module (pages aside: they run, they are not
    imported) loads no build module and no requests."""
    code = (
        "import sys, importlib, pkgutil, dashboard\n"
        "for info in pkgutil.iter_modules(dashboard.__path__):\n"
        "    importlib.import_module('dashboard.' + info.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert {"dashboard.app_data", "dashboard.controls", "dashboard.profile_view"} <= set(loaded)
    assert [m for m in loaded if _is_build_only(m) or m == "requests"] == []


def test_pages_load_data_only_through_app_data():
    for path in (ROOT / "dashboard" / "app_pages").glob("*.py"):
        modules = third_party_imports(path) | {n for n in imports_of(path, set(import_graph()))}
        assert "dashboard.app_data" in modules, path.name
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


def test_every_module_opens_with_a_docstring():
    missing = [p.relative_to(ROOT).as_posix() for p in python_files() if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert missing == []


def test_plotly_engine_pinned_where_figures_are_built():
    text = (ROOT / "dashboard" / "figures.py").read_text(encoding="utf-8")
    assert 'pio.json.config.default_engine = "json"' in text


def test_the_page_table_is_the_only_one():
    """app.py builds its navigation from dashboard.page_table and names no page file itself."""
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "PAGE_TABLE" in app and "app_pages/" not in app
    for path in python_files():
        if path.relative_to(ROOT).as_posix() != "dashboard/page_table.py":
            assert '"dashboard/app_pages/' not in path.read_text(encoding="utf-8"), path


def test_the_package_declares_the_flow_and_the_atlas_command():
    """pyproject.toml installs exactly the flow's packages and top modules, and `atlas` runs cli.main."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"] == {"atlas": "cli:main"}
    assert tuple(project["tool"]["setuptools"]["packages"]) == PACKAGES
    assert set(project["tool"]["setuptools"]["py-modules"]) == set(TOP_MODULES) - {"app"}  # app.py is run by streamlit, not imported
    result = subprocess.run([sys.executable, "-c", "import cli; raise SystemExit(cli.main(['sources']))"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "oa21_lookup" in result.stdout


def test_no_module_reaches_around_the_install_with_sys_path():
    offenders = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "sys.path.insert" in p.read_text(encoding="utf-8")]
    assert offenders == ["tests/test_layering.py"]  # this test names it
