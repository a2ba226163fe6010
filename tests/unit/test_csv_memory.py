"""A large CSV is checked in bounded memory, with every message the small-file check gives.

The issue's measurement: a 94 MB CSV took 2 min 35 s and 6.1 GB to check (rows as lists of Python
strings, a Python object per cell, the whole text decoded at once). Here a 30 MB population file
is built by the test (``bench.memory.write_population_csv``), a few broken rows are written into it,
and ``python -m planning check`` runs in a child process whose own peak resident memory is read
with ``wait4``. Before the streamed reader this file took 1.8 GB; the bound below is what 1 GB
for 100 MB (the issue's target) leaves for 30 MB above the interpreter's own start-up.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.memory import run_check, write_population_csv
from planning.imports.readers import CHUNK_ROWS, read_table
from planning.imports.service import check_file
from planning.imports.validate import MAX_PROBLEMS_PER_COLUMN

#: Peak RSS allowed for checking the 30 MB file: start-up (≈ 230 MB with pandas, geopandas and the
#: database layer) plus 30 % of the 1 GB the issue allows for 100 MB, plus room for the allocator
#: (measured: about 430 MB). Before the streamed reader: 1.8 GB. The child is measured through
#: bench.memory's launcher: measured directly from the pytest worker, Linux counted the worker's own
#: memory into the child's peak (634 and 747 MB in full CI runs). The 100 MB figure against the
#: issue's 1 GB is measured by ``make bench`` (bench/memory.py).
BOUND_MB = 600


def _broken_copy(source: Path, target: Path) -> tuple[list[int], int, int]:
    """The file with 30 negative counts (lines 10, 20, …) and its line 5 repeated at the end;
    returns the broken lines, the repeated line and the line of the repeat."""
    lines = source.read_bytes().split(b"\r\n")
    if not lines[-1]:
        lines.pop()
    broken = [10 * i for i in range(1, 31)]
    for number in broken:
        fields = lines[number - 1].split(b";")
        fields[-1] = b"-" + fields[-1]
        lines[number - 1] = b";".join(fields)
    lines.append(lines[4])
    target.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return broken, 5, len(lines)


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gross")
    clean = folder / "sauber.csv"
    rows = write_population_csv(clean, 30)
    assert rows > 10 * CHUNK_ROWS  # many chunks, not one
    broken = folder / "bevoelkerung_gross.csv"
    found = _broken_copy(clean, broken)
    clean.unlink()
    return broken, rows, found


def test_a_30_mb_csv_is_checked_in_bounded_memory_with_every_message(big_csv, tmp_path):
    path, _, (negative, repeated, repeat) = big_csv
    assert path.stat().st_size > 30_000_000
    done = run_check("bevoelkerung", path, f"sqlite:///{tmp_path / 'leer.db'}")
    out = str(done["output"])
    assert done["exit_code"] == 1, out[-2000:]
    assert done["peak_rss_mb"] <= BOUND_MB, f"Spitze {done['peak_rss_mb']} MB (Grenze {BOUND_MB} MB)"
    # The messages of a small file: file, row and column named; 25 listed, the rest counted.
    where = r"Fehler: Datei bevoelkerung_gross\.csv, Zeile (\d+), Spalte „anzahl“: negativer Wert"
    shown = re.findall(where, out)
    assert [int(n) for n in shown] == negative[:MAX_PROBLEMS_PER_COLUMN]
    assert "… und 5 weitere Fehler in dieser Spalte." in out
    assert (
        f"Fehler: Datei bevoelkerung_gross.csv, Zeile {repeat}, Spalte „gebiet_id“: Doppelte Zeile: dieselbe "
        f"Kombination (gebiet_id, jahr, alter, geschlecht) steht schon in Zeile {repeated}." in out
    )
    assert "Prüfung fehlgeschlagen: 31 Fehler" in out


def test_the_streamed_reader_keeps_what_the_file_says(tmp_path):
    """Title rows, blank lines, a quoted field over two lines, ragged rows and footnotes across
    chunk borders: line numbers are the file's, cells stripped, empty cells missing."""
    body = [f"01{i:04d};2024;{i % 18};{i}" for i in range(2 * CHUNK_ROWS + 7)]
    body[CHUNK_ROWS - 1] += ";"  # a trailing separator: one more (empty) cell
    body[CHUNK_ROWS] = ""  # a blank line right at a chunk border
    text = "Bevölkerung 2024\n\ngebiet_id;jahr;alter;anzahl\n" + "\n".join(body)
    text += '\n"01x\n";2024; 3 ;  \nQuelle: Amt für Statistik\n'
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="cp1252")
    for compact in (False, True):
        raw = read_table(path, compact=compact)
        assert list(raw.frame.columns) == ["gebiet_id", "jahr", "alter", "anzahl"]
        assert len(raw.frame) == len(body)  # one blank line out, the two-line record in
        assert raw.line_numbers[0] == 4 and raw.line_numbers[CHUNK_ROWS] == 4 + CHUNK_ROWS + 1
        last = raw.frame.iloc[-1].tolist()
        assert last[0] == "01x" and last[2] == "3" and last[3] != last[3]  # stripped; empty is NaN
        assert raw.line_numbers[-1] == 3 + len(body) + 2  # a record over two lines: where it ends
        assert raw.frame["jahr"].astype(str).iloc[CHUNK_ROWS + 3] == "2024"
        assert {n.message for n in raw.notes} >= {
            "1 Titelzeile(n) über der Kopfzeile übersprungen.",
            "Fußnoten unter der Tabelle übersprungen.",
        }
        assert raw.encoding == "Windows-1252"


