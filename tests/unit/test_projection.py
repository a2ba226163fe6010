"""Cohort-progression projection: hand-computed cases and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.projection import (
    MAX_AGE,
    BirthSignal,
    ProjectionParams,
    long_children,
    progression_factors,
    project,
    project_arrays,
)


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
    # Ageing path: one area is the city, so its relative factors are 1 and cohorts move on unchanged;
    # births: mean age-0 over the window (2025: 12), no trend from one year. Persistence: 2025 stays.
    # Forecast = ½ ageing + ½ persistence.
    assert got[1] == pytest.approx((12 * 1.0 + 11) / 2)  # ageing: 12 new-borns of 2025; persistence: 11
    assert got[2] == pytest.approx((11 * 1.0 + 10) / 2)
    assert got[0] == pytest.approx((12 + 12) / 2)
    assert set(out["year"]) == {2026}


def test_relative_migration_is_carried_on_a_city_wide_wave_is_not():
    # 2024 → 2025 every cohort of the city grows by 10 % (a wave of refugees); area B grows by 30 %.
    rows = {
        ("A", 2024): _flat(100),
        ("A", 2025): _flat(110),
        ("B", 2024): _flat(100),
        ("B", 2025): _flat(130),
    }
    f = progression_factors(_children(rows), window=1, shrinkage=0).set_index(["gebiet_id", "age"])
    city = (110 + 130) / 200
    assert f.loc[("A", 5), "city_factor"] == pytest.approx(city)
    assert f.loc[("A", 5), "relative"] == pytest.approx(1.1 / city)
    assert f.loc[("B", 5), "relative"] == pytest.approx(1.3 / city)
    out = project(_children(rows), ProjectionParams(years=1, window=1, shrinkage=0)).set_index(
        ["gebiet_id", "age"]
    )["children"]
    assert out[("A", 6)] == pytest.approx(0.5 * 110 + 0.5 * 110 * 1.1 / city)
    assert out[("A", 6)] < 110 < out[("B", 6)]


def test_a_rising_birth_series_is_followed_with_a_damped_trend():
    births = [100.0, 105.0, 110.25]  # +5 % a year
    rows = {("A", 2023 + i): _flat(100, b) for i, b in enumerate(births)}
    out = project(_children(rows), ProjectionParams(years=5, window=3, shrinkage=0))
    newborns = out[out["age"] == 0].set_index("year")["children"]
    g = np.log(1.05)
    mean = np.mean(births)
    ageing = [mean * np.exp(g * (1 + sum(0.8**k for k in range(1, i + 1)))) for i in range(1, 6)]
    expected = [0.5 * births[-1] + 0.5 * a for a in ageing]
    assert list(newborns) == pytest.approx(expected)
    assert newborns[2026] > births[-1] and newborns.is_monotonic_increasing  # followed, not flat


def test_counted_births_set_the_city_newborns_where_age_0_is_only_estimated():
    # Age 0 split from a band (A 10, B 30 per cohort) while the births table counts 60 + 20 = 80 a year:
    # the city's new-borns are the 80 counted births, the areas keep their shares of the estimated
    # age 0 (A ¼, B ¾), and the ages the births do not touch stay as without the births table.
    rows = {("A", 2025): _flat(10), ("B", 2025): _flat(30)}
    params = ProjectionParams(years=2, window=1, shrinkage=0)
    signal = BirthSignal(series=(80.0,), births_by_area=(("A", 60.0), ("B", 20.0)))
    counted = project_arrays(_children(rows), params, births=signal)
    plain = project_arrays(_children(rows), params, births=BirthSignal(series=(80.0,)))
    a, b = counted.areas.index("A"), counted.areas.index("B")
    assert counted.future[0, a, 0] == pytest.approx(0.5 * 10 + 0.5 * 80 / 40 * 10)  # 15, not 10
    assert counted.future[0, b, 0] == pytest.approx(0.5 * 30 + 0.5 * 80 / 40 * 30)  # 45, not 30
    assert plain.future[0, a, 0] == pytest.approx(10)
    assert counted.future[1, a, 1] == pytest.approx(0.5 * 10 + 0.5 * 20)  # last year's new-borns aged on
    np.testing.assert_allclose(counted.future[:, :, 2:], plain.future[:, :, 2:])
    # the city grows by births − leavers (80 − 40 a year) on the ageing path, half of it in the mean
    assert counted.future[0].sum() == pytest.approx(40 * 18 + 0.5 * (80 - 40))


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
    assert diff[2026] == pytest.approx(50 * 0.1 * 18)  # half the units in 2026, in full
    assert diff[2027] > diff[2026]  # the 2026 newcomers age on, plus the second half


def test_birth_trend_variant_changes_only_the_newborns_path():
    rows = {("A", 2024): _flat(10), ("A", 2025): _flat(10)}
    low = project(_children(rows), ProjectionParams(years=3, window=1, birth_trend=-0.02))
    high = project(_children(rows), ProjectionParams(years=3, window=1, birth_trend=0.02))
    first = lambda df: df[(df["year"] == 2026)].set_index("age")["children"]  # noqa: E731
    assert first(high)[0] > first(low)[0]
    assert first(high)[5] == pytest.approx(first(low)[5])


# --- guards against bad data ---------------------------------------------------------------------------


def _stationary_city(n_areas: int = 6, years=range(2019, 2026)) -> dict:
    return {(f"G{i}", y): _flat(50.0 + 10 * i) for i in range(n_areas) for y in years}


def _others_stay(rows: dict, broken: str, params: ProjectionParams) -> tuple[pd.DataFrame, list]:
    pr = project_arrays(_children(rows), params)
    out = long_children(pr.areas, pr.future_years, pr.future)
    for gid in pr.areas:
        if gid == broken or (gid, 2025) not in rows:
            continue
        start = rows[(gid, 2025)][5]
        got = out[(out["gebiet_id"] == gid)]["children"].to_numpy()
        assert np.allclose(got, start, rtol=0.02), gid  # within ±2 % for ten years
    return out, list(pr.problems)


def test_an_area_with_zero_years_does_not_move_the_others():
    rows = _stationary_city()
    rows[("G0", 2023)] = _flat(0.0)
    rows[("G0", 2024)] = _flat(0.0)
    _, problems = _others_stay(rows, "G0", ProjectionParams(years=10, window=3))
    texts = [p.text for p in problems]
    assert "Gebiet G0: 2023 alle Altersjahre 0 (sonst bis zu 900 Kinder) – als fehlend behandelt." in texts
    assert any(p.gebiet_id == "G0" and p.year == 2024 and p.kind == "jahr_null" for p in problems)
    assert {p.gebiet_id for p in problems} == {"G0"}


def test_an_area_at_zero_or_missing_in_the_base_year_gets_no_forecast_and_no_influence():
    rows = _stationary_city()
    rows[("G1", 2025)] = _flat(0.0)
    del rows[("G2", 2025)]
    out, problems = _others_stay(rows, "G1", ProjectionParams(years=10, window=3))
    assert out[out["gebiet_id"] == "G1"]["children"].isna().all()  # "keine Daten", not 0
    assert out[out["gebiet_id"] == "G2"]["children"].isna().all()
    kinds = {(p.gebiet_id, p.kind) for p in problems}
    assert kinds == {("G1", "basisjahr_null"), ("G2", "basisjahr_fehlt")}
    assert all(p.excluded for p in problems)


def test_a_missing_single_age_is_named_and_never_becomes_zero_for_ever():
    rows = _stationary_city()
    children = _children(rows)
    gone = (children["gebiet_id"] == "G3") & (children["year"] == 2025) & (children["age"] == 4)
    pr = project_arrays(children[~gone], ProjectionParams(years=10, window=3))
    out = long_children(pr.areas, pr.future_years, pr.future)
    g3 = out[out["gebiet_id"] == "G3"].set_index(["year", "age"])["children"]
    assert g3[(2026, 5)] == pytest.approx(80.0)  # the cohort of the missing age is there
    assert g3[(2035, 14)] == pytest.approx(80.0, rel=0.02)
    (problem,) = pr.problems
    assert problem.text == "Gebiet G3: Alter 4 fehlt 2025 – im Basisjahr aus den Nachbaraltern geschätzt."
    for gid in ("G0", "G1", "G5"):
        assert np.allclose(out[out["gebiet_id"] == gid]["children"], 50.0 + 10 * int(gid[1]), rtol=0.02)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=500), min_size=2 * (MAX_AGE + 1), max_size=2 * (MAX_AGE + 1))
)
def test_never_negative_and_conserved_without_migration(counts):
    n = MAX_AGE + 1
    rows = {("A", 2024): counts[:n], ("A", 2025): counts[n:]}
    out = project(_children(rows), ProjectionParams(years=5, window=1, shrinkage=0))
    # an area whose children all vanish in the base year gets no forecast (NaN), never a negative one
    assert (out["children"].dropna() >= 0).all()
    # With every factor exactly 1 the cohorts move on unchanged:
    same = {("A", 2024): _flat(7), ("A", 2025): _flat(7)}
    stable = project(_children(same), ProjectionParams(years=5, window=1, shrinkage=0))
    assert np.allclose(stable["children"], 7.0)
