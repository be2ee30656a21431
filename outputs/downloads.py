"""App downloads without Streamlit: CSV (Excel-friendly), XLSX with a metadata sheet, GeoJSON of a selection; formula-safe, with source and licence."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import numpy as np
import pandas as pd

from outputs.export import FORMULA_PREFIXES, neutralise_formulae, safe_filename

ATTRIBUTION = "Cohesion Atlas, built from official statistics; see the metadata for each source and its licence."


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Formula-looking text cells (and column names) quoted; numbers stay numbers (indicators.export does the cells)."""
    out = neutralise_formulae(frame)
    out.columns = [("'" + c if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c) for c in out.columns]
    return out


def download_name(stem: str, extension: str, today: date | None = None) -> str:
    """'cohesion-atlas_<stem>_<date>.<ext>': the stem made safe by indicators.export.safe_filename (no dots, so never a path)."""
    cleaned = safe_filename(str(stem).replace(".", "-"), default="export")[:60]
    ext = re.sub(r"[^a-z0-9]", "", extension.lower()) or "dat"
    return f"cohesion-atlas_{cleaned}_{(today or date.today()).isoformat()}.{ext}"


def selection_metadata(indicator_ids, catalogue: pd.DataFrame, sources: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(definitions, sources) for the indicators in an export."""
    ids = list(dict.fromkeys(indicator_ids))
    definitions = catalogue[catalogue["indicator_id"].isin(ids)][
        ["indicator_id", "title", "description", "factor", "factor_name", "polarity", "unit", "source_id", "periods", "countries", "proxy", "derivation", "caveats"]
    ].reset_index(drop=True)
    source_ids = sorted({s.strip() for row in definitions["source_id"] for s in row.split(",") if s.strip()})
    used = sources[sources["source_id"].isin(source_ids)][
        ["source_id", "title", "publisher", "licence", "licence_url", "landing_page", "published", "vintage", "retrieved", "caveats"]
    ].reset_index(drop=True)
    return definitions, used


def with_provenance(rows: pd.DataFrame, catalogue: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Add source and licence columns to each row, so a lone CSV still says where every number comes from."""
    licence_by_source = dict(zip(sources["source_id"], sources["licence"]))
    src = dict(zip(catalogue["indicator_id"], catalogue["source_id"]))

    def licences(ids: str) -> str:
        return "; ".join(dict.fromkeys(licence_by_source.get(s.strip(), "") for s in ids.split(",") if s.strip()))

    out = rows.copy()
    out["source_id"] = out["indicator_id"].map(src).fillna("")
    out["licence"] = out["source_id"].map(licences)
    return out


def to_csv_bytes(rows: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens accents (Welsh names, £) correctly."""
    return neutralise(rows).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(rows: pd.DataFrame, definitions: pd.DataFrame, used_sources: pd.DataFrame, *, title: str = "Cohesion Atlas export") -> bytes:
    """Sheets: data, metadata (definitions, then sources with licences and retrieved dates)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as writer:
        neutralise(rows).to_excel(writer, sheet_name="data", index=False)
        meta = writer.book.add_worksheet("metadata")
        bold = writer.book.add_format({"bold": True})
        r = 0
        meta.write_string(r, 0, title, bold)
        r += 1
        meta.write_string(r, 0, ATTRIBUTION)
        r += 2
        for heading, table in (("Indicator definitions", definitions), ("Sources, licences and retrieved dates", used_sources)):
            meta.write_string(r, 0, heading, bold)
            r += 1
            safe = neutralise(table)
            for c, column in enumerate(safe.columns):
                meta.write_string(r, c, str(column), bold)
            r += 1
            for record in safe.itertuples(index=False):
                for c, value in enumerate(record):
                    if isinstance(value, (bool, np.bool_)):
                        meta.write_boolean(r, c, bool(value))
                    elif isinstance(value, (int, float, np.integer, np.floating)) and np.isfinite(value):
                        meta.write_number(r, c, float(value))
                    elif value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
                        meta.write_blank(r, c, None)
                    else:
                        meta.write_string(r, c, str(value))
                r += 1
            r += 1
    return buffer.getvalue()


def to_geojson_bytes(rows: pd.DataFrame, geometries: dict[str, dict], definitions: pd.DataFrame, used_sources: pd.DataFrame) -> bytes:
    """One feature per area; properties hold each indicator/period value as '<indicator_id>|<period>'. Metadata as a foreign member."""
    features = []
    wide = rows.assign(key=rows["indicator_id"] + "|" + rows["period"].astype(str))
    for code, block in wide.groupby("area_code", sort=True):
        geometry = geometries.get(code)
        if geometry is None:
            continue
        first = block.iloc[0]
        props = {"area_code": code}
        for name in ("area_name", "level"):
            if name in block.columns:
                props[name] = first[name]
        for key, value in zip(block["key"], block["value"]):
            props[key] = None if value is None or not np.isfinite(value) else float(value)
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    collection = {
        "type": "FeatureCollection",
        "metadata": {
            "attribution": ATTRIBUTION,
            "definitions": json.loads(definitions.to_json(orient="records")),
            "sources": json.loads(used_sources.to_json(orient="records")),
        },
        "features": features,
    }
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False, default=_plain).encode("utf-8")


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def geojson_long(rows: pd.DataFrame) -> pd.DataFrame:
    """Indicator values pass through; factor scores become 'score_<factor>_<method>' keys with their score as value."""
    if "indicator_id" in rows.columns:
        return rows
    out = rows.copy()
    out["indicator_id"] = "score_" + out["factor"].astype(str) + "_" + out["method"].astype(str)
    out["value"] = out["score"]
    return out
