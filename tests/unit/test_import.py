"""Import: good files land as new active versions; every kind of bad file gets a German message
naming file/row/column, and the database stays exactly as before (a full table dump is compared)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import build_tiny
from shapely.geometry import box
from sqlalchemy import Engine, MetaData, select

from planning.cli import main
from planning.db import include_name
from planning.imports.formats import get_kind
from planning.imports.problems import InputFileError
from planning.imports.service import check_file, import_file
from planning.imports.writer import VersionMeta
from planning.models import DatasetVersion, Kita
from planning.repository import load_planning_data

HEADER = ";".join(get_kind("kitas").field_names)  # the canonical header


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table: the yardstick for 'the database is unchanged'.

    Tables of PostgreSQL extensions (PostGIS's 8,500 rows of ``spatial_ref_sys``) are not ours and left out.
    """
    meta = MetaData()
    meta.reflect(engine, only=lambda name, _meta: include_name(name, "table", None))
    with engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr) for t in meta.sorted_tables
        }


@pytest.fixture
def db(tiny_engine):
    return tiny_engine


@pytest.fixture
def any_db(any_engine):
    """The tiny city on SQLite and on PostgreSQL: for the all-or-nothing tests."""
    build_tiny(any_engine)
    return any_engine


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _import(db, tmp_path, kind, path, **kw):
    """Import as a planner who confirmed: these files are far smaller than the tiny city's versions
    (held back otherwise, see test_import_shrink.py)."""
    kw.setdefault("confirm_shrink", True)
    return import_file(db, kind, path, VersionMeta(source="Test", licence="CC0"), **kw)


# --- good files ---------------------------------------------------------------------------------------------


def test_canonical_kita_csv_imports_as_new_active_version(db, tmp_path):
    p = _write(tmp_path, "kitas.csv", HEADER + "\nK9;Kita Neu;AWO;0102;;;1.050;50;1000;;\n")
    vid, checked = _import(db, tmp_path, "kitas", p)
    assert checked.ok
    data = load_planning_data(db)
    assert data.versions["kitas"].id == vid
    assert data.kitas["kita_id"].tolist() == ["K9"]
    assert data.kitas["places_total"].tolist() == [1050]  # German thousands dot
    with db.connect() as conn:
        old = (
            conn.execute(
                select(DatasetVersion.is_active).where(
                    DatasetVersion.kind == "kitas", DatasetVersion.id != vid
                )
            )
            .scalars()
            .all()
        )
    assert old == [False]  # the older list stays, inactive


def test_windows_1252_comma_separated_file_imports(db, tmp_path):
    p = _write(
        tmp_path,
        "kitas_excel.csv",
        HEADER.replace(";", ",") + "\nK7,Kinderhaus Bärenhöhle,Träger e.V.,0201,,,30,10,20,,\n",
        "cp1252",
    )
    _, checked = _import(db, tmp_path, "kitas", p)
    assert load_planning_data(db).kitas["name"].tolist() == ["Kinderhaus Bärenhöhle"]
    assert any("Windows-1252" in p.message for p in checked.problems)


def test_excel_unicode_text_export_utf16_tab_separated(db, tmp_path):
    p = tmp_path / "unicode.txt"
    p.write_bytes(
        (HEADER.replace(";", "\t") + "\nK8\tKita Möwe\t\t0101\t\t\t12\t\t12\t\t\n").encode("utf-16")
    )
    _import(db, tmp_path, "kitas", p)
    assert load_planning_data(db).kitas["name"].tolist() == ["Kita Möwe"]


def test_population_bands_and_missing_markers(db, tmp_path):
    text = (
        "Gebiet;Jahr;Alter;Anzahl\n"
        "0101;2026;0;10\n0101;2026;1-2;-9999\n0101;2026;3 bis unter 6;30\n0101;2026;insgesamt;.\n"
    )
    p = _write(tmp_path, "bev.csv", text)
    _, checked = _import(
        db,
        tmp_path,
        "bevoelkerung",
        p,
        mapping={"Gebiet": "gebiet_id", "Jahr": "jahr", "Alter": "alter", "Anzahl": "anzahl"},
    )
    pop = load_planning_data(db).population
    pop = pop[pop["year"] == 2026]
    band = pop[(pop["age_from"] == 3) & (pop["age_to"] == 5)]
    assert band["count"].tolist() == [30]
    unknown = pop[(pop["age_from"] == 1) & (pop["age_to"] == 2)]
    assert unknown["count"].isna().all() and len(unknown) == 1  # -9999 is missing, not zero
    assert any("nicht als 0" in p.message for p in checked.warnings)
    assert checked.ok


