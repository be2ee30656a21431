#!/usr/bin/env bash
# Install the app's dependencies in a venv and start it on the bundled snapshot (no network needed).
set -euo pipefail
cd "$(dirname "$0")/.."
# The area report's PDF is laid out by WeasyPrint over Pango (a Debian library, not a pip package).
if ! ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0"; then
    echo "installing Debian libpango-1.0-0 for the PDF area reports" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
# The project itself, editable, for the `atlas` command (build, refresh, verify, export, report, site, sources).
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
