"""Age-range counts from single years and bands."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.population import age_range_count


def _pop(rows):
    return pd.DataFrame(rows, columns=["gebiet_id", "year", "age_from", "age_to", "sex", "count"]).astype(
        {"age_to": "Int64", "count": "Int64"}
    )


def test_single_years_are_summed():
    pop = _pop([("A", 2025, a, a, None, 10 + a) for a in range(6)])
    out = age_range_count(pop, 0, 2)
    assert out["count"].tolist() == [10 + 11 + 12]


def test_bands_tile_a_range_when_single_years_are_missing():
    pop = _pop([("A", 2025, 0, 0, None, 5), ("A", 2025, 1, 2, None, 9), ("A", 2025, 3, 5, None, 12)])
    assert age_range_count(pop, 0, 2)["count"].tolist() == [14]  # 0 + band 1–2
    assert age_range_count(pop, 3, 5)["count"].tolist() == [12]


def test_band_that_crosses_the_range_gives_missing_not_a_guess():
    pop = _pop([("A", 2025, 0, 1, None, 5), ("A", 2025, 2, 4, None, 9)])
    out = age_range_count(pop, 0, 2)
    assert out["count"].isna().all()


def test_missing_single_year_makes_range_missing():
    pop = _pop([("A", 2025, 0, 0, None, 5), ("A", 2025, 1, 1, None, None), ("A", 2025, 2, 2, None, 4)])
    assert age_range_count(pop, 0, 2)["count"].isna().all()


def test_sex_specific_rows_are_not_double_counted():
    pop = _pop([("A", 2025, 0, 0, None, 10), ("A", 2025, 0, 0, "w", 6), ("A", 2025, 0, 0, "m", 4)])
    assert age_range_count(pop, 0, 0)["count"].tolist() == [10]


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="count"):
        age_range_count(
            pd.DataFrame({"gebiet_id": [], "year": [], "age_from": [], "age_to": [], "sex": []}), 0, 2
        )


def test_an_exact_band_is_used_even_when_an_overlapping_extra_band_exists():
    """Flensburg tab_5: 0–17 and the overlapping extra group 0–6 for the same area and year."""
    pop = _pop([("A", 2021, 0, 17, None, 360), ("A", 2021, 0, 6, None, 174)])
    assert age_range_count(pop, 0, 17)["count"].tolist() == [360]
    assert age_range_count(pop, 0, 6)["count"].tolist() == [174]
