"""The plan of one area (Kita, school, Ganztag) summed over its data-level areas, and the compact
table of a few plan years with their ranges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planning.formatting import format_value, number_range, school_year
from planning.plan import PlanResult, aggregate
from planning.plan_ranges import add_ranges
from planning.profile.areas import data_areas
from planning.repository import PlanningData


def plan_series(result: PlanResult, data: PlanningData, gebiet_id: str) -> pd.DataFrame:
    """The plan of the area per year (observed and projected), summed over its data-level areas.

    A capacity the school list does not give (no Zügigkeit or Ganztag places in any of the area's
    schools) stays NA, and so do its balances, instead of reading as zero.
    """
    ids = set(data_areas(data, gebiet_id))
    part = result.table[result.table["gebiet_id"].isin(ids)]
    if part.empty:
        return aggregate(result.table.iloc[0:0], result.params, None)
    if ids == {gebiet_id}:  # a data-level area: its own row, classes as the plan computes them there
        return part.reset_index(drop=True)
    summed = aggregate(part, result.params, None).reset_index(drop=True)
    return add_ranges(summed, result.errors, result.base_year, result.params, rounded=True)


def plan_years(years: list[int], base_year: int, chosen: int | None = None) -> list[int]:
    """The columns of the compact plan table: the base year, +3, +5, +10 and a chosen plan year."""
    wanted = {base_year, base_year + 3, base_year + 5, base_year + 10}
    if chosen is not None:
        wanted.add(chosen)
    return sorted(y for y in wanted if y in set(years))


def plan_ranges(series: pd.DataFrame, years: list[int], rows: list[tuple[str, str]]) -> pd.DataFrame:
    """The ranges of :func:`plan_overview`'s cells: ``(low, high)`` where a forecast year has one,
    else None; same shape and labels."""
    by_year = series.set_index("year")
    out = pd.DataFrame({"Kennzahl": [label for _, label in rows]})
    for y in years:
        cells: list[tuple[float, float] | None] = []
        for col, _ in rows:
            low, high = f"{col}_low", f"{col}_high"
            if y in by_year.index and low in by_year and pd.notna(by_year.loc[y, low]):
                lo, hi = float(by_year.loc[y, low]), float(by_year.loc[y, high])
                cells.append((lo, hi) if round(lo) != round(hi) else None)
            else:
                cells.append(None)
        out[str(y)] = cells
    return out


def plan_overview(series: pd.DataFrame, years: list[int], rows: list[tuple[str, str]]) -> pd.DataFrame:
    """Figures (rows: ``(column, label)``) by year (columns), rounded to whole numbers."""
    by_year = series.set_index("year")
    out = pd.DataFrame({"Kennzahl": [label for _, label in rows]})
    for y in years:
        out[str(y)] = [
            float(np.round(by_year.loc[y, col])) + 0.0  # never "−0"
            if y in by_year.index and pd.notna(by_year.loc[y, col])
            else np.nan
            for col, _ in rows
        ]
    return out


@dataclass(frozen=True)
class PlanTable:
    """The compact plan table of an area as shown: ``cells`` holds "Kennzahl" and one German text
    column per year ("1.234 (1.100 bis 1.300)"), ``values`` the same columns as rounded numbers,
    ``ranged`` whether any cell shows a range."""

    cells: pd.DataFrame
    values: pd.DataFrame
    ranged: bool


def _plan_cell(value: Any, span: tuple[float, float] | None) -> str:
    # one line ("keine Daten" too), so a capacity the school list lacks does not double the row height
    text = format_value(None if value is None or pd.isna(value) else round(float(value)), 0)
    if span is not None:
        text = f"{text} ({number_range(*span)})"
    return text.replace(" ", "\u00a0")


def plan_table(
    series: pd.DataFrame, years: list[int], rows: list[tuple[str, str]], base_year: int, school: bool
) -> PlanTable:
    """:func:`plan_overview` with its :func:`plan_ranges` as text; year columns are headed by the
    year (school years "2026/27" where ``school``), the base year marked "(Ist)"."""
    table = plan_overview(series, years, rows)
    ranges = plan_ranges(series, years, rows)
    label = school_year if school else str
    headers = {str(y): f"{label(y)} (Ist)" if y == base_year else label(y) for y in years}
    cells = pd.DataFrame({"Kennzahl": table["Kennzahl"]})
    for y in years:
        cells[headers[str(y)]] = [
            _plan_cell(v, r) for v, r in zip(table[str(y)], ranges[str(y)], strict=True)
        ]
    ranged = any(r is not None for y in years for r in ranges[str(y)])
    return PlanTable(cells, table.rename(columns=headers), ranged)
