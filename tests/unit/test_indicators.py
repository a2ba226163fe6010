"""Indicator computation on the hand-checkable tiny municipality (see conftest.build_tiny)."""

from __future__ import annotations

import pandas as pd
import pytest

from planning import indicators as ind
from planning.formatting import format_value
from planning.repository import load_planning_data
from tests.conftest import TINY_ADULTS, TINY_CHILDREN


@pytest.fixture
def data(tiny_engine):
    return load_planning_data(tiny_engine)


def _val(df: pd.DataFrame, gid: str, year: int) -> float:
    row = df[(df["gebiet_id"] == gid) & (df["year"] == year)]
    assert len(row) == 1, row
    return row["value"].iloc[0]


def test_children_counts_from_single_ages(data):
    u3 = ind.indicator_table(data, "kinder_u3")
    assert _val(u3, "0101", 2025) == 9 + 10 + 11
    k36 = ind.indicator_table(data, "kinder_3_6")
    assert _val(k36, "0201", 2025) == 18


def test_upper_level_sums_children(data):
    u3 = ind.indicator_table(data, "kinder_u3", level=0)
    expected = sum(TINY_CHILDREN[("0101", 2025)][:3]) + sum(TINY_CHILDREN[("0102", 2025)][:3])
    assert _val(u3, "01", 2025) == expected
    assert list(u3["gebiet_id"].unique()) == ["01", "02"]


def test_versorgung_u3_includes_tagespflege_and_respects_opening_and_closing(data):
    t = ind.indicator_table(data, "versorgung_u3")
    # 0101 2025: (10 U3 places + 5 Tagespflege) / 30 children 0–2
    assert _val(t, "0101", 2025) == pytest.approx(50.0)
    # 0201: K3 closes in 2025, so it counts in 2024 (5 / 15) but not in 2025 (0 %, not "keine Daten")
    assert _val(t, "0201", 2024) == pytest.approx(100 * 5 / 15)
    assert _val(t, "0201", 2025) == 0.0
    # 0102: K2 is planned for 2026 and does not count yet
    assert _val(t, "0102", 2025) == 0.0


def test_versorgung_ue3_city_is_ratio_of_sums_not_mean_of_rates(data):
    city = ind.city_series(data, "versorgung_ue3")
    children_3_5 = sum(sum(v[3:6]) for (g, y), v in TINY_CHILDREN.items() if y == 2025)
    assert city.loc[city["year"] == 2025, "value"].iloc[0] == pytest.approx(100 * 30 / children_3_5)


def test_share_under_18_uses_total(data):
    t = ind.indicator_table(data, "anteil_u18")
    kids = TINY_CHILDREN[("0102", 2024)]
    # ages 6–17 are not in single years here, so the range 0–17 cannot be answered exactly
    assert pd.isna(_val(t, "0102", 2024))
    total = ind.indicator_table(data, "einwohner")
    assert _val(total, "0102", 2024) == sum(kids) + TINY_ADULTS


def test_imported_rate_aggregates_only_with_denominators(data):
    t = ind.indicator_table(data, "kinderarmut")
    assert _val(t, "0201", 2025) == 12.5  # delivered value shown as is
    upper = ind.indicator_table(data, "kinderarmut", level=0)
    assert _val(upper, "01", 2025) == pytest.approx(100 * 25 / 110)
    assert pd.isna(_val(upper, "02", 2025))  # a rate without numerator/denominator cannot be summed


def test_primary_school_indicators(data):
    t = ind.indicator_table(data, "grundschueler")
    assert _val(t, "0101", 2025) == 45 + 50 + 40 + 44
    g = ind.indicator_table(data, "ganztag_quote")
    assert _val(g, "0101", 2025) == pytest.approx(100 * 60 / 179)
    z = ind.indicator_table(data, "zuege_auslastung")
    assert _val(z, "0101", 2025) == pytest.approx(100.0)


def test_unknown_indicator_lists_valid_codes():
    with pytest.raises(KeyError, match="versorgung_u3"):
        ind.get_indicator("gibt_es_nicht")


def test_available_indicators_only_with_data(data):
    codes = {i.code for i in ind.available_indicators(data)}
    assert {"versorgung_u3", "kinderarmut", "grundschueler"} <= codes
    assert "hze_je_1000" not in codes  # not imported in the tiny city


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "text"),
    [
        (1234567, 0, "Kinder", "1.234.567"),
        (45.25, 1, "%", "45,2 %"),
        (None, 1, "%", "keine Daten"),
        (3.0, 1, "je 1.000", "3,0 je 1.000"),
    ],
)
def test_german_number_format(value, decimals, unit, text):
    assert format_value(value, decimals, unit) == text


def test_city_rate_uses_areas_with_data_and_counts_the_missing(data):
    city = ind.city_series(data, "kinderarmut")
    row = city[city["year"] == 2025].iloc[0]
    # 0201 delivered a rate without numerator/denominator: it cannot be weighted and is reported missing
    assert row["value"] == pytest.approx(100 * 25 / 110)
    assert row["missing"] == 1


def test_rate_delivered_with_count_gets_its_base_back_for_aggregation(data):
    """Sozialatlas style: count and rate, no base. The base is numerator × scale ÷ rate."""
    from dataclasses import replace

    values = pd.DataFrame(
        {
            "gebiet_id": ["0101", "0102"],
            "year": [2025, 2025],
            "code": ["kinderarmut"] * 2,
            "value": [20.0, 50.0],
            "numerator": [20.0, 5.0],
            "denominator": [None, None],
        }
    )
    sozialatlas = replace(
        data,
        tables={
            **data.tables,
            "kennzahlen": values.astype(
                {"value": "Float64", "numerator": "Float64", "denominator": "Float64"}
            ),
        },
    )
    upper = ind.indicator_table(sozialatlas, "kinderarmut", level=0)
    assert _val(upper, "01", 2025) == pytest.approx(100 * 25 / 110)  # bases 100 and 10


def test_kita_reachability_shares_places_across_district_lines(data):
    """K1 (40 places, in 0101) is within 1,500 m of 0101 and 0102 (75 + 15 children 0–5 in 2024),
    not of 0201: 40 / 90 = 44.4 places per 100 children in both, although 0102 has no Kita in
    operation; the city allocates exactly K1's 40 places over its 120 children."""
    t = ind.indicator_table(data, "kita_erreichbar")
    assert _val(t, "0101", 2024) == pytest.approx(40 / 90 * 100)
    assert _val(t, "0102", 2024) == pytest.approx(40 / 90 * 100)
    assert _val(t, "0201", 2024) == 0
    city = ind.city_series(data, "kita_erreichbar").set_index("year")
    assert city.loc[2024, "numerator"] == pytest.approx(40)
    assert city.loc[2024, "value"] == pytest.approx(40 / 120 * 100)


def test_kitas_with_only_a_total_are_split_like_in_the_plan():
    """Berlin's Kita list has totals only: U3/Ü3 come from u3_anteil_gemischt (30 %), never 0."""
    import pandas as pd

    kitas = pd.DataFrame(
        {
            "places_total": pd.array([100, None, 50], dtype="Float64"),
            "places_u3": pd.array([None, 10, 20], dtype="Float64"),
            "places_ue3": pd.array([None, 30, None], dtype="Float64"),
        }
    )
    out = ind.split_places(kitas)
    assert out["places_u3"].tolist() == [30.0, 10.0, 20.0]
    assert out["places_ue3"].tolist() == [70.0, 30.0, 30.0]
    assert kitas["places_u3"].isna().sum() == 1  # input untouched
