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
import re
import zipfile
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from geodata.io import ARCHIVE_ERRORS, archive_error, archive_problem
from planning.formatting import number as german_number
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
    #: Line (CSV) or row (Excel) number of every frame row: a tuple, or an ``array('q')`` from the
    #: readers (8 bytes a row instead of a Python int each).
    line_numbers: Sequence[int]
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    notes: tuple[Problem, ...] = field(default_factory=tuple)
    #: Columns the reader wrote from typed numbers (geodata attributes, coordinates): written the
    #: English way by the reader itself, so they say nothing about the file's number convention.
    typed_columns: tuple[str, ...] = ()
    #: Per-row source column of a column built by reshaping (a wide table's cells): problems name it.
    column_origins: dict[str, Sequence[str]] = field(default_factory=dict)


def read_table(
    path: Path | str,
    name: str | None = None,
    sheet: str | int | None = None,
    max_bytes: int = MAX_TABLE_BYTES,
    header: bool = True,
    *,
    compact: bool = False,
) -> RawTable:
    """Read a CSV or XLSX file into a :class:`RawTable`; raises :class:`InputFileError`.

    ``compact``: text columns as ``category`` (each distinct text once, codes of 1–4 bytes a row)
    instead of ``str``: what the check reads, so a 100 MB register extract stays far below 1 GB.
    """
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
            return _read_excel(path, name, sheet, header, compact)
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
        return _read_csv(path, name, "UTF-16", header, compact)
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
    return _read_csv(path, name, None, header, compact)


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


#: Rows per chunk while a table is collected: each chunk becomes compact Arrow text columns at once,
#: so memory grows with the cells' text, not with Python objects per cell (a 94 MB CSV had taken
#: 6.1 GB as lists of strings).
CHUNK_ROWS = 50_000
#: The raw cells stay in Arrow (about the text's own size), not the Python strings planning/__init__
#: chooses for the pages' small frames: a Python string costs some 50 bytes a cell.
RAW_TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))
_SCAN_BLOCK = 1 << 22


@dataclass
class _Scan:
    """What one streaming pass over the decoded text finds, without keeping the text."""

    mojibake: bool = False
    has_text: bool = False
    head: list[str] = field(default_factory=list)  # the first lines, for the separator


def _scan(path: Path, codec: str) -> _Scan:
    """Decode the whole file block by block (raises ``UnicodeDecodeError``), keeping only its head."""
    import codecs

    decoder = codecs.getincrementaldecoder(codec)()
    found = _Scan()
    head, tail, head_done = "", "", False
    with path.open("rb") as fh:
        while True:
            block = fh.read(_SCAN_BLOCK)
            text = decoder.decode(block, final=not block)
            if not found.mojibake and _MOJIBAKE.search(tail + text):
                found.mojibake = True
            if not found.has_text and text.strip():
                found.has_text = True
            tail = text[-1:]
            if not head_done:
                head += text
                lines = head.splitlines()
                complete = lines if not block else lines[:-1]  # the last line may go on
                if not block or sum(1 for ln in complete if ln.strip()) >= 50:
                    found.head, head, head_done = complete, "", True
            if not block:
                return found


