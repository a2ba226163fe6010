"""Workbooks that cannot be inflated: the reader streams real cells and ignores the declared size.

The issue's attack: a 5 KB sheet declaring ``<dimension ref="A1:XFD1048576"/>`` with one cell in
row 1,048,576 made openpyxl pad 17 billion cells (MemoryError; 0.3 → 3.5 GB in the app). Built here
by hand, read in a child process under an address-space limit, and memory measured. Broken
archives (falsified CRC, truncated) end in German messages, never a traceback.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from planning.imports.problems import InputFileError
from planning.imports.readers import MAX_XLSX_COLUMNS, read_table

PROJECT = Path(__file__).resolve().parents[2]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Kitas" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(rows: dict[int, list[tuple[str, str]]], dimension: str = "A1:XFD1048576") -> bytes:
    """A minimal XLSX: ``rows`` maps a row number to (column letters, text) cells."""
    body = "".join(
        f'<row r="{n}">' + "".join(_cell(f"{col}{n}", text) for col, text in cells) + "</row>"
        for n, cells in sorted(rows.items())
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


BOMB_ROWS = {
    1: [("A", "kita_id"), ("B", "name")],
    2: [("A", "K1"), ("B", "Kita Nord")],
    1_048_576: [("A", "K2"), ("B", "Kita ganz unten")],
}


def test_the_dimension_bomb_is_small_and_reads_in_bounded_memory(tmp_path):
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(workbook(BOMB_ROWS))
    assert path.stat().st_size < 5 * 1024  # the attack fits in an e-mail signature
    # A child process with 1.5 GB of address space (the old reader needed terabytes): it must
    # read the table and report its peak of Python allocations.
    script = textwrap.dedent(
        f"""
        import resource, sys, tracemalloc
        sys.path.insert(0, {str(PROJECT)!r})
        from planning.imports.readers import read_table
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))
        tracemalloc.start()
        raw = read_table({str(path)!r})
        peak = tracemalloc.get_traced_memory()[1]
        print(raw.frame.shape[0], raw.line_numbers[-1], raw.frame.iloc[-1, 1], peak, sep="|")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=PROJECT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows, last_line, last_name, peak = done.stdout.strip().splitlines()[-1].split("|")
    assert int(rows) == 2 and int(last_line) == 1_048_576  # the row keeps the number the user sees
    assert last_name == "Kita ganz unten"
    assert int(peak) < 20 * 2**20, f"Spitze {int(peak) / 2**20:.0f} MB"


def test_a_cell_far_to_the_right_is_refused_by_the_real_width(tmp_path):
    path = tmp_path / "breit.xlsx"
    path.write_bytes(workbook({1: [("A", "kita_id"), ("XFD", "x")]}))
    with pytest.raises(InputFileError, match=f"Spalte 16384; gelesen werden höchstens {MAX_XLSX_COLUMNS}"):
        read_table(path)


def test_a_declared_small_dimension_does_not_hide_real_cells(tmp_path):
    path = tmp_path / "klein.xlsx"
    path.write_bytes(workbook({1: [("A", "a"), ("B", "b")], 2: [("A", "1"), ("C", "3")]}, dimension="A1:A1"))
    raw = read_table(path)
    assert list(raw.frame.columns[:2]) == ["a", "b"] and raw.frame.iloc[0, 2] == "3"


def _falsified_crc(tmp_path: Path) -> Path:
    data = bytearray(workbook(BOMB_ROWS))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    at = data.find(b"xl/worksheets/sheet1.xml")  # local header: CRC-32 sits 16 bytes after its start
    header = at - 30
    assert data[header : header + 4] == b"PK\x03\x04"
    data[header + 14 : header + 18] = (info.CRC ^ 0xFFFFFFFF).to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")  # the central directory: find the sheet's entry
    while central != -1:
        name_len = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            data[central + 16 : central + 20] = (info.CRC ^ 0xFFFFFFFF).to_bytes(4, "little")
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path = tmp_path / "crc.xlsx"
    path.write_bytes(bytes(data))
    return path


def test_a_falsified_checksum_is_a_german_message(tmp_path):
    path = _falsified_crc(tmp_path)
    with zipfile.ZipFile(path) as zf, pytest.raises(zipfile.BadZipFile, match="CRC"):
        zf.read("xl/worksheets/sheet1.xml")  # the archive really is broken
    with pytest.raises(
        InputFileError, match="beschädigt: ein Inhalt passt nicht zu seiner Prüfsumme"
    ) as caught:
        read_table(path)
    assert "BadZipFile" not in str(caught.value)


def test_a_truncated_workbook_is_a_german_message(tmp_path):
    path = tmp_path / "halb.xlsx"
    path.write_bytes(workbook(BOMB_ROWS)[:-200])
    with pytest.raises(InputFileError, match="Excel-Datei"):
        read_table(path)


def test_a_shapefile_archive_with_a_falsified_checksum_is_a_german_message(tmp_path):
    from geodata.io import VectorFileError, read_vector

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for ext in ("shp", "shx", "dbf", "prj"):
            zf.writestr(f"gebiete.{ext}", b"x" * 2000)
    data = bytearray(buf.getvalue())
    header = data.find(b"PK\x03\x04")
    data[header + 14 : header + 18] = b"\x00\x00\x00\x00"  # CRC of the first member (local header)
    central = data.find(b"PK\x01\x02")
    data[central + 16 : central + 20] = b"\x00\x00\x00\x00"
    path = tmp_path / "gebiete.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(VectorFileError, match="Prüfsumme") as caught:
        read_vector(path)
    assert "CRC-32" not in str(caught.value) or "(CRC)" in str(caught.value)
