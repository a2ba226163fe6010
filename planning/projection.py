"""Children per area and single age 0–17, projected by the cohort-progression method.

Formulas (DOMAIN.md, "Forecasting children per district"):

- Progression factor of area *d* for age *a* over the window of the last *W* observed transitions:
  ``f(a, d) = Σ_t P(a+1, t+1, d) / Σ_t P(a, t, d)`` (sum-based, robust to a single odd year).
- Shrinkage toward the city factor ``F(a)`` (same formula over all areas), weighted by exposure
  ``n = Σ_t P(a, t, d)``: ``f* = (n·f + k·F) / (n + k)``. With few children (small areas) the
  city behaviour dominates, so tiny areas don't explode; ``k`` is a parameter.
- Step: ``P(a+1, t+1) = P(a, t) × f*(a, d)`` for a = 0…16; 17-year-olds leave the range.
- New-borns: ``P(0, t+1) = B̄(d) × (1 + g)^(t+1−t₀)``, where ``B̄`` is the mean age-0 count over the
  window and ``g`` the yearly birth trend of the variant (low/medium/high).
- Housing: units completing in year *y* bring ``units × yield(a)`` children of age *a* in *y*
  (units spread evenly over the completion years).

Pure and vectorised (numpy over area × age); inputs are never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning.parameters import BIRTH_VARIANTS, DEFAULT_CHILD_YIELD

MAX_AGE = 17
AGES = np.arange(MAX_AGE + 1)


@dataclass(frozen=True)
class ProjectionParams:
    """Parameters of one projection run; every figure on screen can say which produced it."""

    years: int = 10
    window: int = 3
    shrinkage: float = 200.0
    birth_trend: float = 0.0
    child_yield: tuple[float, ...] = field(default=DEFAULT_CHILD_YIELD)

    def __post_init__(self) -> None:
        if not 1 <= self.years <= 30:
            raise ValueError("Prognosejahre müssen zwischen 1 und 30 liegen.")
        if self.window < 1:
            raise ValueError("Das Stützzeitraum-Fenster muss mindestens 1 Jahr umfassen.")
        if len(self.child_yield) != MAX_AGE + 1:
            raise ValueError(f"Das Kinder-je-Wohnung-Profil braucht {MAX_AGE + 1} Werte (Alter 0–{MAX_AGE}).")


VARIANTS: dict[str, float] = BIRTH_VARIANTS


def positions(areas: list[str], ids: pd.Series) -> np.ndarray:
    """Index of each id in the list ``areas`` (vectorised; -1 where unknown).

    Factorises first (Arrow dictionary encoding) and looks up only the distinct ids: converting
    millions of Arrow strings to Python objects for a hash lookup would dominate the run time.
    """
    codes, uniques = pd.factorize(ids)
    lookup = pd.Index(areas).get_indexer(pd.Index(uniques))
    return np.where(codes >= 0, lookup[codes], -1)


def ids_at(areas: list[str], idx: np.ndarray) -> pd.Series:
    """A string column of ``areas[idx]`` built by an Arrow ``take`` (no per-element conversion)."""
    return pd.Series(pd.array(areas, dtype="str")).take(idx).reset_index(drop=True)


def _cube(children: pd.DataFrame) -> tuple[np.ndarray, list[str], list[int]]:
    """Long ``gebiet_id, year, age, count`` → array [year, area, age] (NaN where missing)."""
    missing = {"gebiet_id", "year", "age", "count"} - set(children.columns)
    if missing:
        raise ValueError(f"Kindertabelle ohne Spalte(n): {', '.join(sorted(missing))}")
    areas = sorted(children["gebiet_id"].unique())
    # Every calendar year gets a slice, so a gap (e.g. 2011 → 2017) is NaN and never paired as one
    # year's transition.
    present = [int(y) for y in children["year"].unique()]
    years = list(range(min(present), max(present) + 1))
    cube = np.full((len(years), len(areas), MAX_AGE + 1), np.nan)
    yi = {y: i for i, y in enumerate(years)}
    sub = children[children["age"].between(0, MAX_AGE)]
    cube[sub["year"].map(yi).to_numpy(), positions(areas, sub["gebiet_id"]), sub["age"].to_numpy()] = (
        sub["count"].astype(float).to_numpy()
    )
    return cube, areas, years


def progression_factors(children: pd.DataFrame, window: int, shrinkage: float) -> pd.DataFrame:
    """Shrunk factors ``f*(a, d)`` for a = 0…16: columns ``gebiet_id, age, factor, city_factor, exposure``."""
    cube, areas, _ = _cube(children)
    shrunk, city, exposure = _factors(cube, window, shrinkage)
    return pd.DataFrame(
        {
            "gebiet_id": ids_at(areas, np.repeat(np.arange(len(areas)), MAX_AGE)),
            "age": np.tile(AGES[:-1], len(areas)),
            "factor": shrunk.ravel(),
            "city_factor": np.tile(city, len(areas)),
            "exposure": exposure.ravel(),
        }
    )


def _factors(cube: np.ndarray, window: int, shrinkage: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shrunk factors [area, age 0..16], the city factors [age] and the exposure [area, age]."""
    years = range(cube.shape[0])
    if len(years) < 2:
        raise ValueError("Für Übergangsquoten werden mindestens zwei aufeinanderfolgende Jahre gebraucht.")
    start = max(0, len(years) - 1 - window)
    before = cube[start:-1, :, :-1]  # P(a, t)
    after = cube[start + 1 :, :, 1:]  # P(a+1, t+1)
    valid = ~(np.isnan(before) | np.isnan(after))
    exposure = np.where(valid, before, 0).sum(axis=0)  # [area, age]
    survivors = np.where(valid, after, 0).sum(axis=0)
    # A factor observed on less than one child means nothing: fall back to the city, and to 1.0
    # (no change) where the whole city has no exposure at that age.
    city_exposure = exposure.sum(axis=0)
    city = np.divide(survivors.sum(axis=0), city_exposure, out=np.ones(MAX_AGE), where=city_exposure >= 1)
    own = np.divide(
        survivors, exposure, out=np.broadcast_to(city, exposure.shape).copy(), where=exposure >= 1
    )
    weight = exposure + shrinkage
    shrunk = np.divide(exposure * own + shrinkage * city, weight, out=own.copy(), where=weight > 0)
    return shrunk, city, exposure


