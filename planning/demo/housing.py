"""Housing developments of the demo city and the Planungsraum each one lies in.

Why: completions feed newcomers into the population model and are written as Wohnbau records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class HousingPlan:
    """A housing development: its area (rule "type", "first:type" or "north:type"), size and years.

    ``per_year`` lists completed units per year (None: spread evenly); families bring children,
    infill (``family=False``) mostly young adults.
    """

    projekt_id: str
    name: str  # "{area}" is replaced by the area's name
    area_rule: str
    units: int
    years: tuple[int, int]
    status: str
    per_year: tuple[int, ...] | None = None
    family: bool = True


HOUSING: tuple[HousingPlan, ...] = (
    HousingPlan("W01", "Neubaugebiet Sonnenhang", "neubau", 900, (2019, 2026), "im Bau",
                per_year=(60, 120, 140, 140, 130, 120, 110, 80)),
    HousingPlan("W02", "Wohnpark {area}", "first:gemischt", 240, (2016, 2018), "fertig"),
    HousingPlan("W03", "Wohngebiet {area}-Nord", "north:suburban", 450, (2027, 2029), "geplant"),
    HousingPlan("W04", "Nachverdichtung {area}", "first:gruenderzeit", 60, (2023, 2024), "fertig",
                family=False),
)  # fmt: skip


def housing_area(plan: HousingPlan, areas: pd.DataFrame) -> int:
    """Row position in ``areas`` (Planungsräume with ``typ``, ``cy``) of a development's area."""
    how, _, typ = plan.area_rule.rpartition(":")
    candidates = np.flatnonzero(areas["typ"].to_numpy() == typ)
    if how == "north":
        return int(candidates[np.argmax(areas["cy"].to_numpy()[candidates])])
    return int(candidates[0])


def make_housing(areas: pd.DataFrame) -> pd.DataFrame:
    """The housing developments of :data:`HOUSING` with their areas."""
    rows = []
    for plan in HOUSING:
        pos = housing_area(plan, areas)
        rows.append(
            dict(
                projekt_id=plan.projekt_id,
                name=plan.name.format(area=areas["name"].iloc[pos]),
                gebiet_id=areas["gebiet_id"].iloc[pos],
                units=plan.units,
                completion_year=plan.years[0],
                completion_year_end=plan.years[1],
                status=plan.status,
            )
        )
    return pd.DataFrame(rows)
