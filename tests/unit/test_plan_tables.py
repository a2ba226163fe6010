"""The plan pages' tables (planning.plan_tables): ranked areas, balance maps, per-school table and
ranges, on tiny hand-built frames."""

from __future__ import annotations

import pandas as pd
import pytest

from planning import plan_tables as pt


def plan_table() -> pd.DataFrame:
    """Three areas in two years; 2026 is a forecast year with ranges of the U3 balance."""
    return pd.DataFrame(
        {
            "gebiet_id": ["01", "02", "03", "01", "02", "03"],
            "name": ["Nord", "Mitte", "Süd", "Nord", "Mitte", "Süd"],
            "year": [2025, 2025, 2025, 2026, 2026, 2026],
            "u3_gap": [-10.4, 5.0, -30.6, -12.0, 4.0, -31.0],
            "u3_gap_low": [None, None, None, -20.0, 1.0, -31.4],
            "u3_gap_high": [None, None, None, -2.0, 9.0, -30.6],
            "ue3_gap": [None] * 6,
        }
    )


def test_ranked_frame_puts_the_worst_first_with_whole_numbers_ranges_and_marks():
    shown, numeric, empty = pt.ranked_frame(
        plan_table(), 2026, {"u3_gap": "U3", "ue3_gap": "Ü3"}, "u3_gap", "Planungsraum", {"02"}
    )
    assert shown["Planungsraum"].tolist() == ["Süd", "Nord", "Mitte · zu klein"]
    assert shown["U3"].tolist() == [-31.0, -12.0, 4.0]
    # a range that rounds to one number is that number (a blank would read as "no range known")
    assert shown["Spanne U3"].tolist() == ["-31", "-20 bis -2", "1 bis 9"]
    assert numeric == ["U3"] and empty == ["Ü3"]


def test_ranked_frame_shows_no_range_column_in_an_observed_year():
    shown, _, _ = pt.ranked_frame(plan_table(), 2025, {"u3_gap": "U3"}, "u3_gap", "Bezirk")
    assert shown.columns.tolist() == ["Bezirk", "U3"]
    assert shown["U3"].tolist() == [-31.0, -10.0, 5.0]


def test_ranked_frame_names_a_missing_column():
    with pytest.raises(ValueError, match="kita_shortfall"):
        pt.ranked_frame(plan_table(), 2025, {"kita_shortfall": "Fehlend"}, "u3_gap", "Bezirk")


@pytest.mark.parametrize(
    ("zuege", "ganztag", "maps", "missing"),
    [
        (1.0, 20.0, ["zuege_gap", "class_gap", "ganztag_gap"], []),
        (None, 20.0, ["ganztag_gap"], ["Züge der Grundschulen"]),
        (1.0, None, ["zuege_gap", "class_gap"], ["Ganztagsplätze"]),
        (None, None, [], ["Züge der Grundschulen", "Ganztagsplätze"]),
    ],
)
def test_school_balances_follow_the_data_loaded(zuege, ganztag, maps, missing):
    table = pd.DataFrame(
        {"zuege_available": [zuege, None], "ganztag_places": [ganztag, None]}, dtype="Float64"
    )
    got_maps, got_missing = pt.school_balances(table)
    assert list(got_maps) == maps
    assert got_missing == missing


def test_per_school_frame_names_the_area_or_keeps_its_id():
    table = pd.DataFrame(
        {
            "name": ["GS Nord", "GS Ost"],
            "gebiet_id": ["01", "09"],
            "zuege": [2.0, 3.0],
            "school_entrants": [50.0, 80.0],
            "school_entrants_low": [45.0, 80.0],
            "school_entrants_high": [56.0, 80.2],
            "entry_classes": [2.0, 4.0],
            "entry_balance": [0.0, -1.0],
            "ganztag_places": [60.0, 40.0],
            "ganztag_demand": [55.0, 70.0],
            "ganztag_balance": [5.0, -30.0],
        }
    )
    shown = pt.per_school_frame(table, pd.Series({"01": "Nord"}))
    assert shown["Gebiet"].tolist() == ["Nord", "09"]
    assert shown["Spanne Einschulungen"].tolist() == ["45 bis 56", "80"]
    assert shown.columns[0] == "Grundschule" and shown.columns[-1] == "Bilanz Ganztag"


def test_spanne_reads_a_row_or_a_mapping():
    assert pt.spanne({"x_low": 980.0, "x_high": 1090.0}, "x") == "980 bis 1.090"
    assert pt.spanne(pd.Series({"x_low": None, "x_high": 3.0}), "x") == ""
    assert pt.spanne({}, "x") == ""
    assert pt.spanne({"x_low": -0.2, "x_high": 0.3}, "x") == "0"  # ends meet: the value, not a blank
