"""The indicator explorer's tables (planning.explorer) on hand-built frames: the year shown, the
areas of a year, the ranking beside the map and its excerpt, the change against the previous
year, the facility points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning import explorer
from planning.indicators import INDICATORS
from planning.suppression import GEHEIM, KEINE_DATEN

RATE = INDICATORS["versorgung_u3"]  # %, higher is better
NAMES = pd.DataFrame(
    {"gebiet_id": ["A", "B", "C", "D", "E"], "name": ["Au", "Bach", "Cölln", "Dorf", "Esch"]}
)


def _table_all() -> pd.DataFrame:
    """Two years; in 2025 A 40 %, B 55 % (on a base of 12: too small), C secret, D 30 %, E none."""
    return pd.DataFrame(
        {
            "gebiet_id": ["A", "B", "C", "D", "A", "D"],
            "year": [2025, 2025, 2025, 2025, 2024, 2024],
            "value": [40.0, 55.0, np.nan, 30.0, 38.0, 31.0],
            "numerator": [40, 6.6, np.nan, 30, 38, 31],
            "denominator": [100, 12, np.nan, 100, 100, 100],
            "suppressed": [False, False, True, False, False, False],
            "few": [False, True, False, False, False, False],
        }
    )


@pytest.mark.parametrize(
    ("years", "year", "shown"),
    [
        ([2023, 2024, 2025], 2024, 2024),
        ([2021, 2025], 2024, 2025),
        ([2021, 2023, 2025], 2024, 2023),
        ([], 2024, 2024),
    ],
)
def test_the_year_shown_is_the_chosen_one_or_the_nearest_with_figures(years, year, shown):
    assert explorer.nearest_year(years, year) == shown


def test_the_year_table_has_every_area_and_marks_only_real_rows():
    table = explorer.year_table(NAMES, _table_all(), 2025)
    assert table["gebiet_id"].tolist() == ["A", "B", "C", "D", "E"]
    assert table["suppressed"].tolist() == [False, False, True, False, False]
    assert table["few"].tolist() == [False, True, False, False, False]
    assert pd.isna(table.loc[4, "value"])  # E has no figure: neither secret nor few
    with pytest.raises(ValueError, match="few"):
        explorer.year_table(NAMES, _table_all().drop(columns="few"), 2025)


def test_the_ranking_puts_small_bases_after_the_ranked_and_secret_ones_last():
    table = explorer.year_table(NAMES, _table_all(), 2025)
    best = explorer.ranked_rows(table, polarity=1)
    assert best["gebiet_id"].tolist() == ["A", "D", "B", "C"]  # E (no data) is named below the table
    worst = explorer.ranked_rows(table, polarity=1, worst_first=True)
    assert worst["gebiet_id"].tolist() == ["D", "A", "B", "C"]
    # less is better: the lowest value first; without a direction the highest
    assert explorer.ranked_rows(table, polarity=-1)["gebiet_id"].tolist() == ["D", "A", "B", "C"]
    assert explorer.ranked_rows(table, polarity=0, worst_first=True)["gebiet_id"].tolist() == [
        "A",
        "D",
        "B",
        "C",
    ]


def test_the_ranking_table_marks_small_bases_and_confidential_values():
    table = explorer.year_table(
        NAMES, _table_all().assign(confidential=[False, False, False, True, False, False]), 2025
    )
    rows = explorer.ranked_rows(table, polarity=1)
    lights = pd.Series(["grün", None, None, "rot", None], index=table.index)
    shown = explorer.ranking_table(RATE, rows, "Planungsraum", lights=lights, arrows={"A": "↗"})
    assert list(shown.columns) == ["Planungsraum", "Wert", "Ampel", "Trend"]
    assert shown["Planungsraum"].tolist()[:2] == ["Au", "Dorf · vertraulich"]
    assert shown["Planungsraum"].tolist()[2].startswith("Bach · ")  # the small-base label
    assert shown["Wert"].tolist() == [RATE.format(40.0), RATE.format(30.0), RATE.format(55.0), GEHEIM]
    assert shown["Ampel"].tolist() == [explorer.light_text("grün"), explorer.light_text("rot"), "", ""]
    assert shown["Trend"].tolist() == ["↗", "", "", ""]
    plain = explorer.ranking_table(RATE, rows, "Planungsraum")
    assert list(plain.columns) == ["Planungsraum", "Wert"]


def test_the_excerpt_keeps_head_and_tail_and_counts_what_it_skips():
    shown = pd.DataFrame({"Gebiet": [f"G{i}" for i in range(30)]})
    left_out = np.zeros(30, dtype=bool)
    left_out[[3, 29]] = True
    part = explorer.excerpt(shown, left_out, head=8, tail=8)
    assert part.ranked == 28
    assert part.head["Gebiet"].tolist() == ["G0", "G1", "G2", "G4", "G5", "G6", "G7", "G8"]
    assert part.skipped == 12
    assert part.tail["Gebiet"].tolist() == [f"G{i}" for i in range(21, 29)]
    short = explorer.excerpt(shown.iloc[:10], left_out[:10])
    assert (short.skipped, len(short.head), len(short.tail), short.ranked) == (0, 9, 0, 9)


def test_the_ranking_order_in_words():
    assert explorer.ranking_order(1) == "Günstigster Wert zuerst"
    assert explorer.ranking_order(-1, worst_first=True) == "Ungünstigster Wert zuerst"
    assert explorer.ranking_order(0, worst_first=True) == "Höchster Wert zuerst"


def test_the_big_figure_says_secret_or_missing():
    table = _table_all()
    assert explorer.metric_text(RATE, table.iloc[0:1]) == RATE.format(40.0)
    assert explorer.metric_text(RATE, table.iloc[2:3]) == GEHEIM
    assert explorer.metric_text(RATE, table.iloc[0:0]) == KEINE_DATEN


def test_the_change_against_the_previous_year_is_green_when_it_improves():
    series = pd.DataFrame({"year": [2024, 2025], "value": [38.0, 40.0]})
    # st.metric colours a rise green and a fall red under "normal", the other way under "inverse"
    assert explorer.change_text(RATE, series, 2025) == ("+2,0 Pp. gegenüber 2024", "normal")
    down = explorer.change_text(RATE, series.assign(value=[40.0, 38.0]), 2025)
    assert down == ("-2,0 Pp. gegenüber 2024", "normal")  # ASCII sign: st.metric reads it
    poverty = INDICATORS["kinderarmut"]  # less is better: a fall is green
    assert explorer.change_text(poverty, series.assign(value=[40.0, 38.0]), 2025)[1] == "inverse"
    assert explorer.change_text(RATE, series.assign(value=[40.0, 40.0]), 2025) == (
        "unverändert gegenüber 2024",
        "off",
    )
    assert explorer.change_text(RATE, series.iloc[1:], 2025) == (None, "off")


def test_facility_points_leave_out_closed_kitas_and_unlocated_schools():
    kitas = pd.DataFrame(
        {
            "name": ["K1", "K2", "K3"],
            "traeger": ["AWO", None, "Stadt"],
            "places_total": pd.array([60, None, 40], dtype="Int64"),
            "status": ["in Betrieb", "geplant", "geschlossen"],
            "lon": [9.1, 9.2, 9.3],
            "lat": [54.1, 54.2, 54.3],
        }
    )
    points = explorer.kita_points(kitas)
    assert points["name"].tolist() == ["K1", "K2"]
    assert points["info"].tolist() == ["AWO · 60 Plätze", "Träger unbekannt · ? Plätze (geplant)"]
    schools = pd.DataFrame(
        {
            "name": ["S1", "S2", "S3"],
            "schulart": ["Grundschule", "Gymnasium", "Grundschule"],
            "zuege": [2.0, np.nan, 2.5],
            "lon": [9.1, np.nan, 9.2],
            "lat": [54.1, np.nan, 54.2],
        }
    )
    # German: "2,5-zügig", never the English "2.5"
    assert explorer.school_points(schools)["info"].tolist() == [
        "Grundschule · 2-zügig",
        "Grundschule · 2,5-zügig",
    ]