def test_check_file_reads_compact_and_types_alike(tmp_path):
    """The check reads text columns as categories; the checked frame is typed as before."""
    path = tmp_path / "geburten.csv"
    path.write_text("gebiet_id;jahr;anzahl\n0101;2024;12\n0102;2024;\n0103;2024;1.234\n", encoding="utf-8")
    from planning.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    checked = check_file(engine, "geburten", path)
    assert checked.ok, checked.problems
    assert checked.frame["gebiet_id"].tolist() == ["0101", "0102", "0103"]
    assert str(checked.frame["anzahl"].dtype) == "Int64"
    assert checked.frame["anzahl"].tolist()[0] == 12 and checked.frame["anzahl"].isna().tolist()[1]
    assert checked.frame["anzahl"].tolist()[2] == 1234
    assert checked.frame["_line"].tolist() == [2, 3, 4]


def test_the_bench_files_are_the_issues_and_reach_the_readme_table(tmp_path):
    """bench/memory.py builds the issue's bomb (5 KB, A1:XFD1048576, a cell in row 1,048,576), and
    bench/table.py shows the file checks with their targets."""
    import io
    import zipfile

    from bench import memory, table

    bomb = memory.dimension_bomb()
    assert len(bomb) < 5 * 1024
    sheet = zipfile.ZipFile(io.BytesIO(bomb)).read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:XFD1048576"/>' in sheet and 'r="A1048576"' in sheet
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(bomb)
    assert read_table(path).line_numbers[-1] == 1_048_576
    figures = {
        "check_csv_mb": 100.0,
        "check_csv_100mb_s": 51.0,
        "check_csv_100mb_peak_rss_mb": 819.0,
        "check_xlsx_bomb_bytes": 1672,
        "check_xlsx_bomb_s": 2.1,
        "check_xlsx_bomb_peak_rss_mb": 238.4,
    }
    targets = {f"{memory.DATASET}.{k}": v for k, v in memory.TARGETS.items()}
    text = table.files_markdown({"datasets": {memory.DATASET: figures}, "targets": targets})
    assert "| CSV, Bevölkerung | 100,0 MB | 51,0 s | 819 MB | ≤ 1024 MB |" in text
    assert "| XLSX-Bombe (A1:XFD1048576) | 1.672 B | 2,1 s | 238 MB | ≤ 300 MB |" in text


def test_row_findings_of_the_kind_checks_stop_at_25_and_count_the_rest(tmp_path):
    """A file of many faulty rows gives 25 messages per finding and one '… und N weitere' line (a
    million rows must not become a million messages); an empty U3 column is no crash."""
    from planning.imports.validate import check_table

    rows = ["kita_id;name;plaetze_gesamt;plaetze_u3;plaetze_ue3;eroeffnung_jahr;schliessung_jahr"]
    rows += [f"K{i};Kita {i};10;;20;2010;2000" for i in range(40)]
    path = tmp_path / "kitas.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    checked = check_table(read_table(path), "kitas")
    texts = [str(p) for p in checked.problems]
    assert texts[0] == (
        "Warnung: Datei kitas.csv, Zeile 2, Spalte „plaetze_gesamt“: U3- und Ü3-Plätze (0 + 20) sind mehr "
        "als die Plätze insgesamt (10)."
    )
    assert sum(t.endswith("“: Schließung vor Eröffnung.") for t in texts) == MAX_PROBLEMS_PER_COLUMN
    assert "… und 15 weitere Kitas mit Schließung vor Eröffnung." in texts[-1]
    assert checked.error_count == 40 and checked.warning_count == 40
    rows = ["gebiet_id;jahr;kennzahl;wert;zaehler"] + [f"01{i:02d};2024;quote;;" for i in range(30)]
    path = tmp_path / "kennzahlen.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    checked = check_table(read_table(path), "kennzahlen")
    empty = [p for p in checked.problems if p.severity == "Warnung"]
    assert len(empty) == MAX_PROBLEMS_PER_COLUMN + 1 and checked.warning_count == 30
    assert empty[-1].message == "… und 5 weitere Zeilen ohne Wert und Zähler."