def test_points_without_area_get_it_from_coordinates(db, tmp_path):
    # tiny city: 0101 is the square 560000–561000 / 5700000–5701000 in EPSG:25832
    pt = gpd.GeoSeries.from_xy([560500], [5700500], crs=25832).to_crs(4326)[0]
    p = _write(tmp_path, "k.csv", HEADER + f"\nK5;Kita Punkt;;;{pt.x:.6f};{pt.y:.6f};20;;20;;\n")
    _import(db, tmp_path, "kitas", p)
    assert load_planning_data(db).kitas["gebiet_id"].tolist() == ["0101"]


def test_same_file_twice_is_detected(any_db, tmp_path):
    p = _write(tmp_path, "k.csv", HEADER + "\nK9;Kita Neu;AWO;0102;;;10;;10;;\n")
    _import(any_db, tmp_path, "kitas", p)
    before = dump(any_db)
    with pytest.raises(InputFileError, match="bereits am"):
        _import(any_db, tmp_path, "kitas", p)
    assert dump(any_db) == before


# --- bad files: message and unchanged database ---------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    return path


def _shapefile_parts(tmp_path: Path) -> dict[str, bytes]:
    gdf = gpd.GeoDataFrame(
        {"gebiet_id": ["A"], "name": ["X"]}, geometry=[box(560000, 5700000, 561000, 5701000)], crs=25832
    )
    gdf.to_file(tmp_path / "g.shp")
    return {f"g{ext}": (tmp_path / f"g{ext}").read_bytes() for ext in (".shp", ".shx", ".dbf", ".prj")}


BAD_CASES = {
    "html": (
        "kitas",
        "kitas.csv",
        lambda t: _write(t, "kitas.csv", "<!DOCTYPE html><html><body>502 Bad Gateway"),
        "HTML-Seite",
    ),
    "empty": ("kitas", "leer.csv", lambda t: _write(t, "leer.csv", ""), "leer"),
    "only_header": ("kitas", "kopf.csv", lambda t: _write(t, "kopf.csv", HEADER + "\n"), "keine Datenzeilen"),
    "wrong_separator": (
        "kitas",
        "sep.csv",
        lambda t: _write(t, "sep.csv", HEADER.replace(";", ":") + "\nK1:A\n"),
        "Trennzeichen",
    ),
    "missing_columns": (
        "kitas",
        "spalten.csv",
        lambda t: _write(t, "spalten.csv", "id;titel\n1;x\n"),
        "Pflichtspalte(n) fehlen: kita_id, name, plaetze_gesamt",
    ),
    "formula": (
        "kitas",
        "f.csv",
        lambda t: _write(t, "f.csv", HEADER + '\nK1;=HYPERLINK("http://x");;0101;;;5;;;;\n'),
        "Zeile 2, Spalte „name“",
    ),
    "lost_leading_zero": (
        "kitas",
        "z.csv",
        lambda t: _write(t, "z.csv", HEADER + "\nK1;Kita;;101;;;5;;;;\n"),
        "führenden Nullen",
    ),
    "negative": (
        "kitas",
        "n.csv",
        lambda t: _write(t, "n.csv", HEADER + "\nK1;Kita;;0101;;;-5;;;;\n"),
        "Zeile 2, Spalte „plaetze_gesamt“: negativer Wert",
    ),
    "duplicate": (
        "kitas",
        "d.csv",
        lambda t: _write(t, "d.csv", HEADER + "\nK1;A;;0101;;;5;;;;\nK1;B;;0101;;;5;;;;\n"),
        "Zeile 3, Spalte „kita_id“: Doppelte Zeile",
    ),
    "not_a_number": (
        "kitas",
        "x.csv",
        lambda t: _write(t, "x.csv", HEADER + "\nK1;A;;0101;;;viele;;;;\n"),
        "„viele“ ist keine Zahl",
    ),
    "binary": (
        "kitas",
        "b.csv",
        lambda t: _bytes(t / "b.csv", b"\x00\x01\x02" * 100),
        "keine Textdatei",
    ),
    "too_large": ("kitas", "gross.csv", lambda t: _sparse(t / "gross.csv", 200 * 1024 * 1024), "zu groß"),
    "zip_without_prj": (
        "gebiete",
        "g.zip",
        lambda t: _zip(t / "g.zip", {k: v for k, v in _shapefile_parts(t).items() if not k.endswith(".prj")}),
        "g.prj",
    ),
    "zip_bomb": (
        "gebiete",
        "bomb.zip",
        lambda t: _zip(
            t / "bomb.zip", {"g.shp": b"\0" * (60 * 1024 * 1024), "g.dbf": b"", "g.shx": b"", "g.prj": b""}
        ),
        "Sicherheitsgründen",
    ),
    "xlsx_bomb": (
        "kitas",
        "bombe.xlsx",
        lambda t: _xlsx_bomb(t / "bombe.xlsx"),
        "Sicherheitsgründen",
    ),
    "geojson_outside_germany": (
        "gebiete",
        "w.geojson",
        lambda t: _write(
            t,
            "w.geojson",
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"gebiet_id": "1", "name": "X"},
                            "geometry": {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [560000, 5700000],
                                        [561000, 5700000],
                                        [561000, 5701000],
                                        [560000, 5700000],
                                    ]
                                ],
                            },
                        }
                    ],
                }
            ),
        ),
        "nicht in Deutschland",
    ),
}


