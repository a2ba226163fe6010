"""The Import page's column preview reads only the head of a file (issue 20), and
planning.imports.service writes what the CLI and the page check (issue 21)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from planning.imports.problems import InputFileError
from planning.imports.readers import HEAD_BYTES, read_table
from planning.imports.service import NewLayout, check_file, check_stamp, write_file
from planning.imports.writer import VersionMeta, hash_file
from planning.imports.xlsx import MAX_XLSX_COLUMNS


def test_a_csv_head_is_read_from_the_first_block_only(tmp_path):
    """Past the first block the file turns Windows-1252 (an 'ä' as one byte): the whole file reads
    as Windows-1252, its head as UTF-8: the head never saw the rest. Title row and lines as in the file."""
    path = tmp_path / "geburten.csv"
    rows = [f"01{i:05d};2024;{i % 50}" for i in range(HEAD_BYTES // 10)]
    text = "Geburten 2024\ngebiet_id;jahr;anzahl\n" + "\n".join(rows) + "\n"
    path.write_bytes(text.encode("utf-8") + "0999999;2024;Hinweis für Stadtteil ä\n".encode("cp1252"))
    assert path.stat().st_size > HEAD_BYTES
    head = read_table(path, head=20)
    assert list(head.frame.columns) == ["gebiet_id", "jahr", "anzahl"]
    assert head.frame["gebiet_id"].tolist() == [f"01{i:05d}" for i in range(20)]
    assert list(head.line_numbers) == list(range(3, 23))
    assert head.encoding == "UTF-8"
    assert "1 Titelzeile(n) über der Kopfzeile übersprungen." in {n.message for n in head.notes}
    whole = read_table(path)
    assert whole.encoding == "Windows-1252" and len(whole.frame) == len(rows) + 1


def test_a_sheet_head_stops_before_a_row_the_whole_read_refuses(tmp_path):
    """Row 500 has a value in column 1,001: reading the sheet refuses it, its head never gets there."""
    wb = Workbook()
    ws = wb.active
    ws.append(["gebiet_id", "jahr", "anzahl"])
    for i in range(400):
        ws.append([f"01{i:02d}", 2024, i])
    ws.cell(row=500, column=MAX_XLSX_COLUMNS + 1, value="x")
    path = tmp_path / "geburten.xlsx"
    wb.save(path)
    head = read_table(path, head=20)
    assert head.frame["anzahl"].tolist() == [str(i) for i in range(20)]
    assert list(head.line_numbers) == list(range(2, 22))
    with pytest.raises(InputFileError, match="Spalte 1001"):
        read_table(path)


def _births(path: Path, n: int) -> Path:
    path.write_text("gebiet_id;jahr;anzahl\n" + "".join(f"{g};2026;{n}\n" for g in ("0101", "0102", "0201")))
    return path


def test_write_file_writes_what_check_file_checked_and_changes_the_check_stamp(tiny_engine, tmp_path):
    """The path of the CLI and the Import page: check, write; the stamp a cached check is keyed on
    changes with the import, and the same file again is refused."""
    path = _births(tmp_path / "geburten_2026.csv", 7)
    before = check_stamp(tiny_engine)
    checked = check_file(tiny_engine, "geburten", path)
    assert checked.ok, checked.problems
    meta = VersionMeta(
        source="Standesamt", licence="intern", stand=dt.date(2026, 12, 31), file_hash=hash_file(path)
    )
    vid = write_file(tiny_engine, checked, meta)
    after = check_stamp(tiny_engine)
    assert before != after and ("geburten", vid) in after[1]
    assert check_stamp(tiny_engine) == after  # nothing written, nothing changed
    with pytest.raises(InputFileError, match=r"bereits .* importiert"):
        write_file(tiny_engine, check_file(tiny_engine, "geburten", path), meta)


def test_new_layout_from_typed_fields():
    assert NewLayout.from_text(" s2030 ", "", "Stadtbezirk, Planungsraum,") == NewLayout(
        "s2030", None, ("Stadtbezirk", "Planungsraum")
    )
    assert NewLayout.from_text("", None, None) == NewLayout()


def test_an_area_file_becomes_the_gebietsstand_new_layout_names(empty_engine, tmp_path):
    """What the Import page types for a new Gebietsstand (code, Kommune, Ebenen) reaches the layout
    through import_file, the one path of the page and ``python -m planning import gebiete``."""
    import geopandas as gpd
    from shapely.geometry import box

    from planning.imports.service import import_file
    from planning.repository import get_layout

    x, y = 500_000, 5_900_000
    gdf = gpd.GeoDataFrame(
        {"gebiet_id": ["01", "02"], "name": ["Nord", "Süd"]},
        geometry=[box(x, y, x + 1000, y + 1000), box(x + 1000, y, x + 2000, y + 1000)],
        crs=25832,
    )
    path = tmp_path / "gebiete.gpkg"
    gdf.to_file(path, driver="GPKG")
    meta = VersionMeta(source="Vermessung", licence="intern")
    layout = NewLayout.from_text("stadt-2026", "Kleinstadt", "Stadtteil")
    vid, checked = import_file(empty_engine, "gebiete", path, meta, new_layout=layout)
    assert checked.ok and vid
    info = get_layout(empty_engine, "stadt-2026")
    assert (info.municipality, info.levels) == ("Kleinstadt", ("Stadtteil",))
