"""Numbers by the file's own convention: decided per column from the values (and the user's answer
when the values cannot tell), the same for every separator and encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning.cli import main
from planning.imports.readers import read_table
from planning.imports.validate import check_table
from planning.imports.values import ColumnNumbers, number_signal

SEPARATORS = [";", ",", "\t", "|"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("12,5", "de"),
        ("1.234,5", "de"),
        ("1.234.567", "de"),
        ("0,500", "de"),  # a leading zero is never a thousands group
        ("6.25", "en"),
        ("1,234.5", "en"),
        ("1,234,567", "en"),
        ("0.500", "en"),
        ("1.5e3", "en"),
        ("1.234", "dot"),
        ("-12.345", "dot"),
        ("1,234", "comma"),
        ("1234", None),
        ("35,5%", "de"),
        (".", None),
        ("x", None),
        ("Kita", None),
    ],
)
def test_number_signal(text, signal):
    assert number_signal(text) == signal


def test_column_proves_its_convention_only_without_contradiction():
    assert ColumnNumbers.of(["1.234", "12,5", None]).own == "de"
    assert ColumnNumbers.of(["1.234", "6.25"]).own == "en"
    assert ColumnNumbers.of(["1.234", "2.345"]).own is None
    assert ColumnNumbers.of(["12,5", "6.25"]).own is None


def _file(tmp_path: Path, sep: str, encoding: str, values: list[str]) -> Path:
    def cell(v: str) -> str:
        return f'"{v}"' if sep in v else v

    rows = [sep.join(["gebiet_id", "jahr", "kennzahl", "wert"])]
    rows += [sep.join(["0101", "2024", f"k{i}", cell(v)]) for i, v in enumerate(values)]
    p = tmp_path / "werte.csv"
    p.write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))
    return p


def _values(path: Path, number_format=None):
    checked = check_table(read_table(path), "kennzahlen", number_format=number_format)
    return checked, [None if v is None or v != v else float(v) for v in checked.frame["wert"].tolist()]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("sep", SEPARATORS)
def test_german_file_reads_thousands_dot_in_every_separator_and_encoding(tmp_path, sep, encoding):
    """Before: '1.234' was 1234 in a semicolon file and 1.234 in a tab or comma file."""
    checked, values = _values(_file(tmp_path, sep, encoding, ["1.234", "12,5", "7"]))
    assert checked.ok, checked.problems
    assert values == [1234.0, 12.5, 7.0]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("sep", SEPARATORS)
def test_english_file_reads_decimal_point_in_every_separator_and_encoding(tmp_path, sep, encoding):
    checked, values = _values(_file(tmp_path, sep, encoding, ["1.234", "6.25", "1,234.5"]))
    assert checked.ok, checked.problems
    assert values == [1.234, 6.25, 1234.5]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_ambiguous_column_asks_instead_of_guessing(tmp_path, sep):
    path = _file(tmp_path, sep, "utf-8", ["1.234", "2.500", "17"])
    checked, _ = _values(path)
    errors = checked.errors
    assert len(errors) == 1
    e = errors[0]
    assert (e.file, e.row, e.column) == ("werte.csv", 2, "wert")
    assert "nicht eindeutig" in e.message and "--zahlenformat" in e.message
    assert "1234 (deutsch) oder 1,234 (englisch)" in e.message
    _, de = _values(path, "de")
    _, en = _values(path, "en")
    assert de == [1234.0, 2500.0, 17.0]
    assert en == [1.234, 2.5, 17.0]


def test_a_column_that_mixes_conventions_is_an_error(tmp_path):
    checked, _ = _values(_file(tmp_path, ";", "utf-8", ["12,5", "6.25"]))
    assert [(e.row, e.column) for e in checked.errors] == [(2, "wert")]
    assert "mischt" in checked.errors[0].message


def test_other_columns_of_the_file_decide_an_ambiguous_one(tmp_path):
    p = tmp_path / "quote.csv"
    p.write_text("gebiet_id\tjahr\tkennzahl\twert\tzaehler\n0101\t2024\tk\t1.234\t12,5\n", encoding="utf-8")
    checked = check_table(read_table(p), "kennzahlen")
    assert checked.ok, checked.problems
    assert float(checked.frame["wert"].iloc[0]) == 1234.0
    assert any("übrigen Spalten" in n.message for n in checked.problems)


@pytest.mark.parametrize(("text", "expected"), [("1.234", 1234), ("1,234", 1234)])
@pytest.mark.parametrize("sep", ["\t", ","])
def test_whole_number_column_has_one_reading(tmp_path, sep, text, expected):
    """A count of 1.234 persons does not exist: only the thousands reading is a whole number."""
    cell = f'"{text}"' if sep in text else text
    p = tmp_path / "bev.txt"
    p.write_text(sep.join(["gebiet_id", "jahr", "alter", "anzahl"]) + f"\n0101{sep}2024{sep}4{sep}{cell}\n")
    checked = check_table(read_table(p), "bevoelkerung")
    assert checked.ok, checked.problems
    assert checked.frame["anzahl"].tolist() == [expected]


def test_cli_asks_for_the_number_format_and_takes_the_answer(tiny_engine, tmp_path, capsys):
    url = tiny_engine.url.render_as_string(hide_password=False)
    path = _file(tmp_path, "\t", "utf-16", ["1.234", "2.500"])
    assert main(["--db", url, "check", "kennzahlen", str(path)]) == 1
    assert "--zahlenformat" in capsys.readouterr().err
    assert main(["--db", url, "check", "kennzahlen", str(path), "--zahlenformat", "en"]) == 0
    # saved with the mapping profile, next year's file checks in one step
    assert (
        main(["--db", url, "mapping", "add", "werte-en", "kennzahlen", "wert=wert", "--zahlenformat", "en"])
        == 0
    )
    assert main(["--db", url, "import", "kennzahlen", str(path), "--mapping", "werte-en"]) == 0
    from planning.repository import load_planning_data

    values = load_planning_data(tiny_engine).indicator_values
    got = sorted(values.loc[values["code"].isin(["k0", "k1"]), "value"].tolist())
    assert got == [1.234, 2.5]


def test_xlsx_numbers_and_text_cells_read_alike(tmp_path):
    """Excel's own numbers (12.5 stored as a number) and a count typed as text ('1.234') in one
    sheet: the text is read as German (1234), not as 1.234."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["gebiet_id", "jahr", "kennzahl", "wert"])
    ws.append(["0101", 2024, "quote", 12.5])
    ws.append(["0101", 2024, "einwohner_text", "1.234"])
    ws.append(["0101", 2024, "klein", 0.00001])
    path = tmp_path / "werte.xlsx"
    wb.save(path)
    checked = check_table(read_table(path), "kennzahlen")
    assert checked.ok, checked.problems
    assert [float(v) for v in checked.frame["wert"]] == [12.5, 1234.0, 0.00001]
