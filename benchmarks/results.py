"""One measure of the benchmark, its target, and the Markdown report of a run."""
from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None  # None: reported, no target
    note: str = ""


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor()) if os.path.exists("/proc/cpuinfo") else platform.processor()
    memory = next((int(line.split()[1]) // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0) if os.path.exists("/proc/meminfo") else 0
    return f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:,} MB RAM, Python {platform.python_version()}, {platform.platform()}"


def report(results: list[Result], *, title: str, preamble: str = "") -> str:
    lines = [f"# {title} ({time.strftime('%Y-%m-%d %H:%M %Z')})", "", f"Machine: {machine()}", ""]
    if preamble:
        lines += [preamble, ""]
    lines += ["| measure | value | target | pass | note |", "|---|---|---|---|---|"]
    for r in results:
        verdict = "" if r.ok is None else ("yes" if r.ok else "**NO**")
        value = f"{r.value:,.3f}" if abs(r.value) < 100 else f"{r.value:,.0f}"
        lines.append(f"| {r.name} | {value} {r.unit} | {r.target} | {verdict} | {r.note} |")
    return "\n".join(lines) + "\n"
