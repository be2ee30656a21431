"""App downloads without Streamlit: CSV (Excel-friendly), XLSX with a metadata sheet, GeoJSON of a selection; formula-safe, with source and licence."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import numpy as np
import pandas as pd

from outputs.export import CSV_FLOAT_FORMAT, FORMULA_PREFIXES, neutralise_formulae, plain_numbers, safe_filename

ATTRIBUTION = "Cohesion Atlas, built from official statistics; see the metadata for each source and its licence."

# GeoJSON provenance sits on every feature: geopandas and QGIS drop a collection's foreign members, and read a flat
# property as a column. A value's key is '<indicator_id>|<period>'; its derivation (which differs by area and period)
# is '<indicator_id>|<period>|derivation'; the source and licence, one per indicator, are '<indicator_id>|source_id'
# and '<indicator_id>|licence'.
AREA_PROPERTIES = ("area_name", "area_name_welsh", "local_authority", "level")
INDICATOR_PROVENANCE = ("source_id", "licence")
VALUE_PROVENANCE = ("derivation",)


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
    """UTF-8 with a byte-order mark, so Excel opens accents (Welsh names, £) correctly; numbers as export.plain_numbers."""
    return neutralise(plain_numbers(rows)).to_csv(index=False, lineterminator="\r\n", float_format=CSV_FLOAT_FORMAT).encode("utf-8-sig")


def to_xlsx_bytes(rows: pd.DataFrame, definitions: pd.DataFrame, used_sources: pd.DataFrame, *, title: str = "Cohesion Atlas export") -> bytes:
    """Sheets: data, metadata (definitions, then sources with licences and retrieved dates)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as writer:
        neutralise(plain_numbers(rows)).to_excel(writer, sheet_name="data", index=False)
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


def geojson_properties(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per area (indexed by area_code): its names, then per indicator its source and licence, and per value the
    value and its derivation (AREA_PROPERTIES, INDICATOR_PROVENANCE, VALUE_PROVENANCE); empty text as missing."""
    keyed = rows.assign(key=rows["indicator_id"] + "|" + rows["period"].astype(str), value=plain_numbers(rows[["value"]])["value"])
    keyed = keyed.drop_duplicates(["area_code", "key"], keep="last")
    area = keyed.groupby("area_code")[[c for c in AREA_PROPERTIES if c in keyed]].first()
    parts = [area, keyed.pivot(index="area_code", columns="key", values="value")]
    per_indicator = keyed.drop_duplicates(["area_code", "indicator_id"])
    parts += [per_indicator.pivot(index="area_code", columns="indicator_id", values=f).add_suffix(f"|{f}") for f in INDICATOR_PROVENANCE if f in keyed]
    parts += [keyed.pivot(index="area_code", columns="key", values=f).add_suffix(f"|{f}") for f in VALUE_PROVENANCE if f in keyed]
    # Each indicator's columns together, as a GIS lists them: its source and licence, then each period's value and derivation.
    order = list(area.columns)
    for indicator, keys in keyed.groupby("indicator_id", sort=False)["key"]:
        order += [f"{indicator}|{f}" for f in INDICATOR_PROVENANCE if f in keyed]
        order += [c for key in keys.unique() for c in (key, *(f"{key}|{f}" for f in VALUE_PROVENANCE if f in keyed))]
    properties = pd.concat(parts, axis=1)[order]
    return properties.mask(properties.eq(""))


def to_geojson_bytes(rows: pd.DataFrame, geometries: dict[str, dict], definitions: pd.DataFrame, used_sources: pd.DataFrame, *, boundaries: str = "") -> bytes:
    """One feature per area with its names and, for each value, its source, licence and derivation (geojson_properties);
    the definitions and sources also as a foreign member, for readers of the raw JSON."""
    properties = geojson_properties(rows)
    records = properties.astype(object).where(properties.notna(), None).to_dict("records")
    # A feature leaves out what it has no value for (an England-only indicator in Wales, an English area's Welsh
    # name): geopandas and QGIS read the union of the features' properties, with the gaps as missing.
    features = [
        {"type": "Feature", "properties": {"area_code": code, **{k: v for k, v in props.items() if v is not None}}, "geometry": geometries[code]}
        for code, props in zip(properties.index, records)
        if code in geometries
    ]
    collection = {
        "type": "FeatureCollection",
        "metadata": {
            "attribution": ATTRIBUTION,
            # The geometries' own notice (ONS boundaries, which contain OS data): their licence asks that it travel with them.
            "boundaries": boundaries,
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
    """Indicator values pass through; factor scores become 'score_<factor>_<method>' keys with their score as value, and
    as derivation their method, scope and (where the rows have it) evidence strength."""
    if "indicator_id" in rows.columns:
        return rows
    out = rows.copy()
    out["indicator_id"] = "score_" + out["factor"].astype(str) + "_" + out["method"].astype(str)
    out["value"] = out["score"]
    derivation = out["method"].astype(str) + " score, scope " + out["scope"].astype(str)
    out["derivation"] = derivation + (": " + out["evidence"].astype(str) if "evidence" in out else "")
    return out
