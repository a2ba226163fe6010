"""Children and residents per area and year from the population table.

Population arrives as single years of age and/or bands ("3 bis unter 6"). A count for an age range
is taken from a band that is exactly the range, else from single years when they cover the whole
range for an area-year, else from bands that tile the range exactly. Anything else is missing (NA),
never a guess: the split of bands into single years is an explicit step of the import (see
``docs/import.md``), not a hidden rule here.
"""

from __future__ import annotations

import pandas as pd

REQUIRED = ("gebiet_id", "year", "age_from", "age_to", "sex", "count")


def _check(pop: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in pop.columns]
    if missing:
        raise ValueError(f"Bevölkerungstabelle ohne Spalte(n): {', '.join(missing)}")


def age_range_count(pop: pd.DataFrame, age_from: int, age_to: int | None) -> pd.DataFrame:
    """Residents aged ``age_from``..``age_to`` (inclusive; None = open) per ``gebiet_id, year``.

    Returns columns ``gebiet_id, year, count`` (``count`` is nullable Int64; NA where the data
    cannot answer the range exactly).
    """
    _check(pop)
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
            below = _closed_count(base, age_from, int(start) - 1)
            tiled = (below + top.reindex(below.index)).dropna().astype("Int64")
            combined = combined.combine_first(tiled) if not combined.empty else tiled
        out = keys.merge(combined.rename("count").reset_index(), on=["gebiet_id", "year"], how="left")
        return out.astype({"count": "Int64"}).reset_index(drop=True)

    combined = _closed_count(base, age_from, age_to)
    out = keys.merge(combined.rename("count").reset_index(), on=["gebiet_id", "year"], how="left")
    return out.astype({"count": "Int64"}).reset_index(drop=True)


def _closed_count(base: pd.DataFrame, age_from: int, age_to: int) -> pd.Series:
    closed = base[base["age_to"].notna()]
    closed = closed.astype({"age_to": "int64"})
    inside = closed[(closed["age_from"] >= age_from) & (closed["age_to"] <= age_to)]
    singles = inside[inside["age_from"] == inside["age_to"]]
    exact = inside[(inside["age_from"] == age_from) & (inside["age_to"] == age_to)]
    # A band that is exactly the range wins (it is what the source counted), then single years, then
    # any set of single years and bands that tiles the range (overlapping extra bands are ignored).
    return (
        _partition_sum(exact, age_from, age_to)
        .combine_first(_partition_sum(singles, age_from, age_to))
        .combine_first(_partition_sum(inside, age_from, age_to))
    )


def _partition_sum(pieces: pd.DataFrame, age_from: int, age_to: int) -> pd.Series:
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


def total_population(pop: pd.DataFrame) -> pd.DataFrame:
    """Total residents per ``gebiet_id, year`` (the band 0+)."""
    return age_range_count(pop, 0, None)
