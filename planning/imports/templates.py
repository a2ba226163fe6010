"""Import templates: the canonical format of each kind with German headers and an example row."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from planning.imports.formats import KindSpec, get_kind


def template_csv(kind: str) -> bytes:
    """CSV (UTF-8 with BOM so Excel shows umlauts, ``;`` as German Excel expects) with one example row."""
    spec = get_kind(kind)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(spec.field_names)
    w.writerow([f.example for f in spec.fields])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """XLSX with the header, an example row (ID columns formatted as text) and a help sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    spec = get_kind(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = spec.kind
    ws.append(list(spec.field_names))
    ws.append([_cell(f.type, f.example) for f in spec.fields])
    for col, f in enumerate(spec.fields, start=1):
        ws.cell(1, col).font = Font(bold=True)
        ws.column_dimensions[ws.cell(1, col).column_letter].width = max(12, len(f.name) + 4)
        if f.type in ("id", "text", "schuljahr", "age"):
            for row in range(2, 1001):
                ws.cell(row, col).number_format = "@"  # keep leading zeros
    help_ws = wb.create_sheet("Erläuterung")
    help_ws.append(["Feld", "Pflicht", "Bedeutung"])
    for f in spec.fields:
        help_ws.append([f.name, "ja" if f.required else "nein", f.help_de])
    help_ws.column_dimensions["C"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_geojson(kind: str) -> bytes:
    spec = get_kind(kind)
    feature = {
        "type": "Feature",
        "properties": {f.name: f.example for f in spec.fields},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[9.40, 54.78], [9.44, 54.78], [9.44, 54.80], [9.40, 54.80], [9.40, 54.78]]],
        },
    }
    return json.dumps(
        {"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False, indent=1
    ).encode()


def _cell(ftype: str, example: str) -> object:
    if ftype in ("int", "year") and example.isdigit():
        return int(example)
    return example


def write_template(kind: str, out: Path) -> Path:
    """Write the template in the format the file name asks for (.csv, .xlsx, .geojson)."""
    spec: KindSpec = get_kind(kind)
    suffix = out.suffix.lower()
    if spec.geometry:
        if suffix not in (".geojson", ".json"):
            raise ValueError("Die Vorlage für Gebiete ist eine GeoJSON-Datei (.geojson).")
        out.write_bytes(template_geojson(kind))
    elif suffix == ".xlsx":
        out.write_bytes(template_xlsx(kind))
    elif suffix == ".csv":
        out.write_bytes(template_csv(kind))
    else:
        raise ValueError(f"Unbekanntes Vorlagenformat „{suffix}“: bitte .csv oder .xlsx.")
    return out
