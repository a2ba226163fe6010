"""Assemble every table of the demo city as frames, without touching a database.

Why: tests and the database writer share one deterministic generator per seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.synthetic import generate_city
from planning.demo.housing import make_housing
from planning.demo.indicators import make_indicators
from planning.demo.kitas import kindertagespflege, make_kitas
from planning.demo.population import MAX_AGE, YEARS, PopulationModel, simulate_population
from planning.demo.schools import make_schools


@dataclass(frozen=True)
class DemoData:
    """All tables of the demo city as frames keyed by ``gebiet_id``/``schul_id`` (no database ids).

    ``areas`` has both levels plus ``typ`` (settlement type) and centroid ``cx``/``cy``.
    """

    areas: gpd.GeoDataFrame
    population: pd.DataFrame
    births: pd.DataFrame
    kitas: pd.DataFrame
    kindertagespflege: pd.DataFrame
    schools: pd.DataFrame
    enrollment: pd.DataFrame
    indicators: pd.DataFrame
    housing: pd.DataFrame


def _long_population(pr: pd.DataFrame, pop: PopulationModel) -> pd.DataFrame:
    """Single ages 0–17, bands 18–64 and 65+ and the total (0, open) per area and year."""
    bands = [pop.band(18, 64), pop.band(65, MAX_AGE), pop.ages.sum(axis=2)]
    counts = np.concatenate([pop.ages[:, :, :18], *(b[..., None] for b in bands)], axis=2)
    age_from = np.array([*range(18), 18, 65, 0])
    age_to = pd.array([*range(18), 64, None, None], dtype="Int64")
    a, t, k = (m.ravel() for m in np.meshgrid(*(np.arange(n) for n in counts.shape), indexing="ij"))
    return pd.DataFrame(
        {
            "gebiet_id": pr["gebiet_id"].to_numpy()[a],
            "year": np.array(YEARS)[t],
            "age_from": age_from[k],
            "age_to": age_to[k],
            "count": counts.ravel(),
        }
    )


def _per_area_year(pr: pd.DataFrame, values: np.ndarray, column: str) -> pd.DataFrame:
    a, t = (m.ravel() for m in np.meshgrid(np.arange(len(pr)), np.arange(len(YEARS)), indexing="ij"))
    return pd.DataFrame(
        {"gebiet_id": pr["gebiet_id"].to_numpy()[a], "year": np.array(YEARS)[t], column: values.ravel()}
    )


def generate_demo(seed: int = 2025) -> DemoData:
    """Generate every table of the demo city for ``seed`` without touching a database.

    Each part draws from its own child generator, so a change in one part does not reshuffle the
    others.
    """
    city = generate_city(seed)
    rng_pop, rng_kita, rng_school, rng_ind = np.random.default_rng(seed).spawn(4)
    centroids = city.areas.geometry.centroid
    areas = city.areas.assign(cx=centroids.x, cy=centroids.y)
    pr = areas[areas["level"] == 1].reset_index(drop=True)
    pop = simulate_population(pr, rng_pop)
    ktp = kindertagespflege(pr, pop, rng_kita)
    schools, enrollment = make_schools(pr, pop, rng_school)
    return DemoData(
        areas=areas,
        population=_long_population(pr, pop),
        births=_per_area_year(pr, pop.births, "count"),
        kitas=make_kitas(pr, pop, ktp[:, -1], rng_kita),
        kindertagespflege=_per_area_year(pr, ktp, "places"),
        schools=schools,
        enrollment=enrollment,
        indicators=make_indicators(pr, pop, rng_ind),
        housing=make_housing(pr),
    )
