#!/usr/bin/env bash
# Install the app's dependencies in a venv and start it on the bundled snapshot (no network needed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
# The project itself, editable, for the `atlas` command (build, refresh, verify, export, sources).
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
