"""Per primary school: entry classes needed against its Züge, Ganztag demand against its places.

Children are counted where they live, schools where they stand (:mod:`planning.plan`). Without
school catchment data, a school's catchment is the area it stands in: the area's school entrants
and Ganztag demand are shared among its primary schools in proportion to their Züge (equally where
none of them states Züge). Each school forms its own classes, so its entry classes are rounded up:
``ceil(entrants_share ÷ klassenobergrenze)``. Entrants of areas without a primary school are not
assigned to any school; :func:`unassigned` names them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.plan import PlanResult

PRIMARY = "Grundschule"

COLUMNS = [
    "schul_id",
    "name",
    "gebiet_id",
    "zuege",
    "share",
    "school_entrants",
    "school_entrants_low",
    "school_entrants_high",
    "entry_classes",
    "entry_classes_high",
    "entry_balance",
    "ganztag_places",
    "ganztag_demand",
    "ganztag_balance",
]


def _shares(primary: pd.DataFrame) -> pd.Series:
    """Each school's share of its area: by Züge, equally where the area's schools state none."""
    z = pd.to_numeric(primary["zuege"], errors="coerce")
    total = z.groupby(primary["gebiet_id"]).transform("sum")
    count = primary.groupby("gebiet_id")["schul_id"].transform("size")
    by_zuege = z / total.where(total > 0)
    return by_zuege.where(total > 0, 1.0 / count)


def per_school(result: PlanResult, schools: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per primary school in the plan's areas for ``year`` (:data:`COLUMNS`), the largest
    lack of entry classes first."""
    if schools.empty:
        return pd.DataFrame(columns=COLUMNS)
    primary = schools[(schools["schulart"] == PRIMARY) & schools["gebiet_id"].isin(result.areas)]
    if primary.empty:
        return pd.DataFrame(columns=COLUMNS)
    primary = primary.assign(share=_shares(primary).to_numpy())
    t = result.table[result.table["year"] == year].set_index("gebiet_id")
    area = primary["gebiet_id"]
    share = primary["share"].to_numpy(dtype=float)

    def part(column: str) -> np.ndarray:
        if column not in t:
            return np.full(len(primary), np.nan)
        return t[column].reindex(area).to_numpy(dtype=float) * share

    size = float(result.params["klassenobergrenze"])
    entrants = part("school_entrants")
    zuege = pd.to_numeric(primary["zuege"], errors="coerce").to_numpy(dtype=float)
    classes = np.ceil(entrants / size - 1e-9)
    high = part("school_entrants_high")
    places = pd.to_numeric(primary["ganztag_places"], errors="coerce").to_numpy(dtype=float)
    demand = part("ganztag_demand")
    out = pd.DataFrame(
        {
            "schul_id": primary["schul_id"].to_numpy(),
            "name": primary["name"].to_numpy(),
            "gebiet_id": area.to_numpy(),
            "zuege": zuege,
            "share": share,
            "school_entrants": entrants,
            "school_entrants_low": part("school_entrants_low"),
            "school_entrants_high": high,
            "entry_classes": classes,
            "entry_classes_high": np.ceil(high / size - 1e-9),
            "entry_balance": zuege - classes,
            "ganztag_places": places,
            "ganztag_demand": demand,
            "ganztag_balance": places - demand,
        }
    )
    return out.sort_values(["entry_balance", "ganztag_balance"], na_position="last").reset_index(drop=True)


def unassigned(result: PlanResult, schools: pd.DataFrame, year: int) -> pd.DataFrame:
    """Areas with school entrants in ``year`` but no primary school: ``gebiet_id, school_entrants``."""
    t = result.table[result.table["year"] == year]
    with_school = (
        set(schools.loc[schools["schulart"] == PRIMARY, "gebiet_id"]) if not schools.empty else set()
    )
    rest = t[~t["gebiet_id"].isin(with_school) & (t["school_entrants"] > 0)]
    return rest[["gebiet_id", "school_entrants"]].reset_index(drop=True)
