"""Children by age in one area against the whole city (the Stadtteilprofil's pyramid)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

import numpy as np
import pandas as pd

from planning.profile.areas import MAX_CHILD_AGE, data_areas
from planning.repository import PlanningData

Pieces: TypeAlias = dict[tuple[int, int], np.ndarray]


def _age_pieces(pop: pd.DataFrame, ids: list[str]) -> Pieces:
    """Counts per age piece ``(from, to)`` as an array over ``ids`` (NaN where an area lacks it),
    plus pieces derived exactly from nested bands: 0–17 minus 0–6 gives 7–17 (same start),
    0–17 minus 7–17 gives 0–6 (same end)."""
    pos = {g: i for i, g in enumerate(ids)}
    rows = pos_of = np.array([pos.get(g, -1) for g in pop["gebiet_id"]], dtype=np.int64)
    keep = rows >= 0
    a_from = pop["age_from"].to_numpy(dtype=np.int64)[keep]
    a_to = pop["age_to"].to_numpy(dtype=np.int64)[keep]
    counts = pop["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)[keep]
    pos_of = pos_of[keep]
    pieces: Pieces = {}
    for key in sorted(set(zip(a_from.tolist(), a_to.tolist(), strict=True))):
        hit = (a_from == key[0]) & (a_to == key[1])
        arr = np.full(len(ids), np.nan)
        arr[pos_of[hit]] = counts[hit]  # one row per area and piece (the import guarantees it)
        pieces[key] = arr
    have = set(pieces)
    derived: Pieces = {}
    for a, b in sorted(have):
        for c, d in sorted(have):
            if a == c and d < b and (d + 1, b) not in have:
                derived[(d + 1, b)] = pieces[(a, b)] - pieces[(c, d)]
            elif b == d and c > a and (a, c - 1) not in have:
                derived[(a, c - 1)] = pieces[(a, b)] - pieces[(c, d)]
    for key, arr in derived.items():
        pieces[key] = np.where(arr >= 0, arr, np.nan)  # a source error must not become a negative bar
    return pieces


def _finest_tiling(pieces: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The tiling of 0..k by ``pieces`` with the largest k ≤ 17 and, for that k, the most pieces."""
    best: dict[int, list[tuple[int, int]]] = {0: []}
    for start in range(MAX_CHILD_AGE + 1):
        if start not in best:
            continue
        for a, b in sorted(pieces):
            if a == start and b <= MAX_CHILD_AGE:
                path = [*best[start], (a, b)]
                if len(path) > len(best.get(b + 1, [])):
                    best[b + 1] = path
    return best[max(best)]


def children_pyramid(data: PlanningData, gebiet_id: str, year: int) -> pd.DataFrame:
    """Children by age for the area and the whole city, as counts and % of the children shown.

    Columns ``age_from, age_to, label, district, district_share, city, city_share``, youngest
    first. Ages are single years where the data has them, else the finest age bands the data has
    (in every area of the city, so district and city compare like with like). The city sums the
    data-level areas that have all those bands. Empty when the year has no children by age.
    """
    cols = ["age_from", "age_to", "label", "district", "district_share", "city", "city_share"]
    empty = pd.DataFrame(columns=cols)
    pop = data.population
    if pop.empty:
        return empty
    pop = pop[(pop["year"] == year) & pop["sex"].isna() & pop["age_to"].notna()]
    pop = pop[pop["age_to"].astype("int64") <= MAX_CHILD_AGE]
    city_ids = sorted(
        set(pop["gebiet_id"]) & set(data.areas.loc[data.areas["level"] == data.data_level, "gebiet_id"])
    )
    own = set(data_areas(data, gebiet_id))
    mine = np.array([g in own for g in city_ids], dtype=bool)
    if not mine.any():
        return empty
    pieces = _age_pieces(pop, city_ids)
    tiling = _finest_tiling([k for k, v in pieces.items() if not np.isnan(v).any()])
    if not tiling:  # fall back to the pieces the district itself has complete
        tiling = _finest_tiling([k for k, v in pieces.items() if not np.isnan(v[mine]).any()])
    if not tiling:
        return empty
    grid = np.vstack([pieces[k] for k in tiling])  # [piece, area]
    complete = ~np.isnan(grid).any(axis=0)
    out = pd.DataFrame(
        {
            "age_from": [a for a, _ in tiling],
            "age_to": [b for _, b in tiling],
            "label": [str(a) if a == b else f"{a}–{b}" for a, b in tiling],
            "district": grid[:, mine].sum(axis=1),
            "city": grid[:, complete].sum(axis=1),
        }
    )
    out["district_share"] = _share(out["district"])
    out["city_share"] = _share(out["city"])
    return out[cols]


def _share(counts: pd.Series) -> pd.Series:
    total = float(counts.sum())
    return counts * 100.0 / total if total > 0 else counts * np.nan
