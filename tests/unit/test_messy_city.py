"""A "messy city" end to end on the command line: files as a city publishes them, written by the test,
taken through saved mapping profiles to key figures that equal the files' own total rows. No file is
edited outside the tool (the browser version of this path is still to come, see issue 19)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from planning.cli import main
from planning.imports.areas import check_area_frame
from planning.repository import load_planning_data
from planning.summary import city_summary
from tests.messy_city import (
    POP_2012,
    X0,
    Y0,
    areas,
    births_utf16,
    districts,
    kitas_geojson,
    long_multi_table,
    schools_esri,
    wide_population,
)


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
        str(areas(tmp_path)),
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
    run("import", "bevoelkerung", str(long_multi_table(tmp_path)), "--mapping", "ew-lang")
    s2011 = city_summary(load_planning_data(empty_engine), 2011)
    assert s2011["population_total"] == sum(sum(v) - 15 for v in POP_2012.values())  # bands cover all ages
    # … this year's is a wide table with the year in the file name (it replaces the version)
    wide, city_total = wide_population(tmp_path)
    run("check", "bevoelkerung", str(wide), "--mapping", "ew-breit")
    run("import", "bevoelkerung", str(wide), "--mapping", "ew-breit", "--source", "Statistikstelle")
    run("import", "geburten", str(births_utf16(tmp_path)), "--mapping", "geb")
    run("import", "schulen", str(schools_esri(tmp_path)), "--mapping", "sch")
    kitas, places = kitas_geojson(tmp_path)
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


def test_upper_level_from_a_second_area_file(empty_engine, tmp_path, capsys):
    """Stadtbezirke from another office's Shapefile: each Stadtteil in the Bezirk holding most of it."""
    url = empty_engine.url.render_as_string(hide_password=False)
    # the columns of the second file are saved with the profile; the file itself is this year's
    profile = ["mapping", "add", "stt", "gebiete", "STT_ID=gebiet_id", "STT_NAME=name"]
    assert main(["--db", url, *profile, "--ober-datei-id", "BEZ_NR", "--ober-datei-name", "BEZ_NAME"]) == 0
    upper_file = ["--ober-datei", str(districts(tmp_path))]
    assert main(["--db", url, "check", "gebiete", str(areas(tmp_path)), "--mapping", "stt", *upper_file]) == 0
    assert "4 Gebiete in 2 von 2 Gebieten" in capsys.readouterr().out
    code = main(
        [
            *("--db", url, "import", "gebiete", str(tmp_path / "stadtteile.zip"), "--mapping", "stt"),
            *(*upper_file, "--gebietsstand", "bez", "--ebenen", "Stadtbezirk,Stadtteil"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err + captured.out
    data = load_planning_data(empty_engine)
    upper = data.areas[data.areas["level"] == 0].set_index("gebiet_id")["name"].to_dict()
    assert upper == {"01": "Mitte", "02": "Nord"}
    lower = data.areas[data.areas["level"] == 1]
    parent = lower.set_index("gebiet_id")["parent_gebiet_id"]
    assert parent.to_dict() == {"0101": "01", "0102": "01", "0201": "02", "0202": "02"}


def test_upper_file_reports_a_split_area_and_refuses_one_outside(tmp_path):
    def sq(x0: float, y0: float, x1: float, y1: float):  # metres from the messy city's corner
        return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)

    lower = gpd.GeoDataFrame(
        {"gebiet_id": ["a", "b", "c"], "name": ["A", "B", "C"]},
        geometry=[sq(0, 0, 100, 100), sq(100, 0, 200, 100), sq(900, 900, 1000, 1000)],
        crs=25832,
    )
    upper = gpd.GeoDataFrame(
        {"kennung": ["X", "Y"]}, geometry=[sq(0, 0, 140, 100), sq(140, 0, 200, 100)], crs=25832
    )
    upper_file = tmp_path / "bezirke.geojson"
    upper.to_file(upper_file, driver="GeoJSON", engine="pyogrio")
    checked = check_area_frame(lower.iloc[:2], "stt.geojson", options={"ober_datei": str(upper_file)})
    assert checked.ok, checked.problems
    split = [p for p in checked.problems if p.severity == "Warnung" and "„b“" in p.message]
    assert split and "60 % in „Y“ und zu 40 % in „X“" in split[0].message and split[0].row == 2
    assert checked.frame["ober_gebiet_id"].tolist() == ["X", "Y"]
    outside = check_area_frame(lower, "stt.geojson", options={"ober_datei": str(upper_file)})
    assert not outside.ok
    assert any("„c“ liegt in keinem Gebiet der Datei bezirke.geojson" in p.message for p in outside.errors)
    no_col = check_area_frame(
        lower.iloc[:2], "stt.geojson", options={"ober_datei": str(upper_file), "ober_datei_id": "BEZ"}
    )
    assert any("„BEZ“ fehlt. Vorhanden: kennung" in p.message for p in no_col.errors)
