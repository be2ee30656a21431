"""The production front: nginx in front of N Streamlit replicas, run in the foreground by one command.

    bash scripts/serve.sh --replicas 2          (or `atlas serve`, `python cli.py serve`)

    with Front(replicas=2) as front:            (from Python: the benchmark and tests/test_front.py)
        front.url, front.replica_ports, front.replica_pids, front.nginx_pid

Each replica is `python -m streamlit run app.py` on its own free port of 127.0.0.1. nginx (Debian's, started by this
module as a foreground process with a config generated from nginx.conf.j2 into a run folder) listens on the public port
and sends every browser to one replica by a cookie (Streamlit keeps a session and its downloads in one process), passes
the websocket through, and serves Streamlit's hashed front-end bundle itself, compressed once per Streamlit version
(gzip -9 and brotli) so no CPU is spent per request. Nothing is written outside the run folder and the cache folder.
"""
from __future__ import annotations

import gzip
import importlib.metadata
import importlib.util
import json
import multiprocessing
import os
import pwd
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import settings

ROOT = settings.PROJECT_ROOT
SERVING_DIR = Path(__file__).resolve().parent
TEMPLATE = "nginx.conf.j2"
RUN_DIR = ROOT / "run"  # git-ignored
DEFAULT_WORKDIR = RUN_DIR / "front"
DEFAULT_CACHE = RUN_DIR / "precompressed"
DEFAULT_PORT = 8080
HEALTH = "/_stcore/health"
NGINX_MODULES = Path("/usr/lib/nginx/modules")
BROTLI_FILTER = NGINX_MODULES / "ngx_http_brotli_filter_module.so"
BROTLI_STATIC = NGINX_MODULES / "ngx_http_brotli_static_module.so"
NGINX_INSTALL = "apt-get install -y nginx libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static"
# Brotli quality for the one-off precompression. Measured on Streamlit 1.67's bundle (23.1 MB of text, 2 cores, with
# gzip -9 too): quality 9 takes 5.5 s, 10 takes 18.5 s, 11 takes 42 s, for 6.16, 5.76 and 5.66 MB: 10 has nearly all of
# 11's gain in under half its time.
BROTLI_QUALITY = 10
GZIP_LEVEL = 9
# Text is worth compressing; woff2, png and gif already are compressed.
COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".json", ".map", ".svg", ".txt", ".xml", ".ttf", ".otf", ".eot", ".wasm"}
TEXT = COMPRESSIBLE - {".ttf", ".otf", ".eot", ".wasm"}
STOP_WAIT = 10.0


class FrontError(RuntimeError):
    """The front could not start (nginx missing, a replica or nginx failed): one line, for the command line."""


# --- what is installed -------------------------------------------------------------------------------------------


def nginx_binary() -> str | None:
    """Debian's nginx (/usr/sbin is not on every user's PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def brotli_modules() -> dict[str, Path]:
    """The brotli modules of Debian's libnginx-mod-http-brotli-* that are present: 'filter' (on-the-fly), 'static'."""
    return {name: path for name, path in (("filter", BROTLI_FILTER), ("static", BROTLI_STATIC)) if path.is_file()}


def streamlit_static() -> Path:
    """The installed Streamlit's static folder (index.html and static/js, static/css, static/media): the same folder as
    Path(streamlit.__file__).parent / "static", found without importing streamlit into the front's process."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or not spec.origin:
        raise FrontError("streamlit is not installed in this Python: run bash scripts/serve.sh (it installs requirements.txt)")
    return Path(spec.origin).resolve().parent / "static"


def streamlit_version() -> str:
    return importlib.metadata.version("streamlit")


def default_replicas() -> int:
    """One replica per CPU core this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def port_is_free(address: str, port: int) -> bool:
    """Whether nginx could listen there (it sets SO_REUSEADDR too, so a closed connection's TIME_WAIT does not count)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def free_port(address: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((address, 0))
        return s.getsockname()[1]


# --- precompression of Streamlit's bundle --------------------------------------------------------------------------


@dataclass
class Precompressed:
    """Streamlit's static/ copied into folder/static with a .gz and .br beside each text file that they make smaller."""

    folder: Path
    version: str
    built: bool  # False: found in the cache
    seconds: float  # the time the build took (when it was built, even if found now)
    brotli: bool
    totals: dict[str, dict[str, int]] = field(default_factory=dict)  # {".js": {"files", "raw", "gz", "br"}, ...}

    @property
    def static(self) -> Path:
        return self.folder / "static"


