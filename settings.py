"""One place for run-time settings: each has a name, a default and help, read from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent
# The folder Streamlit serves at /app/static (enableStaticServing): the favicon and the published national ward layer.
STATIC_DIR = PROJECT_ROOT / "static"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def value(self) -> str:
        return os.environ.get(self.name, self.default)


SETTINGS = {
    s.name: s
    for s in (
        Setting("ATLAS_DATA_DIR", str(PROJECT_ROOT / "data"), "Folder holding raw/, processed/ and manifest.json."),
        Setting("ATLAS_HTTP_CONNECT_TIMEOUT", "10", "Seconds to wait for a server to accept a connection."),
        Setting("ATLAS_HTTP_READ_TIMEOUT", "60", "Seconds to wait between bytes of a response."),
        Setting("ATLAS_HTTP_RETRIES", "3", "Retries (with exponential backoff) for failed or 5xx requests."),
        Setting("ATLAS_HTTP_BACKOFF", "1.0", "Backoff factor in seconds between retries."),
        Setting("ATLAS_USER_AGENT", "CohesionAtlas/0.1 (+https://github.com/cohesion-atlas)", "User-Agent sent to publishers."),
    )
}


def get(name: str) -> str:
    return SETTINGS[name].value()


def data_dir() -> Path:
    return Path(get("ATLAS_DATA_DIR"))


def raw_dir() -> Path:
    return data_dir() / "raw"


def processed_dir() -> Path:
    return data_dir() / "processed"


def manifest_path() -> Path:
    return data_dir() / "manifest.json"
