"""The production front (serving/front.py): real nginx in front of two real Streamlit replicas on 127.0.0.1. Precompressed
hashed assets (brotli and gzip, a year's immutable cache), the index never long-cached, sticky sessions by cookie, a
browser session over the websocket through the front, and nothing left running after stop()."""
from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from serving import front as front_module
from serving.front import Front, FrontError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1366, "height": 768}
BLACKPOOL = "E06000009"
# Never through an http_proxy of the environment: the front is on this machine.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _headers(message) -> dict[str, str]:
    """Lower-case names; several Set-Cookie headers (the replica sets its own XSRF cookie) joined by newlines."""
    out = {k.lower(): v for k, v in message.items()}
    cookies = message.get_all("Set-Cookie") or []
    if cookies:
        out["set-cookie"] = "\n".join(cookies)
    return out


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body as sent: not decompressed). urllib sends no cookie of its own."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=15) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _headers(error.headers), error.read()


def replica_cookie(headers: dict[str, str]) -> str | None:
    """The front's Set-Cookie line, if the response has one."""
    return next((c for c in headers.get("set-cookie", "").splitlines() if c.startswith("atlas_replica=")), None)


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def require_nginx() -> None:
    if front_module.nginx_binary() is None:
        pytest.fail(f"nginx is missing: {front_module.NGINX_INSTALL} (scripts/test.sh installs it)")


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    require_nginx()
    f = Front(replicas=2, workdir=tmp_path_factory.mktemp("front"))
    f.start(timeout=120)
    yield f
    f.stop()


@pytest.fixture(scope="module")
def bundle() -> Path:
    return front_module.streamlit_static() / "static"


