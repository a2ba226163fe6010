"""Places and capacity per area and year, the supply side of :func:`planning.plan.compute_plan`.

Kita: places in operation (``opening_year ≤ Y < closing_year``; a planned Kita without opening year
and a closed one without closing year never count), split into U3/Ü3 by its own figures or, where it
has only a total, by ``u3_anteil_gemischt``; plus Kindertagespflege (latest observed year carried
forward) × ``tagespflege_u3_anteil``; plus scenario measures. Primary school: Züge and Ganztag
places of the area's Grundschulen (+ measures). A figure no list reports is unknown (NaN), never 0.
Everything is an [area, year] array in the plan's order of areas and years; inputs are not mutated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from planning.projection import positions
from planning.repository import PlanningData
from planning.scenarios import Measure


def kita_places(
    data: PlanningData,
    measures: tuple[Measure, ...],
    areas: list[str],
    years: list[int],
    params: Mapping[str, Any],
) -> tuple[np.ndarray, np.ndarray, int]:
    """U3 and Ü3 places [area, year] (see module doc), and the number of Kitas without area."""
    index = {a: i for i, a in enumerate(areas)}
    kita_u3, kita_ue3, kitas_without_area = _kita_supply(
        data.kitas, index, years, params["u3_anteil_gemischt"]
    )
    ktp = _carried_forward(data.kindertagespflege, "places", index, years)
    kita_measures = [m for m in measures if m.kind == "kita_plaetze" and m.gebiet_id in index]
    u3_places = (
        kita_u3
        + ktp * params["tagespflege_u3_anteil"]
        + step_from(
            len(areas),
            years,
            [(index[m.gebiet_id], m.year, m.u3) for m in kita_measures],  # type: ignore[index]
        )
    )
    ue3_places = (
        kita_ue3
        + ktp * (1 - params["tagespflege_u3_anteil"])
        + step_from(
            len(areas),
            years,
            [(index[m.gebiet_id], m.year, m.ue3) for m in kita_measures],  # type: ignore[index]
        )
    )
    if data.kitas.empty and data.kindertagespflege.empty:
        # No Kita list and no Tagespflege loaded: places are unknown, not 0 (no deficit anywhere).
        u3_places = np.full_like(u3_places, np.nan)
        ue3_places = np.full_like(ue3_places, np.nan)
    return u3_places, ue3_places, kitas_without_area


def school_capacity(
    schools: pd.DataFrame, measures: tuple[Measure, ...], areas: list[str], years: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Züge and Ganztag places [area, year] of the primary schools in each area (+ measures)."""
    index = {a: i for i, a in enumerate(areas)}
    primary = (
        schools[(schools["schulart"] == "Grundschule") & (positions(areas, schools["gebiet_id"]) >= 0)]
        if not schools.empty
        else schools
    )
    school_area = positions(areas, primary["gebiet_id"])
    zuege = _per_area(len(areas), len(years), school_area, primary["zuege"])
    gt_places = _per_area(len(areas), len(years), school_area, primary["ganztag_places"])
    # Without any Zügigkeit or Ganztag figure in the school list, capacity is unknown, not zero.
    if primary.empty or primary["zuege"].isna().all():
        zuege[:] = np.nan
    if primary.empty or primary["ganztag_places"].isna().all():
        gt_places[:] = np.nan
    for m in measures:
        if m.gebiet_id not in index:
            continue
        if m.kind == "schule_zuege":
            zuege += step_from(len(areas), years, [(index[m.gebiet_id], m.year, m.zuege)])
        elif m.kind == "ganztag_plaetze":
            gt_places += step_from(len(areas), years, [(index[m.gebiet_id], m.year, m.places)])
    return zuege, gt_places


def step_from(n_areas: int, years: list[int], rows: list[tuple[int, int | None, float]]) -> np.ndarray:
    """[area, year] array of amounts valid from a start year (None = always) on."""
    out = np.zeros((n_areas, len(years) + 1))
    y0 = years[0]
    for ai, start, amount in rows:
        si = 0 if start is None else int(np.clip(start - y0, 0, len(years)))
        out[ai, si] += amount
    return np.cumsum(out, axis=1)[:, :-1]


def _per_area(n_areas: int, n_years: int, area_index: np.ndarray, values: pd.Series) -> np.ndarray:
    """[area, year] sums of a facility figure that holds in every year (missing values count 0)."""
    weights = pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(dtype=float)
    sums = np.bincount(area_index, weights=weights, minlength=n_areas)[:n_areas].astype(float)
    return np.repeat(sums[:, None], n_years, axis=1)


def _kita_supply(
    kitas: pd.DataFrame, index: dict[str, int], years: list[int], u3_share: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """U3 and Ü3 places [area, year] from the Kita list; also the number of Kitas without area."""
    n, ny = len(index), len(years)
    if kitas.empty:
        return np.zeros((n, ny)), np.zeros((n, ny)), 0
    k = kitas[positions(list(index), kitas["gebiet_id"]) >= 0]
    total = k["places_total"].astype("Float64")
    u3 = k["places_u3"].astype("Float64")
    ue3 = k["places_ue3"].astype("Float64")
    total = total.fillna(u3 + ue3)
    u3_eff = u3.fillna(total - ue3).fillna(total * u3_share).fillna(0).to_numpy(dtype=float)
    ue3_eff = ue3.fillna(total - pd.Series(u3_eff, index=k.index)).fillna(0).to_numpy(dtype=float)
    opening = k["opening_year"].astype("Float64")
    closing = k["closing_year"].astype("Float64")
    never = ((k["status"] == "geplant") & opening.isna()) | ((k["status"] == "geschlossen") & closing.isna())
    y0 = years[0]
    start = np.clip((opening.fillna(y0) - y0).to_numpy(dtype=float), 0, ny).astype(int)
    stop = np.clip((closing.fillna(y0 + ny) - y0).to_numpy(dtype=float), 0, ny).astype(int)
    keep = ~never.to_numpy(dtype=bool)
    ai = positions(list(index), k["gebiet_id"])[keep]
    out = []
    for amount in (u3_eff[keep], ue3_eff[keep]):
        diff = np.zeros((n, ny + 1))
        np.add.at(diff, (ai, start[keep]), amount)
        np.add.at(diff, (ai, stop[keep]), -amount)
        out.append(np.cumsum(diff, axis=1)[:, :-1])
    return out[0], out[1], int(kitas["gebiet_id"].isna().sum())


def _carried_forward(frame: pd.DataFrame, value: str, index: dict[str, int], years: list[int]) -> np.ndarray:
    """[area, year] of an observed yearly series, the latest observed year carried forward."""
    out = np.full((len(index), len(years)), np.nan)
    if frame.empty:
        return np.zeros_like(out)
    f = frame[(positions(list(index), frame["gebiet_id"]) >= 0) & frame["year"].isin(years)]
    out[positions(list(index), f["gebiet_id"]), f["year"].astype(int).to_numpy() - years[0]] = (
        f[value].astype(float).to_numpy()
    )
    filled = pd.DataFrame(out).ffill(axis=1).fillna(0)
    return filled.to_numpy()
