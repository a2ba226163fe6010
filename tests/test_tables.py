"""District tables of the plan pages (ui/planview.py): columns without any figure are named, not shown."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _ranked_table_script() -> None:
    import pandas as pd

    from ui.planview import ranked_table

    table = pd.DataFrame(
        {
            "gebiet_id": ["01", "02", "03"],
            "name": ["Nord", "Mitte", "Süd"],
            "year": [2025, 2025, 2025],
            "school_entrants": [120.0, 80.0, 95.0],
            "zuege_available": [None, None, None],  # no capacity data delivered
            "classes_needed": [20.0, None, 16.0],  # one gap
        }
    )
    ranked_table(
        table,
        2025,
        {
            "school_entrants": "Einschulungen",
            "zuege_available": "Züge vorhanden",
            "classes_needed": "Klassen 1–4 nötig",
        },
        "school_entrants",
        "Planungsraum",
    )


def test_a_column_without_any_figure_is_named_below_the_table():
    at = AppTest.from_function(_ranked_table_script).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert "Züge vorhanden" not in shown.columns
    assert list(shown["Planungsraum"]) == ["Mitte", "Süd", "Nord"]  # sorted by the balance column
    assert any(c.value == "Keine Daten für 2025: Züge vorhanden." for c in at.caption)
    # A single gap stays in the table and reads "keine Daten" (formatted on the server).
    assert "Klassen 1–4 nötig" in shown.columns