def _encoding(path: Path, name: str, declared: str | None) -> tuple[str, str, _Scan, list[Problem]]:
    """(Python codec, label, scan, notes): UTF-8 (with or without BOM), else Windows-1252."""
    if declared:  # a BOM said which (UTF-16)
        try:
            scan = _scan(path, declared.lower())
        except UnicodeDecodeError:
            raise InputFileError(
                Problem(
                    "Fehler",
                    f"Die Datei ist als {declared} gekennzeichnet, lässt sich so aber nicht lesen.",
                    name,
                )
            ) from None
        return (
            declared.lower(),
            declared,
            replace(scan, mojibake=False),
            [Problem("Hinweis", f"Zeichenkodierung {declared} erkannt.", name)],
        )
    notes: list[Problem] = []
    try:
        codec, encoding, scan = "utf-8-sig", "UTF-8", _scan(path, "utf-8-sig")
    except UnicodeDecodeError:
        try:
            codec, encoding, scan = "cp1252", "Windows-1252", _scan(path, "cp1252")
        except UnicodeDecodeError:
            codec, encoding, scan = "latin-1", "ISO-8859-1", _scan(path, "latin-1")
        notes.append(Problem("Hinweis", f"Zeichenkodierung {encoding} erkannt.", name))
    if scan.mojibake:
        notes.append(
            Problem(
                "Warnung",
                "Umlaute sehen doppelt kodiert aus (z. B. „Ã¤“ statt „ä“). Die Datei "
                "wurde vermutlich falsch gespeichert; Namen bitte prüfen.",
                name,
            )
        )
    return codec, encoding, scan, notes


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


