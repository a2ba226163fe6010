"""Single ages from age bands: hand-computed cases and properties (sums back, never negative)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.bands import band_totals, birth_signal, split_to_single_ages


def _pop(rows: list[tuple]) -> pd.DataFrame:
    """Rows ``(gebiet_id, year, age_from, age_to, count)`` or with a sixth field ``sex``."""
    full = [(*r, None) if len(r) == 5 else r for r in rows]
    df = pd.DataFrame(full, columns=["gebiet_id", "year", "age_from", "age_to", "count", "sex"])
    return df.astype({"age_to": "Int64", "count": "Int64"})


def _births(rows: dict[tuple[str, int], int]) -> pd.DataFrame:
    return pd.DataFrame([(g, y, n) for (g, y), n in rows.items()], columns=["gebiet_id", "year", "count"])


def _ages(out: pd.DataFrame, gid: str = "A", year: int = 2021) -> pd.Series:
    return out[(out["gebiet_id"] == gid) & (out["year"] == year)].set_index("age")["count"]


def test_uniform_split_without_births():
    got = _ages(split_to_single_ages(_pop([("A", 2021, 0, 17, 180)])))
    assert list(got.index) == list(range(18))
    assert np.allclose(got, 10.0)


def test_nested_band_goes_first_and_the_rest_shares_the_residual():
    # 0–17 = 180 with 0–6 = 84 inside: ages 0–6 get 84/7 = 12, ages 7–17 get (180 − 84)/11
    got = _ages(split_to_single_ages(_pop([("A", 2021, 0, 17, 180), ("A", 2021, 0, 6, 84)])))
    assert np.allclose(got[0:6], 12.0)
    assert np.allclose(got[7:17], 96 / 11)
    assert got.sum() == pytest.approx(180)


def test_births_are_the_cohort_sizes_scaled_to_the_band():
    # Band 0–3 = 100 in 2021; births 2021, 2020, 2019 = 10, 20, 30; 2018 unknown → the area's mean 20.
    # w = (10, 20, 30, 20), Σw = 80 → 100·w/80 = 12.5, 25, 37.5, 25
    births = _births({("A", 2021): 10, ("A", 2020): 20, ("A", 2019): 30})
    got = _ages(split_to_single_ages(_pop([("A", 2021, 0, 3, 100)]), births))
    assert list(got) == pytest.approx([12.5, 25.0, 37.5, 25.0])


def test_births_only_for_the_youngest_ages():
    # births_up_to_age=1: age 2 gets the mean (20) although the births of 2019 (30) are known.
    # w = (10, 20, 20), Σw = 50 → 100·w/50 = 20, 40, 40
    births = _births({("A", 2021): 10, ("A", 2020): 20, ("A", 2019): 30})
    got = _ages(split_to_single_ages(_pop([("A", 2021, 0, 2, 100)]), births, births_up_to_age=1))
    assert list(got) == pytest.approx([20.0, 40.0, 40.0])


def test_births_long_before_do_not_set_the_size_of_unknown_cohorts():
    # Band 0–2 = 90 in 2017; births 2017 = 10, 2011 = 100 (before a gap, like Flensburg's 2011).
    # Ages 1 and 2 (born 2016, 2015) get the mean of the recent births 2012–2017 (10), not of 2011
    # and 2017 (55, which would give 7.5, 41.25, 41.25): w = (10, 10, 10) → 30 each.
    births = _births({("A", 2017): 10, ("A", 2011): 100})
    got = _ages(split_to_single_ages(_pop([("A", 2017, 0, 2, 90)]), births), year=2017)
    assert list(got) == pytest.approx([30.0, 30.0, 30.0])
    # the recent births of one area and year: 2017's band counts the births of 2012–2017 only
    recent = _births({("A", 2018): 40, ("A", 2017): 10, ("A", 2016): 30})
    got = _ages(split_to_single_ages(_pop([("A", 2017, 0, 3, 90)]), recent), year=2017)
    assert list(got) == pytest.approx([90 * w / 80 for w in (10, 30, 20, 20)])  # B̄ = (10 + 30) / 2, not 2018


def test_birth_signal_gives_counted_births_only_where_age_0_is_estimated():
    bands = _pop([(g, y, 0, 17, 180) for g in ("A", "B") for y in (2024, 2025)])
    births = _births({("A", 2024): 8, ("A", 2025): 12, ("B", 2024): 30, ("B", 2025): 30})
    signal = birth_signal(bands, births, [2024, 2025])
    assert signal.series == (38.0, 42.0)
    assert dict(signal.births_by_area) == {"A": 10.0, "B": 30.0}
    counted_age0 = pd.concat([bands, _pop([(g, 2025, 0, 0, 9) for g in ("A", "B")])], ignore_index=True)
    assert birth_signal(counted_age0, births, [2024, 2025]).births_by_area == ()


def test_births_of_another_area_do_not_count():
    births = _births({("B", 2021): 500})
    got = _ages(split_to_single_ages(_pop([("A", 2021, 0, 1, 10)]), births))
    assert list(got) == pytest.approx([5.0, 5.0])


def test_single_ages_come_back_unchanged_and_win_over_a_contradicting_band():
    singles = [("A", 2021, a, a, 7 + a) for a in range(18)]
    rows = [*singles, ("A", 2021, 0, 17, 999), ("B", 2021, 0, 17, 36)]
    births = _births({("A", 2021): 1000, ("B", 2021): 2})
    out = split_to_single_ages(_pop(rows), births)
    assert list(_ages(out, "A")) == [7.0 + a for a in range(18)]  # exactly, not approximately
    assert _ages(out, "B").sum() == pytest.approx(36)


def test_partial_single_ages_inside_a_band():
    # 0–5 = 60 with ages 0 and 1 given (8, 12): ages 2–5 share 60 − 20 = 40 evenly
    got = _ages(
        split_to_single_ages(_pop([("A", 2021, 0, 5, 60), ("A", 2021, 0, 0, 8), ("A", 2021, 1, 1, 12)]))
    )
    assert list(got) == pytest.approx([8, 12, 10, 10, 10, 10])


def test_open_bands_other_sexes_and_bands_beyond_17_are_ignored():
    rows = [
        ("A", 2021, 0, None, 5000),  # total
        ("A", 2021, 6, None, 4000),  # 6+
        ("A", 2021, 15, 24, 700),  # reaches beyond 17
        ("A", 2021, 0, 5, 60, "w"),  # one sex only
        ("A", 2021, 0, 5, 120),
    ]
    out = split_to_single_ages(_pop(rows))
    assert list(_ages(out)) == pytest.approx([20.0] * 6)


def test_empty_weights_fall_back_to_an_even_split():
    births = _births({("A", 2021): 0, ("A", 2020): 0})  # mean 0 as well
    got = _ages(split_to_single_ages(_pop([("A", 2021, 0, 3, 8)]), births))
    assert list(got) == pytest.approx([2.0] * 4)


def test_nothing_usable_is_a_german_error():
    with pytest.raises(ValueError, match="Keine Kinderzahlen 0–17"):
        split_to_single_ages(_pop([("A", 2021, 0, None, 5000), ("A", 2021, 18, 29, 700)]))


def test_crossing_bands_are_rejected():
    with pytest.raises(ValueError, match="überschneiden sich"):
        split_to_single_ages(_pop([("A", 2021, 0, 6, 70), ("A", 2021, 3, 10, 80)]))


def test_inner_band_larger_than_outer_is_rejected():
    with pytest.raises(ValueError, match="widersprechen sich"):
        split_to_single_ages(_pop([("A", 2021, 0, 17, 100), ("A", 2021, 0, 6, 150)]))


def test_conflicting_duplicates_and_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="mehrfach"):
        split_to_single_ages(_pop([("A", 2021, 0, 17, 100), ("A", 2021, 0, 17, 101)]))
    with pytest.raises(ValueError, match="Negative Geburtenzahl"):
        split_to_single_ages(_pop([("A", 2021, 0, 17, 100)]), _births({("A", 2021): -1}))


def test_input_is_not_mutated():
    pop = _pop([("A", 2021, 0, 17, 180), ("A", 2021, 0, 6, 84)])
    before = pop.copy()
    split_to_single_ages(pop, _births({("A", 2021): 10}))
    pd.testing.assert_frame_equal(pop, before)


def test_band_totals_prefer_the_exact_band_else_complete_single_ages():
    rows = [("A", 2021, 0, 17, 180), *[("B", 2021, a, a, 2) for a in range(18)], ("C", 2021, 0, 0, 5)]
    got = band_totals(_pop(rows), 0, 17).set_index("gebiet_id")["observed"]
    assert got.to_dict() == {"A": 180.0, "B": 36.0}  # C has only one single age


# --- Property: a random nested (laminar) family of bands over random true single ages -----------------


@st.composite
def _nested_bands(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    truth = draw(st.lists(st.integers(0, 400), min_size=18, max_size=18))
    cuts = sorted(draw(st.sets(st.integers(1, 17), max_size=6)))
    bounds = list(zip([0, *cuts], [*[c - 1 for c in cuts], 17], strict=True))
    bands: list[tuple[int, int]] = [(0, 17)] if draw(st.booleans()) else []
    for lo, hi in bounds:
        if draw(st.booleans()):
            bands.append((lo, hi))
        inner = sorted(draw(st.sets(st.integers(lo + 1, hi), max_size=3))) if hi > lo else []
        for a, b in zip([lo, *inner], [*[c - 1 for c in inner], hi], strict=True):
            if draw(st.booleans()):
                bands.append((a, b))
    if not bands:
        bands = [(0, 17)]
    bands = sorted(set(bands))
    rows = [("A", 2021, lo, hi, sum(truth[lo : hi + 1])) for lo, hi in bands]
    birth_counts = draw(st.lists(st.integers(0, 300), min_size=18, max_size=18))
    births = _births({("A", 2021 - a): n for a, n in enumerate(birth_counts) if draw(st.booleans())})
    return _pop(rows), births


@settings(max_examples=60, deadline=None)
@given(_nested_bands(), st.booleans(), st.integers(0, 17))
def test_split_sums_back_to_every_band_and_is_never_negative(case, with_births, up_to):
    pop, births = case
    out = split_to_single_ages(pop, births if with_births else None, births_up_to_age=up_to)
    assert (out["count"] >= 0).all()
    assert not out.duplicated(["gebiet_id", "year", "age"]).any()
    got = out.set_index("age")["count"]
    covered = set()
    for r in pop.itertuples():
        covered |= set(range(r.age_from, r.age_to + 1))
        assert got.loc[r.age_from : r.age_to].sum() == pytest.approx(float(r.count), abs=1e-6)
    assert set(got.index) == covered