def _compress_one(job: tuple[str, str, int]) -> tuple[str, int, int, int]:
    """Copy one file and write its .gz (and .br where brotli is installed) when smaller: (suffix, raw, gz, br) bytes,
    the compressed sizes being what is served (raw where no smaller file was kept)."""
    source, target, quality = job
    src, dst = Path(source), Path(target)
    data = src.read_bytes()
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    suffix = src.suffix.lower()
    raw = gz = br = len(data)
    if suffix in COMPRESSIBLE and len(data) >= 256:
        stat = src.stat()
        packed = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
        if len(packed) < len(data):
            (gz_path := dst.with_name(dst.name + ".gz")).write_bytes(packed)
            os.utime(gz_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            gz = len(packed)
        try:
            import brotli
        except ImportError:
            brotli = None
        if brotli is not None:
            mode = brotli.MODE_TEXT if suffix in TEXT else brotli.MODE_GENERIC
            packed = brotli.compress(data, quality=quality, mode=mode)
            if len(packed) < len(data):
                (br_path := dst.with_name(dst.name + ".br")).write_bytes(packed)
                os.utime(br_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
                br = len(packed)
    return suffix, raw, gz, br


def _has_brotli() -> bool:
    return importlib.util.find_spec("brotli") is not None


def precompress(cache_root: Path = DEFAULT_CACHE, *, source: Path | None = None, workers: int | None = None, quality: int = BROTLI_QUALITY) -> Precompressed:
    """Streamlit's bundle, compressed once per Streamlit version into cache_root/streamlit-<version>/static (done when
    missing, or when it was built without brotli and brotli is now installed). The work is done by a fresh process
    (`python -m serving.front precompress ...`) with a fork pool of os.cpu_count() workers, whatever threads or
    __main__ the caller has."""
    source = source or streamlit_static()
    folder = Path(cache_root) / f"streamlit-{streamlit_version()}"
    found = _cached(folder)
    if found:
        return found
    command = [sys.executable, "-m", "serving.front", "precompress", str(cache_root), str(source), str(workers or os.cpu_count() or 1), str(quality)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    found = _cached(folder)
    if done.returncode != 0 or not found:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise FrontError(f"precompressing Streamlit's bundle into {folder} failed: {lines[-1] if lines else f'exit code {done.returncode}'}")
    found.built = True
    return found


def _cached(folder: Path) -> Precompressed | None:
    summary = folder / "precompressed.json"
    if not summary.exists():
        return None
    info = json.loads(summary.read_text(encoding="utf-8"))
    if not info.get("brotli") and _has_brotli():
        return None  # built before brotli was installed: build again, with .br files
    return Precompressed(folder, info["streamlit"], False, info["seconds"], info["brotli"], info["totals"])


def _build(cache_root: Path, source: Path, workers: int, quality: int) -> Precompressed:
    """Copy source/static to cache_root/streamlit-<version>/static with a .gz and .br beside each text file. Built
    beside and renamed into place, so a half-written cache is never served and two fronts starting at once do not
    collide."""
    version = streamlit_version()
    folder = Path(cache_root) / f"streamlit-{version}"
    want_brotli = _has_brotli()
    started = time.perf_counter()
    staging = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    bundle = source / "static"
    files = sorted((p for p in bundle.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size, reverse=True)
    jobs = [(str(p), str(staging / "static" / p.relative_to(bundle)), quality) for p in files]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_compress_one, jobs, chunksize=1))
    totals: dict[str, dict[str, int]] = {}
    for suffix, raw, gz, br in results:
        t = totals.setdefault(suffix or "(none)", {"files": 0, "raw": 0, "gz": 0, "br": 0})
        t["files"] += 1
        t["raw"] += raw
        t["gz"] += gz
        t["br"] += br
    seconds = time.perf_counter() - started
    info = {"streamlit": version, "source": str(source), "seconds": round(seconds, 2), "workers": workers, "brotli": want_brotli,
            "brotli_quality": quality, "gzip_level": GZIP_LEVEL, "totals": totals}
    (staging / "precompressed.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    if folder.exists():  # an older build without brotli, or another front's build finished first
        shutil.rmtree(folder, ignore_errors=True)
    try:
        staging.rename(folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another front put its build in place meanwhile: use that one
    return Precompressed(folder, version, True, seconds, want_brotli, totals)


# --- the nginx config ----------------------------------------------------------------------------------------------


def _quote(value, tail: str = "") -> str:
    """A path or value as an nginx string, with `tail` (trusted template text, e.g. "/$1") appended. A '$' in the value
    would be read as a variable (root and alias take variables), so values with one are refused."""
    text = str(value)
    if any(c in text for c in '"$\\\n\r'):
        raise FrontError(f"cannot serve from {text!r}: nginx paths must not contain quotes, '$', backslashes or newlines")
    return f'"{text}{tail}"'


def _listen(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def render_config(
    *,
    prefix: Path,
    ports: list[int],
    listen: str,
    streamlit_root: Path,
    app_static: Path = settings.STATIC_DIR,
    site_dir: Path | None = None,
    modules: dict[str, Path] | None = None,
) -> str:
    """The nginx config for these replicas (nginx.conf.j2). modules: the brotli modules to load (default: those present)."""
    import jinja2

    modules = brotli_modules() if modules is None else modules
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(SERVING_DIR), undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False)
    env.filters["q"] = _quote
    env.filters["rstrip"] = str.rstrip  # a macro's output without its last newline
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = 16384 if hard == resource.RLIM_INFINITY else min(hard, 16384)
    return env.get_template(TEMPLATE).render(
        modules=[str(modules[k]) for k in ("filter", "static") if k in modules],
        brotli_filter="filter" in modules,
        brotli_static="static" in modules,
        user=pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else None,
        rlimit_nofile=limit,
        worker_connections=max(512, limit // 2),
        prefix=str(prefix),
        ports=ports,
        listen=listen,
        streamlit_root=str(streamlit_root),
        app_static=str(Path(app_static).resolve()),
        site_dir=str(Path(site_dir).resolve()) if site_dir else None,
    )


# --- the processes -------------------------------------------------------------------------------------------------


def _libc_prctl():
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Looked up here, in the parent: between fork and exec the child only calls it (no import, no lock to wait for), which
# keeps preexec_fn safe when the caller runs threads.
_PRCTL = _libc_prctl()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the front's process dies, even by SIGKILL, so no replica is orphaned.
    (Strictly when the thread that started it ends: start a Front from a thread that lives as long as the front.)"""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def _answers(url: str, timeout: float = 2.0) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an http_proxy of the environment
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _log_line(path: Path, wanted: tuple[str, ...] = (), first: bool = False) -> str:
    """The last line of a log (the first when `first`) holding one of `wanted`; the last line when none does."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    for line in lines if first else reversed(lines):
        if not wanted or any(w in line for w in wanted):
            return line
    return lines[-1] if lines else ""


def _alive(proc: subprocess.Popen | None) -> bool:
    return proc is not None and proc.poll() is None


class Front:
    """nginx on `port` in front of `replicas` Streamlit processes. A context manager: `with Front(2) as f: f.url`.

    replicas: Streamlit processes, each on a free port of 127.0.0.1 (default: one per CPU core).
    port: nginx's port (None: a free one). address: where nginx listens ("0.0.0.0" for the network).
    site_dir: a folder written by `python cli.py site DIR`, served under /site/.
    env: extra environment variables for the replicas (e.g. ATLAS_DATA_DIR).
    workdir: the run folder for the generated config, pid, logs and nginx's temporary files (default run/front/).
    cache_dir: where Streamlit's bundle is precompressed, once per version (default run/precompressed/).
    """

    def __init__(
        self,
        replicas: int | None = 2,
        port: int | None = None,
        address: str = "127.0.0.1",
        site_dir: Path | str | None = None,
        env: dict[str, str] | None = None,
        workdir: Path | str | None = None,
        cache_dir: Path | str | None = None,
    ):
        self.replicas = default_replicas() if replicas is None else int(replicas)
        if self.replicas < 1:
            raise FrontError("--replicas must be at least 1")
        self.port = port
        self.address = address
        self.site_dir = Path(site_dir).resolve() if site_dir else None
        self.env = dict(env or {})
        self.workdir = Path(workdir or DEFAULT_WORKDIR).resolve()
        self.cache_dir = Path(cache_dir or DEFAULT_CACHE).resolve()
        self.replica_ports: list[int] = []
        self.precompressed: Precompressed | None = None
        self.config_path = self.workdir / "nginx.conf"
        self._replicas: list[subprocess.Popen] = []
        self._nginx: subprocess.Popen | None = None
        self._logs: list = []
        self._started = False

    # -- what the caller reads

    @property
    def url(self) -> str:
        """Where to reach the front from this machine."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(self.address, f"[{self.address}]" if ":" in self.address else self.address)
        return f"http://{host}:{self.port}"

    @property
    def replica_pids(self) -> list[int]:
        return [p.pid for p in self._replicas]

    @property
    def nginx_pid(self) -> int | None:
        return self._nginx.pid if self._nginx else None

    def nginx_worker_pids(self) -> list[int]:
        """nginx's worker processes (children of its master), from /proc."""
        if not _alive(self._nginx):
            return []
        pid = self._nginx.pid
        try:
            return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    # -- start and stop

    def __enter__(self) -> Self:
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 120.0) -> Self:
        """Start the replicas, precompress Streamlit's bundle if not yet done, start nginx, and return once nginx and every
        replica answer /_stcore/health (within `timeout` seconds of the precompression's end). On any failure every
        process started is stopped and FrontError says why in one line."""
        if self._started:
            return self
        nginx = nginx_binary()
        if nginx is None:
            raise FrontError(f"nginx is not installed: {NGINX_INSTALL} (bash scripts/serve.sh installs it)")
        if not (ROOT / "app.py").exists():
            raise FrontError(f"no app.py in {ROOT}")
        self._started = True
        self.replica_ports, self._replicas, self._nginx = [], [], None
        try:
            self.workdir.mkdir(parents=True, exist_ok=True)
            (self.workdir / "temp").mkdir(exist_ok=True)
            if self.site_dir and not (self.site_dir / "index.html").exists():
                raise FrontError(f"--site {self.site_dir}: no index.html there; write the site with `python cli.py site {self.site_dir}`")
            if self.port is None:
                self.port = free_port(self.address if self.address not in ("", "0.0.0.0", "::") else "127.0.0.1")
            elif not port_is_free(self.address or "0.0.0.0", self.port):
                raise FrontError(f"port {self.port} on {self.address or '0.0.0.0'} is in use (another front? choose one with --port)")
            self._start_replicas()
            # While the replicas import Streamlit and the app: compress the bundle (only the first time per version).
            self.precompressed = precompress(self.cache_dir)
            self.config_path.write_text(
                render_config(prefix=self.workdir, ports=self.replica_ports, listen=_listen(self.address, self.port),
                              streamlit_root=self.precompressed.folder, site_dir=self.site_dir),
                encoding="utf-8",
            )
            # nginx only once every replica answers: it would count the refused connections of a replica still
            # starting as failures.
            deadline = time.monotonic() + timeout
            self._wait_healthy({f"http://127.0.0.1:{p}{HEALTH}" for p in self.replica_ports}, deadline, timeout)
            self._start_nginx(nginx)
            self._wait_healthy({f"{self.url}{HEALTH}"}, deadline, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_replicas(self) -> None:
        python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {
            **os.environ,
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            # In production no replica watches the source tree (a changed file would only offer a rerun).
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
            # One secret for all replicas, so a cookie Streamlit signs (XSRF token) holds on any of them.
            "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32),
            **self.env,
            "PYTHONPATH": self.env.get("PYTHONPATH", python_path),
        }
        for i in range(self.replicas):
            port = free_port("127.0.0.1")
            while port in self.replica_ports or port == self.port:
                port = free_port("127.0.0.1")
            log = open(self.workdir / f"replica-{i + 1}.log", "wb")  # noqa: SIM115 (open while the replica runs; closed by stop())
            self._logs.append(log)
            command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
                       "--server.headless", "true", "--browser.gatherUsageStats", "false"]
            self._replicas.append(subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                                   start_new_session=True, preexec_fn=_die_with_parent))  # noqa: PLW1509 (see _die_with_parent)
            self.replica_ports.append(port)

    def _start_nginx(self, nginx: str) -> None:
        log = open(self.workdir / "nginx.stderr.log", "wb")  # noqa: SIM115 (open while nginx runs; closed by stop())
        self._logs.append(log)
        command = [nginx, "-p", str(self.workdir), "-c", str(self.config_path), "-e", str(self.workdir / "error.log")]
        self._nginx = subprocess.Popen(command, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True, preexec_fn=_die_with_parent)  # noqa: PLW1509 (see _die_with_parent)

    def _failure(self) -> str | None:
        """A one-line reason when a started process has exited, else None."""
        if self._nginx is not None and self._nginx.poll() is not None:
            # The first error says why (nginx retries a busy port, then adds "still could not bind()").
            why = _log_line(self.workdir / "nginx.stderr.log", ("[emerg]", "[alert]", "[crit]"), first=True)
            return f"nginx exited with code {self._nginx.returncode}: {why or 'see ' + str(self.workdir / 'error.log')}"
        for i, proc in enumerate(self._replicas):
            if proc.poll() is not None:
                log = self.workdir / f"replica-{i + 1}.log"
                return f"replica {i + 1} (port {self.replica_ports[i]}) exited with code {proc.returncode}: {_log_line(log) or 'no output'} (log: {log})"
        return None

    def _wait_healthy(self, pending: set[str], deadline: float, timeout: float) -> None:
        while pending:
            failure = self._failure()
            if failure:
                raise FrontError(failure)
            pending = {url for url in pending if not _answers(url)}
            if not pending:
                return
            if time.monotonic() > deadline:
                raise FrontError(f"no answer from {', '.join(sorted(pending))} within {timeout:.0f} s (logs in {self.workdir})")
            time.sleep(0.25)

    def wait(self, poll: float = 0.5) -> str:
        """Block until one of the front's processes exits; return why (for the foreground command)."""
        while True:
            failure = self._failure()
            if failure:
                return failure
            time.sleep(poll)

    def stop(self) -> None:
        """Stop nginx (SIGTERM: its workers too), then every replica; SIGKILL whatever is left after STOP_WAIT seconds.
        Safe to call twice."""
        procs = [p for p in (self._nginx, *self._replicas) if p is not None]
        for proc in procs:
            if proc.poll() is None:
                try:
                    proc.terminate()
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_WAIT
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    proc.kill()
                proc.wait()
        for log in self._logs:
            log.close()
        self._logs = []
        self._started = False


# --- the foreground command ----------------------------------------------------------------------------------------


class _Stopped(Exception):
    pass


def _on_signal(signum, frame):
    raise _Stopped(signal.Signals(signum).name)


def serve(replicas: int | None = None, port: int = DEFAULT_PORT, address: str = "127.0.0.1", site_dir: Path | None = None,
          env: dict[str, str] | None = None, workdir: Path | None = None) -> int:
    """Run the front in the foreground until Ctrl-C or SIGTERM, then stop everything it started. 0 on a requested
    stop, 1 when it could not start or a process died."""
    try:
        front = Front(replicas=replicas, port=port, address=address, site_dir=site_dir, env=env, workdir=workdir)
    except FrontError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"starting nginx and {front.replicas} Streamlit replica(s) ...", file=sys.stderr, flush=True)
        front.start()
        pre = front.precompressed
        js = pre.totals.get(".js", {})
        compressed = f"compressed in {pre.seconds:.0f} s" if pre.built else f"found precompressed in {pre.folder} (built in {pre.seconds:.0f} s)"
        print(f"Streamlit {pre.version} bundle {compressed}: js {js.get('raw', 0) / 1e6:.1f} MB -> br {js.get('br', 0) / 1e6:.1f} MB, "
              f"gzip {js.get('gz', 0) / 1e6:.1f} MB", file=sys.stderr)
        site = f", the static site at {front.url}/site/" if front.site_dir else ""
        print(f"serving {front.url}/ (listening on {_listen(address, front.port)}) -> replicas on 127.0.0.1:{', '.join(map(str, front.replica_ports))}"
              f"{site}; logs in {front.workdir}; Ctrl-C stops", flush=True)
        why = front.wait()
        print(f"error: {why}", file=sys.stderr)
        return 1
    except _Stopped as stop:
        print(f"{stop.args[0]}: stopping", file=sys.stderr)
        return 0
    except FrontError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        for s in previous:
            signal.signal(s, signal.SIG_IGN)  # let the stop finish
        front.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)


if __name__ == "__main__":
    # python -m serving.front precompress CACHE_ROOT SOURCE WORKERS QUALITY (run by precompress(), in a fresh process)
    if len(sys.argv) == 6 and sys.argv[1] == "precompress":
        built = _build(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        print(f"{built.folder}: {built.seconds:.1f} s")
    else:
        raise SystemExit("usage: python -m serving.front precompress CACHE_ROOT SOURCE WORKERS QUALITY (to serve: python cli.py serve)")
