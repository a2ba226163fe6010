"""A "messy city" end to end on the command line: files as a city publishes them, written by the test,
taken through saved mapping profiles to key figures that equal the files' own total rows. No file is
edited outside the tool (the browser version of this path is still to come, see issue 19)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box

from planning.cli import main
from planning.repository import load_planning_data
from planning.summary import city_summary

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


def _centre(gid: str) -> tuple[float, float]:
    i, j = SQUARES[gid]
    return X0 + 1000 * i + 500, Y0 + 1000 * j + 500


def _areas(tmp: Path) -> Path:
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


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _wide_population(tmp: Path) -> tuple[Path, int]:
    """cp1252, semicolons, a title row, thousands dots, city (000) and district total rows."""
    rows = {g: [*v, sum(v)] for g, v in POP_2012.items()}
    for district, parts in (("01", ("0101", "0102")), ("02", ("0201", "0202"))):
        rows[district] = [sum(x) for x in zip(*(rows[p] for p in parts), strict=True)]
    rows["000"] = [sum(x) for x in zip(rows["01"], rows["02"], strict=True)]
    lines = ["Einwohner nach Altersgruppen, Stichtag 31.12.", "Stadtteil;" + ";".join(BANDS) + ";Insgesamt"]
    lines += [f"{g};" + ";".join(_thousands(n) for n in v) for g, v in rows.items()]
    lines.append("Quelle: Statistikstelle; © Stadt")
    path = tmp / "Einwohner_Stadtteile_2012.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path, rows["000"][-1]


def _long_multi_table(tmp: Path) -> Path:
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


def _births_utf16(tmp: Path) -> Path:
    rows = ["Stadtteil\t2010\t2011\t2012", "0101\t31\t29\t33", "0102\t12\t.\t15", "0201\t44\t47\t52"]
    text = "\r\n".join([*rows, "0202\t3\t5\t4"]) + "\r\n"
    path = tmp / "geburten.txt"
    path.write_bytes(text.encode("utf-16"))
    return path


def _schools_esri(tmp: Path) -> Path:
    features = [
        {
            "attributes": {"SNR": "S1", "NAME": "GS Altstadt", "ART": "Grundschule"},
            "geometry": dict(zip("xy", _centre("0101"), strict=True)),
        },
        {
            "attributes": {"SNR": "S2", "NAME": "GS Ost", "ART": "Grundschule"},
            "geometry": dict(zip("xy", _centre("0201"), strict=True)),
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


def _kitas_geojson(tmp: Path) -> tuple[Path, int]:
    places = {"0101": 75, "0102": 40, "0201": 110, "0202": 25}
    lonlat = gpd.GeoSeries([Point(*_centre(g)) for g in places], crs=25832).to_crs(4326)
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


def test_messy_city_on_the_command_line(empty_engine, tmp_path, capsys):
    url = empty_engine.url.render_as_string(hide_password=False)
    db = ["--db", url]

    def run(*args: str) -> None:
        code = main([*db, *args])
        captured = capsys.readouterr()
        assert code == 0, captured.err + captured.out

    # profiles first, as a planner saves them once and reuses them next year
    run("mapping", "add", "stt", "gebiete", "STT_ID=gebiet_id", "STT_NAME=name", "--ober-aus-praefix", "2")
    run(
        "mapping",
        "add",
        "ew-breit",
        "bevoelkerung",
        "Stadtteil=gebiet_id",
        "--breit",
        "alter",
        "--jahr-aus-dateiname",
        "--summen-ids",
        "000",
    )
    run(
        "mapping",
        "add",
        "ew-lang",
        "bevoelkerung",
        "Stadtteil=gebiet_id",
        "Jahr=jahr",
        "Merkmal=alter",
        "Anzahl=anzahl",
        "--filter",
        "Tabelle=Altersgruppen",
    )
    run("mapping", "add", "geb", "geburten", "Stadtteil=gebiet_id", "--breit", "jahr")
    run("mapping", "add", "sch", "schulen", "SNR=schul_id", "NAME=name", "ART=schulart")
    run("mapping", "add", "kit", "kitas", "Einrichtung=kita_id", "Bezeichnung=name", "Plaetze=plaetze_gesamt")

    run(
        "import",
        "gebiete",
        str(_areas(tmp_path)),
        "--mapping",
        "stt",
        "--gebietsstand",
        "messy",
        "--kommune",
        "Messstadt",
        "--ebenen",
        "Stadtbezirk,Stadtteil",
    )
    run("areas", "--json", "--level", "0")
    # last year's delivery was one table of a long multi-table file …
    run("import", "bevoelkerung", str(_long_multi_table(tmp_path)), "--mapping", "ew-lang")
    s2011 = city_summary(load_planning_data(empty_engine), 2011)
    assert s2011["population_total"] == sum(sum(v) - 15 for v in POP_2012.values())  # bands cover all ages
    # … this year's is a wide table with the year in the file name (it replaces the version)
    wide, city_total = _wide_population(tmp_path)
    run("check", "bevoelkerung", str(wide), "--mapping", "ew-breit")
    run("import", "bevoelkerung", str(wide), "--mapping", "ew-breit", "--source", "Statistikstelle")
    run("import", "geburten", str(_births_utf16(tmp_path)), "--mapping", "geb")
    run("import", "schulen", str(_schools_esri(tmp_path)), "--mapping", "sch")
    kitas, places = _kitas_geojson(tmp_path)
    run("import", "kitas", str(kitas), "--mapping", "kit")

    data = load_planning_data(empty_engine)
    s = city_summary(data, 2012)
    assert s["population_total"] == city_total  # the file's own row 000, 'Insgesamt'
    assert s["children_0_3"] == sum(v[0] for v in POP_2012.values())
    assert s["kita_places"] == places and s["kitas"] == 4
    assert s["schools"] == 2
    upper = data.areas[data.areas["level"] == 0]["gebiet_id"].tolist()
    assert sorted(upper) == ["01", "02"]
    births = data.table("geburten")
    assert births.loc[(births["gebiet_id"] == "0102") & (births["year"] == 2011), "count"].isna().all()
    assert int(births.loc[births["year"] == 2012, "count"].sum()) == 33 + 15 + 52 + 4
