"""Reading municipal tables as they really arrive: German CSV exports and Excel sheets.

Every cell is read as text (IDs keep their leading zeros; numbers are parsed later, per field,
with German conventions). The reader finds the encoding (UTF-8 with or without BOM, else
Windows-1252), the separator (``;``, ``,``, tab, ``|``), skips title rows above the header and
footnotes below the table, and remembers the line number of every data row so that each problem
can name the row the user sees in the file. Anything that is not a table (an HTML error page
saved as .csv, an empty file, a binary, an old .xls) is refused with a German message.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geodata.io import ARCHIVE_ERRORS, archive_error, archive_problem
from planning.imports.problems import InputFileError, Problem

MAX_TABLE_BYTES = 100 * 1024 * 1024  # a year's register extract for a large city is a few MB
SEPARATORS = (";", ",", "\t", "|")
_MOJIBAKE = re.compile(r"Ã[¤¶¼„–œŸ\x9f\x84\x96\x9c]|Ã\u0178")
_FOOTNOTE = re.compile(r"^\s*(\*|\d\)|quelle|anmerkung|hinweis|fußnote|fussnote|stand:|©)", re.IGNORECASE)


@dataclass(frozen=True)
class RawTable:
    """A table as text: ``frame`` has one ``str`` column per header cell, NA for empty cells."""

    frame: pd.DataFrame
    file_name: str
    line_numbers: tuple[int, ...]
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    notes: tuple[Problem, ...] = field(default_factory=tuple)
    #: Columns the reader wrote from typed numbers (geodata attributes, coordinates): written the
    #: English way by the reader itself, so they say nothing about the file's number convention.
    typed_columns: tuple[str, ...] = ()
    #: Per-row source column of a column built by reshaping (a wide table's cells): problems name it.
    column_origins: dict[str, tuple[str, ...]] = field(default_factory=dict)


def read_table(
    path: Path | str,
    name: str | None = None,
    sheet: str | int | None = None,
    max_bytes: int = MAX_TABLE_BYTES,
    header: bool = True,
) -> RawTable:
    """Read a CSV or XLSX file into a :class:`RawTable`; raises :class:`InputFileError`."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise InputFileError(Problem("Fehler", "Die Datei wurde nicht gefunden.", name))
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(Problem("Fehler", "Die Datei ist leer.", name))
    if size > max_bytes:
        raise InputFileError(_too_large(size, max_bytes, name))
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"PK\x03\x04"):
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return _read_excel(path, name, sheet, header)
        raise InputFileError(Problem("Fehler", "Die Datei ist ein ZIP-Archiv, keine Tabelle.", name))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            Problem(
                "Fehler",
                "Altes Excel-Format (.xls) wird nicht gelesen – bitte als .xlsx oder CSV speichern.",
                name,
            )
        )
    if _looks_like_html(head):
        raise InputFileError(
            Problem(
                "Fehler",
                "Die Datei ist eine HTML-Seite (zum Beispiel eine Fehler- oder Anmeldeseite des Servers), "
                "keine Tabelle. Bitte die Datei erneut herunterladen.",
                name,
            )
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode-Text" export: UTF-16, tab-separated
        return _read_csv(path.read_bytes().decode("utf-16").encode("utf-8"), name, "UTF-16")
    if b"\x00" in head:
        raise InputFileError(Problem("Fehler", "Die Datei ist keine Textdatei (Binärdaten).", name))
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        raise InputFileError(
            Problem(
                "Fehler",
                "Die Datei ist JSON (z. B. GeoJSON oder Esri JSON), keine Tabelle. Geodaten werden für "
                "Kitas, Schulen und Gebiete gelesen; andere Datenarten bitte als CSV oder Excel liefern.",
                name,
            )
        )
    return _read_csv(path.read_bytes(), name, header=header)


def _too_large(size: int, max_bytes: int, name: str) -> Problem:
    return Problem(
        "Fehler", f"Die Datei ist zu groß ({size / 1e6:.0f} MB; erlaubt sind {max_bytes / 1e6:.0f} MB).", name
    )


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (
        text.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or b"<html" in text[:1024]
        or (b"<head>" in text[:2048] and b"<body" in text)
    )


def _decode(data: bytes, name: str, declared: str | None = None) -> tuple[str, str, list[Problem]]:
    notes: list[Problem] = []
    if declared:
        return (
            data.decode("utf-8"),
            declared,
            [Problem("Hinweis", f"Zeichenkodierung {declared} erkannt.", name)],
        )
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "ISO-8859-1"
        notes.append(Problem("Hinweis", f"Zeichenkodierung {encoding} erkannt.", name))
    if _MOJIBAKE.search(text):
        notes.append(
            Problem(
                "Warnung",
                "Umlaute sehen doppelt kodiert aus (z. B. „Ã¤“ statt „ä“). Die Datei "
                "wurde vermutlich falsch gespeichert; Namen bitte prüfen.",
                name,
            )
        )
    return text, encoding, notes


def _detect_separator(lines: list[str]) -> str:
    sample = [ln for ln in lines[:50] if ln.strip()]
    best, best_score = ",", -1.0
    for sep in SEPARATORS:
        try:
            counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in sample]
        except csv.Error:  # e.g. a field longer than the csv limit: not this separator's table
            continue
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = freq * width**0.5
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_csv(data: bytes, name: str, declared_encoding: str | None = None, header: bool = True) -> RawTable:
    text, encoding, notes = _decode(data, name, declared_encoding)
    lines = text.splitlines()
    if not any(ln.strip() for ln in lines):
        raise InputFileError(Problem("Fehler", "Die Datei enthält keine Zeilen.", name))
    sep = _detect_separator(lines)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputFileError(
            Problem("Fehler", f"Die CSV-Struktur ist fehlerhaft ({exc}).", name, reader.line_num)
        ) from None
    frame, numbers, more = _tabulate(rows, name, header)
    return RawTable(frame, name, numbers, encoding, sep, None, tuple(notes + more))


