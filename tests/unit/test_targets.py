"""Traffic lights at their boundaries, trend arrows and the set overview line."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.targets import GELB, GRUEN, ROT, Target, change_unit, light, lights, status_row, trend, trends

T50 = Target("versorgung_u3", target=50.0, tolerance=5.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (60.0, GRUEN),
        (50.0, GRUEN),  # exactly at the target: reached
        (49.96, GRUEN),  # shown as 50,0 (one decimal): the light follows the displayed figure
        (49.94, GELB),  # shown as 49,9
        (45.0, GELB),  # exactly at the end of the tolerance: still amber
        (44.96, GELB),  # shown as 45,0
        (44.94, ROT),
        (0.0, ROT),
    ],
)
def test_higher_is_better_boundaries(value, expected):
    assert light(value, T50, polarity=1, decimals=1) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10.0, GRUEN), (15.0, GRUEN), (15.04, GRUEN), (15.06, GELB), (20.0, GELB), (20.04, GELB), (20.1, ROT)],
)
def test_higher_is_worse_boundaries(value, expected):
    t = Target("kinderarmut", target=15.0, tolerance=5.0)
    assert light(value, t, polarity=-1, decimals=1) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(100, GRUEN), (102, GRUEN), (98, GRUEN), (103, GELB), (96, GELB), (104, GELB), (105, ROT)],
)
def test_neutral_is_a_corridor(value, expected):
    t = Target("x", target=100.0, tolerance=2.0)
    assert light(value, t, polarity=0, decimals=0) == expected


def test_zero_tolerance_has_no_amber():
    t = Target("x", target=100.0, tolerance=0.0)
    assert light(100, t, 1, 0) == GRUEN
    assert light(99, t, 1, 0) == ROT


def test_missing_or_secret_value_has_no_light():
    assert light(None, T50, 1) is None
    assert light(float("nan"), T50, 1) is None
    s = lights(pd.Series([55.0, None, 40.0], dtype="Float64"), T50, 1)
    assert s.tolist()[0] == GRUEN and pd.isna(s.tolist()[1]) and s.tolist()[2] == ROT
    assert lights(pd.Series([1.0]), None, 1).isna().all()


def test_target_validation_and_text():
    with pytest.raises(ValueError, match="Toleranz"):
        Target("x", 1.0, -1.0)
    with pytest.raises(ValueError, match="Zielwert"):
        Target("x", float("nan"))
    assert T50.describe(1, lambda v: f"{v:.1f} %".replace(".", ",")) == "Ziel ≥ 50,0 % (gelb ab 45,0 %)"
    assert Target("k", 15, 5).describe(-1) == "Ziel ≤ 15 (gelb bis 20)"


def test_trend_against_the_latest_earlier_year_with_data():
    s = pd.DataFrame({"year": [2021, 2022, 2023, 2024], "value": [10.0, 12.0, None, 11.04]})
    t = trend(s, 2024, polarity=-1, decimals=1)
    assert t is not None
    assert t.previous_year == 2022  # 2023 has no value
    assert t.change == pytest.approx(-1.0)
    assert t.arrow == "↓" and t.improved is True  # fewer is better
    assert t.text() == "↓ −1 gegenüber 2022"
    assert trend(s, 2021, -1) is None  # no earlier year


def test_trend_equal_as_displayed_is_unchanged():
    s = pd.DataFrame({"year": [2023, 2024], "value": [45.04, 44.96]})
    t = trend(s, 2024, polarity=1, decimals=1)
    assert t is not None and t.arrow == "→" and t.improved is None


def test_trends_per_district_match_single_trend():
    table = pd.DataFrame(
        {
            "gebiet_id": ["a", "a", "b", "b", "c"],
            "year": [2023, 2024, 2023, 2024, 2024],
            "value": [40.0, 45.0, 50.0, 48.0, 30.0],
        }
    )
    out = trends(table, 2024, polarity=1, decimals=1).set_index("gebiet_id")
    assert out.loc["a", "arrow"] == "↑" and bool(out.loc["a", "improved"])
    assert out.loc["b", "arrow"] == "↓" and not bool(out.loc["b", "improved"])
    assert "c" not in out.index  # no previous year
    for gid in ("a", "b"):
        single = trend(table[table["gebiet_id"] == gid], 2024, 1, 1)
        assert single is not None and single.change == pytest.approx(out.loc[gid, "change"])


def test_status_row_counts_lights_secret_missing_and_worse():
    districts = pd.DataFrame(
        {
            "gebiet_id": ["a", "b", "c", "d", "a", "b", "c", "d"],
            "year": [2023] * 4 + [2024] * 4,
            "value": [55.0, 47.0, 30.0, 60.0, 44.0, 46.0, None, None],
            "suppressed": [False] * 6 + [True, False],
        }
    )
    city = pd.DataFrame({"year": [2023, 2024], "value": [48.0, 46.0], "suppressed": [False, False]})
    row = status_row(1, 1, T50, districts, city, 2024)
    assert (row[GRUEN], row[GELB], row[ROT]) == (0, 1, 1)
    assert row["secret"] == 1 and row["missing"] == 1
    assert row["worse"] == 1  # a: grün → rot; b stays gelb
    assert row["city_light"] == GELB and row["city_value"] == 46.0


def test_change_of_a_rate_is_in_percentage_points():
    assert change_unit("%") == "Pp."
    assert change_unit("je 1.000") == "je 1.000"
