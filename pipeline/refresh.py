"""The refresh: fetch sources into a scratch copy of the data folder, build there, and promote only when all succeeded."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Callable

from data_sources import all_modules, by_id
from data_sources.base import DataSourceError
from pipeline import build

Progress = Callable[[str], None]


class RefreshFailed(Exception):
    """A refresh stopped before promoting: the message is the one line users see; nothing under data/ changed."""


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def modules_for(source_ids: list[str] | None) -> list[ModuleType]:
    return [by_id(s) for s in source_ids] if source_ids else all_modules()


def refresh(data_dir: Path, modules: list[ModuleType], progress: Progress = lambda _m: None) -> None:
    """Fetch into a copy of the data folder; the real one changes only when every fetch and the build succeed."""
    data_dir = Path(data_dir)
    with tempfile.TemporaryDirectory(prefix=".refresh-", dir=data_dir.parent) as scratch:
        work = Path(scratch) / "data"
        shutil.copytree(data_dir / "raw", work / "raw")
        if (data_dir / "manifest.json").exists():
            shutil.copy2(data_dir / "manifest.json", work / "manifest.json")
        for module in modules:
            progress(f"fetching {module.SOURCE.id}")
            try:
                module.fetch(work / "raw")
            except DataSourceError as exc:
                reason = one_line(exc)
                # Loader errors already start with the source id; say it once.
                raise RefreshFailed(reason if reason.startswith(f"{module.SOURCE.id}: ") else f"{module.SOURCE.id}: {reason}") from exc
        try:
            build.run(work, progress=progress)
        except DataSourceError as exc:
            raise RefreshFailed(f"build rejected the new data: {one_line(exc)}") from exc
        promote(work, data_dir)


def promote(work: Path, data_dir: Path) -> None:
    """Swap in the refreshed raw files, manifest and processed tables."""
    for path in sorted((work / "raw").rglob("*")):
        if path.is_file():
            target = data_dir / path.relative_to(work)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != path.read_bytes():
                shutil.copy2(path, target.with_name(target.name + ".part"))
                (target.with_name(target.name + ".part")).replace(target)
    staging = data_dir / ".processed-new"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(work / "processed", staging)
    shutil.copy2(work / "manifest.json", data_dir / "manifest.json.part")
    (data_dir / "manifest.json.part").replace(data_dir / "manifest.json")
    build.switch_in(staging, data_dir / "processed")
