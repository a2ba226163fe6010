"""``export-table`` and ``indicators --json``: the contracts, and suppression in every export."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from planning.cli import main
from planning.exports import EXPORT_COLUMNS


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'demo.db'}"
    assert main(["--db", url, "demo"]) == 0
    return url


def test_export_csv_has_the_contract_columns_and_reads_geheim(demo_url, tmp_path, capsys):
    out = tmp_path / "hze.csv"
    assert main(["--db", demo_url, "export-table", "hze_je_1000", "--year", "2025", "--out", str(out)]) == 0
    assert "geheim" in capsys.readouterr().out
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert tuple(df.columns) == EXPORT_COLUMNS
    assert len(df) == 32 + 1  # every Planungsraum plus the city
    city = df[df["area_id"] == "gesamtstadt"].iloc[0]
    assert city["name"] == "Gesamtstadt" and city["value"] not in ("", "geheim")
    secret = df[df["value"] == "geheim"]
    assert len(secret) > 0
    # A secret row hides its numerator and denominator too, and has no light.
    assert (secret["numerator"] == "geheim").all() and (secret["denominator"] == "geheim").all()
    assert (secret["light"] == "").all()
    # What is shown adds up to the city only together with the secret rows (nothing to subtract).
    shown = df[(df["area_id"] != "gesamtstadt") & (df["numerator"] != "geheim")]
    assert shown["numerator"].astype(float).sum() < float(city["numerator"])
    assert set(df.loc[df["light"] != "", "light"]) <= {"grün", "gelb", "rot"}


def test_export_matches_the_protected_table_of_the_app(demo_url, tmp_path):
    from planning.db import make_engine
    from planning.indicators import indicator_table
    from planning.repository import load_planning_data

    out = tmp_path / "oa.csv"
    assert (
        main(
            [
                "--db",
                demo_url,
                "export-table",
                "ohne_abschluss",
                "--year",
                "2025",
                "--level",
                "Stadtbezirk",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    data = load_planning_data(make_engine(demo_url))
    t = indicator_table(data, "ohne_abschluss", 0)
    t = t[t["year"] == 2025].set_index("gebiet_id")
    for _, row in df[df["area_id"] != "gesamtstadt"].iterrows():
        if bool(t.loc[row["area_id"], "suppressed"]):
            assert row["value"] == "geheim"
        else:
            assert float(row["value"]) == pytest.approx(round(float(t.loc[row["area_id"], "value"]), 1))
    assert set(df["level"]) == {"Stadtbezirk", "Gesamtstadt"}


def test_export_xlsx_has_table_and_notes(demo_url, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "kinderarmut.xlsx"
    assert main(["--db", demo_url, "export-table", "kinderarmut", "--year", "2024", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Tabelle", "Hinweise"]
    header = [c.value for c in wb["Tabelle"][1]]
    assert tuple(header) == EXPORT_COLUMNS
    notes = {r[0].value: r[1].value for r in wb["Hinweise"].iter_rows(min_row=2)}
    assert "Kinderarmut" in notes["Kennzahl"] and notes["Zielwert"].startswith("Ziel ≤")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["quatsch", "--year", "2025", "--out", "x.csv"], "Unbekannte Kennzahl"),
        (["hze_je_1000", "--year", "2040", "--out", "x.csv"], "keine Werte"),
        (["hze_je_1000", "--year", "2025", "--out", "x.pdf"], "Dateiendung"),
        (["hze_je_1000", "--year", "2025", "--out", "x.csv", "--level", "Kontinent"], "Ebene"),
    ],
)
def test_export_errors_are_german_and_write_nothing(demo_url, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", demo_url, "export-table", *args]) == 1
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_indicators_json_contract(demo_url, capsys):
    assert main(["--db", demo_url, "indicators", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    keys = {"code", "label", "unit", "domain", "sensitive", "threshold", "target"}
    assert all(keys <= set(r) for r in records)
    by = {r["code"]: r for r in records}
    assert by["versorgung_u3"]["target"] == 50.0  # the demo city's agreed target
    assert by["hze_je_1000"]["sensitive"] and by["hze_je_1000"]["threshold"] == 3
    assert "Prävention" in by["hze_je_1000"]["sets"]