def _housing_cube(
    housing: pd.DataFrame, areas: list[str], years: list[int], child_yield: tuple[float, ...]
) -> np.ndarray:
    """Children arriving with new dwellings as [year, area, age]; units spread over completion years."""
    out = np.zeros((len(years), len(areas), MAX_AGE + 1))
    if housing is None or housing.empty:
        return out
    profile = np.asarray(child_yield, dtype=float)
    area = positions(areas, housing["gebiet_id"])
    units = pd.to_numeric(housing["units"], errors="coerce").to_numpy(dtype=float)
    first = pd.to_numeric(housing["completion_year"], errors="coerce").to_numpy(dtype=float)
    end_col = (
        housing["completion_year_end"]
        if "completion_year_end" in housing
        else pd.Series(np.nan, index=housing.index)
    )
    last = np.fmax(pd.to_numeric(end_col, errors="coerce").to_numpy(dtype=float), first)
    last = np.where(np.isnan(last), first, last)
    ok = (area >= 0) & ~np.isnan(units) & ~np.isnan(first)
    area, units, first, last = area[ok], units[ok], first[ok].astype(int), last[ok].astype(int)
    span = last - first + 1
    # one entry per project and completion year, units spread evenly over the years
    rows = np.repeat(np.arange(len(area)), span)
    year = first[rows] + (np.arange(len(rows)) - np.repeat(np.cumsum(span) - span, span))
    yi = year - years[0]
    inside = (yi >= 0) & (yi < len(years))
    rows, yi = rows[inside], yi[inside]
    per_year = np.zeros((len(years), len(areas)))
    np.add.at(per_year, (yi, area[rows]), units[rows] / span[rows])
    out += per_year[:, :, None] * profile[None, None, :]
    return out


