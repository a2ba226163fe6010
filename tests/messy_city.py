"""A "messy city": files as a city publishes them, written into a folder by the tests that use them.

Four Stadtteile (0101, 0102 in Stadtbezirk 01; 0201, 0202 in 02), 1 km squares in EPSG:25832. Used by
tests/unit/test_messy_city.py (command line) and tests/e2e/test_messy_city.py (Daten › Import in Chromium).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box

# Stadtteile 0101, 0102 (Bezirk 01), 0201, 0202 (Bezirk 02): 1 km squares in EPSG:25832
SQUARES = {"0101": (0, 0), "0102": (1, 0), "0201": (0, 1), "0202": (1, 1)}
X0, Y0 = 560000, 5700000
BANDS = ["unter 3", "3 bis u. 6", "6 - unter 10", "10 bis 64 Jahre", "65 u. älter"]
POP_2012 = {
    "0101": [120, 135, 160, 2301, 640],
    "0102": [80, 71, 95, 1420, 390],
    "0201": [210, 198, 240, 3105, 512],
    "0202": [15, 22, 30, 870, 1204],
}


def centre(gid: str) -> tuple[float, float]:
    i, j = SQUARES[gid]
    return X0 + 1000 * i + 500, Y0 + 1000 * j + 500


def areas(tmp: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {"STT_ID": list(SQUARES), "STT_NAME": ["Altstadt", "Hafen", "Ost", "Heide"]},
        geometry=[
            box(X0 + 1000 * i, Y0 + 1000 * j, X0 + 1000 * i + 1000, Y0 + 1000 * j + 1000)
            for i, j in SQUARES.values()
        ],
        crs=25832,
    )
    folder = tmp / "shp"
    folder.mkdir()
    gdf.to_file(folder / "stadtteile.shp", engine="pyogrio")
    path = tmp / "stadtteile.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    return path


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def wide_population(tmp: Path, year: int = 2012, more: int = 0) -> tuple[Path, int]:
    """cp1252, semicolons, a title row, thousands dots, city (000) and district total rows; the year
    only in the file name. ``more``: people added to every band (next year's file)."""
    rows = {g: [*(n + more for n in v), sum(v) + more * len(v)] for g, v in POP_2012.items()}
    for district, parts in (("01", ("0101", "0102")), ("02", ("0201", "0202"))):
        rows[district] = [sum(x) for x in zip(*(rows[p] for p in parts), strict=True)]
    rows["000"] = [sum(x) for x in zip(rows["01"], rows["02"], strict=True)]
    lines = ["Einwohner nach Altersgruppen, Stichtag 31.12.", "Stadtteil;" + ";".join(BANDS) + ";Insgesamt"]
    lines += [f"{g};" + ";".join(thousands(n) for n in v) for g, v in rows.items()]
    lines.append("Quelle: Statistikstelle; © Stadt")
    path = tmp / f"Einwohner_Stadtteile_{year}.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path, rows["000"][-1]


def long_multi_table(tmp: Path) -> Path:
    lines = ["Tabelle;Stadtteil;Jahr;Merkmal;Anzahl"]
    for g, v in POP_2012.items():
        lines += [f"Altersgruppen;{g};2011;{b};{n - 3}" for b, n in zip(BANDS, v, strict=True)]
        lines += [
            f"Geschlecht;{g};2011;weiblich;{sum(v) // 2}",
            f"Staatsangehörigkeit;{g};2011;nichtdeutsch;7",
        ]
    path = tmp / "strukturdaten_2011.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def births_utf16(tmp: Path) -> Path:
    rows = ["Stadtteil\t2010\t2011\t2012", "0101\t31\t29\t33", "0102\t12\t.\t15", "0201\t44\t47\t52"]
    text = "\r\n".join([*rows, "0202\t3\t5\t4"]) + "\r\n"
    path = tmp / "geburten.txt"
    path.write_bytes(text.encode("utf-16"))
    return path


def schools_esri(tmp: Path) -> Path:
    features = [
        {
            "attributes": {"SNR": "S1", "NAME": "GS Altstadt", "ART": "Grundschule"},
            "geometry": dict(zip("xy", centre("0101"), strict=True)),
        },
        {
            "attributes": {"SNR": "S2", "NAME": "GS Ost", "ART": "Grundschule"},
            "geometry": dict(zip("xy", centre("0201"), strict=True)),
        },
    ]
    doc = {
        "geometryType": "esriGeometryPoint",
        "spatialReference": {"wkid": 25832},
        "fields": [{"name": k, "type": "esriFieldTypeString"} for k in ("SNR", "NAME", "ART")],
        "features": features,
    }
    path = tmp / "schulen.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def kitas_geojson(tmp: Path) -> tuple[Path, int]:
    places = {"0101": 75, "0102": 40, "0201": 110, "0202": 25}
    lonlat = gpd.GeoSeries([Point(*centre(g)) for g in places], crs=25832).to_crs(4326)
    features = [
        {
            "type": "Feature",
            "properties": {"Einrichtung": f"K{i}", "Bezeichnung": f"Kita {g}", "Plaetze": n},
            "geometry": {"type": "Point", "coordinates": [p.x, p.y]},
        }
        for i, ((g, n), p) in enumerate(zip(places.items(), lonlat, strict=True))
    ]
    path = tmp / "kitas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path, sum(places.values())


def districts(tmp: Path) -> Path:
    """The Stadtbezirke as a second zipped Shapefile from another office: no Stadtteil ids, borders a
    few metres off the Stadtteile (another digitisation), so each Stadtteil lies ~99 % in its Bezirk."""
    off = 7  # metres
    gdf = gpd.GeoDataFrame(
        {"BEZ_NR": ["01", "02"], "BEZ_NAME": ["Mitte", "Nord"]},
        geometry=[
            box(X0 - off, Y0 - off, X0 + 2000 + off, Y0 + 1000 + off),
            box(X0 - off, Y0 + 1000 + off, X0 + 2000 + off, Y0 + 2000 + off),
        ],
        crs=25832,
    )
    folder = tmp / "bez"
    folder.mkdir()
    gdf.to_file(folder / "stadtbezirke.shp", engine="pyogrio")
    path = tmp / "stadtbezirke.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    return path
