"""A table as text (:class:`RawTable`) and how the readers build one: rows collected in compact
chunks (:class:`Rows`), then the header found, title rows and footnotes dropped (:func:`tabulate`).

Shared by the CSV reader (:mod:`planning.imports.readers`) and the Excel reader
(:mod:`planning.imports.xlsx`).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planning.imports.problems import InputFileError, Problem

_FOOTNOTE = re.compile(r"^\s*(\*|\d\)|quelle|anmerkung|hinweis|fußnote|fussnote|stand:|©)", re.IGNORECASE)

#: Rows per chunk while a table is collected: each chunk becomes compact Arrow text columns at once,
#: so memory grows with the cells' text, not with Python objects per cell (a 94 MB CSV had taken
#: 6.1 GB as lists of strings).
CHUNK_ROWS = 50_000
#: The raw cells stay in Arrow (about the text's own size), not the Python strings planning/__init__
#: chooses for the pages' small frames: a Python string costs some 50 bytes a cell.
RAW_TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))


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


class Rows:
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


def tabulate(
    rows: Rows, name: str, has_header: bool = True, compact: bool = False
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
