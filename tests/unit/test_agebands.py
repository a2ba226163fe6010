"""Age-band labels as German statistical offices write them: one parser, every form tested."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.imports.agebands import format_band, parse_age_band, tiles_all_ages
from planning.imports.readers import RawTable
from planning.imports.validate import check_table
from planning.imports.values import ValueParseError
from planning.population import age_range_count


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("unter 3", (0, 2)),
        ("unter 3 Jahre", (0, 2)),
        ("unter 1 Jahr", (0, 0)),
        ("<3", (0, 2)),
        ("0 bis unter 3", (0, 2)),
        ("3 bis u. 6", (3, 5)),  # the silent misread: was (3, 6)
        ("3 bis u 6", (3, 5)),
        ("3 - unter 6", (3, 5)),
        ("00 - < 03", (0, 2)),
        ("3 bis unter 6 Jahren", (3, 5)),
        ("von 6 bis unter 10 Jahren", (6, 9)),
        ("0-2", (0, 2)),
        ("0 - 2", (0, 2)),
        ("0–2 J.", (0, 2)),
        ("0—2 Jahre", (0, 2)),
        ("6 bis 9 Jahre", (6, 9)),
        ("4", (4, 4)),
        (" 04 ", (4, 4)),
        ("4 Jahre", (4, 4)),
        ("75+", (75, None)),
        ("75 und älter", (75, None)),
        ("80 u. älter", (80, None)),
        ("80 u.ä.", (80, None)),
        ("über 80", (80, None)),
        ("ab 75 Jahre", (75, None)),
        ("65 Jahre und mehr", (65, None)),
        ("65 und mehr Jahre", (65, None)),
        ("insgesamt", (0, None)),
        ("Insgesamt", (0, None)),
        ("zusammen", (0, None)),
        ("gesamt", (0, None)),
        ("Summe", (0, None)),
        ("18_bis_unter_30", (18, 29)),  # column names of a wide table (Flensburg tab_5)
        ("80_und_älter", (80, None)),
    ],
)
def test_band_forms(label, band):
    assert parse_age_band(label) == band


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("bis 3", "mehrdeutig"),
        ("> 80", "mehrdeutig"),
        ("drei", "kein Alter"),
        ("5-3", "endet vor"),
        ("3 bis unter 3", "endet vor"),
        ("3 bis unter", "kein Alter"),
        ("0-2 und 3-5", "kein Alter"),
        ("200+", "über 130"),
        ("", "fehlt"),
    ],
)
def test_ambiguous_or_wrong_labels_are_refused(label, why):
    with pytest.raises(ValueParseError, match=why):
        parse_age_band(label)


@pytest.mark.parametrize("band", [(0, None), (4, 4), (3, 5), (75, None)])
def test_canonical_label_reads_back(band):
    assert parse_age_band(format_band(band)) == band


def test_tiling():
    assert tiles_all_ages([(0, 2), (3, 5), (6, 74), (75, None)])
    assert not tiles_all_ages([(0, 2), (4, 5), (6, None)])  # gap
    assert not tiles_all_ages([(0, 2), (2, 5), (6, None)])  # overlap
    assert not tiles_all_ages([(0, 2), (3, 5)])  # no open band


def test_ambiguous_label_names_file_row_and_column():
    frame = pd.DataFrame(
        {
            "Gebiet": ["0101", "0101"],
            "Jahr": ["2012", "2012"],
            "Altersgruppe": ["unter 3", "bis 6"],
            "Anzahl": ["10", "12"],
        },
        dtype="str",
    )
    raw = RawTable(frame, "stadtteile.csv", (4, 5))
    checked = check_table(
        raw,
        "bevoelkerung",
        {"Gebiet": "gebiet_id", "Jahr": "jahr", "Altersgruppe": "alter", "Anzahl": "anzahl"},
    )
    errors = checked.errors
    assert len(errors) == 1
    assert (errors[0].file, errors[0].row, errors[0].column) == ("stadtteile.csv", 5, "Altersgruppe")
    assert "mehrdeutig" in errors[0].message


def test_labels_in_a_file_are_read_as_bands():
    labels = ["unter 3", "3 bis u. 6", "6 - unter 10", "10 bis 74 Jahre", "75 u. älter"]
    frame = pd.DataFrame(
        {"gebiet_id": "0101", "jahr": "2012", "alter": labels, "anzahl": ["1", "2", "3", "4", "5"]},
        dtype="str",
    )
    checked = check_table(RawTable(frame, "b.csv", (2, 3, 4, 5, 6)), "bevoelkerung")
    assert checked.ok, checked.problems
    ages = checked.frame[["age_from", "age_to"]].astype("Int64")
    got = [(int(a), None if pd.isna(b) else int(b)) for a, b in ages.itertuples(index=False)]
    assert got == [(0, 2), (3, 5), (6, 9), (10, 74), (75, None)]


def _pop(rows):
    return pd.DataFrame(rows, columns=["gebiet_id", "year", "age_from", "age_to", "sex", "count"]).astype(
        {"age_to": "Int64", "count": "Int64"}
    )


def test_total_derives_from_bands_that_cover_all_ages():
    """No 'insgesamt' row: bands 0–2, 3–5, 6–74, 75+ give the total; a gap gives none."""
    pop = _pop(
        [
            ("A", 2012, 0, 2, None, 10),
            ("A", 2012, 3, 5, None, 20),
            ("A", 2012, 6, 74, None, 300),
            ("A", 2012, 75, None, None, 40),
            ("B", 2012, 0, 2, None, 10),
            ("B", 2012, 4, 74, None, 300),
            ("B", 2012, 75, None, None, 40),
        ]
    )
    out = age_range_count(pop, 0, None).set_index("gebiet_id")["count"]
    assert out["A"] == 370
    assert pd.isna(out["B"])
    assert age_range_count(pop, 3, None).set_index("gebiet_id")["count"]["A"] == 360


def test_delivered_total_wins_over_bands():
    pop = _pop(
        [("A", 2012, 0, None, None, 999), ("A", 2012, 0, 74, None, 300), ("A", 2012, 75, None, None, 40)]
    )
    assert age_range_count(pop, 0, None)["count"].tolist() == [999]
