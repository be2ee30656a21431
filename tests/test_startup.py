"""Start-up: the app listens on this machine only unless told otherwise, and the folder it serves statically exists in a fresh clone."""
from __future__ import annotations

import subprocess
import tomllib

from conftest import ROOT


def test_the_app_listens_on_127_0_0_1_by_default():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableStaticServing"] is True
    readme = (ROOT / "README.md").read_text()
    assert "http://127.0.0.1:8501" in readme and "--server.address 0.0.0.0" in readme


def test_static_folder_is_in_a_fresh_clone():
    """Streamlit warns at start when static serving is on and static/ is missing: git must hold a file in it."""
    tracked = subprocess.run(["git", "ls-files", "static"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert "static/favicon.png" in tracked
