"""Children per area and single age 0–17: a combined forecast that has to beat "no change".

Two simple calculations are made for every area and age, and the forecast is their mean
(:data:`PERSISTENCE_WEIGHT`); children from new housing come on top in full:

1. **Ageing with the area's own migration** (cohort-component, Hamilton–Perry):
   ``P(a+1, t+1) = P(a, t) × r(a, d)`` for a = 0…16 (17-year-olds leave the range).
   - Progression factor of area *d* over the window of the last *W* observed transitions:
     ``f(a, d) = Σ_t P(a+1, t+1, d) / Σ_t P(a, t, d)`` (sum-based, robust to one odd year), shrunk
     toward the city factor ``F(a)`` by exposure ``n``: ``f* = (n·f + k·F) / (n + k)``.
   - Only the area's migration *relative to the city* is carried on: ``r = f* / F``. A movement of
     the whole city in the window (a wave of refugees, one strong year) is not repeated every year:
     it is already in the base-year population.
   - New-borns: ``P(0, t₀+i) = B̄(d) · exp(g · (t₀ − t̄ + φ + φ² + … + φ^i)) · (1 + v)^i`` with
     ``B̄`` the area's mean age-0 count over the window (centred on the window's mean year ``t̄``),
     ``g`` the city's log-linear trend of births over the window (births table, else age-0 counts;
     :class:`BirthSignal`), damped by ``φ`` (:data:`BIRTH_TREND_DAMPING`) so that a short trend
     fades out instead of compounding for ten years, and ``v`` the birth variant (low/medium/high).
     Where age 0 is only estimated (split from a band) but the births table counts births, ``B̄``
     is scaled so that the city's new-borns are the counted births, the areas keeping their shares
     of the estimated age 0 (:func:`counted_births_scale`): the split's age 0 is the band's average
     cohort, which says nothing about how many more are born than leave at 17.
2. **Persistence**: the base-year count of each age stays ("no change").

Why the mean: tried on the real series of Berlin (542 Planungsräume, 12 Bezirke) and Flensburg
(13 Stadtteile) from every possible base year, the mean has a lower error than each calculation alone
and than plain ageing without migration at every horizon 1–4 (see ``python -m planning backtest``
and the README). Ageing alone overreacts in small areas (families move out after a birth, one-off
moves are repeated), persistence alone misses births and ageing; their errors partly cancel
(forecast combination). Flensburg's children grew in every year 2017–2021 mostly because ~900
births a year replaced ~790 leaving at 17; with its band-only data that is known only from the
births table, hence the counted births as the level of the new-borns.

Guards (:func:`check_children`): areas with zero counts in a whole year, gaps or missing single
ages inside the window, or no counts in the base year are named in German warnings, left out of the
city-level factors and the birth trend (so they cannot move other areas), and forecast only where a
base year exists (a missing single age of the base year is taken as the mean of its neighbours,
said in the warning). An area without counts in the base year gets no forecast (NaN, "keine Daten").

Housing: units completing in year *y* bring ``units × yield(a)`` children of age *a* in *y* (spread
evenly over the completion years); these children then age on.

Pure and vectorised (numpy over area × age); inputs are never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planning.parameters import BIRTH_VARIANTS, DEFAULT_CHILD_YIELD

MAX_AGE = 17
AGES = np.arange(MAX_AGE + 1)

#: Weight of the persistence path ("no change") in the forecast; the ageing path gets the rest.
#: Equal weights: the classic, parameter-free forecast combination (no weight was fitted to a city).
PERSISTENCE_WEIGHT = 0.5

#: Damping φ of the birth trend (Gardner & McKenzie's damped trend, lower end of the usual 0.8–0.98):
#: the trend of a three-year window adds at most φ/(1−φ) = 4 years' worth of change in all.
BIRTH_TREND_DAMPING = 0.8

#: An area whose total children drop to exactly 0 in one year while it has at least this many in
#: another year of the window is taken as a missing delivery, not as an emptied area.
ZERO_YEAR_MIN_CHILDREN = 10

#: One sentence per path for pages, papers and the CLI.
METHOD_TEXT = (
    "Kombinierte Prognose: Mittel aus (1) Fortschreibung der Jahrgänge mit der Wanderung des "
    "Gebiets im Vergleich zur Gesamtstadt und Geburten nach dem Trend der letzten Jahre und (2) "
    "gleichbleibender Zahl je Altersjahr; Kinder aus Neubau kommen voll hinzu. Ist Alter 0 nur aus "
    "einer Altersgruppe geschätzt, folgen die Neugeborenen der Gesamtstadt der Geburtenstatistik."
)


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


@dataclass(frozen=True)
class Problem:
    """A data problem of one area found before forecasting (shown as a German warning)."""

    gebiet_id: str
    year: int | None
    kind: str  # ohne_daten | basisjahr_fehlt | basisjahr_null | jahr_null | jahr_fehlt | alter_fehlt
    text: str

    @property
    def excluded(self) -> bool:
        """True where the area gets no forecast at all."""
        return self.kind in ("ohne_daten", "basisjahr_fehlt", "basisjahr_null")


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
    if children.empty:
        raise ValueError("Keine Kinderzahlen nach Einzelalter 0–17 vorhanden.")
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


@dataclass(frozen=True)
class Checked:
    """The children cube after the guards: cleaned values and which areas may shape city figures."""

    cube: np.ndarray  # [year, area, age], zero-years set to NaN, missing base ages filled
    problems: tuple[Problem, ...]
    clean: np.ndarray  # [area] bool: no problem, used for city factors and the birth trend
    has_base: np.ndarray  # [area] bool: the area can be forecast


def _ages_text(ages: np.ndarray) -> str:
    a = [int(x) for x in ages]
    return f"Alter {a[0]}" if len(a) == 1 else "Alter " + ", ".join(map(str, a[:-1])) + f" und {a[-1]}"


def check_children(cube: np.ndarray, areas: list[str], years: list[int], window: int) -> Checked:
    """Find zeros, gaps and missing single ages inside the window and a missing base year (module doc)."""
    n_years = cube.shape[0]
    start = max(0, n_years - 1 - window)
    win = cube[start:]
    present = ~np.isnan(win).all(axis=2)  # [t, area]
    total = np.nansum(win, axis=2)
    anywhere = present.any(axis=0)
    most = np.where(present, total, 0).max(axis=0)
    zero_year = present & (total == 0) & (most >= ZERO_YEAR_MIN_CHILDREN)
    gap = ~present & anywhere
    part = present & np.isnan(win).any(axis=2)
    out = cube.copy()
    problems: list[Problem] = []
    base_t = win.shape[0] - 1
    bad_rows = np.flatnonzero(~anywhere | zero_year.any(axis=0) | gap.any(axis=0) | part.any(axis=0))
    for d in bad_rows:
        gid = areas[d]
        if not anywhere[d]:
            problems.append(
                Problem(
                    gid, None, "ohne_daten", f"Gebiet {gid}: keine Kinderzahlen {years[start]}–{years[-1]}."
                )
            )
            continue
        for t in range(win.shape[0]):
            year = years[start + t]
            if t == base_t and gap[t, d]:
                problems.append(
                    Problem(
                        gid,
                        year,
                        "basisjahr_fehlt",
                        f"Gebiet {gid}: keine Kinderzahlen im Basisjahr {year} – keine Prognose.",
                    )
                )
            elif t == base_t and zero_year[t, d]:
                problems.append(
                    Problem(
                        gid,
                        year,
                        "basisjahr_null",
                        f"Gebiet {gid}: im Basisjahr {year} alle Altersjahre 0, in den Vorjahren bis zu "
                        f"{most[d]:.0f} Kinder – vermutlich fehlende Lieferung; keine Prognose.",
                    )
                )
            elif zero_year[t, d]:
                problems.append(
                    Problem(
                        gid,
                        year,
                        "jahr_null",
                        f"Gebiet {gid}: {year} alle Altersjahre 0 (sonst bis zu {most[d]:.0f} Kinder) – "
                        "als fehlend behandelt.",
                    )
                )
            elif gap[t, d]:
                problems.append(Problem(gid, year, "jahr_fehlt", f"Gebiet {gid}: keine Kinderzahlen {year}."))
            elif part[t, d]:
                missing = np.flatnonzero(np.isnan(win[t, d]))
                note = " – im Basisjahr aus den Nachbaraltern geschätzt" if t == base_t else ""
                problems.append(
                    Problem(
                        gid, year, "alter_fehlt", f"Gebiet {gid}: {_ages_text(missing)} fehlt {year}{note}."
                    )
                )
        zeros = np.flatnonzero(zero_year[:, d])
        out[start + zeros, d, :] = np.nan
    base = out[-1]
    has_base = ~np.isnan(base).all(axis=1)
    holes = np.isnan(base) & has_base[:, None]
    if holes.any():
        left = pd.DataFrame(base).ffill(axis=1).to_numpy()
        right = pd.DataFrame(base).bfill(axis=1).to_numpy()
        fill = np.nanmean(np.stack([left, right]), axis=0)
        out[-1] = np.where(holes, fill, base)
    clean = np.ones(len(areas), dtype=bool)
    clean[bad_rows] = False
    return Checked(out, tuple(problems), clean, has_base)


def progression_factors(children: pd.DataFrame, window: int, shrinkage: float) -> pd.DataFrame:
    """Factors for a = 0…16: ``gebiet_id, age, factor`` (shrunk ``f*``), ``city_factor``, ``relative``
    (``f*/F``, what the forecast carries on) and ``exposure``."""
    cube, areas, years = _cube(children)
    checked = check_children(cube, areas, years, window)
    shrunk, city, exposure = _factors(checked.cube, window, shrinkage, checked.clean)
    n = len(areas)
    return pd.DataFrame(
        {
            "gebiet_id": ids_at(areas, np.repeat(np.arange(n), MAX_AGE)),
            "age": np.tile(AGES[:-1], n),
            "factor": shrunk.ravel(),
            "city_factor": np.tile(city, n),
            "relative": (shrunk / city).ravel(),
            "exposure": exposure.ravel(),
        }
    )


def _factors(
    cube: np.ndarray, window: int, shrinkage: float, use: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shrunk factors [area, age 0..16], the city factors [age] (from the areas in ``use``) and the
    exposure [area, age]. Without any transition (a single year) every factor is 1."""
    n_years = cube.shape[0]
    n_areas = cube.shape[1]
    if n_years < 2:
        ones = np.ones((n_areas, MAX_AGE))
        return ones, np.ones(MAX_AGE), np.zeros((n_areas, MAX_AGE))
    start = max(0, n_years - 1 - window)
    before = cube[start:-1, :, :-1]  # P(a, t)
    after = cube[start + 1 :, :, 1:]  # P(a+1, t+1)
    valid = ~(np.isnan(before) | np.isnan(after))
    exposure = np.where(valid, before, 0).sum(axis=0)  # [area, age]
    survivors = np.where(valid, after, 0).sum(axis=0)
    pick = np.ones(n_areas, dtype=bool) if use is None else use
    # A factor observed on less than one child means nothing: fall back to the city, and to 1.0
    # (no change) where the whole city has no exposure at that age.
    city_exposure = exposure[pick].sum(axis=0)
    city = np.divide(
        survivors[pick].sum(axis=0), city_exposure, out=np.ones(MAX_AGE), where=city_exposure >= 1
    )
    own = np.divide(
        survivors, exposure, out=np.broadcast_to(city, exposure.shape).copy(), where=exposure >= 1
    )
    weight = exposure + shrinkage
    shrunk = np.divide(exposure * own + shrinkage * city, weight, out=own.copy(), where=weight > 0)
    return shrunk, city, exposure


