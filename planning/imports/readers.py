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
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from planning.imports.problems import InputFileError, Problem
from planning.imports.rawtable import CHUNK_ROWS, RAW_TEXT, RawTable, Rows, tabulate
from planning.imports.xlsx import MAX_XLSX_CELLS, MAX_XLSX_COLUMNS, read_excel

__all__ = [
    "CHUNK_ROWS",
    "MAX_TABLE_BYTES",
    "MAX_XLSX_CELLS",
    "MAX_XLSX_COLUMNS",
    "RAW_TEXT",
    "RawTable",
    "read_table",
]

MAX_TABLE_BYTES = 100 * 1024 * 1024  # a year's register extract for a large city is a few MB
SEPARATORS = (";", ",", "\t", "|")
_MOJIBAKE = re.compile(r"Ã[¤¶¼„–œŸ\x9f\x84\x96\x9c]|Ã\u0178")


def read_table(
    path: Path | str,
    name: str | None = None,
    sheet: str | int | None = None,
    max_bytes: int = MAX_TABLE_BYTES,
    header: bool = True,
    *,
    compact: bool = False,
    head: int | None = None,
) -> RawTable:
    """Read a CSV or XLSX file into a :class:`RawTable`; raises :class:`InputFileError`.

    ``compact``: text columns as ``category`` (each distinct text once, codes of 1–4 bytes a row)
    instead of ``str``: what the check reads, so a 100 MB register extract stays far below 1 GB.
    ``head``: only the first ``head`` data rows, for a preview: a CSV is read from its first
    :data:`HEAD_BYTES`, a sheet up to a few rows more than asked (title rows), never the whole file.
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
        first = fh.read(8192)
    if first.startswith(b"PK\x03\x04"):
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return read_excel(path, name, sheet, header, compact, head)
        raise InputFileError(Problem("Fehler", "Die Datei ist ein ZIP-Archiv, keine Tabelle.", name))
    if first.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            Problem(
                "Fehler",
                "Altes Excel-Format (.xls) wird nicht gelesen – bitte als .xlsx oder CSV speichern.",
                name,
            )
        )
    if _looks_like_html(first):
        raise InputFileError(
            Problem(
                "Fehler",
                "Die Datei ist eine HTML-Seite (zum Beispiel eine Fehler- oder Anmeldeseite des Servers), "
                "keine Tabelle. Bitte die Datei erneut herunterladen.",
                name,
            )
        )
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode-Text" export: UTF-16, tab-separated
        return _read_csv(path, name, "UTF-16", header, compact, head)
    if b"\x00" in first:
        raise InputFileError(Problem("Fehler", "Die Datei ist keine Textdatei (Binärdaten).", name))
    if first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        raise InputFileError(
            Problem(
                "Fehler",
                "Die Datei ist JSON (z. B. GeoJSON oder Esri JSON), keine Tabelle. Geodaten werden für "
                "Kitas, Schulen und Gebiete gelesen; andere Datenarten bitte als CSV oder Excel liefern.",
                name,
            )
        )
    return _read_csv(path, name, None, header, compact, head)


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
    path: Path,
    name: str,
    declared_encoding: str | None = None,
    header: bool = True,
    compact: bool = False,
    head: int | None = None,
) -> RawTable:
    """Stream the file twice: once to find encoding and separator, once through the csv module into
    compact columns (:class:`~planning.imports.rawtable.Rows`); nothing holds the whole text or a
    Python object per cell. With ``head``, only the file's first block is read (:func:`_head_text`)."""
    if head is not None:
        codec, encoding, scan, notes, text = _head_text(path, name, declared_encoding)
    else:
        codec, encoding, scan, notes = _encoding(path, name, declared_encoding)
    if not scan.has_text:
        raise InputFileError(Problem("Fehler", "Die Datei enthält keine Zeilen.", name))
    sep = _detect_separator(scan.head)
    rows = Rows()
    with io.StringIO(text, newline="") if head is not None else path.open(encoding=codec, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        try:
            rows.add_csv(reader)
            rows.release()
        except csv.Error as exc:
            raise InputFileError(
                Problem("Fehler", f"Die CSV-Struktur ist fehlerhaft ({exc}).", name, reader.line_num)
            ) from None
    frame, numbers, more = tabulate(rows, name, header, compact)
    if head is not None:
        frame, numbers = frame.head(head), numbers[:head]
    return RawTable(frame, name, numbers, encoding, sep, None, tuple(notes + more))


#: How much of a CSV a preview reads (:func:`read_table` with ``head``): title rows, header and far
#: more rows than a preview shows in any real file.
HEAD_BYTES = 1 << 20


def _head_text(path: Path, name: str, declared: str | None) -> tuple[str, str, _Scan, list[Problem], str]:
    """The complete lines of the file's first :data:`HEAD_BYTES` with their encoding (as
    :func:`_encoding` finds it, judged on this block only)."""
    with path.open("rb") as fh:
        block = fh.read(HEAD_BYTES)
        whole = not fh.read(1)
    candidates = [(declared.lower(), declared)] if declared else []
    candidates += [("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "ISO-8859-1")]
    codec, encoding, text = next(found for found in (_decoded(block, c, whole) for c in candidates) if found)
    if not whole:  # the last line may go on after the block
        text = text[: max(text.rfind("\n"), 0)]
    lines = text.splitlines()
    scan = _Scan(
        mojibake=bool(_MOJIBAKE.search(text)) and not declared, has_text=bool(text.strip()), head=lines[:60]
    )
    notes = [] if encoding == "UTF-8" else [Problem("Hinweis", f"Zeichenkodierung {encoding} erkannt.", name)]
    return codec, encoding, scan, notes, text


def _decoded(block: bytes, candidate: tuple[str, str], whole: bool) -> tuple[str, str, str] | None:
    """(codec, label, text) if ``block`` decodes as the candidate (latin-1 always does)."""
    import codecs

    try:
        return (*candidate, codecs.getincrementaldecoder(candidate[0])().decode(block, final=whole))
    except UnicodeDecodeError:
        return None
