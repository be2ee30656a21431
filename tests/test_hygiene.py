"""Code hygiene over every Python file of the repository: no pickle, eval/exec or disabled TLS checks, a timeout on every
request, and requirements pinned to compatible ranges."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {"__pycache__", "node_modules", "venv", "data"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "send"}
# Modules whose use deserialises arbitrary objects: never on data that came from the network (nor anywhere else here).
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "shelve", "marshal", "joblib", "cloudpickle"}
UNSAFE_ATTRIBUTES = {"read_pickle", "to_pickle"}
UNVERIFIED_TLS = {"_create_unverified_context", "CERT_NONE", "disable_warnings"}


def python_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIP_DIRS for part in parts[:-1]):
            continue
        files.append(path)
    return files


FILES = python_files()


@pytest.fixture(scope="module")
def trees() -> dict[str, ast.AST]:
    return {path.relative_to(ROOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for path in FILES}


def dotted(node: ast.AST) -> str:
    """'requests.get' for requests.get, 'self.session.send' for self.session.send; '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        return dotted(node.func) + "()"
    return ""


def findings(trees, check) -> list[str]:
    found = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            problem = check(node)
            if problem:
                found.append(f"{name}:{getattr(node, 'lineno', '?')}: {problem}")
    return found


def test_the_scan_sees_the_code():
    names = {path.relative_to(ROOT).as_posix() for path in FILES}
    assert {"cli.py", "pipeline/build.py", "pipeline/refresh.py", "data_sources/http.py", "data_sources/base.py", "tests/test_hygiene.py"} <= names
    assert not any(name.startswith(("data/", ".")) for name in names)


def unsafe_deserialiser(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        bad = [a.name for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
        return f"imports {bad}" if bad else None
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
        return f"imports from {node.module}"
    if isinstance(node, ast.Attribute) and node.attr in UNSAFE_ATTRIBUTES:
        return f"uses {dotted(node)}"
    return None


def eval_or_exec(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"eval", "exec", "__import__"}:
        return f"calls {node.func.id}()"
    return None


def unverified_tls(node: ast.AST) -> str | None:
    if isinstance(node, ast.keyword) and node.arg == "verify" and isinstance(node.value, ast.Constant) and node.value.value is False:
        return "verify=False"
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is False:
        if any(isinstance(t, ast.Attribute) and t.attr == "verify" for t in node.targets):
            return "sets .verify = False"
    if isinstance(node, ast.Attribute) and node.attr in UNVERIFIED_TLS:
        return f"uses {dotted(node)}"
    return None


def is_http_call(node: ast.AST) -> bool:
    """requests.get(...), a session's .get/.send(...), urlopen(...): anything that goes to the network."""
    if not isinstance(node, ast.Call):
        return False
    parts = dotted(node.func).split(".")
    if parts[-1] == "urlopen":
        return True
    if parts[-1] not in HTTP_METHODS or len(parts) < 2:
        return False
    receiver = ".".join(parts[:-1]).lower()
    # requests itself, or a session: session, self.session, http_session, requests.Session() (not st.session_state)
    return receiver == "requests" or re.search(r"session(\(\))?$", receiver) is not None


def request_without_timeout(node: ast.AST) -> str | None:
    if is_http_call(node) and not any(k.arg == "timeout" for k in node.keywords):
        return f"{dotted(node.func)}() without timeout="
    return None


def shell_yaml_or_extractall(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    name = dotted(node.func)
    if any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords):
        return f"{name}(shell=True)"
    if name.endswith("yaml.load") and not any(k.arg == "Loader" for k in node.keywords):
        return "yaml.load without a safe Loader"
    if name.endswith("extractall"):
        return f"{name}() (member paths unchecked)"
    return None


RULES = {
    "no pickle or other object deserialisers": unsafe_deserialiser,
    "no eval or exec": eval_or_exec,
    "TLS verification never turned off": unverified_tls,
    "every request has a timeout": request_without_timeout,
    "no shell commands, unsafe yaml or blind archive extraction": shell_yaml_or_extractall,
}
# Each rule, shown a line that breaks it, must object (so a rule cannot silently stop matching).
BREAKERS = {
    "no pickle or other object deserialisers": ["import pickle", "from joblib import load", "frame = pd.read_pickle(path)"],
    "no eval or exec": ["eval(text)", "exec(code)"],
    "TLS verification never turned off": ["requests.get(url, verify=False, timeout=5)", "session.verify = False", "ssl._create_unverified_context()"],
    "every request has a timeout": ["requests.get(url)", "session.send(request, stream=True)", "self.session.get(url)", "urllib.request.urlopen(url)"],
    "no shell commands, unsafe yaml or blind archive extraction": ["subprocess.run(cmd, shell=True)", "yaml.load(text)", "archive.extractall(folder)"],
}
HARMLESS = ["st.session_state.get('area')", "requests.get(url, timeout=(5, 30))", "yaml.safe_load(text)", "generator.send(None)"]


@pytest.mark.parametrize("rule", list(RULES))
def test_rule_holds_for_every_file(rule, trees):
    assert findings(trees, RULES[rule]) == []


@pytest.mark.parametrize("rule", list(RULES))
def test_rule_catches_what_it_forbids(rule):
    for line in BREAKERS[rule]:
        assert findings({"example.py": ast.parse(line)}, RULES[rule]), f"{rule}: did not object to {line!r}"
    for line in HARMLESS:
        assert findings({"example.py": ast.parse(line)}, RULES[rule]) == [], f"{rule}: objected to {line!r}"


def test_the_scan_sees_the_real_requests(trees):
    calls = findings(trees, lambda node: dotted(node.func) if is_http_call(node) else None)
    assert any(found.startswith("data_sources/http.py") and "session.send" in found for found in calls), calls


def test_the_http_helper_sends_with_the_configured_timeouts(trees, monkeypatch):
    from data_sources import http

    helper = next(n for n in ast.walk(trees["data_sources/http.py"]) if isinstance(n, ast.FunctionDef) and n.name == "_get")
    sends = [n for n in ast.walk(helper) if isinstance(n, ast.Call) and dotted(n.func) == "session.send"]
    assert len(sends) == 1
    timeout = next(k.value for k in sends[0].keywords if k.arg == "timeout")
    assert isinstance(timeout, ast.Call) and dotted(timeout.func) == "timeouts"
    connect, read = http.timeouts()
    assert 0 < connect <= 60 and 0 < read <= 600
    monkeypatch.setenv("ATLAS_HTTP_READ_TIMEOUT", "7")
    assert http.timeouts()[1] == 7.0
    # Every other function of the helper reaches the network through _get.
    for function in (n for n in ast.walk(trees["data_sources/http.py"]) if isinstance(n, ast.FunctionDef) and n.name != "_get"):
        assert not [n for n in ast.walk(function) if is_http_call(n)], function.name


REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(?P<spec>[^;#]*)")


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_compatible_ranges(name):
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]
    requirements = [line for line in lines if line and not line.startswith("-r")]
    assert requirements
    for line in requirements:
        match = REQUIREMENT.match(line)
        assert match, line
        spec = SpecifierSet(match["spec"].replace(" ", ""))
        lower = [s for s in spec if s.operator == ">="]
        upper = [s for s in spec if s.operator == "<"]
        assert len(lower) == 1 and len(upper) == 1 and len(spec) == 2, f"{name}: {line!r} is not '>=X,<Y'"
        assert Version(lower[0].version) < Version(upper[0].version), line
