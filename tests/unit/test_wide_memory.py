"""A wide table reshaped by the profile options is checked in bounded memory, like a long CSV.

Issue 20: a 100 MB CSV checks within 1 GB. A wide table (one column per age band) melted to long
rows has many more rows per MB than a long file: the 30 MB file built here holds 5.6 million long
rows, more than the 100 MB long file of ``bench.memory`` (about 4.8 million). Before the melt kept
line numbers as Python ints, the source column of every row in a tuple and the cells as objects,
this file took 1,099 MB and 54 s to check; now about 820 MB and 16 s, the same per row as the long
file. ``python -m planning check … --breit alter`` runs in a child process whose own peak resident
memory is read with ``wait4`` through bench.memory's launcher (as in tests/unit/test_csv_memory.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from bench.memory import measured_child
from planning.imports.formats import get_kind
from planning.imports.readers import read_table
from planning.imports.shape import TableShape, reshape

BANDS = ["0-2", "3-5", "6-9", "10-14", "15-17", "18-24", "25-44", "45-64", "65-79", "80+"]
#: The issue's 1 GB for a file whose long form has more rows than the 100 MB long file.
BOUND_MB = 1024


def write_wide_population(path: Path, megabytes: float) -> int:
    """A Bevölkerung file with one column per age band (area, year, sex per row) of about
    ``megabytes`` MB; returns the number of file rows."""
    target = int(megabytes * 1_000_000)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("gebiet_id;jahr;geschlecht;" + ";".join(BANDS) + "\r\n")
        area = 0
        while fh.tell() < target:
            area += 1
            gid = f"{area // 100:04d}{area % 100:02d}"
            block = []
            for year in range(2001, 2026):
                for sex in ("m", "w"):
                    cells = [str((area * 7 + year * 3 + i * 11 + (sex == "w")) % 997 + 1) for i in range(10)]
                    block.append(f"{gid};{year};{sex};" + ";".join(cells) + "\r\n")
            fh.write("".join(block))
            rows += len(block)
    return rows


def _check(path: Path, db_url: str, *options: str) -> tuple[float, int, str]:
    """The check in a child, measured through bench.memory's launcher (the child's own peak only)."""
    command = [sys.executable, "-m", "planning", "--db", db_url, "check", "bevoelkerung", str(path), *options]
    out, peak_mb, _, code = measured_child(command, 900)
    return peak_mb, code, out


def test_a_30_mb_wide_table_is_melted_and_checked_within_1_gb(tmp_path):
    path = tmp_path / "bevoelkerung_breit.csv"
    rows = write_wide_population(path, 30)
    assert path.stat().st_size > 30_000_000
    # a faulty cell deep in the file: the message names the file's line and the band's column
    lines = path.read_bytes().split(b"\r\n")
    fields = lines[400_000].split(b";")
    fields[3 + BANDS.index("25-44")] = b"-5"
    lines[400_000] = b";".join(fields)
    path.write_bytes(b"\r\n".join(lines))
    peak, code, out = _check(path, f"sqlite:///{tmp_path / 'leer.db'}", "--breit", "alter")
    assert code == 1, out[-2000:]
    assert "Breite Tabelle: 10 Spalten (0-2, 3-5, 6-9, 10-14, 15-17, 18-24 …) als alter in Zeilen" in out
    assert "Zeile 400001, Spalte „25-44“: negativer Wert" in out, out[-2000:]
    assert "Prüfung fehlgeschlagen: 1 Fehler" in out, out[-2000:]
    assert rows * len(BANDS) > 5_000_000
    assert peak <= BOUND_MB, f"Spitze {peak:.0f} MB (Grenze {BOUND_MB} MB)"


def test_the_melt_keeps_lines_origins_and_cells_without_python_objects_per_row(tmp_path):
    """Filter, wide → long and a fixed year: the long rows, their file lines and source columns."""
    path = tmp_path / "breit.csv"
    path.write_text(
        "gebiet_id;jahr;geschlecht;Tabelle;0-2;3-5\n0101;2024;m;A;1;2\n0102;2024;w;B;3;\n0103;2024;w;A;5;6\n",
        encoding="utf-8",
    )
    spec = get_kind("bevoelkerung")
    for compact in (True, False):
        raw = read_table(path, compact=compact)
        shape = TableShape.from_options({"breit": "alter", "filter": {"Tabelle": "A"}, "jahr": 2030})
        long, problems = reshape(raw, spec, shape)
        frame = long.frame
        assert frame["gebiet_id"].astype(str).tolist() == ["0101", "0103", "0101", "0103"]
        assert frame["alter"].astype(str).tolist() == ["0-2", "0-2", "3-5", "3-5"]
        assert frame["anzahl"].astype(str).tolist() == ["1", "5", "2", "6"]
        assert frame["jahr"].astype(str).tolist() == ["2030"] * 4
        assert list(long.line_numbers) == [2, 4, 2, 4]
        assert list(long.column_origins["anzahl"]) == ["0-2", "0-2", "3-5", "3-5"]
        assert problems[0].message == "Filter „Tabelle = A“: 2 von 3 Zeilen behalten."
        if compact:  # categories stay categories: codes per row, each text once
            assert isinstance(frame["anzahl"].dtype, pd.CategoricalDtype)
            assert isinstance(frame["alter"].dtype, pd.CategoricalDtype)
