"""Stadtteilprofil, the data shaping behind its sections (planning.profile.facilities, .plan,
.indicators): map layers, facility table and counts, the compact plan table, an area's history.
Hand-built frames; the page itself is tested in tests/app/test_profile.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning import profile as prof

NB = "\u00a0"


@pytest.fixture
def facilities() -> pd.DataFrame:
    """As ``facilities_in`` returns them: two Kitas (one without a location, one without Träger and
    places), two schools (one without Zügigkeit or Ganztag places)."""
    return pd.DataFrame(
        {
            "kind": ["Kita", "Kita", "Schule", "Schule"],
            "name": ["Kita Am Hafen", "Kita Nord", "GS Mitte", "Gymnasium"],
            "detail": ["AWO", None, "Grundschule", "Gymnasium"],
            "places": pd.array([1234, None, None, None], dtype="Float64"),
            "zuege": pd.array([None, None, 2.0, None], dtype="Float64"),
            "ganztag_places": pd.array([None, None, 150, None], dtype="Float64"),
            "gebiet_id": ["A1"] * 4,
            "lon": [9.1, 9.2, np.nan, 9.4],
            "lat": [54.1, 54.2, np.nan, 54.4],
        }
    )


def test_map_layers_hold_the_located_facilities_with_their_line(facilities):
    layers = prof.facility_layers(facilities)
    assert list(layers) == ["Kitas", "Schulen"]
    assert list(layers["Kitas"]["name"]) == ["Kita Am Hafen", "Kita Nord"]
    assert list(layers["Kitas"]["info"]) == ["AWO · 1.234 Plätze", "ohne Angabe · ? Plätze"]
    # the Grundschule has no location: not on the map
    assert list(layers["Schulen"]["name"]) == ["Gymnasium"]
    assert list(layers["Schulen"]["info"]) == ["Gymnasium"]
    assert list(layers["Schulen"].columns) == ["lon", "lat", "name", "info"]


def test_a_school_line_names_its_zuegigkeit_without_a_trailing_zero():
    row = pd.Series({"kind": "Schule", "detail": "Grundschule", "places": np.nan, "zuege": 2.5})
    assert prof.facility_info(row) == "Grundschule · 2,5-zügig"
    three = row.copy()
    three["zuege"] = 3.0
    assert prof.facility_info(three) == "Grundschule · 3-zügig"


def test_the_facility_table_leaves_cells_empty_that_do_not_apply(facilities):
    table = prof.facility_table(facilities)
    assert list(table.columns) == [
        "Art",
        "Name",
        "Träger / Schulart",
        "Kita-Plätze",
        "Züge",
        "Ganztagsplätze",
    ]
    assert table.loc[0].tolist() == ["Kita", "Kita Am Hafen", "AWO", "1.234", "", ""]
    assert table.loc[1].tolist() == ["Kita", "Kita Nord", "ohne Angabe", "", "", ""]
    assert table.loc[2].tolist() == ["Schule", "GS Mitte", "Grundschule", "", "2", "150"]
    assert table.loc[3].tolist() == ["Schule", "Gymnasium", "Gymnasium", "", "ohne Angabe", "ohne Angabe"]


def test_facility_counts_for_the_key_figures(facilities):
    counts = prof.facility_counts(facilities)
    assert {k: counts[k] for k in ("kitas", "schools", "primary")} == {"kitas": 2, "schools": 2, "primary": 1}
    assert counts["places"] == 1234
    no_places = prof.facility_counts(facilities.assign(places=pd.array([None] * 4, dtype="Float64")))
    assert pd.isna(no_places["places"])  # unknown, not 0


def _series() -> pd.DataFrame:
    years = list(range(2024, 2036))
    demand = [100.4 + 10 * i for i in range(len(years))]
    frame = pd.DataFrame({"year": years, "u3_demand": demand, "u3_gap": [-0.2] + [-12.6] * (len(years) - 1)})
    frame["u3_demand_low"] = [np.nan] + [d - 20 for d in demand[1:]]
    frame["u3_demand_high"] = [np.nan] + [d + 20 for d in demand[1:]]
    frame.loc[frame["year"] == 2029, "u3_demand_high"] = frame.loc[frame["year"] == 2029, "u3_demand_low"]
    return frame


ROWS = [("u3_demand", "U3-Bedarf"), ("u3_gap", "Bilanz U3"), ("u3_places", "U3-Plätze")]


def test_the_plan_table_heads_years_and_shows_ranges_as_text():
    series = _series().assign(u3_places=np.nan)
    years = prof.plan_years(list(series["year"]), 2024, 2030)
    table = prof.plan_table(series, years, ROWS[:2], base_year=2024, school=False)
    assert list(table.cells.columns) == ["Kennzahl", "2024 (Ist)", "2027", "2029", "2030", "2034"]
    assert list(table.values.columns) == list(table.cells.columns)
    assert table.cells["2024 (Ist)"].tolist() == ["100", "0"]  # never "−0"
    assert table.cells["2027"].tolist()[0] == f"130{NB}(110{NB}bis{NB}150)"
    assert table.cells["2029"].tolist()[0] == "150"  # a range of one number is no range
    assert table.values["2027"].tolist() == [130.0, -13.0]
    assert table.ranged


def test_the_plan_table_of_a_school_uses_school_years_and_keeps_missing_on_one_line():
    series = _series().assign(u3_places=np.nan).drop(columns=["u3_demand_low", "u3_demand_high"])
    table = prof.plan_table(series, [2024, 2027], ROWS, base_year=2024, school=True)
    assert list(table.cells.columns) == ["Kennzahl", "2024/25 (Ist)", "2027/28"]
    assert table.cells["2027/28"].tolist()[2] == f"keine{NB}Daten"
    assert not table.ranged


def test_an_area_history_leaves_out_secret_and_missing_years_and_other_areas():
    table = pd.DataFrame(
        {
            "gebiet_id": ["A1", "A1", "A1", "A1", "B1"],
            "year": [2021, 2022, 2023, 2024, 2024],
            "value": [1.0, 2.0, np.nan, 4.0, 5.0],
            "suppressed": [False, True, False, False, False],
        }
    )
    assert prof.area_history(table, "A1")["year"].tolist() == [2021, 2024]
    with pytest.raises(ValueError, match="suppressed"):
        prof.area_history(table.drop(columns="suppressed"), "A1")
