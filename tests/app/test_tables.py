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


def _ranked_marks_script() -> None:
    import pandas as pd
    import streamlit as st

    from ui.planview import ranked_table

    table = pd.DataFrame(
        {
            "gebiet_id": ["01", "02", "03", "01", "02", "03"],
            "name": ["Nord", "Mitte", "Süd", "Nord", "Mitte", "Süd"],
            "year": [2025, 2025, 2025, 2026, 2026, 2026],
            "u3_gap": [-1288.4, 5.0, -3.0, -10.0, 4.0, -31.0],
        }
    )
    year = st.session_state.get("year", 2025)
    ranked_table(table, year, {"u3_gap": "U3"}, "u3_gap", "Planungsraum", {"02", "99"})


def test_the_ranked_table_marks_small_areas_and_follows_the_year():
    """Formatted once per content (ui/tables.py): a rerun shows the same, another year its own rows."""
    at = AppTest.from_function(_ranked_marks_script).run()
    assert not at.exception
    first = at.dataframe[0]
    assert list(first.value["Planungsraum"]) == ["Nord", "Süd", "Mitte · zu klein"]
    assert "-1.288" in first.proto.arrow_data.styler.display_values.decode("utf-8", "replace")
    at.run()
    assert list(at.dataframe[0].value["Planungsraum"]) == ["Nord", "Süd", "Mitte · zu klein"]
    at.session_state["year"] = 2026
    at.run()
    assert list(at.dataframe[0].value["U3"]) == [-31.0, -10.0, 4.0]


def _excerpt_script() -> None:
    import numpy as np
    import pandas as pd

    from ui.views import _ranking_excerpt

    n = 100
    shown = pd.DataFrame(
        {
            "Planungsraum": [f"Gebiet {i:03d}" for i in range(n - 1)] + ["<b>Süd & Co</b>"],
            "Wert": [f"{100 - i} %" for i in range(n)],
        }
    )
    secret = np.zeros(n, dtype=bool)
    secret[50] = True  # a secret area is not ranked
    _ranking_excerpt(shown, secret, "Planungsraum", polarity=1)


def test_a_dense_layout_shows_head_and_tail_of_the_ranking_beside_the_map():
    at = AppTest.from_function(_excerpt_script).run()
    assert not at.exception
    page = at.get("html")[0].proto.body
    rows = page.split("<tbody>")[1]
    for i in range(8):  # head: the eight best, numbered 1–8
        assert f"<td class='pa-rank'>{i + 1}</td><td>Gebiet {i:03d}</td>" in rows
    assert "Gebiet 008" not in rows
    assert "⋯ 83 weitere ⋯" in rows  # 99 ranked, 8 + 8 shown
    assert "<td class='pa-rank'>99</td><td>&lt;b&gt;Süd &amp; Co&lt;/b&gt;</td>" in rows  # escaped
    assert "Gebiet 050" not in rows  # the secret one
    assert "99 Planungsräume mit Wert, 1 geheim" in page