def _xlsx_bomb(path: Path) -> Path:
    """A valid workbook plus one member that packs 600 MB of zeros into under a megabyte."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["kita_id", "name"])
    wb.save(path)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/padding.xml", "w") as fh,
    ):
        chunk = b"\0" * (16 * 1024 * 1024)
        for _ in range(600 // 16):
            fh.write(chunk)
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_is_refused_with_message_and_database_unchanged(any_db, tmp_path, case):
    kind, _name, make, expected = BAD_CASES[case]
    path = make(tmp_path)
    before = dump(any_db)
    checked = check_file(any_db, kind, path)
    assert not checked.ok
    text = "\n".join(str(p) for p in checked.problems)
    assert expected in text, text
    assert path.name in text  # every message names the file
    with pytest.raises(InputFileError):
        _import(any_db, tmp_path, kind, path)
    assert dump(any_db) == before


def test_cli_import_exit_codes_and_german_report(any_db, tmp_path, capsys):
    url = any_db.url.render_as_string(hide_password=False)
    bad = _write(tmp_path, "bad.csv", HEADER + "\nK1;Kita;;0101;;;-5;;;;\n")
    before = dump(any_db)
    assert main(["--db", url, "import", "kitas", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Datei bad.csv, Zeile 2, Spalte „plaetze_gesamt“: negativer Wert" in err
    assert "unverändert" in err
    assert dump(any_db) == before
    good = _write(tmp_path, "good.csv", HEADER + "\nK1;Kita;;0101;;;5;;5;;\n")
    assert main(["--db", url, "check", "kitas", str(good)]) == 0
    assert dump(any_db) == before  # check writes nothing
    confirmed = ["--bestaetigen"]  # 1 Kita for the tiny city's 3 (test_import_shrink.py)
    args = ["--db", url, "import", "kitas", str(good), "--stand", "31.12.2025", "--source", "Jugendamt"]
    assert main([*args, *confirmed]) == 0
    with any_db.connect() as conn:
        v = conn.execute(
            select(DatasetVersion).where(DatasetVersion.is_active.is_(True), DatasetVersion.kind == "kitas")
        ).one()
        assert v.source == "Jugendamt" and str(v.stand) == "2025-12-31" and v.file_name == "good.csv"
        assert conn.execute(select(Kita.kita_id).where(Kita.dataset_version_id == v.id)).scalars().all() == [
            "K1"
        ]


def test_failed_write_rolls_back_everything(any_db, tmp_path, monkeypatch):
    """A crash in the middle of writing (after the version row) leaves no trace."""
    from planning.imports import writer

    def boom(*_a, **_k):
        raise RuntimeError("Stromausfall")

    monkeypatch.setitem(writer._WRITERS, "kitas", boom)
    p = _write(tmp_path, "k.csv", HEADER + "\nK9;Kita;;0102;;;10;;10;;\n")
    before = dump(any_db)
    with pytest.raises(RuntimeError):
        _import(any_db, tmp_path, "kitas", p)
    assert dump(any_db) == before


@pytest.mark.parametrize(
    "kind",
    [
        "bevoelkerung",
        "geburten",
        "kitas",
        "kindertagespflege",
        "schulen",
        "schueler",
        "kennzahlen",
        "wohnbau",
    ],
)
def test_templates_are_valid_canonical_files(kind, tmp_path, capsys):
    out = tmp_path / f"{kind}.csv"
    assert main(["template", kind, "--out", str(out)]) == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[0] in ("gebiet_id", "kita_id", "schul_id", "projekt_id")
    xlsx = tmp_path / f"{kind}.xlsx"
    assert main(["template", kind, "--out", str(xlsx)]) == 0
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert wb.sheetnames == [kind, "Erläuterung"]


def test_population_bands_that_do_not_add_up_to_the_total_are_a_warning(db, tmp_path):
    text = (
        "gebiet_id;jahr;alter;anzahl\n0101;2026;0-17;10\n0101;2026;18+;20\n0101;2026;insgesamt;31\n"
        "0102;2026;0-17;5\n0102;2026;18+;5\n0102;2026;insgesamt;10\n"
    )
    checked = check_file(db, "bevoelkerung", _write(tmp_path, "bev.csv", text))
    sums = [p for p in checked.warnings if "Altersgruppen" in p.message]
    assert len(sums) == 1 and sums[0].row == 4 and "ergeben 30 Personen" in sums[0].message
    assert checked.ok  # a warning does not block


def test_versions_compare_per_area(db, tmp_path):
    from planning.repository import active_versions, get_layout
    from planning.versions import compare_versions

    before = active_versions(db, get_layout(db).id)["kitas"].id
    # K1 in 0101 grows from 40 to 55 places, K3 (0201) is gone, a new Kita opens in 0102
    p = _write(
        tmp_path, "k.csv", HEADER + "\nK1;Kita Eins;;0101;;;55;10;45;;\nK4;Kita Vier;;0102;;;30;;30;;\n"
    )
    vid, _ = _import(db, tmp_path, "kitas", p)
    diff = compare_versions(db, "kitas", before, vid).set_index("gebiet_id")
    assert diff.loc["0101", "differenz"] == 15 and diff.loc["0101", "status"] == "geändert"
    assert diff.loc["0201", "status"] == "entfallen"
    assert diff.loc["0102", "alt"] == 20 and diff.loc["0102", "neu"] == 30  # K2 (planned) counted as listed


def test_an_earlier_version_can_be_made_active_again(db, tmp_path, capsys):
    from planning.repository import active_versions, get_layout

    first = active_versions(db, get_layout(db).id)["kitas"].id
    _import(db, tmp_path, "kitas", _write(tmp_path, "k.csv", HEADER + "\nK9;Kita Neu;;0102;;;10;;10;;\n"))
    assert load_planning_data(db).kitas["kita_id"].tolist() == ["K9"]
    url = db.url.render_as_string(hide_password=False)
    assert main(["--db", url, "activate", str(first)]) == 0
    assert sorted(load_planning_data(db).kitas["kita_id"]) == ["K1", "K2", "K3"]
    assert main(["--db", url, "activate", "999"]) == 1
    assert "gibt es nicht" in capsys.readouterr().err


def test_double_encoded_umlauts_are_flagged(db, tmp_path):
    """UTF-8 read as Windows-1252 and saved again ("BÃ¤renhÃ¶hle"): imported, but with a warning."""
    text = HEADER + "\nK7;Kita Bärenhöhle;;0101;;;30;10;20;;\n"
    p = tmp_path / "mojibake.csv"
    p.write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))
    checked = check_file(db, "kitas", p)
    assert any("doppelt kodiert" in w.message and w.file == "mojibake.csv" for w in checked.warnings)