@dataclass(frozen=True)
class BirthSignal:
    """What the birth path rests on where the children cube alone would mislead.

    ``series``: city totals of a series counted the same way in every year of the window (the births
    table, or the youngest age band observed alike in every year), oldest first; its trend replaces
    the trend of the age-0 counts, which mix estimates and counts when the data's resolution changes
    (Berlin: bands until 2024, single ages in 2025). ``level_from_base``: the base year's age 0 is a
    count while earlier years are estimates, so the level is the base year's, not the window mean.
    ``births_by_area``: where no year of the window counts age 0 but the births table does, the
    estimated age 0 is the band's average cohort, not the births (Flensburg 2017: 791 per cohort,
    911 births); the city's level of new-borns is then the counted births.
    """

    series: tuple[float, ...] | None = None
    level_from_base: bool = False
    #: ``(area, mean births over the window)`` where births are counted but age 0 is only estimated
    #: (split from a band): the city's new-borns then follow the counted births (:func:`_births`).
    births_by_area: tuple[tuple[str, float], ...] = ()


def _trend(values: np.ndarray) -> float:
    """Yearly log-linear trend of a positive series (0.0 for fewer than two years or any zero)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or not (values > 0).all():
        return 0.0
    return float(np.polyfit(np.arange(len(values), dtype=float), np.log(values), 1)[0])


def birth_trend(
    cube: np.ndarray, window: int, use: np.ndarray | None = None, signal: BirthSignal | None = None
) -> float:
    """The city's yearly log-linear trend ``g`` of births over the last ``window`` years: of the
    ``signal`` series where given, else of the age-0 counts."""
    w = min(window, cube.shape[0])
    if signal is not None and signal.series is not None:
        return _trend(np.asarray(signal.series[-w:]))
    pick = np.ones(cube.shape[1], dtype=bool) if use is None else use
    recent = cube[-w:][:, pick, 0]
    # only areas seen in every year of the window, so a gap is not read as a fall in births
    full = (~np.isnan(recent)).all(axis=0)
    return _trend(np.nansum(recent[:, full], axis=1))


def counted_births_scale(areas: list[str], level: np.ndarray, use: np.ndarray, signal: BirthSignal) -> float:
    """Σ counted births / Σ estimated age-0 level over the areas in ``use`` that have both (1.0 where
    there are none): the factor that sets the city's new-borns to the births table."""
    births = dict(signal.births_by_area)
    counted = np.array([births.get(a, np.nan) for a in areas])
    both = use & ~np.isnan(counted)
    estimated = level[both].sum()
    return float(counted[both].sum() / estimated) if both.any() and estimated > 0 else 1.0


