"""Age-range counts from single years and bands."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# The grouped-frame implementation this module had until the numpy rewrite (1-3.5 s a range on
# 11,008 areas): slow, but plainly the rules of the module docstring. The rewrite must agree with
# it on any table, including duplicates, gaps, overlaps, missing counts and open bands.
def _reference(pop: pd.DataFrame, age_from: int, age_to: int | None) -> pd.DataFrame:
    """Residents aged ``age_from``..``age_to`` (inclusive; None = open) per ``gebiet_id, year``.

    Returns columns ``gebiet_id, year, count`` (``count`` is nullable Int64; NA where the data
    cannot answer the range exactly).
    """
    base = pop[pop["sex"].isna()]
    keys = base[["gebiet_id", "year"]].drop_duplicates()
    if age_to is None:
        exact = base[(base["age_from"] == age_from) & base["age_to"].isna()]
        combined = exact.groupby(["gebiet_id", "year"])["count"].sum(min_count=1).astype("Int64")
        # No band "age_from and older" (e.g. no "insgesamt"): closed bands from age_from up to an open
        # band ("75+") that tile the range exactly once give it (bands covering all ages → total).
        opened = base[base["age_to"].isna() & (base["age_from"] > age_from) & base["count"].notna()]
        for start in sorted(opened["age_from"].unique()):
            top = opened[opened["age_from"] == start].groupby(["gebiet_id", "year"])["count"].sum()
            below = _ref_closed(base, age_from, int(start) - 1)
            tiled = (below + top.reindex(below.index)).dropna().astype("Int64")
            combined = combined.combine_first(tiled) if not combined.empty else tiled
        out = keys.merge(combined.rename("count").reset_index(), on=["gebiet_id", "year"], how="left")
        return out.astype({"count": "Int64"}).reset_index(drop=True)

    combined = _ref_closed(base, age_from, age_to)
    out = keys.merge(combined.rename("count").reset_index(), on=["gebiet_id", "year"], how="left")
    return out.astype({"count": "Int64"}).reset_index(drop=True)


def _ref_closed(base: pd.DataFrame, age_from: int, age_to: int) -> pd.Series:
    closed = base[base["age_to"].notna()]
    closed = closed.astype({"age_to": "int64"})
    inside = closed[(closed["age_from"] >= age_from) & (closed["age_to"] <= age_to)]
    singles = inside[inside["age_from"] == inside["age_to"]]
    exact = inside[(inside["age_from"] == age_from) & (inside["age_to"] == age_to)]
    # A band that is exactly the range wins (it is what the source counted), then single years, then
    # any set of single years and bands that tiles the range (overlapping extra bands are ignored).
    return (
        _ref_partition(exact, age_from, age_to)
        .combine_first(_ref_partition(singles, age_from, age_to))
        .combine_first(_ref_partition(inside, age_from, age_to))
    )


def _ref_partition(pieces: pd.DataFrame, age_from: int, age_to: int) -> pd.Series:
    """Sum per area-year where ``pieces`` cover ``age_from..age_to`` exactly once, without gaps.

    Area-years with a gap, an overlap or a missing count are left out (the caller reports NA).
    """
    keys = ["gebiet_id", "year"]
    if pieces.empty:
        return pd.Series(dtype="Int64", index=pd.MultiIndex.from_tuples([], names=keys))
    p = pieces.drop_duplicates([*keys, "age_from", "age_to"]).sort_values([*keys, "age_from", "age_to"])
    prev_end = p.groupby(keys)["age_to"].shift()
    contiguous = (prev_end.isna() | (p["age_from"] == prev_end + 1)).astype(bool)
    g = p.assign(_contig=contiguous, _known=p["count"].notna().astype(bool)).groupby(keys)
    ok = (
        g["_contig"].all()
        & g["_known"].all()
        & (g["age_from"].min() == age_from)
        & (g["age_to"].max() == age_to)
    )
    return g["count"].sum()[ok.astype(bool)].astype("Int64")


_AGES = st.sampled_from(
    [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (5, 5),
        (0, 2),
        (3, 5),
        (0, 5),
        (1, 3),
        (6, 9),
        (6, None),
        (4, None),
        (0, None),
        (10, None),
    ]
)


@st.composite
def _tables(draw):
    rows = []
    for _ in range(draw(st.integers(0, 40))):
        lo, hi = draw(_AGES)
        count = draw(st.one_of(st.none(), st.integers(0, 500)))
        sex = draw(st.sampled_from([None, None, None, "w"]))
        rows.append(
            (draw(st.sampled_from(["a", "b", "c"])), draw(st.sampled_from([2020, 2021])), lo, hi, sex, count)
        )
    return _pop(rows)


@settings(max_examples=300, deadline=None)
@given(
    _tables(),
    st.sampled_from([(0, 0), (0, 2), (3, 5), (0, 5), (1, 4), (0, None), (3, None), (6, None), (0, 9)]),
)
def test_agrees_with_the_grouped_frame_rules(pop, age_range):
    got = age_range_count(pop, *age_range)
    want = _reference(pop, *age_range)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_index_type=False)
    assert str(got["count"].dtype) == "Int64"


def test_an_open_band_that_is_the_range_wins_over_bands_that_tile_it():
    rows = []
    for area in ("a", "b"):
        rows += [(area, 2020, age, age, None, 10) for age in range(6)]
        rows.append((area, 2020, 6, None, None, 100))
    rows.append(("a", 2020, 0, None, None, 170))  # the delivered total of a; b has none
    counts = age_range_count(_pop(rows), 0, None)
    # a: its total as delivered; b: the single years and the open band give it.
    assert counts["gebiet_id"].tolist() == ["a", "b"]
    assert counts["count"].tolist() == [170, 160]
