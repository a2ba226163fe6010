"""The area of a Stadtteilprofil: its level, the data-level areas it sums, its upper areas and
key figures (residents, children). An upper area is the sum of the data-level areas below it
(:func:`planning.areas.ancestor_map`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from planning.areas import ancestor_map, ancestors, parent_map
from planning.population import age_range_count
from planning.repository import PlanningData

#: Children are 0 to 17 years old (the pyramid and the key figure "Kinder unter 18").
MAX_CHILD_AGE = 17


def area_level(areas: pd.DataFrame, gebiet_id: str) -> int:
    """The level of ``gebiet_id``; a ``KeyError`` in German when the layout has no such area."""
    hit = areas.loc[areas["gebiet_id"] == gebiet_id, "level"]
    if hit.empty:
        raise KeyError(f"Gebiet '{gebiet_id}' gibt es in diesem Gebietsstand nicht.")
    return int(hit.iloc[0])


def data_areas(data: PlanningData, gebiet_id: str) -> list[str]:
    """The data-level areas that make up ``gebiet_id`` (itself on the data level)."""
    level = area_level(data.areas, gebiet_id)
    if level >= data.data_level:
        return [gebiet_id]
    mapping = ancestor_map(data.areas, data.data_level, level)
    return sorted(k for k, v in mapping.items() if v == gebiet_id)


def district_on_level(areas: pd.DataFrame, gebiet_id: str | None, level: int) -> str | None:
    """``gebiet_id`` if it lies on ``level``, its ancestor there if it lies below, else None.

    So a Planungsraum chosen on another page opens its Bezirk when the profile shows Bezirke.
    """
    if gebiet_id is None or gebiet_id not in set(areas["gebiet_id"]):
        return None
    own = area_level(areas, gebiet_id)
    if own == level:
        return gebiet_id
    if own < level:
        return None
    return ancestor_map(areas, own, level).get(gebiet_id)


def district_facts(data: PlanningData, gebiet_id: str, year: int) -> dict[str, Any]:
    """Name, level, the chain of upper areas, residents and children 0–17 of the area in ``year``.

    Residents/children are None when any part of the area lacks the figure (never a partial sum).
    """
    areas = data.areas
    level = area_level(areas, gebiet_id)
    row = areas[areas["gebiet_id"] == gebiet_id].iloc[0]
    names = dict(zip(areas["gebiet_id"], areas["name"], strict=True))
    chain: list[tuple[str, str, str]] = []
    for lvl, cur in zip(range(level - 1, -1, -1), ancestors(gebiet_id, parent_map(areas)), strict=False):
        if cur not in names:
            break
        chain.append((data.layout.levels[lvl], cur, str(names[cur])))
    ids = data_areas(data, gebiet_id)
    residents = children = None
    if not data.population.empty:
        pop = data.population[data.population["gebiet_id"].isin(ids) & (data.population["year"] == year)]
        residents = _complete_sum(age_range_count(pop, 0, None), ids)
        children = _complete_sum(age_range_count(pop, 0, MAX_CHILD_AGE), ids)
    return {
        "gebiet_id": gebiet_id,
        "name": str(row["name"]),
        "level": level,
        "level_name": data.layout.levels[level],
        "ancestors": chain,
        "residents": residents,
        "children": children,
        "areas": len(ids),
    }


def _complete_sum(counts: pd.DataFrame, ids: list[str]) -> int | None:
    if counts.empty or set(counts["gebiet_id"]) != set(ids) or counts["count"].isna().any():
        return None
    return int(counts["count"].sum())