def _births(
    cube: np.ndarray,
    areas: list[str],
    window: int,
    use: np.ndarray,
    variant: float,
    n_future: int,
    signal: BirthSignal | None = None,
) -> np.ndarray:
    """New-borns [future year, area] of the ageing path (module doc)."""
    w = min(window, cube.shape[0])
    recent = cube[-w:, :, 0]
    seen = (~np.isnan(recent)).sum(axis=0)
    base0 = np.nan_to_num(cube[-1, :, 0])
    if signal is not None and signal.level_from_base:
        level, centre = base0, 0.0
    else:
        level = np.divide(np.nansum(recent, axis=0), seen, out=base0.copy(), where=seen > 0)
        centre = (w - 1) / 2
    if signal is not None and signal.births_by_area:
        # the areas keep their shares of the estimated age 0; the city total is the counted births
        level = level * counted_births_scale(areas, level, use, signal)
    g = birth_trend(cube, window, use, signal)
    steps = np.arange(1, n_future + 1, dtype=float)
    # damped trend: year k ahead adds g·φ^k, so a short window's trend fades instead of compounding
    damped = np.cumsum(BIRTH_TREND_DAMPING**steps)
    growth = np.exp(g * (centre + damped)) * (1 + variant) ** steps
    return growth[:, None] * level[None, :]


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
    """Observed and projected children as arrays [year, area, age] (NaN where not observed or where
    an area has no forecast) and the data problems found on the way."""

    areas: list[str]
    observed_years: list[int]
    observed: np.ndarray
    future_years: list[int]
    future: np.ndarray
    problems: tuple[Problem, ...] = ()
    birth_trend: float = 0.0


