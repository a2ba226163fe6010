"""The "Spanne" of every forecast figure of a plan table: low and high end from past errors.

For a plan table on any level (areas, upper areas, city) each forecast column ``c`` gets
``c_low`` and ``c_high`` (:data:`RANGED`): the children behind it are put at the low and high end of
their range (:class:`planning.uncertainty.ErrorModel`, by age band, years ahead and the size of the
area in children 0–17), and the figure is computed again from them. Gaps take the high demand for
their low end (``gap_low = places − demand_high``); places are facts or decisions and have no range.
Observed years have no range (low = high = value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from planning.uncertainty import ErrorModel

GRADES = (1, 2, 3, 4)

#: Forecast columns and the ages they rest on.
BANDS: dict[str, tuple[int, int]] = {
    "children": (0, 17),
    "births": (0, 0),
    "u3_children": (0, 2),
    "ue3_children": (3, 5),
    "u3_demand": (0, 2),
    "ue3_demand": (3, 5),
    "school_entrants": (6, 6),
}

#: Every column that gets ``_low``/``_high``.
RANGED = (
    *BANDS,
    "kita_demand",
    "u3_gap",
    "ue3_gap",
    "kita_gap",
    "kita_shortfall",
    "pupils",
    "classes_needed",
    "zuege_needed",
    "class_gap",
    "zuege_gap",
    "ganztag_demand",
    "ganztag_gap",
)


def classes(pupils: np.ndarray, size: float, rounded: bool) -> np.ndarray:
    """Classes for pupils of one grade: rounded up where classes are formed, else the computed need."""
    need = pupils / size
    return np.ceil(need - 1e-9) if rounded else need


def add_ranges(
    table: pd.DataFrame, model: ErrorModel | None, base_year: int, params: Mapping[str, Any], rounded: bool
) -> pd.DataFrame:
    """``table`` with ``<col>_low``/``<col>_high`` for :data:`RANGED` (NaN without an error model)."""
    horizon = table["year"].to_numpy(dtype=float) - base_year
    size = table["children"].to_numpy(dtype=float)
    future = horizon >= 1
    cols: dict[str, np.ndarray] = {}

    def ends(column: str, lo: int, hi: int, h: np.ndarray = horizon) -> tuple[np.ndarray, np.ndarray]:
        value = table[column].to_numpy(dtype=float)
        if model is None or model.empty:
            nan = np.where(future, np.nan, value)
            return nan, nan.copy()
        low, high = model.interval(value, lo, hi, h, size)
        past = h < 1
        return np.where(past, value, low), np.where(past, value, high)

    for column, (lo, hi) in BANDS.items():
        cols[f"{column}_low"], cols[f"{column}_high"] = ends(column, lo, hi)
    cols["kita_demand_low"] = cols["u3_demand_low"] + cols["ue3_demand_low"]
    cols["kita_demand_high"] = cols["u3_demand_high"] + cols["ue3_demand_high"]
    for gap, places, demand in (
        ("u3_gap", "u3_places", "u3_demand"),
        ("ue3_gap", "ue3_places", "ue3_demand"),
        ("kita_gap", "kita_places", "kita_demand"),
    ):
        p = table[places].to_numpy(dtype=float)
        cols[f"{gap}_low"] = p - cols[f"{demand}_high"]
        cols[f"{gap}_high"] = p - cols[f"{demand}_low"]
    cols["kita_shortfall_low"] = np.minimum(cols["u3_gap_low"], 0) + np.minimum(cols["ue3_gap_low"], 0)
    cols["kita_shortfall_high"] = np.minimum(cols["u3_gap_high"], 0) + np.minimum(cols["ue3_gap_high"], 0)
    # Pupils of grade g in year Y started school in Y − g + 1: their range is that of the entrants then.
    size_limit = float(params["klassenobergrenze"])
    pupils_low = np.zeros(len(table))
    pupils_high = np.zeros(len(table))
    classes_low = np.zeros(len(table))
    classes_high = np.zeros(len(table))
    for g in GRADES:
        low, high = ends(f"pupils_{g}", 6, 6, horizon - (g - 1))
        pupils_low, pupils_high = pupils_low + low, pupils_high + high
        classes_low = classes_low + classes(low, size_limit, rounded)
        classes_high = classes_high + classes(high, size_limit, rounded)
    cols["pupils_low"], cols["pupils_high"] = pupils_low, pupils_high
    cols["classes_needed_low"], cols["classes_needed_high"] = classes_low, classes_high
    entrants_low, entrants_high = cols["school_entrants_low"], cols["school_entrants_high"]
    cols["zuege_needed_low"] = classes(entrants_low, size_limit, rounded)
    cols["zuege_needed_high"] = classes(entrants_high, size_limit, rounded)
    for gap, available, need in (
        ("class_gap", "classes_available", "classes_needed"),
        ("zuege_gap", "zuege_available", "zuege_needed"),
    ):
        a = table[available].to_numpy(dtype=float)
        cols[f"{gap}_low"] = a - cols[f"{need}_high"]
        cols[f"{gap}_high"] = a - cols[f"{need}_low"]
    pupils = table["pupils"].to_numpy(dtype=float)
    demand = table["ganztag_demand"].to_numpy(dtype=float)
    share = np.divide(demand, pupils, out=np.full(len(table), np.nan), where=pupils > 0)
    cols["ganztag_demand_low"] = np.where(pupils > 0, pupils_low * share, demand)
    cols["ganztag_demand_high"] = np.where(pupils > 0, pupils_high * share, demand)
    gt = table["ganztag_places"].to_numpy(dtype=float)
    cols["ganztag_gap_low"] = gt - cols["ganztag_demand_high"]
    cols["ganztag_gap_high"] = gt - cols["ganztag_demand_low"]
    return table.assign(**cols)


def single_age_ranges(children: pd.DataFrame, model: ErrorModel | None, base_year: int) -> pd.DataFrame:
    """``children`` (long ``gebiet_id, year, age, children``) with ``children_low``/``children_high``
    per single age; the area's size is its children 0–17 in that year."""
    size = children.groupby(["gebiet_id", "year"])["children"].transform("sum").to_numpy(dtype=float)
    horizon = children["year"].to_numpy(dtype=float) - base_year
    value = children["children"].to_numpy(dtype=float)
    low = np.where(horizon < 1, value, np.nan)
    high = low.copy()
    if model is not None and not model.empty:
        ages = children["age"].to_numpy()
        for age in np.unique(ages):
            sel = ages == age
            lo_a, hi_a = model.interval(value[sel], int(age), int(age), horizon[sel], size[sel])
            low[sel] = np.where(horizon[sel] < 1, value[sel], lo_a)
            high[sel] = np.where(horizon[sel] < 1, value[sel], hi_a)
    return children.assign(children_low=low, children_high=high)
