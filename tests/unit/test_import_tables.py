"""Tables as cities publish them, read through the mapping profile: wide → long (age bands or years
as columns), the year from the file name, row filters of a multi-table file, total rows of the city
and its districts recognised and checked, the upper level from an id prefix."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planning.cli import main
from planning.imports.service import check_file, import_file
from planning.imports.writer import VersionMeta
from planning.repository import get_layout, load_areas, load_planning_data
from planning.summary import city_summary

META = VersionMeta(source="Statistikstelle", licence="dl-de/by-2-0")
BANDS = ["unter 3", "3 bis u. 6", "6 - unter 18", "18 bis 64 Jahre", "65 u. älter"]
# tiny city: Bezirk 01 = 0101 + 0102, Bezirk 02 = 0201
PARTS = {"0101": [10, 20, 30, 400, 50], "0102": [1, 2, 3, 40, 5], "0201": [7, 8, 9, 100, 11]}


def _wide_population(tmp_path: Path, name: str, district_01_off: int = 0) -> Path:
    """cp1252, semicolons, one column per age band plus 'Insgesamt', city and district total rows."""
    rows = {gid: [*v, sum(v)] for gid, v in PARTS.items()}
    rows["01"] = [a + b for a, b in zip(rows["0101"], rows["0102"], strict=True)]
    rows["01"][0] += district_01_off
    rows["02"] = list(rows["0201"])
    rows["000"] = [a + b + c for a, b, c in zip(rows["0101"], rows["0102"], rows["0201"], strict=True)]
    names = {"000": "Stadt insgesamt", "01": "Nord", "02": "Süd", "0101": "Altstadt", "0102": "Hafen"}
    lines = [
        "Bevölkerung nach Altersgruppen am 31.12.",
        "Stadtteil;Name;" + ";".join(BANDS) + ";Insgesamt",
        *(f"{gid};{names.get(gid, 'Süderhöhe')};" + ";".join(map(str, v)) for gid, v in rows.items()),
        "Quelle: Statistikstelle",
    ]
    p = tmp_path / name
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return p


WIDE = {"breit": "alter", "jahr_aus_dateiname": True, "summen_ids": ["000"]}


def test_wide_band_table_with_year_in_file_name_and_total_rows(tiny_engine, tmp_path):
    path = _wide_population(tmp_path, "bevoelkerung_stadtteile_2012.csv")
    checked = check_file(tiny_engine, "bevoelkerung", path, {"Stadtteil": "gebiet_id"}, options=WIDE)
    assert checked.ok, [str(p) for p in checked.errors]
    assert not [p for p in checked.problems if "Unbekannte Gebietskennung" in p.message]
    summary = [p.message for p in checked.problems if "Summenzeile(n)" in p.message]
    # 000, 01, 02 × 6 columns = 18 total rows, all equal to the sum of their parts
    assert summary == [
        "18 Summenzeile(n) (Kennungen 000, 01, 02) erkannt und nicht importiert: 18 stimmen mit der "
        "Summe ihrer Teile überein, 0 weichen ab, 0 nicht prüfbar (Teile fehlen oder ohne Wert)."
    ]
    assert sorted(set(checked.frame["gebiet_id"])) == ["0101", "0102", "0201"]
    assert set(checked.frame["jahr"]) == {2012}
    import_file(
        tiny_engine,
        "bevoelkerung",
        path,
        META,
        {"Stadtteil": "gebiet_id"},
        options=WIDE,
        confirm_shrink=True,
    )
    data = load_planning_data(tiny_engine)
    pop = data.population[data.population["year"] == 2012]
    band = pop[(pop["gebiet_id"] == "0101") & (pop["age_from"] == 3)]
    assert band[["age_to", "count"]].values.tolist() == [[5, 20]]  # '3 bis u. 6' = 3–5
    city = sum(sum(v) for v in PARTS.values())
    assert city_summary(data, 2012)["population_total"] == city  # the file's own city total row


def test_wide_band_table_without_total_column_still_has_a_total(tiny_engine, tmp_path):
    """Bands that cover all ages give the total (population_total is not null)."""
    lines = ["Gebiet;" + ";".join(BANDS), *(f"{g};" + ";".join(map(str, v)) for g, v in PARTS.items())]
    path = tmp_path / "bev_2013.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    opts = {"breit": "alter", "jahr_aus_dateiname": True}
    import_file(
        tiny_engine, "bevoelkerung", path, META, {"Gebiet": "gebiet_id"}, options=opts, confirm_shrink=True
    )
    total = city_summary(load_planning_data(tiny_engine), 2013)["population_total"]
    assert total == sum(sum(v) for v in PARTS.values())


def test_a_district_total_that_does_not_add_up_is_a_warning(tiny_engine, tmp_path):
    path = _wide_population(tmp_path, "bev_2012.csv", district_01_off=5)
    checked = check_file(tiny_engine, "bevoelkerung", path, {"Stadtteil": "gebiet_id"}, options=WIDE)
    assert checked.ok
    bad = [p for p in checked.warnings if p.message.startswith("Summenzeile „01“")]
    assert len(bad) == 1
    assert "nennt 16, ihre Teile (2 Gebiete) ergeben 11" in bad[0].message
    assert bad[0].row == 6 and bad[0].column == "anzahl"  # title, header, 0101, 0102, 0201, 01


def test_district_rows_without_the_option_are_recognised_and_a_skip_is_one_line(tiny_engine, tmp_path):
    path = _wide_population(tmp_path, "bev_2012.csv")
    plain = check_file(
        tiny_engine,
        "bevoelkerung",
        path,
        {"Stadtteil": "gebiet_id"},
        options={"breit": "alter", "jahr": 2012},
    )
    unknown = [p for p in plain.errors if "000" in p.message]
    assert unknown and all(p.row == 8 for p in unknown)  # the city row is unknown without summen_ids
    skip = {**WIDE, "summenzeilen": "ueberspringen"}
    checked = check_file(tiny_engine, "bevoelkerung", path, {"Stadtteil": "gebiet_id"}, options=skip)
    lines = [p.message for p in checked.problems if "Summenzeile" in p.message]
    assert lines == [
        "18 Summenzeile(n) (Kennungen 000, 01, 02) erkannt und nicht importiert (ohne Vergleich)."
    ]


def test_wide_label_that_is_ambiguous_names_the_column(tiny_engine, tmp_path):
    path = tmp_path / "bev_2012.csv"
    path.write_text("Gebiet;unter 3;bis 6\n0101;1;2\n", encoding="utf-8")
    checked = check_file(
        tiny_engine,
        "bevoelkerung",
        path,
        {"Gebiet": "gebiet_id"},
        options={"breit": "alter", "jahr": 2012, "breit_spalten": ["unter 3", "bis 6"]},
    )
    assert [(p.file, p.column) for p in checked.errors] == [("bev_2012.csv", "bis 6")]
    assert "mehrdeutig" in checked.errors[0].message


def test_cell_errors_of_a_wide_table_name_the_source_column(tiny_engine, tmp_path):
    path = tmp_path / "bev_2012.csv"
    path.write_text("Gebiet;unter 3;3 bis u. 6\n0101;1;zwei\n", encoding="utf-8")
    checked = check_file(
        tiny_engine, "bevoelkerung", path, {"Gebiet": "gebiet_id"}, options={"breit": "alter", "jahr": 2012}
    )
    assert [(p.row, p.column) for p in checked.errors] == [(2, "3 bis u. 6")]


def test_wide_years_table_of_births(tiny_engine, tmp_path):
    path = tmp_path / "geburten.csv"
    path.write_text(
        "Gebiet\t2010\t2011\t2012\n0101\t12\t14\t.\n0102\t3\t4\t5\n0201\t7\t8\t9\n", encoding="utf-8"
    )
    checked = check_file(tiny_engine, "geburten", path, {"Gebiet": "gebiet_id"}, options={"breit": "jahr"})
    assert checked.ok, checked.errors
    f = checked.frame.sort_values(["gebiet_id", "jahr"])
    assert f["jahr"].tolist()[:3] == [2010, 2011, 2012]
    assert [None if pd.isna(x) else int(x) for x in f["anzahl"]][:3] == [12, 14, None]  # '.' is missing


def test_one_table_of_a_long_multi_table_file(tiny_engine, tmp_path):
    rows = ["Tabelle;Gebiet;Jahr;Merkmal;Anzahl"]
    for gid, v in PARTS.items():
        rows += [f"Alter;{gid};2012;{b};{n}" for b, n in zip(BANDS, v, strict=True)]
        rows += [
            f"Geschlecht;{gid};2012;männlich;{sum(v) // 2}",
            f"Geschlecht;{gid};2012;weiblich;{sum(v) // 2}",
        ]
        rows += [f"Migration;{gid};2012;mit Migrationshintergrund;3"]
    path = tmp_path / "langform.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = {"Gebiet": "gebiet_id", "Jahr": "jahr", "Merkmal": "alter", "Anzahl": "anzahl"}
    refused = check_file(tiny_engine, "bevoelkerung", path, mapping)
    assert not refused.ok  # 'männlich' is no age: without the filter the file cannot be read
    checked = check_file(tiny_engine, "bevoelkerung", path, mapping, options={"filter": {"Tabelle": "Alter"}})
    assert checked.ok, checked.errors
    assert len(checked.frame) == 15
    assert any("Filter „Tabelle = Alter“: 15 von 24 Zeilen" in p.message for p in checked.problems)


def test_year_from_a_file_name_without_year_is_an_error(tiny_engine, tmp_path):
    path = _wide_population(tmp_path, "bevoelkerung.csv")
    checked = check_file(tiny_engine, "bevoelkerung", path, {"Stadtteil": "gebiet_id"}, options=WIDE)
    assert [(p.file, "keine Jahreszahl" in p.message) for p in checked.errors] == [("bevoelkerung.csv", True)]


def test_unknown_profile_option_is_named(tiny_engine, tmp_path):
    path = _wide_population(tmp_path, "bev_2012.csv")
    checked = check_file(
        tiny_engine, "bevoelkerung", path, {"Stadtteil": "gebiet_id"}, options={"breite": "alter"}
    )
    assert "Unbekannte Profiloption(en): breite" in checked.errors[0].message


def test_upper_level_from_id_prefix(empty_engine, tmp_path):
    features = []
    for gid, (x, y) in {"0101": (0, 0), "0102": (1, 0), "0201": (0, -1)}.items():
        x0, y0 = 560000 + 1000 * x, 5700000 + 1000 * y
        ring = [[x0, y0], [x0 + 1000, y0], [x0 + 1000, y0 + 1000], [x0, y0 + 1000], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {"gebiet_id": gid, "name": f"Gebiet {gid}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:25832"}},
        "features": features,
    }
    path = tmp_path / "stadtteile.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    url = empty_engine.url.render_as_string(hide_password=False)
    args = ["--db", url, "import", "gebiete", str(path), "--gebietsstand", "neu", "--kommune", "Neustadt"]
    assert main([*args, "--ebenen", "Bezirk,Stadtteil", "--ober-aus-praefix", "2"]) == 0
    layout = get_layout(empty_engine, "neu")
    areas = load_areas(empty_engine, layout.id, layout.epsg)
    upper = areas[areas["level"] == 0].sort_values("gebiet_id")
    assert upper["gebiet_id"].tolist() == ["01", "02"]
    assert dict(zip(areas["gebiet_id"], areas["parent_gebiet_id"], strict=True))["0102"] == "01"


def test_cli_saves_the_table_form_in_the_profile(tiny_engine, tmp_path, capsys):
    url = tiny_engine.url.render_as_string(hide_password=False)
    add = ["--db", url, "mapping", "add", "bev-breit", "bevoelkerung", "Stadtteil=gebiet_id"]
    assert main([*add, "--breit", "alter", "--jahr-aus-dateiname", "--summen-ids", "000"]) == 0
    path = _wide_population(tmp_path, "bevoelkerung_2012.csv")
    assert main(["--db", url, "check", "bevoelkerung", str(path), "--mapping", "bev-breit"]) == 0
    assert "18 stimmen" in capsys.readouterr().out
    assert (
        main(["--db", url, "import", "bevoelkerung", str(path), "--mapping", "bev-breit", "--bestaetigen"])
        == 0
    )
    assert city_summary(load_planning_data(tiny_engine), 2012)["population_total"] == sum(
        sum(v) for v in PARTS.values()
    )


@pytest.mark.parametrize("kind", ["bevoelkerung"])
def test_options_are_the_registry(kind):
    from planning.imports.shape import OPTION_KEYS, TableShape

    assert {"breit", "jahr", "jahr_aus_dateiname", "filter", "summen_ids", "summenzeilen"} <= OPTION_KEYS
    assert TableShape.from_options({"breit": "alter"}).wide == "alter"


def test_a_profile_with_an_unknown_option_is_not_saved(tiny_engine):
    from planning.imports.profiles import save_profile

    with pytest.raises(ValueError, match="Unbekannte Profiloption"):
        save_profile(tiny_engine, "x", "bevoelkerung", {"Gebiet": "gebiet_id"}, {"breite": "alter"})
    with pytest.raises(ValueError, match="erwartet alter oder jahr"):
        save_profile(tiny_engine, "x", "bevoelkerung", {"Gebiet": "gebiet_id"}, {"breit": "quer"})


def test_district_figures_alone_and_district_rates_are_kept(tiny_engine, tmp_path):
    """Only district rows (a delivery at that level) and Kennzahlen of districts are no total rows."""
    pop = tmp_path / "bezirke.csv"
    pop.write_text(
        "gebiet_id;jahr;alter;anzahl\n01;2012;insgesamt;561\n02;2012;insgesamt;135\n", encoding="utf-8"
    )
    checked = check_file(tiny_engine, "bevoelkerung", pop)
    assert checked.ok and sorted(checked.frame["gebiet_id"]) == ["01", "02"]
    rates = tmp_path / "quoten.csv"
    rates.write_text(
        "gebiet_id;jahr;kennzahl;wert\n01;2025;kinderarmut;21,5\n0101;2025;kinderarmut;20,0\n",
        encoding="utf-8",
    )
    checked = check_file(tiny_engine, "kennzahlen", rates)
    assert checked.ok and sorted(checked.frame["gebiet_id"]) == ["01", "0101"]
    assert not [p for p in checked.problems if "Summenzeile" in p.message]


def test_wide_indicator_table_with_a_fixed_code(tiny_engine, tmp_path, capsys):
    """A Kennzahl as cities publish it: one column per year, the code only in the title (option kennzahl)."""
    path = tmp_path / "kinderarmut.csv"
    path.write_text("Gebiet;2023;2024;2025\n0101;19,5;20,1;20,0\n0102;11,0;12,5;13,0\n", encoding="utf-8")
    without = check_file(tiny_engine, "kennzahlen", path, {"Gebiet": "gebiet_id"}, options={"breit": "jahr"})
    assert not without.ok and any("kennzahl" in p.message for p in without.errors)
    options = {"breit": "jahr", "kennzahl": "kinderarmut"}
    checked = check_file(tiny_engine, "kennzahlen", path, {"Gebiet": "gebiet_id"}, options=options)
    assert checked.ok, checked.errors
    f = checked.frame.sort_values(["gebiet_id", "jahr"])
    assert set(f["kennzahl"]) == {"kinderarmut"} and f["wert"].tolist()[:3] == [19.5, 20.1, 20.0]
    pop = tmp_path / "bev.csv"
    pop.write_text("gebiet_id;jahr;alter;anzahl\n0101;2012;insgesamt;5\n", encoding="utf-8")
    wrong = check_file(tiny_engine, "bevoelkerung", pop, options={"kennzahl": "kinderarmut"})
    assert any("nur bei Kennzahlen" in p.message for p in wrong.errors)
    url = tiny_engine.url.render_as_string(hide_password=False)
    profile = [
        "mapping",
        "add",
        "ka",
        "kennzahlen",
        "Gebiet=gebiet_id",
        "--breit",
        "jahr",
        "--kennzahl",
        "kinderarmut",
    ]
    assert main(["--db", url, *profile]) == 0
    assert main(["--db", url, "check", "kennzahlen", str(path), "--mapping", "ka"]) == 0
    assert "6 Zeilen" in capsys.readouterr().out
