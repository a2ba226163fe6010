"""The Quervergleich's data shaping (planning.crosstables): years, reference lines, quadrant rows,
notes of incomplete districts and the ranking's display frame, on tiny hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest

from planning import crossdomain as xd
from planning import crosstables as xt
from planning.indicators import get_indicator
from planning.suppression import GEHEIM, KEINE_DATEN

ARMUT = get_indicator("kinderarmut")  # polarity -1
U3 = get_indicator("versorgung_u3")  # polarity +1
NAMES = pd.DataFrame({"gebiet_id": ["a", "b", "c"], "name": ["Nord", "Mitte", "Süd"]})


def table(rows: dict[int, dict[str, float]], suppressed: set[tuple[int, str]] = frozenset()) -> pd.DataFrame:
    """An indicator's district table over several years, as ``indicator_table`` returns it."""
    records = [
        {"gebiet_id": g, "year": y, "value": v, "denominator": 100.0, "suppressed": (y, g) in suppressed}
        for y, values in rows.items()
        for g, v in values.items()
    ]
    return pd.DataFrame(records)


def city(values: dict[int, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"year": list(values), "value": list(values.values()), "suppressed": False})


def test_compare_takes_the_common_year_nearest_the_wanted_one_and_the_city_lines():
    x = table({2023: {"a": 10.0, "b": 20.0, "c": 30.0}, 2024: {"a": 11.0, "b": 21.0, "c": 31.0}})
    y = table({2023: {"a": 50.0, "b": 40.0, "c": 30.0}})
    comp = xt.compare(NAMES, x, y, city({2023: 19.0, 2024: 20.0}), city({2023: 41.0}), 2024)
    assert (comp.year, comp.x_year, comp.y_year) == (2023, 2023, 2023)
    assert (comp.x_ref, comp.y_ref, comp.ref_label) == (19.0, 41.0, xt.CITY)
    assert comp.pairs.set_index("gebiet_id")["x"].to_dict() == {"a": 10.0, "b": 20.0, "c": 30.0}
    assert comp.correlation["n"] == 3
    assert comp.correlation["pearson"] == pytest.approx(-1.0)


def test_compare_without_a_common_year_uses_each_nearest_year():
    x = table({2022: {"a": 1.0, "b": 2.0, "c": 3.0}})
    y = table({2025: {"a": 3.0, "b": 2.0, "c": 1.0}})
    comp = xt.compare(NAMES, x, y, city({2022: 2.0}), city({2025: 2.0}), 2024)
    assert (comp.year, comp.x_year, comp.y_year) == (None, 2022, 2025)


def test_compare_puts_both_lines_at_the_medians_when_a_city_value_is_missing():
    x = table({2024: {"a": 10.0, "b": 20.0, "c": 60.0}})
    y = table({2024: {"a": 1.0, "b": 5.0, "c": 9.0}}, suppressed={(2024, "c")})
    comp = xt.compare(NAMES, x, y, city({2024: 30.0}), city({2024: None}), 2024)
    assert comp.ref_label == xt.MEDIAN
    # the medians of the districts shown with both values (c is secret on Y)
    assert (comp.x_ref, comp.y_ref) == (15.0, 3.0)
    assert comp.pairs.set_index("gebiet_id").loc["c", "y_status"] == GEHEIM


def test_quadrant_rows_sort_the_worst_x_first_and_name_equal_headers():
    pairs = pd.DataFrame(
        {
            "gebiet_id": ["a", "b", "c"],
            "name": ["Nord", "Mitte", "Süd"],
            "x": [10.0, 30.0, 20.0],
            "y": [1.0, 2.0, 3.0],
            "x_status": xd.OK,
            "y_status": xd.OK,
            "quadrant": ["q1", "q1", "q2"],
        }
    )
    part, shown, x_col, y_col = xt.quadrant_rows(pairs, xt.ALL_DISTRICTS, ARMUT, ARMUT, "Planungsraum")
    assert part["gebiet_id"].tolist() == ["b", "c", "a"]  # polarity -1: the highest value is worst
    assert (x_col, y_col) == (f"X: {ARMUT.column_label}", f"Y: {ARMUT.column_label}")
    assert shown.columns.tolist() == ["Planungsraum", x_col, y_col, "Quadrant"]
    part, shown, x_col, _ = xt.quadrant_rows(pairs, "q1", U3, ARMUT, "Planungsraum")
    assert part["gebiet_id"].tolist() == ["a", "b"]  # polarity +1: the lowest value is worst
    assert "Quadrant" not in shown.columns and x_col == U3.column_label


def test_notes_count_secret_and_missing_cells():
    ranking = pd.DataFrame(
        {xd.status_column("x"): [xd.OK, GEHEIM, KEINE_DATEN], xd.status_column("y"): [xd.OK, GEHEIM, xd.OK]}
    )
    assert xt.notes(ranking, ["x", "y"]) == ["", "unvollständig: 2 geheim", "unvollständig: 1 ohne Daten"]


def test_ranking_names_each_year_when_there_is_no_common_year():
    poor = table({2023: {"a": 10.0, "b": 20.0, "c": 30.0}})
    care = table({2025: {"a": 40.0, "b": 30.0, "c": 20.0}})
    r = xt.ranking(NAMES, [ARMUT, U3], [poor, care], 2024, "Planungsraum", minimum=0.0)
    assert r.year is None
    assert r.headers == [f"{ARMUT.column_label} (2023)", f"{U3.column_label} (2025)"]
    # c: the highest poverty and the lowest care, the worst in both
    assert r.ranking.iloc[0]["gebiet_id"] == "c"
    assert r.shown.columns[:4].tolist() == ["Rang", "Planungsraum", "Punktwert", "Ungünstig in"]
    assert "Hinweis" not in r.shown.columns  # every cell has a value
    assert r.csv.decode("utf-8-sig").splitlines()[0].startswith("Rang;Gebiets-ID;Planungsraum")
