"""The area hierarchy (e.g. Planungsraum → Bezirksregion → Bezirk): one place that walks it up.

``areas`` is the table of the active Gebietsstand (``gebiet_id, parent_gebiet_id, level, name``;
level 0 is the top). Sums to upper levels, small-number protection, profiles and the backtest's
upper levels all go through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def parent_map(areas: pd.DataFrame) -> dict[str, str | None]:
    """gebiet_id → parent gebiet_id (None for a top-level area)."""
    return {
        str(g): (None if pd.isna(p) else str(p))
        for g, p in zip(areas["gebiet_id"], areas["parent_gebiet_id"], strict=True)
    }


def ancestors(
    gebiet_id: str,
    parents: Mapping[str, str | None],
    *,
    strict: bool = False,
    root: str | None = None,
) -> list[str]:
    """The ancestors of ``gebiet_id`` from its parent upwards (the area itself not included).

    ``root``: an id that ends every chain (e.g. the city total) and is returned as its last element.
    Lenient (default): the walk stops at a parent that is not itself listed (it is still returned).
    ``strict``: such a parent, or a cycle, is a German ``ValueError``.
    """
    out: list[str] = []
    cur = parents.get(gebiet_id)
    while cur is not None:
        if cur in out or cur == gebiet_id:
            raise ValueError(f"Gebietshierarchie enthält einen Zyklus bei '{gebiet_id}'.")
        out.append(cur)
        if cur == root:
            break
        if cur not in parents:
            if strict:
                raise ValueError(f"Übergeordnetes Gebiet '{cur}' fehlt in der Gebietshierarchie.")
            break
        cur = parents[cur]
    return out


def ancestor_map(areas: pd.DataFrame, from_level: int, to_level: int) -> dict[str, str]:
    """Map each gebiet_id on ``from_level`` to its ancestor on ``to_level`` (areas whose chain breaks
    off above are left out)."""
    parents = parent_map(areas)
    steps = from_level - to_level
    mapping: dict[str, str] = {}
    for gid in areas.loc[areas["level"] == from_level, "gebiet_id"]:
        if steps == 0:
            mapping[gid] = gid
            continue
        chain = ancestors(str(gid), parents)
        if len(chain) >= steps:
            mapping[gid] = chain[steps - 1]
    return mapping