def _read_csv(
    path: Path, name: str, declared_encoding: str | None = None, header: bool = True, compact: bool = False
) -> RawTable:
    """Stream the file twice: once to find encoding and separator, once through the csv module into
    compact columns (:class:`_Rows`); nothing holds the whole text or a Python object per cell."""
    codec, encoding, scan, notes = _encoding(path, name, declared_encoding)
    if not scan.has_text:
        raise InputFileError(Problem("Fehler", "Die Datei enthält keine Zeilen.", name))
    sep = _detect_separator(scan.head)
    rows = _Rows()
    with path.open(encoding=codec, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        try:
            rows.add_csv(reader)
            rows.release()
        except csv.Error as exc:
            raise InputFileError(
                Problem("Fehler", f"Die CSV-Struktur ist fehlerhaft ({exc}).", name, reader.line_num)
            ) from None
    frame, numbers, more = _tabulate(rows, name, header, compact)
    return RawTable(frame, name, numbers, encoding, sep, None, tuple(notes + more))


#: An XLSX is a zip of XML; a real sheet packs 5–30:1, a crafted one thousands to one.
MAX_XLSX_EXPANDED = 500 * 1024 * 1024
MAX_XLSX_RATIO = 1000


#: Limits from the real cells of a sheet (the declared ``<dimension>`` is ignored: a 5 KB file may
#: declare A1:XFD1048576). Far beyond any municipal table, far below what exhausts a server.
MAX_XLSX_COLUMNS = 1_000
MAX_XLSX_CELLS = 10_000_000


def _read_excel(
    path: Path, name: str, sheet: str | int | None, header: bool = True, compact: bool = False
) -> RawTable:
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
        rows = _Rows()
        try:
            stored = _real_rows(ws, name, rows)
        except ARCHIVE_ERRORS as exc:
            raise InputFileError(
                Problem("Fehler", archive_error(exc, name, "Die Excel-Datei").removeprefix(f"{name}: "), name)
            ) from None
        title = ws.title
    finally:
        wb.close()
    if not stored:
        raise InputFileError(Problem("Fehler", "Das Tabellenblatt ist leer.", name))
    frame, numbers, notes = _tabulate(rows, name, header, compact)
    return RawTable(frame, name, numbers, None, None, title, tuple(notes))


def _real_rows(ws: Any, name: str, rows: _Rows) -> int:
    """Add the sheet's non-empty rows with their row numbers to ``rows``, built from the cells
    really stored; returns how many rows had a stored value.

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


class _Rows:
    """The non-empty rows of a table as they are read, in chunks of :data:`CHUNK_ROWS`.

    Each chunk is turned at once into Arrow text columns (cells stripped, "" as null) and numpy
    arrays of line numbers, filled-cell counts and row lengths; the Python lists of a chunk are
    dropped right after. Stripping and counting run in Arrow, not per cell in Python.
    """

    def __init__(self) -> None:
        self._pending: list[list[str]] = []
        self._pending_lines: list[int] = []
        self._columns: list[list[Any]] = []  # per chunk: one pyarrow array per column position
        self._lines: list[Any] = []
        self._filled: list[Any] = []
        self._lengths: list[Any] = []
        self._starts: list[int] = [0]

    def __len__(self) -> int:
        self._flush()
        return self._starts[-1]

    def add(self, line: int, cells: list[str]) -> None:
        self._pending.append(cells)
        self._pending_lines.append(line)
        if len(self._pending) >= CHUNK_ROWS:
            self._flush()

    def add_csv(self, reader: Any) -> None:
        """Every row of a ``csv.reader`` with its (first) line number in the file."""
        for row in reader:
            self._pending.append(row)
            self._pending_lines.append(reader.line_num)
            if len(self._pending) >= CHUNK_ROWS:
                self._flush()

    def _flush(self) -> None:
        import itertools

        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        rows, lines = self._pending, self._pending_lines
        if not rows:
            return
        self._pending, self._pending_lines = [], []
        lengths = np.fromiter(map(len, rows), dtype=np.int32, count=len(rows))
        columns = [
            pc.utf8_trim_whitespace(pa.array(cells, type=pa.large_string()))
            for cells in itertools.zip_longest(*rows, fillvalue="")
        ]
        del rows
        filled = np.zeros(len(lengths), dtype=np.int32)
        for col in columns:
            filled += pc.not_equal(col, "").to_numpy(zero_copy_only=False)
        keep = filled > 0
        if not keep.any():
            return
        if not keep.all():
            mask = pa.array(keep)
            columns = [col.filter(mask) for col in columns]
        null = pa.scalar(None, pa.large_string())
        # Dictionary-encoded: a register extract repeats its ids, years, ages and counts, so a chunk's
        # column is its distinct texts plus 4 bytes a row.
        self._columns.append(
            [pc.if_else(pc.equal(col, ""), null, col).dictionary_encode() for col in columns]
        )
        self._lines.append(np.asarray(lines, dtype=np.int64)[keep])
        self._filled.append(filled[keep])
        self._lengths.append(lengths[keep])
        self._starts.append(self._starts[-1] + int(keep.sum()))

    def release(self) -> None:
        """Flush, and give memory freed while reading back to the system (Arrow's allocator keeps it)."""
        import pyarrow as pa

        self._flush()
        pa.default_memory_pool().release_unused()

    def arrays(self) -> tuple[Any, Any, Any]:
        """Line numbers, filled-cell counts and lengths of all rows (numpy arrays)."""
        import numpy as np

        self._flush()
        if not self._lines:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty.astype(np.int32), empty.astype(np.int32)
        done = np.concatenate(self._lines), np.concatenate(self._filled), np.concatenate(self._lengths)
        self._lines, self._filled, self._lengths = [done[0]], [done[1]], [done[2]]  # chunks let go
        return done

    def row(self, i: int, length: int) -> list[str]:
        """Row ``i`` (position among the non-empty rows) as ``length`` text cells, "" where empty."""
        import bisect

        self._flush()
        k = bisect.bisect_right(self._starts, i) - 1
        cells = [col[i - self._starts[k]].as_py() or "" for col in self._columns[k]]
        return (cells + [""] * length)[:length]

    def column(self, j: int, start: int, stop: int, compact: bool = False) -> pd.Series:
        """Cells of position ``j`` in rows ``start:stop`` as a text Series (NA where empty); with
        ``compact`` as a ``category`` Series (codes of 1–4 bytes a row, each distinct text once)."""
        import numpy as np
        import pyarrow as pa

        self._flush()
        kind = pa.dictionary(pa.int32(), pa.large_string())
        parts = []
        for k, chunk in enumerate(self._columns):
            first, size = self._starts[k], self._starts[k + 1] - self._starts[k]
            lo, hi = max(start - first, 0), min(stop - first, size)
            if lo >= hi:
                continue
            part = chunk[j] if j < len(chunk) else pa.nulls(size, pa.large_string()).dictionary_encode()
            parts.append(part.slice(lo, hi - lo))
        data = pa.chunked_array(parts, type=kind)
        if not compact:
            text = pa.chunked_array([p.dictionary_decode() for p in data.chunks], type=pa.large_string())
            return pd.Series(pd.array(text, dtype=RAW_TEXT))
        data = data.unify_dictionaries()
        words = data.chunk(0).dictionary if data.num_chunks else pa.array([], pa.large_string())
        codes = np.concatenate(
            [p.indices.fill_null(-1).to_numpy() for p in data.chunks] or [np.zeros(0, dtype=np.int32)]
        )
        categories = pd.CategoricalDtype(pd.Index(pd.array(words, dtype=RAW_TEXT)))
        return pd.Series(pd.Categorical.from_codes(codes, dtype=categories))


def _typical_width(filled: Any) -> int | None:
    """The most frequent count of filled cells among rows with more than one (ties: the first seen)."""
    import numpy as np

    wide = filled[filled > 1]
    if not len(wide):
        return None
    counts = np.bincount(wide)
    best = np.flatnonzero(counts == counts.max())
    if len(best) == 1:
        return int(best[0])
    return int(min(best, key=lambda w: int(np.argmax(wide == w))))


def _tabulate(
    rows: _Rows, name: str, has_header: bool = True, compact: bool = False
) -> tuple[pd.DataFrame, Sequence[int], list[Problem]]:
    """Find the header row, drop title rows above and footnotes below; build a text frame.

    Returns the frame, the line numbers of its rows (an ``array('q')``: 8 bytes a row) and notes.
    """
    import numpy as np

    notes: list[Problem] = []
    if not len(rows):
        raise InputFileError(Problem("Fehler", "Die Datei enthält keine Werte.", name))
    lines, filled, row_lengths = rows.arrays()
    typical = _typical_width(filled)
    if typical is None:
        raise InputFileError(
            Problem(
                "Fehler",
                "Keine Tabelle erkannt: jede Zeile hat höchstens einen Wert. Ist das Trennzeichen richtig "
                "(erwartet: Semikolon, Komma oder Tabulator)?",
                name,
            )
        )
    header_pos = int(np.argmax(filled >= max(2, typical * 0.6)))
    if header_pos:
        notes.append(Problem("Hinweis", f"{header_pos} Titelzeile(n) über der Kopfzeile übersprungen.", name))
    header = rows.row(header_pos, int(row_lengths[header_pos])) if has_header else []
    start = header_pos + 1 if has_header else header_pos
    stop = len(rows)
    # Footnotes: trailing rows with a single value or a footnote marker.
    while stop > start and (filled[stop - 1] <= 1 or _FOOTNOTE.match(rows.row(stop - 1, 1)[0])):
        stop -= 1
        if not any(n.message.startswith("Fußnoten") for n in notes):
            notes.append(Problem("Hinweis", "Fußnoten unter der Tabelle übersprungen.", name))
    lengths = row_lengths[start:stop]
    ncol = max(len(header), int(lengths.max()) if len(lengths) else 0)
    columns = _unique_columns(
        [h.lstrip("\ufeff").strip().strip('"') for h in header] + [""] * (ncol - len(header))
    )
    frame = pd.DataFrame({c: rows.column(j, start, stop, compact) for j, c in enumerate(columns)})
    if not len(columns):
        frame = pd.DataFrame(columns=columns, dtype=RAW_TEXT)
    # Drop trailing unnamed columns that are entirely empty (a frequent Excel export artefact).
    empty_unnamed = [c for c in frame.columns if c.startswith("Spalte ") and frame[c].isna().all()]
    frame = frame.drop(columns=empty_unnamed)
    numbers = array("q")
    numbers.frombytes(memoryview(lines[start:stop]).cast("B"))  # no copy through bytes
    return frame, numbers, notes


def _unique_columns(names: list[str]) -> list[str]:
    out: list[str] = []
    seen: Counter[str] = Counter()
    for i, n in enumerate(names, start=1):
        n = n or f"Spalte {i}"
        seen[n] += 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out