#: An XLSX is a zip of XML; a real sheet packs 5–30:1, a crafted one thousands to one.
MAX_XLSX_EXPANDED = 500 * 1024 * 1024
MAX_XLSX_RATIO = 1000


#: Limits from the real cells of a sheet (the declared ``<dimension>`` is ignored: a 5 KB file may
#: declare A1:XFD1048576). Far beyond any municipal table, far below what exhausts a server.
MAX_XLSX_COLUMNS = 1_000
MAX_XLSX_CELLS = 10_000_000


def _read_excel(path: Path, name: str, sheet: str | int | None, header: bool = True) -> RawTable:
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
        try:
            rows = _real_rows(ws, name)
        except ARCHIVE_ERRORS as exc:
            raise InputFileError(
                Problem("Fehler", archive_error(exc, name, "Die Excel-Datei").removeprefix(f"{name}: "), name)
            ) from None
        title = ws.title
    finally:
        wb.close()
    if not rows:
        raise InputFileError(Problem("Fehler", "Das Tabellenblatt ist leer.", name))
    frame, numbers, notes = _tabulate(rows, name, header)
    return RawTable(frame, name, numbers, None, None, title, tuple(notes))


def _real_rows(ws: Any, name: str) -> list[tuple[int, list[str]]]:
    """The sheet's non-empty rows with their row numbers, built from the cells really stored.

    openpyxl's row iteration pads every row to the declared width and yields every row up to the
    declared height: a sheet declaring A1:XFD1048576 with one cell in its last row becomes 17
    billion cells. Here the sheet's XML is streamed cell by cell (openpyxl's own parser, read-only
    workbook), empty rows cost nothing, and the limits count real cells and real columns.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    rows: list[tuple[int, list[str]]] = []
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
                        f"Das Tabellenblatt hat mehr als {MAX_XLSX_CELLS:,} gefüllte Zellen; so große "
                        "Tabellen bitte als CSV liefern.".replace(",", "."),
                        name,
                    )
                )
            values = [""] * width
            for col, value in filled:
                values[col - 1] = _excel_text(value)
            rows.append((number, values))
    return rows


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


def _tabulate(
    rows: list[tuple[int, list[str]]], name: str, has_header: bool = True
) -> tuple[pd.DataFrame, tuple[int, ...], list[Problem]]:
    """Find the header row, drop title rows above and footnotes below; build a text frame."""
    notes: list[Problem] = []
    filled = [(ln, [c.strip() for c in r]) for ln, r in rows]
    nonempty = [(ln, r) for ln, r in filled if sum(bool(c) for c in r) > 0]
    if not nonempty:
        raise InputFileError(Problem("Fehler", "Die Datei enthält keine Werte.", name))
    width = Counter(sum(bool(c) for c in r) for _, r in nonempty if sum(bool(c) for c in r) > 1)
    if not width:
        raise InputFileError(
            Problem(
                "Fehler",
                "Keine Tabelle erkannt: jede Zeile hat höchstens einen Wert. Ist das Trennzeichen richtig "
                "(erwartet: Semikolon, Komma oder Tabulator)?",
                name,
            )
        )
    typical = width.most_common(1)[0][0]
    header_pos = next(
        i for i, (_, r) in enumerate(nonempty) if sum(bool(c) for c in r) >= max(2, typical * 0.6)
    )
    if header_pos:
        notes.append(Problem("Hinweis", f"{header_pos} Titelzeile(n) über der Kopfzeile übersprungen.", name))
    if has_header:
        header = nonempty[header_pos][1]
        body = nonempty[header_pos + 1 :]
    else:  # a table without header row (hand-made tables): columns are "Spalte 1", "Spalte 2", …
        header, body = [], nonempty[header_pos:]
    # Footnotes: trailing rows with a single value or a footnote marker.
    while body and (sum(bool(c) for c in body[-1][1]) <= 1 or _FOOTNOTE.match(body[-1][1][0] or "")):
        body.pop()
        if not any(n.message.startswith("Fußnoten") for n in notes):
            notes.append(Problem("Hinweis", "Fußnoten unter der Tabelle übersprungen.", name))
    ncol = max([len(header), *(len(r) for _, r in body)]) if body else len(header)
    columns = _unique_columns(
        [h.lstrip("\ufeff").strip().strip('"') for h in header] + [""] * (ncol - len(header))
    )
    data = [r + [""] * (ncol - len(r)) for _, r in body]
    frame = (
        pd.DataFrame(data, columns=columns, dtype="str")
        if data
        else pd.DataFrame(columns=columns, dtype="str")
    )
    frame = frame.replace({"": pd.NA})
    # Drop trailing unnamed columns that are entirely empty (a frequent Excel export artefact).
    empty_unnamed = [c for c in frame.columns if c.startswith("Spalte ") and frame[c].isna().all()]
    frame = frame.drop(columns=empty_unnamed)
    return frame, tuple(ln for ln, _ in body), notes


def _unique_columns(names: list[str]) -> list[str]:
    out: list[str] = []
    seen: Counter[str] = Counter()
    for i, n in enumerate(names, start=1):
        n = n or f"Spalte {i}"
        seen[n] += 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out
