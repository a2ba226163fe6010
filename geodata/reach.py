"""Reachability of places (Kita, school) by the two-step floating catchment area method (2SFCA).

Counting places *inside* each district calls a district with no Kita of its own a desert even when
three Kitas stand just across the street. 2SFCA instead lets every facility j serve everyone within
a catchment (Einzugsbereich) and every district i draw on every facility within the same distance:

    Step 1  R_j = S_j / Σ_{i: d_ij ≤ d0} w(d_ij) · P_i      places per person around facility j
    Step 2  A_i = Σ_{j: d_ij ≤ d0} w(d_ij) · R_j            places per person reachable from i

S_j is the capacity (Plätze), P_i the population (e.g. children of Kita age) at the district's
representative point, d0 = ``max_distance_m``. ``w`` is 1 inside the catchment ("step") or the
common Gaussian decay (w(0) = 1 falling to w(d0) = 0, "gauss"). A facility with nobody in reach has
no R_j and serves nobody. Because both steps use the same weights, A_i · P_i summed over all
districts equals the capacity of the facilities that have anybody in reach: ``allocated`` splits the
places among districts without creating or losing any, so upper levels aggregate by
Σ allocated / Σ population (population-weighted mean of A_i).

Distance is the straight line times a detour factor (Umwegfaktor, ~1.3 for urban road networks):
it needs no routing engine or road data, is reproducible and cheap enough for 10⁴ districts ×
10⁴–10⁵ facilities. Where an imported road network gives real distances, pass them as
``distances`` and they are used instead.

Limits, to be stated next to any map of the result:
- edge effects: facilities just outside the municipality are not in the data, so districts at the
  border look worse off than they are (and families from outside, who also use the city's places,
  are not counted, which flatters them);
- the catchment d0 is a planning parameter, not a fact: results shift with it, so show it;
- one representative point per district: large districts hide their internal distances;
- A_i is potential access; it says nothing about waiting lists, opening hours or parents' choice.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.crs import WGS84, require_crs

DEMAND_COLUMNS = ("id", "x", "y", "population")
SUPPLY_COLUMNS = ("id", "x", "y", "capacity")
DISTANCE_COLUMNS = ("demand_id", "supply_id", "distance_m")

#: Demand points per spatial query: bounds memory to chunk × facilities-in-reach pairs.
CHUNK = 2048

_E_HALF = math.exp(-0.5)


def step_weight(d: np.ndarray, d0: float) -> np.ndarray:
    """1 within the catchment ``d0``, 0 beyond."""
    return np.where(np.asarray(d, dtype=float) <= d0, 1.0, 0.0)


def gaussian_weight(d: np.ndarray, d0: float) -> np.ndarray:
    """Gaussian 2SFCA weight (Dai 2010): 1 at d = 0, falling to 0 at d = d0, 0 beyond."""
    d = np.asarray(d, dtype=float)
    w = (np.exp(-0.5 * (d / d0) ** 2) - _E_HALF) / (1.0 - _E_HALF)
    return np.where(d <= d0, np.clip(w, 0.0, 1.0), 0.0)


#: Distance decay functions by name (the ``decay`` argument of :func:`two_step_fca`).
DECAYS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "step": step_weight,
    "gauss": gaussian_weight,
}


def two_step_fca(
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    *,
    max_distance_m: float,
    detour_factor: float = 1.3,
    decay: str = "step",
    distances: pd.DataFrame | None = None,
    own_area: str | None = None,
) -> pd.DataFrame:
    """Places per person reachable from each demand point (2SFCA), one row per demand id in input order.

    ``own_area`` names a supply column holding the demand id of the area a facility lies in: such a
    facility is always in reach of its own area (distance 0). Why: with one representative point
    per district, a large district's own Kita can lie beyond the catchment of that point, and a
    district with a Kita of its own would read as a desert.

    Columns: ``id, population, accessibility`` (A_i), ``allocated`` (A_i · P_i), ``facilities`` (number
    in reach) and ``nearest_m`` (travel distance to the nearest facility, any distance). Facilities
    with capacity 0 or NA, or without coordinates, are left out (they offer no places). Without
    ``distances`` the travel distance is straight line × ``detour_factor``; with it, the given
    network distances are used as they are and pairs missing from it are out of reach (``x``/``y``
    are then not needed). Population NA counts as 0 and is reported, like points without
    coordinates (accessibility NA), in ``result.attrs["hinweise"]`` and as a warning.
    """
    if decay not in DECAYS:
        raise ValueError(f"Unbekannte Distanzgewichtung {decay!r}; möglich: {', '.join(DECAYS)}.")
    weight = DECAYS[decay]
    if not _finite(max_distance_m) or max_distance_m <= 0:
        raise ValueError(f"Die maximale Entfernung muss größer als 0 m sein (erhalten: {max_distance_m!r}).")
    if distances is None and (not _finite(detour_factor) or detour_factor < 1):
        raise ValueError(f"Der Umwegfaktor muss mindestens 1 sein (erhalten: {detour_factor!r}).")

    need_xy = distances is None
    _require(demand, DEMAND_COLUMNS if need_xy else ("id", "population"), "Nachfrage")
    _require(supply, SUPPLY_COLUMNS if need_xy else ("id", "capacity"), "Angebot")
    if distances is not None:
        _require(distances, DISTANCE_COLUMNS, "Entfernungen")

    notes: list[str] = []
    dem_ids = demand["id"].astype(str).to_numpy()
    _unique(dem_ids, "Nachfrage")
    population = _numeric(demand["population"], "Nachfrage", "population")
    if (population < 0).any():
        raise ValueError(f"Nachfrage: Spalte 'population' ist negativ bei {_few(dem_ids[population < 0])}.")
    if np.isnan(population).any():
        notes.append(
            f"Nachfrage: Bevölkerung fehlt bei {_few(dem_ids[np.isnan(population)])}; als 0 gezählt."
        )
        population = np.nan_to_num(population, nan=0.0)

    capacity = _numeric(supply["capacity"], "Angebot", "capacity")
    if (capacity < 0).any():
        sup_all = supply["id"].astype(str).to_numpy()
        raise ValueError(f"Angebot: Spalte 'capacity' ist negativ bei {_few(sup_all[capacity < 0])}.")
    # NA or zero capacity offers no places: dropping such rows changes no R_j and no A_i.
    usable = capacity > 0
    if need_xy:
        dem_xy = np.column_stack(
            [_numeric(demand["x"], "Nachfrage", "x"), _numeric(demand["y"], "Nachfrage", "y")]
        )
        sup_xy = np.column_stack(
            [_numeric(supply["x"], "Angebot", "x"), _numeric(supply["y"], "Angebot", "y")]
        )
        usable &= ~np.isnan(sup_xy).any(axis=1)
        located = ~np.isnan(dem_xy).any(axis=1)
    else:
        located = np.ones(len(demand), dtype=bool)
    sup_ids = supply["id"].astype(str).to_numpy()[usable]
    _unique(sup_ids, "Angebot")
    capacity = capacity[usable]
    if not located.all():
        notes.append(
            f"Nachfrage: Koordinaten fehlen bei {_few(dem_ids[~located])}; Erreichbarkeit unbekannt."
        )

    pairs: _StraightPairs | _NetworkPairs
    if distances is None:
        dem_rows = np.flatnonzero(located)
        pairs = _StraightPairs(dem_xy[dem_rows], dem_rows, sup_xy[usable], detour_factor, max_distance_m)
        if own_area is not None:
            _require(supply, (own_area,), "Angebot")
            home = pd.Index(dem_ids).get_indexer(supply[own_area].astype(str).to_numpy()[usable])
            ok = (home >= 0) & np.isin(home, dem_rows)
            pairs.own = (home[ok], np.flatnonzero(ok))
    else:
        pairs = _NetworkPairs(distances, dem_ids, sup_ids, max_distance_m)
    nearest = pairs.nearest(len(demand))

    # Step 1: weighted population in reach of each facility, then places per person there.
    n_sup, n_dem = len(sup_ids), len(demand)
    weighted_pop = np.zeros(n_sup)
    for i, j, d in pairs:
        weighted_pop += np.bincount(j, weights=weight(d, max_distance_m) * population[i], minlength=n_sup)
    ratio = np.divide(capacity, weighted_pop, out=np.zeros(n_sup), where=weighted_pop > 0)

    # Step 2: sum of the facilities' ratios in reach of each demand point.
    access = np.zeros(n_dem)
    count = np.zeros(n_dem, dtype=np.int64)
    for i, j, d in pairs:
        access += np.bincount(i, weights=weight(d, max_distance_m) * ratio[j], minlength=n_dem)
        count += np.bincount(i, minlength=n_dem)
    access[~located] = np.nan

    out = pd.DataFrame(
        {
            "id": dem_ids,
            "population": population,
            "accessibility": access,
            "allocated": access * population,
            "facilities": count,
            "nearest_m": nearest,
        }
    )
    out.attrs["hinweise"] = notes
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return out


class _StraightPairs:
    """Demand–facility pairs in reach by straight line × detour, found chunkwise with an STRtree.

    Iterating yields ``(demand_row, supply_row, travel_m)`` arrays per chunk of demand points, so
    memory stays at one chunk's pairs however many facilities there are; both 2SFCA steps iterate.
    """

    def __init__(
        self, dem_xy: np.ndarray, dem_rows: np.ndarray, sup_xy: np.ndarray, detour: float, reach_m: float
    ) -> None:
        self.dem_xy = dem_xy
        self.dem_points = shapely.points(dem_xy)
        self.dem_rows = dem_rows
        self.sup_xy = sup_xy
        self.tree = shapely.STRtree(shapely.points(sup_xy))
        self.detour = detour
        self.reach_m = reach_m
        #: (demand row, supply row) of facilities in their own area: in reach at distance 0.
        self.own: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.int64), np.empty(0, np.int64))

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        if len(self.sup_xy) == 0:
            return
        # Candidates are the facilities in a square a hair wider than reach/detour around each point
        # (an envelope query is ~2x faster than predicate="dwithin"); the exact cut d_ij <= reach
        # follows in numpy, so rounding in the division can never drop a pair that is in reach.
        radius = self.reach_m / self.detour * (1 + 1e-9) + 1e-6
        for start in range(0, len(self.dem_xy), CHUNK):
            xy = self.dem_xy[start : start + CHUNK]
            boxes = shapely.box(xy[:, 0] - radius, xy[:, 1] - radius, xy[:, 0] + radius, xy[:, 1] + radius)
            local, j = self.tree.query(boxes)
            i = self.dem_rows[start + local]
            d = np.hypot(*(self.sup_xy[j] - self.dem_xy[start + local]).T) * self.detour
            keep = d <= self.reach_m
            i, j, d = i[keep], j[keep], d[keep]
            own_i, own_j = self.own
            if len(own_i):
                mine = np.isin(own_i, self.dem_rows[start : start + CHUNK])
                i = np.concatenate([own_i[mine], i])
                j = np.concatenate([own_j[mine], j])
                d = np.concatenate([np.zeros(int(mine.sum())), d])
                # A pair found both ways counts once, at distance 0 (np.unique keeps the first).
                _, first = np.unique(i * len(self.sup_xy) + j, return_index=True)
                i, j, d = i[first], j[first], d[first]
            yield i, j, d

    def nearest(self, n_dem: int) -> np.ndarray:
        out = np.full(n_dem, np.nan)
        if len(self.sup_xy) and len(self.dem_points):
            (local, _), dist = self.tree.query_nearest(
                self.dem_points, return_distance=True, all_matches=False
            )
            out[self.dem_rows[local]] = dist * self.detour
        return out


class _NetworkPairs:
    """Pairs in reach from a long table of network distances (one chunk: the table is in memory)."""

    def __init__(self, table: pd.DataFrame, dem_ids: np.ndarray, sup_ids: np.ndarray, reach_m: float) -> None:
        dist = _numeric(table["distance_m"], "Entfernungen", "distance_m")
        if (dist < 0).any():
            raise ValueError("Entfernungen: Spalte 'distance_m' enthält negative Werte.")
        i = pd.Index(dem_ids).get_indexer(table["demand_id"].astype(str))
        j = pd.Index(sup_ids).get_indexer(table["supply_id"].astype(str))
        # Unknown ids (e.g. a facility without capacity) and NA distances are simply not pairs.
        ok = (i >= 0) & (j >= 0) & ~np.isnan(dist)
        long = pd.DataFrame({"i": i[ok], "j": j[ok], "d": dist[ok]})
        long = long.groupby(["i", "j"], as_index=False, sort=False)["d"].min()  # duplicates: shortest
        self.all = long
        near = long[long["d"] <= reach_m]
        self.i = near["i"].to_numpy(np.int64)
        self.j = near["j"].to_numpy(np.int64)
        self.d = near["d"].to_numpy(float)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        yield self.i, self.j, self.d

    def nearest(self, n_dem: int) -> np.ndarray:
        out = np.full(n_dem, np.nan)
        shortest = self.all.groupby("i")["d"].min()
        out[shortest.index.to_numpy(np.int64)] = shortest.to_numpy(float)
        return out


def representative_points(
    areas: gpd.GeoDataFrame, id_column: str = "gebiet_id", epsg: int | None = None
) -> pd.DataFrame:
    """One point per area, always inside it (``representative_point``, not the centroid), as ``id, x, y``.

    Coordinates are metres in ``epsg`` if given; else the layer's own CRS if it is UTM, else the
    ETRS89/UTM zone of the layer (EPSG:258zz). The EPSG used is in ``result.attrs["epsg"]``, to
    put facilities into the same CRS with :func:`facility_points`. Areas without geometry get NA.
    """
    require_crs(areas, "Gebiete")
    _require(areas, (id_column,), "Gebiete")
    target = epsg if epsg is not None else _metric_epsg(areas)
    metric = areas.geometry.to_crs(target)
    empty = metric.isna() | metric.is_empty
    reps = metric[~empty].representative_point()
    x = pd.Series(np.nan, index=areas.index)
    y = pd.Series(np.nan, index=areas.index)
    x[~empty] = reps.x
    y[~empty] = reps.y
    out = pd.DataFrame({"id": areas[id_column].astype(str).to_numpy(), "x": x.to_numpy(), "y": y.to_numpy()})
    out.attrs["epsg"] = int(target)
    return out


def facility_points(df: pd.DataFrame, lon: str = "lon", lat: str = "lat", *, epsg: int) -> pd.DataFrame:
    """A copy of ``df`` with ``x, y`` in metres (``epsg``) from WGS84 ``lon``/``lat``.

    Rows without coordinates are dropped; degrees out of range (already metres?) raise ValueError.
    """
    _require(df, (lon, lat), "Einrichtungen")
    lons = _numeric(df[lon], "Einrichtungen", lon)
    lats = _numeric(df[lat], "Einrichtungen", lat)
    has = ~(np.isnan(lons) | np.isnan(lats))
    if (np.abs(lons[has]) > 180).any() or (np.abs(lats[has]) > 90).any():
        raise ValueError(
            f"Einrichtungen: Spalten '{lon}'/'{lat}' liegen außerhalb von Länge/Breite in Grad "
            "(sind es schon Meter-Koordinaten?)."
        )
    out = df.loc[has].copy()
    metric = gpd.GeoSeries(gpd.points_from_xy(lons[has], lats[has]), crs=WGS84).to_crs(epsg)
    out["x"] = metric.x.to_numpy()
    out["y"] = metric.y.to_numpy()
    return out


def _metric_epsg(gdf: gpd.GeoDataFrame) -> int:
    """The layer's CRS if it is UTM, else the ETRS89/UTM zone estimated from its extent."""
    crs = gdf.crs
    epsg = crs.to_epsg() if crs is not None else None
    if crs is not None and crs.utm_zone and epsg:
        return int(epsg)
    # estimate_utm_crs(datum_name="ETRS89") picks EPSG:3044/3045 (northing first); ask for WGS 84
    # UTM and map zones 28–38 N to ETRS89/UTM (EPSG:258zz), the German Amtliches Bezugssystem.
    utm = gdf.estimate_utm_crs()
    zone = utm.utm_zone or ""
    if zone.endswith("N") and 28 <= int(zone[:-1]) <= 38:
        return 25800 + int(zone[:-1])
    if utm.to_epsg() is None:
        raise ValueError("Gebiete: kein metrisches Koordinatensystem bestimmbar; bitte EPSG angeben.")
    return int(utm.to_epsg())


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _require(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    for col in columns:
        if col not in df.columns:
            raise ValueError(f"{what}: Spalte '{col}' fehlt.")


def _numeric(col: pd.Series, what: str, name: str) -> np.ndarray:
    try:
        return pd.to_numeric(col, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: Spalte '{name}' enthält keine Zahlen.") from exc


def _unique(ids: np.ndarray, what: str) -> None:
    dup = pd.Index(ids)
    if dup.has_duplicates:
        raise ValueError(f"{what}: Spalte 'id' ist nicht eindeutig ({_few(dup[dup.duplicated()].unique())}).")


def _few(ids: np.ndarray | pd.Index, n: int = 5) -> str:
    shown = ", ".join(map(str, list(ids)[:n]))
    return shown + (f" und {len(ids) - n} weitere" if len(ids) > n else "")