def ageing_path(
    base: np.ndarray, factors: np.ndarray, births: np.ndarray, extra: np.ndarray | None = None
) -> np.ndarray:
    """Cohorts moved on year by year: [future year, area, age] from the base [area, age], the factors
    [area, age 0..16], the new-borns [future year, area] and optional arrivals [future year, area, age]."""
    out = np.empty((births.shape[0], *base.shape))
    current = base
    for i in range(births.shape[0]):
        nxt = np.empty_like(current)
        nxt[:, 1:] = current[:, :-1] * factors
        nxt[:, 0] = births[i]
        if extra is not None:
            nxt += extra[i]
        current = np.maximum(nxt, 0.0)
        out[i] = current
    return out


def project_arrays(
    children: pd.DataFrame,
    params: ProjectionParams | None = None,
    housing: pd.DataFrame | None = None,
    births: BirthSignal | None = None,
) -> Projection:
    """The projection of :func:`project` as arrays (what the plan computes on, no long frames)."""
    p = params or ProjectionParams()
    raw, areas, years = _cube(children)
    checked = check_children(raw, areas, years, p.window)
    cube = checked.cube
    use = checked.clean & checked.has_base
    base = np.nan_to_num(cube[-1])  # [area, age] in the base year
    shrunk, city, _ = _factors(cube, p.window, p.shrinkage, use)
    relative = np.divide(shrunk, city, out=np.ones_like(shrunk), where=city > 0)
    future = [years[-1] + i for i in range(1, p.years + 1)]
    newborns = _births(cube, areas, p.window, use, p.birth_trend, p.years, births)
    ageing = ageing_path(base, relative, newborns)
    result = PERSISTENCE_WEIGHT * base[None] + (1 - PERSISTENCE_WEIGHT) * ageing
    extra = _housing_cube(housing if housing is not None else pd.DataFrame(), areas, future, p.child_yield)
    if extra.any():
        no_births = np.zeros((p.years, len(areas)))
        result += ageing_path(np.zeros_like(base), np.ones_like(relative), no_births, extra)
    result[:, ~checked.has_base, :] = np.nan
    return Projection(
        areas, years, raw, future, result, checked.problems, birth_trend(cube, p.window, use, births)
    )


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
