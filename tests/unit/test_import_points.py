"""Facility files as cities export them: GeoJSON points, Esri JSON, zipped Shapefile, CSV with x/y in
a stated CRS. Never a traceback: every failure is a German message naming the file."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from planning.imports.service import check_file, import_file
from planning.imports.writer import VersionMeta
from planning.repository import load_planning_data

# the tiny city's 0101 is the square 560000–561000 / 5700000–5701000 in EPSG:25832; 0201 lies south
IN_0101 = (560500.0, 5700500.0)
IN_0201 = (560500.0, 5699500.0)


def _lonlat(x: float, y: float) -> tuple[float, float]:
    p = gpd.GeoSeries([Point(x, y)], crs=25832).to_crs(4326)[0]
    return p.x, p.y


def _geojson(path: Path, features: list[tuple[dict, tuple[float, float]]], crs: str | None = None) -> Path:
    doc: dict = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": list(xy)}}
            for props, xy in features
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


KITA_MAPPING = {"KITA_NR": "kita_id", "BEZEICHNUNG": "name", "PLAETZE": "plaetze_gesamt"}


def _kita(no: str, places: int) -> dict:
    return {"KITA_NR": no, "BEZEICHNUNG": f"Kita {no}", "PLAETZE": places}


@pytest.mark.parametrize("suffix", [".geojson", ".json", ".txt"])
def test_geojson_kita_points_are_read_as_geodata_not_as_csv(tiny_engine, tmp_path, suffix):
    path = _geojson(
        tmp_path / f"kitas{suffix}",
        [(_kita("K7", 40), _lonlat(*IN_0101)), (_kita("K8", 25), _lonlat(*IN_0201))],
    )
    checked = check_file(tiny_engine, "kitas", path, KITA_MAPPING)
    assert checked.ok, checked.problems
    assert checked.frame["gebiet_id"].tolist() == ["0101", "0201"]  # placed from the coordinates
    assert checked.frame["plaetze_gesamt"].tolist() == [40, 25]


def test_geojson_in_utm_is_transformed(tiny_engine, tmp_path):
    path = _geojson(
        tmp_path / "kitas.geojson",
        [(_kita("K7", 40), IN_0101), (_kita("K8", 25), IN_0201), (_kita("K9", 30), IN_0101)],
        crs="urn:ogc:def:crs:EPSG::25832",
    )
    import_file(tiny_engine, "kitas", path, VersionMeta(), KITA_MAPPING)
    kitas = load_planning_data(tiny_engine).kitas.sort_values("kita_id")
    assert kitas["gebiet_id"].tolist() == ["0101", "0201", "0101"]
    assert kitas["lon"].iloc[0] == pytest.approx(_lonlat(*IN_0101)[0], abs=1e-6)


def _esri(path: Path, long_text: str = "") -> Path:
    doc = {
        "displayFieldName": "NAME",
        "geometryType": "esriGeometryPoint",
        "spatialReference": {"wkid": 25832, "latestWkid": 25832},
        "fields": [
            {"name": "SCHULNR", "type": "esriFieldTypeString", "alias": "SCHULNR", "length": 10},
            {"name": "NAME", "type": "esriFieldTypeString", "alias": "NAME", "length": 200000},
            {"name": "ART", "type": "esriFieldTypeString", "alias": "ART", "length": 50},
        ],
        "features": [
            {
                "attributes": {"SCHULNR": "0701", "NAME": "GS Nord" + long_text, "ART": "Grundschule"},
                "geometry": {"x": IN_0101[0], "y": IN_0101[1]},
            },
            {
                "attributes": {"SCHULNR": "0702", "NAME": "GS Süd", "ART": "Grundschule"},
                "geometry": {"x": IN_0201[0], "y": IN_0201[1]},
            },
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_esri_json_schools_are_read_without_a_traceback(tiny_engine, tmp_path):
    """Before: '_csv.Error: field larger than field limit' as a Python traceback."""
    path = _esri(tmp_path / "schulen.json", long_text=" " + "x" * 200_000)
    checked = check_file(
        tiny_engine, "schulen", path, {"SCHULNR": "schul_id", "NAME": "name", "ART": "schulart"}
    )
    assert checked.ok, checked.problems
    assert checked.frame["gebiet_id"].tolist() == ["0101", "0201"]


def test_zipped_shapefile_of_kitas(tiny_engine, tmp_path):
    gdf = gpd.GeoDataFrame(
        {"KITA_NR": ["K7", "K8"], "NAME": ["Kita K7", "Kita K8"], "PLAETZE": [40, 25]},
        geometry=[Point(*IN_0101), Point(*IN_0201)],
        crs=25832,
    )
    shp = tmp_path / "shp"
    shp.mkdir()
    gdf.to_file(shp / "kitas.shp", engine="pyogrio")
    zpath = tmp_path / "kitas.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp.iterdir():
            zf.write(f, f.name)
    mapping = {"KITA_NR": "kita_id", "NAME": "name", "PLAETZE": "plaetze_gesamt"}  # DBF: 10 characters
    checked = check_file(tiny_engine, "kitas", zpath, mapping)
    assert checked.ok, checked.problems
    assert checked.frame["gebiet_id"].tolist() == ["0101", "0201"]


CSV_XY = (
    "Nr;Name;Plätze;Rechtswert;Hochwert\nK7;Kita Nord;40;560500,0;5700500,0\nK8;Kita Süd;25;560500;5699500\n"
)
XY_MAPPING = {"Nr": "kita_id", "Name": "name", "Plätze": "plaetze_gesamt", "Rechtswert": "x", "Hochwert": "y"}


def test_csv_with_xy_in_a_stated_crs(tiny_engine, tmp_path):
    path = tmp_path / "kitas_utm.csv"
    path.write_text(CSV_XY, encoding="utf-8")
    checked = check_file(tiny_engine, "kitas", path, XY_MAPPING, crs="EPSG:25832")
    assert checked.ok, checked.problems
    assert checked.frame["gebiet_id"].tolist() == ["0101", "0201"]
    assert float(checked.frame["lat"].iloc[0]) == pytest.approx(_lonlat(*IN_0101)[1], abs=1e-6)


def test_xy_without_crs_is_an_error_not_a_guess(tiny_engine, tmp_path):
    path = tmp_path / "kitas_utm.csv"
    path.write_text(CSV_XY, encoding="utf-8")
    checked = check_file(tiny_engine, "kitas", path, XY_MAPPING)
    e = checked.errors
    assert len(e) == 1 and (e[0].file, e[0].row, e[0].column) == ("kitas_utm.csv", 2, "Rechtswert")
    assert "Koordinatensystem" in e[0].message
    wrong = check_file(tiny_engine, "kitas", path, XY_MAPPING, crs="EPSG:99999")
    assert any("Unbekanntes Koordinatensystem" in p.message for p in wrong.errors)


@pytest.mark.parametrize(
    ("kind", "name", "content", "expected"),
    [
        ("kitas", "kaputt.geojson", '{"type": "FeatureCollection", "features": [', "nicht gelesen"),
        ("kitas", "leer.geojson", '{"type": "FeatureCollection", "features": []}', ""),
        ("bevoelkerung", "bev.json", '{"type": "FeatureCollection", "features": []}', "JSON"),
        ("schulen", "ohne_crs.zip", None, ""),
    ],
)
def test_broken_geodata_gives_a_german_message(tiny_engine, tmp_path, kind, name, content, expected):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("x.txt", "nichts")
    else:
        path.write_text(content, encoding="utf-8")
    checked = check_file(tiny_engine, kind, path)
    assert not checked.ok
    assert all(p.file == name for p in checked.errors)
    assert expected in " ".join(p.message for p in checked.errors)