@dataclass(frozen=True)
class Projection:
    """Observed and projected children as arrays [year, area, age] (NaN where not observed)."""

    areas: list[str]
    observed_years: list[int]
    observed: np.ndarray
    future_years: list[int]
    future: np.ndarray


def project_arrays(
    children: pd.DataFrame, params: ProjectionParams | None = None, housing: pd.DataFrame | None = None
) -> Projection:
    """The projection of :func:`project` as arrays (what the plan computes on, no long frames)."""
    p = params or ProjectionParams()
    cube, areas, years = _cube(children)
    base = np.nan_to_num(cube[-1])  # [area, age] in the base year
    factors, _, _ = _factors(cube, p.window, p.shrinkage)
    start = max(0, len(years) - p.window)
    recent = cube[start:, :, 0]
    seen = (~np.isnan(recent)).sum(axis=0)
    births_level = np.divide(np.nansum(recent, axis=0), seen, out=np.zeros(seen.shape), where=seen > 0)
    future = [years[-1] + i for i in range(1, p.years + 1)]
    extra = _housing_cube(housing if housing is not None else pd.DataFrame(), areas, future, p.child_yield)
    result = np.empty((len(future), len(areas), MAX_AGE + 1))
    current = base
    for i in range(len(future)):
        nxt = np.empty_like(current)
        nxt[:, 1:] = current[:, :-1] * factors
        nxt[:, 0] = births_level * (1 + p.birth_trend) ** (i + 1)
        nxt += extra[i]
        current = np.maximum(nxt, 0.0)
        result[i] = current
    return Projection(areas, years, cube, future, result)


def long_children(areas: list[str], years: list[int], cube: np.ndarray) -> pd.DataFrame:
    """[year, area, age] → long ``gebiet_id, year, age, children``."""
    n_areas = len(areas)
    return pd.DataFrame(
        {
            "gebiet_id": ids_at(areas, np.tile(np.repeat(np.arange(n_areas), MAX_AGE + 1), len(years))),
            "year": np.repeat(years, n_areas * (MAX_AGE + 1)),
            "age": np.tile(AGES, len(years) * n_areas),
            "children": cube.ravel(),
        }
    )


def project(
    children: pd.DataFrame, params: ProjectionParams | None = None, housing: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Project ``children`` (long: ``gebiet_id, year, age, count`` for ages 0–17) ``params.years`` ahead.

    Returns the long table ``gebiet_id, year, age, children`` for the projected years only.
    ``housing``: ``gebiet_id, units, completion_year, completion_year_end`` (optional); only units
    completing after the base year are added (earlier ones are already in the observed population).
    """
    pr = project_arrays(children, params, housing)
    return long_children(pr.areas, pr.future_years, pr.future)


def single_ages(population: pd.DataFrame) -> pd.DataFrame:
    """The single-age rows 0–17 (all sexes) of a population table as ``gebiet_id, year, age, count``."""
    age_from = population["age_from"].to_numpy(dtype=float, na_value=np.nan)
    age_to = population["age_to"].to_numpy(dtype=float, na_value=np.nan)
    mask = (
        population["sex"].isna().to_numpy() & (age_from == age_to) & (age_from >= 0) & (age_from <= MAX_AGE)
    )
    idx = np.flatnonzero(mask)
    return pd.DataFrame(
        {
            "gebiet_id": population["gebiet_id"].take(idx).reset_index(drop=True),
            "year": population["year"].to_numpy(dtype=np.int64)[idx],
            "age": age_from[idx].astype(np.int64),
            "count": pd.array(
                population["count"].to_numpy(dtype=float, na_value=np.nan)[idx], dtype="Float64"
            ),
        }
    )
