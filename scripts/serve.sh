#!/usr/bin/env bash
# The production front, the standard way to serve many users: nginx in front of N Streamlit replicas (sticky sessions by
# cookie, websockets, Streamlit's bundle precompressed with brotli and gzip, cache headers), in the foreground until
# Ctrl-C or SIGTERM, which stop everything it started. Installs what is missing, like scripts/run_app.sh.
#
#   bash scripts/serve.sh [--replicas N] [--port P] [--address A] [--site DIR]
#   (default: one replica per CPU core, http://127.0.0.1:8080; --address 0.0.0.0 serves the network)
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
    if [ "$arg" = "-h" ] || [ "$arg" = "--help" ]; then
        if [ -x .venv/bin/python ]; then exec .venv/bin/python cli.py serve --help; fi
    fi
done

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
# The area report's PDF is laid out by WeasyPrint over Pango (a Debian library, not a pip package).
if ! ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0"; then
    echo "installing Debian libpango-1.0-0 for the PDF area reports" >&2
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
fi
# nginx, run by the front itself from a config in run/front/ (never /etc/nginx); the brotli modules are optional: without
# them the front sends gzip only.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "installing Debian nginx and its brotli modules for the production front" >&2
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static >/dev/null \
        || echo "the nginx brotli modules are not available here: serving gzip only" >&2
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
# Brotli for the one-off precompression of Streamlit's bundle (without it: .gz files only).
if ! .venv/bin/python -c "import brotli" 2>/dev/null; then
    .venv/bin/python -m pip install -q --disable-pip-version-check "brotli>=1.1,<2" || echo "brotli (pip) unavailable: precompressing with gzip only" >&2
fi
# The project itself, editable, for the `atlas` command.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
exec .venv/bin/python cli.py serve "$@"
