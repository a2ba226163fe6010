"""Cohort-progression projection: hand-computed cases and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.projection import MAX_AGE, ProjectionParams, progression_factors, project


def _children(rows: dict[tuple[str, int], list[float]]) -> pd.DataFrame:
    out = []
    for (gid, year), counts in rows.items():
        out += [{"gebiet_id": gid, "year": year, "age": a, "count": c} for a, c in enumerate(counts)]
    return pd.DataFrame(out)


def _flat(n: float, *first: float) -> list[float]:
    """Counts for ages 0–17: ``first`` for the youngest ages, ``n`` for the rest."""
    return [*first, *[n] * (MAX_AGE + 1 - len(first))]


def test_factor_is_sum_of_survivors_over_sum_of_exposure():
    # Area A: age 0 → 1 goes 10 → 12 and 20 → 18: f = (12 + 18) / (10 + 20) = 1.0, not mean(1.2, 0.9)
    a = {
        ("A", 2020): _flat(10, 10),
        ("A", 2021): _flat(10, 20, 12),
        ("A", 2022): _flat(10, 20, 18),
    }
    f = progression_factors(_children(a), window=2, shrinkage=0)
    assert f.loc[(f["gebiet_id"] == "A") & (f["age"] == 0), "factor"].iloc[0] == pytest.approx(1.0)


def test_small_areas_are_shrunk_toward_the_city():
    rows = {
        ("Gross", 2020): _flat(1000),
        ("Gross", 2021): _flat(1000),  # factor 1.0 with much exposure
        ("Klein", 2020): _flat(2),
        ("Klein", 2021): _flat(4),
    }  # factor 2.0 on 2 children
    f = progression_factors(_children(rows), window=1, shrinkage=200).set_index(["gebiet_id", "age"])[
        "factor"
    ]
    city = (1000 + 4) / (1000 + 2)
    assert f[("Klein", 5)] == pytest.approx((2 * 2.0 + 200 * city) / (2 + 200))
    assert f[("Gross", 5)] == pytest.approx((1000 * 1.0 + 200 * city) / 1200)


def test_one_projection_step_by_hand():
    rows = {("A", 2024): _flat(10, 10, 10), ("A", 2025): _flat(10, 12, 11)}
    out = project(_children(rows), ProjectionParams(years=1, window=1, shrinkage=0))
    got = out.set_index("age")["children"]
    # factor(age 0) = 11/10, factor(age a>0) = 10/10; births level = mean age-0 over the window (2025: 12)
    assert got[1] == pytest.approx(12 * 1.1)
    assert got[2] == pytest.approx(11 * 1.0)
    assert got[0] == pytest.approx(12.0)
    assert set(out["year"]) == {2026}


def test_housing_adds_children_in_completion_years():
    rows = {("A", 2024): _flat(10), ("A", 2025): _flat(10)}
    housing = pd.DataFrame(
        {"gebiet_id": ["A"], "units": [100], "completion_year": [2026], "completion_year_end": [2027]}
    )
    yield_ = tuple([0.1] * (MAX_AGE + 1))
    plain = project(_children(rows), ProjectionParams(years=2, window=1, shrinkage=0, child_yield=yield_))
    built = project(
        _children(rows), ProjectionParams(years=2, window=1, shrinkage=0, child_yield=yield_), housing
    )
    diff = built.groupby("year")["children"].sum() - plain.groupby("year")["children"].sum()
    assert diff[2026] == pytest.approx(50 * 0.1 * 18)  # half the units in 2026
    assert diff[2027] > diff[2026]  # the 2026 newcomers age on, plus the second half


def test_birth_trend_variant_changes_only_the_newborns_path():
    rows = {("A", 2024): _flat(10), ("A", 2025): _flat(10)}
    low = project(_children(rows), ProjectionParams(years=3, window=1, birth_trend=-0.02))
    high = project(_children(rows), ProjectionParams(years=3, window=1, birth_trend=0.02))
    first = lambda df: df[(df["year"] == 2026)].set_index("age")["children"]  # noqa: E731
    assert first(high)[0] > first(low)[0]
    assert first(high)[5] == pytest.approx(first(low)[5])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=500), min_size=2 * (MAX_AGE + 1), max_size=2 * (MAX_AGE + 1))
)
def test_never_negative_and_conserved_without_migration(counts):
    n = MAX_AGE + 1
    rows = {("A", 2024): counts[:n], ("A", 2025): counts[n:]}
    out = project(_children(rows), ProjectionParams(years=5, window=1, shrinkage=0))
    assert (out["children"] >= 0).all()
    # With every factor exactly 1 the cohorts move on unchanged:
    same = {("A", 2024): _flat(7), ("A", 2025): _flat(7)}
    stable = project(_children(same), ProjectionParams(years=5, window=1, shrinkage=0))
    assert np.allclose(stable["children"], 7.0)
