"""Excel sheets (.xlsx) read from the cells really stored, never from the declared dimension: a
5 KB workbook may declare A1:XFD1048576 (issue 20). Every cell becomes text as a German Excel shows it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from geodata.io import ARCHIVE_ERRORS, archive_error, archive_problem
from planning.formatting import number as german_number
from planning.imports.problems import InputFileError, Problem
from planning.imports.rawtable import RawTable, Rows, tabulate

#: An XLSX is a zip of XML; a real sheet packs 5–30:1, a crafted one thousands to one.
MAX_XLSX_EXPANDED = 500 * 1024 * 1024
MAX_XLSX_RATIO = 1000


#: Limits from the real cells of a sheet (the declared ``<dimension>`` is ignored: a 5 KB file may
#: declare A1:XFD1048576). Far beyond any municipal table, far below what exhausts a server.
MAX_XLSX_COLUMNS = 1_000
MAX_XLSX_CELLS = 10_000_000
#: Rows read beyond a preview's ``head``: title rows above the header.
HEAD_EXTRA_ROWS = 50


def read_excel(
    path: Path,
    name: str,
    sheet: str | int | None,
    header: bool = True,
    compact: bool = False,
    head: int | None = None,
) -> RawTable:
    """The sheet (first, by name or by position) as text; ``head``: only its first rows."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as zf:
            problem = archive_problem(
                zf, name, max_members=10_000, max_expanded=MAX_XLSX_EXPANDED, max_ratio=MAX_XLSX_RATIO
            )
    except ARCHIVE_ERRORS as exc:
        problem = archive_error(exc, name, "Die Excel-Datei")
    if problem:
        raise InputFileError(Problem("Fehler", problem.removeprefix(f"{name}: "), name))
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except ARCHIVE_ERRORS as exc:
        raise InputFileError(
            Problem("Fehler", archive_error(exc, name, "Die Excel-Datei").removeprefix(f"{name}: "), name)
        ) from None
    except Exception as exc:  # any parser failure is a problem of the file, reported in German
        raise InputFileError(
            Problem("Fehler", f"Die Excel-Datei kann nicht gelesen werden ({type(exc).__name__}).", name)
        ) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb[names[0]]
        elif isinstance(sheet, int):
            ws = wb[names[sheet]]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise InputFileError(
                Problem("Fehler", f"Tabellenblatt „{sheet}“ fehlt; vorhanden: {', '.join(names)}.", name)
            )
        rows = Rows()
        try:
            stored = _real_rows(ws, name, rows, None if head is None else head + HEAD_EXTRA_ROWS)
        except ARCHIVE_ERRORS as exc:
            raise InputFileError(
                Problem("Fehler", archive_error(exc, name, "Die Excel-Datei").removeprefix(f"{name}: "), name)
            ) from None
        title = ws.title
    finally:
        wb.close()
    if not stored:
        raise InputFileError(Problem("Fehler", "Das Tabellenblatt ist leer.", name))
    frame, numbers, notes = tabulate(rows, name, header, compact)
    if head is not None:
        frame, numbers = frame.head(head), numbers[:head]
    return RawTable(frame, name, numbers, None, None, title, tuple(notes))


def _real_rows(ws: Any, name: str, rows: Rows, limit: int | None = None) -> int:
    """Add the sheet's non-empty rows with their row numbers to ``rows``, built from the cells
    really stored; returns how many rows had a stored value (at most ``limit``, then it stops).

    openpyxl's row iteration pads every row to the declared width and yields every row up to the
    declared height: a sheet declaring A1:XFD1048576 with one cell in its last row becomes 17
    billion cells. Here the sheet's XML is streamed cell by cell (openpyxl's own parser, read-only
    workbook), empty rows cost nothing, and the limits count real cells and real columns.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    stored = 0
    cells = 0
    with ws._get_source() as src:
        parser = WorkSheetParser(
            src,
            wb.shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for number, row in parser.parse():
            filled = [(c["column"], c["value"]) for c in row if c["value"] is not None and c["value"] != ""]
            if not filled:
                continue
            width = max(col for col, _ in filled)
            if width > MAX_XLSX_COLUMNS:
                raise InputFileError(
                    Problem(
                        "Fehler",
                        f"Zeile {number} hat einen Wert in Spalte {width}; gelesen werden höchstens "
                        f"{MAX_XLSX_COLUMNS} Spalten. Bitte nur die Tabelle liefern.",
                        name,
                        number,
                    )
                )
            cells += len(filled)
            if cells > MAX_XLSX_CELLS:
                raise InputFileError(
                    Problem(
                        "Fehler",
                        f"Das Tabellenblatt hat mehr als {german_number(MAX_XLSX_CELLS)} gefüllte Zellen; so "
                        "große Tabellen bitte als CSV liefern.",
                        name,
                    )
                )
            values = [""] * width
            for col, value in filled:
                values[col - 1] = _excel_text(value)
            rows.add(number, values)
            stored += 1
            if limit is not None and stored >= limit:
                break
    return stored


def _excel_text(v: object) -> str:
    """A cell as text. Excel's own numbers are written the German way (``12,5``), as a German Excel
    shows them: text cells of the same sheet (``1.234`` typed as text) then read alike, never as 1,234."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        import numpy as np

        return np.format_float_positional(v, trim="-").replace(".", ",")
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")  # type: ignore[union-attr]
    return str(v)