def test_hashed_js_is_precompressed_and_cached_for_a_year(front, bundle):
    import brotli

    largest = max((bundle / "js").glob("*.js"), key=lambda p: p.stat().st_size)
    assert re.search(r"\.[A-Za-z0-9_-]{8}\.js$", largest.name), largest.name  # the name carries its content hash
    raw = largest.read_bytes()
    url = f"{front.url}/static/js/{largest.name}"

    status, headers, body = fetch(url, {"Accept-Encoding": "br"})
    assert status == 200 and headers.get("content-encoding") == "br", headers
    assert brotli.decompress(body) == raw
    br_size = len(body)
    cache = headers.get("cache-control", "")
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache, cache
    assert "no-cache" not in cache
    assert "x-atlas-replica" not in headers  # nginx served it: no replica was asked

    status, headers, body = fetch(url, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip", headers
    assert gzip.decompress(body) == raw
    gz_size = len(body)
    assert "immutable" in headers.get("cache-control", "")

    status, headers, body = fetch(url, {"Accept-Encoding": "identity"})
    assert status == 200 and "content-encoding" not in headers and body == raw

    assert br_size * 3 <= len(raw) and gz_size * 3 <= len(raw), (len(raw), br_size, gz_size)
    # Precompressed once: the .br and .gz files nginx sends sit in the version's cache folder.
    cached = front.precompressed.static / "js" / largest.name
    assert (cached.with_name(cached.name + ".br")).stat().st_size == br_size
    assert (cached.with_name(cached.name + ".gz")).stat().st_size == gz_size
    js = front.precompressed.totals[".js"]
    assert js["br"] < js["gz"] < js["raw"] / 3, js


def test_index_and_page_paths_are_not_long_cached(front):
    for path in ("/", "/profile", f"/profile?area={BLACKPOOL}"):
        status, headers, body = fetch(f"{front.url}{path}", {"Accept-Encoding": "gzip"})
        assert status == 200, path
        assert headers.get("content-type", "").startswith("text/html"), (path, headers)
        cache = headers.get("cache-control", "")
        assert "no-cache" in cache and "immutable" not in cache and "max-age=31536000" not in cache, (path, cache)
        assert headers.get("content-encoding") == "gzip"  # compressed by nginx, not by the replica
        assert b"./static/js/" in gzip.decompress(body)


def test_app_static_long_caches_only_hashed_names(front, tmp_path):
    status, headers, _ = fetch(f"{front.url}/app/static/favicon.png")
    assert status == 200 and headers.get("cache-control") == "no-cache" and headers.get("etag"), headers
    hashed = sorted((ROOT / "static").rglob("*-[0-9a-f]*.geojson"))
    hashed = [p for p in hashed if re.search(r"-[0-9a-f]{8}\.geojson$", p.name)]
    if hashed:  # the boundary layers named by content (static/boundaries/, written by the build)
        rel = hashed[0].relative_to(ROOT / "static").as_posix()
        status, headers, body = fetch(f"{front.url}/app/static/{rel}", {"Accept-Encoding": "gzip"})
        assert status == 200, rel
        assert "immutable" in headers.get("cache-control", "") and headers.get("content-type", "").startswith("application/geo+json"), headers
        assert headers.get("content-encoding") == "gzip" and gzip.decompress(body) == hashed[0].read_bytes()


def test_sessions_stick_to_a_replica_by_cookie(front):
    status, headers, _ = fetch(f"{front.url}/")
    assert status == 200
    cookie = replica_cookie(headers) or ""
    match = re.fullmatch(r"atlas_replica=([0-9a-f]{32}); Path=/; SameSite=Lax; HttpOnly", cookie)
    assert match, cookie
    first = headers["x-atlas-replica"]
    assert first in {f"127.0.0.1:{p}" for p in front.replica_ports}

    seen = set()
    for path in ["/", "/_stcore/health", "/profile", "/_stcore/host-config"] * 3:
        _, headers, _ = fetch(f"{front.url}{path}", {"Cookie": f"atlas_replica={match[1]}"})
        seen.add(headers["x-atlas-replica"])
        assert replica_cookie(headers) is None  # set only once
    assert seen == {first}

    fresh = set()
    for _ in range(20):
        _, headers, _ = fetch(f"{front.url}/_stcore/health")
        assert replica_cookie(headers)
        fresh.add(headers["x-atlas-replica"])
    assert fresh == {f"127.0.0.1:{p}" for p in front.replica_ports}  # both replicas are used (not one per client IP)


def test_a_browser_session_runs_over_the_websocket_through_the_front(front):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian chromium (apt-get install -y chromium); scripts/test.sh does this")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            external: list[str] = []
            context.on("request", lambda r: external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
            sockets: list[str] = []
            page.on("websocket", lambda ws: sockets.append(ws.url))
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            # Bytes on the wire (encodedDataLength) against the decoded bodies, per response, from the DevTools protocol.
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            urls: dict[str, str] = {}
            encodings: dict[str, str] = {}
            decoded: dict[str, int] = {}
            wire: dict[str, int] = {}

            def received(e):
                urls[e["requestId"]] = e["response"]["url"]
                encodings[e["requestId"]] = {k.lower(): v for k, v in e["response"]["headers"].items()}.get("content-encoding", "")

            cdp.on("Network.responseReceived", received)
            cdp.on("Network.dataReceived", lambda e: decoded.__setitem__(e["requestId"], decoded.get(e["requestId"], 0) + e["dataLength"]))
            cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))

            page.goto(f"{front.url}/profile?area={BLACKPOOL}", wait_until="domcontentloaded")
            page.wait_for_selector("[data-testid='stMain'] :is(h1, h2, h3):has-text('Blackpool')", timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0
            assert not errors, errors
            assert sockets and all(s.startswith(f"ws://127.0.0.1:{front.port}/_stcore/stream") for s in sockets), sockets
            assert not external, f"requests left 127.0.0.1: {external[:3]}"

            js = [r for r, url in urls.items() if "/static/js/" in url and r in wire]
            assert len(js) >= 10, list(urls.values())[:10]
            sent, body = sum(wire[r] for r in js), sum(decoded.get(r, 0) for r in js)
            plain = [urls[r] for r in js if encodings[r] not in ("br", "gzip") and decoded.get(r, 0) > 1024]
            assert not plain, plain  # only a few tiny files (under 256 bytes) go as they are
            assert body > 1_000_000 and sent < body / 2, (sent, body, {encodings[r] for r in js})
            everything_sent = sum(wire.values())
            everything_body = sum(decoded.values())
            assert everything_sent < everything_body / 2, (everything_sent, everything_body)
        finally:
            browser.close()


def test_both_nginx_configs_are_valid(front, tmp_path):
    """The generated config, with the brotli modules and without them (gzip only), passes `nginx -t`."""
    require_nginx()
    for modules in (front_module.brotli_modules(), {}):
        prefix = tmp_path / ("brotli" if modules else "gzip")
        (prefix / "temp").mkdir(parents=True)
        conf = prefix / "nginx.conf"
        text = front_module.render_config(prefix=prefix, ports=[1, 2], listen="127.0.0.1:1", streamlit_root=front.precompressed.folder, site_dir=tmp_path, modules=modules)
        assert ("brotli_static on;" in text) == ("static" in modules) and ("brotli on;" in text) == ("filter" in modules)
        directives = "\n".join(line.split("#")[0] for line in text.splitlines())
        assert "/etc/nginx" not in directives and "/var/" not in directives
        conf.write_text(text, encoding="utf-8")
        result = subprocess.run([front_module.nginx_binary(), "-t", "-q", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                                capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 0, result.stderr


def test_a_failed_start_says_why_in_one_line_and_leaves_nothing_running(tmp_path, monkeypatch):
    require_nginx()
    # nginx fails once the replicas run (here: a broken config): they are stopped.
    with monkeypatch.context() as patch:
        patch.setattr(front_module, "render_config", lambda **_: "events {}\nhttp { no_such_directive on; }\n")
        f = Front(replicas=1, workdir=tmp_path / "broken")
        with pytest.raises(FrontError) as failure:
            f.start(timeout=60)
    message = str(failure.value)
    assert message.startswith("nginx exited with code 1") and "no_such_directive" in message and "\n" not in message, message
    assert f.replica_pids and f.nginx_pid and not any(alive(pid) for pid in [*f.replica_pids, f.nginx_pid])

    # A replica that cannot start (an invalid Streamlit option): its own error, and the other replica is stopped too.
    f = Front(replicas=2, env={"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "abc"}, workdir=tmp_path / "replica")
    with pytest.raises(FrontError, match=r"replica \d \(port \d+\) exited with code 2: Error: Invalid value") as failure:
        f.start(timeout=60)
    assert "\n" not in str(failure.value) and f.nginx_pid is None
    assert len(f.replica_pids) == 2 and not any(alive(pid) for pid in f.replica_pids)

    # A port in use, or no nginx: said before anything starts.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        f = Front(replicas=1, port=taken.getsockname()[1], workdir=tmp_path / "busy")
        with pytest.raises(FrontError, match="is in use"):
            f.start()
        assert f.replica_pids == []
    monkeypatch.setattr(front_module, "nginx_binary", lambda: None)
    with pytest.raises(FrontError, match="nginx is not installed: apt-get install"):
        Front(replicas=1, workdir=tmp_path / "none").start()


def test_the_command_line_names_its_options():
    for command in ([sys.executable, "cli.py", "serve", "--help"], ["bash", "scripts/serve.sh", "--help"]):
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
        assert result.returncode == 0, result.stderr
        assert "--replicas" in result.stdout and "--site" in result.stdout and "--port" in result.stdout


def test_stop_leaves_no_nginx_or_replica_running(front):
    """Last: stops the module's front."""
    pids = [*front.replica_pids, front.nginx_pid, *front.nginx_worker_pids()]
    assert len(pids) >= 4 and all(alive(pid) for pid in pids), pids
    front.stop()
    assert not [pid for pid in pids if alive(pid)]
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", front.port), timeout=2):
        pass
    front.stop()  # twice is harmless
